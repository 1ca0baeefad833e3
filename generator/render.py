"""Stage 4: turn the model into Markdown pages with Jinja2 templates.

Text from fact files is untrusted. It reaches a page only through the filters of escape.py,
each made for the context the text lands in: `md` for inline Markdown, `md_block` for the
analysis (a little Markdown allowed, never HTML), `e` for HTML attributes, `url` for every web
address, and Jinja's `tojson` for JSON inside a script element (it escapes <, > and &).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import yaml

from .charts import verdict_chart
from .escape import html_attr, md_block, md_inline, url_attr
from .model import Article, Claim, Facts, Source, Verdict

TEMPLATE_DIR = Path(__file__).parent / "templates"
# libyaml's emitter when PyYAML has it: the pure-Python one was most of render time.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# How many claims the home page lists as recently updated.
RECENT = 5
# The Wayback Machine's list of captures of a URL, for sources with no recorded archive copy.
WAYBACK_LOOKUP = "https://web.archive.org/web/*/"

@dataclass(frozen=True)
class Page:
    """One generated page: where it goes, its Markdown (front matter included), its metadata."""

    path: str
    markdown: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class SiteOptions:
    """What pages need to know about the site they land in."""

    site_url: str = ""
    repo_url: str = ""
    edit_uri: str = "edit/main/"
    facts_path: str = "facts"
    passages_per_page: int = 100
    use_directory_urls: bool = True

    def edit_url(self, source_path: str) -> str:
        if not self.repo_url:
            return ""
        return f"{self.repo_url.rstrip('/')}/{self.edit_uri.strip('/')}/{self.facts_path.strip('/')}/{source_path}"

    def report_url(self, claim_id: str) -> str:
        """The "Report an error" issue form, with the claim id filled in."""
        if not self.repo_url:
            return ""
        return f"{self.repo_url.rstrip('/')}/issues/new?template=report-error.yml&claim={claim_id}"

    def file_url(self, path: str) -> str:
        """Absolute URL of a file published as it is ('feed.xml' -> '<site_url>feed.xml')."""
        return (self.site_url.rstrip("/") + "/" + path) if self.site_url else "/" + path

    def page_url(self, path: str) -> str:
        """Absolute URL of a generated page, as MkDocs will publish it: 'claims/x.md' is
        '<site_url>claims/x/' with directory URLs (the default), '<site_url>claims/x.html' without."""
        if self.use_directory_urls:
            if path == "index.md":
                rel = ""
            elif path.endswith("/index.md"):
                rel = path[: -len("index.md")]
            else:
                rel = path[: -len(".md")] + "/"
        else:
            rel = path[: -len(".md")] + ".html"
        return (self.site_url.rstrip("/") + "/" + rel) if self.site_url else "/" + rel


def format_date(value: dt.date | None) -> str:
    """8 June 2021; 'undated' for None."""
    if value is None:
        return "undated"
    return f"{value.day} {value:%B %Y}"


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter; safe_dump quotes anything YAML could misread."""
    text = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return "---\n" + text + "---\n"


@lru_cache(maxsize=None)
def make_environment() -> jinja2.Environment:
    """Templates are Markdown, so autoescape is off; every fact value goes through a filter.

    One environment per process, so templates compile once, not on every serve rebuild."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md=md_inline, md_block=md_block, date=format_date, e=html_attr, url=url_attr, count=_count)
    return env


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def verdict_colors(verdicts: tuple[Verdict, ...]) -> dict[str, str]:
    """Colours for badges: the verdict's own, else one from a fixed palette."""
    palette = ["#1b7a3d", "#4f7d1c", "#a15c00", "#6b6b6b", "#b3261e", "#3d5a99", "#7a4e9c"]
    return {v.id: v.color or palette[i % len(palette)] for i, v in enumerate(verdicts)}


def claim_review(claim: Claim, verdict: Verdict, scale: tuple[Verdict, ...], article: Article,
                 options: SiteOptions) -> dict[str, Any]:
    """The schema.org ClaimReview for one claim (JSON-LD), rated on the verdict scale."""
    ratings = [v.rating_value for v in scale if v.rating_value is not None]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": verdict.label}
    if verdict.rating_value is not None and ratings:
        rating.update(ratingValue=verdict.rating_value, bestRating=max(ratings), worstRating=min(ratings))
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": article.title,
                                  "publisher": {"@type": "Organization", "name": article.outlet}}
    if article.url:
        appearance["url"] = article.url
    if article.published:
        appearance["datePublished"] = article.published.isoformat()
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": options.page_url(f"claims/{claim.id}.md"),
        "claimReviewed": claim.claim,
        "datePublished": claim.reviewed.isoformat(),
        "author": {"@type": "Organization", "name": article.organisation.name, "url": article.organisation.url},
        "reviewRating": rating,
        "itemReviewed": {"@type": "Claim", "appearance": appearance,
                         "author": {"@type": "Organization", "name": article.outlet}},
    }


