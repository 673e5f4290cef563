"""Exercise 2: licence check for SaaS use (the licence card, and the checklist for two models).

The exercise's own facts live here: its questions, the checklist's fields and choices, the example
ids the widgets offer, and the plain functions the widgets call (``lookup`` for the card,
``checklist_answer`` for the checklist). Licence rules live in :mod:`course_utils.licenses` and
:mod:`course_utils.clauses`; the widgets (``ui/ex02.py``) only wire inputs to these functions.
"""
from __future__ import annotations

from typing import Any, Iterable

from .base import Exercise, Question

# The notebook's checklist slots ('model_1' in `ex02.checklist('model_1')`) and the question each one answers.
SLOTS: dict[str, str] = {"model_1": "checklist_model_1", "model_2": "checklist_model_2"}

# An answer to a checklist question: {field: value} with these fields (the shape saved answers keep).
CHECKLIST_FIELDS = ("repo_id", "license_id", "commercial_use", "gated", "restrictions")
COMMERCIAL_CHOICES = ("yes", "conditional", "no", "unknown")  # "unknown": the licence needs a human review
GATED_CHOICES = {"yes": True, "no": False}

# What the widgets offer as examples (placeholders and the card's starting product facts).
EXAMPLE_MODEL = "mistralai/Mistral-7B-Instruct-v0.3"
EXAMPLE_LICENCE_IDS = ("apache-2.0", "llama2", "other:opt-175b")
CARD_MONTHLY_USERS = 10_000  # the card's starting "monthly users of the product"


def question_id(slot: str) -> str:
    """The question a checklist slot answers ('model_1' -> its question id)."""
    from ..errors import InvalidInput
    from ..i18n import t

    if slot not in SLOTS:
        raise InvalidInput(t("ex02.error.slot", slot=slot, slots=", ".join(SLOTS)))
    return SLOTS[slot]


def commercial_options() -> list[tuple[str, str]]:
    """The checklist's commercial-use Dropdown options: (label in the language in force, id)."""
    from ..licenses import commercial_label

    return [("—", "")] + [(commercial_label(v), v) for v in COMMERCIAL_CHOICES]


def gated_options() -> list[tuple[str, str]]:
    from ..i18n import t

    return [("—", "")] + [(t(f"common.{v}"), v) for v in GATED_CHOICES]


def gated_choice(saved: Any) -> str:
    """The gated Dropdown's value for a saved answer (True -> 'yes'; anything else -> not answered)."""
    if not isinstance(saved, bool):
        return ""
    return next(k for k, v in GATED_CHOICES.items() if v is saved)


def checklist_answer(repo_id: str, license_id: str, commercial_use: str, gated: str,
                     restrictions: Iterable[str]) -> dict[str, Any]:
    """The answer the checklist records, from what its widgets hold (gated 'yes'/'no' -> True/False)."""
    return {"repo_id": (repo_id or "").strip(), "license_id": (license_id or "").strip(),
            "commercial_use": commercial_use or "", "gated": GATED_CHOICES.get(gated),
            "restrictions": list(restrictions)}


def optional_count(text: str, what: str) -> int | None:
    """A whole number typed in a text box ('1,000,000' and '1 000 000' work), or None when it is empty."""
    from ..errors import InvalidInput
    from ..i18n import t

    cleaned = "".join((text or "").split()).replace(",", "").replace("_", "")  # split() drops every space kind
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise InvalidInput(t("ex02.error.whole_number", what=what, text=text.strip()))
    return int(cleaned)


def lookup(repo_id: str, commercial: bool = True, mau: int | None = None, trains: bool = False,
           mau_at_release: str = "") -> list:
    """What the licence card shows: model facts, licence facts and the SaaS verdict.

    One Hub lookup of the model: the licence report and the verdict reuse it (base models are
    looked up once each, to find the licence that governs)."""
    from .. import licenses
    from ..hub import model_summary
    from ..i18n import t

    from ..errors import InvalidInput

    if not isinstance(repo_id, str) or not repo_id.strip():
        raise InvalidInput(t("ex02.error.no_model_id", example=EXAMPLE_MODEL))
    at_release = optional_count(mau_at_release, t("ex02.card.at_release"))
    summary = model_summary(repo_id)
    report = licenses.license_report(summary.repo_id, summary=summary)
    verdict = licenses.saas_verdict(summary.repo_id, commercial=commercial, monthly_active_users=mau,
                                    trains_other_models_on_outputs=trains, licensee_mau_at_release=at_release,
                                    report=report)
    return [summary, report, verdict]


def _checklist(value, spec):
    from ..errors import InvalidInput
    from ..i18n import t
    from ..licenses import check_checklist

    if not isinstance(value, dict) or not isinstance(value.get("repo_id"), str) or not value["repo_id"].strip():
        raise InvalidInput(t("ex02.error.no_model"))
    restrictions = value.get("restrictions") if isinstance(value.get("restrictions"), list) else []
    gated = value.get("gated") if isinstance(value.get("gated"), bool) else None
    return check_checklist(value["repo_id"], str(value.get("license_id") or ""), value.get("commercial_use") or None,
                           [str(r) for r in restrictions], gated)


EXERCISE = Exercise(
    "ex02", "02_license_check.ipynb",
    questions=tuple(Question(qid, "function", 3, check="license_checklist") for qid in SLOTS.values()),
    checks={"license_checklist": _checklist},
)
