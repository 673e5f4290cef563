"""Contract tests: the real huggingface_hub client against a fake Hub on 127.0.0.1."""
import time

import pytest

from course_utils import hub
from course_utils.errors import GatedModel, HubUnavailable, ModelNotFound
from fakehub import record

MISTRAL = "mistralai/Mistral-7B-Instruct-v0.3"


def test_200_live_answer_is_parsed_and_labelled(live_hub):
    live_hub({MISTRAL: record(MISTRAL, downloads=123456, gated="auto",
                              cardData={"license": "apache-2.0", "language": ["en"],
                                        "base_model": "mistralai/Mistral-7B-v0.3"})})
    s = hub.model_summary(MISTRAL)
    assert s.source == "live Hub" and s.live
    assert s.license_id == "apache-2.0" and s.gated is True and s.downloads == 123456
    assert s.params_b == pytest.approx(7.242, abs=0.001)
    assert s.base_model == ("mistralai/Mistral-7B-v0.3",) and s.last_modified == "2024-05-22"


def test_307_redirect_for_a_renamed_repo(live_hub):
    fake = live_hub({"gpt2": "redirect:openai-community/gpt2",
                     "openai-community/gpt2": record("openai-community/gpt2", license="mit")})
    s = hub.model_summary("gpt2")
    assert s.repo_id == "openai-community/gpt2" and s.source == "live Hub"
    assert any("has moved" in n for n in s.notes)
    assert any(r.startswith("/api/models/gpt2") for r in fake.requests)


def test_401_gated_explains_and_falls_back_to_snapshot(live_hub):
    live_hub({MISTRAL: "401-gated"})
    s = hub.model_summary(MISTRAL)
    assert s.source.startswith("course facts researched")
    assert any("gated model" in n and "HF_TOKEN" in n for n in s.notes)


def test_401_gated_not_in_snapshot_raises_gated(live_hub):
    live_hub({"someorg/gated-model": "401-gated"})
    with pytest.raises(GatedModel, match="accept its terms"):
        hub.model_summary("someorg/gated-model")


@pytest.mark.parametrize("status", ["401", "403"])
def test_plain_401_403_are_treated_as_access_problems(live_hub, status):
    live_hub({"meta-llama/Llama-2-7b-chat-hf": status})
    s = hub.model_summary("meta-llama/Llama-2-7b-chat-hf")
    assert s.source.startswith("course facts researched") and any("gated" in n for n in s.notes)


def test_plain_401_for_an_unknown_repo_says_what_it_may_mean(live_hub):
    live_hub({"someorg/secret": "401"})
    with pytest.raises(GatedModel, match="gated, private, or does not exist.*HF_TOKEN"):
        hub.model_summary("someorg/secret")


def test_404_gives_suggestions_from_catalog_and_hub_search(live_hub):
    live_hub({MISTRAL: record(MISTRAL), "mistralai/Mistral-7B-Instruct-v0.2": record("mistralai/Mistral-7B-Instruct-v0.2")})
    with pytest.raises(ModelNotFound) as err:
        hub.model_summary("mistralai/Mistral-7B-Instruct")
    assert "mistralai/Mistral-7B-Instruct-v0.3" in err.value.suggestions
    with pytest.raises(ModelNotFound) as err:
        hub.model_summary("mistralai/Mistral-7B-Instruct-v9")
    assert MISTRAL in err.value.suggestions


@pytest.mark.parametrize("behaviour, words", [("429", "rate-limiting"), ("500", "server error (500)"),
                                              ("malformed", "not valid model data")])
def test_errors_fall_back_to_snapshot_with_specific_message(live_hub, behaviour, words):
    live_hub({"facebook/opt-6.7b": behaviour})
    s = hub.model_summary("facebook/opt-6.7b")
    assert s.source.startswith("course facts researched") and s.license_key == "other:opt-175b"
    assert any(words in n for n in s.notes), s.notes


def test_error_for_a_model_not_in_snapshot(live_hub):
    live_hub({"someorg/flaky": "500"})
    with pytest.raises(HubUnavailable, match="server error"):
        hub.model_summary("someorg/flaky")


def test_slow_response_times_out_and_falls_back_quickly(live_hub):
    live_hub({"facebook/opt-6.7b": "slow"}, timeout=0.5, slow_seconds=3)
    start = time.perf_counter()
    s = hub.model_summary("facebook/opt-6.7b")
    elapsed = time.perf_counter() - start
    assert s.source.startswith("course facts researched") and any("no answer within 0.5 s" in n for n in s.notes), s.notes
    assert elapsed < 2.5


def test_live_search_filters_and_sorts(live_hub):
    live_hub({
        "a/small-gguf": record("a/small-gguf", downloads=50, tags=["gguf", "text-generation", "license:mit"],
                               cardData={"license": "mit"}, safetensors={"parameters": {}, "total": 1_100_000_000}),
        "b/big": record("b/big", downloads=5000, safetensors={"parameters": {}, "total": 70_000_000_000}),
        "c/nc": record("c/nc", license="cc-by-nc-4.0", downloads=900),
        "d/mid": record("d/mid", downloads=700),
    })
    r = hub.search_models(task="text-generation", max_params_b=8, commercial_only=True)
    assert r.source == "live Hub"
    assert [m.repo_id for m in r.results] == ["d/mid", "a/small-gguf"]
    r = hub.search_models(quantized=True)
    assert [m.repo_id for m in r.results] == ["a/small-gguf"]


