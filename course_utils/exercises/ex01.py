"""Exercise 1: open-source levels (capability matrix, classifying real models, both scales).

The exercise's own constants live here: the matrix as the quiz shows it (levels, capabilities,
answer options), the models to classify and to judge on both scales, the verdict and reason options,
and the checks. The facts and rules they are checked against (what each level allows, a model's
level from its release facts, the Open Source AI Definition's requirements) are in
:mod:`course_utils.openness`, imported inside the functions (openness imports nothing from here).
Answers are ids (``fully_open``, ``with_resources``, ``licence_restricts_use``); feedback shows words.
"""
from __future__ import annotations

from typing import Any

from .base import Concept, Exercise, Question

# The capability matrix as the quiz shows it: one column per level, one row per capability.
MATRIX_LEVELS = ("fully_open", "weights_only", "architecture_only")
MATRIX_CAPABILITIES = ("use_directly", "fine_tune", "retrain", "training_transparent")
MATRIX_ANSWERS = ("yes", "no", "with_resources")
# Real models to classify from their release facts (data/models.csv): two fully open, three weights only.
CLASSIFY_MODELS = ("allenai/OLMo-7B", "EleutherAI/pythia-6.9b", "mistralai/Mistral-7B-v0.1",
                   "meta-llama/Llama-2-7b-hf", "bigscience/bloom-7b1")
# Models judged on both scales (level and the OSI Open Source AI Definition 1.0).
OSAID_MODELS = ("allenai/OLMo-2-1124-7B", "EleutherAI/pythia-6.9b", "meta-llama/Llama-3.1-8B-Instruct",
                "google/gemma-3-4b-it", "bigscience/bloom-7b1", "openai/gpt-oss-20b")
OSAID_VERDICTS = ("yes", "no")
OSAID_REASONS = ("meets_definition", "licence_restricts_use", "no_training_code", "no_data_information",
                 "no_weights")
BLANK = ("—", "")  # the option a Dropdown starts on: no answer


def _t(message_id: str, **fields) -> str:
    from ..i18n import t

    return t(message_id, **fields)


def _known(value: Any, ids) -> bool:
    return isinstance(value, str) and value in ids


# --------------------------------------------------------------------------- labels and options

def answer_label(answer: Any) -> str | None:
    """An answer id in words ('with_resources' -> 'with enough resources'); None for no or an unknown answer
    (feedback then shows the value itself)."""
    from ..openness import answer_name

    return answer_name(answer) if _known(answer, MATRIX_ANSWERS) else None


def level_label(level: Any) -> str | None:
    from ..openness import level_name

    return level_name(level) if _known(level, MATRIX_LEVELS) else None


def answer_options() -> list[tuple[str, str]]:
    """(label, id) pairs for a matrix cell's Dropdown, in the language in force."""
    return [BLANK] + [(answer_label(a), a) for a in MATRIX_ANSWERS]


def level_options() -> list[tuple[str, str]]:
    return [BLANK] + [(level_label(lvl), lvl) for lvl in MATRIX_LEVELS]


def verdict_options() -> list[tuple[str, str]]:
    from ..openness import verdict_name

    return [BLANK] + [(verdict_name(v), v) for v in OSAID_VERDICTS]


def reason_options() -> list[tuple[str, str]]:
    from ..openness import osaid_reason

    return [BLANK] + [(osaid_reason(r), r) for r in OSAID_REASONS]


def matrix_header() -> list[str]:
    """The matrix's column heads: the question column, then each level's name."""
    from ..openness import level_name

    return [_t("ex01.matrix.question")] + [level_name(lvl) for lvl in MATRIX_LEVELS]


def matrix_rows() -> list[tuple[str, str]]:
    """(capability id, its question in words) for each row of the matrix."""
    from ..openness import capability_question

    return [(cap, capability_question(cap)) for cap in MATRIX_CAPABILITIES]


