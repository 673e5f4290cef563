"""Exercise 3 (LLM matchmaker): the search finds models for each need offline, each team's check tests
the team's needs with the measured value against the need, picks record their search, old answers grade."""
from __future__ import annotations

import pytest

from course_utils import fit, grading, hub, i18n
from course_utils.exercises import ex03
from course_utils.exercises.ex03 import TEAMS, pick_answer, pick_parts, search_for
from langs import one_language  # noqa: F401 - the lang fixture


@pytest.fixture(autouse=True)
def fresh_log():
    ex03.SEARCHES.clear()
    yield
    ex03.SEARCHES.clear()


def ids(result):
    return [r.repo_id for r in result.results]


def test_offline_search_finds_maths_models_from_benchmark_facts():
    r = hub.search_models(task="text-generation", tags=["math"], max_params_b=8, commercial_only=True)
    found = ids(r)
    assert "microsoft/Phi-3-mini-4k-instruct" in found and "Qwen/Qwen2.5-7B-Instruct" in found
    assert "mistralai/Mistral-7B-Instruct-v0.1" not in found  # GSM8K 14.25 %
    assert r.why["microsoft/Phi-3-mini-4k-instruct"] == ("GSM8K 74.53 %",)
    assert ids(hub.search_models(tags=["maths"], max_params_b=8)) == ids(hub.search_models(tags=["math"],
                                                                                          max_params_b=8))


def test_quantized_builds_get_their_base_models_scores_and_fine_tunes_do_not():
    gguf = hub.model_summary("microsoft/Phi-3-mini-4k-instruct-gguf")
    assert hub.maths_scores(gguf)["via"] == "microsoft/Phi-3-mini-4k-instruct"
    wizard = hub.model_summary("WizardLMTeam/WizardMath-7B-V1.1")  # a fine-tune of Mistral-7B: not its scores
    assert hub.maths_scores(wizard) == {}
    assert set(ids(hub.search_models(tags=["math", "gguf"]))) == {"microsoft/Phi-3-mini-4k-instruct-gguf",
                                                                   "TheBloke/phi-2-GGUF"}  # phi-2: GSM8K 54.81 %


def test_offline_search_finds_multilingual_and_code_models():
    r = hub.search_models(task="text-generation", tags=["multilingual"], max_params_b=8, commercial_only=True)
    assert "bigscience/bloomz-3b" in ids(r) and "mistralai/Mistral-7B-v0.1" not in ids(r)
    assert all((m.language_count or 0) >= hub.MULTILINGUAL_MIN for m in r.results)
    r = hub.search_models(tags=["code"])  # from what model cards say (data/card_facts.csv)
    assert {"microsoft/Phi-3-mini-4k-instruct", "tiiuae/Falcon3-7B-Instruct"} <= set(ids(r))
    assert r.why["microsoft/Phi-3-mini-4k-instruct-gguf"] == ("its model card names code among its strengths",)
    r = hub.search_models(tags=["code"], max_params_b=1)
    assert not r.results and r.url in r.notes[-1] and "code facts only from a few model cards" in r.notes[-1]


def test_search_words_typed_with_commas_and_names():
    assert ids(hub.search_models(tags=["math, gguf"])) == ids(hub.search_models(tags=["math", "gguf"]))
    assert "meta-math/MetaMath-Mistral-7B" in ids(hub.search_models(tags=["math"], limit=50))


def test_hub_url_has_the_same_filters():
    r = hub.search_models(task="text-generation", tags=["math"], max_params_b=7, quantized=True)
    assert r.url == ("https://huggingface.co/models?pipeline_tag=text-generation&library=gguf&other=math"
                     "&num_parameters=min:0,max:7B&sort=downloads")
    assert r.to_dict()["url"] == r.url and r.to_dict()["results"][0]["url"].startswith("https://huggingface.co/")


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_search_messages_in_both_languages(lang):
    r = hub.search_models(min_languages=5, commercial_only=True)
    text = " ".join(r.notes)
    assert ("download counts are not in the snapshot" in text) if lang == "en" else ("téléchargements" in text)
    from course_utils.errors import InvalidInput

    with pytest.raises(InvalidInput, match="limit|limite"):
        hub.search_models(limit=0)


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_rows_show_the_measured_value_against_the_need(lang):
    checks = {c.item: c for c in grading.functions()["team_pick"]("microsoft/Phi-3-mini-4k-instruct",
                                                                   {"team": "edtech"})}
    cpu = checks[i18n.t("matchmaker.need.cpu")]
    need = fit.estimate("microsoft/Phi-3-mini-4k-instruct", "Q4_K_M", 4096).ram_needed_gb  # 4.6 GB (fused QKV)
    assert cpu.correct and i18n.number(need, ".1f") in cpu.shown_given and "6" in cpu.shown_expected
    maths = checks[i18n.t("matchmaker.need.maths")]
    assert maths.correct and i18n.number(74.53, "g") in maths.shown_given and "50" in maths.shown_expected
    assert i18n.t("matchmaker.need.cpu") == ("runs on CPU" if lang == "en" else "tourne sur CPU")
    assert "Go" in cpu.shown_given if lang == "fr" else "GB" in cpu.shown_given


