"""The answers store every exercise notebook uses.

Widgets call :func:`record` as the learner works and start from :func:`restored` (what this
kernel recorded, else the remembered learner's saved file), so a restarted kernel shows what was
saved. "Save answers" calls :func:`save`: under a cross-process lock it merges the file on disk
with this kernel's answers, then writes ``<answers dir>/<exercise>_<learner>.json`` atomically
(temporary file, fsync, rename), so two kernels saving at once lose nothing and a crash mid-save
never damages the last good file.

Merge rule: a blank answer (empty text, nothing picked, an empty list) never replaces a non-blank
one; dict answers merge key by key under the same rule. Removing an answer is explicit:
:func:`clear`.

File format (``schema_version`` 1)::

    {"schema_version": 1, "exercise": "ex02", "learner": "ada-lovelace",
     "learner_display": "Ada Lovelace", "package_version": "0.1.0",
     "saved_at": "2026-11-27T10:00:00+00:00",
     "answers": {"q1_license": "apache-2.0", ...}}
"""
from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from . import __version__, json_errors
from .errors import AnswerError
from .exercises import EXERCISES
from .i18n import number, t, tn
from .settings import get_settings, in_colab

SCHEMA_VERSION = 1
MAX_NAME_LENGTH = 64  # characters of the file-name slug
MAX_SLUG_BYTES = 120  # UTF-8 bytes of the slug: file names are limited to 255 bytes
MAX_DISPLAY_LENGTH = 200
MAX_VALUE_CHARS = 20_000  # one answer; free text longer than a few pages is a mistake
LEARNER_FILE = ".learner_name"
LOCK_FILE = ".answers.lock"
LOCK_TIMEOUT_S = 20.0
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_TEMP_FILE = re.compile(r"^\..+\.(json|learner_name)\.[^.]+\.tmp$")
_MISSING = object()


# ---------------------------------------------------------------- names


def sanitize_learner(name: str) -> str:
    """A file-name part from a learner's name, safe on Linux, macOS and Windows.

    Letters and digits of every script are kept (accents on Latin letters are dropped, as in
    'José Núñez' -> 'jose-nunez'; 'Дмитрий Иванов' -> 'дмитрий-иванов'), everything else
    becomes '-', the result is lower-case (casefold), at most 64 characters and 120 bytes.
    Windows device names (CON, NUL, COM1...) get '-learner' appended. Idempotent.
    Raises AnswerError for a name with no letter or digit at all.
    """
    if not isinstance(name, str):
        raise AnswerError(t("answers.name.not_text"))
    # NFKC first (full-width and ligature forms to plain letters); a letter that NFKC turns into
    # marks only (some Arabic presentation forms) is kept as it is instead
    slug = _slug(unicodedata.normalize("NFKC", name)) or _slug(unicodedata.normalize("NFC", name))
    if not slug:
        raise AnswerError(t("answers.name.no_letters", name=repr(name)))
    if slug in _WINDOWS_RESERVED:
        slug += "-learner"
    return slug


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFD", name.casefold())
    kept: list[str] = []
    for ch in text:
        if unicodedata.category(ch).startswith("M"):  # a combining mark
            if kept and kept[-1] != "-" and not kept[-1].isascii():
                kept.append(ch)  # й, ü in Cyrillic, Devanagari vowel signs... stay
            continue  # é -> e on Latin letters, a stray mark goes
        kept.append(ch if ch.isalnum() else "-")
    slug = re.sub(r"-+", "-", unicodedata.normalize("NFC", "".join(kept))).strip("-")
    slug = slug[:MAX_NAME_LENGTH]
    while len(slug.encode("utf-8")) > MAX_SLUG_BYTES:
        slug = slug[:-1]
    return slug.strip("-")


def same_learner(a: str, b: str) -> bool:
    """Whether two display names are the same person's (case and spacing aside)."""
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).casefold().split())

    return norm(a) == norm(b)


def _check_display(name: str) -> str:
    if not isinstance(name, str):
        raise AnswerError(t("answers.name.not_text"))
    display = name.strip()
    if not display:
        raise AnswerError(t("answers.name.empty"))
    if len(display) > MAX_DISPLAY_LENGTH:
        raise AnswerError(t("answers.name.too_long", length=len(display), limit=MAX_DISPLAY_LENGTH))
    sanitize_learner(display)  # says so if it has no letters or digits
    return display


