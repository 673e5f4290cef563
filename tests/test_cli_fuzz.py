"""Property test: bad input to any `course-utils` subcommand gets a short, clear refusal.

Hypothesis generates the bad inputs (at least 150 in all, a fixed sequence so a failure
reproduces). Each runs the real CLI in-process (`cli.main`, stderr captured) with the Hub
forced offline; a few run as real subprocesses at the end. The property: a non-zero exit
(2, bad input), no traceback, 1 to 3 lines on stderr, and never the "bug" apology.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from course_utils import cli, data, hub

FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.filter_too_much])
CALLS: list[list[str]] = []  # every generated invocation, counted at the end
ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def environment(**changes):
    saved = {k: os.environ.get(k) for k in changes}
    try:
        for k, v in changes.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run(argv: list[str], **env) -> tuple[int, str, str]:
    CALLS.append(argv)
    out, err = io.StringIO(), io.StringIO()
    with environment(**env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse refusals
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def assert_refused(argv, code, out, err, expect=2):
    shown = f"{argv!r} -> exit {code}\nstderr: {err}"
    assert "Traceback" not in out + err, shown
    assert code == expect, shown
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 3, shown
    assert "bug in course-utils" not in err, shown
    assert all(len(line) < 1200 for line in lines), shown


def refused(argv, expect=2, **env):
    code, out, err = run(argv, **env)
    assert_refused(argv, code, out, err, expect)
    return err


# --------------------------------------------------------------------------- generators of bad values

def _not_a_number(text: str) -> bool:
    try:
        float(text.replace("_", ""))
        return False
    except ValueError:
        return True


def _num(x: float) -> str:
    return repr(x) if isinstance(x, float) else str(x)


junk_text = st.text(min_size=1, max_size=40).filter(lambda t: "\x00" not in t)
not_numbers = junk_text.filter(_not_a_number)
non_finite = st.sampled_from(["inf", "-inf", "nan", "NaN", "Infinity", "1e999", "-1e999"])
bad_positive = st.one_of(non_finite, not_numbers, st.floats(max_value=0, allow_nan=False).map(_num),
                         st.floats(min_value=1e6, exclude_min=True, allow_infinity=False).map(_num))
bad_count = st.one_of(not_numbers, st.integers(max_value=0).map(str), st.integers(min_value=10**7 + 1).map(str),
                      st.floats(allow_nan=True).map(_num), st.just(""))
bad_limit = st.one_of(st.integers(max_value=0).map(str), st.integers(min_value=201).map(str), not_numbers)
long_text = st.integers(min_value=301, max_value=6000).map(lambda n: "a" * n)
control_text = st.tuples(junk_text, st.sampled_from(["\n", "\t", "\x1b[31m", "\r", "\x7f"])) \
    .map(lambda t: t[0] + t[1] + "x")


@st.composite
def unknown_ids(draw):
    text = draw(st.one_of(junk_text, st.tuples(junk_text, junk_text).map("/".join), long_text, control_text,
                          st.sampled_from(["", " ", "../../etc/passwd", "a//b", "/", "org/", "/name", "a/b/c",
                                           "https://example.com/x", "huggingface.co/", "--help-me", "🙂/🙃"])))
    key = text.strip().strip("'\"`").strip().lower()
    assume(key not in KNOWN and key.split("/")[-1] not in KNOWN_NAMES and len(key) > 0 or text.strip() == "")
    return text


KNOWN = {i.lower() for i in hub._known_ids()} | set(hub._id_fixes())
KNOWN_NAMES = {i.split("/")[-1] for i in KNOWN}


def opt(name: str, value: str) -> list[str]:
    return [f"{name}={value}"]  # the = form: a value like "-1" is not taken for an option


# --------------------------------------------------------------------------- one property per subcommand

@FUZZ
@given(st.one_of(
    st.tuples(st.just("--bandwidth"), bad_positive).map(lambda t: ["--params", "7", *opt(*t), "--backend", "cpu"]),
    st.tuples(st.just("--params"), bad_positive).map(lambda t: [*opt(*t)]),
    st.tuples(st.just("--ctx"), bad_count).map(lambda t: ["--params", "7", *opt(*t)]),
    junk_text.filter(lambda q: q.strip().upper() not in {"F16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_0", "Q4_K_M",
                                                          "Q4_K_S", "Q4_0", "Q3_K_L", "Q3_K_M", "Q3_K_S", "Q2_K"})
    .map(lambda q: ["--params", "7", *opt("--quant", q)]),
    junk_text.map(lambda h: ["--params", "7", *opt("--hardware", h)]),
    unknown_ids().map(lambda m: opt("--model", m)),
))
def test_fit(args):
    argv = ["fit", *args] if "--quant" in " ".join(args) else ["fit", *args, "--quant", "Q4_K_M"]
    refused(argv)


@settings(FUZZ, max_examples=15)
@given(st.one_of(
    bad_count.map(lambda c: opt("--ctx", c)),
    bad_positive.map(lambda p: opt("--params", p)),
    unknown_ids().map(lambda m: opt("--model", m)),
    junk_text.filter(lambda t: not os.path.isdir(t.strip() or ".")).map(lambda d: opt("--disk-path", d)),
))
def test_audit(args):
    refused(["audit", *args, "--no-bandwidth"])


@FUZZ
@given(unknown_ids(), st.sampled_from(["model", "license", "saas"]))
def test_model_license_saas_ids(repo_id, command):
    refused([command, repo_id])


@settings(FUZZ, max_examples=15)
@given(st.one_of(not_numbers, st.integers(max_value=-1).map(str), st.floats().map(_num)))
def test_saas_mau(mau):
    refused(["saas", "facebook/opt-6.7b", *opt("--mau", mau)])


@settings(FUZZ, max_examples=30)
@given(st.one_of(
    bad_limit.map(lambda v: opt("--limit", v)),
    bad_positive.map(lambda v: opt("--max-params", v)),
    st.one_of(not_numbers, st.integers(max_value=-1).map(str)).map(lambda v: opt("--min-languages", v)),
    junk_text.filter(lambda t: hub.PIPELINE_TAGS.count(t.strip().lower().replace("_", "-").replace(" ", "-")) == 0
                     and t.strip().lower() not in {"text2text-generation"})
    .map(lambda v: opt("--task", v)),
    junk_text.filter(lambda t: t not in ("downloads", "params", "id")).map(lambda v: opt("--sort", v)),
    st.one_of(long_text, control_text, st.just(" ")).map(lambda v: opt("--text", v)),
))
def test_search(args):
    refused(["search", *args])


@settings(FUZZ, max_examples=12)
@given(st.lists(unknown_ids().filter(lambda t: t.strip() != ""), min_size=1, max_size=2),
       st.sampled_from([None, "0", "3", "-1", "x", "1.5"]))
def test_compare(ids, version):
    refused(["compare", *ids, *([] if version is None else opt("--version", version))])


@settings(FUZZ, max_examples=25)
@given(st.one_of(
    st.binary(min_size=0, max_size=300),
    st.lists(st.lists(junk_text.filter(lambda t: "model" not in t.lower() and "repo" not in t.lower()),
                      min_size=1, max_size=4), min_size=1, max_size=4)
    .map(lambda rows: "\n".join(",".join(r) for r in rows).encode()),
    st.tuples(st.sampled_from(["hellaswag", "mmlu", "ifeval", "license", "notes"]), junk_text)
    .map(lambda t: f"model,{t[0]}\nno-such/model-xyz,{t[1].replace(',', ';')}\n".encode()),
    st.sampled_from([b"[[[[[[", b"\xef\xbb\xbf", b"model\n", b"model,mmlu\nfacebook/opt-6.7b,lots\n",
                     b"model,ifeval\nfacebook/opt-6.7b,3\n", "model,mmlu\nf\u00e9,1\n".encode("latin-1")]),
))
def test_check_claims_files(content):
    folder = Path(os.environ["COURSE_FUZZ_TMP"])
    path = folder / f"claims-{len(CALLS)}.csv"
    path.write_bytes(content)
    refused(["check-claims", str(path)])


def test_check_claims_paths(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    for p in (tmp_path / "folder.csv", tmp_path / "missing.csv", tmp_path):
        refused(["check-claims", str(p)])


@settings(FUZZ, max_examples=10)
@given(st.sampled_from(["folder", "under-a-file", "missing-parent", "empty"]))
def test_refresh_out(kind):
    folder = Path(os.environ["COURSE_FUZZ_TMP"])
    (folder / "afile").write_text("x")
    (folder / "adir").mkdir(exist_ok=True)
    out = {"folder": folder / "adir", "under-a-file": folder / "afile" / "s.json",
           "missing-parent": folder / "nope" / "s.json", "empty": " "}[kind]
    refused(["refresh-data", *opt("--out", str(out))])


@settings(FUZZ, max_examples=15)
@given(st.sampled_from(["file", "empty", "missing", "snapshot-list", "record-without-id", "snapshot-not-json",
                        "snapshot-deep", "csv-not-utf8", "models-no-rows"]),
       st.sampled_from([["model", "facebook/opt-6.7b"], ["search", "--max-params", "8"], ["data"],
                        ["license", "facebook/opt-6.7b"]]))
def test_broken_data_folder(kind, argv):
    folder = Path(os.environ["COURSE_FUZZ_TMP"]) / f"data-{kind}-{len(CALLS)}"
    if kind == "file":
        folder.write_text("not a folder")
    elif kind != "missing":
        folder.mkdir()
        if kind != "empty":
            for f in data.path_of("models").parent.iterdir():
                if f.is_file():
                    (folder / f.name).write_bytes(f.read_bytes())
        snap = folder / "hub_snapshot.json"
        if kind == "snapshot-list":
            snap.write_text("[1, 2]")
        elif kind == "record-without-id":
            doc = json.loads(snap.read_text())
            doc["models"][3].pop("id")
            snap.write_text(json.dumps(doc))
        elif kind == "snapshot-not-json":
            snap.write_text("{\"models\": [")
        elif kind == "snapshot-deep":
            snap.write_text("[" * 100_000 + "]" * 100_000)
        elif kind == "csv-not-utf8":
            (folder / "models.csv").write_bytes((folder / "models.csv").read_bytes() + "é,\n".encode("latin-1"))
        elif kind == "models-no-rows":
            (folder / "models.csv").write_text((folder / "models.csv").read_text().splitlines()[0] + "\n")
    if kind in ("csv-not-utf8", "models-no-rows") and argv[0] != "data":
        argv = ["data"]  # only `data` reads every table
    refused(argv, COURSE_UTILS_DATA_DIR=str(folder))


@settings(FUZZ, max_examples=20)
@given(st.one_of(
    junk_text.filter(lambda t: t not in cli._COMMANDS and not t.startswith("-")).map(lambda c: [c]),
    st.tuples(st.sampled_from(["info", "data", "model", "search", "fit", "audit", "compare", "license"]),
              st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=2, max_size=20))
    .map(lambda t: [t[0], f"--{t[1]}x", "v"]),
    st.sampled_from([["fit"], ["fit", "--params", "7"], ["fit", "--model", "a/b", "--params", "7", "--quant", "Q4_0"],
                     ["model"], ["compare"], ["saas"], ["check-claims"], ["grade"],
                     ["fit", "--params", "7", "--quant", "Q4_0", "--backend", "cpu"],
                     ["fit", "--params", "7", "--quant", "Q4_0", "--backend", "tpu", "--bandwidth", "9"]]),
))
def test_unknown_commands_options_and_missing_arguments(argv):
    refused(argv)


@settings(FUZZ, max_examples=15)
@given(st.one_of(junk_text, st.sampled_from(["http://127.0.0.1:99999", "http://[::1", "htp:/x", "http://:80",
                                             "http://127.0.0.1:abc", "https://", "ftp://hub", "http://h:0"])),
       st.one_of(not_numbers, st.sampled_from(["-1", "0", "nan", "inf", "1e9"])))
def test_bad_settings_warn_and_still_refuse_bad_ids_in_few_lines(endpoint, timeout):
    err = refused(["model", "no-such-org-xyz/no-such-model"], HF_ENDPOINT=endpoint, COURSE_UTILS_TIMEOUT=timeout)
    assert "did you mean" in err or "not in the snapshot" in err or "Hub" in err


@settings(FUZZ, max_examples=10)
@given(st.sampled_from(["missing", "file"]), st.sampled_from(["--overrides", "--key"]))
def test_grade_paths_end_in_one_clear_line(kind, option):
    """grade's own messages belong to the grader; here only: non-zero, no traceback, short."""
    folder = Path(os.environ["COURSE_FUZZ_TMP"])
    (folder / "answers").mkdir(exist_ok=True)
    target = folder / ("nope.csv" if kind == "missing" else "answers")
    code, out, err = run(["grade", str(folder / "answers"), option, str(target)])
    assert code != 0 and "Traceback" not in out + err and 1 <= len(err.strip().splitlines()) <= 3, err