def test_each_team_tests_its_own_needs():
    assert [c.need for c in ex03.check_pick_needs("legaltech", "TheBloke/Mistral-7B-Instruct-v0.1-GGUF")] == \
        ["task", "size", "cpu", "licence"]
    assert [c.need for c in ex03.check_pick_needs("edtech", "microsoft/Phi-3-mini-4k-instruct")] == \
        ["task", "cpu", "maths", "licence"]
    assert [c.need for c in ex03.check_pick_needs("ngo", "bigscience/bloomz-3b")] == \
        ["task", "size", "languages", "licence"]


def test_pick_records_the_search_for_that_team():
    assert pick_answer("edtech", "x/y") == "x/y"  # no search yet: a plain id, as answers were saved before
    assert pick_answer("edtech", "x/y", {"repo_id": "a/b", "search": {"url": "u"}}) == {"repo_id": "x/y",
                                                                                       "search": None}
    result = search_for("edtech", task="text-generation", tags=["math"], max_params_b=8)
    answer = pick_answer("edtech", " microsoft/Phi-3-mini-4k-instruct ")
    assert answer["repo_id"] == "microsoft/Phi-3-mini-4k-instruct"
    assert answer["search"]["url"] == result.url and answer["search"]["filters"]["tags"] == ["math"]
    assert pick_answer("ngo", "x/y") == "x/y"  # a search is recorded for the team it was run for


def test_old_plain_id_answers_still_grade_like_new_ones():
    assert pick_parts("bigscience/bloomz-3b") == ("bigscience/bloomz-3b", None)
    assert pick_parts({"repo_id": "a/b", "search": {"url": "u"}}) == ("a/b", {"url": "u"})
    assert pick_parts(42) == ("", None)
    old = grading.grade_answers("ex03", {"pick_ngo": "bigscience/bloomz-3b"})
    new = grading.grade_answers("ex03", {"pick_ngo": {"repo_id": "bigscience/bloomz-3b",
                                                      "search": {"filters": {}, "url": "https://huggingface.co/models"}}})
    by_old = {q.question: q for q in old}
    by_new = {q.question: q for q in new}
    assert by_old["pick_ngo"].score == by_new["pick_ngo"].score == 2
    bad = {q.question: q for q in grading.grade_answers("ex03", {"pick_ngo": {"repo_id": 7}})}
    assert bad["pick_ngo"].score == 0 and "Traceback" not in bad["pick_ngo"].feedback


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_rubric_concepts_have_labels_and_french_terms(lang):
    text = ("Phi-3 mini a besoin d'environ 4,5 Go de mémoire en Q4_K_M, il tient dans un portable de 8 Go, et son "
            "score GSM8K montre qu'il raisonne bien en mathématiques.") if lang == "fr" else \
        ("Phi-3 mini needs about 4.5 GB of RAM at Q4_K_M, so it fits an 8 GB laptop, and it is good at math "
         "reasoning as its GSM8K score shows.")
    result = grading.check_question("ex03", "why_edtech", text)
    assert result.score == 1, [(c.item, c.correct) for c in result.checks]
    labels = {c.item for c in result.checks}
    assert labels == {i18n.t("ex03.concept.memory"), i18n.t("ex03.concept.maths")}
    assert all("concept" not in label for label in labels)


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_team_texts_come_from_the_catalogs(lang):
    assert TEAMS["ngo"].name == ("Global NGO" if lang == "en" else "ONG internationale")
    assert "8" in TEAMS["edtech"].brief
