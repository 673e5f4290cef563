"""Argument checks for `course-utils`: argparse ``type=`` functions with one-line messages.

Each raises ``argparse.ArgumentTypeError`` saying what was expected and what was given, so the
CLI exits 2 with ``course-utils: argument --x: <message>``. Use them for every new option:

    p.add_argument("--ctx", type=whole_number(1, MAX_CONTEXT, "tokens"))
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Callable

MAX_CONTEXT = 10_000_000  # tokens; the longest advertised context windows are 10M (Llama 4 Scout)
MAX_TEXT = 200


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def number(low: float, high: float, unit: str = "", low_open: bool = True) -> Callable[[str], float]:
    """A finite number in (low, high] (or [low, high] with ``low_open=False``)."""
    bound = f"{'more than' if low_open else 'at least'} {low:g} and at most {high:g}{' ' + unit if unit else ''}"

    def parse(text: str) -> float:
        try:
            value = float(text.replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number {bound}, got {_shown(text)}") from None
        if not math.isfinite(value) or value > high or value < low or (low_open and value == low):
            raise argparse.ArgumentTypeError(f"expected a number {bound}, got {_shown(text)}")
        return value

    parse.__name__ = "number"
    return parse


def whole_number(low: int, high: int | None, unit: str = "") -> Callable[[str], int]:
    """A whole number in [low, high] (no upper limit with ``high=None``); accepts 1_000 and 1,000."""
    bound = (f"≥ {low:,}" if high is None else f"from {low:,} to {high:,}") + (f" {unit}" if unit else "")

    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", "").replace(",", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number {bound}, got {_shown(text)}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected a whole number {bound}, got {_shown(text)}")
        return value

    parse.__name__ = "whole number"
    return parse


def text(what: str, max_len: int = MAX_TEXT) -> Callable[[str], str]:
    """Non-blank text of at most ``max_len`` characters without control characters."""

    def parse(value: str) -> str:
        cleaned = value.strip()
        if not cleaned:
            raise argparse.ArgumentTypeError(f"the {what} is empty: give one")
        if len(cleaned) > max_len:
            raise argparse.ArgumentTypeError(f"the {what} is {len(cleaned):,} characters long; at most "
                                             f"{max_len} are expected")
        if any(ord(c) < 32 or ord(c) == 127 for c in cleaned):
            raise argparse.ArgumentTypeError(f"the {what} {_shown(cleaned)} contains control characters")
        return cleaned

    parse.__name__ = what
    return parse


def language(value: str) -> str:
    """A course language code ('en', 'fr'; 'French', 'fr_FR' are read as 'fr')."""
    from .i18n import LANGUAGES, normalise_language, t

    code = normalise_language(value)
    if code is None:
        raise argparse.ArgumentTypeError(t("cli.lang.bad", value=_shown(value), choices=", ".join(LANGUAGES)))
    return code


def output_file(value: str) -> str:
    """A path a file can be written to: not a folder, in a folder that exists."""
    path = Path(value).expanduser()
    if not value.strip():
        raise argparse.ArgumentTypeError("the output path is empty: give a file name")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a folder: give a file name, e.g. {path / 'out.csv'}")
    parent = path.parent
    if not parent.exists():
        raise argparse.ArgumentTypeError(f"the folder {parent} does not exist: create it first or pick another")
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"{parent} is a file, not a folder: pick another path")
    return value


def input_file(value: str) -> str:
    """A path of an existing regular file."""
    path = Path(value).expanduser()
    if not value.strip():
        raise argparse.ArgumentTypeError("the file path is empty: give the path of a file")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a folder: give the path of a file")
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{value} does not exist: check the path")
    return value


def existing_folder(value: str) -> str:
    """A path of an existing folder."""
    path = Path(value).expanduser()
    if not value.strip():
        raise argparse.ArgumentTypeError("the folder path is empty: give a folder")
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{value} does not exist: give a folder that does")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a file: give the folder it is in, {path.parent}")
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
