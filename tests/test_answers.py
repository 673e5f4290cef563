import json
import os

import pytest

from course_utils import answers
from course_utils.answers import SCHEMA_VERSION, sanitize_learner
from course_utils.errors import AnswerError


@pytest.mark.parametrize("raw, slug", [
    ("Ada Lovelace", "ada-lovelace"),
    ("  José  Núñez ", "jose-nunez"),
    ("../../etc/passwd", "etc-passwd"),
    ("..", None),
    ("", None),
    ("   ", None),
    ("a/b\\c", "a-b-c"),
    ("x" * 300, "x" * 64),
    (".hidden", "hidden"),
])
def test_sanitize_learner(raw, slug):
    if slug is None:
        with pytest.raises(AnswerError, match="no letters or digits"):
            sanitize_learner(raw)
    else:
        assert sanitize_learner(raw) == slug


def test_record_and_save_round_trip(fresh_store, answers_dir):
    fresh_store.record("ex02", "q1", "apache-2.0")
    fresh_store.record("ex02", "q2", ["a", "b"])
    result = fresh_store.save("ex02", learner="Ada Lovelace", offer_download=False)
    assert result.path == answers_dir / "ex02_ada-lovelace.json"
    doc = json.loads(result.path.read_text())
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["exercise"] == "ex02" and doc["learner"] == "ada-lovelace"
    assert doc["learner_display"] == "Ada Lovelace"
    assert doc["answers"] == {"q1": "apache-2.0", "q2": ["a", "b"]}
    assert doc["package_version"] and doc["saved_at"].endswith("+00:00")
    assert str(result.path) in result.message


def test_save_merges_with_what_is_on_disk(answers_dir):
    first = answers.AnswerStore()
    first.record("ex01", "q1", 1)
    first.save("ex01", learner="ada", offer_download=False)
    second = answers.AnswerStore()  # a restarted kernel
    second.record("ex01", "q2", 2)
    second.save("ex01", learner="ada", offer_download=False)
    doc = json.loads((answers_dir / "ex01_ada.json").read_text())
    assert doc["answers"] == {"q1": 1, "q2": 2}


def test_crash_mid_save_keeps_last_good_file(fresh_store, answers_dir, monkeypatch):
    fresh_store.record("ex01", "q1", "good")
    path = fresh_store.save("ex01", learner="ada", offer_download=False).path
    good = path.read_text()
    fresh_store.record("ex01", "q1", "newer")

    def boom(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(AnswerError, match="No space left on device.*still in this session"):
        fresh_store.save("ex01", learner="ada", offer_download=False)
    assert path.read_text() == good
    assert [p.name for p in answers_dir.iterdir()] == [path.name]  # no temp file left behind
    assert fresh_store.get("ex01", "q1") == "newer"


def test_bad_values_and_ids(fresh_store):
    with pytest.raises(AnswerError, match="cannot be saved"):
        fresh_store.record("ex01", "q1", object())
    with pytest.raises(AnswerError, match="cannot be saved"):
        fresh_store.record("ex01", "q1", float("nan"))
    with pytest.raises(AnswerError, match="Unknown exercise 'ex99'"):
        fresh_store.record("ex99", "q1", 1)
    with pytest.raises(AnswerError, match="question id"):
        fresh_store.record("ex01", " ", 1)
    with pytest.raises(AnswerError, match="limit is"):
        fresh_store.record("ex01", "q1", "x" * 30_000)


def test_save_without_learner_name_explains(fresh_store):
    fresh_store.record("ex01", "q1", 1)
    with pytest.raises(AnswerError, match="No learner name yet: run notebook 00"):
        fresh_store.save("ex01")


def test_remembered_learner_is_used(fresh_store, answers_dir):
    msg = answers.remember_learner("Grace Hopper")
    assert "grace-hopper" in msg
    assert answers.current_learner() == ("Grace Hopper", "grace-hopper")
    fresh_store.record("ex03", "q1", "x")
    assert fresh_store.save("ex03", offer_download=False).path.name == "ex03_grace-hopper.json"


def test_corrupt_learner_file_is_ignored(answers_dir):
    answers_dir.mkdir()
    (answers_dir / answers.LEARNER_FILE).write_text("{broken")
    assert answers.current_learner() is None


def test_corrupt_previous_answer_file_is_replaced(fresh_store, answers_dir):
    answers_dir.mkdir()
    (answers_dir / "ex01_ada.json").write_text("{broken")
    fresh_store.record("ex01", "q1", "x")
    path = fresh_store.save("ex01", learner="ada", offer_download=False).path
    assert json.loads(path.read_text())["answers"] == {"q1": "x"}


def test_colab_download_offered_and_fallback(fresh_store, answers_dir, monkeypatch):
    import sys
    import types

    calls = []
    colab = types.ModuleType("google.colab")
    files = types.ModuleType("google.colab.files")
    files.download = lambda p: calls.append(p)
    colab.files = files
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.files", files)
    fresh_store.record("ex01", "q1", 1)
    result = fresh_store.save("ex01", learner="ada")
    assert result.downloaded and calls == [str(result.path)]

    def broken(_p):
        raise RuntimeError("no browser session")

    files.download = broken
    result = fresh_store.save("ex01", learner="ada")
    assert not result.downloaded
    assert "did not start (RuntimeError)" in result.message and "Files panel" in result.message
