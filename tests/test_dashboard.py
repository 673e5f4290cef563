import shutil
from pathlib import Path

import pytest

from course_utils import class_report, grading, i18n, overrides as manual
from course_utils.settings import get_settings
from course_utils.ui.dashboard import DEFAULT_FOLDER, dashboard, default_folder

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
    assert overrides.value == str(klass / "overrides.csv")  # the README's place for review scores
    load.click()
    assert "graded 13 files from 4 learners" in texts(out) and sum("<img src='data:image/png" in o.get("data", {}).get("text/html", "")
                                                                    and " alt='" in o["data"]["text/html"] for o in out.outputs) == 2
    assert items.options and "blockquote" in answer.value
    assert f"{len(items.options)} free-text answers to review" in texts(out)  # the count is the list
    label = items.options[0]
    score_row.children[0].value = 0.5
    score_row.children[1].value = "checked by hand"
    save.click()
    assert "Saved 0.5" in texts(saved)
    (row,) = manual.read_overrides(overrides.value).rows
    assert (row.score, row.comment) == (0.5, "checked by hand")
    load.click()
    assert label not in items.options  # reviewed answers leave the queue
    assert "overrides.csv" not in texts(out)  # the overrides file in the folder is not listed as ungraded
    score_row.children[0].value = 99
    save.click()
    assert "above this question" in texts(saved)  # never clamped in silence


def test_dashboard_defaults_follow_the_documented_layout(tmp_path):
    assert DEFAULT_FOLDER == "../answers"  # learners save to notebooks/answers; the dashboard is in notebooks/instructor
    box = dashboard()
    path, overrides = box.children[:2]
    assert overrides.value == str(Path("../answers") / "overrides.csv")
    path.value = str(tmp_path)
    assert overrides.value == str(tmp_path / "overrides.csv")  # follows the folder
    overrides.value = str(tmp_path / "mine.csv")
    path.value = str(tmp_path / "other")
    assert overrides.value == str(tmp_path / "mine.csv")  # unless the instructor typed one


def test_dashboard_shows_override_typos(klass):
    (klass / "overrides.csv").write_text("learner,exercise,question,score,comment\nnobody,ex01,comparison,1,x\n")
    box = dashboard(str(klass))
    box.children[2].click()
    assert "overrides.csv line 2: unknown learner &#x27;nobody&#x27;" in texts(box.children[3])


def test_dashboard_bad_folder(tmp_path):
    box = dashboard(str(tmp_path / "missing"))
    box.children[2].click()
    assert "does not exist: give the folder that holds the learners" in texts(box.children[3])


def test_dashboard_finishes_a_hostile_folder(klass):
    from test_grading import hostile_class

    hostile_class(klass)
    box = dashboard(str(klass))
    box.children[2].click()
    shown = texts(box.children[3])
    assert "ex03_deep.json: is nested too deeply" in shown and "course-msg-error" not in shown


@pytest.mark.parametrize("edition", ["notebooks", "notebooks/fr"])
def test_dashboard_default_is_the_folder_the_learners_notebooks_save_to(tmp_path, monkeypatch, edition):
    """notebooks/fr/instructor grades notebooks/answers, where the French notebooks (notebooks/fr) save."""
    monkeypatch.delenv("COURSE_UTILS_ANSWERS_DIR", raising=False)
    learners = tmp_path / edition
    (learners / "instructor").mkdir(parents=True)
    monkeypatch.chdir(learners)
    saved_to = get_settings().answers_dir.resolve()
    assert saved_to == (tmp_path / "notebooks" / "answers").resolve()
    monkeypatch.chdir(learners / "instructor")
    assert (Path.cwd() / default_folder()).resolve() == saved_to
    assert dashboard().children[0].value == default_folder()


def test_dashboard_in_french(klass):
    try:
        i18n.set_language("fr")
        box = dashboard(str(klass))
        assert box.children[2].description == "Charger et noter"
        box.children[2].click()
        shown = texts(box.children[3])
        assert "13 fichiers notés, de 4 apprenants" in shown and "réponses rédigées à relire" in shown
        assert "apprenant" in shown and "moyenne %" in shown  # column names
        assert "Rien à enregistrer" not in shown
        box.children[8].click()
    finally:
        i18n.set_language(None)


def test_report_charts_speak_the_course_language(klass):
    import matplotlib.pyplot as plt

    result = grading.grade_dir(klass)
    try:
        i18n.set_language("fr")
        fig = class_report.plot_distribution(result)
        assert fig.axes[0].get_title() == "Répartition de la classe (4 apprenants)"
        assert fig.axes[0].get_ylabel() == "apprenants"
        assert class_report.plot_difficulty(result).axes[0].get_title() == "Difficulté par question"
    finally:
        i18n.set_language(None)
        plt.close("all")
