"""Licence reports and SaaS verdicts against the licence texts.

Each verdict test quotes the clause that decides it, as written in the licence text (the URL is
the row's source_url in data/license_clauses.csv), and checks that the table holds that quote
and that the verdict cites it.
"""
import pytest

from course_utils import clauses, licenses
from course_utils.errors import InvalidInput
from course_utils.licenses import license_report, saas_verdict


def clause_quoting(key: str, words: str) -> clauses.Clause:
    """The clause row of `key` whose quote contains `words` (the test's own quote of the licence)."""
    found = [c for c in clauses.clauses_of(key) if words in c.quote]
    assert found, f"{key} has no clause quoting {words!r}"
    return found[0]


def cites(verdict, clause: clauses.Clause) -> bool:
    return any(clause.section in r.clause and clause.quote in r.quote for r in verdict.reasons)


def test_sheet_errors_cannot_happen():
    """The original exercise sheet's licence errors."""
    opt = license_report("facebook/opt-6.7b")
    assert opt.license_key == "other:opt-175b" and opt.commercial_use == "no" and opt.license_key != "mit"
    assert (opt.license_id, opt.license_name) == ("other", "opt-175b")  # as the Hub gives them
    bloom = license_report("bigscience/bloom-7b1")
    assert bloom.license_key == "bigscience-bloom-rail-1.0" and bloom.commercial_use == "conditional"
    llama = license_report("meta-llama/Llama-2-7b-chat-hf")
    assert llama.license_key == "llama2" and "Llama 2 Community License" in llama.name
    assert "Meta Commercial License" not in llama.name


@pytest.mark.parametrize("typed, key", [("apache-2.0", "apache-2.0"), ("Apache 2.0", "apache-2.0"),
                                        ("MIT", "mit"), ("llama 2", "llama2"), ("opt-175b", "other:opt-175b"),
                                        ("qwen", "other:qwen"), ("qwen-research", "other:qwen-research"),
                                        ("llama 4", "llama4")])
def test_licence_ids_and_aliases(typed, key):
    r = license_report(typed)
    assert r.license_key == key and r.known and r.commercial_use in licenses.COMMERCIAL_VALUES
    assert r.text_url.startswith("http") and r.sources and r.clauses


def test_unknown_licences_are_honest():
    r = license_report("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T")  # no licence in the catalog
    assert r.commercial_use == "unknown" and "states no licence" in r.note and not r.known
    r = license_report("other:falcon-llm-license")  # Falcon 3: no clause could be sourced
    assert r.commercial_use == "unknown" and "read the licence text" in r.note and r.to_dict()["needs_review"]
    v = saas_verdict("other:falcon-llm-license")
    assert v.needs_review and v.verdict == "not_allowed"


def test_licence_typo_and_empty():
    with pytest.raises(InvalidInput, match="did you mean: apache-2.0"):
        license_report("apachee-2.0")
    with pytest.raises(InvalidInput):
        license_report("  ")


def test_gated_is_reported():
    assert license_report("mistralai/Mistral-7B-Instruct-v0.3").gated is True
    assert license_report("allenai/OLMo-7B-hf").gated is False


# --------------------------------------------------------------------------- item 1: lineage

def test_reupload_is_judged_under_its_base_models_licence():
    # Gemma Terms of Use §1.1(c), https://ai.google.dev/gemma/terms
    quote = "regardless of the source that you obtained it from"
    clause_quoting("gemma", quote)
    r = license_report("unsloth/gemma-2b-it")
    assert r.license_key == "gemma" and r.governed_by == "google/gemma-2b-it"
    assert r.license_id == "apache-2.0" and r.hub_license_key == "apache-2.0"  # the Hub tag, kept as it is
    assert "disagrees" in r.note and quote in r.note and r.commercial_use == "conditional"
    v = saas_verdict("unsloth/gemma-2b-it")
    assert v.license_key == "gemma" and v.verdict == "allowed_with_conditions" and v.governed_by
    assert v.reasons[0].kind == "lineage"
    assert cites(v, clause_quoting("gemma", "as an enforceable provision in any agreement"))


