"""Exercise 1's declaration and checks (course_utils.exercises.ex01), called directly, in English and French."""
import html
import json
from pathlib import Path

import pytest

from course_utils import grading, i18n, openness
from course_utils.exercises import EXERCISES
from course_utils.exercises import ex01
from course_utils.feedback import checks_html
from langs import both, one_language  # noqa: F401 - the lang fixture

FIXTURES = Path(__file__).parent / "fixtures" / "answers"
IDS = ("with_resources", "fully_open", "weights_only", "architecture_only", "meets_definition",
       "licence_restricts_use", "no_training_code", "no_data_information", "True", "False")


def perfect_matrix():
    return {lvl: {cap: openness.MATRIX[lvl][cap].answer for cap in ex01.MATRIX_CAPABILITIES}
            for lvl in ex01.MATRIX_LEVELS}


def right_both_scales():
    return {m: {"level": openness.classify_model(m).level, "osaid": openness.osaid_verdict(m).verdict,
                "reason": openness.osaid_verdict(m).reasons[0]} for m in ex01.OSAID_MODELS}


def shown(checks):
    """What a learner reads of some checks (item, answer, expected, why)."""
    return " | ".join(f"{c.item} {c.shown_given} {c.shown_expected} {c.why}" for c in checks)


def test_the_exercise_constants_match_the_domain():
    assert set(ex01.MATRIX_LEVELS) == set(openness.LEVELS)
    assert set(ex01.MATRIX_CAPABILITIES) == set(openness.CAPABILITIES)
    assert set(ex01.MATRIX_ANSWERS) == set(openness.ANSWERS)
    assert set(ex01.OSAID_REASONS) == set(openness.OSAID_REASONS)
    assert set(ex01.OSAID_VERDICTS) <= {"yes", "no", "unknown"}
    levels = {openness.classify_model(m).level for m in ex01.CLASSIFY_MODELS}
    assert levels == {"fully_open", "weights_only"}
    verdicts = {openness.osaid_verdict(m).verdict for m in ex01.OSAID_MODELS}
    assert verdicts == set(ex01.OSAID_VERDICTS)  # every option is right for some model, none undecidable
    assert EXERCISES["ex01"] is ex01.EXERCISE and EXERCISES["ex01"].notebook == "01_open_source_levels.ipynb"


@both
def test_options_are_words_with_ids_behind(lang):
    for options, ids in ((ex01.answer_options(), ex01.MATRIX_ANSWERS), (ex01.level_options(), ex01.MATRIX_LEVELS),
                         (ex01.verdict_options(), ex01.OSAID_VERDICTS), (ex01.reason_options(), ex01.OSAID_REASONS)):
        assert options[0] == ex01.BLANK and tuple(v for _, v in options[1:]) == ids
        assert all(label and label not in IDS for label, _ in options[1:])
    labels = dict((v, k) for k, v in ex01.answer_options())
    assert labels["with_resources"] == {"en": "with enough resources", "fr": "avec assez de ressources"}[lang]
    assert dict((v, k) for k, v in ex01.level_options())["fully_open"] == {"en": "Fully open",
                                                                          "fr": "Entièrement ouvert"}[lang]


@both
def test_check_matrix_gives_per_cell_feedback_in_words(lang):
    assert all(f.correct for f in ex01.check_matrix(perfect_matrix()))
    wrong = perfect_matrix()
    wrong["weights_only"]["retrain"] = "yes"
    wrong["architecture_only"]["use_directly"] = "yes"
    bad = [f for f in ex01.check_matrix(wrong) if not f.correct]
    items = {"en": {"Weights only / Can you retrain it (redo the training)?",
                    "Architecture only / Can you use it directly?"},
             "fr": {"Poids seulement / Peut-on le réentraîner (refaire l'entraînement) ?",
                    "Architecture seulement / Peut-on l'utiliser directement ?"}}[lang]
    assert {f.item for f in bad} == items and all(f.why for f in bad)
    retrain = next(f for f in bad if f.expected == "with_resources")
    assert retrain.given == "yes" and retrain.expected == "with_resources"  # ids kept for grading
    assert retrain.shown_given == {"en": "yes", "fr": "oui"}[lang]
    assert retrain.shown_expected == {"en": "with enough resources (also accepted: no)",
                                      "fr": "avec assez de ressources (accepté aussi : non)"}[lang]
    missing = [f for f in ex01.check_matrix({}) if not f.correct]
    assert len(missing) == 12 and missing[0].given is None and missing[0].shown_given == "—"
    odd = ex01.check_matrix({"fully_open": {"use_directly": "maybe"}})[0]
    assert not odd.correct and odd.shown_given == "maybe"  # an unknown saved value is shown as it is
    assert not any(word in shown(ex01.check_matrix({})) for word in ("with_resources", "fully_open", "None"))


