"""Page types: one small class per kind of generated page, each with its template and the view
model it shows (Material's blog plugin structure/ is the model).

A page's `context()` is everything its template receives, made of frozen, hashable values; the
renderer keys its cache on exactly that context, so a page whose data changed can never be
served stale, and a page whose data did not change is not rendered again.
"""

from __future__ import annotations

import html
import itertools
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from .i18n import Messages
from .kinds import Kind, folder_kinds
from .model import Article, Claim, Facts, Place, Verdict, remember_hash
from .options import SiteOptions


@remember_hash
@dataclass(frozen=True)
class ClaimItem:
    """A claim as a listing shows it."""

    id: str
    claim: str
    position: int
    verdict: Verdict
    summary: str = ""
    quote: str = ""
    updated: Any = None
    corrected: bool = False
    label: str = ""
    withdrawn: Any = None
    # The whole claim, for templates that show more of it: part of the page's cache key, so a
    # field added to the model and shown in a listing needs no change here.
    fact: Claim | None = None


@remember_hash
@dataclass(frozen=True)
class EventView:
    date: Any
    event: str
    sources: tuple
    places: tuple[Place, ...]
    claims: tuple[ClaimItem, ...]
    key: bool
    date_precision: str = "day"
    corrections: tuple = ()


class SiteView:
    """What page types need from the whole site: facts, options, lookups, built once per build."""

    def __init__(self, facts: Facts, options: SiteOptions):
        self.facts = facts
        self.options = options
        self.t = Messages(options.language)
        self.verdicts = {v.id: v for v in facts.verdicts}
        self.places = {p.slug: p for p in facts.places}
        self.claim_by_id = {c.id: c for c in facts.claims}
        # Every claim keeps its page and its passage; withdrawn ones count nowhere and are listed apart.
        self.in_order = tuple(sorted(facts.claims, key=lambda c: c.position))
        self.current = tuple(c for c in self.in_order if c.withdrawn is None)
        self.withdrawn = tuple(c for c in self.in_order if c.withdrawn is not None)
        self.by_place: dict[str, list[Claim]] = {}
        self.withdrawn_by_place: dict[str, list[Claim]] = {}
        self.by_verdict: dict[str, list[Claim]] = {v.id: [] for v in facts.verdicts}
        for claim in self.current:
            for slug in claim.places:
                self.by_place.setdefault(slug, []).append(claim)
            self.by_verdict[claim.status].append(claim)
        for claim in self.withdrawn:
            for slug in claim.places:
                self.withdrawn_by_place.setdefault(slug, []).append(claim)
        # Where each claim sits in each of those lists, for its nearest neighbours.
        self.index: dict[tuple[int, str], int] = {}
        for group in [*self.by_place.values(), *self.by_verdict.values()]:
            for i, claim in enumerate(group):
                self.index[id(group), claim.id] = i

    def item(self, claim: Claim, **extra: Any) -> ClaimItem:
        return ClaimItem(claim.id, claim.claim, claim.position, self.verdicts[claim.status], fact=claim,
                         withdrawn=claim.withdrawn, **extra)

    def withdrawn_items(self, claims: tuple[Claim, ...] | list[Claim]) -> tuple[ClaimItem, ...]:
        """Withdrawn claims as listings show them apart: with the date and their last verdict."""
        return tuple(self.item(c, label=self.verdicts[c.status].label) for c in claims)

    def tally(self, claims: tuple[Claim, ...] | list[Claim]) -> tuple[tuple[Verdict, int], ...]:
        """(verdict, count) in scale order, verdicts with no claims left out."""
        counts = Counter(claim.status for claim in claims)
        return tuple((v, counts[v.id]) for v in self.facts.verdicts if counts[v.id])

    def groups(self, claims, **fields: bool) -> tuple[tuple[Verdict, tuple[ClaimItem, ...]], ...]:
        """Claims under each verdict of the scale that has any."""
        result = []
        for verdict in self.facts.verdicts:
            items = tuple(self._item(c, **fields) for c in claims if c.status == verdict.id)
            if items:
                result.append((verdict, items))
        return tuple(result)

    def _item(self, claim: Claim, summary: bool = False) -> ClaimItem:
        return self.item(claim, summary=claim.summary if summary else "")

    def article_page(self, position: int) -> str:
        """The walk-through page holding a passage: passages 1-100 on article.md, 101-200 on
        article/2.md, and so on. It depends on the position alone, so adding a claim moves no
        other claim to another page."""
        number = (position - 1) // self.options.passages_per_page + 1
        return "article.md" if number == 1 else f"article/{number}.md"

    def place_path(self, slug: str) -> str:
        return self.options.place_path(slug)

    def scale_changes(self) -> tuple[tuple[int, Any, str, str], ...]:
        """(number, date, note, verdict labels) of every dated change to the scale, oldest first;
        the number is the anchor the feed links to (scale-change-N), fixed once published."""
        labels = {v.id: v.label for v in self.facts.verdicts}
        return tuple((n, change.date, change.note,
                      self.t("list_separator").join(labels.get(v, v) for v in change.verdicts))
                     for n, change in enumerate(self.facts.verdict_changes, start=1))


