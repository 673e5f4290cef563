"""Exercise 6: cloud vs local plan (cost inputs, pros and cons, the plan)."""
from __future__ import annotations

from .base import Concept, Exercise, Question


def _pros_cons(value, spec):
    from ..deploy import check_pros_cons

    return check_pros_cons(value)


EXERCISE = Exercise(
    "ex06", "06_cloud_vs_local.ipynb",
    questions=(
        Question("cost_inputs", "completion", 1),
        Question("pros_cons", "function", 3, check="pros_cons"),
        Question("plan", "rubric", 3, min_words=60, concepts=(
            Concept("cost", {"en": ("cost", "$", "price", "usd")}),
            Concept("latency", {"en": ("latency", "speed", "tokens/s", "first token")}),
            Concept("break_even", {"en": ("break-even", "break even", "hours")}),
            Concept("privacy", {"en": ("privacy", "data", "control")}),
            Concept("risk", {"en": ("risk",)}),
        )),
    ),
    checks={"pros_cons": _pros_cons},
)
