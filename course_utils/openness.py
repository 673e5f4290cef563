"""Open-source levels of a model and what each level lets you do, as data.

A model is *fully open* when its weights, training code and training data are all released,
*weights only* when the weights are released but the code or data is not (fully), and
*architecture only* when there are no weights (only the design and code to train it).

The facts and rules live here (what each level allows, how a level follows from what was
released, the OSI Open Source AI Definition's requirements); what exercise 1 asks about them (which
models, which options, its checks) lives in :mod:`course_utils.exercises.ex01`. Every id below
(``fully_open``, ``with_resources``, ``licence_restricts_use``) is language-independent; the words a
learner reads come from the ``openness`` message catalog, looked up when a result is made.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import data
from .errors import InvalidInput
from .i18n import t
from .model_ids import known_spelling, normalise_repo_id


@dataclass(frozen=True)
class Cell:
    """What one level lets you do for one capability: the answer id and the other answers that hold."""
    level: str
    capability: str
    answer: str  # "yes", "no" or "with_resources"
    also_accepted: tuple[str, ...] = ()

    @property
    def why(self) -> str:
        """The reason, in the language in force. Every "retrain" cell starts with the same rule."""
        text = t(f"openness.why.{self.level}.{self.capability}")
        return f"{retrain_rule()} {text}" if self.capability == "retrain" else text


def retrain_rule() -> str:
    """One rule for every "retrain" cell: the same missing ingredient gets the same answer at every level."""
    return t("openness.retrain_rule")


# The capability matrix: level -> capability -> (answer, *other answers that also hold).
_MATRIX_ANSWERS = {
    "fully_open": {"use_directly": ("yes",), "fine_tune": ("yes",), "retrain": ("with_resources", "yes"),
                   "training_transparent": ("yes",)},
    "weights_only": {"use_directly": ("yes",), "fine_tune": ("yes",), "retrain": ("with_resources", "no"),
                     "training_transparent": ("no",)},
    "architecture_only": {"use_directly": ("no",), "fine_tune": ("no",), "retrain": ("with_resources", "no"),
                          "training_transparent": ("no",)},
}
MATRIX: dict[str, dict[str, Cell]] = {
    level: {cap: Cell(level, cap, answers[0], tuple(answers[1:])) for cap, answers in row.items()}
    for level, row in _MATRIX_ANSWERS.items()}
LEVELS = tuple(MATRIX)  # the three levels, most open first
CAPABILITIES = tuple(MATRIX["fully_open"])
ANSWERS = ("yes", "no", "with_resources")


def join(items) -> str:
    """Items in a list the way the language writes it ('a; b' in English, 'a ; b' in French)."""
    return t("openness.sep").join(items)


def level_name(level: str) -> str:
    """'fully_open' -> 'Fully open' (or the French name); an unknown id is shown as it is."""
    from .i18n import label

    return label(f"openness.level.{level}", str(level))


def capability_question(capability: str) -> str:
    return t(f"openness.capability.{capability}")


def answer_name(answer: str) -> str:
    """'with_resources' -> 'with enough resources'."""
    return t(f"openness.answer.{answer}")


def _released(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.strip().lower() == "yes"


def release_word(value: str | None) -> str:
    """A catalog release fact in words: 'yes', 'no', 'partial (fairseq)' -> 'partly (fairseq)', '' -> 'not verified'.

    A detail in brackets is catalog data and is kept as written."""
    text = (value or "").strip()
    low = text.lower()
    if not text:
        return t("openness.release.unknown")
    if low in ("yes", "no"):
        return t(f"openness.release.{low}")
    if low.startswith("partial"):
        detail = text[len("partial"):].strip()
        return t("openness.release.partial_detail", detail=detail) if detail else t("openness.release.partial")
    return text


def level_from_facts(weights: str | None, training_code: str | None, training_data: str | None) -> str:
    """The level from what was released ('yes', 'no', 'partial (...)' or empty = unknown)."""
    w = _released(weights)
    if w is None:
        raise InvalidInput(t("openness.error.weights_unknown"))
    if not w:
        return "architecture_only"
    if _released(training_code) and _released(training_data):
        return "fully_open"
    return "weights_only"


@dataclass(frozen=True)
class Openness:
    repo_id: str
    level: str
    weights: str
    training_code: str
    training_data: str
    reasons: tuple[str, ...]  # the release facts in words, in the language in force when it was made
    sources: str

    def to_dict(self) -> dict[str, Any]:
        return {"repo_id": self.repo_id, "level": self.level, "weights": self.weights,
                "training_code": self.training_code, "training_data": self.training_data,
                "reasons": list(self.reasons), "sources": self.sources}


def fact_line(what: str, value: str | None) -> str:
    """'weights', 'yes' -> 'weights released: yes' (what: weights, training_code, training_data)."""
    return t(f"openness.fact.{what}", value=release_word(value))


def catalog_row(repo_id: str) -> dict:
    """The catalog row holding a model's release facts; a clear message for ids outside the catalog."""
    repo_id = known_spelling(normalise_repo_id(repo_id), data.index("models")) or normalise_repo_id(repo_id)
    row = data.index("models").get(repo_id)
    if row is None:
        from .hub import suggest

        raise InvalidInput(t("openness.error.not_in_catalog", repo_id=repo_id), suggestions=suggest(repo_id))
    return row


def classify_model(repo_id: str) -> Openness:
    """The openness level of a catalog model, from its sourced release facts."""
    row = catalog_row(repo_id)
    repo_id = row["repo_id"]  # as the catalog spells it (a pasted address or other case works too)
    level = level_from_facts(row["weights_released"], row["training_code_released"], row["training_data_released"])
    reasons = (fact_line("weights", row["weights_released"]),
               fact_line("training_code", row["training_code_released"]),
               fact_line("training_data", row["training_data_released"]))
    return Openness(repo_id, level, row["weights_released"], row["training_code_released"],
                    row["training_data_released"], reasons, row["source_urls"])


