"""One model-id normaliser and one "did you mean" (course_utils.model_ids), used by every entry point."""
import argparse
import re

import pytest

from course_utils import benchmarks, cli_args, fit, hub, i18n, licenses, matchmaker, model_ids, openness
from course_utils.errors import InvalidInput
from course_utils.model_ids import did_you_mean, normalise_repo_id, parse_repo_id

MISTRAL = "mistralai/Mistral-7B-Instruct-v0.3"


@pytest.mark.parametrize("pasted", [
    MISTRAL,
    f"https://huggingface.co/{MISTRAL}",
    f"http://huggingface.co/{MISTRAL}",
    f"https://www.huggingface.co/{MISTRAL}",
    f"huggingface.co/{MISTRAL}",
    f"hf.co/{MISTRAL}",
    f"https://hf.co/{MISTRAL}/",
    f"https://huggingface.co/models/{MISTRAL}",
    f"https://huggingface.co/{MISTRAL}/tree/main",
    f"https://huggingface.co/{MISTRAL}/tree/main/",
    f"https://huggingface.co/{MISTRAL}/blob/main/README.md",
    f"https://huggingface.co/{MISTRAL}/resolve/main/config.json?download=true",
    f"https://huggingface.co/{MISTRAL}/discussions/3",
    f"https://huggingface.co/{MISTRAL}#model-card",
    f"https://huggingface.co/{MISTRAL}?library=transformers",
    f"hf://{MISTRAL}",
    f"{MISTRAL}@main",
    f"{MISTRAL}@e0bc86c23ce5aae1db576c8cca6f06f1f73af2db",
    f"{MISTRAL}/",
    f"  {MISTRAL}  ",
    f"'{MISTRAL}'",
    f"`{MISTRAL}`",
    f"\"{MISTRAL}\"",
    "mistralai / Mistral-7B-Instruct-v0.3",
    f"\u200b{MISTRAL}\ufeff",
    f"\xa0{MISTRAL}\n",
    f"HTTPS://HuggingFace.co/{MISTRAL}",
])
def test_pasted_forms_give_the_bare_id(pasted):
    assert normalise_repo_id(pasted) == MISTRAL


def test_legacy_ids_without_org_and_underscores_are_ids():
    assert normalise_repo_id("https://huggingface.co/gpt2") == "gpt2"
    assert normalise_repo_id("gpt2") == "gpt2"
    assert normalise_repo_id("LeroyDyer/_Spydaz_Web_AI_12") == "LeroyDyer/_Spydaz_Web_AI_12"  # on the v2 board


def test_notes_say_what_was_dropped():
    assert parse_repo_id(MISTRAL).notes == ()
    assert parse_repo_id(f"https://huggingface.co/{MISTRAL}/tree/main").notes == (
        i18n.t("ids.note.address", "en", repo_id=MISTRAL),)
    notes = parse_repo_id(f"https://huggingface.co/{MISTRAL}/tree/v0.3-rc").notes
    assert len(notes) == 2 and "v0.3-rc" in notes[1]
    assert "abc123" in parse_repo_id(f"{MISTRAL}@abc123").notes[0]


@pytest.mark.parametrize("bad, key", [
    ("", "ids.empty"), ("   ", "ids.empty"), (None, "ids.empty"), (42, "ids.empty"), ("\u200b", "ids.empty"),
    ("a b/c", "ids.spaces"), ("a/b/c", "ids.slashes"), ("org/na$me", "ids.invalid"), ("-org/x", "ids.invalid"),
    ("org/..", "ids.invalid"), ("org--x/y", "ids.invalid"),
    ("https://example.com/org/model", "ids.not_hub_address"), ("ftp://huggingface.co/x/y", "ids.not_hub_address"),
    ("www.example.com/org/model", "ids.not_hub_address"),
    ("https://huggingface.co/", "ids.address_without_model"), ("hf.co", "ids.address_without_model"),
    ("https://huggingface.co/datasets/HuggingFaceFW/fineweb", "ids.not_a_model_page"),
    ("https://huggingface.co/spaces/open-llm-leaderboard/open_llm_leaderboard", "ids.not_a_model_page"),
    (f"{MISTRAL}@", "ids.bad_revision"), ("@main", "ids.bad_revision"), ("a" * 400, "ids.too_long"),
])
def test_bad_input_gets_the_message_naming_its_problem(bad, key):
    with pytest.raises(InvalidInput) as err:
        normalise_repo_id(bad)
    literal = max(re.split(r"\{[^}]*\}", i18n.catalog("en")[key]), key=len)  # the message's own words
    assert literal.strip() in str(err.value)


