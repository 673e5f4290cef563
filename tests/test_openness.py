import pytest

from course_utils import openness
from course_utils.errors import InvalidInput


@pytest.mark.parametrize("repo_id, level", [
    ("allenai/OLMo-7B", "fully_open"), ("EleutherAI/pythia-6.9b", "fully_open"),
    ("mistralai/Mistral-7B-v0.1", "weights_only"), ("meta-llama/Llama-2-7b-hf", "weights_only"),
    ("bigscience/bloom-7b1", "weights_only"), ("HuggingFaceH4/zephyr-7b-beta", "weights_only"),
])
def test_classify_catalog_models(repo_id, level):
    o = openness.classify_model(repo_id)
    assert o.level == level and len(o.reasons) == 3 and o.sources.startswith("http")


@pytest.mark.parametrize("w, c, d, level", [
    ("yes", "yes", "yes", "fully_open"), ("yes", "partial (x)", "yes", "weights_only"),
    ("yes", "no", "no", "weights_only"), ("no", "yes", "no", "architecture_only"),
    ("yes", "", "yes", "weights_only"),
])
def test_level_from_facts(w, c, d, level):
    assert openness.level_from_facts(w, c, d) == level


def test_unknown_weights_and_unknown_model():
    with pytest.raises(InvalidInput, match="weights"):
        openness.level_from_facts("", "yes", "yes")
    with pytest.raises(InvalidInput, match="not in the course catalog"):
        openness.classify_model("someone/unknown")


def test_matrix_is_complete_data():
    for level in openness.LEVELS:
        for cap in openness.CAPABILITIES:
            cell = openness.MATRIX[level][cap]
            assert cell.answer in openness.ANSWERS and cell.why


def test_check_matrix_gives_per_cell_feedback():
    perfect = {lvl: {cap: openness.MATRIX[lvl][cap].answer for cap in openness.CAPABILITIES}
               for lvl in openness.LEVELS}
    assert all(f.correct for f in openness.check_matrix(perfect))
    wrong = {lvl: dict(row) for lvl, row in perfect.items()}
    wrong["weights_only"]["retrain"] = "yes"
    wrong["architecture_only"]["use_directly"] = "yes"
    bad = [f for f in openness.check_matrix(wrong) if not f.correct]
    assert {f.item for f in bad} == {"Weights only / Can you retrain it (redo the training)?",
                                     "Architecture only / Can you use it directly?"}
    assert all(f.why for f in bad)
    missing = [f for f in openness.check_matrix({}) if not f.correct]
    assert len(missing) == 12 and missing[0].given is None


def test_fully_open_retrain_accepts_yes():
    answers = {"fully_open": {"retrain": "yes"}}
    cell = [f for f in openness.check_matrix(answers) if f.item.startswith("Fully open / Can you retrain")][0]
    assert cell.correct


def test_check_classification():
    answers = {"allenai/OLMo-7B": "fully_open", "meta-llama/Llama-2-7b-hf": "fully_open"}
    checks = {c.item: c for c in openness.check_classification(answers)}
    assert checks["allenai/OLMo-7B"].correct
    assert not checks["meta-llama/Llama-2-7b-hf"].correct and "training data released: no" in checks["meta-llama/Llama-2-7b-hf"].why
    assert checks["bigscience/bloom-7b1"].given is None and not checks["bigscience/bloom-7b1"].correct
    assert len(openness.check_classification("garbage")) == len(openness.CLASSIFY_MODELS)


# --------------------------------------------------------------------------- Open Source AI Definition 1.0

@pytest.mark.parametrize("repo_id, verdict, must_include", [
    # OSI's validation passed Pythia and OLMo (https://opensource.org/ai/faq)
    ("EleutherAI/pythia-6.9b", "yes", {"meets_definition"}),
    ("allenai/OLMo-2-1124-7B", "yes", {"meets_definition"}),
    # downloadable weights under use-restricted terms are not Open Source AI
    ("meta-llama/Llama-3.1-8B-Instruct", "no", {"licence_restricts_use"}),
    ("google/gemma-3-4b-it", "no", {"licence_restricts_use"}),
    # RAIL: the training data is documented (data information), only the licence fails
    ("bigscience/bloom-7b1", "no", {"licence_restricts_use"}),
    # a permissive licence is not enough without code and data information
    ("openai/gpt-oss-20b", "no", {"no_training_code", "no_data_information"}),
    ("mistralai/Mistral-7B-v0.1", "no", {"no_training_code", "no_data_information"}),
])
def test_osaid_verdicts_from_catalog_facts(repo_id, verdict, must_include):
    v = openness.osaid_verdict(repo_id)
    assert v.verdict == verdict and must_include <= set(v.reasons) and v.sources.startswith("http")
    assert any(f.startswith("licence:") for f in v.facts)


