"""The course's exercises, one module each, and the registry that lists them.

Each ``exNN`` module declares its questions once (:class:`~.base.Question`: id, kind, points,
rubric concepts, the check function) and the exercise's constants. The answer key, the notebooks'
Check buttons, the grader and the fixture class all read these declarations; an instructor's
private key file (same format as :func:`answer_key`) can override points and rubrics.
"""
from __future__ import annotations

from typing import Any, Callable

from . import ex01, ex02, ex03, ex04, ex05, ex06
from .base import KINDS, Concept, Exercise, Question

EXERCISES: dict[str, Exercise] = {m.EXERCISE.id: m.EXERCISE for m in (ex01, ex02, ex03, ex04, ex05, ex06)}
KEY_SOURCE = ("course answer key: objective questions are checked by the same functions as the notebooks' "
              "Check buttons; free text gets provisional rubric points for human review")

__all__ = ["EXERCISES", "KINDS", "Concept", "Exercise", "Question", "answer_key", "checks"]


def checks() -> dict[str, Callable[[Any, dict], tuple]]:
    """Every named check function of every exercise (the key's ``function`` values)."""
    found: dict[str, Callable] = {}
    for exercise in EXERCISES.values():
        found.update(exercise.checks)
    return found


def answer_key() -> dict:
    """The course's answer key, built from the declarations."""
    return {"schema_version": 1, "source": KEY_SOURCE,
            "exercises": {ex_id: ex.key() for ex_id, ex in EXERCISES.items()}}
