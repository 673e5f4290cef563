"""Answers in, grades out: one set of checks for the notebooks' Check buttons and the instructor.

The grader only *reads JSON*: it never imports, evaluates, unpickles or executes anything from an
answer file, never follows a path written inside one, skips symlinks and caps file sizes. Every
answer value is treated as plain data; a value of the wrong shape scores 0 with a message. Library
warnings are silenced while grading so they can never change a score. Objective facts come from
the shipped snapshot (offline), so grading is reproducible.

Key format (data/answer_key.json): per exercise a list of questions, each with ``id``, ``points``
and a ``kind``: ``exact`` (``expected``), ``set`` (``expected`` list), ``numeric`` (``expected``,
``tolerance``), ``function`` (a named check below, partial credit = right/total), ``rubric`` (free
text: ``concepts`` as lists of alternatives, ``min_words``; provisional points flagged for review),
``min_items`` and ``completion``. A blank answer (nothing, NaN, empty text or only blanks inside)
earns no points whatever the kind.

Manual scores are in :mod:`overrides`, the CSV exports in :mod:`gradebook`, Gradescope in :mod:`gradescope`.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import data, i18n
from .answer_files import (MAX_DEPTH, MAX_FILE_BYTES, Failure, _depth, _finite_float, _NotFinite, _reject_constant,
                           _shown, read_answer_document, scan_folder)
from .errors import AnswerError, CourseError, InvalidInput
from .exercises import EXERCISES, KINDS, answer_key
from .exercises import checks as exercise_checks
from .settings import snapshot_only
from .feedback import Check


@dataclass(frozen=True)
class QuestionResult:
    question: str
    score: float
    max_points: float
    checks: tuple[Check, ...] = ()
    feedback: str = ""
    needs_review: bool = False
    answered: bool = True

    @property
    def to_review(self) -> bool:
        """An answered free-text answer whose points are still provisional (the review queue)."""
        return self.needs_review and self.answered

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "score": self.score, "max_points": self.max_points,
                "feedback": self.feedback, "needs_review": self.needs_review, "answered": self.answered,
                "checks": [c.to_dict() for c in self.checks]}

    def _repr_html_(self) -> str:
        import html

        from .feedback import checks_html

        head = f"<p><b>{self.score:g}/{self.max_points:g} points</b>" + \
               (" <i>(provisional: your instructor reviews this answer)</i>" if self.needs_review else "") + "</p>"
        body = checks_html(self.checks) if self.checks else ""
        return f"<div class='course-grade'>{head}{body}<p>{html.escape(self.feedback)}</p></div>"


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
        lines = [f"graded {s['graded']} file(s) from {s['learners']} learner(s); could not grade {s['failed']}; "
                 f"mean {s['mean']}% of the whole course; {s['needs_review']} free-text answer(s) to review"]
        lines += [f"  not graded: {f.file}: {f.reason}" for f in self.failures]
        lines += [f"  conflict: {c.learner}/{c.exercise} is claimed by {' and '.join(c.files)}: move the wrong "
                  f"file out of the folder and grade again" for c in self.conflicts]
        return "\n".join(lines)


# --------------------------------------------------------------------------- the key

def load_key(path: str | os.PathLike | None = None) -> dict:
    """The course's answer key (from the exercises' declarations), or an instructor's private key file
    (same format: ``course-utils key`` prints it)."""
    if path is None:
        key = answer_key()
    else:
        p = Path(path)
        if p.is_dir():
            raise InvalidInput(f"The key {p} is a folder: give the answer key's .json file.")
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise InvalidInput(f"No key file at {p}: check the path.") from None
        except OSError as exc:
            raise InvalidInput(f"The key file {p} cannot be read ({exc.strerror}).") from None
        if len(raw) > 10 * MAX_FILE_BYTES:
            raise InvalidInput(f"The key file {p.name} is over {10 * MAX_FILE_BYTES:,} bytes: is it the right file?")
        try:
            key = json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant, parse_float=_finite_float)
        except UnicodeDecodeError:
            raise InvalidInput(f"The key file {p.name} is not UTF-8 text: save it as UTF-8 JSON.") from None
        except RecursionError:
            raise InvalidInput(f"The key file {p.name} is nested too deeply to be an answer key.") from None
        except _NotFinite as exc:
            raise InvalidInput(f"The key file {p.name} contains {exc}, which JSON does not allow.") from None
        except ValueError as exc:
            raise InvalidInput(f"The key file {p.name} is not valid JSON ({str(exc)[:80]}).") from None
        if _depth(key) > MAX_DEPTH:
            raise InvalidInput(f"The key file {p.name} is nested more than {MAX_DEPTH} levels deep.")
        try:
            validate_key(key)
        except InvalidInput as exc:
            raise InvalidInput(f"The key file {p.name}: {exc}") from None
        return key
    validate_key(key)
    return key


def validate_key(key: Any) -> None:
    if not isinstance(key, dict) or not isinstance(key.get("exercises"), dict):
        raise InvalidInput("An answer key needs an 'exercises' object.")
    for ex, spec in key["exercises"].items():
        if ex not in EXERCISES:
            raise InvalidInput(f"Key exercise {ex!r} is not one of the course's exercises ({', '.join(EXERCISES)}).")
        questions = spec.get("questions") if isinstance(spec, dict) else None
        if not isinstance(questions, list):
            raise InvalidInput(f"Key exercise {ex!r} needs a 'questions' list.")
        seen = set()
        for q in questions:
            if not isinstance(q, dict) or not isinstance(q.get("id"), str) or not q["id"] or "kind" not in q:
                raise InvalidInput(f"Key exercise {ex!r}: every question needs an 'id' (text) and a 'kind'.")
            if q["id"] in seen:
                raise InvalidInput(f"Key exercise {ex!r}: question {q['id']!r} appears twice.")
            seen.add(q["id"])
            if q["kind"] not in KINDS:
                raise InvalidInput(f"Key question {ex}/{q['id']}: unknown kind {q['kind']!r}; "
                                   f"use one of {', '.join(KINDS)}.")
            if q["kind"] == "function" and q.get("function") not in functions():
                raise InvalidInput(f"Key question {ex}/{q['id']}: unknown function {q.get('function')!r}; "
                                   f"use one of {', '.join(functions())}.")
            points = q.get("points", 1)
            if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 <= points < 1e6:
                raise InvalidInput(f"Key question {ex}/{q['id']}: points must be a number ≥ 0.")


def question_spec(key: dict, exercise: str, question: str) -> dict:
    for q in key["exercises"].get(exercise, {}).get("questions", []):
        if q["id"] == question:
            return q
    raise InvalidInput(f"The key has no question {exercise}/{question}.")


# --------------------------------------------------------------------------- named checks (objective)

def functions() -> dict[str, Callable[[Any, dict], tuple[Check, ...]]]:
    """The named checks a key's ``function`` can use: those the exercises declare."""
    return exercise_checks()