def test_lineage_keeps_a_permissive_base_from_overriding():
    # zephyr is tagged MIT; its base Mistral-7B-v0.1 is Apache-2.0, whose terms do not bind derivatives
    r = license_report("HuggingFaceH4/zephyr-7b-beta")
    assert r.license_key == "mit" and r.governed_by is None and not r.tag_disagrees


# --------------------------------------------------------------------------- item 2: Qwen

def test_qwen_licence_allows_commercial_use_below_100m_users():
    # Qwen LICENSE AGREEMENT §4, https://huggingface.co/Qwen/Qwen2.5-72B/blob/main/LICENSE
    mau = clause_quoting("other:qwen", "your product or service has more than 100 million monthly active users, "
                                       "you shall request a license from us")
    assert mau.params == {"limit": "100000000", "measured": "product"}
    assert license_report("Qwen/Qwen2.5-72B").commercial_use == "conditional"
    ok = saas_verdict("Qwen/Qwen2.5-72B", monthly_active_users=5_000_000)
    assert ok.verdict == "allowed_with_conditions" and not ok.needs_review and cites(ok, mau)
    big = saas_verdict("Qwen/Qwen2.5-72B", monthly_active_users=100_000_001)
    assert big.verdict == "not_allowed" and cites(big, mau)


def test_qwen_research_licence_allows_no_commercial_use():
    # Qwen RESEARCH LICENSE AGREEMENT §1.i and §2.a
    research = clause_quoting("other:qwen-research", "\"Non-Commercial\" shall mean for research or evaluation "
                                                     "purposes only.")
    clause_quoting("other:qwen-research", "FOR NON-COMMERCIAL PURPOSES ONLY")
    assert license_report("other:qwen-research").commercial_use == "no"
    for commercial in (True, False):
        v = saas_verdict("other:qwen-research", commercial=commercial)
        assert v.verdict == "not_allowed" and cites(v, research)


# --------------------------------------------------------------------------- item 3: OPT-175B

def test_opt_allows_no_production_use_even_non_commercial():
    # OPT-175B License Agreement §1.a and §2.a(i)
    grant = clause_quoting("other:opt-175b", "solely for your non-commercial research purposes")
    production = clause_quoting("other:opt-175b", "for (i) any commercial or production purposes")
    for commercial in (True, False):
        v = saas_verdict("facebook/opt-6.7b", commercial=commercial)
        assert v.verdict == "not_allowed" and cites(v, grant) and cites(v, production), v.to_text()


# --------------------------------------------------------------------------- item 4: Llama's 700M clause

LLAMA2_MAU = ("If, on the Llama 2 version release date, the monthly active users of the products or services made "
              "available by or for Licensee, or Licensee's affiliates, is greater than 700 million monthly active "
              "users in the preceding calendar month, you must request a license from Meta")


def test_llama_700m_counts_the_licensees_users_before_the_release_date():
    mau = clause_quoting("llama2", LLAMA2_MAU)
    assert mau.params["measured"] == "licensee_before_release" and mau.params["release_date"] == "2023-07-18"
    # the product's users now do not decide it: the learner is told what to check
    v = saas_verdict("meta-llama/Llama-2-7b-chat-hf", monthly_active_users=800_000_000)
    assert v.verdict == "allowed_with_conditions" and cites(v, mau)
    assert any("not what the clause counts" in r.text for r in v.reasons)
    assert any("calendar month before 2023-07-18" in c for c in v.checks)
    # what the clause does count
    over = saas_verdict("meta-llama/Llama-2-7b-chat-hf", licensee_mau_at_release=700_000_001)
    assert over.verdict == "not_allowed" and cites(over, mau) and not over.checks
    at = saas_verdict("llama2", licensee_mau_at_release=700_000_000)
    assert at.verdict == "allowed_with_conditions" and not at.checks


