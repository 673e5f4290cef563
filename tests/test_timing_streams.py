"""Token counting on stream shapes recorded from real servers, and the harness's own faults.

The recorded streams (tests/fixtures/streams, sources in SOURCES.md) are replayed from a local
server. The faults (a choices item that is not an object, a stall midway, a body that is not a
stream, a silent or trickling server, a rejected field) come from the fake server: a real server
does not produce them on demand.
"""
import time
from pathlib import Path

import pytest

from course_utils.timing import (FROM_CHUNKS, FROM_LENGTH, FROM_TIMINGS, FROM_USAGE, ReasoningText, TimingError,
                                 openai_compatible, time_generation)

STREAMS = Path(__file__).parent / "fixtures" / "streams"


def replay(server, name, **kw):
    s = server(mode="replay", replay=(STREAMS / name).read_bytes(), first_delay=0.0, token_delay=0.01, **kw)
    return openai_compatible(s.url, "m", timeout=10), s


def test_llamacpp_usage_in_a_final_empty_choices_chunk(server):
    gen, s = replay(server, "llamacpp_smollm2_include_usage.sse")
    r = time_generation(gen, max_new_tokens=12, runs=1)
    assert r.tokens == 12 and r.tokens_from == FROM_USAGE and not r.approximate
    assert r.server_tokens_per_s is not None and r.server_tokens_per_s > 0  # llama.cpp's own timings
    assert r.first_answer_s == pytest.approx(r.ttft_s)
    assert s.bodies[0]["stream_options"] == {"include_usage": True}
    assert r.prompt_tokens == 32  # usage.prompt_tokens: the prediction's context starts there


def test_llamacpp_prompt_tokens_from_timings_when_no_usage(server):
    """Without usage, llama.cpp's timings count the prompt: prompt_n processed plus cache_n reused (1 + 31)."""
    gen, _ = replay(server, "llamacpp_smollm2_no_stream_options.sse")
    assert time_generation(gen, max_new_tokens=12, runs=1).prompt_tokens == 32


def test_llamacpp_timings_when_no_usage(server):
    gen, _ = replay(server, "llamacpp_smollm2_no_stream_options.sse")
    r = time_generation(gen, max_new_tokens=12, runs=1)
    assert r.tokens == 12 and r.tokens_from == FROM_TIMINGS


def test_reasoning_deltas_are_generated_tokens(server):
    # DeepSeek-R1, `data:` without a space, reasoning only (the recording ends there)
    gen, _ = replay(server, "deepseek_r1_reasoning_gptel592.sse")
    chunks = list(gen("q", 8))
    assert chunks == ["Okay", ",", " the", " user"] and all(isinstance(c, ReasoningText) for c in chunks)
    r = time_generation(gen, max_new_tokens=8, runs=1)
    assert r.tokens == 4 and r.tokens_from == FROM_CHUNKS and r.approximate
    assert r.first_answer_s is None and any("Reasoning" in n for n in r.notes)
    gen, _ = replay(server, "sglang_deepseek_v3_pollinations1895.sse")
    r = time_generation(gen, max_new_tokens=8, runs=1)  # usage: null in every chunk is ignored
    assert r.tokens == 2 and r.tokens_from == FROM_CHUNKS


def test_usage_in_every_chunk_last_one_wins(server):
    gen, _ = replay(server, "vllm_omni_continuous_usage_2313.sse")
    r = time_generation(gen, max_new_tokens=8, runs=1)
    assert r.tokens == 1 and r.tokens_from == FROM_USAGE


def test_finish_reason_length_without_text_is_no_text(server):
    gen, _ = replay(server, "sglang_dynamo_length_no_text_3531.sse")
    with pytest.raises(TimingError, match="no text"):
        time_generation(gen, max_new_tokens=1, runs=1)


def test_multi_token_chunks_cut_at_max_tokens(server):
    # shape only (no recording at hand): 4 chunks of several tokens each, no usage, finish_reason length
    s = server(mode="multi", first_delay=0.0, token_delay=0.1, tokens=4)
    r = time_generation(openai_compatible(s.url, "m"), max_new_tokens=20, runs=1)
    assert r.tokens == 20 and r.tokens_from == FROM_LENGTH and not r.approximate
    # 15 of the 20 tokens come after the first chunk, in 3 gaps of >= 0.1 s: at most 50 tokens/s
    assert 20 <= r.tokens_per_s <= 50.5


def test_server_that_rejects_stream_options_is_asked_again_without(server):
    s = server(mode="reject_stream_options", first_delay=0.0, token_delay=0.0, tokens=5)
    r = time_generation(openai_compatible(s.url, "m"), max_new_tokens=5, runs=2)
    assert r.tokens == 5 and r.tokens_from == FROM_CHUNKS
    assert "stream_options" in s.bodies[0] and all("stream_options" not in b for b in s.bodies[1:])
    assert len(s.bodies) == 3  # one retry, then the field is dropped for good


def test_choices_item_that_is_not_an_object(server):
    s = server(mode="choices_not_object", first_delay=0.0, token_delay=0.0)
    with pytest.raises(TimingError, match="choices must be a list of objects"):
        time_generation(openai_compatible(s.url, "m"), runs=1)


def test_stream_that_stalls_midway(server):
    s = server(mode="stall", first_delay=0.0, token_delay=0.0)
    start = time.perf_counter()
    with pytest.raises(TimingError, match="stalled: no data for 0.5 s"):
        time_generation(openai_compatible(s.url, "m", timeout=10, read_timeout=0.5), runs=1)
    assert time.perf_counter() - start < 3


def test_body_that_is_not_a_stream(server):
    s = server(mode="not_stream", first_delay=0.0)
    with pytest.raises(TimingError, match="did not stream and its answer is not a chat completion"):
        time_generation(openai_compatible(s.url, "m"), runs=1)


@pytest.mark.parametrize("mode", ["silent", "trickle"])
def test_total_deadline_per_run(server, mode):
    s = server(mode=mode, first_delay=0.0)
    start = time.perf_counter()
    with pytest.raises(TimingError, match="did not finish within 1 s"):
        time_generation(openai_compatible(s.url, "m", timeout=1), runs=1)
    assert time.perf_counter() - start < 2.5
