"""The open data published beside the pages: facts.json, claimreview.json, facts.csv, feed.xml.

Every file is made from the checked model, so all four agree with the pages. A withdrawn claim
stays in all four (marked, with the date and reason), so no published verdict vanishes from them. Text from fact
files is untrusted here too: JSON escapes <, > and &; the CSV defuses spreadsheet formulas;
the feed escapes XML.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import fields, is_dataclass
from functools import lru_cache
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from xml.sax.saxutils import escape as _escape, quoteattr as _quoteattr

from .i18n import Messages
from .kinds import KINDS
from .jsonld import claim_review
from .model import Article, Claim, Facts, Verdict, VerdictChange
from .options import SiteOptions

# The feed carries the most recently changed claims; readers follow changes, not the archive.
FEED_ENTRIES = 50
# Model fields that say where a fact came from, not what it says.
INTERNAL = {"source_path"}
# CSV columns the site derives from a claim's fields.
DERIVED_COLUMNS = ("updated", "source_urls", "url")
# A cell starting with one of these runs as a formula in a spreadsheet; a leading ' keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Excel reads a CSV as the local code page unless it starts with a byte-order mark.
BOM = "\ufeff"
# Characters XML 1.0 does not allow; validation refuses them, this keeps the feed well-formed anyway.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Every data file of the site, by its path, in a stable order, with the function that writes it.
WRITERS: dict[str, Callable[[Facts, SiteOptions], str]] = {}


def data_files(facts: Facts, options: SiteOptions | None = None) -> dict[str, str]:
    """Every data file of the site, by its path, in a stable order."""
    options = options or SiteOptions()
    return {name: write(facts, options) for name, write in WRITERS.items()}


class DataFiles(Mapping):
    """The data files of a site by path, each written when it is asked for and not kept: at
    10,000 claims they are tens of megabytes, and an adapter holds one at a time."""

    def __init__(self, facts: Facts, options: SiteOptions):
        self.facts, self.options = facts, options

    def __getitem__(self, name: str) -> str:
        return WRITERS[name](self.facts, self.options)

    def __iter__(self) -> Iterator[str]:
        return iter(WRITERS)

    def __len__(self) -> int:
        return len(WRITERS)


def _inert_json(data: Any) -> str:
    # Compact: with indent, json falls back to its pure-Python encoder (slow at 10,000 claims).
    # <, > and & are escaped so the file stays inert even if a browser sniffs it as HTML.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def plain(value: Any) -> Any:
    """A model value as JSON data, field by field from its dataclass: dates as YYYY-MM-DD,
    tuples as lists. Fields that only say where a fact came from (source_path) stay out."""
    if is_dataclass(value):
        # A field keeps the name the fact file gives it (DateRange.start is `from`).
        return {f.metadata.get("key", f.name): plain(getattr(value, f.name))
                for f in fields(value) if f.name not in INTERNAL}
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _claim_data(claim: Claim, options: SiteOptions) -> dict[str, Any]:
    return {**plain(claim), "url": options.page_url(options.claim_path(claim.id))}


# Per-claim JSON is kept between the rebuilds of a serve session: an edit re-encodes one claim.
@lru_cache(maxsize=1 << 16)
def _claim_json(claim: Claim, options: SiteOptions) -> str:
    return _inert_json(_claim_data(claim, options))


@lru_cache(maxsize=1 << 16)
def _review_json(claim: Claim, verdict: Verdict, scale: tuple[Verdict, ...], article: Article,
                 options: SiteOptions) -> str:
    review = claim_review(claim, verdict, scale, article, options)
    del review["@context"]
    return _inert_json({"@type": "DataFeedItem", "dateCreated": claim.reviewed.isoformat(),
                        "dateModified": claim.updated.isoformat(), "item": review})


def forget_claim_json() -> None:
    """Drop the per-claim JSON kept for serve's rebuilds: a one-off build has no next rebuild, and
    10,000 claims' JSON is held twice over otherwise (here and in the files)."""
    _claim_json.cache_clear()
    _review_json.cache_clear()
    _csv_row.cache_clear()


def _with_list(data: dict[str, Any], key: str, items: list[str]) -> str:
    """JSON of data whose data[key] is None, with that None replaced by the already-encoded
    items. The marker cannot come from fact text: quotes inside JSON strings are escaped."""
    assert data[key] is None
    text = _inert_json(data)
    marker = f'"{key}":null'
    at = text.index(marker)
    return text[:at] + f'"{key}":[' + ",".join(items) + "]" + text[at + len(marker):]


