"""Grades out: safe CSVs, checked overrides, the roster join, Canvas and Moodle files, bad `grade` options."""
import csv
import json
from pathlib import Path

import pytest
from key_points import course_points

from course_utils import gradebook, grading, overrides as manual
from course_utils.cli import main
from course_utils.errors import InvalidInput

FIXTURES = Path(__file__).parent / "fixtures" / "answers"


def add_learner(folder, learner, display, **extra):
    doc = json.loads((FIXTURES / "ex01_ada-lovelace.json").read_text())
    doc.update(learner=learner, learner_display=display, **extra)
    (folder / f"ex01_{learner}.json").write_text(json.dumps(doc))


# --------------------------------------------------------------------------- CSV injection (OWASP)

@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(text):
    assert gradebook.safe_cell(text) == "'" + text


def test_numbers_and_plain_text_stay_as_they_are():
    assert gradebook.safe_cell(-1.5) == -1.5 and gradebook.safe_cell(12) == 12
    assert gradebook.safe_cell("Ada Lovelace") == "Ada Lovelace" and gradebook.safe_cell("") == ""


def test_every_csv_written_is_safe(klass, tmp_path):
    add_learner(klass, "eve", '=HYPERLINK("http://x","x")')
    roster = tmp_path / "roster.csv"
    roster.write_text('name,email,id\nEve,@eve@example.org,=1+1\n')
    out = tmp_path / "g.csv"
    gradebook.grade(str(klass), out_csv=str(out), roster_file=str(roster))
    overrides = tmp_path / "ov.csv"
    manual.save_override(overrides, "eve", "ex01", "comparison", 1, "-1 for length, =not a formula")
    for path in (out, out.with_name("g_questions.csv"), tmp_path / "grades_canvas.csv",
                 tmp_path / "grades_moodle.csv", overrides):
        for row in csv.reader(path.open(encoding="utf-8")):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, cell)
    eve = next(r for r in csv.DictReader(out.open()) if r["learner"] == "eve")
    assert eve["name"] == "'=HYPERLINK(\"http://x\",\"x\")" and float(eve["percent"]) > 0


# --------------------------------------------------------------------------- overrides

def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "learner,exercise,question,score,comment\n"


def test_overrides_replace_provisional_scores(klass, tmp_path):
    path = tmp_path / "manual.csv"
    manual.save_override(path, "sheet-copy", "ex01", "comparison", 1.5, "short but right")
    manual.save_override(path, "sheet-copy", "ex01", "comparison", 1.0, "second look")  # replaces
    assert len(list(csv.DictReader(path.open()))) == 1
    result = grading.grade_dir(klass, overrides=manual.read_overrides(path))
    q = {x.question: x for r in result.results if r.learner == "sheet-copy" and r.exercise == "ex01"
         for x in r.questions}
    assert q["comparison"].score == 1.0 and not q["comparison"].needs_review and "second look" in q["comparison"].feedback
    with pytest.raises(InvalidInput, match="number"):
        manual.save_override(path, "a", "ex01", "q", -1)
    with pytest.raises(InvalidInput, match="number"):
        manual.save_override(path, "a", "ex01", "q", float("nan"))
    with pytest.raises(InvalidInput, match="above"):
        manual.save_override(path, "a", "ex01", "q", 3, max_points=2)


def test_saving_an_override_by_display_name_replaces_the_same_learners_row(tmp_path):
    path = tmp_path / "manual.csv"
    manual.save_override(path, "sheet-copy", "ex01", "comparison", 1.5)
    manual.save_override(path, "Sheet Copy", "ex01", "comparison", 1.0)
    assert [(o.learner, o.score) for o in manual.read_overrides(path).rows] == [("sheet-copy", 1.0)]
    with pytest.raises(InvalidInput, match="no letters"):
        manual.save_override(path, "  ", "ex01", "comparison", 1.0)


@pytest.mark.parametrize("row, message", [
    ("nobody-here,ex01,comparison,1,x", "line 2: unknown learner 'nobody-here'"),
    ("ada-lovelac,ex01,comparison,1,x", "did you mean: ada-lovelace"),
    ("ada-lovelace,ex09,comparison,1,x", "line 2: unknown exercise 'ex09'"),
    ("ada-lovelace,ex01,no_such_question,1,x", "line 2: ex01 has no question 'no_such_question'"),
    ("ada-lovelace,ex01,comparison,99,x", "line 2: score 99 is outside 0..2"),
    ("ada-lovelace,ex01,comparison,-1,x", "outside 0..2"),
    ("ada-lovelace,ex01,comparison,nan,x", "line 2: score 'nan' is not a number"),
    ("ada-lovelace,ex01,comparison,inf,x", "is not a number"),
    ("ada-lovelace,ex01,comparison,,x", "is not a number"),
    (",ex01,comparison,1,x", "line 2: the learner is empty"),
    ("grace-hopper,ex03,why_ngo,1,x", "grace-hopper has no graded ex03 file"),
    ("ada-lovelace,ex01,comparison,1,x\nada-lovelace,ex01,comparison,2,y", "line 3: repeats line 2"),
])
def test_override_typos_name_the_file_and_line(klass, tmp_path, row, message):
    path = write(tmp_path / "ov.csv", HEADER + row + "\n")
    with pytest.raises(InvalidInput) as info:
        grading.grade_dir(klass, overrides=manual.read_overrides(path))
    assert message in str(info.value) and "ov.csv" in str(info.value) and "nothing was applied" in str(info.value)