# ---------------------------------------------------------------- values and merging


def _check_exercise(exercise: str) -> str:
    if exercise not in EXERCISES:
        raise AnswerError(t("answers.unknown_exercise", exercise=repr(exercise), choices=", ".join(EXERCISES)))
    return exercise


def _check_value(question_id: str, value: Any) -> Any:
    """Return a JSON-safe copy of value, or raise AnswerError saying what is wrong."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise AnswerError(t("answers.value.type", question=repr(question_id), type=type(value).__name__)) from None
    size = len(value) if isinstance(value, str) else len(text)
    if size > MAX_VALUE_CHARS:
        raise AnswerError(t("answers.value.too_long", question=repr(question_id), size=number(size, ","),
                            limit=number(MAX_VALUE_CHARS, ",")))
    return json.loads(text)


MAX_DEPTH = 32  # nesting levels an answer may have (real ones have about 4); the grader refuses deeper files


def is_blank(value: Any, _depth: int = 0) -> bool:
    """No answer given: None, NaN/inf, empty or whitespace text, or a list/object holding only blanks.

    The one rule for the store (a blank never replaces a saved answer) and the grader (a blank earns 0)."""
    if value is None:
        return True
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)) and _depth < MAX_DEPTH:
        return all(is_blank(v, _depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return False


def merge_answer(old: Any, new: Any) -> Any:
    """new over old, except that a blank never replaces a non-blank (dicts merge key by key)."""
    if old is _MISSING:
        return new
    if new is _MISSING or (is_blank(new) and not is_blank(old)):
        return old
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: merge_answer(old.get(k, _MISSING), new.get(k, _MISSING)) for k in {**old, **new}}
    return new


def merge_answers(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Per question: :func:`merge_answer`."""
    return {q: merge_answer(old.get(q, _MISSING), new.get(q, _MISSING)) for q in {**old, **new}}


# ---------------------------------------------------------------- files and folders


@dataclass(frozen=True)
class SaveResult:
    path: Path
    answered: int
    message: str
    downloaded: bool = False
    kind: str = "ok"  # "warn" when some answer was not kept (see problems)
    problems: tuple[str, ...] = ()


def answers_dir() -> Path:
    return get_settings().answers_dir


def _os_problem(exc: OSError, path: Path) -> str:
    """A one-line reason for an OSError on the answers folder, with what to do."""
    code = exc.errno
    if code == errno.ENOSPC or code == getattr(errno, "EDQUOT", -1):
        return t("answers.os.full", path=path)
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return t("answers.os.read_only", path=path)
    if code in (errno.ENOTDIR, errno.EEXIST):
        return t("answers.os.not_folder", path=path)
    if code == errno.ENOENT:
        return t("answers.os.missing", path=path)
    return t("answers.os.other", path=path, error=exc.strerror or exc)


def _kept(action: str) -> str:
    return "" if action.startswith("remember") else " " + t("answers.still_in_session")


def _ready_folder(action: str) -> Path:
    """The answers folder, created if missing; AnswerError when it cannot be used."""
    folder = answers_dir()
    kept = _kept(action)
    if folder.exists() and not folder.is_dir():
        raise AnswerError(t("answers.could_not", action=t(f"answers.action.{action}"),
                            problem=t("answers.os.is_file", path=folder)) + kept)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AnswerError(t("answers.could_not", action=t(f"answers.action.{action}"),
                            problem=_os_problem(exc, folder)) + kept) from None
    return folder