def test_bloom_fails_only_on_its_licence():
    v = openness.osaid_verdict("bigscience/bloom-7b1")
    assert "no_data_information" not in v.reasons and "data information: published" in v.facts
    assert openness.data_information("yes", "") == "in the released data"
    assert openness.data_information("no", "") == "none recorded"


def test_licence_fact_comes_from_the_licence_table():
    assert openness.licence_grants_freedoms("apache-2.0") is True
    assert openness.licence_grants_freedoms("llama3.1") is False
    assert openness.licence_grants_freedoms("bigscience-bloom-rail-1.0") is False
    assert openness.licence_grants_freedoms("no-such-licence") is None


@pytest.mark.parametrize("facts, expected", [
    (("yes", "yes", "yes", "", True), ("yes", ("meets_definition",))),
    (("yes", "yes", "partial (pretraining corpus partly)", "yes", True), ("yes", ("meets_definition",))),
    (("yes", "yes", "partial (x)", "", True), ("no", ("no_data_information",))),
    (("yes", "partial (fine-tuning only)", "yes", "", True), ("no", ("no_training_code",))),
    (("no", "yes", "yes", "", True), ("no", ("no_weights",))),
    (("yes", "yes", "yes", "", False), ("no", ("licence_restricts_use",))),
    (("yes", "yes", "yes", "", None), ("unknown", ())),
    (("yes", "", "yes", "", True), ("unknown", ())),
])
def test_osaid_from_facts(facts, expected):
    assert openness.osaid_from_facts(*facts) == expected


def test_osaid_quotes_the_definition():
    assert set(openness.OSAID_FREEDOMS) == {"use", "study", "modify", "share"}
    assert "without having to ask for permission" in openness.OSAID_FREEDOMS["use"]
    assert "substantially equivalent system" in openness.OSAID_COMPONENTS["data_information"]
    assert openness.OSAID_URL == "https://opensource.org/ai/open-source-ai-definition"


def test_check_both_scales():
    right = {m: {"level": openness.classify_model(m).level, "osaid": openness.osaid_verdict(m).verdict,
                 "reason": openness.osaid_verdict(m).reasons[0]} for m in openness.OSAID_MODELS}
    checks = openness.check_both_scales(right)
    assert len(checks) == 2 * len(openness.OSAID_MODELS) and all(c.correct for c in checks)
    # Llama: downloadable weights, so "weights only" is right, but "yes, Open Source AI" is wrong
    wrong = dict(right, **{"meta-llama/Llama-3.1-8B-Instruct": {"level": "weights_only", "osaid": "yes",
                                                                 "reason": "meets_definition"}})
    by = {c.item: c for c in openness.check_both_scales(wrong)}
    assert by["meta-llama/Llama-3.1-8B-Instruct: level"].correct
    bad = by["meta-llama/Llama-3.1-8B-Instruct: Open Source AI"]
    assert not bad.correct and "licence restricts use" in bad.why and "Llama 3.1" in bad.why
    # "no" with a reason the model does not miss is wrong: gpt-oss's Apache-2.0 licence is fine
    gpt = dict(right, **{"openai/gpt-oss-20b": {"level": "weights_only", "osaid": "no",
                                               "reason": "licence_restricts_use"}})
    assert not {c.item: c for c in openness.check_both_scales(gpt)}["openai/gpt-oss-20b: Open Source AI"].correct
    assert len(openness.check_both_scales("garbage")) == 2 * len(openness.OSAID_MODELS)
    assert not any(c.correct for c in openness.check_both_scales({m: "yes" for m in openness.OSAID_MODELS}))


def test_osaid_grader_uses_the_same_function():
    from course_utils.grading import check_question

    right = {m: {"level": openness.classify_model(m).level, "osaid": openness.osaid_verdict(m).verdict,
                 "reason": openness.osaid_verdict(m).reasons[0]} for m in openness.OSAID_MODELS}
    result = check_question("ex01", "open_source_ai", right)
    assert result.score == result.max_points == 3