def test_messages_follow_the_language():
    try:
        i18n.set_language("fr")
        with pytest.raises(InvalidInput, match="vide"):
            normalise_repo_id("")
        assert "adresse" in parse_repo_id(f"hf.co/{MISTRAL}").notes[0]
    finally:
        i18n.set_language(None)


def test_a_typo_in_a_malformed_id_still_gets_suggestions():
    with pytest.raises(InvalidInput) as err:
        normalise_repo_id("bigscience/bloom 7b1")
    assert "bigscience/bloom-7b1" in err.value.suggestions


def test_did_you_mean_folds_case_returns_originals_and_refuses_junk():
    assert did_you_mean("apache2.0", ["Apache-2.0", "MIT"]) == ("Apache-2.0",)
    assert did_you_mean("q4km", ["Q4_K_M", "Q8_0"], cutoff=model_ids.CUTOFF_SHORT) == ("Q4_K_M",)
    assert did_you_mean("zzzz", ["Q4_K_M"]) == ()
    assert did_you_mean(None, ["x"]) == () and did_you_mean("", ["x"]) == () and did_you_mean("x", ["x"], n=0) == ()
    assert did_you_mean("Alice", ["bob", "alice", "ALICE"]) == ("alice",)  # first spelling wins


def test_no_other_module_runs_its_own_difflib():
    from pathlib import Path

    root = Path(model_ids.__file__).parent
    users = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                   if "difflib" in p.read_text(encoding="utf-8") and p.name != "model_ids.py")
    assert users == [], f"use model_ids.did_you_mean in {users}"


# --------------------------------------------------------------------------- one test per entry point

URL = "https://huggingface.co/{}/tree/main/"


def test_hub_takes_a_pasted_address():
    assert hub.model_summary(URL.format(MISTRAL)).repo_id == MISTRAL


def test_fit_takes_a_pasted_address():
    assert fit.shape_for(URL.format("meta-llama/Llama-2-7b-hf")).name == "meta-llama/Llama-2-7b-hf"
    assert fit.estimate(f"hf.co/{MISTRAL}", "Q4_K_M", 4096).model == fit.estimate(MISTRAL, "Q4_K_M", 4096).model


def test_openness_takes_a_pasted_address():
    assert openness.classify_model(URL.format("allenai/OLMo-2-1124-7B")).repo_id == "allenai/OLMo-2-1124-7B"
    assert openness.osaid_verdict(f"hf.co/allenai/OLMo-2-1124-7B").repo_id == "allenai/OLMo-2-1124-7B"


def test_benchmarks_take_a_pasted_address():
    assert benchmarks.find_row(URL.format("meta-llama/Llama-2-7b-chat-hf"))["repo_id"] == "meta-llama/Llama-2-7b-chat-hf"
    df = benchmarks.compare([f"hf.co/meta-llama/Llama-2-7b-chat-hf@main"])
    assert list(df["repo_id"]) == ["meta-llama/Llama-2-7b-chat-hf"]


def test_licenses_take_a_pasted_address():
    assert licenses.license_report(URL.format(MISTRAL)).repo_id == MISTRAL


def test_matchmaker_takes_a_pasted_address():
    from course_utils.exercises.ex03 import TEAMS

    assert matchmaker.check_pick(TEAMS["ngo"], URL.format("bigscience/bloomz-3b")).fits is True


def test_cli_argument_takes_a_pasted_address():
    assert cli_args.model_id(URL.format(MISTRAL)) == MISTRAL
    with pytest.raises(argparse.ArgumentTypeError, match="more than one"):
        cli_args.model_id("a/b/c")
