"""Checking one answer: what a notebook's Check button shows, and what the grader counts.

The grader (:mod:`grading`) works on folders of files; for every answer it calls the same
:func:`grade_answers` the notebooks use through :func:`check_question`, so a learner sees exactly
what will be counted. Nothing here reads a file or the environment: ``offline=True`` (the default)
makes named checks answer from the shipped snapshot (:func:`settings.snapshot_only`).

Question kinds (a key's ``kind``): ``exact`` (``expected``), ``set`` (``expected`` list),
``numeric`` (``expected``, ``tolerance``), ``function`` (a named check of an exercise, partial
credit = right/total), ``rubric`` (free text: ``concepts``, ``min_words``; provisional points
flagged for review), ``min_items`` and ``completion``. A blank answer (nothing, NaN, empty text or
only blanks inside) earns no points whatever the kind.
"""
from __future__ import annotations

import contextlib
import html
import json
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any, Callable

from . import i18n
from .answers import is_blank  # the one blank rule, shared with the store
from .errors import CourseError, InvalidInput
from .exercises import EXERCISES, KINDS, answer_key
from .exercises import checks as exercise_checks
from .feedback import Check, checks_html
from .settings import snapshot_only


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

    @property
    def score_line(self) -> str:
        """The one line saying the points ("2/3 points"), with the provisional note for free text."""
        line = i18n.t("grading.points", score=i18n.number(self.score, "g"), max_points=i18n.number(self.max_points, "g"))
        return line + (" " + i18n.t("grading.provisional_note") if self.needs_review else "")

    def _repr_html_(self) -> str:
        # The score appears once: in the head line, followed by the note (e.g. "2 of 3 checks right.");
        # the table of checks has no score line of its own.
        note = f" — {html.escape(self.feedback)}" if self.feedback else ""
        head = f"<p><b>{html.escape(self.score_line)}</b>{note}</p>"
        body = checks_html(self.checks, caption=False) if self.checks else ""
        return f"<div class='course-grade'>{head}{body}</div>"


# --------------------------------------------------------------------------- the key

def functions() -> dict[str, Callable[[Any, dict], tuple[Check, ...]]]:
    """The named checks a key's ``function`` can use: those the exercises declare."""
    return exercise_checks()


def course_key() -> dict:
    """The course's own answer key, from the exercises' declarations (validated)."""
    key = answer_key()
    validate_key(key)
    return key


def validate_key(key: Any) -> None:
    if not isinstance(key, dict) or not isinstance(key.get("exercises"), dict):
        raise InvalidInput(i18n.t("grading.key.no_exercises"))
    for ex, spec in key["exercises"].items():
        if ex not in EXERCISES:
            raise InvalidInput(i18n.t("grading.key.unknown_exercise", exercise=repr(ex), choices=", ".join(EXERCISES)))
        questions = spec.get("questions") if isinstance(spec, dict) else None
        if not isinstance(questions, list):
            raise InvalidInput(i18n.t("grading.key.no_questions", exercise=repr(ex)))
        seen = set()
        for q in questions:
            if not isinstance(q, dict) or not isinstance(q.get("id"), str) or not q["id"] or "kind" not in q:
                raise InvalidInput(i18n.t("grading.key.question_shape", exercise=repr(ex)))
            where = f"{ex}/{q['id']}"
            if q["id"] in seen:
                raise InvalidInput(i18n.t("grading.key.twice", exercise=repr(ex), question=repr(q["id"])))
            seen.add(q["id"])
            if q["kind"] not in KINDS:
                raise InvalidInput(i18n.t("grading.key.unknown_kind", where=where, kind=repr(q["kind"]),
                                          choices=", ".join(KINDS)))
            if q["kind"] == "function" and q.get("function") not in functions():
                raise InvalidInput(i18n.t("grading.key.unknown_function", where=where,
                                          function=repr(q.get("function")), choices=", ".join(functions())))
            points = q.get("points", 1)
            if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 <= points < 1e6:
                raise InvalidInput(i18n.t("grading.key.points", where=where))


def question_spec(key: dict, exercise: str, question: str) -> dict:
    for q in key["exercises"].get(exercise, {}).get("questions", []):
        if q["id"] == question:
            return q
    raise InvalidInput(i18n.t("grading.key.no_question", where=f"{exercise}/{question}"))


# --------------------------------------------------------------------------- question kinds

