"""The openness facts and rules (course_utils.openness), in English and French."""
import pytest

from course_utils import i18n, openness
from course_utils.errors import InvalidInput
from langs import both, one_language  # noqa: F401 - the lang fixture


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


@pytest.mark.parametrize("lang, weights, catalog", [("en", "weights", "not in the course catalog"),
                                                    ("fr", "poids", "pas dans le catalogue du cours")],
                         indirect=["lang"])
def test_unknown_weights_and_unknown_model(lang, weights, catalog):
    with pytest.raises(InvalidInput, match=weights):
        openness.level_from_facts("", "yes", "yes")
    with pytest.raises(InvalidInput, match=catalog) as caught:
        openness.classify_model("someone/unknown")
    assert "someone/unknown" in str(caught.value)


def test_matrix_is_complete_data():
    assert openness.LEVELS == ("fully_open", "weights_only", "architecture_only")
    for level in openness.LEVELS:
        assert tuple(openness.MATRIX[level]) == openness.CAPABILITIES
        for cap in openness.CAPABILITIES:
            cell = openness.MATRIX[level][cap]
            assert cell.answer in openness.ANSWERS and set(cell.also_accepted) <= set(openness.ANSWERS)
            assert cell.level == level and cell.capability == cap


@both
def test_every_cell_and_name_reads_in_the_language(lang):
    whys = {openness.MATRIX[lvl][cap].why for lvl in openness.LEVELS for cap in openness.CAPABILITIES}
    assert len(whys) == 12 and all(whys)
    english = {"en": True, "fr": False}[lang]
    assert ("The weights are released" in openness.MATRIX["fully_open"]["use_directly"].why) is english
    assert openness.level_name("weights_only") == {"en": "Weights only", "fr": "Poids seulement"}[lang]
    assert openness.answer_name("with_resources") == {"en": "with enough resources",
                                                      "fr": "avec assez de ressources"}[lang]
    assert openness.capability_question("fine_tune").endswith("?")
    assert openness.level_name("no_such_level") == "no_such_level"  # never a crash on an odd saved value


@both
def test_release_facts_in_words(lang):
    words = {"en": ("yes", "no", "partly (fairseq)", "not verified"), "fr": ("oui", "non", "en partie (fairseq)",
                                                                             "non vérifié")}[lang]
    assert (openness.release_word("yes"), openness.release_word("No"), openness.release_word("partial (fairseq)"),
            openness.release_word("")) == words
    reasons = openness.classify_model("meta-llama/Llama-2-7b-hf").reasons
    assert reasons[2] == {"en": "training data released: no", "fr": "données d'entraînement publiées : non"}[lang]


def test_retrain_cells_share_one_rule_in_both_languages():
    for code in ("en", "fr"):
        i18n.set_language(code)
        try:
            rule = openness.retrain_rule()
            assert all(openness.MATRIX[lvl]["retrain"].why.startswith(rule) for lvl in openness.LEVELS)
        finally:
            i18n.set_language(None)


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
    assert set(v.reasons) <= set(openness.OSAID_REASONS)
    assert any(f.startswith("licence:") for f in v.facts)


@both
def test_bloom_fails_only_on_its_licence(lang):
    v = openness.osaid_verdict("bigscience/bloom-7b1")
    assert "no_data_information" not in v.reasons
    published = openness.data_information_name("published")
    assert {"en": "data information: ", "fr": "information sur les données : "}[lang] + published in v.facts
    assert openness.data_information("yes", "") == "released"
    assert openness.data_information("no", "yes") == "published"
    assert openness.data_information("no", "") == "none"
    assert all(openness.data_information_name(w) for w in openness.DATA_INFORMATION)


@both
def test_osaid_verdict_explains_itself_in_the_language(lang):
    text = openness.osaid_verdict("meta-llama/Llama-3.1-8B-Instruct").explain()
    assert text.startswith("meta-llama/Llama-3.1-8B-Instruct") and "Llama 3.1 Community License Agreement" in text
    assert {"en": "the licence restricts use", "fr": "la licence restreint l'usage"}[lang] in text
    assert "licence_restricts_use" not in text and "('" not in text  # words, not ids or Python values
    assert openness.osaid_reason("odd") == "odd" and openness.verdict_name("unknown")


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
