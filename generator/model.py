"""Stage 3: the checked facts as frozen dataclasses. Imports nothing of ours.

Each field is spelled here once; facts.json, the CSV and the page caches are built from these
dataclasses' fields (see data.py), so a new optional field needs its schema, this class and the
template that shows it, and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Person:
    """Someone behind the check, named on the About page with what they do."""

    name: str
    role: str
    url: str | None = None


@dataclass(frozen=True)
class Organisation:
    """Who publishes the fact-check: the ClaimReview author, and the About page."""

    name: str
    url: str
    about: str | None = None
    independence: str | None = None
    funding: str | None = None
    contact: str | None = None
    email: str | None = None
    people: tuple[Person, ...] = ()


@dataclass(frozen=True)
class DateRange:
    """The days between which an undated text appeared (`from` and `to` in the fact file)."""

    start: dt.date = field(metadata={"key": "from"})
    end: dt.date = field(metadata={"key": "to"})


@dataclass(frozen=True)
class Article:
    title: str
    outlet: str
    language: str
    published: dt.date | None
    summary: str
    organisation: Organisation
    date_note: str | None = None
    url: str | None = None
    author: str | None = None
    approximate_date: str | None = None
    bottom_line: str | None = None
    archive_url: str | None = None
    published_range: DateRange | None = None


@dataclass(frozen=True)
class Verdict:
    id: str
    label: str
    description: str
    rating_value: int | None
    color: str | None = None


@dataclass(frozen=True)
class VerdictChange:
    """A dated note on the verdict scale: a change of the label, rating or meaning of the
    verdicts it names, which changes how published claims' verdicts are shown."""

    date: dt.date
    note: str
    verdicts: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    url: str
    published: dt.date | None
    accessed: dt.date
    kind: str
    stance: str
    archive_url: str | None = None


@dataclass(frozen=True)
class Correction:
    date: dt.date
    note: str


@dataclass(frozen=True)
class Credit:
    role: str
    name: str


@dataclass(frozen=True)
class Place:
    slug: str
    name: str
    summary: str
    source_path: str = field(compare=False, default="")
    local_name: str | None = None
    region: str | None = None
    aliases: tuple[str, ...] = ()
    # Slugs the place had before; their addresses redirect to its page.
    previous_ids: tuple[str, ...] = ()
    outcome: str | None = None
    outcome_sources: tuple[Source, ...] = ()
    corrections: tuple[Correction, ...] = ()

    @property
    def display_name(self) -> str:
        """The one form of a bilingual name: "Munich (München)", or the name alone."""
        if self.local_name and self.local_name != self.name:
            return f"{self.name} ({self.local_name})"
        return self.name


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    quote: str
    position: int
    status: str
    summary: str
    analysis: str
    sources: tuple[Source, ...]
    reviewed: dt.date
    source_path: str = field(compare=False, default="")
    places: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    credits: tuple[Credit, ...] = ()
    corrections: tuple[Correction, ...] = ()
    # Ids the claim had before; their addresses redirect to its page.
    previous_ids: tuple[str, ...] = ()
    # A withdrawn claim keeps its page, data and last verdict; the correction of that date says why.
    withdrawn: dt.date | None = None

    @cached_property
    def updated(self) -> dt.date:
        """The last day the check changed: its review, its latest correction or its withdrawal."""
        return max([self.reviewed, *(c.date for c in self.corrections), *([self.withdrawn] if self.withdrawn else [])])

    @cached_property
    def withdrawal(self) -> Correction | None:
        """The correction that says why the claim was withdrawn (the last one of that date)."""
        if self.withdrawn is None:
            return None
        return next((c for c in reversed(self.corrections) if c.date == self.withdrawn), None)


@dataclass(frozen=True)
class Event:
    date: dt.date
    event: str
    sources: tuple[Source, ...]
    places: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    key: bool = False
    date_precision: str = "day"
    corrections: tuple[Correction, ...] = ()


def remember_hash(cls: type) -> type:
    """Keep a frozen dataclass's hash once computed: serve keys its page cache on contexts made of
    these, and hashing every claim's nested sources on every rebuild would cost more than the
    render it saves."""
    compute = cls.__hash__

    def __hash__(self) -> int:
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = compute(self)
            object.__setattr__(self, "_hash", cached)
        return cached

    cls.__hash__ = __hash__
    return cls


for _cls in (Person, Organisation, DateRange, Article, Verdict, VerdictChange, Source, Correction, Credit, Place, Claim,
             Event):
    remember_hash(_cls)


@dataclass(frozen=True)
class Facts:
    """Everything the site shows, checked and cross-referenced."""

    article: Article
    verdicts: tuple[Verdict, ...]
    places: tuple[Place, ...]
    claims: tuple[Claim, ...]
    timeline: tuple[Event, ...]
    # Dated notes on the verdict scale, oldest first (verdicts.yaml `changes`).
    verdict_changes: tuple[VerdictChange, ...] = ()
    # The facts of kinds a site or a test registered (kinds.register_kind): (collection, items).
    others: tuple[tuple[str, tuple], ...] = ()

    def collection(self, name: str) -> tuple:
        """The facts of one folder kind by the name of its list: "claims", "places", ..."""
        if name in ("claims", "places"):
            return getattr(self, name)
        return dict(self.others).get(name, ())

    def verdict(self, verdict_id: str) -> Verdict:
        return next(v for v in self.verdicts if v.id == verdict_id)

    def place(self, slug: str) -> Place:
        return next(p for p in self.places if p.slug == slug)

    @cached_property
    def current_claims(self) -> tuple[Claim, ...]:
        """The claims that stand: what counts, charts and verdict lists show (withdrawn ones left out)."""
        return tuple(c for c in self.claims if c.withdrawn is None)

    @cached_property
    def withdrawn_claims(self) -> tuple[Claim, ...]:
        """The withdrawn claims, in article order: listed apart, each with its withdrawal date."""
        return tuple(c for c in self.claims if c.withdrawn is not None)

    def claims_in(self, slug: str) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if slug in c.places)

    def recently_updated(self, count: int) -> tuple[Claim, ...]:
        """The `count` claims changed most recently, newest first (article order breaks ties)."""
        return tuple(sorted(self.claims, key=lambda c: (-c.updated.toordinal(), c.position))[:count])

    def claims_rated(self, verdict_id: str, claims: tuple[Claim, ...] | None = None) -> tuple[Claim, ...]:
        return tuple(c for c in (self.claims if claims is None else claims) if c.status == verdict_id)
