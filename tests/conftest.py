"""Test-wide settings: the Hub is forced offline, HF_HOME and the answers folder are temporary.

These are set before anything imports huggingface_hub (it reads HF_HUB_OFFLINE at import),
and they reach the nbval kernels too, which inherit this process's environment.
"""
from __future__ import annotations

import os
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
REFERENCE = ROOT.parent / "shared" / "reference"
OS_OUTPUTS = ROOT / "tests" / "fixtures" / "os_outputs"


@pytest.fixture
def answers_dir(tmp_path, monkeypatch):
    folder = tmp_path / "answers"
    monkeypatch.setenv("COURSE_UTILS_ANSWERS_DIR", str(folder))
    return folder


@pytest.fixture
def fresh_store(answers_dir):
    from course_utils.answers import AnswerStore

    return AnswerStore()
