"""The grader: scores, bad files, safety, overrides, exports, idempotence, one source of truth."""
import csv
import json
import shutil
import warnings
from pathlib import Path

import pytest
from key_points import course_points

from course_utils import gradebook, grading
from course_utils.errors import InvalidInput

FIXTURES = Path(__file__).parent / "fixtures" / "answers"


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
    assert "not an answer file" in reasons["not_answers.json"]
    assert len(result.results) == 13 and result.summary()["failed"] == 8


def test_two_files_for_one_learner_and_exercise_are_a_conflict_not_a_guess(klass):
    """Neither file is graded and both are named; a later (or future) saved_at does not win."""
    older = json.loads((klass / "ex02_grace-hopper (1).json").read_text())
    older["saved_at"] = "2999-01-01T00:00:00+00:00"  # a date in the future must not pick the winner
    (klass / "ex02_grace-hopper (1).json").write_text(json.dumps(older))
    result = grading.grade_dir(klass)
    assert ("grace-hopper", "ex02") not in results_by(result)
    (conflict,) = result.conflicts
    assert conflict.files == ("ex02_grace-hopper (1).json", "ex02_grace-hopper.json")
    reasons = {f.file: f.reason for f in result.failures}
    assert "ex02_grace-hopper.json also claims grace-hopper/ex02" in reasons["ex02_grace-hopper (1).json"]
    assert "ex02_grace-hopper (1).json also claims" in reasons["ex02_grace-hopper.json"]
    assert "ex02_grace-hopper (1).json and ex02_grace-hopper.json" in result.to_text()
    grace = next(t for t in result.learners() if t.learner == "grace-hopper")
    assert grace.conflicts == ("ex02",) and "ex02" not in grace.missing


def test_an_identical_copy_is_graded_once(klass):
    shutil.copy(klass / "ex01_ada-lovelace.json", klass / "ex01_ada-lovelace (copy).json")
    result = grading.grade_dir(klass)
    assert sum(r.learner == "ada-lovelace" and r.exercise == "ex01" for r in result.results) == 1
    assert "graded once" in {f.file: f.reason for f in result.failures}["ex01_ada-lovelace.json"]


def hostile_class(folder):
    """Every kind of file a downloaded class folder can hold; none may stop the run."""
    good = json.loads((FIXTURES / "ex01_ada-lovelace.json").read_text())

    def doc(**kw):
        return json.dumps(dict(good, **kw), ensure_ascii=False)

    (folder / "ex03_deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "ex03_deep_object.json").write_text('{"a":' * 50 + "1" + "}" * 50)
    (folder / "folder.json").mkdir()
    (folder / "folder.json" / "ex01_inner.json").write_text(doc(learner="inner"))
    (folder / "ex01_bom.json").write_bytes(b"\xef\xbb\xbf" + doc(learner="bom-user").encode())
    (folder / "ex01_nan.json").write_text(doc(learner="nan-user").replace('"matrix": {', '"bad": NaN, "matrix": {', 1))
    (folder / "ex01_inf.json").write_text(doc(learner="inf-user").replace('"matrix": {', '"big": 1e400, "matrix": {', 1))
    (folder / "ex01_latin1.json").write_bytes(doc(learner="Léa", learner_display="Léa").encode("latin-1"))
    (folder / "ex01_utf16.json").write_bytes(doc(learner="utf16").encode("utf-16"))
    (folder / "ex01_upper.JSON").write_text(doc(learner="upper"))
    (folder / "ex01_txt.json.txt").write_text(doc(learner="txt"))
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "ex01_hidden.json").write_text(doc(learner="hidden"))
    (folder / ".ex01_dotfile.json").write_text(doc(learner="dotfile"))
    (folder / "ex01_bool_schema.json").write_text(doc(learner="boolschema", schema_version=True))
    (folder / "ex01_surrogate.json").write_text(doc(learner="surr").replace('"Ada Lovelace"', '"Ada \\ud800"'))
    (folder / "ex01_link.json").symlink_to(folder / "ex01_bom.json")
    (folder / "linked_dir").symlink_to(folder / "folder.json")
    (folder / "ex01_bignum.json").write_text(doc(learner="bignum").replace('"answers"', '"n": ' + "9" * 5000 + ', "answers"'))