@contextlib.contextmanager
def _locked(folder: Path, action: str) -> Iterator[None]:
    """Hold the folder's cross-process lock (one saver at a time, across kernels and scripts)."""
    try:
        from filelock import FileLock, SoftFileLock, Timeout
    except ImportError:  # pragma: no cover - filelock comes with huggingface_hub
        yield
        return
    lock = FileLock(str(folder / LOCK_FILE), timeout=LOCK_TIMEOUT_S)
    try:
        try:
            lock.acquire()
        except NotImplementedError:  # a file system without flock (some network drives)
            lock = SoftFileLock(str(folder / (LOCK_FILE + ".soft")), timeout=LOCK_TIMEOUT_S)
            lock.acquire()
    except Timeout:
        raise AnswerError(t("answers.could_not", action=t(f"answers.action.{action}"),
                            problem=t("answers.lock_timeout", folder=folder, seconds=number(LOCK_TIMEOUT_S, ".0f")))
                          + _kept(action)) from None
    except OSError as exc:
        raise AnswerError(t("answers.could_not", action=t(f"answers.action.{action}"),
                            problem=_os_problem(exc, folder)) + _kept(action)) from None
    try:
        yield
    finally:
        lock.release()


def _clean_temp_files(folder: Path) -> None:
    """Remove temporary files left by a save that was killed (call with the lock held)."""
    try:
        leftovers = [p for p in folder.iterdir() if _TEMP_FILE.match(p.name) and p.is_file()]
    except OSError:
        return
    for p in leftovers:
        with contextlib.suppress(OSError):
            p.unlink()


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_answer_file(path: Path) -> dict:
    """A saved answer file's document (raises AnswerError when unreadable)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise AnswerError(t("answers.file.unreadable", path=path, error=json_errors.reason(exc))) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("answers"), dict):
        raise AnswerError(t("answers.file.not_answers", path=path))
    return doc


def _owner(doc: dict) -> str | None:
    display = doc.get("learner_display")
    return display if isinstance(display, str) and display.strip() else None


def answer_path(exercise: str, learner_slug: str) -> Path:
    return answers_dir() / f"{_check_exercise(exercise)}_{sanitize_learner(learner_slug)}.json"


# ---------------------------------------------------------------- the learner


def current_learner() -> tuple[str, str] | None:
    """(display name, file-safe name) remembered by notebook 00, or None."""
    try:
        doc = json.loads((answers_dir() / LEARNER_FILE).read_text(encoding="utf-8"))
        return str(doc["display"]), sanitize_learner(str(doc["slug"]))
    except (OSError, ValueError, KeyError, TypeError, AnswerError):
        return None


_REMEMBERED: dict[tuple, str | None] = {}


def remembered_language() -> str | None:
    """The course language the learner chose in notebook 00 (kept beside their name), or None.

    Every message asks for it when no language is set, so the file is read again only when it
    changed (its path, inode, size and modification time); a stat costs a few microseconds."""
    path = answers_dir() / LEARNER_FILE
    try:
        info = path.stat()
    except OSError:
        return None
    key = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)  # a save renames a new file in: new inode
    if key not in _REMEMBERED:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        lang = doc.get("lang") if isinstance(doc, dict) else None
        _REMEMBERED.clear()
        _REMEMBERED[key] = lang if isinstance(lang, str) else None
    return _REMEMBERED[key]


def remember_language(lang: str) -> str:
    """Keep the learner's course language for the other notebooks (their name stays as it was)."""
    from .i18n import set_language

    code = set_language(lang)
    folder = _ready_folder("remember_language")
    with _locked(folder, "remember_language"):
        try:
            doc = json.loads((folder / LEARNER_FILE).read_text(encoding="utf-8"))
            doc = doc if isinstance(doc, dict) else {}
        except (OSError, ValueError):
            doc = {}
        doc["lang"] = code
        try:
            _atomic_write(folder / LEARNER_FILE, json.dumps(doc, ensure_ascii=False))
        except OSError as exc:
            raise AnswerError(t("answers.could_not", action=t("answers.action.remember_language"),
                                problem=_os_problem(exc, folder))) from None
    return code


def slug_owners(display: str, slug: str) -> list[tuple[str, str]]:
    """Answer files with this slug that belong to somebody else: (file name, their name)."""
    found = []
    folder = answers_dir()
    for exercise in EXERCISES:
        path = folder / f"{exercise}_{slug}.json"
        try:
            owner = _owner(read_answer_file(path)) if path.is_file() else None
        except AnswerError:
            owner = None
        if owner is not None and not same_learner(owner, display):
            found.append((path.name, owner))
    return found


