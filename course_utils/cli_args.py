"""Argument checks for `course-utils`: argparse ``type=`` functions with one-line messages.

Each raises ``argparse.ArgumentTypeError`` saying what was expected and what was given, so the
CLI exits 2 with ``course-utils: argument --x: <message>``. Use them for every new option:

    p.add_argument("--ctx", type=whole_number(1, MAX_CONTEXT, "tokens"))  # unit: a cli.arg.unit id
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Callable

from .i18n import number as shown_number, t

MAX_CONTEXT = 10_000_000  # tokens; the longest advertised context windows are 10M (Llama 4 Scout)
MAX_TEXT = 200


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _unit(unit: str) -> str:
    """A unit id ('tokens', 'billion', 'gbs', 'results') in the language in force."""
    return (" " + t(f"cli.arg.unit.{unit}")) if unit else ""


def number(low: float, high: float, unit: str = "", low_open: bool = True) -> Callable[[str], float]:
    """A finite number in (low, high] (or [low, high] with ``low_open=False``); ``unit``: a cli.arg.unit id."""

    def bad(text: str) -> argparse.ArgumentTypeError:
        bound = t("cli.arg.number.above" if low_open else "cli.arg.number.from", low=shown_number(low, "g"),
                  high=shown_number(high, "g")) + _unit(unit)
        return argparse.ArgumentTypeError(t("cli.arg.number", bound=bound, value=_shown(text)))

    def parse(text: str) -> float:
        try:
            value = float(text.replace("_", ""))
        except ValueError:
            raise bad(text) from None
        if not math.isfinite(value) or value > high or value < low or (low_open and value == low):
            raise bad(text)
        return value

    parse.__name__ = "number"
    return parse


def whole_number(low: int, high: int | None, unit: str = "") -> Callable[[str], int]:
    """A whole number in [low, high] (no upper limit with ``high=None``); accepts 1_000 and 1,000."""

    def bad(text: str) -> argparse.ArgumentTypeError:
        bound = (t("cli.arg.whole.min", low=shown_number(low, ",")) if high is None
                 else t("cli.arg.whole.range", low=shown_number(low, ","), high=shown_number(high, ","))) + _unit(unit)
        return argparse.ArgumentTypeError(t("cli.arg.whole", bound=bound, value=_shown(text)))

    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", "").replace(",", ""))
        except ValueError:
            raise bad(text) from None
        if value < low or (high is not None and value > high):
            raise bad(text)
        return value

    parse.__name__ = "whole number"
    return parse


def text(what: str, max_len: int = MAX_TEXT) -> Callable[[str], str]:
    """Non-blank text of at most ``max_len`` characters without control characters; ``what``: a
    cli.arg.what id ('id', 'task', 'tag', 'search') naming it in messages."""

    def parse(value: str) -> str:
        name = t(f"cli.arg.what.{what}")
        cleaned = value.strip()
        if not cleaned:
            raise argparse.ArgumentTypeError(t("cli.arg.text.empty", what=name))
        if len(cleaned) > max_len:
            raise argparse.ArgumentTypeError(t("cli.arg.text.long", what=name, n=shown_number(len(cleaned), ","), max=max_len))
        if any(ord(c) < 32 or ord(c) == 127 for c in cleaned):
            raise argparse.ArgumentTypeError(t("cli.arg.text.control", what=name, value=_shown(cleaned)))
        return cleaned

    parse.__name__ = what
    return parse


def language(value: str) -> str:
    """A course language code ('en', 'fr'; 'French', 'fr_FR' are read as 'fr')."""
    from .i18n import LANGUAGES, normalise_language

    code = normalise_language(value)
    if code is None:
        raise argparse.ArgumentTypeError(t("cli.lang.bad", value=_shown(value), choices=", ".join(LANGUAGES)))
    return code


def output_file(value: str) -> str:
    """A path a file can be written to: not a folder, in a folder that exists."""
    path = Path(value).expanduser()
    if not value.strip():
        raise argparse.ArgumentTypeError(t("cli.arg.out.empty"))
    if path.is_dir():
        raise argparse.ArgumentTypeError(t("cli.arg.out.folder", value=value, example=path / "out.csv"))
    parent = path.parent
    if not parent.exists():
        raise argparse.ArgumentTypeError(t("cli.arg.out.no_parent", parent=parent))
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(t("cli.arg.out.parent_file", parent=parent))
    return value


def input_file(value: str) -> str:
    """A path of an existing regular file (a pipe or a device would block the read forever)."""
    path = Path(value).expanduser()
    if not value.strip():
        raise argparse.ArgumentTypeError(t("cli.arg.in.empty"))
    if path.is_dir():
        raise argparse.ArgumentTypeError(t("cli.arg.in.folder", value=value))
    if not path.exists():
        raise argparse.ArgumentTypeError(t("cli.arg.in.missing", value=value))
    return readable_path(value)


def readable_path(value: str) -> str:
    """A path the command reads later (its own messages say what is wrong with a missing file or a
    folder): refused here only when it is a pipe, socket or device, which would block the read forever."""
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir() and not path.is_file():
        raise argparse.ArgumentTypeError(t("cli.arg.in.not_regular", value=value))
    return value


def existing_folder(value: str) -> str:
    """A path of an existing folder."""
    path = Path(value).expanduser()
    if not value.strip():
        raise argparse.ArgumentTypeError(t("cli.arg.dir.empty"))
    if not path.exists():
        raise argparse.ArgumentTypeError(t("cli.arg.dir.missing", value=value))
    if not path.is_dir():
        raise argparse.ArgumentTypeError(t("cli.arg.dir.file", value=value, parent=path.parent))
    return value


def model_id(value: str) -> str:
    """A Hub model id, or an address or paste of one (model_ids.normalise_repo_id): the bare 'org/name'."""
    from .errors import InvalidInput
    from .model_ids import normalise_repo_id

    try:
        return normalise_repo_id(value)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


model_id.__name__ = "model id"


non_negative_int = whole_number(0, 10**12)
positive_int = whole_number(1, None)
positive_float = number(0, 1e6)
