"""Exercise 4's "predict, then measure" and exercise 6's timing panel, without the engine (the runs
with the real engine are in test_engine.py): clear messages, nothing runs before a click."""
import sys

import pytest

from course_utils import answers, engine
from course_utils.ui import ex04, ex06
from course_utils.errors import EngineUnavailable  # noqa: F401
from course_utils.ui.common import UNEXPECTED_CLASS


def texts(out):
    import html

    return html.unescape(" ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/html", ""))
                                  for o in out.outputs))


@pytest.fixture(autouse=True)
def clean_store(answers_dir, monkeypatch):
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())


@pytest.fixture
def no_engine(monkeypatch):
    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # import fails, as without the extra
    monkeypatch.setattr(engine.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(engine.platform, "system", lambda: "Linux")


def test_panels_say_up_front_when_the_engine_is_missing(no_engine):
    panel = ex04.predict_measure_panel()
    assert "pip install xllamacpp gguf" in texts(panel.children[2])
    timing = ex06.timing_panel()
    assert "pip install" in texts(timing.children[-1])


def test_run_without_engine_is_a_message_not_a_traceback(no_engine):
    panel = ex04.predict_measure_panel()
    panel.children[1].children[1].click()  # 2. Run it for real
    msg = texts(panel.children[2])
    assert "not installed" in msg and UNEXPECTED_CLASS not in msg
    assert answers.store().get("ex04", "measured_run") is None
    timing = ex06.timing_panel()
    timing.children[3].click()  # empty base URL: the course's model on llama.cpp
    msg = texts(timing.children[-1])
    assert "not installed" in msg and UNEXPECTED_CLASS not in msg


def test_predict_with_a_bad_path_says_so():
    panel = ex04.predict_measure_panel()
    panel.children[0].value = "/nowhere/model.gguf"
    panel.children[1].children[0].click()
    assert "No file at /nowhere/model.gguf" in texts(panel.children[2])


def test_gap_answer_is_recorded():
    panel = ex04.predict_measure_panel()
    box = panel.children[3].children[1]
    box.value = "llama.cpp has a fixed cost per token"
    assert answers.store().get("ex04", "gap_explained") == "llama.cpp has a fixed cost per token"


def test_transformers_path_without_torch(monkeypatch):
    from course_utils import hf_engine

    monkeypatch.setattr(hf_engine, "transformers_available", lambda **_: (False, "The transformers path needs torch"))
    with pytest.raises(EngineUnavailable, match="needs torch"):
        hf_engine.transformers_generate("HuggingFaceTB/SmolLM2-135M-Instruct")
    timing = ex06.timing_panel()
    timing.children[2].children[1].value = "HuggingFaceTB/SmolLM2-135M-Instruct"
    timing.children[3].click()
    assert "needs torch" in texts(timing.children[-1])