def test_fully_open_retrain_accepts_yes():
    cell = [f for f in ex01.check_matrix({"fully_open": {"retrain": "yes"}}) if f.item.startswith("Fully open / Can "
                                                                                               "you retrain")][0]
    assert cell.correct


@both
def test_check_classification_in_words(lang):
    answers = {"allenai/OLMo-7B": "fully_open", "meta-llama/Llama-2-7b-hf": "fully_open"}
    checks = {c.item: c for c in ex01.check_classification(answers)}
    assert checks["allenai/OLMo-7B"].correct
    llama = checks["meta-llama/Llama-2-7b-hf"]
    assert not llama.correct and llama.given == "fully_open" and llama.expected == "weights_only"
    assert (llama.shown_given, llama.shown_expected) == {"en": ("Fully open", "Weights only"),
                                                         "fr": ("Entièrement ouvert", "Poids seulement")}[lang]
    assert {"en": "training data released: no", "fr": "données d'entraînement publiées : non"}[lang] in llama.why
    assert checks["bigscience/bloom-7b1"].given is None and not checks["bigscience/bloom-7b1"].correct
    assert len(ex01.check_classification("garbage")) == len(ex01.CLASSIFY_MODELS)
    assert not any(i in shown(checks.values()) for i in IDS[:4])


@both
def test_check_both_scales_in_words(lang):
    checks = ex01.check_both_scales(right_both_scales())
    assert len(checks) == 2 * len(ex01.OSAID_MODELS) and all(c.correct for c in checks)
    # Llama: downloadable weights, so "weights only" is right, but "yes, Open Source AI" is wrong
    wrong = dict(right_both_scales(), **{"meta-llama/Llama-3.1-8B-Instruct": {
        "level": "weights_only", "osaid": "yes", "reason": "meets_definition"}})
    by = {c.item: c for c in ex01.check_both_scales(wrong)}
    level_item, verdict_item = {"en": ("{}: level", "{}: Open Source AI"),
                                "fr": ("{} : niveau", "{} : Open Source AI")}[lang]
    assert by[level_item.format("meta-llama/Llama-3.1-8B-Instruct")].correct
    bad = by[verdict_item.format("meta-llama/Llama-3.1-8B-Instruct")]
    assert not bad.correct and "Llama 3.1" in bad.why
    assert bad.given == {"osaid": "yes", "reason": "meets_definition"}
    assert bad.expected == {"osaid": "no", "reasons": ["licence_restricts_use", "no_training_code",
                                                       "no_data_information"]}
    restricts = {"en": "the licence restricts use", "fr": "la licence restreint l'usage"}[lang]
    assert restricts in bad.why and restricts in bad.shown_expected
    assert bad.shown_expected.startswith({"en": "no (", "fr": "non ("}[lang])
    assert {"en": " or ", "fr": " ou "}[lang] in bad.shown_expected  # any requirement it misses counts
    assert bad.shown_given.startswith({"en": "yes (weights, complete", "fr": "oui (poids, code"}[lang])
    assert not any(i in shown(by.values()) for i in IDS)
    # "no" with a reason the model does not miss is wrong: gpt-oss's Apache-2.0 licence is fine
    gpt = dict(right_both_scales(), **{"openai/gpt-oss-20b": {"level": "weights_only", "osaid": "no",
                                                              "reason": "licence_restricts_use"}})
    assert not {c.item: c for c in ex01.check_both_scales(gpt)}[verdict_item.format("openai/gpt-oss-20b")].correct
    assert len(ex01.check_both_scales("garbage")) == 2 * len(ex01.OSAID_MODELS)
    blank = ex01.check_both_scales({m: "yes" for m in ex01.OSAID_MODELS})
    assert not any(c.correct for c in blank) and "—" in blank[1].shown_given and "None" not in shown(blank)


def test_the_grader_uses_the_same_functions():
    for qid, value in (("matrix", perfect_matrix()), ("open_source_ai", right_both_scales()),
                       ("classify", {m: openness.classify_model(m).level for m in ex01.CLASSIFY_MODELS})):
        result = grading.check_question("ex01", qid, value)
        assert result.score == result.max_points, (qid, result)


@both
def test_saved_answers_of_the_fixture_class_still_grade(lang):
    doc = json.loads((FIXTURES / "ex01_ada-lovelace.json").read_text())
    results = {r.question: r for r in grading.grade_answers("ex01", doc["answers"])}
    assert results["matrix"].score == results["matrix"].max_points
    assert results["open_source_ai"].score == results["open_source_ai"].max_points


@both
def test_feedback_html_shows_labels_not_ids(lang):
    wrong = perfect_matrix()
    wrong["weights_only"]["retrain"] = "yes"
    page = checks_html(ex01.check_matrix(wrong)) + checks_html(ex01.check_classification({}))
    page += checks_html(ex01.check_both_scales({"openai/gpt-oss-20b": {"osaid": "no", "reason": "no_weights"}}))
    assert not any(i in page for i in IDS)