def test_a_hostile_folder_is_graded_to_the_end(klass):
    hostile_class(klass)
    result = grading.grade_dir(klass)
    reasons = {f.file: f.reason for f in result.failures}
    by = results_by(result)
    assert "nested too deeply" in reasons["ex03_deep.json"]
    assert "more than 32 levels" in reasons["ex03_deep_object.json"]
    assert "is a folder" in reasons["folder.json"] and ("inner", "ex01") in by  # its files are still graded
    assert ("bom-user", "ex01") in by and by[("bom-user", "ex01")].score == by[("ada-lovelace", "ex01")].score
    assert "NaN" in reasons["ex01_nan.json"] and "1e400" in reasons["ex01_inf.json"]
    assert reasons["ex01_latin1.json"] == "is not UTF-8 text" and "UTF-16" in reasons["ex01_utf16.json"]
    assert "rename it to end in .json" in reasons["ex01_upper.JSON"]
    assert "rename it to end in .json" in reasons["ex01_txt.json.txt"]
    assert "hidden folder" in reasons[".hidden"] and "hidden file" in reasons[".ex01_dotfile.json"]
    assert "schema version True" in reasons["ex01_bool_schema.json"]
    assert "symbolic link" in reasons["ex01_link.json"] and "symbolic link" in reasons["linked_dir"]
    assert "not valid JSON" in reasons["ex01_bignum.json"]
    assert by[("surr", "ex01")].display == "Ada ?"  # a lone surrogate cannot break a CSV or the terminal
    assert not any(f.file.startswith(".hidden/") for f in result.failures)  # the folder is listed once


