"""Exercise 1: open-source levels (capability matrix, classifying real models, both scales)."""
from __future__ import annotations

from .base import Concept, Exercise, Question


def _matrix(value, spec):
    from ..openness import check_matrix

    return check_matrix(value)


def _classification(value, spec):
    from ..openness import check_classification

    return check_classification(value)


def _both_scales(value, spec):
    from ..openness import check_both_scales

    return check_both_scales(value)


EXERCISE = Exercise(
    "ex01", "01_open_source_levels.ipynb",
    questions=(
        Question("matrix", "function", 4, check="openness_matrix"),
        Question("classify", "function", 3, check="openness_classification"),
        Question("open_source_ai", "function", 3, check="openness_both_scales"),
        Question("comparison", "rubric", 2, min_words=40, concepts=(
            Concept("weights", {"en": ("weights",)}),
            Concept("data", {"en": ("training data", "data")}),
            Concept("code", {"en": ("training code", "code", "recipe")}),
            Concept("fine_tuning", {"en": ("fine-tun", "fine tun", "adapt")}),
            Concept("retraining", {"en": ("retrain", "reproduc", "train from scratch")}),
            Concept("transparency", {"en": ("transparen", "inspect", "audit")}),
        )),
        Question("healthcare", "rubric", 2, min_words=30, concepts=(
            Concept("weights", {"en": ("weights", "open-weight", "open weight")}),
            Concept("adapting", {"en": ("fine-tun", "fine tun", "adapt", "retrain", "train")}),
            Concept("clinical_data", {"en": ("clinical", "data")}),
            Concept("licence", {"en": ("licen",)}),
            Concept("privacy", {"en": ("privacy", "patient", "confidential", "audit", "transparen")}),
        )),
    ),
    checks={"openness_matrix": _matrix, "openness_classification": _classification,
            "openness_both_scales": _both_scales},
)
