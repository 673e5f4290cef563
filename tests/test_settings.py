from pathlib import Path

from course_utils.settings import get_settings


def test_offline_switches(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("COURSE_UTILS_OFFLINE", raising=False)
    assert get_settings().offline is False
    monkeypatch.setenv("COURSE_UTILS_OFFLINE", "1")
    s = get_settings()
    assert s.offline and "COURSE_UTILS_OFFLINE" in s.offline_reason
    monkeypatch.delenv("COURSE_UTILS_OFFLINE")
    monkeypatch.setenv("HF_HUB_OFFLINE", "true")
    assert get_settings().offline and "HF_HUB_OFFLINE" in get_settings().offline_reason
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    assert get_settings().offline is False


def test_timeouts_and_bad_values(monkeypatch):
    monkeypatch.setenv("COURSE_UTILS_TIMEOUT", "2.5")
    assert get_settings().hub_timeout_s == 2.5
    for bad in ("abc", "-1", "0"):
        monkeypatch.setenv("COURSE_UTILS_TIMEOUT", bad)
        assert get_settings().hub_timeout_s == 4.0


def test_folders(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_UTILS_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("COURSE_UTILS_ANSWERS_DIR", str(tmp_path / "a"))
    s = get_settings()
    assert s.data_dir == tmp_path / "d" and s.answers_dir == tmp_path / "a"
    monkeypatch.delenv("COURSE_UTILS_DATA_DIR")
    assert (get_settings().data_dir / "models.csv").exists()


def test_endpoint(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9/")
    assert get_settings().endpoint == "http://127.0.0.1:9"
    monkeypatch.delenv("HF_ENDPOINT")
    assert get_settings().endpoint == "https://huggingface.co"


def test_answers_dir_defaults_to_cwd(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_UTILS_ANSWERS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert get_settings().answers_dir == Path(tmp_path) / "answers"
