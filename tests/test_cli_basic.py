import json
import os
import subprocess
import sys

from course_utils.cli import main


def test_info_json(capsys):
    assert main(["info", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["where"] == "local" and doc["package_version"]


def test_data_table(capsys):
    assert main(["data"]) == 0
    out = capsys.readouterr().out
    assert "leaderboard_v1" in out and "5317" in out


def test_unknown_command_exits_2_with_one_line(capsys):
    assert_exit = None
    try:
        main(["no-such-command"])
    except SystemExit as exc:
        assert_exit = exc.code
    assert assert_exit == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "invalid choice" in err[0]


def test_console_script_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "course_utils", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("course-utils ")


def test_grade_draws_no_progress_bar_into_a_pipe(klass, tmp_path):
    # a bar redraws its line with carriage returns: in a log or a pipe it would garble the summary
    proc = subprocess.run([sys.executable, "-m", "course_utils", "grade", str(klass), "--out", str(tmp_path / "g.csv")],
                          capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 0 and proc.stdout.startswith("graded ")
    assert "\r" not in proc.stderr + proc.stdout and "file/s" not in proc.stderr
