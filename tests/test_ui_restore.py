"""Widgets start from the learner's saved answers and never overwrite them (issue 10, items 1-4).

Kernel-side, in this process: the saved fixtures of ada-lovelace are copied in, a new store
stands for a restarted kernel, every widget is built and every Check/Save button clicked.
tests/test_no_lost_work.py does the same through real notebooks in real kernels.
"""
import json
import shutil
from pathlib import Path

import pytest

from course_utils import answers
from course_utils.ui import common, ex01, ex02, ex03, ex04, ex05, ex06

FIXTURES = Path(__file__).parent / "fixtures" / "answers"
BUILDERS = {
    "ex01": lambda: [ex01.matrix_quiz(), ex01.classify_models(), ex01.comparison_box(), ex01.healthcare_box()],
    "ex02": lambda: [ex02.checklist("model_1"), ex02.checklist("model_2")],
    "ex03": lambda: [ex03.team_pick(t) for t in ("legaltech", "edtech", "ngo")],
    "ex04": lambda: [ex04.own_table()],
    "ex05": lambda: [ex05.explorer(), ex05.spot_the_errors()],
    "ex06": lambda: [ex06.cost_planner(), ex06.pros_cons(), ex06.plan_box()],
}


def texts(out):
    return " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/html", "")) for o in out.outputs)


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


@pytest.fixture
def restarted(answers_dir, monkeypatch):
    """Ada's saved files in the answers folder, Ada remembered, and a kernel that recorded nothing."""
    answers_dir.mkdir()
    for f in FIXTURES.glob("ex0[1-6]_ada-lovelace.json"):
        shutil.copy(f, answers_dir)
    answers.remember_learner("Ada Lovelace")
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())
    return answers_dir


@pytest.mark.parametrize("exercise", sorted(BUILDERS))
def test_restart_then_check_and_save_changes_nothing(restarted, exercise):
    path = restarted / f"{exercise}_ada-lovelace.json"
    before = json.loads(path.read_text())["answers"]
    import ipywidgets as w

    boxes = [*BUILDERS[exercise](), common.save_row(exercise)]
    widgets = [x for b in boxes for x in walk(b)]
    shown = [x.value for x in widgets if isinstance(x, (w.Text, w.Textarea))]
    for q, v in before.items():
        if isinstance(v, str):
            assert v in shown, f"{exercise}.{q} not back in its widget"
    for label in ("check", "save"):
        for b in widgets:
            if isinstance(b, w.Button) and label in b.description.lower():
                b.click()
    outs = " ".join(texts(x) for x in widgets if isinstance(x, w.Output))
    assert "Saved" in outs and common.UNEXPECTED_CLASS not in outs and "Traceback" not in outs
    assert json.loads(path.read_text())["answers"] == before


def test_widgets_show_saved_choices(restarted):
    matrix = ex01.matrix_quiz()
    first_row = matrix.children[1].children  # 'use directly': fully open, weights only, architecture only
    assert [dd.value for dd in first_row[1:]] == ["yes", "yes", "no"]
    box = ex02.checklist("model_1")
    assert box.children[0].value == "meta-llama/Llama-2-7b-chat-hf"
    assert [x.value for x in box.children[1].children] == ["llama2", "conditional", "yes"]
    saved_restrictions = json.loads((restarted / "ex02_ada-lovelace.json").read_text())["answers"][
        "checklist_model_1"]["restrictions"]
    assert sum(cb.value for cb in box.children[3:-2]) == len(saved_restrictions) >= 4
    classify = [c for c in ex01.classify_models().children if hasattr(c, "options")]
    assert classify[0].value == "fully_open" and classify[2].value == "weights_only"
    from course_utils.exercises import ex06 as declared

    pros = [p for p in ex06.pros_cons().children if any(c.startswith("cu-ex06-statement-") for c in p._dom_classes)]
    saved = json.loads((restarted / "ex06_ada-lovelace.json").read_text())["answers"]["pros_cons"]
    shown = {next(c for c in p._dom_classes if c.startswith("cu-ex06-statement-"))[18:]: p.value for p in pros}
    assert {k: v for k, v in shown.items() if v} == declared.normalise_pros_cons(saved)  # old answers restore
    own = ex04.own_table()
    assert own.children[1].children[0].value == 16.0 and own.children[2].children[0].value == "yes"  # RAM, AVX2
    assert own.children[2].children[1].value == ""  # a table saved before the OS field: blank, nothing lost
    explorer = ex05.explorer()
    assert "bigscience/bloom-7b1" in explorer.children[4].value
    planner = ex06.cost_planner()
    hours = [s for s in planner.children if "hours" in getattr(s, "description", "")][0]
    assert hours.value == 4