def test_cli_finishes_a_hostile_folder_with_exit_0(klass, tmp_path, capsys):
    from course_utils.cli import main

    hostile_class(klass)
    assert main(["grade", str(klass), "--out", str(tmp_path / "g.csv")]) == 0
    out = capsys.readouterr().out
    assert "Traceback" not in out and "ex03_deep.json: is nested too deeply" in out
    assert "bom-user" in (tmp_path / "g.csv").read_text(encoding="utf-8")


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
    from course_utils.exercises import ex01

    baseline = results_by(grading.grade_dir(klass))[("ada-lovelace", "ex01")].score
    original = ex01.check_matrix

    def noisy(value):
        warnings.warn("a library deprecation", DeprecationWarning)
        return original(value)

    monkeypatch.setattr(ex01, "check_matrix", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # even when warnings are errors outside
        assert results_by(grading.grade_dir(klass))[("ada-lovelace", "ex01")].score == baseline


def test_outputs_and_idempotence(klass, tmp_path):
    out = tmp_path / "out" / "grades.csv"
    first = gradebook.grade(str(klass), out_csv=str(out))
    texts = (out.read_text(), out.with_name("grades_questions.csv").read_text())
    gradebook.grade(str(klass), out_csv=str(out))
    assert texts == (out.read_text(), out.with_name("grades_questions.csv").read_text())
    rows = {r["learner"]: r for r in csv.DictReader(out.open())}
    ada = rows["ada-lovelace"]
    course_max = sum(course_points().values())
    assert ada["percent"] == "100.0" and ada["total"] == ada["max"] == str(float(course_max)) and ada["missing"] == ""
    assert first.summary()["graded"] == 13
    assert sorted(p.name for p in out.parent.iterdir()) == ["grades.csv", "grades_questions.csv"]


def test_percent_is_over_the_whole_course(klass):
    """One perfect exercise out of six is not 100 %: missing exercises count 0 and are named."""
    doc = json.loads((FIXTURES / "ex01_ada-lovelace.json").read_text())
    (klass / "ex01_bob.json").write_text(json.dumps(dict(doc, learner="bob", learner_display="Bob")))
    result = grading.grade_dir(klass)
    columns, rows = gradebook.gradebook_rows(result)
    bob = next(r for r in rows if r["learner"] == "bob")
    assert columns[-5:] == ["total", "max", "percent", "missing", "conflicts"]
    points = course_points()
    course_max = sum(points.values())
    assert bob["ex01"] == points["ex01"] and bob["ex02"] == 0 and bob["max"] == course_max
    assert bob["percent"] == round(points["ex01"] / course_max * 100, 1)
    assert bob["missing"] == "ex02 ex03 ex04 ex05 ex06"
    totals = result.learners()
    assert result.mean_percent == round(sum(t.percent for t in totals) / len(totals), 1)


def test_private_key_file(klass, tmp_path):
    key = grading.load_key()
    key["exercises"]["ex01"]["questions"] = [{"id": "matrix", "points": 10, "kind": "function",
                                              "function": "openness_matrix"}]
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key))
    by = results_by(gradebook.grade(str(klass), key_file=str(path)).result)
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

    assert main(["grade", str(klass), "--json", "--out", str(tmp_path / "g.csv")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["graded"] == 13 and doc["failed"] == 8 and 0 < doc["mean"] < 100 and len(doc["conflicts"]) == 1
    assert (tmp_path / "g.csv").exists() and (tmp_path / "g_questions.csv").exists()


def test_no_answer_earns_no_points():
    blank = {"spotted_errors": [], "compared_models": [" "], "use_cases": {"x": ""}}
    by = {q.question: q for q in grading.grade_answers("ex05", blank)}
    assert all(q.score == 0 and not q.answered for q in by.values())
    assert grading.check_question("ex06", "cost_inputs", float("nan")).score == 0
    assert grading.check_question("ex06", "cost_inputs", {"hours_per_day": float("nan")}).score == 0
    assert grading.check_question("ex06", "pros_cons", {}).score == 0
    assert grading.check_question("ex01", "matrix", {"fully_open": {"use_directly": ""}}).answered is False
    assert grading.check_question("ex06", "cost_inputs", {"hours_per_day": 0}).score == 1  # 0 is an answer


# ---------------------------------------------------------------- one answer (checking) in both languages

from course_utils import checking, i18n  # noqa: E402
from langs import one_language  # noqa: E402,F401 - the lang fixture


def test_one_answer_checking_is_its_own_module_and_grading_still_names_it():
    assert grading.check_question is checking.check_question and grading.fold is checking.fold
    assert grading.is_blank is checking.is_blank and grading.QuestionResult is checking.QuestionResult
    import inspect

    assert "offline" in inspect.signature(checking.check_question).parameters


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_the_score_line_appears_once(lang):
    value = json.loads((FIXTURES / "ex01_ada-lovelace.json").read_text())["answers"]
    matrix = next(iter(value))
    result = checking.check_question("ex01", matrix, value[matrix])
    shown = result._repr_html_()
    assert shown.count(f"{result.score:g}/{result.max_points:g} points") == 1
    right = sum(c.correct for c in result.checks)
    assert f"{right}/{len(result.checks)}" not in shown  # no second "n/m right" line
    words = {"en": f"{right} of {len(result.checks)} checks right.", "fr": f"{right} vérifications réussies sur"}
    assert words[lang] in shown and shown.count(words[lang]) == 1
    assert "True" not in shown and "False" not in shown


@pytest.mark.parametrize("lang, blank, done, items", [
    ("en", "Not answered.", "Done.", "1 item given (at least 2 needed). Each counts with at least 3 words."),
    ("fr", "Sans réponse.", "Fait.", "1 élément donné (il en faut au moins 2). Chacun compte à partir de 3 mots.")],
    indirect=["lang"])
def test_grading_notes_are_sentences_in_the_course_language(lang, blank, done, items):
    key = {"exercises": {"ex05": {"questions": [
        {"id": "a", "kind": "min_items", "points": 2, "min_items": 2, "min_words_each": 3},
        {"id": "b", "kind": "completion", "points": 1},
        {"id": "c", "kind": "rubric", "points": 1, "min_words": 1, "concepts": [["gguf"]]}]}}}
    by = {r.question: r for r in grading.grade_answers("ex05", {"a": ["three words here", "no"], "b": 1}, key)}
    assert (by["a"].feedback, by["b"].feedback, by["c"].feedback) == (items, done, blank)
    assert by["a"].score == 1


@pytest.mark.parametrize("lang, words", [("en", "Could not check"), ("fr", "Vérification impossible")],
                         indirect=["lang"])
def test_a_check_that_cannot_run_says_so_in_the_course_language(klass, lang, words):
    by = results_by(grading.grade_dir(klass))
    q = next(q for q in by[("sheet-copy", "ex02")].questions if q.score == 0 and q.checks == ())
    assert q.feedback.startswith(words)


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_rubric_feedback_reads_yes_or_no_not_the_matched_stem(lang):
    spec = {"id": "q", "kind": "rubric", "points": 2, "min_words": 1,
            "concepts": [{"id": "x", "en": ["fine-tun"], "fr": ["affin"]}]}
    (r,) = grading.grade_answers("ex01", {"q": "We fine-tune it."}, {"exercises": {"ex01": {"questions": [spec]}}})
    (check,) = r.checks
    assert check.shown_given == i18n.t("common.yes") and check.shown_expected == i18n.t("common.yes")
    row = r._repr_html_().split("<table>")[1].split("</tr>")[1]
    assert row.count(f"<td>{i18n.t('common.yes')}</td>") == 2
    assert ("affin" in row) == (lang == "fr")  # a concept without a catalog label names a term of the language


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_class_summary_is_sentences(klass, lang):
    text = grading.grade_dir(klass).to_text().splitlines()[0]
    expected = {"en": "graded 13 files from 4 learners; could not grade 8; mean",
                "fr": "13 fichiers notés, de 4 apprenants ; 8 non notés ; moyenne"}
    assert text.startswith(expected[lang]) and "(s)" not in text


def test_the_course_s_own_files_in_an_answers_folder_are_passed_over_in_silence(tmp_path):
    """A learner's folder holds the notebooks' lock and remembered name, the dashboard its overrides.csv:
    none is an answer, and none should make the instructor's report longer."""
    from course_utils.answer_files import scan_folder

    (tmp_path / ".answers.lock").write_text("")
    (tmp_path / ".learner_name").write_text('{"name": "Ada"}')
    (tmp_path / "overrides.csv").write_text("learner,exercise,question,score\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".learner_name").write_text("{}")
    (tmp_path / "sub" / "overrides.csv").write_text("")  # not the dashboard's: said
    (tmp_path / ".secret").write_text("")  # any other hidden file: said
    files, skipped = scan_folder(tmp_path)
    assert files == [] and sorted(f.file for f in skipped) == [".secret", "sub/overrides.csv"]
