"""Reading answer files safely: which files in a folder are graded, and why the others are not.

Only JSON is read, never run. A file is refused (with its reason) when it is a link, hidden, too
large, not UTF-8 (a BOM is fine), not JSON, nested too deeply, holds NaN/Infinity, or lacks the
fields of schema version 1.
"""
from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .answers import SCHEMA_VERSION, sanitize_learner
from .errors import AnswerError
from .exercises import EXERCISES

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32  # nesting levels an answer file may have (real ones have about 4)


@dataclass(frozen=True)
class Failure:
    """A file (or folder) that was not graded, and why."""

    file: str
    reason: str


class _NotFinite(Exception):
    pass


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _NotFinite(text)
    return number


def _reject_constant(name: str):
    raise _NotFinite(name)


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, d)
            if d <= MAX_DEPTH:
                stack.extend((c, d + 1) for c in (v.values() if isinstance(v, dict) else v))
    return deepest


def clean_text(text: str, limit: int = 200) -> str:
    """Text safe to write anywhere: lone surrogates (from JSON escapes or odd file names) replaced."""
    return text.encode("utf-8", "replace").decode("utf-8")[:limit]


def _shown(path: Path, folder: Path) -> str:
    rel = str(path.relative_to(folder)) if path != folder else path.name
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if _has_surrogates(rel) else rel


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def parse_answer_document(raw: bytes) -> dict:
    """Validate the bytes of one answer file; raises AnswerError with the reason it cannot be graded."""
    if not raw.strip():
        raise AnswerError("is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AnswerError("is UTF-16 text: save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")  # a BOM (some editors add one) is accepted
    except UnicodeDecodeError:
        raise AnswerError("is not UTF-8 text") from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except _NotFinite as exc:
        raise AnswerError(f"contains {str(exc)[:20]}, which is not a finite number "
                          f"(NaN and Infinity are not JSON)") from None
    except RecursionError:
        raise AnswerError("is nested too deeply to be an answer file") from None
    except json.JSONDecodeError as exc:
        raise AnswerError(f"is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise AnswerError(f"is not valid JSON ({str(exc)[:80]})") from None
    if not isinstance(doc, dict):
        raise AnswerError("is JSON but not an answer file (no object at the top)")
    if _depth(doc) > MAX_DEPTH:
        raise AnswerError(f"is nested more than {MAX_DEPTH} levels deep; answer files are not")
    version = doc.get("schema_version")
    if type(version) is not int or version != SCHEMA_VERSION:  # True == 1 in Python, but it is no version
        raise AnswerError(f"has schema version {clean_text(repr(version), 40)}; this grader reads {SCHEMA_VERSION}")
    if not isinstance(doc.get("exercise"), str) or doc["exercise"] not in EXERCISES:
        raise AnswerError(f"names an unknown exercise {clean_text(repr(doc.get('exercise')), 40)}")
    if not isinstance(doc.get("answers"), dict):
        raise AnswerError("has no 'answers' object")
    try:
        doc["learner"] = sanitize_learner(doc.get("learner"))
    except AnswerError:
        raise AnswerError("has no usable learner name") from None
    for name in ("learner_display", "learner_email", "learner_id"):
        value = doc.get(name)
        doc[name] = clean_text(value.strip()) if isinstance(value, str) else ""
    doc["learner_display"] = doc["learner_display"] or doc["learner"]
    return doc


def read_answer_document(path: Path) -> dict:
    """Read and validate one answer file; raises AnswerError with the reason it cannot be graded."""
    path = Path(path)
    try:
        info = path.lstat()
    except OSError as exc:
        raise AnswerError(f"cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise AnswerError("is a symbolic link (not followed)")
    if stat.S_ISDIR(info.st_mode):
        raise AnswerError("is a folder, not an answer file")
    if not stat.S_ISREG(info.st_mode):
        raise AnswerError("is not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise AnswerError(f"is too large ({info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AnswerError(f"cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise AnswerError(f"is too large (over {MAX_FILE_BYTES:,} bytes)")
    return parse_answer_document(raw)


def scan_folder(folder: Path, skip: Iterable[Path] = ()) -> tuple[list[Path], list[Failure]]:
    """The *.json files under folder (links not followed), and every other entry with why it is not graded."""
    skip = {_same(p) for p in skip}
    files: list[Path] = []
    skipped: list[Failure] = []
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Failure(_shown(here, folder), f"is a folder that cannot be read ({exc.strerror})"))
            continue
        for entry in entries:
            path = Path(entry.path)
            shown = _shown(path, folder)
            if _same(path) in skip:
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file(follow_symlinks=False)
            except OSError:
                is_dir = is_file = False
            if entry.is_symlink():
                skipped.append(Failure(shown, "is a symbolic link (not followed)"))
            elif entry.name.startswith("."):
                skipped.append(Failure(shown, f"is a hidden {'folder' if is_dir else 'file'} (skipped)"))
            elif is_dir:
                if entry.name.lower().endswith(".json"):
                    skipped.append(Failure(shown, "is a folder, not an answer file (the files inside are graded)"))
                stack.append(path)
            elif not is_file:
                skipped.append(Failure(shown, "is not a regular file"))
            elif entry.name.endswith(".json"):
                files.append(path)
            elif ".json" in entry.name.lower():
                skipped.append(Failure(shown, "is not named *.json: rename it to end in .json to grade it"))
            else:
                skipped.append(Failure(shown, "is not a .json answer file"))
    return sorted(files), skipped


def _same(path: Path) -> str:
    try:
        return os.path.normcase(os.path.abspath(path))
    except (OSError, ValueError):
        return str(path)