def test_a_saved_value_the_widget_cannot_show_is_kept(restarted):
    path = restarted / "ex06_ada-lovelace.json"
    doc = json.loads(path.read_text())
    statement = next(iter(doc["answers"]["pros_cons"]))
    doc["answers"]["pros_cons"][statement] = "an option that no longer exists"
    path.write_text(json.dumps(doc))
    box = ex06.pros_cons()
    assert box.children[1].value == ""  # the Dropdown falls back to '—' instead of failing
    box.children[-2].click()
    assert "left blank keep your saved answer" in texts(box.children[-1])
    common.save_row("ex06").children[0].click()
    assert json.loads(path.read_text())["answers"]["pros_cons"][statement] == "an option that no longer exists"


def test_untouched_sliders_record_nothing(answers_dir, monkeypatch):
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())
    planner = ex06.cost_planner()
    assert answers.store().get("ex06", "cost_inputs") is None
    hours = [s for s in planner.children if "hours" in getattr(s, "description", "")][0]
    hours.value = 10
    assert answers.store().get("ex06", "cost_inputs") == {"hours_per_day": 10}


def test_text_over_the_limit_says_not_recorded_and_save_warns(restarted):
    box = ex01.comparison_box()
    saved = box.children[1].value
    box.children[1].value = "word " * 5000  # 25,000 characters: no traceback goes to the kernel
    counter = box.children[2].value
    assert "NOT recorded" in counter and "recorded</small>" not in counter
    assert answers.store().get("ex01", "comparison") in (None, saved)
    row = common.save_row("ex01")
    row.children[0].click()
    msg = texts(row.children[1])
    assert "course-msg-warn" in msg and "but NOT these" in msg and "course-msg-ok" not in msg
    path = restarted / "ex01_ada-lovelace.json"
    assert json.loads(path.read_text())["answers"]["comparison"] == saved
    box.children[-2].click()  # Check on the over-long text: a message, no traceback
    assert "NOT recorded" in texts(box.children[-1])


def test_emptied_text_keeps_the_saved_answer_and_says_so(restarted):
    box = ex01.healthcare_box()
    saved = box.children[1].value
    box.children[1].value = ""
    assert "earlier answer is kept" in box.children[2].value
    common.save_row("ex01").children[0].click()
    path = restarted / "ex01_ada-lovelace.json"
    assert json.loads(path.read_text())["answers"]["healthcare"] == saved


def test_clear_an_answer_from_the_save_row(restarted):
    row = common.save_row("ex03")
    which, clear_button = row.children[2].children
    assert [v for _, v in which.options][1:4] == ["pick_legaltech", "pick_edtech", "pick_ngo"]
    clear_button.click()
    assert "Pick the answer to clear first" in texts(row.children[3])
    which.value = "why_ngo"
    clear_button.click()
    assert "Cleared your answer to &#x27;why_ngo&#x27;" in texts(row.children[3])
    doc = json.loads((restarted / "ex03_ada-lovelace.json").read_text())
    assert "why_ngo" not in doc["answers"] and doc["answers"]["pick_ngo"] == "bigscience/bloomz-3b"
    assert ex03.team_pick("ngo").children[-1].children[1].value == ""  # the cell run again shows it empty


def test_an_over_long_use_case_is_reported_by_save_not_raised(answers_dir, monkeypatch):
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())
    answers.remember_learner("Ada")
    box = ex05.use_case_box("facebook/opt-6.7b")
    box.value = "x" * 30_000  # pasted by mistake: no exception reaches the kernel
    row = common.save_row("ex05")
    row.children[0].click()
    assert "but NOT these" in texts(row.children[1]) and "'use_cases'" in texts(row.children[1]).replace("&#x27;", "'")


