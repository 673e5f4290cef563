"""The Gradescope autograder zip, run for real in a folder laid out like Gradescope's /autograder.

Only setup.sh is not run (it installs from PyPI as root); its wheel is installed offline with pip
instead, and run_autograder is run by bash with this test environment's Python.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from key_points import course_points

from course_utils import grading
from course_utils.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "answers"
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}  # Gradescope's four settings


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip unpacked as Gradescope does: /autograder/source, run_autograder beside it, the wheel installed."""
    tmp = tmp_path_factory.mktemp("gradescope")
    zip_path = tmp / "dist" / "autograder.zip"
    assert main(["gradescope-autograder", "--out", str(zip_path)]) == 0
    root = tmp / "autograder"
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    wheel = next((root / "source").glob("course_utils-*-py3-none-any.whl"))
    site = tmp / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    return {"root": root, "names": names, "modes": modes, "site": site, "zip": zip_path}


def run_autograder(ag, files):
    root = ag["root"]
    for sub in ("submission", "results"):
        shutil.rmtree(root / sub, ignore_errors=True)
        (root / sub).mkdir()
    for name, content in files.items():
        (root / "submission" / name).write_bytes(content)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_UTILS_", "PYTHONPATH"))}
    env.update(COURSE_UTILS_AUTOGRADER_ROOT=str(root), COURSE_UTILS_AUTOGRADER_PYTHON=sys.executable,
               PYTHONPATH=str(ag["site"]))
    proc = subprocess.run(["bash", str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    where = subprocess.run([sys.executable, "-c", "import course_utils; print(course_utils.__file__)"], env=env,
                           capture_output=True, text=True, cwd=root).stdout
    assert where.startswith(str(ag["site"])), where  # graded by the wheel in the zip, not this checkout
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def check_spec(doc):
    """results.json as Gradescope's Autograder Specifications describe it."""
    assert isinstance(doc["score"], (int, float)) and isinstance(doc["output"], str)
    assert doc["tests"] and all(set(t) >= {"name", "score", "max_score", "output", "visibility"} for t in doc["tests"])
    for t in doc["tests"]:
        assert isinstance(t["name"], str) and isinstance(t["output"], str) and t["visibility"] in VISIBILITY
        assert 0 <= t["score"] <= t["max_score"]
    assert doc["score"] == pytest.approx(sum(t["score"] for t in doc["tests"]))


def test_zip_has_what_gradescope_needs(autograder):
    assert {"setup.sh", "run_autograder", "answer_key.json"} <= set(autograder["names"])
    assert all("/" not in n for n in autograder["names"])  # files at the root of the zip, not in a folder
    assert autograder["modes"]["run_autograder"] & stat.S_IXUSR and autograder["modes"]["setup.sh"] & stat.S_IXUSR
    setup = (autograder["root"] / "source" / "setup.sh").read_text()
    assert "pip install ./course_utils-" in setup and setup.startswith("#!/usr/bin/env bash")


def test_run_autograder_grades_a_submission(autograder):
    files = {p.name: p.read_bytes() for p in FIXTURES.glob("ex0[12]_ada-lovelace.json")}
    files["ex03_broken.json"] = b'{"schema_version": 1, '
    doc = run_autograder(autograder, files)
    check_spec(doc)
    tests = {t["name"]: t for t in doc["tests"]}
    points = course_points()
    assert len(tests) == sum(len(e["questions"]) for e in grading.load_key()["exercises"].values())
    assert sum(t["max_score"] for t in doc["tests"]) == sum(points.values())
    matrix = tests["ex01 Open-source levels: matrix"]
    assert matrix["score"] == matrix["max_score"] == 4 and "12 of 12 checks right" in matrix["output"]
    assert doc["score"] == points["ex01"] + points["ex02"]  # the other exercises count 0
    assert "No ex03 answer file" in tests["ex03 LLM matchmaker: pick_ngo"]["output"]
    assert "ex03_broken.json: is not valid JSON" in doc["output"] and "Ada Lovelace" in doc["output"]


def test_run_autograder_with_nothing_usable(autograder):
    doc = run_autograder(autograder, {"notes.txt": b"hello", "ex01_deep.json": b"[" * 100_000})
    check_spec(doc)
    assert doc["score"] == 0 and "No answer file could be graded" in doc["output"] and "notes.txt" in doc["output"]


def test_one_exercise_assignment_and_bad_options(tmp_path, capsys):
    out = tmp_path / "ex02.zip"
    assert main(["gradescope-autograder", "--exercise", "ex02", "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["points"] == 6
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("course_autograder.json"))["exercises"] == ["ex02"]
    assert main(["gradescope-autograder", "--exercise", "ex2", "--out", str(out)]) == 2
    assert "did you mean: ex02" in capsys.readouterr().err
    assert main(["gradescope-autograder", "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_results_for_a_one_exercise_assignment(tmp_path):
    from course_utils import gradescope, grading

    for p in FIXTURES.glob("ex0[12]_ada-lovelace.json"):
        shutil.copy(p, tmp_path / p.name)
    doc = gradescope.results_for(tmp_path, grading.load_key(), ["ex02"])
    check_spec(doc)
    assert doc["score"] == 6 and len(doc["tests"]) == 2
    assert "Not part of this assignment (ex02): ex01_ada-lovelace.json" in doc["output"]
    shutil.copy(FIXTURES / "ex02_grace-hopper.json", tmp_path / "ex02_grace-hopper.json")
    doc = gradescope.results_for(tmp_path, grading.load_key(), ["ex02"])
    assert doc["score"] == 0 and "upload only yours" in doc["tests"][0]["output"]  # two learners' ex02: no guess
