"""Exercise 5: benchmark explorer (compared models, use cases, errors spotted in the sheet)."""
from __future__ import annotations

from .base import Exercise, Question


def _spotted(value, spec):
    from ..benchmarks import check_spotted

    return check_spotted([str(v) for v in value] if isinstance(value, list) else [])


EXERCISE = Exercise(
    "ex05", "05_benchmark_explorer.ipynb",
    questions=(
        Question("compared_models", "min_items", 1, min_items=2),
        Question("use_cases", "min_items", 2, min_items=2, min_words_each=3),
        Question("spotted_errors", "function", 4, check="spotted_errors"),
    ),
    checks={"spotted_errors": _spotted},
)