# --------------------------------------------------------------------------- question kinds

def _words(value: Any) -> list[str]:
    return re.findall(r"[\w'$%/.-]+", value) if isinstance(value, str) else []


def is_blank(value: Any, _depth: int = 0) -> bool:
    """No answer: None, NaN/inf, blank text, or a list/object holding only blanks."""
    if value is None:
        return True
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)) and _depth < MAX_DEPTH:
        return all(is_blank(v, _depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return False


def fold(text: str) -> str:
    """Text as rubric terms are matched: no accents, no case, elisions split (l'entraînement -> l entrainement)."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"\b(?:l|d|j|qu|n|s|c|m|t)'", " ", text)


def concept_terms(concept: Any) -> tuple[str, str, list[str]]:
    """(id, first term, every term in every language) of a key concept: an object with ``id`` and
    per-language lists, or (older private keys) a plain list of alternatives."""
    if isinstance(concept, dict):
        terms = [str(w) for lang, words in concept.items() if lang != "id" and isinstance(words, list) for w in words]
        return str(concept.get("id") or (terms[0] if terms else "")), (terms[0] if terms else ""), terms
    terms = [str(a) for a in (concept if isinstance(concept, list) else [concept])]
    return "", terms[0] if terms else "", terms


def _grade_rubric(value, spec, points, exercise: str = "") -> QuestionResult:
    text = value if isinstance(value, str) else ""
    words = len(_words(text))
    low = fold(text)
    checks = []
    for concept in spec.get("concepts", []):
        cid, first, alternatives = concept_terms(concept)
        found = next((a for a in alternatives if fold(a) in low), None)
        what = i18n.label(f"{exercise}.concept.{cid}", i18n.t("grading.rubric.mentions", term=first))
        checks.append(Check(what, found, " / ".join(alternatives), found is not None,
                            i18n.t("grading.rubric.found" if found else "grading.rubric.not_found")))
    min_words = int(spec.get("min_words", 0))
    long_enough = words >= min_words
    share = (sum(c.correct for c in checks) / len(checks)) if checks else 1.0
    score = round(points * share, 2) if long_enough else 0.0
    note = (i18n.t("grading.rubric.provisional", words=words, min_words=min_words)
            if long_enough else i18n.t("grading.rubric.too_short", words=words, min_words=min_words))
    return QuestionResult(spec["id"], score, points, tuple(checks), note, needs_review=True, answered=True)


def _grade_question(spec: dict, answers: dict, exercise: str = "") -> QuestionResult:
    qid, kind, points = spec["id"], spec["kind"], float(spec.get("points", 1))
    value = answers.get(qid)
    if is_blank(value):  # no answer earns no points, whatever the kind
        return QuestionResult(qid, 0.0, points, (), "Not answered.", needs_review=False, answered=False)
    if kind == "rubric":
        return _grade_rubric(value, spec, points, exercise)
    if kind == "completion":
        return QuestionResult(qid, points, points, (), "Done.")
    if kind == "min_items":
        items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
        each = int(spec.get("min_words_each", 0))
        good = [i for i in items if (len(_words(i)) >= each if each else not is_blank(i))]
        need = int(spec.get("min_items", 1))
        score = round(points * min(1.0, len(good) / need), 2)
        return QuestionResult(qid, score, points, (), f"{len(good)} item(s) of at least {need}.")
    if kind == "exact":
        ok = value == spec.get("expected")
        return QuestionResult(qid, points if ok else 0.0, points,
                              (Check(qid, value, spec.get("expected"), ok, spec.get("why", "")),))
    if kind == "set":
        ok = isinstance(value, list) and {json.dumps(v, sort_keys=True) for v in value} == \
            {json.dumps(v, sort_keys=True) for v in spec.get("expected", [])}
        return QuestionResult(qid, points if ok else 0.0, points,
                              (Check(qid, value, spec.get("expected"), ok, spec.get("why", "")),))
    if kind == "numeric":
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        ok = number is not None and abs(number - float(spec["expected"])) <= float(spec.get("tolerance", 0))
        return QuestionResult(qid, points if ok else 0.0, points,
                              (Check(qid, value, spec["expected"], ok, f"tolerance ±{spec.get('tolerance', 0)}"),))
    # function: partial credit
    checks = functions()[spec["function"]](value, spec)
    right = sum(c.correct for c in checks)
    score = round(points * right / len(checks), 2) if checks else 0.0
    return QuestionResult(qid, score, points, tuple(checks), f"{right}/{len(checks)} right.")


def grade_answers(exercise: str, answers: dict, key: dict | None = None,
                  offline: bool = True) -> tuple[QuestionResult, ...]:
    """Grade one exercise's answers (a dict of question id -> value) against the key."""
    key = key or load_key()
    spec = key["exercises"].get(exercise)
    if spec is None:
        raise InvalidInput(f"The key has no exercise {exercise!r}.")
    out = []
    for q in spec["questions"]:
        try:
            with warnings.catch_warnings(), (snapshot_only() if offline else contextlib.nullcontext()):
                warnings.simplefilter("ignore")
                out.append(_grade_question(q, answers, exercise))
        except CourseError as exc:
            out.append(QuestionResult(q["id"], 0.0, float(q.get("points", 1)), (), f"Could not check: {exc}"))
        except Exception as exc:  # noqa: BLE001 - an answer of an odd shape must never stop grading
            out.append(QuestionResult(q["id"], 0.0, float(q.get("points", 1)), (),
                                      f"The answer has an unexpected shape ({type(exc).__name__})."))
    return tuple(out)


def check_question(exercise: str, question: str, value: Any, key: dict | None = None,
                   offline: bool = True) -> QuestionResult:
    """What a notebook's Check button shows: the grader's own result for one answer.

    ``offline=False`` lets named checks use the live Hub (the grader itself always uses the snapshot)."""
    key = key or load_key()
    spec = question_spec(key, exercise, question)
    one = {"exercises": {exercise: {"questions": [spec]}}}
    return next(r for r in grade_answers(exercise, {question: value}, one, offline=offline))


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
        what = "is a file" if folder.is_file() else "does not exist"
        raise InvalidInput(f"{folder} {what}: give the folder that holds the learners' answer files.")
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
                failures.append(Failure(name, f"conflict: {others} also claims {learner}/{exercise} with other "
                                              f"answers; neither is graded until one is removed"))
            continue
        for name, _ in found[1:]:
            failures.append(Failure(name, f"same learner, exercise and answers as {shown} (graded once)"))
        if exercise not in key["exercises"]:
            failures.append(Failure(shown, f"the key has no exercise {exercise}"))
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

        return tqdm(total=total, desc="grading", unit="file", leave=False)
    except ImportError:
        return None