def test_many_override_problems_stay_within_three_lines(klass, tmp_path):
    path = write(tmp_path / "ov.csv", HEADER + "".join(f"nobody{i},ex01,comparison,1,x\n" for i in range(10)))
    with pytest.raises(InvalidInput) as info:
        grading.grade_dir(klass, overrides=manual.read_overrides(path))
    lines = str(info.value).splitlines()
    assert len(lines) == 3 and "and 8 more problems" in lines[-1]


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes((HEADER + "L\u00e9a,ex01,comparison,1,x\n").encode("latin-1")), "line 2, is not UTF-8"),
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0"), "is not a text file"),
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: p.write_text("name,points\nx,1\n"), "line 1, needs the columns"),
])
def test_unreadable_overrides_files(tmp_path, make, message):
    path = tmp_path / "ov.csv"
    make(path)
    with pytest.raises(InvalidInput, match=message):
        manual.read_overrides(path)


def test_an_excel_bom_and_extra_columns_are_fine(klass, tmp_path):
    path = tmp_path / "ov.csv"
    path.write_bytes(b"\xef\xbb\xbf" + b"Learner,Exercise,Question,Score,Comment,Grader\nAda Lovelace,ex01,comparison,1,ok,me\n")
    result = grading.grade_dir(klass, overrides=manual.read_overrides(path))
    ada = next(r for r in result.results if r.learner == "ada-lovelace" and r.exercise == "ex01")
    assert {q.question: q.score for q in ada.questions}["comparison"] == 1


# --------------------------------------------------------------------------- bad `grade` options: exit 2, one line

def run_cli(capsys, *argv):
    code = main(["grade", *map(str, argv)])
    err = capsys.readouterr().err
    return code, err


@pytest.mark.parametrize("args, message", [
    (lambda k, t: [k / "ex01_ada-lovelace.json"], "is a file: give the folder"),
    (lambda k, t: [t / "missing"], "does not exist"),
    (lambda k, t: [k, "--key", t], "is a folder: give the answer key's .json file"),
    (lambda k, t: [k, "--key", t / "deep.json"], "nested too deeply"),
    (lambda k, t: [k, "--key", t / "nan.json"], "NaN"),
    (lambda k, t: [k, "--key", t / "list.json"], "The key file list.json: An answer key needs an 'exercises'"),
    (lambda k, t: [k, "--key", t / "ex07.json"], "Key exercise 'ex07' is not one of the course's exercises"),
    (lambda k, t: [k, "--overrides", t / "latin1.csv"], "latin1.csv, line 2, is not UTF-8"),
    (lambda k, t: [k, "--overrides", t / "binary.csv"], "binary.csv is not a text file"),
    (lambda k, t: [k, "--overrides", t], "is a folder: give the overrides .csv file"),
    (lambda k, t: [k, "--out", t], "is a folder: give a file name for the output"),
    (lambda k, t: [k, "--out", t / "afile" / "g.csv"], "afile is a file, not a folder"),
    (lambda k, t: [k, "--roster", t / "latin1.csv"], "roster file latin1.csv, line 2, is not UTF-8"),
    (lambda k, t: [k, "--roster", t / "afile"], "needs a header with name"),
])
def test_bad_grade_options_exit_2_with_one_line(klass, tmp_path, capsys, args, message):
    (tmp_path / "deep.json").write_text("[" * 50_000 + "]" * 50_000)
    (tmp_path / "nan.json").write_text('{"exercises": {}, "x": NaN}')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "ex07.json").write_text('{"exercises": {"ex07": {"questions": []}}}')
    (tmp_path / "latin1.csv").write_bytes((HEADER + "L\u00e9a,ex01,comparison,1,x\n").encode("latin-1"))
    (tmp_path / "binary.csv").write_bytes(b"\0\1\2\3" * 10)
    (tmp_path / "afile").write_text("hello\n")
    code, err = run_cli(capsys, *args(klass, tmp_path))
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert message in err


# --------------------------------------------------------------------------- roster, Canvas and Moodle

