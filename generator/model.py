"""Stage 3: the checked facts as frozen dataclasses. Imports nothing of ours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Organisation:
    name: str
    url: str


@dataclass(frozen=True)
class Article:
    title: str
    outlet: str
    language: str
    published: dt.date | None
    date_note: str | None
    url: str | None
    summary: str
    organisation: Organisation


@dataclass(frozen=True)
class Verdict:
    id: str
    label: str
    description: str
    rating_value: int | None
    color: str | None


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    url: str
    published: dt.date | None
    accessed: dt.date
    archive_url: str | None
    kind: str
    stance: str


@dataclass(frozen=True)
class Correction:
    date: dt.date
    note: str


@dataclass(frozen=True)
class City:
    slug: str
    name: str
    name_zh: str
    province: str
    summary: str
    outcome: str | None
    outcome_sources: tuple[Source, ...]
    source_path: str


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    quote: str
    position: int
    cities: tuple[str, ...]
    status: str
    summary: str
    analysis: str
    sources: tuple[Source, ...]
    reviewed: dt.date
    corrections: tuple[Correction, ...]
    source_path: str

    @cached_property
    def updated(self) -> dt.date:
        """The last day the check changed: its review or its latest correction."""
        return max([self.reviewed, *(c.date for c in self.corrections)])


@dataclass(frozen=True)
class Event:
    date: dt.date
    event: str
    cities: tuple[str, ...]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Facts:
    """Everything the site shows, checked and cross-referenced."""

    article: Article
    verdicts: tuple[Verdict, ...]
    cities: tuple[City, ...]
    claims: tuple[Claim, ...]
    timeline: tuple[Event, ...]

    def verdict(self, verdict_id: str) -> Verdict:
        return next(v for v in self.verdicts if v.id == verdict_id)

    def city(self, slug: str) -> City:
        return next(c for c in self.cities if c.slug == slug)

    def claims_in(self, slug: str) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if slug in c.cities)

    def recently_updated(self, count: int) -> tuple[Claim, ...]:
        """The `count` claims changed most recently, newest first (article order breaks ties)."""
        return tuple(sorted(self.claims, key=lambda c: (-c.updated.toordinal(), c.position))[:count])

    def claims_rated(self, verdict_id: str, claims: tuple[Claim, ...] | None = None) -> tuple[Claim, ...]:
        return tuple(c for c in (self.claims if claims is None else claims) if c.status == verdict_id)
