"""The answers store every exercise notebook uses.

Widgets call :func:`record` as the learner works; "Save answers" calls :func:`save`,
which writes ``<answers dir>/<exercise>_<learner>.json`` atomically (temporary file,
fsync, rename), so a crash mid-save never damages the last good file. Answers already
on disk are merged in first, so a restarted kernel never loses what was saved.

File format (``schema_version`` 1)::

    {"schema_version": 1, "exercise": "ex02", "learner": "ada-lovelace",
     "learner_display": "Ada Lovelace", "package_version": "0.1.0",
     "saved_at": "2026-11-27T10:00:00+00:00",
     "answers": {"q1_license": "apache-2.0", ...}}
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import __version__
from .errors import AnswerError
from .exercises import EXERCISES
from .settings import get_settings, in_colab

SCHEMA_VERSION = 1
MAX_NAME_LENGTH = 64
MAX_VALUE_CHARS = 20_000  # one answer; free text longer than a few pages is a mistake
LEARNER_FILE = ".learner_name"


def sanitize_learner(name: str) -> str:
    """A safe file-name part from a learner's name: 'Ada Lovelace' -> 'ada-lovelace'.

    No path separators, no dots at the start, ASCII letters, digits and dashes only.
    Raises AnswerError for a name with nothing usable in it.
    """
    if not isinstance(name, str):
        raise AnswerError("The learner name must be text, e.g. 'Ada Lovelace'.")
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:MAX_NAME_LENGTH].strip("-")
    if not slug:
        raise AnswerError(f"The learner name {name!r} has no letters or digits: type your name "
                          f"(for example 'Ada Lovelace') and try again.")
    return slug


def _check_exercise(exercise: str) -> str:
    if exercise not in EXERCISES:
        raise AnswerError(f"Unknown exercise {exercise!r}; expected one of {', '.join(EXERCISES)}.")
    return exercise


def _check_value(question_id: str, value: Any) -> Any:
    """Return a JSON-safe copy of value, or raise AnswerError saying what is wrong."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise AnswerError(f"The answer to {question_id!r} cannot be saved: use text, numbers, "
                          f"true/false, lists or dicts (got {type(value).__name__}).") from None
    if len(text) > MAX_VALUE_CHARS:
        raise AnswerError(f"The answer to {question_id!r} is {len(text):,} characters long; "
                          f"the limit is {MAX_VALUE_CHARS:,}. Shorten it and record it again.")
    return json.loads(text)


@dataclass(frozen=True)
class SaveResult:
    path: Path
    answered: int
    message: str
    downloaded: bool = False


def answers_dir() -> Path:
    return get_settings().answers_dir


def remember_learner(name: str) -> str:
    """Store the learner's name for the other notebooks; returns a message to show."""
    slug = sanitize_learner(name)
    folder = answers_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / LEARNER_FILE, json.dumps({"display": name.strip()[:200], "slug": slug}))
    return f"Hello {name.strip()}! Your answers will be saved as {folder / ('<exercise>_' + slug + '.json')}."


def current_learner() -> tuple[str, str] | None:
    """(display name, file-safe name) remembered by notebook 00, or None."""
    try:
        doc = json.loads((answers_dir() / LEARNER_FILE).read_text(encoding="utf-8"))
        return str(doc["display"]), sanitize_learner(str(doc["slug"]))
    except (OSError, ValueError, KeyError, TypeError, AnswerError):
        return None


def answer_path(exercise: str, learner_slug: str) -> Path:
    return answers_dir() / f"{_check_exercise(exercise)}_{sanitize_learner(learner_slug)}.json"


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_answer_file(path: Path) -> dict:
    """A saved answer file's document (raises AnswerError when unreadable)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AnswerError(f"{path} is not a readable answer file: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("answers"), dict):
        raise AnswerError(f"{path} is not an answer file (no 'answers' object).")
    return doc


class AnswerStore:
    """Answers of one kernel session, per exercise, merged with what is already on disk."""

    def __init__(self) -> None:
        self._answers: dict[str, dict[str, Any]] = {}

    def record(self, exercise: str, question_id: str, value: Any) -> None:
        _check_exercise(exercise)
        if not isinstance(question_id, str) or not question_id.strip():
            raise AnswerError("A question id must be non-empty text, e.g. 'q1'.")
        self._answers.setdefault(exercise, {})[question_id] = _check_value(question_id, value)

    def get(self, exercise: str, question_id: str, default: Any = None) -> Any:
        return self._answers.get(exercise, {}).get(question_id, default)

    def answers(self, exercise: str) -> dict[str, Any]:
        return dict(self._answers.get(_check_exercise(exercise), {}))

    def save(self, exercise: str, learner: str | None = None, offer_download: bool = True) -> SaveResult:
        """Write the exercise's answers to disk (atomically); in Colab, offer a download."""
        _check_exercise(exercise)
        if learner is None:
            known = current_learner()
            if known is None:
                raise AnswerError("No learner name yet: run notebook 00 (or type your name in the box "
                                  "above) before saving. Your answers are still kept in this session.")
            display, slug = known
        else:
            display, slug = learner.strip(), sanitize_learner(learner)
        path = answer_path(exercise, slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        merged: dict[str, Any] = {}
        if path.exists():
            try:
                merged.update(read_answer_file(path)["answers"])
            except AnswerError:
                pass  # an unreadable old file is replaced by the good answers we have now
        merged.update(self._answers.get(exercise, {}))
        doc = {
            "schema_version": SCHEMA_VERSION,
            "exercise": exercise,
            "learner": slug,
            "learner_display": display[:200],
            "package_version": __version__,
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "answers": merged,
        }
        try:
            _atomic_write(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise AnswerError(f"Could not write {path}: {exc.strerror or exc}. Your answers are still "
                              f"in this session; check the folder is writable or set "
                              f"COURSE_UTILS_ANSWERS_DIR.") from None
        self._answers[exercise] = merged
        message = f"Saved {len(merged)} answer(s) to {path}."
        downloaded = False
        if offer_download and in_colab():
            downloaded, note = offer_colab_download(path)
            message += " " + note
        return SaveResult(path=path, answered=len(merged), message=message, downloaded=downloaded)


def offer_colab_download(path: Path) -> tuple[bool, str]:
    """Ask Colab's browser to download the file; (started?, message for the learner)."""
    fallback = (f"If no download starts, open the Files panel on the left, find {path} and "
                f"choose Download.")
    try:
        from google.colab import files  # type: ignore[import-not-found]

        files.download(str(path))
    except Exception as exc:  # noqa: BLE001 - any failure here must not lose the save
        return False, f"The automatic download did not start ({type(exc).__name__}). {fallback}"
    return True, f"A download of {path.name} was offered. {fallback}"


_STORE = AnswerStore()


def store() -> AnswerStore:
    """The kernel-wide store shared by all widgets."""
    return _STORE


def record(exercise: str, question_id: str, value: Any) -> None:
    """Record one answer in the kernel-wide store (not yet on disk)."""
    _STORE.record(exercise, question_id, value)


def save(exercise: str, learner: str | None = None) -> SaveResult:
    """Save one exercise's answers from the kernel-wide store."""
    return _STORE.save(exercise, learner)

