"""Notebook 00's widgets, driven kernel-side (no browser)."""
from course_utils import answers
from course_utils.ui import start
from course_utils.ui.common import run_safely, UNEXPECTED_CLASS


def _texts(out):
    return " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/html", "")) for o in out.outputs)


def test_learner_box_remembers(answers_dir):
    box = start.learner_box()
    (name, button), out = box.children[0].children, box.children[1]
    name.value = "Ada Lovelace"
    button.click()
    assert "Hello Ada Lovelace" in _texts(out)
    assert answers.current_learner() == ("Ada Lovelace", "ada-lovelace")
    again = start.learner_box()
    assert again.children[0].children[0].value == "Ada Lovelace"
    assert "Welcome back" in _texts(again.children[1])


def test_learner_box_bad_name_gives_message(answers_dir):
    box = start.learner_box()
    (name, button), out = box.children[0].children, box.children[1]
    name.value = "../.."
    button.click()
    assert "no letters or digits" in _texts(out)
    assert answers.current_learner() is None


def test_links_point_at_every_exercise():
    html = start.exercise_links()
    for nb in ("01_open_source_levels.ipynb", "06_cloud_vs_local.ipynb"):
        assert nb in html


def test_run_safely_hides_tracebacks():
    import ipywidgets as w

    out = w.Output()

    def broken():
        raise ZeroDivisionError("boom")

    assert run_safely(out, broken) is None
    assert UNEXPECTED_CLASS in _texts(out) and "Traceback" not in _texts(out)


import pytest


@pytest.mark.parametrize("typed", ["李雷", "Дмитрий Иванов", "محمد علي", "Søren Ørsted", "Ana María"])
def test_learner_box_takes_names_in_any_script(answers_dir, typed):
    box = start.learner_box()
    (name, button), out = box.children[0].children, box.children[1]
    name.value = f"  {typed} "
    button.click()
    text = _texts(out)
    assert f"Hello {typed}!" in text and "no letters or digits" not in text and "course-msg-ok" in text
    assert answers.current_learner()[0] == typed


def test_learner_box_empty_name_and_shared_file_name(answers_dir):
    box = start.learner_box()
    (name, button), out = box.children[0].children, box.children[1]
    button.click()
    assert "Type your name in the box first" in _texts(out)
    other = answers.AnswerStore()
    other.record("ex01", "q", 1)
    other.save("ex01", "Ana María", offer_download=False)
    name.value = "Ana Maria"
    button.click()
    assert "course-msg-warn" in _texts(out) and "already holds the answers of &#x27;Ana María&#x27;" in _texts(out)
