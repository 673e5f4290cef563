"""Exercise 5: benchmark explorer (compared models, use cases, errors spotted in the sheet).

The exercise's constants live here: the claimed table it asks learners to check, which of its cells
count, the models the explorer starts with, and the picked list (:class:`Picks`) the widgets show.
"""
from __future__ import annotations

from typing import Any, Iterable

from .base import Exercise, Question

EX = "ex05"
COMPARED, USE_CASES, SPOTTED = "compared_models", "use_cases", "spotted_errors"

# The original exercise sheet's "completed comparison table" (data/sheet_claims.csv, each row with its
# source): claims to check, not facts. Its HellaSwag and MMLU are Open LLM Leaderboard v1 benchmarks.
CLAIMS_TABLE = "sheet_claims"
CLAIMS_VERSION = 1
# The cells a learner judges (the sheet's "Ideal use case" column is an opinion, not a claim). A claimed
# score within benchmarks.CLAIM_TOLERANCE points of the leaderboard's counts as right: the sheet rounds.
CLAIM_FIELDS = ("hellaswag", "mmlu", "license")
# The sheet's own model list: what the explorer shows before the learner picks anything.
DEFAULT_PICKS = ("facebook/opt-6.7b", "bigscience/bloom-7b1", "meta-llama/Llama-2-7b-chat-hf")
DEFAULT_VERSION = 1


def claimed_table() -> list[dict]:
    """The sheet's claimed rows (model, hellaswag, mmlu, license), without their source column."""
    from .. import data

    return [{k: v for k, v in row.items() if k != "source"} for row in data.load(CLAIMS_TABLE)]


def cell_key(model: str, field: str) -> str:
    """How a ticked cell is saved in the answer ('model|field'; the shape answers files have always had)."""
    return f"{model}|{field}"


def claim_cells() -> list[dict]:
    """Every cell a learner judges: key (as saved), model, field, its label and the claimed value."""
    from ..benchmarks import field_label

    return [{"key": cell_key(row["model"], field), "model": row["model"], "field": field,
             "label": field_label(field), "claimed": row[field]}
            for row in claimed_table() for field in CLAIM_FIELDS]


def wrong_cells() -> dict[str, Any]:
    """The cells that count as errors (key -> the ClaimError with the true value and its source)."""
    from ..benchmarks import check_claims

    report = check_claims(claimed_table(), CLAIMS_VERSION)
    return {cell_key(e.repo_id, e.field): e for e in report.errors if e.field in CLAIM_FIELDS}


def _shown_licence(licence_id: str) -> str:
    from .. import data

    row = data.index("licenses").get(licence_id)
    return f"{row['name']} ({licence_id})" if row and row.get("name") else licence_id


def check_spotted(ticked: Iterable[str]) -> tuple:
    """Feedback on which claimed cells a learner marked wrong: one check per cell, right when the
    learner's 'wrong'/'right' matches the leaderboard data (or the catalog, for licences)."""
    from ..benchmarks import CLAIM_TOLERANCE
    from ..feedback import Check
    from ..i18n import number, t

    wrong = wrong_cells()
    ticked_set = {str(v) for v in ticked or ()}
    checks = []
    for cell in claim_cells():
        err = wrong.get(cell["key"])
        truth = "wrong" if err else "right"
        given = "wrong" if cell["key"] in ticked_set else "right"
        if err is None:
            why = t("ex05.spotted.why_right_licence") if cell["field"] == "license" else \
                t("ex05.spotted.why_right", tolerance=number(CLAIM_TOLERANCE, "g"), version=CLAIMS_VERSION)
        elif cell["field"] == "license":
            why = t("ex05.spotted.why_wrong_licence", actual=_shown_licence(err.actual), source=err.source)
        else:
            why = t("ex05.spotted.why_wrong", actual=err.actual, version=CLAIMS_VERSION, source=err.source)
        checks.append(Check(t("ex05.spotted.item", model=cell["model"], field=cell["label"], claimed=cell["claimed"]),
                            given, truth, given == truth, why,
                            given_label=t(f"ex05.cell.{given}"), expected_label=t(f"ex05.cell.{truth}")))
    return tuple(checks)


class Picks:
    """The models a learner picked to compare: the answer to 'compared_models', kept out of the widgets.

    Starts from the learner's answer (this kernel's, else the saved file's), else the sheet's models.
    Adding records the list; clearing only empties it here (a blank never replaces a saved answer)."""

    def __init__(self):
        from .. import answers

        saved = answers.restored(EX, COMPARED, None)
        saved = [m for m in saved if isinstance(m, str) and m.strip()] if isinstance(saved, list) else []
        self.ids: list[str] = saved or list(DEFAULT_PICKS)

    def add(self, repo_ids: Iterable[str]) -> list[str]:
        for rid in repo_ids:
            if isinstance(rid, str) and rid.strip() and rid not in self.ids:
                self.ids.append(rid)
        self.record()
        return list(self.ids)

    def clear(self) -> None:
        self.ids.clear()

    def record(self) -> None:
        from .. import answers

        if self.ids:
            answers.record(EX, COMPARED, list(self.ids))

    def shown(self) -> str:
        """What the 'Chosen' line says (catalog text)."""
        from ..i18n import t

        return ", ".join(self.ids) if self.ids else t("ex05.picked_none")


def explore(picks: Picks, version: int):
    """Compare the picked models on one leaderboard version (records the list the learner compared)."""
    from ..benchmarks import compare

    df = compare(picks.ids, version)
    picks.record()
    return df


def _spotted(value, spec):
    return check_spotted([str(v) for v in value] if isinstance(value, list) else [])


EXERCISE = Exercise(
    EX, "05_benchmark_explorer.ipynb",
    questions=(
        Question(COMPARED, "min_items", 1, min_items=2),
        Question(USE_CASES, "min_items", 2, min_items=2, min_words_each=3),
        Question(SPOTTED, "function", 4, check="spotted_errors"),
    ),
    checks={"spotted_errors": _spotted},
)
