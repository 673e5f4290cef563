"""Exercise widgets driven kernel-side: set values, click, read the Output widget."""
import pytest

from course_utils import answers
from course_utils.ui import ex01, ex02, ex03, ex04
from course_utils.ui.common import UNEXPECTED_CLASS


def texts(out):
    return " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/html", "")) for o in out.outputs)


@pytest.fixture(autouse=True)
def clean_store(answers_dir, monkeypatch):
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())


def test_matrix_quiz_records_and_gives_per_cell_feedback():
    quiz = ex01.matrix_quiz()
    first_row = quiz.children[1].children  # 'use directly' row: label + 3 dropdowns
    first_row[1].value = "yes"
    first_row[3].value = "yes"  # architecture only: wrong
    quiz.children[-2].click()
    html = texts(quiz.children[-1])
    assert "1 of 12 checks right" in html
    recorded = answers.store().get("ex01", "matrix")
    assert recorded["fully_open"]["use_directly"] == "yes" and recorded["architecture_only"]["use_directly"] == "yes"
    assert "No weights" in html  # the reason for the wrong architecture-only cell


def test_classify_models_widget():
    box = ex01.classify_models()
    pickers = [c for c in box.children if hasattr(c, "options")]
    pickers[0].value = "fully_open"  # OLMo-7B
    box.children[-2].click()
    assert "1 of 5 checks right" in texts(box.children[-1])
    assert answers.store().get("ex01", "classify")["allenai/OLMo-7B"] == "fully_open"


def test_both_scales_quiz_records_restores_and_checks():
    box = ex01.both_scales_quiz()
    assert "Llama 3.1 Community License Agreement" in box.children[0].value  # the facts table
    rows = {r.children[0].value: r.children[1:] for r in box.children[2:-2]}
    level, osaid, reason = rows["meta-llama/Llama-3.1-8B-Instruct"]
    level.value, osaid.value, reason.value = "weights_only", "no", "licence_restricts_use"
    pythia = rows["EleutherAI/pythia-6.9b"]
    pythia[0].value, pythia[1].value, pythia[2].value = "fully_open", "no", "no_training_code"  # wrong verdict
    box.children[-2].click()
    html = texts(box.children[-1])
    assert "3 of 12 checks right" in html and "weights, complete training code and data information" in html
    saved = answers.store().get("ex01", "open_source_ai")
    assert saved["meta-llama/Llama-3.1-8B-Instruct"] == {"level": "weights_only", "osaid": "no",
                                                          "reason": "licence_restricts_use"}
    again = ex01.both_scales_quiz()  # a rebuilt widget shows what was recorded
    restored = {r.children[0].value: r.children[1:] for r in again.children[2:-2]}
    assert [d.value for d in restored["meta-llama/Llama-3.1-8B-Instruct"]] == ["weights_only", "no",
                                                                               "licence_restricts_use"]


def test_both_scales_quiz_ignores_a_saved_value_it_does_not_offer():
    answers.record("ex01", "open_source_ai", {"openai/gpt-oss-20b": {"level": "??", "osaid": "maybe"}})
    box = ex01.both_scales_quiz()
    rows = {r.children[0].value: r.children[1:] for r in box.children[2:-2]}
    assert [d.value for d in rows["openai/gpt-oss-20b"]] == ["", "", ""]


def test_free_text_is_recorded_as_typed():
    box = ex01.comparison_box()
    box.children[1].value = "Fully open models publish data and code."
    assert answers.store().get("ex01", "comparison") == "Fully open models publish data and code."
    assert "7 words" in box.children[2].value


def test_license_card_lookup_and_bad_id():
    card = ex02.license_card()
    repo, button = card.children[0].children
    repo.value = "bigscience/bloom-7b1"
    button.click()
    html = texts(card.children[-1])
    assert "bigscience-bloom-rail-1.0" in html and "course facts researched" in html and "SaaS use" in html
    repo.value = "mistralai/Mistral-7B-Instruct"
    button.click()
    html = texts(card.children[-1])
    assert "did you mean" in html and "Traceback" not in html and UNEXPECTED_CLASS not in html


def test_checklist_widget():
    box = ex02.checklist("model_1", "meta-llama/Llama-2-7b-chat-hf")
    box.children[1].children[0].value = "llama2"
    box.children[1].children[1].value = "conditional"
    box.children[1].children[2].value = "yes"
    box.children[-2].click()
    html = texts(box.children[-1])
    assert "2.25/3 points" in html and "✅" in html  # licence, commercial use, gated right; restrictions missing
    saved = answers.store().get("ex02", "checklist_model_1")
    assert saved["license_id"] == "llama2" and saved["gated"] is True


def test_search_and_team_pick():
    panel = ex03.search_panel()
    panel.children[2].children[2].click()
    assert "source: <b>course facts researched" in texts(panel.children[-1])
    pick = ex03.team_pick("legaltech")
    pick.children[1].children[0].value = "Intel/neural-chat-7b-v3-1"
    pick.children[1].children[1].click()
    html = texts(pick.children[2])
    assert "1.5/2 points" in html and "GGUF" in html  # 3 of 4 needs met: no GGUF build
    assert answers.store().get("ex03", "pick_legaltech") == "Intel/neural-chat-7b-v3-1"