def facts_json(facts: Facts, options: SiteOptions) -> str:
    """Every fact, as the fact files hold it, plus each page's URL."""
    data = {
        "article": plain(facts.article),
        "verdicts": plain(facts.verdicts),
        "places": [{**plain(p), "url": options.page_url(options.place_path(p.slug))}
                   for p in facts.places],
        "claims": None,
        "timeline": plain(facts.timeline),
        "verdict_changes": plain(facts.verdict_changes),
    }
    # The kinds a site registered: each fact as its file holds it, with its page's URL if it has one.
    for name, items in facts.others:
        kind = next(k for k in KINDS.values() if k.collection == name)
        data[name] = [{**plain(item), **({"url": options.page_url(options.fact_path(kind.folder, item.slug))}
                                        if kind.pages else {})} for item in items]
    claims = [_claim_json(claim, options).rstrip("\n") for claim in facts.claims]
    return _with_list(data, "claims", claims)


def claimreview_json(facts: Facts, options: SiteOptions) -> str:
    """A schema.org DataFeed of every claim's ClaimReview, the form fact-check aggregators read."""
    items = [_review_json(claim, facts.verdict(claim.status), facts.verdicts, facts.article, options).rstrip("\n")
             for claim in facts.claims]
    feed: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": Messages(options.language)("feed_title", title=facts.article.title),
        "url": options.file_url("claimreview.json"),
        "publisher": {"@type": "Organization", "name": facts.article.organisation.name,
                      "url": facts.article.organisation.url},
        "license": "https://creativecommons.org/licenses/by/4.0/",
    }
    if facts.claims:
        feed["dateModified"] = max(claim.updated for claim in facts.claims).isoformat()
    feed["dataFeedElement"] = None
    return _with_list(feed, "dataFeedElement", items)


def _cell(value: Any) -> Any:
    # Spreadsheets skip leading spaces before they look for a formula, so the check does too.
    if isinstance(value, str) and value.lstrip(" \u00a0\u3000\ufeff\u200b\u2028\u2029\x85").startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, tuple):
        if value and is_dataclass(value[0]):
            return len(value)  # sources, corrections, credits: how many
        return " ; ".join(str(item) for item in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


@lru_cache(maxsize=1)
def csv_columns() -> tuple[str, ...]:
    """The columns of facts.csv: the claim's fields, then what the site derives from them."""
    own = tuple(f.name for f in fields(Claim) if f.name not in INTERNAL and f.name != "status")
    return own[:4] + ("verdict", "verdict_label", "rating_value") + own[4:] + DERIVED_COLUMNS


def facts_csv(facts: Facts, options: SiteOptions) -> str:
    """One row per claim, in article order; lists of words are joined with ' ; ', lists of
    sources, corrections and credits give their count.

    RFC 4180: CRLF between rows, so the writer quotes any cell holding a CR or LF and no line
    break inside a cell can start a new row; a byte-order mark first, for Excel."""
    out = io.StringIO()
    out.write(BOM)
    csv.writer(out, lineterminator="\r\n").writerow(csv_columns())
    verdicts = {verdict.id: verdict for verdict in facts.verdicts}
    rows = [_csv_row(claim, verdicts[claim.status], options)
            for claim in sorted(facts.claims, key=lambda c: c.position)]
    return out.getvalue() + "".join(rows)


# A claim's row is kept between the rebuilds of a serve session, like its JSON.
@lru_cache(maxsize=1 << 16)
def _csv_row(claim: Claim, verdict: Verdict, options: SiteOptions) -> str:
    out = io.StringIO()
    row = {f.name: _csv_value(getattr(claim, f.name)) for f in fields(Claim)}
    row.update(verdict=claim.status, verdict_label=verdict.label,
               rating_value="" if verdict.rating_value is None else verdict.rating_value,
               updated=claim.updated.isoformat(), source_urls=" ; ".join(s.url for s in claim.sources),
               url=options.page_url(options.claim_path(claim.id)))
    csv.writer(out, lineterminator="\r\n").writerow([_cell(row[column]) for column in csv_columns()])
    return out.getvalue()


def escape(text: str) -> str:
    """XML character data: escaped, and any character XML forbids replaced."""
    return _escape(_NOT_XML.sub("\ufffd", text))


def quoteattr(text: str) -> str:
    """An XML attribute value in quotes: escaped, and any character XML forbids replaced."""
    return _quoteattr(_NOT_XML.sub("\ufffd", text))


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _entry_id(claim: Claim, options: SiteOptions) -> str:
    # Atom ids must be absolute IRIs; without a site_url a URN stands in.
    return options.page_url(options.claim_path(claim.id)) if options.site_url else f"urn:x-factcheck:claim:{claim.id}"


def _claim_entry(claim: Claim, facts: Facts, options: SiteOptions, t: Messages) -> list[str]:
    verdict = facts.verdict(claim.status)
    title = t("share_title", claim=claim.claim, verdict=verdict.label)
    summary = claim.summary
    corrections = sorted(claim.corrections, key=lambda c: c.date)
    if claim.withdrawal is not None:
        # The withdrawal is the news: it heads the entry, and the last verdict is kept for the record.
        title = t("feed_withdrawn_title", claim=claim.claim)
        summary = t("feed_withdrawn", date=t.date(claim.withdrawn), note=claim.withdrawal.note, verdict=verdict.label)
    elif corrections and corrections[-1].date == claim.updated:
        summary = t("feed_corrected", date=t.date(claim.updated), note=corrections[-1].note, summary=summary)
    url = options.page_url(options.claim_path(claim.id))
    return [
        "  <entry>",
        f"    <title>{escape(title)}</title>",
        f"    <id>{escape(_entry_id(claim, options))}</id>",
        f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(url)}/>",
        f"    <published>{_timestamp(claim.reviewed)}</published>",
        f"    <updated>{_timestamp(claim.updated)}</updated>",
        f"    <category term={quoteattr(verdict.id)} label={quoteattr(verdict.label)}/>",
        f"    <summary>{escape(summary)}</summary>",
        "  </entry>",
    ]


