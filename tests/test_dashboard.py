import shutil
from pathlib import Path

import pytest

from course_utils import class_report, grading
from course_utils.ui.dashboard import dashboard

FIXTURES = Path(__file__).parent / "fixtures" / "answers"


def texts(out):
    return " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/html", "")) for o in out.outputs)


@pytest.fixture
def klass(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "class")
    return tmp_path / "class"


def test_reports(klass):
    import matplotlib.pyplot as plt

    result = grading.grade_dir(klass)
    table = class_report.class_table(result)
    assert list(table["learner"]) == sorted(table["learner"]) and "percent" in table.columns
    diff = class_report.question_difficulty(result)
    matrix = diff[(diff.exercise == "ex01") & (diff.question == "matrix")].iloc[0]
    assert matrix["answers"] == 4 and 0 <= matrix["mean_percent"] <= 100
    class_report.plot_distribution(result)
    class_report.plot_difficulty(result)
    plt.close("all")
    queue = class_report.review_queue(result, klass)
    assert any(i.learner == "ada-lovelace" and i.question == "healthcare" for i in queue)
    assert all(isinstance(i.text, str) for i in queue)


def test_dashboard_widget_grades_reviews_and_saves(klass):
    box = dashboard(str(klass))
    path, overrides, load, out, _title, items, answer, score_row, save, saved = box.children
    load.click()
    assert "graded 14 file(s)" in texts(out) and sum("image/png" in o.get("data", {}) for o in out.outputs) == 2
    assert items.options and "blockquote" in answer.value
    label = items.options[0]
    score_row.children[0].value = 0.5
    score_row.children[1].value = "checked by hand"
    save.click()
    assert "Saved 0.5" in texts(saved)
    rows = grading.read_overrides(overrides.value)
    assert len(rows) == 1 and list(rows.values())[0] == (0.5, "checked by hand")
    load.click()
    assert label not in items.options  # reviewed answers leave the queue


def test_dashboard_bad_folder(tmp_path):
    box = dashboard(str(tmp_path / "missing"))
    box.children[2].click()
    assert "is not a folder of answer files" in texts(box.children[3])
