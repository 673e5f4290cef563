"""Steps a learner takes in JupyterLab, as Playwright calls with bounded waits.

Widgets are found by their test classes (``cu-<name>``, added by ``course_utils.ui.common.tag``; see
the ui modules) or by their role, never by the text they show, so the same steps drive the English
and the French notebooks. What a test expects to read comes from the message catalogs
(``i18n.t(id, lang)``) or from numbers and model ids, which are the same in every language.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

RUN_ALL_TIMEOUT_S = 180
WIDGET_ERRORS = re.compile(r"widget|jupyter-widgets|Module .* is not registered|Class .* not found", re.I)
ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "fr")


_COUNTER = iter(range(1_000_000))


def notebook_path(name: str, lang: str) -> str:
    """Where a notebook of that language lives, relative to notebooks/ (French ones in notebooks/fr/)."""
    return name if lang == "en" else f"{lang}/{name}"


def built(name: str, lang: str) -> bool:
    return (ROOT / "notebooks" / notebook_path(name, lang)).is_file()


def open_notebook(page, base: str, path: str) -> None:
    """Open one notebook in a fresh workspace (no tabs restored from an earlier test)."""
    page.goto(f"{base}/lab/workspaces/t{next(_COUNTER)}/tree/{path}?reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook", state="visible")
    page.wait_for_function("window.jupyterapp !== undefined && window.jupyterapp.shell !== undefined")
    wait_kernel_idle(page)


def wait_kernel_idle(page, timeout_s: float = 90) -> None:
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget;
                   const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
                   return !!k && k.status === 'idle'; }""", timeout=timeout_s * 1000)


def run_all(page) -> None:
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline = time.monotonic() + RUN_ALL_TIMEOUT_S
    time.sleep(0.5)
    while time.monotonic() < deadline:
        busy = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-InputArea-prompt'))
                                 .some(p => p.textContent.includes('*'))""")
        if not busy:
            wait_kernel_idle(page)
            return
        time.sleep(0.5)
    raise AssertionError("the notebook did not finish running within the time limit")


def tagged(page, name: str):
    """The widget(s) marked ``tag(widget, name)`` (CSS class ``cu-<name>``)."""
    return page.locator(f".cu-{name}")


def click(page, name: str, nth: int = 0) -> None:
    tagged(page, name).nth(nth).click()


def fill(page, name: str, text: str) -> None:
    """Type into a tagged Text/Textarea widget (its input element)."""
    tagged(page, name).locator("input, textarea").first.fill(text)


def wait_match(page, name: str, pattern: str, timeout_s: float = 60) -> None:
    """Wait until the tagged widget's text matches the regular expression ``pattern`` (JavaScript syntax)."""
    page.wait_for_function(
        """([cls, source]) => { const el = document.querySelector('.' + cls);
                                return !!el && new RegExp(source).test(el.innerText); }""",
        arg=[f"cu-{name}", pattern], timeout=timeout_s * 1000)


def wait_changed(page, name: str, before: str, timeout_s: float = 60) -> None:
    """Wait until the tagged widget shows something other than ``before`` and the kernel is idle."""
    page.wait_for_function(
        """([cls, before]) => { const el = document.querySelector('.' + cls);
                                return !!el && el.innerText.trim() !== '' && el.innerText !== before; }""",
        arg=[f"cu-{name}", before], timeout=timeout_s * 1000)
    wait_kernel_idle(page, timeout_s)


def score(right: float, total: float) -> str:
    """A pattern for 'right/total' as any language writes it (1.5 or 1,5)."""
    def num(x: float) -> str:
        return re.escape(f"{x:g}").replace(r"\.", "[.,]")
    return rf"(^|[^\d]){num(right)}\s*/\s*{num(total)}(?![\d])"


def assert_language(page, lang: str, save_row: bool = True) -> None:
    """The page speaks ``lang``: the setup table's labels and the Save button are that catalog's text."""
    from course_utils import i18n

    where = i18n.t("env.row.where", lang)
    cells = [c.strip() for c in page.locator(".jp-OutputArea-output th").all_inner_texts()]
    assert where in cells, f"the setup table does not read {lang!r}: expected {where!r} among {cells[:8]}"
    if save_row:
        save = tagged(page, "save").first
        save.scroll_into_view_if_needed()  # JupyterLab renders far-away cells lazily
        page.wait_for_function("() => { const b = document.querySelector('.cu-save');"
                               " return !!b && b.innerText.trim().length > 0; }", timeout=30_000)
        label = save.inner_text().strip()
        assert label == i18n.t("common.save.button", lang), f"the Save button reads {label!r} in a {lang!r} notebook"


def assert_clean(page) -> None:
    """No cell shows an error, no callback hit an unexpected error, no widget errors in the console."""
    tracebacks = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    bad = [t for t in (tracebacks.nth(i).inner_text() for i in range(tracebacks.count()))
           if "Traceback" in t or re.search(r"^\w*Error\b", t, re.M)]
    assert not bad, f"a cell shows an error: {bad[0][:500]}"
    unexpected = page.locator(".course-unexpected-error")
    assert unexpected.count() == 0, f"a widget callback failed: {unexpected.first.inner_text()[:300]}"
    widget_errors = [m for m in page.console_errors if WIDGET_ERRORS.search(m)]
    assert not widget_errors, f"browser console: {widget_errors[:3]}"


def screenshot(page, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)
