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