@pytest.mark.parametrize("behaviour", ["500", "malformed", "slow"])
def test_live_search_failure_falls_back(live_hub, behaviour):
    live_hub({"__list__": behaviour}, timeout=0.5, slow_seconds=2)
    r = hub.search_models(max_params_b=2)
    assert r.source.startswith("course facts researched") and r.results
    assert any("Live search failed" in n for n in r.notes)


def test_unreachable_endpoint_uses_snapshot_fast(monkeypatch):
    import socket

    from course_utils import network

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    network._CACHE.clear()
    start = time.perf_counter()
    summary = hub.model_summary("bigscience/bloom-7b1")
    assert time.perf_counter() - start < 1.0
    assert summary.source.startswith("course facts researched") and summary.license_key == "bigscience-bloom-rail-1.0"
    network._CACHE.clear()


def test_token_from_environment_is_sent_but_never_shown(live_hub, monkeypatch):
    seen = {}
    fake = live_hub({MISTRAL: record(MISTRAL)})
    monkeypatch.setenv("HF_TOKEN", "hf_secret_token_value")
    handler = fake.server.RequestHandlerClass
    original = handler.do_GET

    def spy(self):
        seen[self.path] = self.headers.get("Authorization")
        return original(self)

    monkeypatch.setattr(handler, "do_GET", spy)
    s = hub.model_summary(MISTRAL)
    assert any(v == "Bearer hf_secret_token_value" for v in seen.values())
    assert "hf_secret" not in repr(s) and "hf_secret" not in s.to_text() and "hf_secret" not in s._repr_html_()


def test_architecture_from_the_hubs_config_json(live_hub):
    # A model the shipped table does not know: its config.json and safetensors total from the (fake) Hub
    from course_utils import fit, hub_config

    hub_config._fetch.cache_clear()
    cfg = {"architectures": ["Qwen3MoeForCausalLM"], "num_hidden_layers": 48, "hidden_size": 2048,
           "intermediate_size": 6144, "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
           "vocab_size": 151936, "max_position_embeddings": 40960, "tie_word_embeddings": False,
           "num_experts": 128, "num_experts_per_tok": 8, "moe_intermediate_size": 768}
    live_hub({"org/new-moe": record("org/new-moe", safetensors={"total": 30_532_122_624}),
              "file:org/new-moe/config.json": cfg,
              "file:org/slow/config.json": "slow"}, timeout=0.5, slow_seconds=2)
    e = fit.estimate("org/new-moe", "Q4_K_M", 4096)
    assert "config.json of org/new-moe from the Hub" in e.shape_source
    assert e.params_b == pytest.approx(30.532, abs=0.001) and e.active_params_b == pytest.approx(3.35, abs=0.05)
    assert e.kv_cache_gb == pytest.approx(2 * 48 * 4 * 128 * 4096 * 2 / 1e9, abs=0.001)
    # a Hub that does not answer in time: the shipped table answers (here: nothing known, a clear error)
    from course_utils.errors import InvalidInput

    t = time.monotonic()
    with pytest.raises(InvalidInput, match="No architecture or size"):
        fit.estimate("org/slow", "Q4_K_M")
    assert time.monotonic() - t < 1.5
    # a model the table knows never waits for the Hub
    assert "data/model_architectures.csv" in fit.estimate("mistralai/Mistral-7B-v0.1", "Q4_K_M").shape_source


def test_a_failed_config_fetch_is_not_remembered(monkeypatch):
    # one Hub timeout must not keep the Hub's config from that model for the rest of the session
    from course_utils import hub_config

    hub_config._fetch.cache_clear()
    cfg = {"num_hidden_layers": 2, "hidden_size": 8}
    answers = iter([None, cfg, None])  # config.json times out; then it comes (the API call gives nothing)
    monkeypatch.setattr(hub_config, "_get_json", lambda url, deadline: next(answers))
    with pytest.raises(hub_config._NoConfig):
        hub_config._fetch("org/flaky", "https://hub.example", 1.0)
    assert hub_config._fetch("org/flaky", "https://hub.example", 1.0) == (cfg, None)
    hub_config._fetch.cache_clear()


def test_config_json_shapes():
    from course_utils.hub_config import row_from_config

    gemma = row_from_config({"architectures": ["Gemma3ForConditionalGeneration"],
                             "text_config": {"num_hidden_layers": 48, "hidden_size": 3840, "sliding_window": 1024,
                                             "layer_types": ["sliding_attention"] * 5 + ["full_attention"]}})
    assert gemma["num_hidden_layers"] == 48 and gemma["sliding_window"] == 1024 and gemma["sliding_window_pattern"] == 6
    mixtral = row_from_config({"num_hidden_layers": 32, "num_local_experts": 8, "num_experts_per_tok": 2,
                               "intermediate_size": 14336})
    assert mixtral["num_experts"] == 8 and mixtral["moe_intermediate_size"] == 14336
    dense = row_from_config({"num_hidden_layers": 32, "sliding_window": 4096})
    assert dense["num_experts"] is None and dense["sliding_window"] is None  # every layer global