class PageType:
    """One generated page: where it goes, which template shows it, and what the template gets."""

    template: ClassVar[str]
    kind: ClassVar[str]

    def __init__(self, site: SiteView, path: str):
        self.site = site
        self.path = path

    def context(self) -> dict[str, Any]:
        """Everything the template reads. Values must be hashable: the dict is the cache key."""
        raise NotImplementedError

    def title(self) -> str:
        """The page's title as plain text (the browser tab, the search index, the nav)."""
        raise NotImplementedError

    def section(self) -> str | None:
        """The listed page this one belongs under (a claim under the walk-through, a place under
        the places): its nav entry is shown as the reader's place in the site."""
        return None

    def meta(self) -> dict[str, Any]:
        """Front matter: title, description, search settings, and what the theme parts read."""
        raise NotImplementedError

    def head(self, description: str | None = None, **extra: Any) -> dict[str, Any]:
        """The metadata every page has. MkDocs themes write the title as HTML and the
        description into an attribute, so both arrive escaped for where they land."""
        meta: dict[str, Any] = {"title": html.escape(self.title(), quote=False)}
        if description is not None:
            meta["description"] = html.escape(" ".join(description.split()))
        return {**meta, **extra}

    def common(self) -> dict[str, Any]:
        return {"path": self.path, "options": self.site.options, "article": self.site.facts.article,
                "scale": self.site.facts.verdicts}


# How many of the claims rated false or misleading the home page names; the rest are a link away.
FLAGGED = 10


class HomePage(PageType):
    template, kind = "home.html.j2", "home"

    @classmethod
    def all(cls, site: SiteView) -> list[PageType]:
        return [cls(site, "index.md")]

    def context(self) -> dict[str, Any]:
        site, facts = self.site, self.site.facts
        ratings = [v.rating_value for v in facts.verdicts if v.rating_value is not None]
        flagged_ids: tuple[str, ...] = ()
        if ratings:
            # The lower quarter of the true-false line: false and misleading on the default scale.
            threshold = min(ratings) + (max(ratings) - min(ratings)) / 4
            flagged_ids = tuple(v.id for v in facts.verdicts
                                if v.rating_value is not None and v.rating_value <= threshold)
        flagged_all = [c for c in site.current if c.status in flagged_ids]
        flagged = tuple(site.item(c) for c in flagged_all[:FLAGGED])
        labels = tuple(site.verdicts[i].label for i in flagged_ids if any(f.verdict.id == i for f in flagged))
        recent: tuple[ClaimItem, ...] = ()
        if len({c.updated for c in facts.claims}) > 1:
            recent = tuple(site.item(c, updated=c.updated, corrected=c.updated != c.reviewed and not c.withdrawn)
                           for c in facts.recently_updated(5))
        return {**self.common(), "tally": site.tally(site.current), "claim_count": len(site.current),
                "withdrawn_count": len(site.withdrawn),
                "flagged": flagged, "flagged_more": len(flagged_all) - len(flagged), "flagged_labels": labels, "recent": recent,
                "places": tuple((p, len(site.by_place.get(p.slug, ()))) for p in facts.places),
                "has_timeline": bool(facts.timeline), "article_date": article_date(facts.article, site.t)}

    def title(self) -> str:
        return self.site.t("home_heading")

    def meta(self) -> dict[str, Any]:
        article = self.site.facts.article
        description = article.bottom_line or self.site.t("home_description", title=article.title)
        return self.head(description, factcheck={"kind": self.kind})


class PlacesPage(PageType):
    template, kind = "places.html.j2", "places"

    @classmethod
    def all(cls, site: SiteView) -> list[PageType]:
        return [cls(site, site.options.places_path())] if site.facts.places else []

    def context(self) -> dict[str, Any]:
        facts = self.site.facts
        return {**self.common(), "has_regions": any(p.region for p in facts.places),
                "places": tuple((p, len(self.site.by_place.get(p.slug, ()))) for p in facts.places)}

    def title(self) -> str:
        return self.site.options.place_plural

    def meta(self) -> dict[str, Any]:
        return self.head(search={"boost": 0.5}, factcheck={"kind": self.kind})