@pytest.mark.parametrize("odd", [None, 7, "text", [1, {"a": 2}], {"x": [None]}, True, 1e308])
def test_widgets_build_whatever_the_saved_file_holds(restarted, odd):
    for exercise, build in BUILDERS.items():
        path = restarted / f"{exercise}_ada-lovelace.json"
        doc = json.loads(path.read_text())
        doc["answers"] = {q: odd for q in doc["answers"]} | {
            q: {k: odd for k in v} for q, v in doc["answers"].items() if isinstance(v, dict)}
        path.write_text(json.dumps(doc))
        build()  # never a TraitError or TypeError from a value the widget cannot show


# ---------------------------------------------------------------- the save row and counters in French

from course_utils import i18n  # noqa: E402


@pytest.fixture
def french(monkeypatch):
    monkeypatch.delenv("COURSE_UTILS_LANG", raising=False)
    i18n.set_language("fr")
    yield
    i18n.set_language(None)


def test_save_row_speaks_french(restarted, french):
    row = common.save_row("ex03")
    save, out, pair, clear_out = row.children
    which, clear_button = pair.children
    assert save.description == "Enregistrer mes réponses" and "cu-save" in save._dom_classes
    assert which.description == "Effacer une réponse" and clear_button.description == "Effacer"
    assert "cu-clear" in clear_button._dom_classes and "cu-clear-out" in clear_out._dom_classes
    clear_button.click()
    assert "Choisissez d&#x27;abord la réponse à effacer" in texts(clear_out)
    save.click()
    assert "réponses enregistrées dans" in texts(out) and "course-msg-ok" in texts(out)


@pytest.mark.parametrize("typed, kind, says", [
    ("trois mots ici", "ok", "3 mots — pris en compte"), ("un", "ok", "1 mot — pris en compte")])
def test_counter_speaks_french(answers_dir, french, monkeypatch, typed, kind, says):
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())
    assert common.text_status("ex01", "comparison", typed) == (kind, says)


def test_emptied_text_and_kept_note_in_french(restarted, french):
    assert common.text_status("ex01", "healthcare", "")[1].startswith("Vide : votre réponse précédente est gardée")
    assert "un vide ne remplace jamais" in common.kept_note()
    assert common.KEPT_NOTE.startswith("Parts you left blank")  # the English constant stays for older callers


def test_a_saved_slider_value_outside_its_range_restores_unclamped(answers_dir, monkeypatch):
    """A speed measured on a fast GPU (say 1,234 tokens/s, above the slider's top) and a price under
    the slider's floor come back as saved, and moving another slider keeps them in the answers."""
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())
    answers.store().record("ex06", "cost_inputs", {"tokens_per_second": 1234.0, "lifetime_months": 3})
    planner = ex06.cost_planner()
    sliders = {c: s for s in planner.children for c in getattr(s, "_dom_classes", ()) if c.startswith("cu-ex06-input-")}
    speed, months = sliders["cu-ex06-input-tokens_per_second"], sliders["cu-ex06-input-lifetime_months"]
    assert speed.value == 1234.0 and speed.max >= 1234 and months.value == 3 and months.min <= 3
    sliders["cu-ex06-input-hours_per_day"].value = 10
    rec = answers.store().get("ex06", "cost_inputs")
    assert rec["tokens_per_second"] == 1234.0 and rec["lifetime_months"] == 3 and rec["hours_per_day"] == 10


def test_slider_range_widens_only_to_hold_a_saved_value():
    assert ex06.slider_range(1, 300, 1, 1234.5) == (1, 1235)
    assert ex06.slider_range(6, 72, 6, 3) == (0, 72)
    assert ex06.slider_range(0, 24, 0.5, 4) == (0, 24)
    for odd in (None, "fast", True, float("nan")):
        assert ex06.slider_range(0, 24, 0.5, odd) == (0, 24)
