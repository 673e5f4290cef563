"""Exercise 6's transformers path on the real thing: Colab's transformers (the colab environment pins its
version) with a CPU build of torch, running the course's real SmolLM2-135M, read from its GGUF file
(transformers dequantizes it), so nothing comes from the Hub. Only where torch, transformers,
accelerate and gguf import (tasks.py adds them to the colab environment when a CPU wheel of torch can
be had); elsewhere these tests skip, as the issue asks."""
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("accelerate")
pytest.importorskip("gguf")

from course_utils import answers, hf_engine  # noqa: E402
from course_utils.errors import EngineUnavailable  # noqa: E402
from course_utils.timing import FROM_USAGE, time_generation  # noqa: E402
from course_utils.ui import ex06  # noqa: E402

from real_model import fetch_or_skip  # noqa: E402
from test_ui_engine import texts  # noqa: E402


@pytest.fixture(scope="module")
def model_file():
    return str(fetch_or_skip())


@pytest.fixture(scope="module")
def generate(model_file):
    return hf_engine.transformers_generate(model_file)


@pytest.fixture(autouse=True)
def clean_store(answers_dir, monkeypatch):
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())


def test_the_prompt_is_token_ids_on_this_transformers(generate):
    """transformers 5 (Colab's) returns a BatchEncoding from apply_chat_template where 4.x returned ids:
    the old code passed it to generate and every Colab run ended in "could not generate (AttributeError)"."""
    ids = hf_engine.prompt_ids(generate.tokenizer, "What is the capital of France?")
    assert ids.dim() == 2 and ids.shape[0] == 1 and ids.dtype.is_floating_point is False
    text = generate.tokenizer.decode(ids[0])
    assert "What is the capital of France?" in text and "assistant" in text  # SmolLM2's chat template


def test_the_real_model_streams_and_counts_its_tokens_exactly(generate):
    stream = generate("What is the capital of France?", 12)
    pieces = list(stream)
    assert "".join(pieces).strip(), "the model produced no text"
    assert 1 <= stream.stats.completion_tokens <= 12  # new token ids, not chunks
    result = time_generation(generate, max_new_tokens=12, runs=2, warmup=True)
    assert result.tokens_from == FROM_USAGE and not result.approximate
    assert 1 <= result.tokens <= 12 and result.tokens_per_s > 0 and 0 < result.ttft_s < result.total_s


def test_exercise_6_times_the_course_model_through_transformers_and_records_it(model_file, generate):
    result = ex06.measure(hf_model=model_file, runs=1, max_new_tokens=8)
    assert result.tokens_from == FROM_USAGE and 1 <= result.tokens <= 8 and result.tokens_per_s > 0
    saved = answers.store().get("ex06", "timing")
    assert saved["base_url"] == "transformers" and saved["model"] == model_file
    assert saved["tokens"] == result.tokens and saved["tokens_per_s"] == result.tokens_per_s
    assert hf_engine.transformers_generate(model_file).model is generate.model  # loaded once, not per click


def test_the_timing_panel_runs_it_from_the_text_box(model_file, generate):
    timing = ex06.timing_panel()
    timing.children[2].children[0].value = 1  # runs
    timing.children[2].children[1].value = model_file
    timing.children[3].click()
    shown = texts(timing.children[-1])
    assert "tok" in shown and "Traceback" not in shown
    assert answers.store().get("ex06", "timing")["model"] == model_file


def test_a_file_transformers_cannot_read_is_a_message(tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_text("not a model")
    with pytest.raises(EngineUnavailable, match="transformers could not load .*notes.gguf"):
        hf_engine.transformers_generate(str(bad))
    timing = ex06.timing_panel()
    timing.children[2].children[1].value = str(bad)
    timing.children[3].click()
    shown = texts(timing.children[-1])
    assert "could not load" in shown and "Traceback" not in shown
    assert answers.store().get("ex06", "timing") is None  # nothing recorded from a failed run