def classify_facts(models: tuple[str, ...] = CLASSIFY_MODELS) -> tuple[list[str], list[list[str]]]:
    """(column heads, one row per model) of what each model released, in words, from the catalog."""
    from ..openness import classify_model, release_word

    head = [_t("ex01.facts.model"), _t("ex01.facts.weights"), _t("ex01.facts.training_code"),
            _t("ex01.facts.training_data")]
    rows = []
    for repo_id in models:
        o = classify_model(repo_id)
        rows.append([repo_id, release_word(o.weights), release_word(o.training_code), release_word(o.training_data)])
    return head, rows


def osaid_facts(models: tuple[str, ...] = OSAID_MODELS) -> tuple[list[str], list[list[str]]]:
    """(column heads, one row per model): what each model released, its data information and licence (no verdicts)."""
    from ..openness import catalog_row, data_information, data_information_name, release_word

    head = [_t("ex01.facts.model"), _t("ex01.facts.weights_short"), _t("ex01.facts.training_code_short"),
            _t("ex01.facts.training_data_short"), _t("ex01.facts.data_information"), _t("ex01.facts.licence")]
    rows = []
    for repo_id in models:
        r = catalog_row(repo_id)
        info = data_information(r["training_data_released"], r.get("data_information"))
        rows.append([repo_id, release_word(r["weights_released"]), release_word(r["training_code_released"]),
                     release_word(r["training_data_released"]), data_information_name(info),
                     r["license_name"] or r["license_key"] or _t("openness.licence.none_recorded")])
    return head, rows


# --------------------------------------------------------------------------- checks

def check_matrix(answers: Any) -> tuple:
    """Per-cell feedback on a learner's capability matrix ({level: {capability: answer id}})."""
    from ..feedback import Check
    from ..openness import MATRIX, capability_question, level_name

    answers = answers if isinstance(answers, dict) else {}
    feedback = []
    for level in MATRIX_LEVELS:
        row = answers.get(level) if isinstance(answers.get(level), dict) else {}
        for cap in MATRIX_CAPABILITIES:
            cell = MATRIX[level][cap]
            given = row.get(cap)
            ok = given in (cell.answer, *cell.also_accepted)
            expected = answer_label(cell.answer)
            if cell.also_accepted:
                expected = _t("ex01.matrix.also_accepted", answer=expected,
                              others=_t("ex01.or").join(answer_label(a) for a in cell.also_accepted))
            feedback.append(Check(_t("ex01.matrix.item", level=level_name(level), capability=capability_question(cap)),
                                  given, cell.answer, ok, cell.why, given_label=answer_label(given),
                                  expected_label=expected))
    return tuple(feedback)


def _level_check(repo_id: str, given: Any, item: str):
    from ..feedback import Check
    from ..openness import classify_model, join, level_name

    truth = classify_model(repo_id)
    why = _t("ex01.classify.why", level=level_name(truth.level), facts=join(truth.reasons))
    return Check(item, given, truth.level, given == truth.level, why, given_label=level_label(given),
                 expected_label=level_name(truth.level))


def check_classification(answers: Any, models: tuple[str, ...] = CLASSIFY_MODELS) -> tuple:
    """A learner's level for each model ({repo_id: level id}) against the level its release facts give."""
    answers = answers if isinstance(answers, dict) else {}
    return tuple(_level_check(repo_id, answers.get(repo_id), repo_id) for repo_id in models)


def _verdict_label(verdict: Any, reasons: list) -> str:
    from ..openness import osaid_reason, verdict_name

    shown = verdict_name(verdict) if isinstance(verdict, str) and verdict else "—"
    words = _t("ex01.or").join(osaid_reason(r) if isinstance(r, str) and r else "—" for r in reasons) or "—"
    return _t("ex01.osaid.shown", verdict=shown, reason=words)


