import pytest

from course_utils import licenses
from course_utils.errors import InvalidInput
from course_utils.licenses import license_report, saas_verdict


def test_sheet_errors_cannot_happen():
    """The original exercise sheet's licence errors."""
    opt = license_report("facebook/opt-6.7b")
    assert opt.license_id == "other:opt-175b" and opt.commercial_use == "no" and opt.license_id != "mit"
    bloom = license_report("bigscience/bloom-7b1")
    assert bloom.license_id == "bigscience-bloom-rail-1.0" and bloom.commercial_use == "conditional"
    llama = license_report("meta-llama/Llama-2-7b-chat-hf")
    assert llama.license_id == "llama2" and "Llama 2 Community License" in llama.name
    assert "Meta Commercial License" not in llama.name


@pytest.mark.parametrize("typed, key", [("apache-2.0", "apache-2.0"), ("Apache 2.0", "apache-2.0"),
                                        ("MIT", "mit"), ("llama 2", "llama2"), ("opt-175b", "other:opt-175b")])
def test_licence_ids_and_aliases(typed, key):
    r = license_report(typed)
    assert r.license_id == key and r.known and r.commercial_use in licenses.COMMERCIAL_VALUES
    assert r.text_url.startswith("http") and r.sources


def test_unknown_licences_are_honest():
    r = license_report("Qwen/Qwen2.5-72B")
    assert r.license_id == "other:qwen" and not r.known and r.commercial_use == "unknown"
    assert "read the licence text" in r.note and r.text_url.startswith("https://huggingface.co/Qwen")
    r = license_report("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T")  # no licence in the catalog
    assert r.commercial_use == "unknown" and "states no licence" in r.note


def test_licence_typo_and_empty():
    with pytest.raises(InvalidInput, match="did you mean: apache-2.0"):
        license_report("apachee-2.0")
    with pytest.raises(InvalidInput):
        license_report("  ")


def test_gated_is_reported():
    assert license_report("mistralai/Mistral-7B-Instruct-v0.3").gated is True
    assert license_report("allenai/OLMo-7B-hf").gated is False


@pytest.mark.parametrize("model, kwargs, verdict, clause_words", [
    ("mistralai/Mistral-7B-Instruct-v0.3", {}, "allowed", "Apache-2.0 §2"),
    ("mistralai/Mistral-7B-Instruct-v0.3", {"redistributes_weights": True}, "allowed_with_conditions", "§4"),
    ("facebook/opt-6.7b", {}, "not_allowed", "non-commercial research"),
    ("facebook/opt-6.7b", {"commercial": False}, "allowed_with_conditions", "non-commercial"),
    ("facebook/nllb-200-distilled-600M", {}, "not_allowed", "NonCommercial"),
    ("bigscience/bloom-7b1", {}, "allowed_with_conditions", "Attachment A"),
    ("meta-llama/Llama-2-7b-chat-hf", {"monthly_active_users": 1_000_000}, "allowed_with_conditions",
     "Acceptable Use Policy"),
    ("meta-llama/Llama-2-7b-chat-hf", {"monthly_active_users": 700_000_001}, "not_allowed",
     "Additional Commercial Terms"),
    ("meta-llama/Llama-2-7b-chat-hf", {"trains_other_models_on_outputs": True}, "not_allowed", "use of outputs"),
    ("meta-llama/Llama-3.1-8B-Instruct", {"trains_other_models_on_outputs": True}, "allowed_with_conditions",
     "naming"),
    ("google/gemma-2b-it", {"trains_other_models_on_outputs": True}, "allowed_with_conditions", "Model Derivatives"),
    ("Qwen/Qwen2.5-72B", {}, "not_allowed", "knowledge base"),
])
def test_saas_verdicts_cite_clauses(model, kwargs, verdict, clause_words):
    v = saas_verdict(model, **kwargs)
    assert v.verdict == verdict, v.to_text()
    assert any(clause_words in r.clause or clause_words in r.text for r in v.reasons), v.to_text()
    assert all(r.clause for r in v.reasons)


def test_saas_exactly_at_the_limit_and_bad_mau():
    assert saas_verdict("llama2", monthly_active_users=700_000_000).verdict == "allowed_with_conditions"
    for bad in (-1, 1.5, "many", True):
        with pytest.raises(InvalidInput, match="whole number"):
            saas_verdict("llama2", monthly_active_users=bad)


def test_unknown_licence_needs_review_and_gating_is_a_reason():
    v = saas_verdict("Qwen/Qwen2.5-72B")
    assert v.needs_review and "LICENSE" in v.reasons[0].text
    v = saas_verdict("mistralai/Mistral-7B-Instruct-v0.3")
    assert any(r.clause == "Hub gating" for r in v.reasons)
    assert "SaaS use" in v._repr_html_()


def test_every_knowledge_base_row_gets_a_verdict():
    for key in licenses.knowledge_base():
        v = saas_verdict(key, monthly_active_users=10)
        assert v.verdict in ("allowed", "allowed_with_conditions", "not_allowed") and v.reasons