def _scale_change_entry(number: int, change: VerdictChange, facts: Facts, options: SiteOptions,
                        t: Messages) -> list[str]:
    # Entries are never removed or reordered (check --since), so the number is a permanent id, and
    # the anchor where the verdicts page shows the note.
    url = options.page_url("verdicts/index.md") + f"#scale-change-{number}"
    entry_id = url if options.site_url else f"urn:x-factcheck:scale-change:{number}"
    labels = t("list_separator").join(facts.verdict(v).label for v in change.verdicts)
    return [
        "  <entry>",
        f"    <title>{escape(t('feed_scale_change_title'))}</title>",
        f"    <id>{escape(entry_id)}</id>",
        f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(url)}/>",
        f"    <published>{_timestamp(change.date)}</published>",
        f"    <updated>{_timestamp(change.date)}</updated>",
        f"    <summary>{escape(t('feed_scale_change', date=t.date(change.date), note=change.note, verdicts=labels))}</summary>",
        "  </entry>",
    ]


def atom_feed(facts: Facts, options: SiteOptions) -> str:
    """An Atom feed of the most recently reviewed, corrected or withdrawn claims and of the changes
    to the verdict scale, newest first."""
    article = facts.article
    t = Messages(options.language)
    home = options.page_url("index.md")
    # (date, order) of each entry: claims as recently_updated orders them, then scale changes.
    entries = [(claim.updated, (0, i), _claim_entry(claim, facts, options, t))
               for i, claim in enumerate(facts.recently_updated(FEED_ENTRIES))]
    entries += [(change.date, (1, -number), _scale_change_entry(number, change, facts, options, t))
                for number, change in enumerate(facts.verdict_changes, start=1)]
    entries = sorted(entries, key=lambda entry: (-entry[0].toordinal(), entry[1]))[:FEED_ENTRIES]
    updated = max((day for day, _, _ in entries), default=dt.date(1970, 1, 1))
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(options.language)}>',
        f"  <title>{escape(t('feed_title', title=article.title))}</title>",
        f"  <subtitle>{escape(t('feed_subtitle'))}</subtitle>",
        f"  <id>{escape(home if options.site_url else 'urn:x-factcheck:feed')}</id>",
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(home)}/>",
        f"  <link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(options.file_url('feed.xml'))}/>",
        f"  <updated>{_timestamp(updated)}</updated>",
        f"  <author><name>{escape(article.organisation.name)}</name>"
        f"<uri>{escape(article.organisation.url)}</uri></author>",
        f"  <rights>{escape('CC BY 4.0')}</rights>",
    ]
    for _, _, entry in entries:
        lines += entry
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


WRITERS.update({"facts.json": facts_json, "claimreview.json": claimreview_json, "facts.csv": facts_csv,
                "feed.xml": atom_feed})
