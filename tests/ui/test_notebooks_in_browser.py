"""Every notebook in JupyterLab, driven like a learner: run all cells, use the main widgets,
check what the page shows, keep a screenshot (tests/ui/screenshots/, git-ignored).

Each test runs the English notebook (notebooks/) and the French one (notebooks/fr/, same file
name) when it is built. Widgets are found by their ``cu-*`` test classes, never by their text; the
expected text is numbers, model ids, or the language's own catalog text (``helpers.assert_language``).

COURSE_TEST_ENV=colab runs the same tests on the Colab stack (ipywidgets 7.7.1 + JupyterLab 3 +
jupyterlab_widgets 1.1.1), the only combination where ipywidgets 7 renders in JupyterLab.
"""
from __future__ import annotations

import json

import pytest

from conftest import SCREENSHOTS
from helpers import (LANGS, assert_clean, assert_language, built, click, fill, notebook_path, open_notebook, run_all,
                     score, screenshot, tagged, wait_changed, wait_match)

MODEL_ID = r"[\w.-]+/[\w.-]+"  # an 'org/name' id in a result list


def out_of(exercise: str, question: str) -> str:
    """A pattern for a result line 'x/P points' of one question (P from its declaration), in any language."""
    from course_utils.exercises import EXERCISES

    return rf"/\s*{EXERCISES[exercise].question(question).points:g}(?![\d.,])"


def languages(name: str):
    """One parameter per language; a language whose notebook is not built yet is skipped, visibly."""
    return [pytest.param(lang, id=lang, marks=pytest.mark.skipif(
        not built(name, lang), reason=f"notebooks/{notebook_path(name, lang)} is not built")) for lang in LANGS]


def start(page, lab, name, lang):
    base, _work = lab
    open_notebook(page, base, notebook_path(name, lang))
    run_all(page)


@pytest.mark.parametrize("lang", languages("00_start_here.ipynb"))
def test_00_start_here(page, lab, lang):
    start(page, lab, "00_start_here.ipynb", lang)
    page.wait_for_selector("table")  # the environment table from course_utils.setup()
    fill(page, "start-name", "Ada Lovelace")
    click(page, "start-remember")
    wait_match(page, "start-out", "Ada Lovelace")
    links = page.locator(".jp-RenderedHTMLCommon a[href*='01_open_source_levels']")  # the map of the day
    assert links.count() == 1
    assert_language(page, lang, save_row=False)
    assert_clean(page)
    screenshot(page, SCREENSHOTS, f"00_start_here_{lang}")


@pytest.mark.parametrize("lang", languages("01_open_source_levels.ipynb"))
def test_01_open_source_levels(page, lab, lang):
    start(page, lab, "01_open_source_levels.ipynb", lang)
    page.locator(".widget-dropdown select").first.select_option(index=1)  # the first cell of the matrix: 'yes'
    click(page, "check-ex01-matrix")
    wait_match(page, "out-ex01-matrix", score(round(4 / 12, 2), 4))  # 1 of 12 cells right: 0.33 of 4 points
    page.locator(".widget-textarea textarea").first.fill("Fully open models release weights, code and data.")
    tagged(page, "ex01-classify").locator("select").first.select_option(index=1)  # the first model
    click(page, "check-ex01-classify")
    wait_match(page, "out-ex01-classify", out_of("ex01", "classify"))
    assert_language(page, lang)
    assert_clean(page)
    screenshot(page, SCREENSHOTS, f"01_open_source_levels_{lang}")


@pytest.mark.parametrize("lang", languages("02_license_check.ipynb"))
def test_02_license_check(page, lab, lang):
    start(page, lab, "02_license_check.ipynb", lang)
    fill(page, "ex02-repo", "https://huggingface.co/facebook/opt-6.7b/tree/main")  # a pasted address works
    click(page, "ex02-lookup")
    wait_match(page, "ex02-card-out", "facebook/opt-6\\.7b")
    fill(page, "ex02-repo", "mistralai/Mistral-7B-Instruct")  # no such repo: the real versions are offered
    click(page, "ex02-lookup")
    wait_match(page, "ex02-card-out", "mistralai/Mistral-7B-Instruct-v0\\.3")
    before = tagged(page, "save-out").first.inner_text()
    click(page, "save")
    wait_changed(page, "save-out", before)  # saved, or asks for a name first (whether 00 ran first)
    assert_language(page, lang)
    assert_clean(page)
    screenshot(page, SCREENSHOTS, f"02_license_check_{lang}")


@pytest.mark.parametrize("lang", languages("03_llm_matchmaker.ipynb"))
def test_03_llm_matchmaker(page, lab, lang):
    from course_utils.grading import check_question

    start(page, lab, "03_llm_matchmaker.ipynb", lang)
    click(page, "ex03-search")
    wait_match(page, "ex03-results", MODEL_ID)
    pick = "Intel/neural-chat-7b-v3-1"  # the original sheet's pick: no GGUF build in that repo
    expected = check_question("ex03", "pick_legaltech", pick)
    fill(page, "ex03-pick-legaltech", pick)
    click(page, "check-ex03-pick_legaltech")
    wait_match(page, "out-ex03-pick_legaltech", score(expected.score, expected.max_points))
    assert_language(page, lang)
    assert_clean(page)
    screenshot(page, SCREENSHOTS, f"03_llm_matchmaker_{lang}")


