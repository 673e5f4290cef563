"""Bad settings, data folders and inputs: one clear message, a safe default, never a traceback."""
import json
import os
import shutil
import subprocess
import sys
import warnings

import pytest

from course_utils import benchmarks, data, hub, settings
from course_utils.errors import CourseWarning, DataFileError, InvalidInput
from course_utils.settings import get_settings
from cli_run import run


@pytest.fixture(autouse=True)
def _fresh_warnings():
    settings._WARNED.clear()
    yield
    settings._WARNED.clear()


@pytest.mark.parametrize("name, field, default", [("COURSE_UTILS_TIMEOUT", "hub_timeout_s", 4.0),
                                                  ("COURSE_UTILS_HUB_RETRY", "hub_retry_s", 120.0),
                                                  ("COURSE_UTILS_CONNECT_TIMEOUT", "connect_timeout_s", 1.5)])
@pytest.mark.parametrize("bad", ["abc", "-1", "0", "nan", "inf", "1e9"])
def test_unusable_seconds_warn_once_and_use_the_default(monkeypatch, name, field, default, bad):
    monkeypatch.setenv(name, bad)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        first, again = get_settings(), get_settings()
    assert getattr(first, field) == getattr(again, field) == default
    mine = [w for w in seen if issubclass(w.category, CourseWarning)]
    assert len(mine) == 1 and name in str(mine[0].message) and f"{default:g} s" in str(mine[0].message)


@pytest.mark.parametrize("endpoint, words", [
    ("http://127.0.0.1:99999", "port"), ("http://127.0.0.1:abc", "port"), ("http://[::1", "IPv6"),
    ("htp:/x", "http:// or https://"), ("huggingface.co", "http:// or https://"), ("http://:8080", "host name"),
])
def test_a_malformed_endpoint_means_the_snapshot_with_a_reason(monkeypatch, endpoint, words):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    with pytest.warns(CourseWarning, match="HF_ENDPOINT"):
        s = get_settings()
    assert words in s.endpoint_error
    summary = hub.model_summary("facebook/opt-6.7b")
    assert summary.source.startswith("course facts researched")
    assert any("HF_ENDPOINT" in n and words in n for n in summary.notes), summary.notes


def test_good_endpoints_are_accepted(monkeypatch):
    for good in ("https://huggingface.co", "http://127.0.0.1:8080/", "http://[::1]:8080", "https://hf-mirror.com"):
        monkeypatch.setenv("HF_ENDPOINT", good)
        assert get_settings().endpoint_error == ""


@pytest.mark.parametrize("endpoint", ["http://[::1", "http://127.0.0.1:99999", "htp:/x", "http://127.0.0.1:abc"])
def test_setup_survives_a_malformed_endpoint_in_a_fresh_kernel(endpoint):
    """setup() runs first in every notebook; huggingface_hub itself fails to import with a bad IPv6 address."""
    code = ("import course_utils, warnings; warnings.simplefilter('always'); info = course_utils.setup(show=False); "
            "print(info.hub); from course_utils import hub; print(hub.model_summary('facebook/opt-6.7b').source)")
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env["HF_ENDPOINT"] = endpoint
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout.startswith("offline: HF_ENDPOINT=") and "course facts researched" in r.stdout
    assert r.stderr.count("CourseWarning") == 1, r.stderr


def test_data_dir_that_is_a_file_or_empty(monkeypatch, tmp_path, capsys):
    afile = tmp_path / "afile.txt"
    afile.write_text("x")
    monkeypatch.setenv("COURSE_UTILS_DATA_DIR", str(afile))
    with pytest.raises(DataFileError, match="is a file, not a folder.*unset it"):
        data.load("models")
    code, _, err = run(capsys, "model", "facebook/opt-6.7b")
    assert code == 2 and err.count("\n") == 1 and "COURSE_UTILS_DATA_DIR" in err
    monkeypatch.setenv("COURSE_UTILS_DATA_DIR", str(tmp_path))
    code, _, err = run(capsys, "data")
    assert code == 2 and "missing from COURSE_UTILS_DATA_DIR" in err and err.count("\n") == 1


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(data.path_of("models").parent, folder)
    monkeypatch.setenv("COURSE_UTILS_DATA_DIR", str(folder))
    return folder


def test_snapshot_that_is_a_list_or_has_a_record_without_id(data_copy, capsys):
    snap = data_copy / "hub_snapshot.json"
    doc = json.loads(snap.read_text())
    snap.write_text("[1, 2]")
    with pytest.raises(DataFileError, match="JSON list"):
        hub.model_summary("facebook/opt-6.7b")
    doc["models"][2].pop("id")
    snap.write_text(json.dumps(doc))
    with pytest.raises(DataFileError, match="record 3 has no 'id'"):
        hub.snapshot()
    code, _, err = run(capsys, "search", "--max-params", "8")
    assert code == 2 and "record 3 has no 'id'" in err and err.count("\n") == 1


def test_shipped_sheet_claims_check_and_extra_columns_are_listed(capsys, tmp_path):
    code, out, err = run(capsys, "check-claims", str(data.path_of("sheet_claims")))
    assert code == 0 and "8 of 9 claims are wrong" in out and "Not checked" in out and "source" in out
    path = tmp_path / "c.csv"
    path.write_bytes("\ufeffmodel,mmlu,notes,source\nfacebook/opt-6.7b,24.57,ok,me\n".encode())  # Excel's BOM
    report = benchmarks.check_claims(str(path))
    assert report.checked == 1 and not report.errors and report.ignored_columns == ("notes", "source")
    path.write_text("model,ifeval\nfacebook/opt-6.7b,3\n")
    with pytest.raises(InvalidInput, match="v2 benchmark.*--version 2"):
        benchmarks.check_claims(str(path))
    with pytest.raises(InvalidInput, match="is a folder"):
        benchmarks.check_claims(str(tmp_path))


def test_unknown_search_task_is_refused_with_suggestions(capsys):
    code, out, err = run(capsys, "search", "--task", "text-generaton")
    assert code == 2 and "did you mean: text-generation" in err and err.count("\n") == 1
    assert hub.check_task("Text_Generation") == "text-generation"
    assert hub.search_models(task="translation").results


@pytest.mark.parametrize("argv, words", [
    (["fit", "--params", "7", "--quant", "Q4_K_M", "--bandwidth", "inf"], "--bandwidth: expected a number"),
    (["audit", "--ctx", "0"], "--ctx/--context: expected a whole number from 1"),
    (["search", "--limit", "0"], "from 1 to 200"),
    (["run", "--runs", "-3"], "--runs: expected a whole number ≥ 1, got '-3'"),
    (["model", "a" * 5000], "5,000 characters"),
    (["license", " "], "empty"),
    (["refresh-data", "--out", "/"], "is a folder"),
    (["audit", "--disk-path", "/no/such/folder", "--no-bandwidth"], "does not exist"),
])
def test_argument_checks_say_what_was_expected(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2 and words in err and err.count("\n") == 1 and out == ""


@pytest.mark.parametrize("argv", [["--help"], ["fit", "--help"], ["--version"], ["search", "--limit", "200"]])
def test_a_reader_that_left_is_not_a_traceback(argv):
    """`course-utils --help | head`: the pipe's reader is gone before the first line (its end is closed
    here before the CLI starts, so every write fails); --help and --version ended in a BrokenPipeError
    traceback, the commands did not."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "course_utils", *argv], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=120, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    finally:
        os.close(write)
    assert done.returncode == 0 and done.stderr == "", done.stderr
