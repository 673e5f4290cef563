"""Open-source levels of a model and what each level lets you do, as data.

A model is *fully open* when its weights, training code and training data are all released,
*weights only* when the weights are released but the code or data is not (fully), and
*architecture only* when there are no weights (only the design and code to train it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import data
from .errors import InvalidInput
from .model_ids import known_spelling, normalise_repo_id
from .feedback import Check

LEVELS = ("fully_open", "weights_only", "architecture_only")
LEVEL_NAMES = {"fully_open": "Fully open", "weights_only": "Weights only", "architecture_only": "Architecture only"}
CAPABILITIES = ("use_directly", "fine_tune", "retrain", "training_transparent")
CAPABILITY_QUESTIONS = {
    "use_directly": "Can you use it directly?",
    "fine_tune": "Can you fine-tune it?",
    "retrain": "Can you retrain it (redo the training)?",
    "training_transparent": "Is the training transparent?",
}
ANSWERS = ("yes", "no", "with_resources")


@dataclass(frozen=True)
class Cell:
    answer: str  # one of ANSWERS
    why: str
    also_accepted: tuple[str, ...] = ()


# One rule for every "retrain" cell: the same missing ingredient gets the same answer at every level.
RETRAIN_RULE = ("Retraining means redoing the training from scratch, which needs the training code, training data "
                "and a lot of compute.")

# The capability matrix: level -> capability -> Cell.
MATRIX: dict[str, dict[str, Cell]] = {
    "fully_open": {
        "use_directly": Cell("yes", "The weights are released: download and run them."),
        "fine_tune": Cell("yes", "Released weights can be adapted to your data."),
        "retrain": Cell("with_resources", RETRAIN_RULE + " A fully open release gives you the code and the data: "
                                          "only the (large) compute is yours to find.", also_accepted=("yes",)),
        "training_transparent": Cell("yes", "Anyone can inspect the data and the recipe."),
    },
    "weights_only": {
        "use_directly": Cell("yes", "The weights are released: download and run them (within the licence)."),
        "fine_tune": Cell("yes", "You can fine-tune released weights even without the original data."),
        "retrain": Cell("with_resources", RETRAIN_RULE + " The original data (and often the code) is not "
                                          "released: you cannot reproduce the original training, only train the "
                                          "architecture from scratch on data and compute of your own.",
                        also_accepted=("no",)),
        "training_transparent": Cell("no", "The data and recipe are not (fully) public, so biases and "
                                           "contamination cannot be checked."),
    },
    "architecture_only": {
        "use_directly": Cell("no", "No weights: there is nothing trained to run yet."),
        "fine_tune": Cell("no", "Fine-tuning starts from trained weights, which are missing."),
        "retrain": Cell("with_resources", RETRAIN_RULE + " The design and code are public but the data is not: "
                                          "you cannot reproduce the original training, only train it from scratch "
                                          "on data and compute of your own.", also_accepted=("no",)),
        "training_transparent": Cell("no", "You know how it is built, not what a trained version learned from."),
    },
}


def _released(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.strip().lower() == "yes"


def level_from_facts(weights: str | None, training_code: str | None, training_data: str | None) -> str:
    """The level from what was released ('yes', 'no', 'partial (...)' or empty = unknown)."""
    w = _released(weights)
    if w is None:
        raise InvalidInput("Whether the weights are released is unknown, so the level cannot be decided.")
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
    reasons: tuple[str, ...]
    sources: str

    def to_dict(self) -> dict[str, Any]:
        return {"repo_id": self.repo_id, "level": self.level, "weights": self.weights,
                "training_code": self.training_code, "training_data": self.training_data,
                "reasons": list(self.reasons), "sources": self.sources}


def _describe(what: str, value: str) -> str:
    if not value:
        return f"{what}: not verified"
    return f"{what}: {value}"


def classify_model(repo_id: str) -> Openness:
    """The openness level of a catalog model, from its sourced release facts."""
    repo_id = known_spelling(normalise_repo_id(repo_id), data.index("models")) or normalise_repo_id(repo_id)
    row = data.index("models").get(repo_id)
    if row is None:
        from .hub import suggest

        raise InvalidInput(f"{repo_id!r} is not in the course catalog, which holds the release facts "
                           f"(weights, training code, training data).", suggestions=suggest(repo_id))
    level = level_from_facts(row["weights_released"], row["training_code_released"], row["training_data_released"])
    reasons = (_describe("weights released", row["weights_released"]),
               _describe("training code released", row["training_code_released"]),
               _describe("training data released", row["training_data_released"]))
    return Openness(repo_id, level, row["weights_released"], row["training_code_released"],
                    row["training_data_released"], reasons, row["source_urls"])


def check_matrix(answers: dict[str, dict[str, str]]) -> tuple[Check, ...]:
    """Per-cell feedback on a learner's capability matrix ({level: {capability: answer}})."""
    answers = answers if isinstance(answers, dict) else {}
    feedback = []
    for level in LEVELS:
        row = answers.get(level) if isinstance(answers.get(level), dict) else {}
        for cap in CAPABILITIES:
            cell = MATRIX[level][cap]
            given = row.get(cap)
            ok = given in (cell.answer, *cell.also_accepted)
            feedback.append(Check(f"{LEVEL_NAMES[level]} / {CAPABILITY_QUESTIONS[cap]}", given, cell.answer, ok,
                                  cell.why))
    return tuple(feedback)


CLASSIFY_MODELS = ("allenai/OLMo-7B", "EleutherAI/pythia-6.9b", "mistralai/Mistral-7B-v0.1",
                   "meta-llama/Llama-2-7b-hf", "bigscience/bloom-7b1")