def check_both_scales(answers: Any, models: tuple[str, ...] = OSAID_MODELS) -> tuple:
    """Each model on both scales: its openness level, and Open Source AI yes/no with the reason id.

    An answer is {repo_id: {"level": ..., "osaid": "yes"|"no", "reason": reason id}}. A "no" is right
    with any requirement the model misses; the feedback names all of them.
    """
    from ..feedback import Check
    from ..openness import join, osaid_reason, osaid_verdict

    answers = answers if isinstance(answers, dict) else {}
    out = []
    for repo_id in models:
        given = answers.get(repo_id) if isinstance(answers.get(repo_id), dict) else {}
        out.append(_level_check(repo_id, given.get("level"), _t("ex01.osaid.item_level", repo_id=repo_id)))
        truth = osaid_verdict(repo_id)
        verdict, reason = given.get("osaid"), given.get("reason")
        ok = verdict == truth.verdict and reason in truth.reasons
        reasons = join(osaid_reason(r) for r in truth.reasons) or _t("openness.osaid.undecidable")
        why = _t("ex01.osaid.why", reasons=reasons, facts=join(truth.facts))
        out.append(Check(_t("ex01.osaid.item_verdict", repo_id=repo_id), {"osaid": verdict, "reason": reason},
                         {"osaid": truth.verdict, "reasons": list(truth.reasons)}, ok, why,
                         given_label=_verdict_label(verdict, [reason]),
                         expected_label=_verdict_label(truth.verdict, list(truth.reasons))))
    return tuple(out)


def _matrix(value, spec):
    return check_matrix(value)


def _classification(value, spec):
    return check_classification(value)


def _both_scales(value, spec):
    return check_both_scales(value)


# --------------------------------------------------------------------------- the declaration

# Rubric terms are matched without accents or case, after French elisions (l'entraînement ->
# entrainement), as stems: "entraîn" finds entraîner, entraînement, entraîné. Every language's terms
# count whatever the answer's language (a French answer may say "fine-tuning").
EXERCISE = Exercise(
    "ex01", "01_open_source_levels.ipynb",
    questions=(
        Question("matrix", "function", 4, check="openness_matrix"),
        Question("classify", "function", 3, check="openness_classification"),
        Question("open_source_ai", "function", 3, check="openness_both_scales"),
        Question("comparison", "rubric", 2, min_words=40, concepts=(
            Concept("weights", {"en": ("weights",), "fr": ("poids",)}),
            Concept("data", {"en": ("training data", "data"), "fr": ("données", "corpus")}),
            Concept("code", {"en": ("training code", "code", "recipe"), "fr": ("code", "recette")}),
            Concept("fine_tuning", {"en": ("fine-tun", "fine tun", "adapt"),
                                    "fr": ("fine-tun", "fine tun", "affin", "adapt", "spécialis", "ajust",
                                           "réglage fin")}),
            Concept("retraining", {"en": ("retrain", "reproduc", "train from scratch"),
                                   "fr": ("réentraîn", "ré-entraîn", "refaire l'entraînement", "reprodui",
                                          "reproduc", "de zéro", "depuis zéro")}),
            Concept("transparency", {"en": ("transparen", "inspect", "audit"),
                                     "fr": ("transparen", "inspect", "audit", "examin", "vérifi")}),
        )),
        Question("healthcare", "rubric", 2, min_words=30, concepts=(
            Concept("weights", {"en": ("weights", "open-weight", "open weight"),
                                "fr": ("poids", "open-weight", "open weight")}),
            Concept("adapting", {"en": ("fine-tun", "fine tun", "adapt", "retrain", "train"),
                                 "fr": ("fine-tun", "fine tun", "affin", "adapt", "entraîn", "spécialis")}),
            Concept("clinical_data", {"en": ("clinical", "data"),
                                      "fr": ("clinique", "données", "dossiers médicaux", "notes médicales")}),
            Concept("licence", {"en": ("licen",), "fr": ("licen", "conditions d'utilisation")}),
            Concept("privacy", {"en": ("privacy", "patient", "confidential", "audit", "transparen"),
                                "fr": ("confidentialit", "confidentiel", "vie privée", "patient", "secret médical",
                                       "anonymis", "rgpd", "audit", "transparen")}),
        )),
    ),
    checks={"openness_matrix": _matrix, "openness_classification": _classification,
            "openness_both_scales": _both_scales},
)
