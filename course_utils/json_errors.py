"""Python's JSON parser errors, said in the reader's language: where the text breaks and what was expected.

``json.JSONDecodeError`` carries an English message from a small, fixed set (CPython's decoder and its C
scanner; Python 3.13 added the two trailing-comma messages, python/cpython#113149) with the line and column;
:func:`describe` turns it into a catalog message.
A message this table does not know (a future Python's) is shown as Python wrote it, with the place.
"""
from __future__ import annotations

import json

from .i18n import t

# (the start of CPython's message, the catalog id under ``json_errors.``), longest starts first
_KNOWN = (
    ("Expecting property name enclosed in double quotes", "property_name"),
    ("Illegal trailing comma before end of object", "trailing_comma_object"),
    ("Illegal trailing comma before end of array", "trailing_comma_array"),
    ("Unterminated string starting at", "unterminated_string"),
    ("Invalid control character", "control_character"),
    ("Invalid \\uXXXX escape", "unicode_escape"),
    ("Expecting ':' delimiter", "colon"),
    ("Expecting ',' delimiter", "comma"),
    ("Invalid \\escape", "escape"),
    ("Expecting value", "value"),
    ("Extra data", "extra_data"),
)


def what(exc: json.JSONDecodeError) -> str:
    """What the parser expected or found, in the language in force (Python's words when it is a new message).
    Where it expected more at the very end of the text, the text was cut short: that is what it says then."""
    if exc.msg.startswith("Expecting") and exc.doc and not exc.doc[exc.pos:].strip():
        return t("json_errors.ends_early")
    for start, key in _KNOWN:
        if exc.msg.startswith(start):
            return t(f"json_errors.{key}")
    return exc.msg


def describe(exc: json.JSONDecodeError) -> str:
    """'line 3, column 5: a ',' was expected between two items' (French: 'ligne 3, colonne 5 : …')."""
    return t("json_errors.where", line=exc.lineno, column=exc.colno, what=what(exc))


def reason(exc: BaseException) -> str:
    """:func:`describe` for a JSON error, the exception's own text for any other (an OSError, a UnicodeError)."""
    return describe(exc) if isinstance(exc, json.JSONDecodeError) else str(exc)