class PlacePage(PageType):
    template, kind = "place.html.j2", "place"

    def __init__(self, site: SiteView, place: Place):
        super().__init__(site, site.place_path(place.slug))
        self.place = place

    @classmethod
    def all(cls, site: SiteView) -> list[PageType]:
        return [cls(site, place) for place in site.facts.places]

    def context(self) -> dict[str, Any]:
        claims = tuple(self.site.by_place.get(self.place.slug, ()))
        withdrawn = self.site.withdrawn_items(self.site.withdrawn_by_place.get(self.place.slug, ()))
        return {**self.common(), "place": self.place, "claim_count": len(claims), "withdrawn": withdrawn,
                "tally": self.site.tally(claims), "groups": self.site.groups(claims, summary=True),
                "edit_url": self.site.options.edit_url(self.place.source_path)}

    def title(self) -> str:
        return self.place.display_name

    def section(self) -> str | None:
        return self.site.options.places_path()

    def meta(self) -> dict[str, Any]:
        place, t = self.place, self.site.t
        # The place's own page should come first when someone searches its name.
        return self.head(t("place_description", name=place.name), search={"boost": 10},
                         factcheck={"kind": self.kind, "id": place.slug,
                                    "edit_url": self.site.options.edit_url(place.source_path),
                                    "source": f"{self.site.options.facts_path}/{place.source_path}"})


class VerdictsPage(PageType):
    template, kind = "verdicts.html.j2", "verdicts"

    @classmethod
    def all(cls, site: SiteView) -> list[PageType]:
        return [cls(site, "verdicts/index.md")]

    def context(self) -> dict[str, Any]:
        site = self.site
        groups = tuple((v, tuple(site.item(c) for c in site.current if c.status == v.id))
                       for v in site.facts.verdicts)
        return {**self.common(), "groups": groups, "verdict_page": True,
                "withdrawn": site.withdrawn_items(site.withdrawn), "changes": site.scale_changes(),
                "scale_counts": tuple((v, len(items)) for v, items in groups)}

    def title(self) -> str:
        return self.site.t("verdicts")

    def meta(self) -> dict[str, Any]:
        return self.head(search={"boost": 0.5}, factcheck={"kind": self.kind})


class ArticlePage(PageType):
    """One page of the article walk-through: a block of passages in article order."""

    template, kind = "article.html.j2", "article"

    def __init__(self, site: SiteView, path: str, claims: tuple[Claim, ...], parts: tuple, first: bool, last: bool):
        super().__init__(site, path)
        self.claims, self.parts, self.first, self.last = claims, parts, first, last

    @classmethod
    def all(cls, site: SiteView) -> list[PageType]:
        blocks: dict[str, list[Claim]] = {}
        for claim in site.in_order:
            blocks.setdefault(site.article_page(claim.position), []).append(claim)
        if not blocks:
            blocks["article.md"] = []
        parts = tuple((path, claims[0].position, claims[-1].position) for path, claims in blocks.items() if claims)
        parts = parts if len(parts) > 1 else ()
        paths = list(blocks)
        return [cls(site, path, tuple(claims), parts, path == "article.md", path == paths[-1])
                for path, claims in blocks.items()]

    def section(self) -> str | None:
        return None if self.first else "article.md"

    def title(self) -> str:
        t = self.site.t
        if self.first or not self.claims:
            return t("walkthrough_title")
        return t("walkthrough_part_title", low=self.claims[0].position, high=self.claims[-1].position)

    def context(self) -> dict[str, Any]:
        site = self.site
        passages = tuple(site.item(c, summary=c.summary, quote=c.quote) for c in self.claims)
        first = self.first
        return {**self.common(), "title": self.title(), "passages": passages, "parts": self.parts,
                "article_date": article_date(site.facts.article, site.t),
                "first": first, "last": self.last,
                "tally": site.tally(site.current) if first else (),
                "claim_count": len(site.current) if first else 0}

    def meta(self) -> dict[str, Any]:
        t = self.site.t
        return self.head(t("walkthrough_description", title=self.site.facts.article.title),
                         search={"boost": 0.5}, factcheck={"kind": self.kind})


class TimelinePage(PageType):
    template, kind = "timeline.html.j2", "timeline"

    @classmethod
    def all(cls, site: SiteView) -> list[PageType]:
        return [cls(site, "timeline.md")] if site.facts.timeline else []

    def context(self) -> dict[str, Any]:
        site = self.site
        events = tuple(EventView(e.date, e.event, e.sources, tuple(site.places[s] for s in e.places),
                                 tuple(site.item(site.claim_by_id[i]) for i in e.claims), e.key,
                                 e.date_precision, e.corrections)
                       for e in site.facts.timeline)
        return {**self.common(), "events": events}

    def title(self) -> str:
        return self.site.t("what_happened_next")

    def meta(self) -> dict[str, Any]:
        return self.head(factcheck={"kind": self.kind})