@both
def test_facts_tables_are_words(lang):
    head, rows = ex01.classify_facts()
    assert [r[0] for r in rows] == list(ex01.CLASSIFY_MODELS) and len(head) == 4
    yes = {"en": "yes", "fr": "oui"}[lang]
    assert rows[0][1:] == [yes, yes, yes]
    head, rows = ex01.osaid_facts()
    bloom = next(r for r in rows if r[0] == "bigscience/bloom-7b1")
    assert bloom[3] == {"en": "partly", "fr": "en partie"}[lang] and bloom[5] == "BigScience RAIL License v1.0"
    assert bloom[4] == openness.data_information_name("published")
    assert head[0] == {"en": "model", "fr": "modèle"}[lang]
    assert ex01.matrix_header()[1:] == [dict((v, k) for k, v in ex01.level_options())[lvl]
                                        for lvl in ex01.MATRIX_LEVELS]
    assert [cap for cap, _ in ex01.matrix_rows()] == list(ex01.MATRIX_CAPABILITIES)


# --------------------------------------------------------------------------- rubric in French

FRENCH_COMPARISON = (
    "Un modèle entièrement ouvert publie les poids, le code d'entraînement et les données d'entraînement : "
    "on peut l'affiner, refaire l'entraînement pour le reproduire et examiner ce qu'il a appris, donc il est "
    "transparent. Un modèle à poids seulement s'utilise et s'affine, mais on ne peut ni vérifier ses biais ni "
    "reproduire son entraînement faute de données. Avec l'architecture seule, il faut tout réentraîner depuis "
    "zéro avec beaucoup de calcul, sans poids de départ.")
FRENCH_HEALTHCARE = (
    "L'hôpital a besoin au minimum de poids publiés pour faire l'entraînement complémentaire (fine-tuning) sur "
    "ses notes cliniques ; la licence doit autoriser l'usage médical. Les données des patients restent "
    "confidentielles : tout se fait sur les serveurs de l'hôpital, et on doit pouvoir auditer le modèle.")


@both
def test_a_french_answer_with_accents_and_elisions_earns_the_concepts(lang):
    for qid, text in (("comparison", FRENCH_COMPARISON), ("healthcare", FRENCH_HEALTHCARE)):
        result = grading.check_question("ex01", qid, text)
        missed = [c.item for c in result.checks if not c.correct]
        assert not missed and result.score == result.max_points, (qid, missed)
        folded = grading.fold(text)  # and by the French terms alone, not by English ones that happen to match
        for c in ex01.EXERCISE.question(qid).concepts:
            assert any(grading.fold(term) in folded for term in c.terms["fr"]), (qid, c.id)


@pytest.mark.parametrize("text, concept", [
    ("l'entraînement", "adapting"), ("données d'entraînement", "clinical_data"), ("la confidentialité", "privacy"),
    ("l’affinage", "adapting"), ("Licence", "licence"), ("poids", "weights"),
    ("refaire l'entraînement", "retraining"), ("repartir de zéro", "retraining"), ("RÉENTRAÎNER", "retraining"),
    ("l'ajustement", "fine_tuning"), ("s'adapter", "fine_tuning"), ("qu'on l'examine", "transparency")])
def test_french_words_alone_find_their_concept(text, concept):
    concepts = [c for q in ex01.EXERCISE.questions for c in q.concepts]
    c = next(c for c in concepts if c.id == concept)
    assert any(grading.fold(term) in grading.fold(text) for term in c.terms["fr"]), (text, concept)


def test_every_concept_has_french_terms_and_a_label_in_both_languages():
    for q in ex01.EXERCISE.questions:
        for c in q.concepts:
            assert c.terms.get("en") and c.terms.get("fr"), (q.id, c.id)
            for code in ("en", "fr"):
                label = i18n.t(f"ex01.concept.{c.id}", code)
                assert label and not any(label == term for term in c.terms[code])


@pytest.mark.parametrize("lang", ["fr"], indirect=True)
def test_french_feedback_names_the_concept_in_words(lang):
    result = grading.check_question("ex01", "comparison", "Le modèle publie ses poids. " * 10)
    items = {c.item: c.correct for c in result.checks}
    assert items["parle des poids"] is True and items["parle du fine-tuning (affinage)"] is False
    labels = {i18n.t(f"ex01.concept.{c.id}") for c in ex01.EXERCISE.question("comparison").concepts}
    assert set(items) == labels  # concepts in words, never a stem such as "fine-tun"


# --------------------------------------------------------------------------- widgets (kernel-side)

def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def classes(widget) -> set[str]:
    return set(getattr(widget, "_dom_classes", ()))


