"""The grader: scores, bad files, safety, overrides, exports, idempotence, one source of truth."""
import csv
import json
import shutil
import warnings
from pathlib import Path

import pytest

from course_utils import grading
from course_utils.errors import InvalidInput

FIXTURES = Path(__file__).parent / "fixtures" / "answers"


@pytest.fixture
def klass(tmp_path):
    folder = tmp_path / "class"
    shutil.copytree(FIXTURES, folder)
    return folder


def results_by(result):
    return {(r.learner, r.exercise): r for r in result.results}


def test_complete_learner_gets_full_marks(klass):
    result = grading.grade_dir(klass)
    by = results_by(result)
    for ex in ("ex01", "ex02", "ex03", "ex04", "ex05", "ex06"):
        r = by[("ada-lovelace", ex)]
        assert r.score == r.max_points, (ex, [(q.question, q.score, q.feedback) for q in r.questions])


def test_sheet_answers_lose_the_points_they_should(klass):
    by = results_by(grading.grade_dir(klass))
    ex01 = {q.question: q for q in by[("sheet-copy", "ex01")].questions}
    assert ex01["matrix"].score == pytest.approx(4.0)  # 'yes' for fully-open retrain is accepted
    assert ex01["classify"].score == pytest.approx(3 * 2 / 5)  # only OLMo and Pythia are fully open
    assert ex01["comparison"].score == 0 and ex01["comparison"].needs_review  # too short
    ex02 = {q.question: q for q in by[("sheet-copy", "ex02")].questions}
    assert ex02["checklist_model_1"].score == 0 and "Could not check" in ex02["checklist_model_1"].feedback
    assert "did you mean" in ex02["checklist_model_1"].feedback  # the non-existent Mistral id
    assert ex02["checklist_model_2"].score < 3  # 'Meta Commercial License' is not llama2
    ex03 = {q.question: q for q in by[("sheet-copy", "ex03")].questions}
    assert ex03["pick_legaltech"].score < 2 and ex03["pick_ngo"].score == 2


def test_every_bad_file_is_reported_and_the_rest_graded(klass):
    result = grading.grade_dir(klass)
    reasons = {f.file: f.reason for f in result.failures}
    assert "not valid JSON" in reasons["ex01_corrupt.json"]
    assert reasons["ex02_empty.json"] == "is empty"
    assert "schema version 0" in reasons["ex03_old-schema.json"]
    assert "unknown exercise 'ex99'" in reasons["ex99_unknown.json"]
    assert "too large" in reasons["ex04_huge.json"]
    assert "two files for grace-hopper/ex02" in reasons["ex02_grace-hopper (1).json"]
    assert "not an answer file" in reasons["not_answers.json"]
    assert len(result.results) == 14 and result.summary()["failed"] == 7
    newer = results_by(result)[("grace-hopper", "ex02")]
    assert newer.file == "ex02_grace-hopper.json" and newer.questions[0].score == 3


def test_malicious_answers_are_plain_text(klass, tmp_path):
    marker = Path("/tmp/pwned")
    marker.unlink(missing_ok=True)
    result = grading.grade_dir(klass)
    mallory = results_by(result)[("etc-passwd", "ex01")]  # '../../etc/passwd' became a safe file-name slug
    assert not marker.exists()
    q = {x.question: x for x in mallory.questions}
    assert q["matrix"].score == 0 and q["classify"].score == 0 and q["open_source_ai"].score == 0
    assert q["healthcare"].score == 0  # a dict where text belongs is just wrong, never unpickled
    assert mallory.display == "<script>alert(1)</script>"  # kept as text; escaped wherever it is shown


def test_symlinks_are_not_followed(klass, tmp_path):
    outside = tmp_path / "secret.json"
    outside.write_text(json.dumps({"schema_version": 1, "exercise": "ex01", "learner": "x", "answers": {}}))
    (klass / "ex01_link.json").symlink_to(outside)
    reasons = {f.file: f.reason for f in grading.grade_dir(klass).failures}
    assert "symbolic link" in reasons["ex01_link.json"]