class AboutPage(PageType):
    template, kind = "about.html.j2", "about"

    @classmethod
    def all(cls, site: SiteView) -> list[PageType]:
        return [cls(site, "about.md")]

    def context(self) -> dict[str, Any]:
        return {**self.common(), "organisation": self.site.facts.article.organisation,
                "claim_count": len(self.site.current)}

    def title(self) -> str:
        return self.site.t("about_heading", organisation=self.site.facts.article.organisation.name)

    def meta(self) -> dict[str, Any]:
        return self.head(factcheck={"kind": self.kind})


# How many related claims a claim page lists.
RELATED = 5


class ClaimPage(PageType):
    template, kind = "claim.html.j2", "claim"

    def __init__(self, site: SiteView, claim: Claim, previous: Claim | None, following: Claim | None):
        super().__init__(site, site.options.claim_path(claim.id))
        self.claim, self.previous, self.following = claim, previous, following

    @classmethod
    def all(cls, site: SiteView) -> list[PageType]:
        order = site.in_order
        return [cls(site, claim, order[i - 1] if i else None, order[i + 1] if i + 1 < len(order) else None)
                for i, claim in enumerate(order)]

    def related(self) -> tuple[ClaimItem, ...]:
        """Up to five other claims: the nearest in article order about the same places, then the
        nearest with the same verdict. Each list is read around the claim's own place in it, so
        a claim is related to its neighbours (not every page to the first five claims) and a
        site's build stays linear in its number of claims."""
        site, claim = self.site, self.claim
        if claim.withdrawn is not None:
            return ()  # a withdrawn claim is in no list to have neighbours in
        chosen: list[Claim] = []
        seen = {claim.id}
        groups = [site.by_place.get(slug, []) for slug in claim.places] + [site.by_verdict[claim.status]]
        for group in groups:
            for other in _nearest(group, site.index[id(group), claim.id], claim, RELATED):
                if len(chosen) < RELATED and other.id not in seen:
                    seen.add(other.id)
                    chosen.append(other)
        return tuple(site.item(c, label=site.verdicts[c.status].label)
                     for c in sorted(chosen, key=lambda c: c.position))

    def scale_position(self) -> tuple[int, str, str] | None:
        """(rating, worst, best) on the true-false line, with the end points' labels; None off the line."""
        line = sorted((v for v in self.site.facts.verdicts if v.rating_value is not None), key=lambda v: v.rating_value)
        verdict = self.site.verdicts[self.claim.status]
        if verdict.rating_value is None or not line:
            return None
        worst, best = line[0], line[-1]
        return (verdict.rating_value, f"{worst.rating_value} ({worst.label})", f"{best.rating_value} ({best.label})")

    def credits(self) -> str:
        t = self.site.t
        parts = [t(f"credit_{credit.role}", name=credit.name) for credit in self.claim.credits]
        return t("list_separator").join(parts)

    def share(self) -> tuple[tuple[str, str], ...]:
        """Plain share links: no script, nothing requested until a reader clicks."""
        options, t = self.site.options, self.site.t
        if not options.site_url:
            return ()
        text = t("share_text", claim=self.claim.claim, verdict=self.site.verdicts[self.claim.status].label)
        weibo = t("share_weibo") if options.language.startswith("zh") else ""
        return share_links(options.page_url(self.path), text, weibo)

    def context(self) -> dict[str, Any]:
        site, claim = self.site, self.claim
        return {**self.common(), "claim": claim, "verdict": site.verdicts[claim.status],
                "places": tuple(site.places[s] for s in claim.places),
                "attribution": attribution(site.facts.article, site.t),
                "article_page": site.article_page(claim.position),
                "scale_position": self.scale_position(), "credits": self.credits(),
                "previous": site.item(self.previous) if self.previous else None,
                "next": site.item(self.following) if self.following else None,
                "related": self.related(), "share": self.share(),
                "edit_url": site.options.edit_url(claim.source_path),
                "report_url": site.options.report_url(claim.id)}

    def meta(self) -> dict[str, Any]:
        from .jsonld import claim_review  # a module of its own: data.py builds the feed from it too

        site, claim = self.site, self.claim
        verdict = site.verdicts[claim.status]
        t = site.t
        withdrawn = f"{t('withdrawn_label')}: " if claim.withdrawn else ""
        return self.head(
            f"{withdrawn}{verdict.label}: {claim.summary}",
            search={"boost": 2},
            # Verdict tags only: Material's search weighs tags a million times the text, so a
            # place tag on every claim would bury the place's own page under its claims.
            tags=[html.escape(t("tag_verdict", label=verdict.label), quote=False)],
            factcheck={
                "kind": self.kind, "id": claim.id, "verdict": verdict.label,
                "source": f"{site.options.facts_path}/{claim.source_path}",
                "share_title": t("share_title", claim=claim.claim, verdict=verdict.label),
                "share_description": claim.summary,
                "share_image": f"claims/{claim.id}.png" if site.options.share_images else "",
                "edit_url": site.options.edit_url(claim.source_path),
                "claim_review": claim_review(claim, verdict, site.facts.verdicts, site.facts.article, site.options),
            },
        )

    def title(self) -> str:
        return self.site.t("claim_title", claim=self.claim.claim)

    def section(self) -> str | None:
        return "article.md"


