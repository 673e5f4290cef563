"""The Hub module with HF_HUB_OFFLINE=1: snapshot answers, id help, search filters."""

import pytest

from course_utils import hub
from course_utils.errors import InvalidInput, ModelNotFound


def test_offline_answer_comes_from_dated_snapshot_without_touching_the_network(monkeypatch):
    import socket

    def no_network(*args, **kwargs):  # offline means not even a connection attempt (so no wait at all)
        raise AssertionError("an offline lookup tried to open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    s = hub.model_summary("facebook/opt-6.7b")
    assert s.source == f"course facts researched {hub.snapshot()[0]} (sources listed)" and not s.live
    assert (s.license_id, s.license_name, s.license_key) == ("other", "opt-175b", "other:opt-175b") and s.gated is False and s.params_b == 6.7
    assert any("HF_HUB_OFFLINE" in n for n in s.notes)


@pytest.mark.parametrize("asked, repo_id", [
    ("gpt2", "openai-community/gpt2"),
    ("meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct"),
    ("EleutherAI/gpt-j-6B", "EleutherAI/gpt-j-6b"),
    ("mistralai/mistral-7b-instruct-v0.2", "mistralai/Mistral-7B-Instruct-v0.2"),
    ("https://huggingface.co/bigscience/bloom-7b1", "bigscience/bloom-7b1"),
    ("https://huggingface.co/bigscience/bloom-7b1/tree/main/", "bigscience/bloom-7b1"),
    ("hf.co/facebook/opt-6.7b?x=1", "facebook/opt-6.7b"),
    ("  'allenai/OLMo-7B-hf'  ", "allenai/OLMo-7B-hf"),
])
def test_renamed_cased_and_pasted_ids_are_resolved(asked, repo_id):
    s = hub.model_summary(asked)
    assert s.repo_id == repo_id and s.notes


def test_non_existent_mistral_id_gets_the_real_versions():
    with pytest.raises(ModelNotFound) as err:
        hub.model_summary("mistralai/Mistral-7B-Instruct")
    assert err.value.suggestions == ("mistralai/Mistral-7B-Instruct-v0.1", "mistralai/Mistral-7B-Instruct-v0.2",
                                     "mistralai/Mistral-7B-Instruct-v0.3")
    assert "did you mean: mistralai/Mistral-7B-Instruct-v0.1" in str(err.value)


def test_typo_gets_close_matches_from_catalog_and_leaderboard():
    with pytest.raises(ModelNotFound) as err:
        hub.model_summary("bigscience/blom-7b1")
    assert "bigscience/bloom-7b1" in err.value.suggestions
    with pytest.raises(ModelNotFound) as err:
        hub.model_summary("upstage/SOLAR-10.7B-Instruct-v1.O")  # letter O, only on the leaderboard
    assert "upstage/SOLAR-10.7B-Instruct-v1.0" in err.value.suggestions


@pytest.mark.parametrize("bad, words", [
    ("", "empty"), ("   ", "empty"), (None, "empty"), ("a b/c", "spaces"), ("a/b/c", "more than one"),
    ("org/na$me", "not a valid model id"), ("-org/x", "not a valid model id"), ("org/..", "not a valid"),
    ("https://example.com/org/model", "not a Hugging Face address"), ("https://huggingface.co/", "without a model"),
])
def test_malformed_ids_get_specific_messages(bad, words):
    with pytest.raises(InvalidInput, match=words):
        hub.model_summary(bad)


def test_summary_renders_for_notebook_and_cli():
    s = hub.model_summary("TheBloke/Llama-2-7B-Chat-GGUF")
    assert s.quantization == "gguf"
    html = s._repr_html_()
    assert "TheBloke/Llama-2-7B-Chat-GGUF" in html and "not in snapshot" in html
    assert "source" in s.to_text() and s.to_dict()["repo_id"] == s.repo_id


def test_search_filters_offline():
    r = hub.search_models(task="text-generation", max_params_b=8, quantized=True, commercial_only=True)
    ids = [m.repo_id for m in r.results]
    assert "TheBloke/Mistral-7B-Instruct-v0.1-GGUF" in ids
    assert "TheBloke/phi-2-GGUF" not in ids  # microsoft-research-license: commercial use not confirmed
    assert all(m.params_b <= 8 and m.quantization for m in r.results)
    assert r.source.startswith("course facts researched") and "download counts are not in the snapshot" in r.notes[0]


def test_search_languages_and_licences():
    r = hub.search_models(min_languages=5, commercial_only=True, limit=50)
    ids = {m.repo_id for m in r.results}
    assert "bigscience/bloomz-3b" in ids and "meta-llama/Llama-3.2-3B-Instruct" in ids
    assert "facebook/nllb-200-distilled-600M" not in ids  # cc-by-nc-4.0
    assert all((m.language_count or 0) >= 5 for m in r.results)


def test_search_tags_text_sort_and_limit():
    r = hub.search_models(tags=["gguf"], sort="params", limit=2)
    assert len(r.results) == 2 and r.results[0].params_b <= r.results[1].params_b
    assert all("gguf" in m.tags for m in r.results)
    r = hub.search_models(text="olmo", sort="id")
    assert [m.repo_id for m in r.results] == sorted((m.repo_id for m in r.results), key=str.lower)


@pytest.mark.parametrize("kwargs", [dict(limit=0), dict(limit=1000), dict(sort="likes"), dict(max_params_b=-1),
                                    dict(min_languages=-2)])
def test_search_rejects_bad_filters(kwargs):
    with pytest.raises(InvalidInput):
        hub.search_models(**kwargs)


def test_one_parser_for_snapshot_records():
    """Snapshot records are Hub-shaped: they parse through huggingface_hub's ModelInfo."""
    from huggingface_hub.hf_api import ModelInfo

    _date, records = hub.snapshot()
    assert len(records) >= 60
    for rec in records.values():
        info = ModelInfo(**rec)
        assert hub.summary_from_info(info, "x").repo_id == rec["id"]
