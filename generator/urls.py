"""Every web address from a fact file goes through this one path: checked, then normalised.

A URL is untrusted text that lands in an HTML attribute inside Markdown, in JSON, CSV and
XML. Python-Markdown runs its link, image, code and escape patterns before it protects raw
HTML, so an address holding `![x](y)`, a backtick or a `|` could be turned into markup inside
the attribute or split a table row. Rather than escape each of those, a normalised address
holds only characters that no Markdown, HTML or CSV syntax uses: letters, digits, `-._~`,
`:/?#@&=+,;$%`, everything else percent-encoded. The check parses the address as a URL
(length bound first, no regex that can backtrack), so `check` and the build agree.
"""

from __future__ import annotations

import unicodedata
import urllib.parse
from functools import lru_cache

import idna

# Longer than any real source address; bounded before anything else looks at the text.
MAX_URL_LENGTH = 2000
# An address the check accepted, once percent-encoded (up to 3 characters for each byte of a
# 4-byte character) and put behind a Wayback Machine lookup prefix, is at most this long.
MAX_RENDERED_URL_LENGTH = MAX_URL_LENGTH * 12 + 100
SCHEMES = ("http", "https")
# What a normalised address may hold besides letters and digits. No ( ) [ ] ! ' ` | \ < > "
# { } ^ or space: each of those is syntax in Markdown, HTML or a table.
SAFE = "-._~:/?#@&=+,;$%_*"
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")


class InvalidURL(ValueError):
    """The text is not an http(s) address with a host name; the message says why."""


@lru_cache(maxsize=1 << 16)
def check_url(text: str, limit: int = MAX_URL_LENGTH) -> str:
    """The normalised form of an http(s) address, or InvalidURL saying what is wrong.

    Normalised: scheme and host lowercased, the host in its ASCII form (IDNA by UTS 46, as
    browsers map it: faß.de is xn--fa-hia.de, not fass.de), and every character outside SAFE
    percent-encoded as UTF-8. Existing %XX escapes are kept."""
    if not isinstance(text, str):
        raise InvalidURL("is not text")
    if len(text) > limit:
        raise InvalidURL(f"is {len(text):,} characters; an address may be at most {limit:,}")
    for char in text:
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise InvalidURL(f"contains {_name(char)}; an address has no spaces or control characters")
    scheme, sep, rest = text.partition(":")
    if not sep or scheme.lower() not in SCHEMES:
        raise InvalidURL("is not a web address (it must start with http:// or https://)")
    if not rest.startswith("//"):
        raise InvalidURL("is not a web address (http:// or https:// must be followed by a host name)")
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError as problem:
        raise InvalidURL(f"is not a valid address ({problem})") from None
    netloc = parts.netloc
    if "@" in netloc:
        raise InvalidURL("holds a user name or password before the host; remove it")
    host = parts.hostname or ""
    if "[" in netloc or "]" in netloc:
        raise InvalidURL("has an IP address in brackets as its host; use the site's host name")
    ascii_host = to_ascii_host(host)
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(labels) or not set(ascii_host) <= _HOST_CHARS:
        raise InvalidURL("has no valid host name (such as example.com)")
    if any(label.startswith("-") or label.endswith("-") or len(label) > 63 for label in labels):
        raise InvalidURL("has no valid host name (such as example.com)")
    netloc = ascii_host + (f":{port}" if port is not None else "")
    path = _encode(parts.path)
    query = _encode(parts.query)
    fragment = _encode(parts.fragment)
    normal = f"{parts.scheme.lower()}://{netloc}{path}"
    if parts.query or text.split("#", 1)[0].endswith("?"):
        normal += "?" + query
    if parts.fragment or text.endswith("#"):
        normal += "#" + fragment
    if len(normal) > MAX_RENDERED_URL_LENGTH:
        raise InvalidURL("is too long once encoded")
    return normal


def is_web_url(text: str) -> bool:
    """True when check_url accepts the text."""
    try:
        check_url(text)
    except InvalidURL:
        return False
    return True


def to_ascii_host(host: str) -> str:
    """The host name as it goes on the wire: lowercased, and an international name in its ASCII
    form by UTS 46 (non-transitional, the mapping browsers use), or InvalidURL saying why not.
    A label that mixes scripts (a Cyrillic а among Latin letters) is refused: that is how
    look-alike addresses are made, and no site spells its own name so."""
    host = host.rstrip(".")
    if host.isascii() and "xn--" not in host.lower():
        return host.lower()
    try:
        encoded = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        labels = idna.decode(encoded).split(".")
    except (idna.IDNAError, UnicodeError) as problem:
        raise InvalidURL(f"has a host name that is not a valid international domain name ({problem})") from None
    for label in labels:
        scripts = _scripts(label)
        if len(scripts) > 1 and not any(scripts <= allowed for allowed in _SCRIPT_MIXES):
            raise InvalidURL(f"has a host name that mixes {' and '.join(sorted(scripts))} letters in {label!r}, "
                             "as look-alike addresses do; copy the address from the browser's address bar")
    return encoded


# Scripts one label may mix (UTS 39's "highly restrictive" level): Japanese, Chinese with
# Bopomofo and Korean each write Latin letters and Han beside their own.
_SCRIPT_MIXES = ({"Latin", "Han", "Hiragana", "Katakana"}, {"Latin", "Han", "Bopomofo"}, {"Latin", "Han", "Hangul"})
_SCRIPT_NAMES = {"CJK": "Han", "LATIN": "Latin", "HIRAGANA": "Hiragana", "KATAKANA": "Katakana", "HANGUL": "Hangul",
                 "BOPOMOFO": "Bopomofo"}


def _scripts(label: str) -> set[str]:
    """The scripts of a label's letters, told by the first word of each letter's Unicode name
    (digits, hyphens, marks and modifier letters belong to every script)."""
    found = set()
    for char in label:
        if unicodedata.category(char) in ("Ll", "Lu", "Lt", "Lo"):
            word = unicodedata.name(char, "").split(" ")[0]
            found.add(_SCRIPT_NAMES.get(word, word.capitalize()))
    return found


def _encode(part: str) -> str:
    """Percent-encode everything outside SAFE; keep well-formed %XX escapes as they are."""
    out = []
    i = 0
    while i < len(part):
        char = part[i]
        if char == "%" and _is_hex(part[i + 1:i + 3]):
            out.append(part[i:i + 3].upper())
            i += 3
            continue
        if char == "%":
            out.append("%25")
        elif char.isascii() and (char.isalnum() or char in SAFE):
            out.append(char)
        else:
            out.append(urllib.parse.quote(char, safe=""))
        i += 1
    return "".join(out)


def _is_hex(text: str) -> bool:
    return len(text) == 2 and all(c in "0123456789abcdefABCDEF" for c in text)


def _name(char: str) -> str:
    if char == " ":
        return "a space"
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'a control character').lower()})"