def test_roster_join_canvas_and_moodle(klass, tmp_path):
    add_learner(klass, "bob", "Bob Byte", learner_email="Bob@Example.org")
    add_learner(klass, "stranger", "Stranger")
    add_learner(klass, "carol", "Carol", learner_id="S005")
    roster = write(tmp_path / "roster.csv",
                   "Name,Email,SIS User ID,Section\n"
                   "Ada Lovelace,ada@example.org,S001,A\n"
                   "Robert B.,bob@example.org,S002,A\n"  # joined by the email in the answer file
                   "Grace Hopper,grace@example.org,S003,B\n"
                   "Nina No-Show,nina@example.org,S004,B\n"
                   "Caroline Example,,S005,B\n")  # joined by the ID number in the answer file
    run = gradebook.grade(str(klass), out_csv=str(tmp_path / "g.csv"), roster_file=str(roster))
    assert run.roster.unknown == ("etc-passwd", "sheet-copy", "stranger")
    assert [e.name for e in run.roster.no_submission] == ["Nina No-Show"]
    text = run.to_text()
    assert "not on the roster: stranger" in text and "on the roster, no answer file: Nina No-Show" in text

    rows = list(csv.reader((tmp_path / "grades_canvas.csv").open(encoding="utf-8")))
    header = rows[0]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert header[5:] == ["Open-source levels (ex01)", "License check for SaaS use (ex02)", "LLM matchmaker (ex03)",
                          "Local readiness audit (ex04)", "Benchmark explorer (ex05)", "Cloud vs local plan (ex06)"]
    points = course_points()
    assert rows[1][:5] == ["Points Possible", "", "", "", ""] and rows[1][5:] == [str(points[f"ex0{i}"]) for i in range(1, 7)]
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name["Ada Lovelace"][2:5] == ["S001", "ada@example.org", "A"] and by_name["Ada Lovelace"][5] == str(points["ex01"])
    assert by_name["Robert B."][5] == str(points["ex01"]) and by_name["Robert B."][6] == "0.0"
    assert by_name["Nina No-Show"][5:] == ["0.0"] * 6  # no submission counts 0, as in the gradebook
    assert "Stranger" not in by_name and by_name["Caroline Example"][5] == str(points["ex01"])

    moodle = list(csv.DictReader((tmp_path / "grades_moodle.csv").open(encoding="utf-8")))
    assert list(moodle[0])[:3] == ["Email address", "ID number", "Full name"]
    ada = next(r for r in moodle if r["Email address"] == "ada@example.org")
    assert ada["ID number"] == "S001" and ada["Open-source levels (ex01)"] == str(points["ex01"])
    assert ada["Course total (points)"] == str(sum(points.values()))


def test_two_learners_matching_one_roster_entry_are_left_for_the_instructor(klass, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # without --out the LMS files go to the current folder
    add_learner(klass, "ada-2", "Ada Again", learner_email="ada@example.org")
    add_learner(klass, "ada-3", "Ada Third", learner_email="ada@example.org")
    roster = write(tmp_path / "roster.csv", "name,email,id\nAda,ada@example.org,1\n")
    run = gradebook.grade(str(klass), roster_file=str(roster))
    assert run.roster.ambiguous == ("ada-2", "ada-3") and run.roster.no_submission[0].name == "Ada"
    assert (tmp_path / "grades_canvas.csv").exists() and (tmp_path / "grades_moodle.csv").exists()


def test_cli_roster_json(klass, tmp_path, capsys):
    roster = write(tmp_path / "roster.csv", "name,email,id\nAda Lovelace,ada@example.org,1\n")
    assert main(["grade", str(klass), "--json", "--out", str(tmp_path / "g.csv"), "--roster", str(roster)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "sheet-copy" in doc["roster"]["not_on_roster"] and doc["roster"]["no_submission"] == []
    assert any(w.endswith("grades_canvas.csv") for w in doc["written"])


def test_roster_messages_name_the_real_path(tmp_path):
    folder = tmp_path / "overrides-and-rosters"
    folder.mkdir()
    with pytest.raises(InvalidInput) as exc:
        gradebook.read_roster(folder / "roster.csv")
    assert str(exc.value) == f"No roster file at {folder / 'roster.csv'}: check the path."


def test_a_failed_csv_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gradebook.os, "replace", refuse)
    with pytest.raises(InvalidInput, match="Cannot write"):
        gradebook.write_csv(tmp_path / "g.csv", ["a"], [{"a": 1}])
    assert list(tmp_path.iterdir()) == []


def test_the_cli_shows_each_override_problem_on_its_own_line(klass, tmp_path, capsys):
    path = write(tmp_path / "ov.csv", HEADER + "nobody-here,ex01,comparison,1,typo\n"
                 "ada-lovelace,ex01,no_such_question,1,typo\nada-lovelace,ex01,comparison,99,too many\n")
    assert main(["grade", str(klass), "--overrides", str(path), "--out", str(tmp_path / "g.csv")]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("course-utils grade:")]
    assert len(lines) == 3
    assert "line 2" in lines[0] and "nobody-here" in lines[0]
    assert "line 3" in lines[1] and "no_such_question" in lines[1]
    assert "line 4" in lines[2] and "99" in lines[2] and "nothing was applied" in lines[2]
