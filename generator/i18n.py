"""Words are data: every string the generator writes comes from a message catalogue.

Catalogues live in generator/messages/<language>.yaml (English and Simplified Chinese ship
complete); the language follows MkDocs' `theme.language`. A message is a template string with
named `{placeholders}`; a message with plural forms is a mapping of CLDR plural categories
(`one`, `other`) chosen by babel for the language. Dates are formatted by babel too.

English is the reference: a key another catalogue lacks is taken from English, with one warning
per key, so an incomplete translation shows English words instead of stopping a build. A third
language is one more catalogue file (the starter site `init` writes reads its words from here too).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from .errors import GeneratorError

MESSAGE_DIR = Path(__file__).parent / "messages"
DEFAULT_LANGUAGE = "en"
log = logging.getLogger(__name__)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


class UnknownLanguage(GeneratorError):
    """No catalogue for the site's language."""


def languages() -> list[str]:
    """The languages that ship a catalogue."""
    return sorted(path.stem for path in MESSAGE_DIR.glob("*.yaml"))


def _catalogue(language: str) -> dict[str, Any]:
    # Keyed by the folder too, so a test (or a tool) that points MESSAGE_DIR elsewhere reads there.
    return _read_catalogue(MESSAGE_DIR, language)


@lru_cache(maxsize=None)
def _read_catalogue(folder: Path, language: str) -> dict[str, Any]:
    path = folder / f"{language}.yaml"
    if not path.is_file():
        raise UnknownLanguage(f"no message catalogue for the language {language!r}; "
                              f"available: {', '.join(languages())} (generator/messages/)")
    # Our own files, read at every start: libyaml's loader when PyYAML has it (ten times faster).
    catalogue = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(catalogue, dict):
        raise UnknownLanguage(f"{path}: a message catalogue is a mapping of keys to messages")
    return catalogue


@lru_cache(maxsize=None)
def _fallback(folder: Path, language: str, key: str) -> Any:
    """The English message for a key the language's catalogue lacks; warns once per key."""
    message = _read_catalogue(folder, DEFAULT_LANGUAGE)[key]  # KeyError: no such message at all
    log.warning("message catalogue %s.yaml has no %r; using the English text until it is translated",
                language, key)
    return message


def catalogue_language(language: str | None) -> str:
    """The catalogue for a theme.language such as 'zh', 'zh-Hans' or 'en-GB'."""
    language = (language or DEFAULT_LANGUAGE).replace("_", "-")
    if not _LANGUAGE_TAG.fullmatch(language):
        # Only a language tag names a catalogue file: never a path.
        raise UnknownLanguage(f"{language!r} is not a language code such as en, zh or pt-BR")
    if (MESSAGE_DIR / f"{language}.yaml").is_file():
        return language
    base = language.split("-")[0].lower()
    if (MESSAGE_DIR / f"{base}.yaml").is_file():
        return base
    raise UnknownLanguage(f"no message catalogue for the language {language!r}; "
                          f"available: {', '.join(languages())} (generator/messages/)")


@lru_cache(maxsize=4096)
def _formatted_date(value: dt.date, pattern: str, language: str) -> str:
    """Babel's formatting is slow next to a lookup, and a site shows the same few dates on
    thousands of pages (the article's, review dates)."""
    return format_date(value, format=pattern, locale=_locale(language))


@dataclass(frozen=True)
class Messages:
    """The catalogue of one language, callable from templates: t("key", name=value)."""

    language: str = DEFAULT_LANGUAGE

    def __call__(self, key: str, **values: Any) -> str:
        message = self._message(key)
        if isinstance(message, dict):
            raise KeyError(f"{key} has plural forms; use t.n({key!r}, count)")
        if "{" not in message:
            return message  # most calls: a fixed word or phrase
        return _fill(message, values)

    def raw(self, key: str) -> str:
        """The message as the catalogue holds it, placeholders unfilled (for HTML templates)."""
        message = self._message(key)
        if isinstance(message, dict):
            raise KeyError(f"{key} has plural forms; use t.n({key!r}, count)")
        return message

    def n(self, key: str, count: int, **values: Any) -> str:
        """A message with plural forms, for `count` things."""
        forms = self._message(key)
        category = _locale(self.language).plural_form(count)
        message = forms.get(category, forms["other"])
        return _fill(message, {"count": count, **values})

    def date(self, value: dt.date | None) -> str:
        """A date as the language writes it: 8 June 2021, 2021年6月8日; or 'undated'."""
        if value is None:
            return self("undated")
        return _formatted_date(value, self("date_format"), self.language)

    def keys(self) -> set[str]:
        """The keys this language's own catalogue defines (without English fallbacks)."""
        return set(_catalogue(self.language))

    def _message(self, key: str) -> Any:
        message = _catalogue(self.language).get(key)
        if message is None:
            message = _fallback(MESSAGE_DIR, self.language, key)
        return message


@lru_cache(maxsize=None)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        # A catalogue for a language babel does not know still works; dates and plurals follow English.
        log.warning("babel knows no locale %r; dates and plural forms follow English", language)
        return Locale.parse(DEFAULT_LANGUAGE)


@lru_cache(maxsize=None)
def _fields(message: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(message) if name)


def _fill(message: str, values: dict[str, Any]) -> str:
    # format_map with only named fields: a brace in a value is never read as a field.
    names = _fields(message)
    missing = names - values.keys()
    if missing:
        raise KeyError(f"message {message!r} needs {', '.join(sorted(missing))}")
    return message.format_map({name: values[name] for name in names})
