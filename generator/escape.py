"""Text from fact files, escaped for the context it lands in: one function per context.

- `md_inline`: inline Markdown (a table cell, a heading, a link text): shown exactly as written.
- `md_block`: a Markdown field (analysis, summaries): paragraphs, emphasis, lists and links stay;
  HTML, headings, rules, tables, attribute lists, code and images become plain text.
- `html_text`, `html_attr`: HTML text (< > & escaped), an HTML attribute value (quotes too).
- `web_url`: a web address for an href: checked and normalised (see urls.py); the template escapes it.
- `yaml_scalar`, `yaml_block`: a value in a YAML file that `init` or `new` writes: it loads back
  as exactly the text, whatever characters it holds.

Every pattern here works line by line with `[ \\t]`, never `\\s` across lines, so its cost stays
linear in the length of the text.
"""

from __future__ import annotations

import html
import re
from typing import Any

import yaml

from .urls import MAX_RENDERED_URL_LENGTH, check_url

# Characters Python-Markdown (with the tables extension) treats as syntax and lets us escape.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|])")
_RULE_LINE = re.compile(r"^([ \t]*)([-*_=])(?=[-*_= \t]*$)", re.MULTILINE)
# A heading mark at the start of a line, also after list markers ("- # x" is a heading in a list item).
_HEADING = re.compile(r"^([ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*)#", re.MULTILINE)
# "[label]:" is where a reference definition starts; writing its colon as an entity makes
# definitions impossible, so a link can only be an inline [text](url) that the check sees in its
# own field (a definition in one field could otherwise redirect a link written in another).
_REFERENCE_DEFINITION = re.compile(r"\]:")
_LIST_START = re.compile(r"^(\d+)([.)])")


def md_inline(text: Any) -> str:
    """Escape text for an inline Markdown context: shown exactly as written, never markup."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = html.escape(text, quote=False)
    # A line that starts with "1." or "-" would become a list: escape the first mark.
    if text.startswith(("-", "=")):
        text = "\\" + text
    return _LIST_START.sub(r"\1\\\2", text)


def md_block(text: Any) -> str:
    """Escape Markdown block text (analysis): paragraphs, emphasis, lists and links stay; HTML,
    headings, rules, tables, attribute lists, code and images become plain text."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    text = html.escape(text, quote=False)
    text = re.sub(r"([\\`{}|])", r"\\\1", text)
    text = text.replace("![", "\\![")
    text = _HEADING.sub(r"\1\\#", text)
    text = _RULE_LINE.sub(r"\1\\\2", text)
    return _REFERENCE_DEFINITION.sub("]&#58;", text)


def html_text(value: Any) -> str:
    """Escape a value for HTML text: < > & only, so quotes read the same wherever it lands."""
    return html.escape(str(value), quote=False)


def html_attr(value: Any) -> str:
    """Escape a value for a double-quoted HTML attribute."""
    return html.escape(str(value), quote=True)


# An address already in normal form (as every URL in the model is, since `check` normalised it):
# http(s), a plain host, and only characters no markup reads. Checked in one regex pass
# instead of character by character; anything else takes the whole check.
_NORMAL_URL = re.compile(r"https?://[a-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][A-Za-z0-9\-._~:/?#@&=+,;$%*]*)?")


def web_url(value: Any) -> str:
    """A web address checked and normalised for an href, not yet escaped (autoescaping
    templates escape it as they write the attribute)."""
    text = str(value)
    if len(text) <= MAX_RENDERED_URL_LENGTH and _NORMAL_URL.fullmatch(text):
        return text
    return check_url(text, MAX_RENDERED_URL_LENGTH)


def yaml_scalar(value: Any) -> str:
    """A double-quoted YAML scalar on one line that loads as exactly str(value)."""
    text = yaml.dump(str(value), Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True,
                     width=float("inf"))
    return text.removesuffix("\n...\n").rstrip("\n")


def yaml_block(value: Any, indent: int) -> str:
    """A literal block scalar (`|`), its lines indented by `indent`, for a long text that editors
    read and replace; a double-quoted scalar when a block would not load as exactly the text."""
    text = str(value)
    lines = text.splitlines()
    block = "|\n" + "\n".join(" " * indent + line if line else "" for line in lines)
    try:
        # A line that starts with spaces, a missing final newline or a character YAML reads as a
        # line break would change the text: then the quoted form, which holds anything.
        same = text.endswith("\n") and yaml.safe_load("key: " + block + "\n") == {"key": text}
    except yaml.YAMLError:
        same = False
    return block if same else yaml_scalar(text)