@pytest.mark.parametrize("lang", languages("04_readiness_audit.ipynb"))
def test_04_readiness_audit(page, lab, lang):
    start(page, lab, "04_readiness_audit.ipynb", lang)
    click(page, "ex04-audit")
    page.wait_for_selector(".cu-ex04-audit-out table.course-audit")
    click(page, "ex04-readiness")
    page.wait_for_selector(".cu-ex04-readiness-out table.course-readiness", timeout=90_000)
    page.wait_for_selector(".cu-ex04-readiness-out img", timeout=60_000)  # memory per quantization chart
    click(page, "check-ex04-own_readiness")
    wait_match(page, "out-ex04-own_readiness", r"\d\s*/\s*\d")
    click(page, "ex04-ctx-button")  # the largest context that fits this machine's free RAM
    page.wait_for_selector(".cu-ex04-ctx-out img[alt]", timeout=60_000)
    wait_match(page, "ex04-ctx-out", r"\d[\d,\s]* tokens")
    assert_language(page, lang)
    assert_clean(page)
    screenshot(page, SCREENSHOTS, f"04_readiness_audit_{lang}")


def _claim_index(field: str, value: float) -> int:
    """Position of one claim's checkbox among the 'spot the errors' boxes (the order ui.ex05 builds them)."""
    from course_utils.exercises import ex05

    keys = [(c["claimed"], c["field"]) for c in ex05.claim_cells()]
    return keys.index((value, field))


@pytest.mark.parametrize("lang", languages("05_benchmark_explorer.ipynb"))
def test_05_benchmark_explorer(page, lab, lang):
    start(page, lab, "05_benchmark_explorer.ipynb", lang)
    fill(page, "ex05-search", "opt-6.7b")
    page.wait_for_function("() => document.querySelector('.cu-ex05-matches select').options.length > 0")
    tagged(page, "ex05-matches").locator("select").select_option("facebook/opt-6.7b")
    click(page, "ex05-add")
    click(page, "ex05-compare")
    page.wait_for_selector(".cu-ex05-compare-out table.dataframe", timeout=60_000)
    # the two charts arrive one after the other (each is rendered to PNG in the kernel)
    page.wait_for_function("() => document.querySelectorAll('.cu-ex05-compare-out img, .cu-ex05-chart img').length"
                           " >= 2", timeout=60_000)
    before = tagged(page, "out-ex05-compared_models").inner_text()
    click(page, "check-ex05-compared_models")  # the explorer's own Check: models and use cases
    wait_changed(page, "out-ex05-compared_models", before)
    tagged(page, "ex05-cell").nth(_claim_index("hellaswag", 77.5)).locator("input").check()  # spot one error
    click(page, "check-ex05-spotted_errors")
    wait_match(page, "out-ex05-spotted_errors", out_of("ex05", "spotted_errors"))
    assert_language(page, lang)
    assert_clean(page)
    screenshot(page, SCREENSHOTS, f"05_benchmark_explorer_{lang}")


@pytest.mark.parametrize("lang", languages("06_cloud_vs_local.ipynb"))
def test_06_cloud_vs_local(page, lab, lang):
    start(page, lab, "06_cloud_vs_local.ipynb", lang)
    page.wait_for_selector(".cu-ex06-chart img")
    before = page.locator(".cu-ex06-chart pre").first.inner_text()
    handle = page.locator(".cu-ex06-input-hours_per_day .noUi-handle, .cu-ex06-input-hours_per_day .ui-slider-handle"
                          ).first
    handle.focus()
    for _ in range(4):
        handle.press("ArrowRight")
    page.wait_for_function("(b) => { const p = document.querySelector('.cu-ex06-chart pre');"
                           " return !!p && p.innerText !== b; }", arg=before)  # re-rendered with new numbers
    tagged(page, "ex06-pros-cons").locator("select").first.select_option(index=1)  # the first statement
    click(page, "check-ex06-pros_cons")
    wait_match(page, "out-ex06-pros_cons", out_of("ex06", "pros_cons"))
    before = tagged(page, "ex06-run-out").inner_text()
    click(page, "ex06-run")  # empty fields: the course's small model on a real llama.cpp server
    wait_changed(page, "ex06-run-out", before, timeout_s=180)  # or why it cannot (the Colab stack has no wheel)
    assert_language(page, lang)
    assert_clean(page)
    screenshot(page, SCREENSHOTS, f"06_cloud_vs_local_{lang}")


@pytest.mark.parametrize("lang", languages("instructor/grading_dashboard.ipynb"))
def test_instructor_dashboard(page, lab, lang):
    start(page, lab, "instructor/grading_dashboard.ipynb", lang)
    fill(page, "dash-folder", "sample_class")
    click(page, "dash-grade")
    wait_match(page, "dash-out", r"(^|\D)13(?!\d)")  # the 13 answer files of the sample class
    page.wait_for_function("() => document.querySelectorAll('.cu-dash-out img').length >= 2", timeout=60_000)
    assert_language(page, lang, save_row=False)
    assert_clean(page)
    screenshot(page, SCREENSHOTS, f"grading_dashboard_{lang}")


def test_a_raising_callback_is_caught_by_the_checks(page, lab):
    """Break a callback on purpose in a temporary copy: the suite must notice."""
    base, work = lab
    src = work / "notebooks" / "02_license_check.ipynb"
    broken = work / "notebooks" / "broken_02.ipynb"
    nb = json.loads(src.read_text())
    sabotage = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "id": "sabotage",
                "source": "import course_utils.ui.ex02 as _m\n_m.lookup = lambda *a, **k: 1 / 0"}
    nb["cells"].insert(2, sabotage)
    broken.write_text(json.dumps(nb))
    open_notebook(page, base, "broken_02.ipynb")
    run_all(page)
    fill(page, "ex02-repo", "facebook/opt-6.7b")
    click(page, "ex02-lookup")
    page.wait_for_selector(".course-unexpected-error")
    with pytest.raises(AssertionError, match="widget callback failed"):
        assert_clean(page)
    broken.unlink()