def outputs_text(out) -> str:
    return " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/html", "")) for o in out.outputs)


@pytest.fixture
def store(answers_dir, monkeypatch):
    from course_utils import answers

    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())
    return answers


def by_class(box, name):
    found = [x for x in walk(box) if f"cu-{name}" in classes(x)]
    assert len(found) == 1, (name, len(found))
    return found[0]


@both
def test_widgets_carry_test_classes(lang, store):
    from course_utils.ui import ex01 as ui

    matrix = ui.matrix_quiz()
    for lvl in ex01.MATRIX_LEVELS:
        for cap in ex01.MATRIX_CAPABILITIES:
            assert by_class(matrix, f"ex01-matrix-{lvl}-{cap}").options == tuple(ex01.answer_options())
    by_class(matrix, "check-ex01-matrix"), by_class(matrix, "out-ex01-matrix")
    classify = ui.classify_models()
    assert by_class(classify, "ex01-classify-allenai-olmo-7b").description == "allenai/OLMo-7B"
    assert all(by_class(classify, f"ex01-classify-{ui.slug(m)}") for m in ex01.CLASSIFY_MODELS)
    scales = ui.both_scales_quiz()
    for m in ex01.OSAID_MODELS:
        for part in ("level", "osaid", "reason"):
            by_class(scales, f"ex01-osaid-{ui.slug(m)}-{part}")
    by_class(ui.comparison_box(), "ex01-comparison-text"), by_class(ui.healthcare_box(), "ex01-healthcare-text")


@both
def test_matrix_widget_records_ids_and_shows_words(lang, store):
    from course_utils.ui import ex01 as ui

    quiz = ui.matrix_quiz()
    by_class(quiz, "ex01-matrix-weights_only-retrain").value = "yes"
    by_class(quiz, "ex01-matrix-architecture_only-retrain").value = "with_resources"
    by_class(quiz, "check-ex01-matrix").click()
    page = html.unescape(outputs_text(by_class(quiz, "out-ex01-matrix")))
    assert store.store().get("ex01", "matrix")["weights_only"]["retrain"] == "yes"
    assert openness.MATRIX["weights_only"]["retrain"].why.split(":")[0] in page
    assert {"en": "with enough resources (also accepted: no)",
            "fr": "avec assez de ressources (accepté aussi : non)"}[lang] in page
    assert "with_resources" not in page and "weights_only" not in page


@pytest.mark.parametrize("lang", ["fr"], indirect=True)
def test_french_widgets_read_french(lang, store):
    import ipywidgets as w

    from course_utils.ui import ex01 as ui

    boxes = [ui.matrix_quiz(), ui.classify_models(), ui.both_scales_quiz(), ui.comparison_box(), ui.healthcare_box()]
    seen = []
    for x in (x for b in boxes for x in walk(b)):
        if isinstance(x, w.HTML):
            seen.append(x.value)
        if isinstance(x, w.Dropdown):
            seen += [label for label, _ in x.options]
    text = html.unescape(" ".join(seen))
    for french in ("Entièrement ouvert", "Peut-on l'utiliser directement ?", "avec assez de ressources", "modèle",
                   "poids publiés", "la licence restreint l'usage", "Comparez les trois niveaux", "Un hôpital"):
        assert french in text, french
    for english in ("Fully open", "Can you", "with enough resources", "weights released", "the licence restricts",
                    "Compare the three", "A hospital", "From the course catalog"):
        assert english not in text, english
    buttons = {x.description for b in boxes for x in walk(b) if isinstance(x, w.Button)}
    assert {"Vérifier la matrice", "Vérifier les niveaux", "Vérifier les deux échelles"} <= buttons


@pytest.mark.parametrize("lang", ["fr"], indirect=True)
def test_both_scales_widget_in_french(lang, store):
    from course_utils.ui import ex01 as ui

    box = ui.both_scales_quiz()
    llama = ui.slug("meta-llama/Llama-3.1-8B-Instruct")
    by_class(box, f"ex01-osaid-{llama}-level").value = "weights_only"
    by_class(box, f"ex01-osaid-{llama}-osaid").value = "yes"
    by_class(box, f"ex01-osaid-{llama}-reason").value = "meets_definition"
    by_class(box, "check-ex01-open_source_ai").click()
    page = html.unescape(outputs_text(by_class(box, "out-ex01-open_source_ai")))
    assert "Poids seulement" in page and "oui (poids, code d'entraînement complet" in page
    assert "la licence restreint l'usage" in page and "Faits :" in page
    assert "meets_definition" not in page and "licence_restricts_use" not in page
    assert store.store().get("ex01", "open_source_ai")[
        "meta-llama/Llama-3.1-8B-Instruct"] == {"level": "weights_only", "osaid": "yes", "reason": "meets_definition"}