@pytest.fixture(autouse=True)
def _fuzz_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_FUZZ_TMP", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("COURSE_UTILS_DATA_DIR", raising=False)


def test_zz_at_least_150_generated_inputs(request):
    ran = {item.name for item in request.session.items if getattr(item, "module", None) is sys.modules[__name__]}
    if not {"test_fit", "test_search", "test_check_claims_files"} <= ran:
        pytest.skip("only counts when the whole module runs")
    print(f"{len(CALLS)} generated CLI invocations")
    assert len(CALLS) >= 150, len(CALLS)


# --------------------------------------------------------------------------- the net itself

def test_an_unexpected_bug_is_one_line_and_exit_1(monkeypatch):
    def broken(args):
        raise TypeError("something inside went wrong")

    setup, _fn, text = cli._COMMANDS["info"]
    monkeypatch.setitem(cli._COMMANDS, "info", (setup, broken, text))
    code, out, err = run(["info"])
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "bug in course-utils" in err and "COURSE_UTILS_DEBUG=1" in err
    code, out, err = run(["info"], COURSE_UTILS_DEBUG="1")
    assert code == 1 and "Traceback" in err and "TypeError: something inside went wrong" in err


@pytest.mark.parametrize("exc, words", [
    (IsADirectoryError(21, "Is a directory", "/x/out.csv"), "/x/out.csv is a folder"),
    (NotADirectoryError(20, "Not a directory", "/x/file/out.csv"), "part of this path is a file"),
    (PermissionError(13, "Permission denied", "/root/x"), "no permission to use /root/x"),
    (OSError(28, "No space left on device", "/x/big"), "disk is full"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "not UTF-8 text"),
    (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
    (json.JSONDecodeError("Expecting value", "x", 0), "could not read the input"),
])
def test_the_net_turns_input_errors_into_one_line_exit_2(monkeypatch, exc, words):
    def failing(args):
        raise exc

    setup, _fn, text = cli._COMMANDS["info"]
    monkeypatch.setitem(cli._COMMANDS, "info", (setup, failing, text))
    code, out, err = run(["info"])
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("course-utils info: ") and " — " in err


# --------------------------------------------------------------------------- real processes

def _subprocess(args, **env):
    e = {**os.environ, "HF_HUB_OFFLINE": "1", **env}
    e.pop("COURSE_UTILS_DATA_DIR", None)
    return subprocess.run([sys.executable, "-m", "course_utils", *args], capture_output=True, env=e, timeout=120)


@pytest.mark.parametrize("args, env", [
    (["fit", "--params", "7", "--quant", "Q4_K_M", "--bandwidth", "inf"], {}),
    (["audit", "--quant", "Q4_K_M", "--ctx", "0"], {}),
    (["model", "x" * 5000], {}),
    (["search", "--task", "text-generaton"], {}),
    (["model", "no-such/model-xyz"], {"HF_HUB_OFFLINE": "", "HF_ENDPOINT": "http://[::1"}),
])
def test_subprocess_refusals(args, env):
    r = _subprocess(args, **env)
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2 and b"Traceback" not in r.stderr + r.stdout, err
    assert 1 <= len(err.strip().splitlines()) <= 3, err


def test_cp1252_stdout_prints_plain_status_words():
    r = _subprocess(["audit", "--params", "7", "--no-bandwidth"], PYTHONIOENCODING="cp1252")
    out = r.stdout.decode("cp1252")
    assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr
    assert re.search(r"^OK +RAM", out, re.M) and re.search(r"^(caution|PROBLEM|blocker) +Speed", out, re.M), out
    assert "OK OK" not in out, out
    r = _subprocess(["search", "--task", "nope"], PYTHONIOENCODING="cp1252")
    assert r.returncode == 2 and b"Traceback" not in r.stderr, r.stderr
    r = _subprocess(["model", "facebook/opt-6.7b", "--json"], PYTHONIOENCODING="cp1252")
    assert r.returncode == 0 and json.loads(r.stdout.decode("cp1252"))["repo_id"] == "facebook/opt-6.7b"


def test_plain_text_keeps_what_the_encoding_can_show():
    assert cli.plain_text("✅ RAM ok — fine ≥ 2", "cp1252") == "OK RAM ok — fine >= 2"
    assert cli.plain_text("⚠️ slow", "ascii") == "WARNING slow"
    assert cli.plain_text("❌ 李", "ascii") == "PROBLEM ?"
    # French in an ASCII console: no-break spaces become spaces, guillemets quotes, accents fall off the letters
    french = "options\u00a0: 4\u202f096 tokens, « élevé », cœur"
    assert cli.plain_text(french, "ascii") == 'options : 4 096 tokens, "eleve", coeur'
    assert cli.plain_text(french, "cp1252") == "options\u00a0: 4 096 tokens, « élevé », cœur"  # cp1252 has all but U+202F
    assert cli.plain_text(french, "utf-8") is french
