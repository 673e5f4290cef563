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
from .i18n import number, t, tn

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
        tn("overrides.more", len(problems) - MAX_SHOWN + 1)]
    return InvalidInput("\n".join(f"{name} {p}" for p in shown) + " " + t("overrides.nothing_applied"))


def _read_text(p: Path, what: str = "overrides") -> str:
    """The text of a small UTF-8 CSV (``what``: "overrides" or "roster", for the messages)."""
    kind = t(f"overrides.what.{what}")
    if p.is_dir():
        raise InvalidInput(t("overrides.file.folder", what=kind, path=p))
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(t("overrides.file.missing", what=kind, path=p)) from None
    except OSError as exc:
        raise InvalidInput(t("overrides.file.unreadable", what=kind, path=p, error=exc.strerror)) from None
    if len(raw) > MAX_BYTES:
        raise InvalidInput(t("overrides.file.too_large", what=kind, name=p.name, limit=f"{MAX_BYTES:,}"))
    if b"\0" in raw:
        raise InvalidInput(t("overrides.file.binary", what=kind, name=p.name))
    try:
        return raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" adds a BOM
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InvalidInput(t("overrides.file.not_utf8", what=kind, name=p.name, line=line)) from None


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
        raise InvalidInput(t("overrides.not_csv", name=p.name, error=exc)) from None
    missing = [c for c in COLUMNS[:4] if c not in header]
    if missing:
        raise InvalidInput(t("overrides.columns", name=p.name, columns=", ".join(COLUMNS), missing=", ".join(missing)))
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
                problems.append(t("overrides.row.no_learner", line=n))
                continue
            score = _number(get["score"])
            if score is None:
                problems.append(t("overrides.row.not_number", line=n, score=repr(get["score"])))
                continue
            ident = (learner, get["exercise"], get["question"])
            if ident in seen:
                problems.append(t("overrides.row.repeat", line=n, first=seen[ident], where="/".join(ident)))
                continue
            seen[ident] = n
            rows.append(Override(n, learner, get["exercise"], get["question"], score, get["comment"]))
    except csv.Error as exc:
        problems.append(t("overrides.row.bad_csv", line=reader.line_num, error=exc))
    if problems:
        raise _problems(p.name, problems)
    return Overrides(p.name, tuple(rows))


def _suggest(word: str, choices) -> str:
    near = did_you_mean(word, choices, n=2, cutoff=CUTOFF_WORDS)
    return " " + t("overrides.did_you_mean", choices=", ".join(near)) if near else ""


def apply_overrides(result: ClassResult, overrides: Overrides, key: dict) -> ClassResult:
    """The result with the manual scores in place; raises InvalidInput listing every row that cannot apply."""
    graded = {(r.learner, r.exercise): i for i, r in enumerate(result.results)}
    learners = {r.learner for r in result.results}
    problems, hits = [], {}
    for o in overrides.rows:
        spec = key["exercises"].get(o.exercise)
        line = o.line
        if o.learner not in learners:
            problems.append(t("overrides.row.unknown_learner", line=line, learner=repr(o.learner))
                            + _suggest(o.learner, learners))
        elif spec is None:
            problems.append(t("overrides.row.unknown_exercise", line=line, exercise=repr(o.exercise))
                            + _suggest(o.exercise, key["exercises"]))
        elif (o.learner, o.exercise) not in graded:
            problems.append(t("overrides.row.no_file", line=line, learner=o.learner, exercise=o.exercise))
        else:
            questions = {q["id"]: float(q.get("points", 1)) for q in spec["questions"]}
            if o.question not in questions:
                problems.append(t("overrides.row.unknown_question", line=line, exercise=o.exercise,
                                  question=repr(o.question)) + _suggest(o.question, questions))
            elif not 0 <= o.score <= questions[o.question]:
                problems.append(t("overrides.row.out_of_range", line=line, score=number(o.score, "g"),
                                  max_points=number(questions[o.question], "g"), where=f"{o.exercise}/{o.question}"))
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
                                   t("overrides.reviewed_comment", comment=o.comment) if o.comment
                                   else t("overrides.reviewed"), needs_review=False, answered=q.answered)
            questions.append(q)
        results[i] = replace(r, questions=tuple(questions))
    return replace(result, results=tuple(results))


def save_override(path: str | os.PathLike, learner: str, exercise: str, question: str, score: float,
                  comment: str = "", max_points: float | None = None) -> Path:
    """Add or replace one manual score in the overrides CSV (atomic write)."""
    from .gradebook import write_csv

    p = Path(path)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score) or score < 0:
        raise InvalidInput(t("overrides.score.not_number", score=repr(score)))
    if max_points is not None and score > max_points:
        raise InvalidInput(t("overrides.score.above", score=number(score, "g"), max_points=number(max_points, "g")))
    try:
        learner = sanitize_learner(learner)  # as read_overrides keys the rows: one row per learner
    except AnswerError:
        raise InvalidInput(t("overrides.learner.empty", learner=repr(learner))) from None
    existing = read_overrides(p) if p.exists() else None
    rows = {(o.learner, o.exercise, o.question): o for o in (existing.rows if existing else ())}
    rows[(learner, exercise, question)] = Override(0, learner, exercise, question, float(score),
                                                   " ".join(str(comment).split()))
    write_csv(p, COLUMNS, [{"learner": o.learner, "exercise": o.exercise, "question": o.question,
                            "score": f"{o.score:g}", "comment": o.comment} for _, o in sorted(rows.items())])
    return p