def test_audit_readiness_and_own_table():
    a = ex04.audit_panel()
    a.children[0].click()
    assert "CPU features" in texts(a.children[1])
    r = ex04.readiness_panel()
    r.children[2].value = False  # no bandwidth measurement in tests
    r.children[3].click()
    out = r.children[4].outputs
    assert any("course-readiness" in str(o.get("data", {}).get("text/html", "")) for o in out)
    assert any("image/png" in o.get("data", {}) for o in out)  # the memory chart
    r.children[0].value = "nobody/nothing"
    r.children[3].click()
    assert "pass the parameter count" in texts(r.children[4])
    own = ex04.own_table()
    own.children[0].children[0].value = 1.0
    own.children[2].click()
    assert "0/3 points" in texts(own.children[3])  # 1 GB of RAM and nothing else filled in
    assert answers.store().get("ex04", "own_readiness")["ram_gb"] == 1.0


def test_save_row_saves(answers_dir):
    from course_utils.ui.common import save_row

    answers.remember_learner("Ada")
    answers.record("ex01", "q", 1)
    row = save_row("ex01")
    row.children[0].click()
    assert "Saved 1 answer to" in texts(row.children[1])
    assert (answers_dir / "ex01_ada.json").exists()


def test_benchmark_explorer_flow():
    from course_utils.ui import ex05

    box = ex05.explorer()
    version, query, hits, buttons, chosen, compare, out = box.children[:7]
    query.value = "opt-6.7b"
    assert "facebook/opt-6.7b" in hits.options
    hits.value = ("facebook/opt-6.7b",)
    buttons.children[0].click()
    assert "facebook/opt-6.7b" in chosen.value
    compare.click()
    kinds = [list(o.get("data", {})) for o in out.outputs]
    assert any("text/html" in k for k in kinds) and sum("image/png" in k for k in kinds) == 2
    cases = box.children[8].children
    assert len(cases) == 1
    cases[0].value = "Baseline for research comparisons"
    assert answers.store().get("ex05", "use_cases") == {"facebook/opt-6.7b": "Baseline for research comparisons"}
    box.children[9].click()
    checked = texts(box.children[10])
    assert "0.5/1 points" in checked and "1/2 points" in checked  # 1 model and 1 use case, of 2 wanted
    version.value = 2
    compare.click()
    assert "no v2 score under this id" in texts(out) and UNEXPECTED_CLASS not in texts(out)  # never evaluated on v2
    query.value = "zzzz-no-such-model"
    assert hits.options == ()


def test_spot_the_errors_widget():
    from course_utils.ui import ex05

    box = ex05.spot_the_errors()
    checkboxes = [c for c in box.children if hasattr(c, "value") and isinstance(c.value, bool)]
    for cb in checkboxes:
        if "Llama-2-7b-chat-hf — HellaSwag" not in cb.description:
            cb.value = True
    box.children[-2].click()
    assert "9 of 9 checks right" in texts(box.children[-1])


def test_cost_planner_and_pros_cons_and_timing():
    from course_utils.ui import ex06

    planner = ex06.cost_planner()
    out = planner.children[-1]
    assert any("image/png" in o.get("data", {}) for o in out.outputs)
    sliders = [c for c in planner.children if hasattr(c, "min")]
    hours = [s for s in sliders if "hours" in s.description][0]
    hours.value = 12
    assert "hours_per_day" in answers.store().get("ex06", "cost_inputs") and \
        answers.store().get("ex06", "cost_inputs")["hours_per_day"] == 12
    speed_row = planner.children[-3]
    speed_row.children[2].click()
    assert "tokens/s" in texts(planner.children[-2])
    pc = ex06.pros_cons()
    pc.children[-2].click()
    assert "0/3 points" in texts(pc.children[-1]) and "Not answered" in texts(pc.children[-1])


def test_speed_slider_follows_the_estimator():
    from course_utils import deploy
    from course_utils.ui import ex06

    assert ex06.speed_slider_max([120]) == 300  # never below the old range
    assert ex06.speed_slider_max([556]) == 650  # 556 x 1.1 = 611.6, up to a multiple of 50
    fastest = deploy.latency("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "Q4_K_M", hardware="NVIDIA GeForce RTX 4090")
    planner = ex06.cost_planner()
    speed = [c for c in planner.children if getattr(c, "description", "").startswith("local decode")][0]
    assert speed.max >= fastest.tokens_per_s  # the fastest menu choice is not clamped
    row = planner.children[-3]
    row.children[0].value, row.children[1].value = "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "NVIDIA GeForce RTX 4090"
    row.children[2].click()
    assert speed.value == round(fastest.tokens_per_s)
    timing = ex06.timing_panel()
    timing.children[0].value = "http://127.0.0.1:9/v1"
    timing.children[3].click()
    msg = texts(timing.children[-1])
    assert "Could not reach" in msg and "llama-server" in msg and UNEXPECTED_CLASS not in msg