@pytest.mark.parametrize("key, version, date", [("llama3", "Meta Llama 3", "2024-04-18"),
                                                ("llama3.1", "Llama 3.1", "2024-07-23"),
                                                ("llama3.2", "Llama 3.2", "2024-09-25"),
                                                ("llama3.3", "Llama 3.3", "2024-12-06"),
                                                ("llama4", "Llama 4", "2025-04-05")])
def test_every_llama_version_measures_before_its_own_release(key, version, date):
    mau = clause_quoting(key, f"If, on the {version} version release date, the monthly active users of the "
                              f"products or services made available by or for Licensee")
    assert mau.params["release_date"] == date
    assert any(date in c for c in saas_verdict(key).checks)


def test_bad_user_counts():
    for bad in (-1, 1.5, "many", True):
        with pytest.raises(InvalidInput, match="whole number"):
            saas_verdict("llama2", monthly_active_users=bad)
        with pytest.raises(InvalidInput, match="whole number"):
            saas_verdict("llama2", licensee_mau_at_release=bad)


# --------------------------------------------------------------------------- item 5: DeepSeek and RAIL

def test_deepseek_distribution_conditions_and_outputs():
    # DeepSeek License Agreement v1.0 §1 ("Distribution", "Derivatives of the Model"), §4
    hosted = clause_quoting("other:deepseek", "including providing the Model as a hosted service")
    copy = clause_quoting("other:deepseek", "You must give any Third Party recipients of the Model or Derivatives "
                                            "of the Model a copy of this License")
    notices = clause_quoting("other:deepseek", "You must retain all copyright, patent, trademark, and attribution "
                                               "notices")
    derivative = clause_quoting("other:deepseek", "methods based on the generation of synthetic data by the Model "
                                                  "for training the other model")
    v = saas_verdict("deepseek-ai/deepseek-llm-7b-chat")
    assert v.verdict == "allowed_with_conditions" and cites(v, hosted) and cites(v, copy) and cites(v, notices)
    assert not cites(v, derivative)
    t = saas_verdict("deepseek-ai/deepseek-llm-7b-chat", trains_other_models_on_outputs=True)
    assert cites(t, derivative) and any("derivative" in r.text for r in t.reasons)


def test_bloom_rail_derivatives_and_medical_use():
    derivative = clause_quoting("bigscience-bloom-rail-1.0", "generation of synthetic data by the Model")
    medical = clause_quoting("bigscience-bloom-rail-1.0", "To provide medical advice and medical results "
                                                          "interpretation")
    v = saas_verdict("bigscience/bloom-7b1", trains_other_models_on_outputs=True)
    assert v.verdict == "allowed_with_conditions" and cites(v, derivative) and cites(v, medical)


# --------------------------------------------------------------------------- the other licences

@pytest.mark.parametrize("model, kwargs, verdict, key, quote", [
    ("mistralai/Mistral-7B-Instruct-v0.3", {}, "allowed", "apache-2.0",
     "irrevocable copyright license to reproduce, prepare Derivative Works of"),
    ("mistralai/Mistral-7B-Instruct-v0.3", {"redistributes_weights": True}, "allowed_with_conditions", "apache-2.0",
     "You must give any other recipients of the Work or Derivative Works a copy of this License"),
    ("facebook/nllb-200-distilled-600M", {}, "not_allowed", "cc-by-nc-4.0", "for NonCommercial purposes only"),
    ("facebook/nllb-200-distilled-600M", {"commercial": False}, "allowed_with_conditions", "cc-by-nc-4.0",
     "for NonCommercial purposes only"),
    ("meta-llama/Llama-2-7b-chat-hf", {"trains_other_models_on_outputs": True}, "not_allowed", "llama2",
     "to improve any other large language model (excluding Llama 2 or derivative works thereof)"),
    ("meta-llama/Llama-3.1-8B-Instruct", {"trains_other_models_on_outputs": True}, "allowed_with_conditions",
     "llama3.1", "you shall also include “Llama” at the beginning of any such AI model name"),
    ("meta-llama/Llama-3.1-8B-Instruct", {}, "allowed_with_conditions", "llama3.1", "“Built with Llama”"),
    ("google/gemma-2b-it", {"trains_other_models_on_outputs": True}, "allowed_with_conditions", "gemma",
     "transfer of patterns of the weights, parameters, operations, or Output of Gemma"),
    ("google/gemma-2b-it", {}, "allowed_with_conditions", "gemma",
     "available as a hosted service via API, web access"),
])
def test_saas_verdicts_cite_clauses(model, kwargs, verdict, key, quote):
    v = saas_verdict(model, **kwargs)
    assert v.verdict == verdict and v.license_key == key, v.to_text()
    assert cites(v, clause_quoting(key, quote)), v.to_text()
    assert all(r.clause for r in v.reasons)


