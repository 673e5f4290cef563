"""Exercise 2: licence check for SaaS use (the checklist for two models)."""
from __future__ import annotations

from .base import Exercise, Question


def _checklist(value, spec):
    from ..errors import InvalidInput
    from ..licenses import check_checklist

    if not isinstance(value, dict) or not isinstance(value.get("repo_id"), str) or not value["repo_id"].strip():
        raise InvalidInput("The checklist names no model.")
    restrictions = value.get("restrictions") if isinstance(value.get("restrictions"), list) else []
    gated = value.get("gated") if isinstance(value.get("gated"), bool) else None
    return check_checklist(value["repo_id"], str(value.get("license_id") or ""), value.get("commercial_use") or None,
                           [str(r) for r in restrictions], gated)


EXERCISE = Exercise(
    "ex02", "02_license_check.ipynb",
    questions=(
        Question("checklist_model_1", "function", 3, check="license_checklist"),
        Question("checklist_model_2", "function", 3, check="license_checklist"),
    ),
    checks={"license_checklist": _checklist},
)