def check_classification(answers: dict[str, str], models: tuple[str, ...] = CLASSIFY_MODELS) -> tuple[Check, ...]:
    """A learner's level for each model against the level its release facts give."""
    answers = answers if isinstance(answers, dict) else {}
    out = []
    for repo_id in models:
        truth = classify_model(repo_id)
        given = answers.get(repo_id)
        out.append(Check(repo_id, given, truth.level, given == truth.level,
                         f"{LEVEL_NAMES[truth.level]}: " + "; ".join(truth.reasons) + "."))
    return tuple(out)


# --------------------------------------------------------------------------- Open Source AI Definition 1.0

OSAID_URL = "https://opensource.org/ai/open-source-ai-definition"
OSAID_FAQ_URL = "https://opensource.org/ai/faq"
# The four freedoms and the three components of the OSI Open Source AI Definition 1.0 (October 2024).
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
OSAID_VERDICTS = ("yes", "no")
OSAID_REASONS = {
    "meets_definition": "Yes: weights, complete training code and data information, all under open terms",
    "licence_restricts_use": "No: the licence restricts use or needs permission",
    "no_training_code": "No: the complete training code is not released",
    "no_data_information": "No: not enough information about the training data",
    "no_weights": "No: the weights (parameters) are not released",
}


def licence_grants_freedoms(license_key: str | None) -> bool | None:
    """Whether a licence lets anyone use, study, modify and share for any purpose without asking.

    The one place exercise 1 reads licence knowledge: the licence table's OSI-approval fact
    (data/licenses.csv ``osi_approved``, owned by the licences module). None when the course has
    no verified fact for the licence.
    """
    row = data.index("licenses").get(license_key or "")
    return None if row is None else row.get("osi_approved")


def data_information(training_data: str | None, published_description: str | None) -> str:
    """Where a model's data information is: 'in the released data', 'published' (a description
    without all the data) or 'none recorded'."""
    if _released(training_data):
        return "in the released data"
    return "published" if _released(published_description) else "none recorded"


@dataclass(frozen=True)
class OsaidVerdict:
    repo_id: str
    verdict: str  # "yes", "no" or "unknown"
    reasons: tuple[str, ...]  # ids from OSAID_REASONS: why it passes, or every requirement it misses
    facts: tuple[str, ...]  # the catalog facts the verdict rests on, in words
    sources: str

    def to_dict(self) -> dict[str, Any]:
        return {"repo_id": self.repo_id, "verdict": self.verdict, "reasons": list(self.reasons),
                "facts": list(self.facts), "sources": self.sources}


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
    if data_information(training_data, published_data_information) == "none recorded":
        missing.append("no_data_information")
    if missing:
        return "no", tuple(missing)
    return ("unknown", ()) if unknown else ("yes", ("meets_definition",))


def osaid_verdict(repo_id: str) -> OsaidVerdict:
    """Whether a catalog model meets the OSI Open Source AI Definition 1.0, from its sourced facts."""
    openness = classify_model(repo_id)  # raises a clear message for ids outside the catalog
    repo_id = openness.repo_id
    row = data.index("models")[repo_id]
    licence_ok = licence_grants_freedoms(row["license_key"])
    verdict, reasons = osaid_from_facts(row["weights_released"], row["training_code_released"],
                                        row["training_data_released"], row.get("data_information"), licence_ok)
    licence = row["license_name"] or row["license_key"] or "no licence recorded"
    terms = {True: "an OSI-approved licence", False: "not an OSI-approved licence (it restricts use or asks for "
                                                     "permission)", None: "no verified licence facts"}[licence_ok]
    info = data_information(row["training_data_released"], row.get("data_information"))
    facts = (*openness.reasons, f"data information: {info}", f"licence: {licence}, {terms}")
    return OsaidVerdict(repo_id, verdict, reasons, facts, row["source_urls"])


OSAID_MODELS = ("allenai/OLMo-2-1124-7B", "EleutherAI/pythia-6.9b", "meta-llama/Llama-3.1-8B-Instruct",
                "google/gemma-3-4b-it", "bigscience/bloom-7b1", "openai/gpt-oss-20b")


def check_both_scales(answers: dict[str, dict[str, str]], models: tuple[str, ...] = OSAID_MODELS) -> tuple[Check, ...]:
    """Each model on both scales: its openness level, and Open Source AI yes/no with the reason id.

    An answer is {repo_id: {"level": ..., "osaid": "yes"|"no", "reason": reason id}}. A "no" is right
    with any requirement the model misses; the feedback names all of them.
    """
    answers = answers if isinstance(answers, dict) else {}
    out = []
    for repo_id in models:
        given = answers.get(repo_id) if isinstance(answers.get(repo_id), dict) else {}
        level = classify_model(repo_id)
        out.append(Check(f"{repo_id}: level", given.get("level"), level.level, given.get("level") == level.level,
                         f"{LEVEL_NAMES[level.level]}: " + "; ".join(level.reasons) + "."))
        truth = osaid_verdict(repo_id)
        verdict, reason = given.get("osaid"), given.get("reason")
        ok = verdict == truth.verdict and reason in truth.reasons
        why = ("; ".join(OSAID_REASONS[r] for r in truth.reasons) if truth.reasons else "not decidable") + \
            ". Facts: " + "; ".join(truth.facts) + "."
        out.append(Check(f"{repo_id}: Open Source AI", f"{verdict or '—'} ({reason or '—'})",
                         f"{truth.verdict} ({' or '.join(truth.reasons) or '—'})", ok, why))
    return tuple(out)
