"""Learner- and instructor-facing text, per language, from message catalogs.

Catalogs are JSON files, one per language and area: ``locales/<lang>/<area>.json`` holds a flat
object ``{"key": "text with {placeholders}"}``; a message's full id is ``<area>.<key>``
(``common.save.button``). JSON because it needs nothing installed (Colab installs the course with
``--no-deps``, Python 3.10 has no ``tomllib``), any editor opens it, and a test can compare keys and
``{placeholders}`` across languages; gettext's ``.po`` would add Babel and a compile step for a few
hundred short strings. Plurals: ``key.one`` / ``key.other`` with :func:`tn`.

The language in force is, in order: the one set in this kernel (``set_language``, done by a
notebook's setup cell from its language folder, or by ``--lang`` in the CLI), ``COURSE_UTILS_LANG``,
the language the learner chose in ``00_start_here`` (remembered beside their answers), English.
"""
from __future__ import annotations

import json
import os
import string
from functools import lru_cache
from importlib import resources

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT = "en"
_current: str | None = None


class MissingMessage(KeyError):
    """A message id that no catalog has (a bug in the course, caught by the translation check)."""


def normalise_language(value: object) -> str | None:
    """'fr', 'FR', 'fr_FR.UTF-8', 'français' -> 'fr'; None when it is not a course language."""
    text = str(value or "").strip().casefold().replace("-", "_")
    for code, name in LANGUAGES.items():
        if text == name.casefold() or text.split("_")[0].split(".")[0] == code:
            return code
    return None


def set_language(lang: str | None) -> str:
    """Use ``lang`` for every message shown from now on in this process; returns the code in force.

    ``None`` forgets the choice (back to the environment, the remembered choice, English)."""
    global _current
    if lang is None:
        _current = None
        return language()
    code = normalise_language(lang)
    if code is None:
        from .errors import InvalidInput

        raise InvalidInput(t("common.lang.unknown", value=lang, choices=", ".join(LANGUAGES)))
    _current = code
    return code


def language() -> str:
    """The language messages are shown in now (see the module docstring for the order)."""
    if _current:
        return _current
    env = normalise_language(os.environ.get("COURSE_UTILS_LANG"))
    if env:
        return env
    try:
        from .answers import remembered_language

        remembered = normalise_language(remembered_language())
    except Exception:  # noqa: BLE001 - a missing or unreadable profile never stops a message
        remembered = None
    return remembered or DEFAULT


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """Every message of one language, keyed by full id (``area.key``)."""
    folder = resources.files("course_utils") / "locales" / lang
    messages: dict[str, str] = {}
    if not folder.is_dir():
        return messages
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json") and not entry.name.startswith("_"):
            area = entry.name[: -len(".json")]
            for key, text in json.loads(entry.read_text(encoding="utf-8")).items():
                messages[f"{area}.{key}"] = text
    return messages


def has(message_id: str, lang: str | None = None) -> bool:
    return message_id in catalog(lang or language()) or message_id in catalog(DEFAULT)


def t(message_id: str, lang: str | None = None, **fields) -> str:
    """The message in the language in force (English when that catalog lacks it), formatted."""
    lang = lang or language()
    text = catalog(lang).get(message_id)
    if text is None:
        text = catalog(DEFAULT).get(message_id)
    if text is None:
        raise MissingMessage(message_id)
    if not (fields or "{" in text or "}" in text):  # every message is a format string: {{ and }} are braces
        return text
    return _FRENCH_NUMBERS.format(text, **fields) if lang == "fr" else text.format(**fields)


class _FrenchNumbers(string.Formatter):
    """str.format, with each number placeholder written as ``number`` writes it in French (4,6 Go; 4 096 tokens):
    a catalog's {gb:.1f} or {tps} is then French without every caller wrapping it. Strings are left as they are."""

    def format_field(self, value, format_spec):
        text = format(value, format_spec)
        return _in_french(text) if isinstance(value, (int, float)) and not isinstance(value, bool) else text


_FRENCH_NUMBERS = _FrenchNumbers()


def plural_form(n: float, lang: str) -> str:
    """CLDR's rule for the two languages: French treats 0 and 1 as singular, English only 1."""
    if lang == "fr":
        return "one" if abs(n) < 2 else "other"
    return "one" if n == 1 else "other"


def tn(message_id: str, n: float, lang: str | None = None, **fields) -> str:
    """``message_id.one`` or ``message_id.other`` for the count ``n`` (given to the text as ``n``)."""
    lang = lang or language()
    return t(f"{message_id}.{plural_form(n, lang)}", lang, n=n, **fields)


def number(value: float, spec: str = "g") -> str:
    """A number as a learner reads it: 1,234.50 in English, 1 234,50 in French (narrow no-break spaces);
    the data and the JSON keep their numbers."""
    text = format(value, spec)
    return _in_french(text) if language() == "fr" else text


def _in_french(text: str) -> str:
    """A number Python formatted, as French writes it: narrow no-break spaces between thousands, a decimal comma,
    and a space before a percent sign (+10 %)."""
    text = text.replace(",", "\u202f").replace(".", ",")
    return text[:-1] + "\u202f%" if text.endswith("%") else text


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a message uses (for the translation check)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def label(message_id: str, fallback: str, lang: str | None = None) -> str:
    """A label when the catalog has one, else ``fallback`` (for data-driven ids such as licence keys)."""
    return t(message_id, lang) if has(message_id, lang) else fallback