class PageCache:
    """Generated pages kept between rebuilds, each keyed by everything it shows, so only
    pages that would change are rendered again."""

    def __init__(self) -> None:
        self._pages: dict[Any, Page] = {}

    def get(self, key: Any, make) -> Page:  # noqa: ANN001 - a zero-argument callable
        page = self._pages.get(key)
        if page is None:
            page = self._pages[key] = make()
        return page

    def keep_only(self, keys: set) -> None:
        for key in set(self._pages) - keys:
            del self._pages[key]


class Renderer:
    """Renders every page of a site from one Facts model."""

    def __init__(self, facts: Facts, options: SiteOptions | None = None, cache: PageCache | None = None):
        self.cache = cache
        self._keys: set = set()
        self.facts = facts
        self.options = options or SiteOptions()
        # What every page may show: the article, the verdict scale and the site's options.
        self._common = (facts.article, facts.verdicts, self.options)
        self.env = make_environment()
        self.colors = verdict_colors(facts.verdicts)
        self.cities = {city.slug: city for city in facts.cities}
        self.verdicts = {verdict.id: verdict for verdict in facts.verdicts}

    def _render(self, template: str, **context: Any) -> str:
        context.setdefault("verdict_link_prefix", "")
        return self.env.get_template(template).render(
            facts=self.facts, options=self.options, verdicts=self.verdicts, cities=self.cities,
            colors=self.colors, tally=self.tally, chart=self.chart, article_page=self.article_page, **context,
        )

    def _page(self, path: str, template: str, meta: dict[str, Any], **context: Any) -> Page:
        return Page(path, front_matter(meta) + "\n" + self._render(template, **context), meta)

    def render_snippet(self, name: str, page_path: str) -> str:
        """Markdown for a `<!-- factcheck:NAME -->` marker in a hand-written page at page_path."""
        depth = page_path.count("/")
        prefix = "../" * depth + "verdicts/index.md"
        if name == "verdicts":
            return self._render("_verdict_table.md.j2", verdict_link_prefix=prefix)
        raise KeyError(name)

    def tally(self, claims: tuple[Claim, ...]) -> list[tuple[Verdict, int]]:
        """(verdict, count) in scale order, verdicts with no claims left out."""
        counts = Counter(claim.status for claim in claims)
        return [(v, counts[v.id]) for v in self.facts.verdicts if counts[v.id]]

    def chart(self, claims: tuple[Claim, ...], chart_id: str, title: str) -> str:
        """The verdict distribution of these claims as an inline SVG chart."""
        return verdict_chart(self.tally(claims), self.colors, chart_id, title)

    def tags(self, claim: Claim) -> list[str]:
        """Tags for Material's tags plugin. Its templates print tag names as they are, so
        they are escaped here; quotes stay, as names never land in an attribute."""
        names = [f"Verdict: {self.verdicts[claim.status].label}"]
        names += [f"City: {self.cities[slug].name}" for slug in claim.cities]
        return [html.escape(name, quote=False) for name in names]

    def render_claim(self, claim: Claim) -> Page:
        verdict = self.verdicts[claim.status]
        meta = {
            "title": html.escape(claim.claim),
            "description": html.escape(f"Verdict: {verdict.label}. {claim.summary}"),
            "search": {"boost": 2},
            "tags": self.tags(claim),
            "factcheck": {
                "kind": "claim", "id": claim.id, "verdict": verdict.label,
                "source": f"{self.options.facts_path}/{claim.source_path}",
                # What a shared link shows (Open Graph); escaped by the page template.
                "share_title": f"Claim: {claim.claim} - Verdict: {verdict.label}",
                "share_description": claim.summary,
                "edit_url": self.options.edit_url(claim.source_path),
                "claim_review": claim_review(claim, verdict, self.facts.verdicts, self.facts.article, self.options),
            },
        }
        return self._page(f"claims/{claim.id}.md", "claim.md.j2", meta, claim=claim, verdict=verdict,
                          edit_url=self.options.edit_url(claim.source_path), source_rows=_source_rows)

    def article_page(self, position: int) -> str:
        """The walk-through page holding a passage: passages 1-100 on article.md, 101-200 on
        article/2.md, and so on. It depends on the position alone, so adding a claim moves no
        other claim to another page."""
        number = (position - 1) // self.options.passages_per_page + 1
        return "article.md" if number == 1 else f"article/{number}.md"

    def render_article(self) -> list[Page]:
        """The article walk-through, one page per block of passages."""
        blocks: dict[str, list[Claim]] = {}
        for claim in sorted(self.facts.claims, key=lambda c: c.position):
            blocks.setdefault(self.article_page(claim.position), []).append(claim)
        if not blocks:
            blocks["article.md"] = []
        parts = [(path, claims[0].position if claims else 0, claims[-1].position if claims else 0)
                 for path, claims in blocks.items()]
        if len(parts) == 1:
            parts = []
        pages = []
        for path, claims in blocks.items():
            first = path == "article.md"
            shown = tuple((c.id, c.claim, c.quote, c.position, c.status, c.summary) for c in claims)
            key = ("article", path, self._common, shown, tuple(parts),
                   tuple((v.id, n) for v, n in self.tally(self.facts.claims)) if first else None)
            pages.append(self._cached(key, lambda path=path, claims=claims, first=first:
                                      self._article_part(path, claims, first, parts)))
        return pages

    def _article_part(self, path: str, claims: list[Claim], first: bool, parts: list) -> Page:
        title = "The article, checked"
        meta = {"title": title if first else f"{title}: passages {claims[0].position}-{claims[-1].position}",
                "description": html.escape(f"Every checked passage of: {self.facts.article.title}"),
                "search": {"boost": 0.5}, "factcheck": {"kind": "article"}}
        return self._page(path, "article.md.j2", meta, claims=claims, first=first, page_path=path, parts=parts)

    def render_city(self, slug: str) -> Page:
        city = self.cities[slug]
        meta = {"title": html.escape(f"{city.name} ({city.name_zh})"), "search": {"boost": 0.5},
                "description": html.escape(f"Claims about {city.name} checked"),
                "factcheck": {"kind": "city", "id": slug, "edit_url": self.options.edit_url(city.source_path),
                              "source": f"{self.options.facts_path}/{city.source_path}"}}
        return self._page(f"cities/{slug}.md", "city.md.j2", meta, city=city, claims=self.facts.claims_in(slug),
                          edit_url=self.options.edit_url(city.source_path), source_rows=_source_rows)

    def render_pages(self) -> list[Page]:
        """Every generated page of the site, in a stable order.

        With a cache (a serve session), a page is rendered again only when what it shows
        changed: each page's key below holds exactly the data its template reads."""
        facts = self.facts
        self._keys: set = set()
        common = self._common
        listed = tuple((c.id, c.claim, c.position, c.status, c.cities) for c in facts.claims)
        recent = facts.recently_updated(RECENT)
        pages = [
            self._cached(("home", common, facts.cities, listed,
                          tuple((c.id, c.claim, c.status, c.reviewed, c.updated) for c in recent)),
                         lambda: self._page(
                             "index.md", "home.md.j2",
                             {"title": "Home", "description": html.escape(f"Fact-check of: {facts.article.title}"),
                              "factcheck": {"kind": "home"}}, recent=recent)),
            self._cached(("cities", common, facts.cities, listed),
                         lambda: self._page("cities/index.md", "cities.md.j2",
                                            {"title": "Cities", "search": {"boost": 0.5},
                                             "factcheck": {"kind": "cities"}})),
            self._cached(("verdicts", common, listed),
                         lambda: self._page("verdicts/index.md", "verdicts.md.j2",
                                            {"title": "Verdicts", "search": {"boost": 0.5},
                                             "factcheck": {"kind": "verdicts"}})),
        ]
        pages += self.render_article()
        if facts.timeline:
            pages.append(self._cached(("timeline", common, facts.cities, facts.timeline),
                                      lambda: self._page("timeline.md", "timeline.md.j2",
                                                         {"title": "What happened next",
                                                          "factcheck": {"kind": "timeline"}})))
        for city in facts.cities:
            shown = tuple((c.id, c.claim, c.status, c.summary) for c in facts.claims_in(city.slug))
            pages.append(self._cached(("city", common, city, shown),
                                      lambda slug=city.slug: self.render_city(slug)))
        for claim in facts.claims:
            # A claim page shows its claim, verdict, cities' names, the article and the scale.
            key = ("claim", claim, tuple((self.cities[s].name, self.cities[s].name_zh) for s in claim.cities),
                   common)
            pages.append(self._cached(key, lambda claim=claim: self.render_claim(claim)))
        if self.cache is not None:
            self.cache.keep_only(self._keys)
        return pages

    def _cached(self, key: tuple, make) -> Page:  # noqa: ANN001 - a zero-argument callable
        if self.cache is None:
            return make()
        self._keys.add(key)
        return self.cache.get(key, make)


_KIND = {"primary": "Primary", "secondary": "Secondary"}
_STANCE = {"supports": "Supports", "contradicts": "Contradicts", "context": "Context"}


def _source_rows(sources: tuple[Source, ...]) -> list[dict[str, str]]:
    return [
        {"publisher": s.publisher, "title": s.title, "url": s.url, "published": format_date(s.published),
         "archive_url": s.archive_url or "", "wayback_url": "" if s.archive_url else wayback_lookup(s.url),
         "kind": _KIND[s.kind], "stance": _STANCE[s.stance]}
        for s in sources
    ]


def wayback_lookup(url: str) -> str:
    """The Wayback Machine's captures of url; '#' and spaces are encoded so the whole URL is looked up."""
    return WAYBACK_LOOKUP + quote(url, safe=":/?&=%+,;@~!$'()*[]")


def render_site(facts: Facts, options: SiteOptions | None = None) -> list[Page]:
    """All pages for the facts."""
    return Renderer(facts, options).render_pages()
