"""Exercise 3: LLM matchmaker (a model per team, and why)."""
from __future__ import annotations

from .base import Concept, Exercise, Question


def _team_pick(value, spec):
    from ..errors import InvalidInput
    from ..feedback import Check
    from ..matchmaker import check_pick

    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("No model was picked.")
    fb = check_pick(spec["team"], value)
    return tuple(Check(c.need, value, "meets the need", bool(c.ok), c.why) for c in fb.checks)


EXERCISE = Exercise(
    "ex03", "03_llm_matchmaker.ipynb",
    questions=(
        Question("pick_legaltech", "function", 2, check="team_pick", extra={"team": "legaltech"}),
        Question("pick_edtech", "function", 2, check="team_pick", extra={"team": "edtech"}),
        Question("pick_ngo", "function", 2, check="team_pick", extra={"team": "ngo"}),
        Question("why_legaltech", "rubric", 1, min_words=15, concepts=(
            Concept("cpu", {"en": ("cpu", "gguf", "quantiz")}),
            Concept("licence", {"en": ("licen", "apache", "mit", "commercial")}),
        )),
        Question("why_edtech", "rubric", 1, min_words=15, concepts=(
            Concept("memory", {"en": ("ram", "memory", "gb", "laptop")}),
            Concept("maths", {"en": ("math", "gsm8k", "reason")}),
        )),
        Question("why_ngo", "rubric", 1, min_words=15, concepts=(
            Concept("languages", {"en": ("language", "multilingual")}),
            Concept("licence", {"en": ("licen", "commercial")}),
        )),
    ),
    checks={"team_pick": _team_pick},
)
