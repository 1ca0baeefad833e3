"""The search index as readers type (generator/search_index.py): plain text, folded variants, the
sources a claim cites. Fast tests of the rewrite; test_reader.py checks it on the built site and
test_browser.py searches it in Chromium."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.search_index import FOLDS, CitedSources, fold_search_index, fold_table, plain_html

# The separators this repository's site and init's Chinese starter configure.
SITE_SEPARATOR = (r'[\s\u200b\-,:;!?()\[\]"/\u3000-\u3003\u3008-\u3011\u3014-\u301f\uff01-\uff0f'
                  r'\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+')
ZH_SEPARATOR = r"[\s\u200b\-，。、；：！？（）《》“”]+"


def index(*docs: dict, separator: str = SITE_SEPARATOR) -> dict:
    return {"config": {"lang": ["en"], "separator": separator, "pipeline": [], "fields": {}}, "docs": list(docs)}


def test_titles_and_text_hold_characters_not_entities() -> None:
    folded = fold_search_index(index(
        {"location": "claims/a/", "title": "Claim: Xiaomi&#x27;s R&amp;D in Xi&#39;an", "text": ""},
        {"location": "claims/a/#b", "title": "B", "text": "<p>&quot;Wu University&quot; &lt;b&gt; &#x4e2d;</p>"},
    ))
    title, text = folded["docs"][0]["title"], folded["docs"][1]["text"]
    assert title == "Claim: Xiaomi's R&amp;D in Xi'an"
    # <, > and & stay entities: Material shows index text as HTML.
    assert text == '<p>"Wu University" &lt;b&gt; 中</p>'


def test_typographic_variants_are_folded_in_the_index_and_the_table_ships_with_it() -> None:
    folded = fold_search_index(index({"location": "x/", "title": "Xi’an ‘Ｘｉａｏｍｉ’ “Lei Jun”", "text": "<p>２０２１</p>"}))
    doc = folded["docs"][0]
    assert doc["title"] == "Xi'an 'Xiaomi' \"Lei Jun\"" and doc["text"] == "<p>2021</p>"
    assert folded["config"]["fold"]["’"] == "'" and folded["config"]["fold"]["ｘ"] == "x"


def test_folding_never_joins_words_the_separator_keeps_apart() -> None:
    # The site splits at the fullwidth apostrophe; ' is part of a word: so ＇ is not folded to '.
    assert "\uff07" not in fold_table(SITE_SEPARATOR) and fold_table(SITE_SEPARATOR)["’"] == "'"
    # The Chinese starter splits at curly quotes and not at ": they stay as they are.
    zh = fold_table(ZH_SEPARATOR)
    assert "“" not in zh and "”" not in zh and zh["’"] == "'"
    # A separator Python cannot read (JavaScript only) folds everything rather than fail the build.
    assert fold_table("[\\p{Han}") == FOLDS


def test_each_claim_gets_a_section_of_its_sources_after_its_own_sections() -> None:
    cited = [CitedSources("claims/a/#sources", "Sources", ("合肥相关方回应 (新浪)", "<script>x</script> & co")),
             CitedSources("claims/gone/#sources", "Sources", ("Never indexed",))]
    folded = fold_search_index(index(
        {"location": "claims/a/", "title": "Claim: A", "text": "", "tags": ["Verdict: True"], "boost": 2},
        {"location": "claims/a/#what-we-found", "title": "What we found", "text": "<p>A.</p>", "boost": 2},
        {"location": "about/", "title": "About", "text": ""},
    ), cited)
    assert [d["location"] for d in folded["docs"]] == ["claims/a/", "claims/a/#what-we-found", "claims/a/#sources", "about/"]
    sources = folded["docs"][2]
    assert sources["title"] == "Sources" and sources["tags"] == ["Verdict: True"] and sources["boost"] == 1
    # Chinese is cut into words as Material cuts the rest of the index (jieba, zero-width spaces).
    assert "合肥" in re.split("[\u200b<>]", sources["text"]) and "\u200b相关\u200b" in sources["text"]
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in sources["text"] and "<script>" not in sources["text"]


def test_rewriting_twice_changes_nothing() -> None:
    once = fold_search_index(index({"location": "a/", "title": "Xi&#x27;s &amp;amp; “x”", "text": "<p>&lt;&amp;lt;</p>"}),
                             [CitedSources("a/#sources", "Sources", ("T",))])
    assert fold_search_index(once, [CitedSources("a/#sources", "Sources", ("T",))]) == once


@given(st.lists(st.sampled_from(list("<>&;#x27ab ’＂\"'") + ["&lt;", "&gt;", "&amp;", "&#60;", "&#x3c;", "&quot;"]),
                max_size=30).map("".join))
def test_index_text_never_gains_markup(text: str) -> None:
    """Whatever text an index holds, folding never turns an entity into markup: the text parts
    of the result hold no raw < or >, and every & starts one of the three entities Material writes."""
    escaped = html.escape(html.unescape(text), quote=False)
    result = plain_html(f"<p>{escaped}</p>", fold_table(SITE_SEPARATOR))
    inner = result.removeprefix("<p>").removesuffix("</p>")
    assert "<" not in inner and ">" not in inner
    assert re.fullmatch(r"(?:[^&]|&(?:lt|gt|amp);)*", inner), inner
    assert html.unescape(inner) == html.unescape(escaped).translate(str.maketrans(fold_table(SITE_SEPARATOR)))


@pytest.mark.parametrize("separator", [SITE_SEPARATOR, ZH_SEPARATOR])
def test_the_fold_table_maps_characters_to_characters(separator: str) -> None:
    # The worker folds a query character by character with this table.
    assert all(len(key) == 1 and len(value) == 1 for key, value in fold_table(separator).items())