def _words(value: Any) -> list[str]:
    return re.findall(r"[\w'$%/.-]+", value) if isinstance(value, str) else []


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
        mine = concept.get(i18n.language()) if isinstance(concept, dict) else None
        first = str(mine[0]) if isinstance(mine, list) and mine else first  # the fallback label's word
        found = next((a for a in alternatives if fold(a) in low), None)
        what = i18n.label(f"{exercise}.concept.{cid}", i18n.t("grading.rubric.mentions", term=first))
        checks.append(Check(what, found, " / ".join(alternatives), found is not None,
                            i18n.t("grading.rubric.found" if found else "grading.rubric.not_found"),
                            given_label=i18n.t("common.yes" if found else "common.no"),
                            expected_label=i18n.t("common.yes")))
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
        return QuestionResult(qid, 0.0, points, (), i18n.t("grading.not_answered"), needs_review=False,
                              answered=False)
    if kind == "rubric":
        return _grade_rubric(value, spec, points, exercise)
    if kind == "completion":
        return QuestionResult(qid, points, points, (), i18n.t("grading.done"))
    if kind == "min_items":
        items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
        each = int(spec.get("min_words_each", 0))
        good = [i for i in items if (len(_words(i)) >= each if each else not is_blank(i))]
        need = int(spec.get("min_items", 1))
        score = round(points * min(1.0, len(good) / need), 2)
        note = i18n.tn("grading.items", len(good), need=need)
        if each:
            note += " " + i18n.tn("grading.items_words", each)
        return QuestionResult(qid, score, points, (), note)
    what = i18n.t("grading.your_answer")
    if kind == "exact":
        ok = value == spec.get("expected")
        return QuestionResult(qid, points if ok else 0.0, points,
                              (Check(what, value, spec.get("expected"), ok, spec.get("why", "")),))
    if kind == "set":
        ok = isinstance(value, list) and {json.dumps(v, sort_keys=True) for v in value} == \
            {json.dumps(v, sort_keys=True) for v in spec.get("expected", [])}
        return QuestionResult(qid, points if ok else 0.0, points,
                              (Check(what, value, spec.get("expected"), ok, spec.get("why", "")),))
    if kind == "numeric":
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        ok = number is not None and abs(number - float(spec["expected"])) <= float(spec.get("tolerance", 0))
        return QuestionResult(qid, points if ok else 0.0, points,
                              (Check(what, value, spec["expected"], ok,
                                     i18n.t("grading.tolerance", tolerance=i18n.number(spec.get('tolerance', 0), "g"))),))
    # function: partial credit
    checks = functions()[spec["function"]](value, spec)
    right = sum(c.correct for c in checks)
    score = round(points * right / len(checks), 2) if checks else 0.0
    return QuestionResult(qid, score, points, tuple(checks), i18n.tn("grading.checks_right", right, total=len(checks)))


def grade_answers(exercise: str, answers: dict, key: dict | None = None,
                  offline: bool = True) -> tuple[QuestionResult, ...]:
    """Grade one exercise's answers (a dict of question id -> value) against the key."""
    key = key or course_key()
    spec = key["exercises"].get(exercise)
    if spec is None:
        raise InvalidInput(i18n.t("grading.key.no_exercise", exercise=repr(exercise)))
    out = []
    for q in spec["questions"]:
        try:
            with warnings.catch_warnings(), (snapshot_only() if offline else contextlib.nullcontext()):
                warnings.simplefilter("ignore")
                out.append(_grade_question(q, answers, exercise))
        except CourseError as exc:
            out.append(QuestionResult(q["id"], 0.0, float(q.get("points", 1)), (),
                                      i18n.t("grading.could_not_check", reason=str(exc))))
        except Exception as exc:  # noqa: BLE001 - an answer of an odd shape must never stop grading
            out.append(QuestionResult(q["id"], 0.0, float(q.get("points", 1)), (),
                                      i18n.t("grading.odd_shape", error=type(exc).__name__)))
    return tuple(out)


def check_question(exercise: str, question: str, value: Any, key: dict | None = None,
                   offline: bool = True) -> QuestionResult:
    """What a notebook's Check button shows: the grader's own result for one answer.

    ``offline=False`` lets named checks use the live Hub (the grader itself always uses the snapshot)."""
    key = key or course_key()
    spec = question_spec(key, exercise, question)
    one = {"exercises": {exercise: {"questions": [spec]}}}
    return next(r for r in grade_answers(exercise, {question: value}, one, offline=offline))
