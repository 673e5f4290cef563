"""The plain feedback functions behind exercises 2 and 3."""
import pytest

from course_utils.licenses import CHECKLIST_ITEMS, check_checklist, item_label
from course_utils.exercises.ex03 import TEAMS
from course_utils.matchmaker import check_pick


def by_item(checks):
    """Checks by item id (a checklist Check's item is the label a learner reads, e.g. 'Licence id')."""
    ids = {item_label(i): i for i in CHECKLIST_ITEMS}
    return {ids.get(c.item, c.item): c for c in checks}


def test_checklist_all_right():
    c = by_item(check_checklist("meta-llama/Llama-2-7b-chat-hf", "llama2", "conditional",
                                ["user_threshold", "use_restrictions", "attribution", "no_training_other_models",
                                 "trademark", "export_control"], True))
    assert all(x.correct for x in c.values()) and set(c) == {"license_id", "commercial_use", "restrictions", "gated"}


def test_checklist_sheet_answers_are_wrong():
    # the original sheet: Mistral-7B-Instruct 'Apache 2.0, yes' is right for the real v0.1 repo...
    # (its ticks "include license and copyright notice" and "no trademark use" are both Apache-2.0 clauses)
    c = by_item(check_checklist("mistralai/Mistral-7B-Instruct-v0.1", "Apache 2.0", "yes",
                                ["attribution", "trademark"], False))
    assert c["license_id"].correct and c["commercial_use"].correct and c["restrictions"].correct
    assert not c["gated"].correct  # ...but it is gated
    # and OPT-6.7B is not MIT
    c = by_item(check_checklist("facebook/opt-6.7b", "mit", "yes", []))
    assert not c["license_id"].correct and c["license_id"].expected == "other:opt-175b"
    assert not c["commercial_use"].correct and "Missing" in c["restrictions"].why


def test_checklist_qwen_is_conditional():
    c = by_item(check_checklist("Qwen/Qwen2.5-72B", "other:qwen", "conditional",
                                ["user_threshold", "attribution", "export_control", "trademark"]))
    assert all(x.correct for x in c.values()), c


def test_checklist_reupload_is_graded_against_the_governing_licence():
    c = by_item(check_checklist("unsloth/gemma-2b-it", "apache-2.0", "yes", ["attribution", "trademark"]))
    assert not c["license_id"].correct and c["license_id"].expected == "gemma" and "disagrees" in c["license_id"].why
    assert not c["commercial_use"].correct and c["commercial_use"].expected == "conditional"
    c = by_item(check_checklist("unsloth/gemma-2b-it", "gemma", "conditional",
                                ["use_restrictions", "attribution", "trademark"]))
    assert all(x.correct for x in c.values()), c


def test_checklist_unknown_licence_and_bad_model():
    c = by_item(check_checklist("TheBloke/phi-2-GGUF", "other:microsoft-research-license", "yes"))
    assert c["license_id"].correct and not c["commercial_use"].correct and "no verified terms" in c["commercial_use"].why
    assert "restrictions" not in c  # no answer key for a licence nobody could source
    c = by_item(check_checklist("TheBloke/phi-2-GGUF", "other:microsoft-research-license", "unknown"))
    assert c["commercial_use"].correct  # 'unknown' is the honest answer, and an option
    from course_utils.errors import InvalidInput

    with pytest.raises(InvalidInput):
        check_checklist("", "mit", "yes")


@pytest.mark.parametrize("team, model, fits, failing", [
    ("legaltech", "TheBloke/Mistral-7B-Instruct-v0.1-GGUF", True, set()),
    ("legaltech", "Intel/neural-chat-7b-v3-1", False, {"cpu"}),  # the sheet's pick: no GGUF build known
    ("edtech", "microsoft/Phi-3-mini-4k-instruct", True, set()),  # its GGUF build is in the course data
    ("edtech", "TheBloke/Mistral-7B-Instruct-v0.1-GGUF", False, {"maths"}),  # the sheet's pick: GSM8K 14.25 %
    ("edtech", "tiiuae/falcon-40b-instruct", False, {"cpu"}),
    ("ngo", "bigscience/bloomz-3b", True, set()),
    ("ngo", "facebook/nllb-200-distilled-600M", False, {"task", "licence"}),
    ("ngo", "mistralai/Mistral-7B-v0.1", False, {"languages"}),
])
def test_team_picks(team, model, fits, failing):
    fb = check_pick(TEAMS[team], model)
    assert fb.fits is fits
    assert {c.need for c in fb.checks if c.ok is False} == failing
    assert fb.to_dict()["checks"]


def test_teams_are_data():
    assert set(TEAMS) == {"legaltech", "edtech", "ngo"}
    assert TEAMS["ngo"].min_languages == 5 and TEAMS["legaltech"].cpu_ram_gb and TEAMS["edtech"].maths
    assert TEAMS["edtech"].cpu_ram_gb < TEAMS["legaltech"].cpu_ram_gb  # one CPU rule, each team's machine


