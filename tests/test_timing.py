"""The timing harness's arithmetic against a local fake server with known delays, and Python callables.

A fake server here because only it has delays known in advance (and answers 404 for a model name,
which llama.cpp ignores). The real llama.cpp server is measured in test_engine.py; streams recorded
from real providers are replayed in test_timing_streams.py.
"""
import socket
import time

import pytest

from course_utils.errors import InvalidInput
from course_utils.timing import TimingError, openai_compatible, time_generation


def test_streaming_figures_match_known_delays(server):
    s = server(first_delay=0.3, token_delay=0.05, tokens=11)
    r = time_generation(openai_compatible(s.url, "test-model"), max_new_tokens=11, runs=3)
    assert r.tokens == 11 and len(r.runs) == 3
    # sleeps never end early, so the known delays are lower bounds; a busy machine only adds time
    assert 0.29 <= r.ttft_s <= 0.7
    assert 12 <= r.tokens_per_s <= 20.5  # 10 gaps of 0.05 s after the first token
    assert 0.79 <= r.total_s <= 1.4
    assert "streamed" in r.method


def test_non_streaming_server_is_timed_and_flagged(server):
    s = server(mode="plain", first_delay=0.2, tokens=8)
    r = time_generation(openai_compatible(s.url, "m"), runs=1)
    assert r.tokens == 8 and r.ttft_s == pytest.approx(r.total_s) and r.total_s >= 0.2
    assert "not streamed" in r.notes[0]


def test_http_error_and_malformed_chunk(server):
    s = server(mode="404")
    with pytest.raises(TimingError, match="HTTP 404.*not found.*model name"):
        time_generation(openai_compatible(s.url, "missing-model"), runs=1)
    s = server(mode="malformed", first_delay=0.0, token_delay=0.0)
    with pytest.raises(TimingError, match="Malformed chunk"):
        time_generation(openai_compatible(s.url, "m"), runs=1)


def test_unreachable_endpoint_explains_how_to_start_one():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    start = time.perf_counter()
    with pytest.raises(TimingError, match="Could not reach.*llama-server.*ollama serve"):
        time_generation(openai_compatible(f"http://127.0.0.1:{port}", "m", timeout=2), runs=1)
    assert time.perf_counter() - start < 3


def test_bad_base_url():
    with pytest.raises(InvalidInput, match="http://"):
        openai_compatible("localhost:8080", "m")


def test_python_callables_streaming_and_text():
    def streamer(prompt, n):
        time.sleep(0.1)
        for i in range(n):
            if i:
                time.sleep(0.02)
            yield f"tok{i}"

    r = time_generation(streamer, "hi", max_new_tokens=6, runs=2)
    assert r.tokens == 6 and 0.099 <= r.ttft_s <= 0.4
    assert 30 <= r.tokens_per_s <= 50.5  # 5 gaps of 0.02 s

    def texter(prompt, n):
        time.sleep(0.05)
        return "one two three four"

    r = time_generation(texter, runs=1)
    assert r.tokens == 4 and r.ttft_s == r.total_s and r.notes
    r = time_generation(texter, runs=1, count_tokens=lambda t: len(t))
    assert r.tokens == len("one two three four")


def test_bad_callables_and_arguments():
    with pytest.raises(InvalidInput):
        time_generation("not callable")
    with pytest.raises(InvalidInput, match="runs"):
        time_generation(lambda p, n: "x", runs=0)
    with pytest.raises(InvalidInput, match="return text"):
        time_generation(lambda p, n: 42, runs=1)
    with pytest.raises(TimingError, match="no text"):
        time_generation(lambda p, n: iter([]), runs=1)