def remember_learner(name: str) -> str:
    """Store the learner's name for the other notebooks; returns a message to show.

    The name is kept exactly as typed (spaces at the ends aside). Someone who is already
    remembered under the same name keeps their file name.
    """
    display = _check_display(name)
    slug = sanitize_learner(display)
    known = current_learner()
    if known and same_learner(known[0], display):
        slug = known[1]
    folder = _ready_folder("remember_name")
    with _locked(folder, "remember_name"):
        _clean_temp_files(folder)
        try:
            profile = {"display": display, "slug": slug}
            lang = remembered_language()
            if lang:
                profile["lang"] = lang
            _atomic_write(folder / LEARNER_FILE, json.dumps(profile, ensure_ascii=False))
        except OSError as exc:
            raise AnswerError(t("answers.could_not", action=t("answers.action.remember_name"),
                                problem=_os_problem(exc, folder))) from None
    message = t("answers.hello", name=display, path=folder / (t("answers.exercise_placeholder") + "_" + slug + ".json"))
    others = slug_owners(display, slug)
    if others:
        message += " " + t("answers.slug_taken", file=others[0][0], owner=repr(others[0][1]))
    return message


# ---------------------------------------------------------------- the store


class AnswerStore:
    """Answers of one kernel session, per exercise, merged with what is already on disk."""

    def __init__(self) -> None:
        self._answers: dict[str, dict[str, Any]] = {}
        self._cleared: dict[str, set[str]] = {}
        self._rejected: dict[str, dict[str, str]] = {}

    def record(self, exercise: str, question_id: str, value: Any) -> None:
        """Record one answer in this session. A blank never replaces a non-blank recorded answer;
        an answer that cannot be kept raises AnswerError and is remembered as not kept."""
        _check_exercise(exercise)
        if not isinstance(question_id, str) or not question_id.strip():
            raise AnswerError(t("answers.question_id"))
        try:
            value = _check_value(question_id, value)
        except AnswerError as exc:
            self._rejected.setdefault(exercise, {})[question_id] = str(exc)
            raise
        self._rejected.get(exercise, {}).pop(question_id, None)
        mine = self._answers.setdefault(exercise, {})
        if is_blank(value) and question_id not in mine:
            return  # a blank is no answer: nothing to keep (and nothing saved is replaced by it)
        mine[question_id] = merge_answer(mine.get(question_id, _MISSING), value)
        if not is_blank(value):
            self._cleared.get(exercise, set()).discard(question_id)

    def get(self, exercise: str, question_id: str, default: Any = None) -> Any:
        return self._answers.get(exercise, {}).get(question_id, default)

    def answers(self, exercise: str) -> dict[str, Any]:
        return dict(self._answers.get(_check_exercise(exercise), {}))

    def not_kept(self, exercise: str) -> dict[str, str]:
        """Answers the learner gave that could not be recorded: {question: why}."""
        return dict(self._rejected.get(exercise, {}))

    def saved(self, exercise: str) -> dict[str, Any]:
        """The remembered learner's saved answers for an exercise ({} if none or not theirs)."""
        known = current_learner()
        if known is None:
            return {}
        path = answers_dir() / f"{_check_exercise(exercise)}_{known[1]}.json"
        try:
            doc = read_answer_file(path)
        except AnswerError:
            return {}
        owner = _owner(doc)
        if owner is not None and not same_learner(owner, known[0]):
            return {}  # another learner's file with the same slug
        return doc["answers"]

    def restored(self, exercise: str, question_id: str, default: Any = None) -> Any:
        """What a widget starts from: this kernel's answer, else the saved one, else default."""
        if question_id in self._cleared.get(exercise, set()):
            return default
        value = merge_answer(self.saved(exercise).get(question_id, _MISSING),
                             self._answers.get(exercise, {}).get(question_id, _MISSING))
        return default if value is _MISSING or is_blank(value) else value

    def _learner(self, learner: str | None) -> tuple[str, str]:
        if learner is None:
            known = current_learner()
            if known is None:
                raise AnswerError(t("answers.no_learner"))
            return known
        display = _check_display(learner)
        return display, sanitize_learner(display)

    def save(self, exercise: str, learner: str | None = None, offer_download: bool = True) -> SaveResult:
        """Merge with the file on disk and write it (locked, atomic); in Colab, offer a download."""
        _check_exercise(exercise)
        display, slug = self._learner(learner)
        folder = _ready_folder("save")
        path = folder / f"{exercise}_{slug}.json"
        cleared = set(self._cleared.get(exercise, set()))
        with _locked(folder, "save"):
            _clean_temp_files(folder)
            on_disk: dict[str, Any] = {}
            if path.exists():
                try:
                    doc = read_answer_file(path)
                except AnswerError:
                    doc = None  # an unreadable old file is replaced by the good answers we have now
                if doc is not None:
                    owner = _owner(doc)
                    if owner is not None and not same_learner(owner, display):
                        raise AnswerError(t("answers.not_saved_owner", file=path.name, owner=repr(owner),
                                            name=repr(display)))
                    on_disk = doc["answers"]
            merged = merge_answers(on_disk, self._answers.get(exercise, {}))
            for q in cleared:
                merged.pop(q, None)
            doc = {
                "schema_version": SCHEMA_VERSION,
                "exercise": exercise,
                "learner": slug,
                "learner_display": display,
                "package_version": __version__,
                "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "answers": merged,
            }
            try:
                _atomic_write(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
            except OSError as exc:
                raise AnswerError(t("answers.could_not", action=t("answers.action.save"),
                                    problem=_os_problem(exc, path)) + _kept("save")) from None
        self._answers[exercise] = dict(merged)
        self._cleared.get(exercise, set()).difference_update(cleared)
        problems = tuple(self.not_kept(exercise).values())
        message = tn("answers.saved", len(merged), path=path)
        if problems:
            message = tn("answers.saved_but", len(merged), path=path, problems=" ".join(problems))
        downloaded = False
        if offer_download and in_colab():
            downloaded, note = offer_colab_download(path)
            message += " " + note
        return SaveResult(path=path, answered=len(merged), message=message, downloaded=downloaded,
                          kind="warn" if problems else "ok", problems=problems)

    def clear(self, exercise: str, question_id: str, learner: str | None = None) -> str:
        """Remove one answer on purpose, in this session and (if saved before) in the file."""
        _check_exercise(exercise)
        self._answers.get(exercise, {}).pop(question_id, None)
        self._rejected.get(exercise, {}).pop(question_id, None)
        self._cleared.setdefault(exercise, set()).add(question_id)
        known = current_learner() if learner is None else (learner, sanitize_learner(learner))
        if known is not None and (answers_dir() / f"{exercise}_{known[1]}.json").exists():
            result = self.save(exercise, learner, offer_download=False)
            return t("answers.cleared_saved", question=repr(question_id), file=result.path.name)
        return t("answers.cleared", question=repr(question_id))


def offer_colab_download(path: Path) -> tuple[bool, str]:
    """Ask Colab's browser to download the file; (started?, message for the learner)."""
    fallback = t("answers.download.fallback", path=path)
    if not Path(path).is_file():
        return False, t("answers.download.no_file", path=path)
    try:
        from google.colab import files  # type: ignore[import-not-found]

        files.download(str(path))
    except Exception as exc:  # noqa: BLE001 - any failure here must not lose the save
        return False, t("answers.download.failed", error=type(exc).__name__) + " " + fallback
    return True, t("answers.download.offered", file=path.name) + " " + fallback


_STORE = AnswerStore()


def store() -> AnswerStore:
    """The kernel-wide store shared by all widgets."""
    return _STORE


def record(exercise: str, question_id: str, value: Any) -> None:
    """Record one answer in the kernel-wide store (not yet on disk)."""
    _STORE.record(exercise, question_id, value)


def restored(exercise: str, question_id: str, default: Any = None) -> Any:
    """What a widget for this question starts from (this kernel's answer, else the saved one)."""
    return _STORE.restored(exercise, question_id, default)


def save(exercise: str, learner: str | None = None) -> SaveResult:
    """Save one exercise's answers from the kernel-wide store."""
    return _STORE.save(exercise, learner)


def clear(exercise: str, question_id: str) -> str:
    """Remove one answer on purpose (in this kernel and in the saved file)."""
    return _STORE.clear(exercise, question_id)