@lru_cache(maxsize=1 << 16)
def share_links(url: str, text: str, weibo: str = "") -> tuple[tuple[str, str], ...]:
    """(network, link) to share a page: X, Facebook, LinkedIn, and Weibo (named `weibo`) on a
    Chinese site. Kept by their words, so a serve rebuild does not encode every claim's again."""
    def quote(value: str) -> str:
        # Cut by encoded length: a 4-byte character (an emoji) takes 12 characters encoded.
        encoded = urllib.parse.quote(value, safe="")
        while len(encoded) > 600:
            value = value[: len(value) * 3 // 4]
            encoded = urllib.parse.quote(value, safe="")
        return encoded

    links = (
        ("X", f"https://twitter.com/intent/tweet?url={quote(url)}&text={quote(text[:200])}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={quote(url)}"),
        ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={quote(url)}"),
    )
    if weibo:
        links += ((weibo, f"https://service.weibo.com/share/share.php?url={quote(url)}&title={quote(text[:200])}"),)
    return links


def _nearest(group: list[Claim], at: int, claim: Claim, count: int) -> list[Claim]:
    """Up to `count` claims of group (in article order) nearest to claim, which is group[at]."""
    before, after = group[max(0, at - count):at][::-1], group[at:at + count + 1]
    merged = []
    for pair in itertools.zip_longest(after, before):
        merged += [c for c in pair if c is not None and c.id != claim.id]
    return merged[:count]


class FactPage(PageType):
    """The page of one fact of a kind a site registered with pages (kinds.register_kind): at
    <folder>/<slug>.md, shown by the template <kind>.html.j2, which gets the fact as `fact`."""

    kind = "fact"

    def __init__(self, site: SiteView, kind: Kind, fact: Any):
        super().__init__(site, site.options.fact_path(kind.folder, fact.slug))
        self.kind_of, self.fact = kind, fact
        self.template = f"{kind.name}.html.j2"

    @classmethod
    def all(cls, site: SiteView) -> list[PageType]:
        return [cls(site, kind, fact) for kind in folder_kinds() if kind.pages
                for fact in site.facts.collection(kind.collection)]

    def title(self) -> str:
        return str(getattr(self.fact, "name", None) or self.fact.slug)

    def context(self) -> dict[str, Any]:
        source = getattr(self.fact, "source_path", "")
        return {**self.common(), "fact": self.fact, "edit_url": self.site.options.edit_url(source) if source else ""}

    def meta(self) -> dict[str, Any]:
        source = getattr(self.fact, "source_path", "")
        return self.head(factcheck={"kind": self.kind_of.name, "id": self.fact.slug,
                                    "edit_url": self.site.options.edit_url(source) if source else "",
                                    "source": f"{self.site.options.facts_path}/{source}"})


PAGE_TYPES: tuple[type[PageType], ...] = (HomePage, AboutPage, PlacesPage, PlacePage, VerdictsPage, ArticlePage,
                                          TimelinePage, ClaimPage, FactPage)


def attribution(article: Article, t: Messages) -> str:
    """Who made the claim and when, from the article: "The Example Gazette (J. Doe), 4 May 2021"."""
    who = article.outlet + (f" ({article.author})" if article.author else "")
    return t("said_by", who=who, when=article_date(article, t))


def article_date(article: Article, t: Messages) -> str:
    """When the article appeared: its date, the days it appeared between, or words for it."""
    if article.published:
        return t.date(article.published)
    if article.published_range:
        return t("date_between", start=t.date(article.published_range.start), end=t.date(article.published_range.end))
    return article.approximate_date or t("undated_article")

