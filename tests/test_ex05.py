"""Exercise 5's home (exercises/ex05.py): its constants, the picked list and the spotted-errors check,
called directly, in both languages."""
import pytest

from course_utils import answers, i18n
from course_utils.exercises import ex05
from course_utils.grading import check_question
from langs import each_language  # noqa: F401 - the lang fixture

SHEET_ERRORS = {  # the research's check of the sheet (shared/research/benchmark_notes.md, section 5)
    "facebook/opt-6.7b|hellaswag", "facebook/opt-6.7b|mmlu", "facebook/opt-6.7b|license",
    "bigscience/bloom-7b1|hellaswag", "bigscience/bloom-7b1|mmlu", "bigscience/bloom-7b1|license",
    "meta-llama/Llama-2-7b-chat-hf|mmlu", "meta-llama/Llama-2-7b-chat-hf|license",
}


@pytest.fixture(autouse=True)
def clean_store(answers_dir, monkeypatch):
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())


def test_the_claimed_table_and_what_counts():
    rows = ex05.claimed_table()
    assert [r["model"] for r in rows] == list(ex05.DEFAULT_PICKS)  # the sheet's own model list
    assert all("source" not in r for r in rows) and rows[0]["hellaswag"] == 77.5
    cells = ex05.claim_cells()
    assert len(cells) == 3 * len(ex05.CLAIM_FIELDS) == 9
    assert set(ex05.wrong_cells()) == SHEET_ERRORS
    assert ex05.wrong_cells()["facebook/opt-6.7b|mmlu"].actual == 24.57


def test_spotting_every_error_is_all_right_and_feedback_shows_labels(lang):
    checks = ex05.check_spotted(sorted(SHEET_ERRORS))
    assert all(c.correct for c in checks) and len(checks) == 9
    wrong, right = ("wrong", "right") if lang == "en" else ("fausse", "juste")
    assert {c.shown_given for c in checks} == {wrong, right}
    by_item = {c.item: c for c in checks}
    num = (lambda x: x.replace(".", ",")) if lang == "fr" else (lambda x: x)  # 56,2 in French
    opt_mmlu = by_item[f"facebook/opt-6.7b MMLU = {num('56.2')}"]
    assert num("24.57") in opt_mmlu.why and "https://" in opt_mmlu.why
    assert ("leaderboard v1 says" if lang == "en" else "classement v1 indique") in opt_mmlu.why
    licence = next(c for c in checks if c.item.startswith("facebook/opt-6.7b") and "MIT" in c.item)
    assert "OPT-175B License Agreement" in licence.why and "other:opt-175b" in licence.why
    llama_hs = by_item[f"meta-llama/Llama-2-7b-chat-hf HellaSwag = {num('78.0')}"]
    assert llama_hs.expected == "right" and ("within 1 point" if lang == "en" else "à 1 point près") in llama_hs.why


def test_missed_and_false_alarms_are_wrong(lang):
    checks = ex05.check_spotted(["meta-llama/Llama-2-7b-chat-hf|hellaswag"])  # a false alarm, 8 missed
    assert sum(c.correct for c in checks) == 0
    result = check_question("ex05", ex05.SPOTTED, ["facebook/opt-6.7b|mmlu", "bigscience/bloom-7b1|mmlu"])
    assert result.score == pytest.approx(4 * 3 / 9, abs=0.01)  # 2 spotted + Llama HellaSwag left right
    odd = check_question("ex05", ex05.SPOTTED, "not a list")  # an odd saved value never fails: nothing ticked
    assert odd.score == pytest.approx(4 / 9, abs=0.01) and len(odd.checks) == 9


def test_picks_start_from_the_sheet_then_from_the_learners_answer():
    picks = ex05.Picks()
    assert picks.ids == list(ex05.DEFAULT_PICKS) and answers.store().get("ex05", ex05.COMPARED) is None
    picks.clear()
    assert picks.ids == [] and picks.shown() == i18n.t("ex05.picked_none")
    picks.add(["facebook/opt-6.7b", "facebook/opt-6.7b", "", 7])
    assert answers.store().get("ex05", ex05.COMPARED) == ["facebook/opt-6.7b"]
    assert ex05.Picks().ids == ["facebook/opt-6.7b"]  # the next explorer starts from what was recorded
    picks.clear()
    picks.record()  # an empty list records nothing: a blank never replaces an answer
    assert answers.store().get("ex05", ex05.COMPARED) == ["facebook/opt-6.7b"]


def test_explore_records_what_was_compared(lang):
    picks = ex05.Picks()
    df = ex05.explore(picks, 2)
    assert "facebook/opt-6.7b" in df.attrs["skipped"] and len(df) == 2
    assert answers.store().get("ex05", ex05.COMPARED) == list(ex05.DEFAULT_PICKS)
    assert check_question("ex05", ex05.COMPARED, answers.store().get("ex05", ex05.COMPARED)).score == 1