def test_llama_3_2_eu_exclusion_is_for_multimodal_models_only():
    region = clause_quoting("llama3.2", "are not being granted to you if you are an individual domiciled in, or a "
                                        "company with a principal place of business in, the European Union")
    text = saas_verdict("meta-llama/Llama-3.2-1B-Instruct")
    assert cites(text, region) and any("text model" in r.text for r in text.reasons) and not text.checks[1:]
    unknown = saas_verdict("llama3.2")  # a licence, not a model: the learner must check
    assert any("multimodal" in c for c in unknown.checks)


def test_unknown_licence_needs_review_and_gating_is_a_reason():
    v = saas_verdict("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T")
    assert v.needs_review and v.verdict == "not_allowed" and "read the licence text" in v.reasons[0].text
    v = saas_verdict("mistralai/Mistral-7B-Instruct-v0.3")
    assert any(r.kind == "gating" for r in v.reasons)
    assert "SaaS use" in v._repr_html_()


def test_every_licence_gets_a_verdict():
    for key in set(licenses.knowledge_base()) | clauses.known_keys():
        v = saas_verdict(key, monthly_active_users=10)
        assert v.verdict in ("allowed", "allowed_with_conditions", "not_allowed") and v.reasons
        assert v.needs_review == (clauses.commercial_use(key) == "unknown")


def test_json_keeps_the_hubs_own_fields():
    d = license_report("Qwen/Qwen2.5-72B").to_dict()
    assert (d["license_id"], d["license_name"], d["license_key"]) == ("other", "qwen", "other:qwen")
    d = saas_verdict("Qwen/Qwen2.5-72B").to_dict()
    assert (d["license_id"], d["license_name"], d["license_key"]) == ("other", "qwen", "other:qwen")


def test_card_lookup_takes_the_users_before_release():
    from course_utils.ui import ex02

    summary, report, verdict = ex02.lookup("meta-llama/Llama-2-7b-chat-hf", mau_at_release="800,000,000")
    assert verdict.verdict == "not_allowed" and report.license_key == "llama2"
    assert ex02.lookup("meta-llama/Llama-2-7b-chat-hf", mau_at_release="")[2].checks
    with pytest.raises(InvalidInput, match="whole number"):
        ex02.lookup("meta-llama/Llama-2-7b-chat-hf", mau_at_release="lots")


def test_tongyi_qianwen_forbids_improving_other_models_with_outputs():
    # Tongyi Qianwen LICENSE AGREEMENT §5(b) (Qwen 1/1.5, Qwen2-72B); the 2024 Qwen licence replaced it
    ban = clause_quoting("other:tongyi-qianwen", "You can not use the Materials or any output therefrom to improve "
                                                 "any other large language model")
    v = saas_verdict("other:tongyi-qianwen", trains_other_models_on_outputs=True)
    assert v.verdict == "not_allowed" and cites(v, ban)
    assert saas_verdict("other:qwen", trains_other_models_on_outputs=True).verdict == "allowed_with_conditions"
