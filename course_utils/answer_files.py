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

from . import json_errors
from .answers import LEARNER_FILE, LOCK_FILE, MAX_DEPTH, SCHEMA_VERSION, sanitize_learner
from .errors import AnswerError
from .exercises import EXERCISES
from .i18n import number, t

MAX_FILE_BYTES = 1_000_000


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
        raise AnswerError(t("grading.file.empty"))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AnswerError(t("grading.file.utf16"))
    try:
        text = raw.decode("utf-8-sig")  # a BOM (some editors add one) is accepted
    except UnicodeDecodeError:
        raise AnswerError(t("grading.file.not_utf8")) from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except _NotFinite as exc:
        raise AnswerError(t("grading.file.not_finite", value=str(exc)[:20])) from None
    except RecursionError:
        raise AnswerError(t("grading.file.recursion")) from None
    except json.JSONDecodeError as exc:
        raise AnswerError(t("grading.file.not_json", error=json_errors.describe(exc))) from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise AnswerError(t("grading.file.not_json", error=str(exc)[:80])) from None
    if not isinstance(doc, dict):
        raise AnswerError(t("grading.file.not_object"))
    if _depth(doc) > MAX_DEPTH:
        raise AnswerError(t("grading.file.too_deep", depth=MAX_DEPTH))
    version = doc.get("schema_version")
    if type(version) is not int or version != SCHEMA_VERSION:  # True == 1 in Python, but it is no version
        raise AnswerError(t("grading.file.schema", version=clean_text(repr(version), 40), expected=SCHEMA_VERSION))
    if not isinstance(doc.get("exercise"), str) or doc["exercise"] not in EXERCISES:
        raise AnswerError(t("grading.file.unknown_exercise", exercise=clean_text(repr(doc.get("exercise")), 40)))
    if not isinstance(doc.get("answers"), dict):
        raise AnswerError(t("grading.file.no_answers"))
    try:
        doc["learner"] = sanitize_learner(doc.get("learner"))
    except AnswerError:
        raise AnswerError(t("grading.file.no_learner")) from None
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
        raise AnswerError(t("grading.file.unreadable", error=exc.strerror)) from None
    if stat.S_ISLNK(info.st_mode):
        raise AnswerError(t("grading.file.symlink"))
    if stat.S_ISDIR(info.st_mode):
        raise AnswerError(t("grading.file.folder"))
    if not stat.S_ISREG(info.st_mode):
        raise AnswerError(t("grading.file.not_regular"))
    if info.st_size > MAX_FILE_BYTES:
        raise AnswerError(t("grading.file.too_large", size=number(info.st_size, ","), limit=number(MAX_FILE_BYTES, ",")))
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AnswerError(t("grading.file.unreadable", error=exc.strerror)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise AnswerError(t("grading.file.too_large_over", limit=number(MAX_FILE_BYTES, ",")))
    return parse_answer_document(raw)


# the course's own files in an answers folder: the notebooks' lock and remembered name, and the
# dashboard's review scores at the top; not answers, and not worth a line in the report
COURSE_FILES = (LEARNER_FILE, LOCK_FILE)
TOP_COURSE_FILES = ("overrides.csv",)


def scan_folder(folder: Path, skip: Iterable[Path] = ()) -> tuple[list[Path], list[Failure]]:
    """The *.json files under folder (links not followed), and every other entry with why it is not graded
    (the course's own files are passed over in silence)."""
    skip = {_same(p) for p in skip}
    skip |= {_same(folder / name) for name in TOP_COURSE_FILES}
    files: list[Path] = []
    skipped: list[Failure] = []
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Failure(_shown(here, folder), t("grading.file.folder_unreadable", error=exc.strerror)))
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
            if entry.name in COURSE_FILES and is_file:
                continue
            if entry.is_symlink():
                skipped.append(Failure(shown, t("grading.file.symlink")))
            elif entry.name.startswith("."):
                skipped.append(Failure(shown, t("grading.file.hidden_folder" if is_dir else "grading.file.hidden_file")))
            elif is_dir:
                if entry.name.lower().endswith(".json"):
                    skipped.append(Failure(shown, t("grading.file.json_folder")))
                stack.append(path)
            elif not is_file:
                skipped.append(Failure(shown, t("grading.file.not_regular")))
            elif entry.name.endswith(".json"):
                files.append(path)
            elif ".json" in entry.name.lower():
                skipped.append(Failure(shown, t("grading.file.rename")))
            else:
                skipped.append(Failure(shown, t("grading.file.not_json_file")))
    return sorted(files), skipped


def _same(path: Path) -> str:
    try:
        return os.path.normcase(os.path.abspath(path))
    except (OSError, ValueError):
        return str(path)