def test_warnings_never_change_a_score(klass, monkeypatch):
    from course_utils import openness

    baseline = results_by(grading.grade_dir(klass))[("ada-lovelace", "ex01")].score
    original = openness.check_matrix

    def noisy(value):
        warnings.warn("a library deprecation", DeprecationWarning)
        return original(value)

    monkeypatch.setattr(openness, "check_matrix", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # even when warnings are errors outside
        assert results_by(grading.grade_dir(klass))[("ada-lovelace", "ex01")].score == baseline


def test_outputs_and_idempotence(klass, tmp_path):
    out, res = tmp_path / "out" / "grades.csv", tmp_path / "out" / "results.json"
    first = grading.grade(str(klass), out_csv=str(out), results_json=str(res))
    texts = (out.read_text(), out.with_name("grades_questions.csv").read_text(), res.read_text())
    grading.grade(str(klass), out_csv=str(out), results_json=str(res))
    assert texts == (out.read_text(), out.with_name("grades_questions.csv").read_text(), res.read_text())
    rows = list(csv.DictReader(out.open()))
    ada = next(r for r in rows if r["learner"] == "ada-lovelace")
    assert ada["percent"] == "100.0" and ada["total"] == ada["max"]
    doc = json.loads(res.read_text())
    sub = next(s for s in doc["submissions"] if s["learner"] == "ada-lovelace" and s["exercise"] == "ex01")
    assert {"name", "score", "max_score", "output"} <= set(sub["tests"][0])
    assert len(doc["not_graded"]) == 7 and first.summary()["graded"] == 14


def test_overrides_replace_provisional_scores(klass, tmp_path):
    path = tmp_path / "manual.csv"
    grading.save_override(path, "sheet-copy", "ex01", "comparison", 1.5, "short but right")
    grading.save_override(path, "sheet-copy", "ex01", "comparison", 1.0, "second look")  # replaces
    grading.save_override(path, "grace-hopper", "ex01", "healthcare", 99)  # capped at the max
    assert len(list(csv.DictReader(path.open()))) == 2
    by = results_by(grading.grade_dir(klass, overrides=grading.read_overrides(path)))
    q = {x.question: x for x in by[("sheet-copy", "ex01")].questions}
    assert q["comparison"].score == 1.0 and not q["comparison"].needs_review and "second look" in q["comparison"].feedback
    q = {x.question: x for x in by[("grace-hopper", "ex01")].questions}
    assert q["healthcare"].score == 2.0
    bad = tmp_path / "bad.csv"
    bad.write_text("learner,exercise,question,score\nx,ex01,q,lots\n")
    with pytest.raises(InvalidInput, match="not a number"):
        grading.read_overrides(bad)
    with pytest.raises(InvalidInput, match="number"):
        grading.save_override(path, "a", "ex01", "q", -1)


def test_private_key_file(klass, tmp_path):
    key = grading.load_key()
    key["exercises"]["ex01"]["questions"] = [{"id": "matrix", "points": 10, "kind": "function",
                                              "function": "openness_matrix"}]
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key))
    by = results_by(grading.grade(str(klass), key_file=str(path)))
    assert by[("ada-lovelace", "ex01")].max_points == 10
    path.write_text(json.dumps({"exercises": {"ex01": {"questions": [{"id": "q", "kind": "magic"}]}}}))
    with pytest.raises(InvalidInput, match="unknown kind 'magic'"):
        grading.load_key(path)
    with pytest.raises(InvalidInput, match="No key file"):
        grading.load_key(tmp_path / "missing.json")


@pytest.mark.parametrize("spec, value, score", [
    ({"id": "q", "kind": "exact", "points": 2, "expected": "apache-2.0"}, "apache-2.0", 2),
    ({"id": "q", "kind": "exact", "points": 2, "expected": "apache-2.0"}, "mit", 0),
    ({"id": "q", "kind": "set", "points": 1, "expected": ["a", "b"]}, ["b", "a"], 1),
    ({"id": "q", "kind": "set", "points": 1, "expected": ["a", "b"]}, ["a"], 0),
    ({"id": "q", "kind": "numeric", "points": 1, "expected": 4.08, "tolerance": 0.1}, "4.1", 1),
    ({"id": "q", "kind": "numeric", "points": 1, "expected": 4.08, "tolerance": 0.1}, 5, 0),
    ({"id": "q", "kind": "numeric", "points": 1, "expected": 4.08, "tolerance": 0.1}, "four", 0),
    ({"id": "q", "kind": "completion", "points": 1}, {"x": 1}, 1),
    ({"id": "q", "kind": "min_items", "points": 2, "min_items": 2}, ["a"], 1),
    ({"id": "q", "kind": "rubric", "points": 2, "min_words": 3, "concepts": [["gguf"], ["cpu"]]}, "a gguf file on cpu", 2),
    ({"id": "q", "kind": "rubric", "points": 2, "min_words": 3, "concepts": [["gguf"], ["cpu"]]}, "a gguf file here", 1),
])
def test_question_kinds(spec, value, score):
    key = {"exercises": {"ex01": {"questions": [spec]}}}
    grading.validate_key(key)
    assert grading.grade_answers("ex01", {"q": value}, key)[0].score == score


def test_unanswered_and_odd_shapes_score_zero():
    results = grading.grade_answers("ex01", {"matrix": 42, "classify": ["x"]})
    by = {r.question: r for r in results}
    assert by["matrix"].score == 0 and by["classify"].score == 0
    assert by["comparison"].answered is False and by["comparison"].feedback == "Not answered."


def test_check_button_and_grader_agree():
    """One source of truth: the notebook's Check shows the grader's own result."""
    value = {"fully_open": {"use_directly": "yes"}}
    button = grading.check_question("ex01", "matrix", value)
    graded = {q.question: q for q in grading.grade_answers("ex01", {"matrix": value})}["matrix"]
    assert button == graded and button.score == round(4 / 12, 2)
    assert "points" in button._repr_html_()
    with pytest.raises(InvalidInput):
        grading.check_question("ex01", "nope", 1)


def test_cli_grade(klass, tmp_path, capsys):
    from course_utils.cli import main

    assert main(["grade", str(klass), "--json", "--out", str(tmp_path / "g.csv"),
                 "--results-json", str(tmp_path / "r.json")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["graded"] == 14 and doc["failed"] == 7 and 0 < doc["mean"] < 100
    assert (tmp_path / "g.csv").exists() and (tmp_path / "r.json").exists()
    assert main(["grade", str(tmp_path / "nowhere")]) == 2
    assert main(["grade", str(klass), "--overrides", str(tmp_path / "none.csv")]) == 2
