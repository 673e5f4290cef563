"""Steps a learner takes in JupyterLab, as Playwright calls with bounded waits."""
from __future__ import annotations

import re
import time
from pathlib import Path

RUN_ALL_TIMEOUT_S = 180
WIDGET_ERRORS = re.compile(r"widget|jupyter-widgets|Module .* is not registered|Class .* not found", re.I)


_COUNTER = iter(range(1_000_000))


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


def output_text(page, locator) -> str:
    return locator.inner_text(timeout=30_000)


def click_button(page, label: str, nth: int = 0) -> None:
    page.locator(f"button.jupyter-button:has-text('{label}')").nth(nth).click()


def wait_text(page, text: str, timeout_s: float = 60) -> None:
    page.wait_for_selector(f".widget-output :text('{text}')", timeout=timeout_s * 1000)


def wait_any_text(page, pattern: str, timeout_s: float = 60) -> None:
    page.wait_for_selector(f".widget-output :text-matches('{pattern}')", timeout=timeout_s * 1000)


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