# --------------------------------------------------------------------------- Open Source AI Definition 1.0

OSAID_URL = "https://opensource.org/ai/open-source-ai-definition"
OSAID_FAQ_URL = "https://opensource.org/ai/faq"
# The four freedoms and the three components of the OSI Open Source AI Definition 1.0 (October 2024),
# quoted as OSI publishes them (quotations stay in English; the notebooks explain them in each language).
OSAID_FREEDOMS = {
    "use": "Use the system for any purpose and without having to ask for permission.",
    "study": "Study how the system works and inspect its components.",
    "modify": "Modify the system for any purpose, including to change its output.",
    "share": "Share the system for others to use with or without modifications, for any purpose.",
}
OSAID_COMPONENTS = {
    "data_information": "Sufficiently detailed information about the data used to train the system so that a "
                        "skilled person can build a substantially equivalent system.",
    "code": "The complete source code used to train and run the system.",
    "parameters": "The model parameters, such as weights or other configuration settings.",
}
# Why a model meets the definition or not: "meets_definition", or each requirement it misses.
OSAID_REASONS = ("meets_definition", "licence_restricts_use", "no_training_code", "no_data_information",
                 "no_weights")
DATA_INFORMATION = ("released", "published", "none")  # where a model's data information is


def osaid_reason(reason: str) -> str:
    """A reason id in words ('licence_restricts_use' -> 'the licence restricts use or needs permission')."""
    from .i18n import label

    return label(f"openness.osaid_reason.{reason}", str(reason))


def verdict_name(verdict: str) -> str:
    """'yes' / 'no' / 'unknown' -> words."""
    from .i18n import label

    return label(f"openness.verdict.{verdict}", str(verdict))


def licence_grants_freedoms(license_key: str | None) -> bool | None:
    """Whether a licence lets anyone use, study, modify and share for any purpose without asking.

    The one place exercise 1 reads licence knowledge: the licence table's OSI-approval fact
    (data/licenses.csv ``osi_approved``, owned by the licences module). None when the course has
    no verified fact for the licence.
    """
    row = data.index("licenses").get(license_key or "")
    return None if row is None else row.get("osi_approved")


def data_information(training_data: str | None, published_description: str | None) -> str:
    """Where a model's data information is: 'released' (in the released data), 'published' (a
    description without all the data) or 'none' (none recorded)."""
    if _released(training_data):
        return "released"
    return "published" if _released(published_description) else "none"


def data_information_name(where: str) -> str:
    return t(f"openness.data_information.{where}")


@dataclass(frozen=True)
class OsaidVerdict:
    repo_id: str
    verdict: str  # "yes", "no" or "unknown"
    reasons: tuple[str, ...]  # ids from OSAID_REASONS: why it passes, or every requirement it misses
    facts: tuple[str, ...]  # the catalog facts the verdict rests on, in words (language in force when made)
    sources: str

    def to_dict(self) -> dict[str, Any]:
        return {"repo_id": self.repo_id, "verdict": self.verdict, "reasons": list(self.reasons),
                "facts": list(self.facts), "sources": self.sources}

    def explain(self) -> str:
        """The verdict, its reasons and the facts, in words (for a notebook's print)."""
        reasons = join(osaid_reason(r) for r in self.reasons) or t("openness.osaid.undecidable")
        return t("openness.osaid.explain", repo_id=self.repo_id, verdict=verdict_name(self.verdict),
                 reasons=reasons, facts="\n".join(f"- {f}" for f in self.facts))


def osaid_from_facts(weights: str | None, training_code: str | None, training_data: str | None,
                     published_data_information: str | None, licence_ok: bool | None) -> tuple[str, tuple[str, ...]]:
    """(verdict, reason ids) from release facts ('yes' / 'no' / 'partial (...)' / empty = unknown).

    Data information counts when the training data itself is released, or when the catalog records
    a published description of it (its ``data_information`` = yes): the definition asks for information
    about the data, not for the data. Partial code is not "the complete source code".
    """
    missing = []
    unknown = False
    if not _released(weights):
        missing.append("no_weights")
    if licence_ok is False:
        missing.append("licence_restricts_use")
    unknown |= licence_ok is None
    code = _released(training_code)
    if code is False:
        missing.append("no_training_code")
    unknown |= code is None
    if data_information(training_data, published_data_information) == "none":
        missing.append("no_data_information")
    if missing:
        return "no", tuple(missing)
    return ("unknown", ()) if unknown else ("yes", ("meets_definition",))


def osaid_verdict(repo_id: str) -> OsaidVerdict:
    """Whether a catalog model meets the OSI Open Source AI Definition 1.0, from its sourced facts."""
    openness = classify_model(repo_id)  # raises a clear message for ids outside the catalog
    repo_id = openness.repo_id
    row = catalog_row(repo_id)
    licence_ok = licence_grants_freedoms(row["license_key"])
    verdict, reasons = osaid_from_facts(row["weights_released"], row["training_code_released"],
                                        row["training_data_released"], row.get("data_information"), licence_ok)
    licence = row["license_name"] or row["license_key"] or t("openness.licence.none_recorded")
    terms = t({True: "openness.licence.osi", False: "openness.licence.restricted", None: "openness.licence.unverified"}
              [licence_ok])
    info = data_information(row["training_data_released"], row.get("data_information"))
    facts = (*openness.reasons, t("openness.fact.data_information", value=data_information_name(info)),
             t("openness.fact.licence", licence=licence, terms=terms))
    return OsaidVerdict(repo_id, verdict, reasons, facts, row["source_urls"])
