"""Manual scores from the instructor's review: ``learner,exercise,question,score,comment`` in a CSV.

Every row is checked before any is applied: an unknown learner, exercise or question, a score that is
not a number between 0 and the question's points, an empty learner or a repeated row is an error
naming the file and line. Nothing is clamped or skipped in silence.
"""
from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

from .answers import sanitize_learner
from .errors import AnswerError, InvalidInput
from .model_ids import CUTOFF_WORDS, did_you_mean
from .grading import ClassResult, QuestionResult

COLUMNS = ("learner", "exercise", "question", "score", "comment")
MAX_BYTES = 5_000_000
MAX_SHOWN = 3  # problems printed, so the CLI stays at three lines


@dataclass(frozen=True)
class Override:
    line: int
    learner: str
    exercise: str
    question: str
    score: float
    comment: str = ""


@dataclass(frozen=True)
class Overrides:
    file: str
    rows: tuple[Override, ...]

    def __bool__(self) -> bool:
        return bool(self.rows)


def _problems(name: str, problems: list[str]) -> InvalidInput:
    shown = problems if len(problems) <= MAX_SHOWN else problems[:MAX_SHOWN - 1] + [
        f"and {len(problems) - MAX_SHOWN + 1} more problem(s)"]
    return InvalidInput("\n".join(f"{name} {p}" for p in shown) +
                        " (nothing was applied: fix the file and grade again)")


def _read_text(p: Path, what: str = "overrides") -> str:
    """The text of a small UTF-8 CSV (``what``: "overrides" or "roster", for the messages)."""
    if p.is_dir():
        raise InvalidInput(f"The {what} file {p} is a folder: give the {what} .csv file.")
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"No {what} file at {p}: check the path.") from None
    except OSError as exc:
        raise InvalidInput(f"The {what} file {p} cannot be read ({exc.strerror}).") from None
    if len(raw) > MAX_BYTES:
        raise InvalidInput(f"The {what} file {p.name} is over {MAX_BYTES:,} bytes: is it the right file?")
    if b"\0" in raw:
        raise InvalidInput(f"The {what} file {p.name} is not a text file: save it as a UTF-8 CSV.")
    try:
        return raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" adds a BOM
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InvalidInput(f"The {what} file {p.name}, line {line}, is not UTF-8 text: save it as "
                           f"\"CSV UTF-8\" and try again.") from None


def _number(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_overrides(path: str | os.PathLike | None) -> Overrides | None:
    """Parse an overrides CSV (checked against the class by :func:`apply_overrides`)."""
    if not path:
        return None
    p = Path(path)
    text = _read_text(p)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise InvalidInput(f"The overrides file {p.name}, line 1, is not a CSV ({exc}).") from None
    missing = [c for c in COLUMNS[:4] if c not in header]
    if missing:
        raise InvalidInput(f"The overrides file {p.name}, line 1, needs the columns {', '.join(COLUMNS)}; "
                           f"missing {', '.join(missing)}.")
    reader.fieldnames = header
    rows, problems, seen = [], [], {}
    try:
        for row in reader:
            n = reader.line_num
            get = {c: (row.get(c) or "").strip() if isinstance(row.get(c), str) else "" for c in COLUMNS}
            if not any(get.values()):
                continue
            try:
                learner = sanitize_learner(get["learner"])
            except AnswerError:
                problems.append(f"line {n}: the learner is empty or has no letters")
                continue
            score = _number(get["score"])
            if score is None:
                problems.append(f"line {n}: score {get['score']!r} is not a number (nan and inf are not scores)")
                continue
            ident = (learner, get["exercise"], get["question"])
            if ident in seen:
                problems.append(f"line {n}: repeats line {seen[ident]} ({'/'.join(ident)}); keep one")
                continue
            seen[ident] = n
            rows.append(Override(n, learner, get["exercise"], get["question"], score, get["comment"]))
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: is not valid CSV ({exc})")
    if problems:
        raise _problems(p.name, problems)
    return Overrides(p.name, tuple(rows))


def _suggest(word: str, choices) -> str:
    near = did_you_mean(word, choices, n=2, cutoff=CUTOFF_WORDS)
    return f" (did you mean: {', '.join(near)}?)" if near else ""


def apply_overrides(result: ClassResult, overrides: Overrides, key: dict) -> ClassResult:
    """The result with the manual scores in place; raises InvalidInput listing every row that cannot apply."""
    graded = {(r.learner, r.exercise): i for i, r in enumerate(result.results)}
    learners = {r.learner for r in result.results}
    problems, hits = [], {}
    for o in overrides.rows:
        spec = key["exercises"].get(o.exercise)
        where = f"line {o.line}:"
        if o.learner not in learners:
            problems.append(f"{where} unknown learner {o.learner!r} (no graded file){_suggest(o.learner, learners)}")
        elif spec is None:
            problems.append(f"{where} unknown exercise {o.exercise!r}{_suggest(o.exercise, key['exercises'])}")
        elif (o.learner, o.exercise) not in graded:
            problems.append(f"{where} {o.learner} has no graded {o.exercise} file, so there is nothing to override")
        else:
            questions = {q["id"]: float(q.get("points", 1)) for q in spec["questions"]}
            if o.question not in questions:
                problems.append(f"{where} {o.exercise} has no question {o.question!r}"
                                f"{_suggest(o.question, questions)}")
            elif not 0 <= o.score <= questions[o.question]:
                problems.append(f"{where} score {o.score:g} is outside 0..{questions[o.question]:g} for "
                                f"{o.exercise}/{o.question}")
            else:
                hits[(o.learner, o.exercise, o.question)] = o
    if problems:
        raise _problems(overrides.file, problems)
    results = list(result.results)
    for (learner, exercise), i in graded.items():
        r = results[i]
        questions = []
        for q in r.questions:
            o = hits.get((learner, exercise, q.question))
            if o is not None:
                q = QuestionResult(q.question, o.score, q.max_points, q.checks,
                                   f"Reviewed by the instructor: {o.comment}" if o.comment
                                   else "Reviewed by the instructor.", needs_review=False, answered=q.answered)
            questions.append(q)
        results[i] = replace(r, questions=tuple(questions))
    return replace(result, results=tuple(results))


def save_override(path: str | os.PathLike, learner: str, exercise: str, question: str, score: float,
                  comment: str = "", max_points: float | None = None) -> Path:
    """Add or replace one manual score in the overrides CSV (atomic write)."""
    from .gradebook import write_csv

    p = Path(path)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score) or score < 0:
        raise InvalidInput(f"The score must be a number ≥ 0, not {score!r}.")
    if max_points is not None and score > max_points:
        raise InvalidInput(f"The score {score:g} is above this question's {max_points:g} points.")
    try:
        learner = sanitize_learner(learner)  # as read_overrides keys the rows: one row per learner
    except AnswerError:
        raise InvalidInput(f"The learner {learner!r} is empty or has no letters.") from None
    existing = read_overrides(p) if p.exists() else None
    rows = {(o.learner, o.exercise, o.question): o for o in (existing.rows if existing else ())}
    rows[(learner, exercise, question)] = Override(0, learner, exercise, question, float(score),
                                                   " ".join(str(comment).split()))
    write_csv(p, COLUMNS, [{"learner": o.learner, "exercise": o.exercise, "question": o.question,
                            "score": f"{o.score:g}", "comment": o.comment} for _, o in sorted(rows.items())])
    return p
