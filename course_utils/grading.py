"""Batch grading for instructors: folders of answer files in, class results out.

Checking one answer (question kinds, rubric, the Check buttons) is :mod:`checking`; this module
reads files, finds conflicts, applies overrides and builds the class result that exports
(:mod:`gradebook`, :mod:`gradescope`) and reports (:mod:`class_report`) use.

The grader only *reads JSON*: it never imports, evaluates, unpickles or executes anything from an
answer file, never follows a path written inside one, skips symlinks and caps file sizes. Every
answer value is treated as plain data; a value of the wrong shape scores 0 with a message. Library
warnings are silenced while grading so they can never change a score. Objective facts come from
the shipped snapshot (offline), so grading is reproducible.

The key is built from the exercises' declarations; an instructor's private key file in the same
format (``course-utils key`` writes it) overrides it. Manual scores are in :mod:`overrides`.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import i18n, json_errors
from .answer_files import (MAX_DEPTH, MAX_FILE_BYTES, Failure, _depth, _finite_float, _NotFinite, _reject_constant,
                           _shown, read_answer_document, scan_folder)
# One-answer checking lives in .checking; these names stay importable from here.
from .checking import (QuestionResult, check_question, concept_terms, course_key, fold, functions,  # noqa: F401
                       grade_answers, is_blank, question_spec, validate_key)
from .errors import AnswerError, InvalidInput
from .feedback import Check  # noqa: F401


@dataclass(frozen=True)
class LearnerResult:
    """One graded answer file."""

    learner: str
    display: str
    exercise: str
    file: str
    questions: tuple[QuestionResult, ...]
    email: str = ""
    student_id: str = ""
    answers: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def score(self) -> float:
        return round(sum(q.score for q in self.questions), 2)

    @property
    def max_points(self) -> float:
        return round(sum(q.max_points for q in self.questions), 2)


@dataclass(frozen=True)
class Conflict:
    """Several files claim the same learner and exercise with different answers: none is graded."""

    learner: str
    exercise: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class LearnerTotal:
    """A learner over the whole course: missing exercises count 0 and are named in ``missing``."""

    learner: str
    display: str
    scores: tuple[tuple[str, float], ...]  # (exercise, points) for every exercise graded
    total: float
    max_points: float
    missing: tuple[str, ...]
    conflicts: tuple[str, ...]
    email: str = ""
    student_id: str = ""

    @property
    def percent(self) -> float | None:
        return round(self.total / self.max_points * 100, 1) if self.max_points else None


@dataclass(frozen=True)
class ClassResult:
    results: tuple[LearnerResult, ...]
    failures: tuple[Failure, ...]
    conflicts: tuple[Conflict, ...] = ()
    course: tuple[tuple[str, float], ...] = ()  # (exercise, max points) for every exercise in the key

    def learners(self) -> list[LearnerTotal]:
        """One total per learner over every exercise of the course, sorted by learner."""
        course = dict(self.course) or {r.exercise: r.max_points for r in self.results}
        maximum = round(sum(course.values()), 2)
        by: dict[str, list[LearnerResult]] = {}
        for r in self.results:
            by.setdefault(r.learner, []).append(r)
        clashes: dict[str, list[str]] = {}
        for c in self.conflicts:
            clashes.setdefault(c.learner, []).append(c.exercise)
        out = []
        for learner in sorted(set(by) | set(clashes)):
            rows = by.get(learner, [])
            scores = tuple((r.exercise, r.score) for r in sorted(rows, key=lambda r: r.exercise))
            done = {e for e, _ in scores}
            first = rows[0] if rows else None
            out.append(LearnerTotal(
                learner, first.display if first else learner, scores, round(sum(s for _, s in scores), 2), maximum,
                tuple(e for e in course if e not in done and e not in clashes.get(learner, ())),
                tuple(sorted(clashes.get(learner, ()))),
                next((r.email for r in rows if r.email), ""), next((r.student_id for r in rows if r.student_id), "")))
        return out

    @property
    def mean_percent(self) -> float | None:
        """Mean over learners of the percent of the whole course (missing exercises count 0)."""
        pct = [t.percent for t in self.learners() if t.percent is not None]
        return round(sum(pct) / len(pct), 1) if pct else None

    @property
    def review_count(self) -> int:
        return sum(q.to_review for r in self.results for q in r.questions)

    def summary(self) -> dict[str, Any]:
        return {"graded": len(self.results), "learners": len(self.learners()), "failed": len(self.failures),
                "mean": self.mean_percent, "needs_review": self.review_count,
                "failures": [{"file": f.file, "reason": f.reason} for f in self.failures],
                "conflicts": [{"learner": c.learner, "exercise": c.exercise, "files": list(c.files)}
                              for c in self.conflicts]}

    def to_dict(self) -> dict[str, Any]:
        return self.summary()

    def to_text(self) -> str:
        s = self.summary()
        mean = i18n.t("grading.summary.mean", mean=s["mean"]) if s["mean"] is not None else \
            i18n.t("grading.summary.no_mean")
        lines = [i18n.t("grading.summary.sep").join([i18n.tn("grading.summary.graded", s["graded"], learners=i18n.tn(
                     "grading.summary.learners", s["learners"])),
                     i18n.tn("grading.summary.failed", s["failed"]), mean,
                     i18n.tn("grading.summary.to_review", s["needs_review"])])]
        lines += ["  " + i18n.t("grading.summary.not_graded", file=f.file, reason=f.reason) for f in self.failures]
        lines += ["  " + i18n.t("grading.summary.conflict", where=f"{c.learner}/{c.exercise}",
                                files=i18n.t("grading.and").join(c.files)) for c in self.conflicts]
        return "\n".join(lines)


# --------------------------------------------------------------------------- the key

def load_key(path: str | os.PathLike | None = None) -> dict:
    """The course's answer key (from the exercises' declarations), or an instructor's private key file
    (same format: ``course-utils key`` prints it)."""
    if path is None:
        key = course_key()
    else:
        p = Path(path)
        if p.is_dir():
            raise InvalidInput(i18n.t("grading.keyfile.folder", path=p))
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise InvalidInput(i18n.t("grading.keyfile.missing", path=p)) from None
        except OSError as exc:
            raise InvalidInput(i18n.t("grading.keyfile.unreadable", path=p, error=exc.strerror)) from None
        if len(raw) > 10 * MAX_FILE_BYTES:
            raise InvalidInput(i18n.t("grading.keyfile.too_large", name=p.name, limit=i18n.number(10 * MAX_FILE_BYTES, ",")))
        try:
            key = json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant, parse_float=_finite_float)
        except UnicodeDecodeError:
            raise InvalidInput(i18n.t("grading.keyfile.not_utf8", name=p.name)) from None
        except RecursionError:
            raise InvalidInput(i18n.t("grading.keyfile.recursion", name=p.name)) from None
        except _NotFinite as exc:
            raise InvalidInput(i18n.t("grading.keyfile.not_finite", name=p.name, value=exc)) from None
        except json.JSONDecodeError as exc:
            raise InvalidInput(i18n.t("grading.keyfile.not_json", name=p.name, error=json_errors.describe(exc))) from None
        except ValueError as exc:  # e.g. an integer with thousands of digits
            raise InvalidInput(i18n.t("grading.keyfile.not_json", name=p.name, error=str(exc)[:80])) from None
        if _depth(key) > MAX_DEPTH:
            raise InvalidInput(i18n.t("grading.keyfile.too_deep", name=p.name, depth=MAX_DEPTH))
        try:
            validate_key(key)
        except InvalidInput as exc:
            raise InvalidInput(i18n.t("grading.keyfile.invalid", name=p.name, problem=exc)) from None
        return key
    validate_key(key)
    return key


# --------------------------------------------------------------------------- files and folders

def grade_dir(folder: str | os.PathLike, key: dict | None = None, overrides=None, progress: bool = False,
              skip: Iterable[str | os.PathLike] = ()) -> ClassResult:
    """Grade every *.json file under a folder; every other file is listed with why it was not graded.

    Two files claiming the same learner and exercise with different answers are a conflict: neither is
    graded, both are listed. ``overrides`` (from :func:`read_overrides`) are checked and applied.
    ``skip``: files to leave out silently (the overrides or roster CSV kept in the folder).
    """
    folder = Path(folder)
    try:
        is_dir = folder.is_dir()
    except OSError:
        is_dir = False
    if not is_dir:
        raise InvalidInput(i18n.t("grading.folder.is_file" if folder.is_file() else "grading.folder.missing",
                                  folder=folder))
    key = key or load_key()
    files, failures = scan_folder(folder, [Path(p) for p in skip])
    docs: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    bar = _progress(len(files)) if progress else None
    for path in files:
        shown = _shown(path, folder)
        try:
            doc = read_answer_document(path)
        except AnswerError as exc:
            failures.append(Failure(shown, str(exc)))
        else:
            docs.setdefault((doc["learner"], doc["exercise"]), []).append((shown, doc))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    results, conflicts = [], []
    for (learner, exercise), found in sorted(docs.items()):
        shown, doc = found[0]
        distinct = {json.dumps(d["answers"], sort_keys=True) for _, d in found}
        if len(distinct) > 1:  # never pick one by saved_at: a clock can be wrong or a date typed in
            names = tuple(name for name, _ in found)
            conflicts.append(Conflict(learner, exercise, names))
            for name in names:
                others = ", ".join(n for n in names if n != name)
                failures.append(Failure(name, i18n.t("grading.conflict", others=others,
                                                     where=f"{learner}/{exercise}")))
            continue
        for name, _ in found[1:]:
            failures.append(Failure(name, i18n.t("grading.duplicate", file=shown)))
        if exercise not in key["exercises"]:
            failures.append(Failure(shown, i18n.t("grading.key_lacks", exercise=exercise)))
            continue
        results.append(LearnerResult(learner, doc["learner_display"], exercise, shown,
                                     grade_answers(exercise, doc["answers"], key), doc["learner_email"],
                                     doc["learner_id"], doc["answers"]))
    course = tuple((ex, round(sum(float(q.get("points", 1)) for q in spec["questions"]), 2))
                   for ex, spec in key["exercises"].items())
    result = ClassResult(tuple(results), tuple(sorted(failures, key=lambda f: f.file)), tuple(conflicts), course)
    if overrides:
        from .overrides import apply_overrides

        result = apply_overrides(result, overrides, key)
    return result


def _progress(total: int):
    try:
        from tqdm.auto import tqdm

        # disable=None: a terminal's bar only on a terminal (its carriage returns garble a log or a pipe);
        # the notebook's bar is a widget and stays
        return tqdm(total=total, desc=i18n.t("grading.progress"), unit="file", leave=False, disable=None)
    except ImportError:
        return None



# --------------------------------------------------------------------------- the key as a file

@dataclass(frozen=True)
class KeyWritten:
    """What `course-utils key --out FILE` did."""

    path: str
    exercises: int
    questions: int

    def to_dict(self) -> dict[str, Any]:
        return {"written": self.path, "exercises": self.exercises, "questions": self.questions}

    def to_text(self) -> str:
        return i18n.t("cli.key.written", path=self.path, questions=i18n.tn("cli.key.questions", self.questions),
                      exercises=self.exercises)


def write_key(path: str | os.PathLike, key: dict | None = None) -> KeyWritten:
    """Write the course's answer key (or ``key``) as a private key file an instructor can edit and pass
    back with ``--key`` (the file is checked as :func:`load_key` would read it)."""
    import tempfile

    key = key or course_key()
    validate_key(key)
    target = Path(path)
    if target.is_dir():
        raise InvalidInput(i18n.t("grading.keyfile.folder", path=target))
    text = json.dumps(key, indent=2, ensure_ascii=False) + "\n"
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.",
                                   suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise InvalidInput(i18n.t("grading.keyfile.cannot_write", path=target, error=exc.strerror or exc)) from None
    questions = sum(len(spec["questions"]) for spec in key["exercises"].values())
    return KeyWritten(str(target), len(key["exercises"]), questions)
