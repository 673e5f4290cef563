"""A Hub that fails must cost one bounded wait per session (issue 12, item 13).

Real sockets on 127.0.0.1 play the failing Hub: one that trickles bytes forever, one that
accepts connections and never answers, one that refuses them. Timing bounds are generous
(the machine is shared); what matters is "about the deadline, not minutes" and "the second
lookup is immediate".
"""
import socket
import threading
import time

import pytest

from course_utils import hub, network

MODEL = "facebook/opt-6.7b"  # in the shipped snapshot


class HostileServer:
    """A TCP server on 127.0.0.1 that misbehaves in one of a few ways (threads end with the test)."""

    def __init__(self, mode: str):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.stop = threading.Event()
        self.connections = 0
        if mode != "silent":  # "silent": the kernel completes the handshake, nobody ever reads or writes
            threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            conn.recv(65536)
            if self.mode == "trickle-body":  # headers at once, then one byte of body every 0.2 s forever
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n")
                chunks = iter(lambda: b" ", None)
            elif self.mode == "trickle-headers":  # the status line, then a header a byte at a time
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                chunks = iter(lambda: b"X", None)
            elif self.mode == "huge":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 500000000\r\n\r\n[")
                chunks = iter(())
            else:
                raise AssertionError(self.mode)
            for chunk in chunks:
                if self.stop.wait(0.2):
                    break
                conn.sendall(chunk)
            self.stop.wait(5)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()


def refused_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def hub_at(monkeypatch):
    """Point the course (and huggingface_hub) at a URL with offline mode off and a clean session memory."""
    import huggingface_hub.constants as hf_constants
    import huggingface_hub.hf_api  # noqa: F401 - a first import takes seconds here: not the Hub's time

    def point(url: str, timeout: float | None = None):
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setenv("HF_ENDPOINT", url)
        if timeout is None:
            monkeypatch.delenv("COURSE_UTILS_TIMEOUT", raising=False)  # the real default: 4 s
        else:
            monkeypatch.setenv("COURSE_UTILS_TIMEOUT", str(timeout))
        network._CACHE.clear()

    servers = []
    yield point, servers
    for s in servers:
        s.close()
    network._CACHE.clear()


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


@pytest.mark.parametrize("mode", ["trickle-body", "silent"])
def test_a_hub_that_trickles_or_never_answers_costs_one_bounded_wait(hub_at, mode):
    point, servers = hub_at
    server = HostileServer(mode)
    servers.append(server)
    point(server.url)  # default deadline, 4 s
    first, took = timed(hub.model_summary, MODEL)
    print(f"{mode}: first lookup {took:.2f} s")
    assert took < 8, f"first lookup took {took:.1f} s"
    assert first.source.startswith("course facts researched") and first.license_key == "other:opt-175b"
    said = " ".join(first.notes)
    if mode == "silent":
        assert "no answer within 4 s" in said, said
    else:
        assert "still arriving after 4 s" in said, said
    second, took2 = timed(hub.model_summary, MODEL)
    print(f"{mode}: second lookup {took2:.3f} s")
    assert took2 < 1.0, f"second lookup took {took2:.2f} s"
    assert second.source.startswith("course facts researched")
    assert any("Hub not used" in n and "COURSE_UTILS_HUB_RETRY" in n for n in second.notes), second.notes
    found, took3 = timed(hub.search_models, max_params_b=2)  # searches share the memory
    assert took3 < 1.0 and found.source.startswith("course facts researched") and found.results


def test_trickling_headers_are_bounded_too(hub_at):
    point, servers = hub_at
    server = HostileServer("trickle-headers")
    servers.append(server)
    point(server.url, timeout=1.5)
    result, took = timed(hub.search_models, max_params_b=2)
    assert took < 5 and result.source.startswith("course facts researched")
    assert any("1.5 s" in n for n in result.notes), result.notes


def test_a_refused_connection_is_quick_and_remembered(hub_at):
    point, _ = hub_at
    point(refused_url())
    first, took = timed(hub.model_summary, MODEL)
    assert took < 4 and first.source.startswith("course facts researched")
    assert any("refused the connection" in n for n in first.notes), first.notes
    second, took2 = timed(hub.model_summary, MODEL)
    assert took2 < 1.0 and any("Hub not used" in n and "refused" in n for n in second.notes), second.notes


def test_an_unreachable_hub_falls_back_to_the_snapshot_spelling_of_a_miscased_id(hub_at):
    """Offline lookups fold letter case; a lookup whose live try failed does the same (it said 'not in the
    snapshot' for mistralai/mistral-7b-instruct-v0.3)."""
    point, _ = hub_at
    point(refused_url())
    s = hub.model_summary("mistralai/mistral-7b-instruct-v0.3")
    assert s.repo_id == "mistralai/Mistral-7B-Instruct-v0.3" and s.source.startswith("course facts researched")
    assert any("mistralai/Mistral-7B-Instruct-v0.3" in n for n in s.notes), s.notes


def test_an_oversized_answer_is_not_read(hub_at):
    point, servers = hub_at
    server = HostileServer("huge")
    servers.append(server)
    point(server.url, timeout=3)
    result, took = timed(hub.model_summary, MODEL)
    assert took < 6 and result.source.startswith("course facts researched")
    assert any("larger than" in n for n in result.notes), result.notes


def test_a_chunked_body_over_the_cap_is_dropped(live_hub, monkeypatch):
    import dataclasses

    from course_utils import hubhttp
    from fakehub import record

    live_hub({MODEL: record(MODEL, tags=["x" * 50] * 200)})
    real = hubhttp.get_settings
    monkeypatch.setattr(hubhttp, "get_settings", lambda: dataclasses.replace(real(), hub_max_bytes=2_000))
    s = hub.model_summary(MODEL)
    assert s.source.startswith("course facts researched") and any("larger than" in n for n in s.notes), s.notes


def test_the_hub_is_tried_again_after_the_retry_time(live_hub, monkeypatch):
    from fakehub import record

    fake = live_hub({MODEL: "slow"}, timeout=0.5, slow_seconds=2)
    monkeypatch.setenv("COURSE_UTILS_HUB_RETRY", "1.5")
    assert hub.model_summary(MODEL).source.startswith("course facts researched")
    asked = len(fake.requests)
    assert hub.model_summary(MODEL).source.startswith("course facts researched")
    assert len(fake.requests) == asked, "the remembered failure must not ask the Hub again"
    fake.behaviours[MODEL] = record(MODEL, license="other")
    time.sleep(1.6)
    assert hub.model_summary(MODEL).source == "live Hub"


def test_no_background_request_of_huggingface_hub_during_a_lookup(live_hub, monkeypatch, tmp_path):
    """huggingface_hub's build_hf_headers may GET /api/agent-harnesses (3 s) first: never inside a lookup."""
    import huggingface_hub.constants as hf_constants
    from fakehub import record

    monkeypatch.setattr(hf_constants, "AGENT_HARNESSES_PATH", str(tmp_path / "none.json"), raising=False)
    fake = live_hub({MODEL: record(MODEL)})
    assert hub.model_summary(MODEL).source == "live Hub"
    assert hub.search_models(text="opt").source == "live Hub"
    assert fake.requests and not [r for r in fake.requests if "agent-harnesses" in r], fake.requests


def test_setup_shows_the_remembered_failure_without_probing(hub_at):
    from course_utils.environment import environment_info

    import ipywidgets  # noqa: F401 - its first import is slow; not what is timed here

    point, servers = hub_at
    server = HostileServer("silent")
    servers.append(server)
    point(server.url, timeout=1)
    hub.model_summary(MODEL)
    info, took = timed(environment_info)
    assert took < 1.0 and info.hub.startswith("offline: the Hub gave no answer within 1 s")
