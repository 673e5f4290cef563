"""Notebook 00's widgets, driven kernel-side (no browser)."""
from course_utils import answers
from course_utils.ui import start
from course_utils.ui.common import run_safely, UNEXPECTED_CLASS


def _texts(out):
    return " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/html", "")) for o in out.outputs)


def test_learner_box_remembers(answers_dir):
    box = start.learner_box()
    (name, button), out = box.children[0].children, box.children[1]
    name.value = "Ada Lovelace"
    button.click()
    assert "Hello Ada Lovelace" in _texts(out)
    assert answers.current_learner() == ("Ada Lovelace", "ada-lovelace")
    again = start.learner_box()
    assert again.children[0].children[0].value == "Ada Lovelace"
    assert "Welcome back" in _texts(again.children[1])


def test_learner_box_bad_name_gives_message(answers_dir):
    box = start.learner_box()
    (name, button), out = box.children[0].children, box.children[1]
    name.value = "../.."
    button.click()
    assert "no letters or digits" in _texts(out)
    assert answers.current_learner() is None


def test_links_point_at_every_exercise():
    html = start.exercise_links()
    for nb in ("01_open_source_levels.ipynb", "06_cloud_vs_local.ipynb"):
        assert nb in html


def test_run_safely_hides_tracebacks():
    import ipywidgets as w

    out = w.Output()

    def broken():
        raise ZeroDivisionError("boom")

    assert run_safely(out, broken) is None
    assert UNEXPECTED_CLASS in _texts(out) and "Traceback" not in _texts(out)


def test_run_safely_shows_progress_while_it_works_then_what_it_gives():
    import ipywidgets as w

    from course_utils.errors import InvalidInput

    out, seen = w.Output(), []

    def slow():
        seen.append(_texts(out))  # what the learner sees while it runs
        return "done: 3 rows"

    assert run_safely(out, slow, progress="Timing, about 10 s…") == "done: 3 rows"
    assert "Timing, about 10 s…" in seen[0] and "course-msg-info" in seen[0]
    assert "done: 3 rows" in _texts(out) and "Timing" not in _texts(out)

    def refused():
        raise InvalidInput("no llama.cpp here")

    run_safely(out, refused, progress="Timing…")
    assert "no llama.cpp here" in _texts(out) and "Timing" not in _texts(out)

    def broken():
        raise ZeroDivisionError("boom")

    run_safely(out, broken, progress="Timing…")
    assert UNEXPECTED_CLASS in _texts(out) and "Timing" not in _texts(out)
    run_safely(out, slow, clear_first=False, progress="Again…")  # appended: the message stays above the result
    assert "Again…" in _texts(out) and _texts(out).index("Again…") < _texts(out).rindex("done: 3 rows")


import pytest


@pytest.mark.parametrize("typed", ["李雷", "Дмитрий Иванов", "محمد علي", "Søren Ørsted", "Ana María"])
def test_learner_box_takes_names_in_any_script(answers_dir, typed):
    box = start.learner_box()
    (name, button), out = box.children[0].children, box.children[1]
    name.value = f"  {typed} "
    button.click()
    text = _texts(out)
    assert f"Hello {typed}!" in text and "no letters or digits" not in text and "course-msg-ok" in text
    assert answers.current_learner()[0] == typed


def test_learner_box_empty_name_and_shared_file_name(answers_dir):
    box = start.learner_box()
    (name, button), out = box.children[0].children, box.children[1]
    button.click()
    assert "Type your name in the box first" in _texts(out)
    other = answers.AnswerStore()
    other.record("ex01", "q", 1)
    other.save("ex01", "Ana María", offer_download=False)
    name.value = "Ana Maria"
    button.click()
    assert "course-msg-warn" in _texts(out) and "already holds the answers of &#x27;Ana María&#x27;" in _texts(out)


# ---------------------------------------------------------------- the language choice

import re  # noqa: E402

from course_utils import i18n  # noqa: E402


@pytest.fixture
def no_language(monkeypatch):
    monkeypatch.delenv("COURSE_UTILS_LANG", raising=False)
    i18n.set_language(None)
    yield
    i18n.set_language(None)


@pytest.mark.parametrize("lang, here, href", [
    ("en", "en", "01_open_source_levels.ipynb"), ("fr", "en", "fr/01_open_source_levels.ipynb"),
    ("fr", "fr", "01_open_source_levels.ipynb"), ("en", "fr", "../01_open_source_levels.ipynb")])
def test_links_go_to_the_notebooks_in_the_chosen_language(lang, here, href):
    html = start.exercise_links(lang, here)
    assert f"href='{href}'" in html
    assert i18n.t("ex06.title", lang) in html.replace("&#x27;", "'")


def test_the_notebook_folder_tells_its_edition(tmp_path):
    assert start.here_language(tmp_path / "notebooks" / "fr") == "fr"
    assert start.here_language(tmp_path / "notebooks") == "en"


def test_choosing_french_is_remembered_and_shows_the_french_links(answers_dir, no_language):
    box = start.language_box(here="en")
    pick, out = box.children
    assert pick.value == "en" and "cu-start-lang" in pick._dom_classes
    pick.value = "fr"
    shown = _texts(out)
    assert "en français" in shown and "href='fr/06_cloud_vs_local.ipynb'" in shown
    assert answers.remembered_language() == "fr"
    i18n.set_language(None)  # a new kernel: the remembered choice is back
    assert i18n.language() == "fr"
    assert start.language_box().children[0].value == "fr"


def test_french_learner_box(answers_dir, no_language):
    i18n.set_language("fr")
    box = start.learner_box()
    (name, button), out = box.children[0].children, box.children[1]
    assert (name.description, button.description) == ("Votre nom", "Se souvenir de moi")
    assert "cu-start-name" in name._dom_classes and "cu-start-remember" in button._dom_classes
    button.click()
    assert "Tapez d&#x27;abord votre nom dans la case" in _texts(out)
    name.value = "Ada Lovelace"
    button.click()
    assert "Bonjour Ada Lovelace !" in _texts(out)
    assert "Bon retour, Ada Lovelace." in _texts(start.learner_box().children[1])


def test_saving_without_a_name_points_to_notebook_00_step_3(answers_dir, no_language):
    store = answers.AnswerStore()
    store.record("ex01", "q", 1)
    for lang, words in (("en", "step 3 'Who are you?'"), ("fr", "étape 3 « Qui êtes-vous ? »")):
        i18n.set_language(lang)
        with pytest.raises(answers.AnswerError, match=re.escape(words)):
            store.save("ex01", offer_download=False)
