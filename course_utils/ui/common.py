"""Shared widget helpers: showing results in an Output widget, safe callbacks, Save buttons.

Only widgets and traits present in both ipywidgets 7.7 and 8 are used here.
Results are written with ``Output.append_display_data``/``append_stdout`` (not ``with out:``),
which behave the same under nbval, nbclient, JupyterLab and Colab.
"""
from __future__ import annotations

import html
from typing import Any, Callable

from ..errors import CourseError

UNEXPECTED_CLASS = "course-unexpected-error"


def widgets():
    import ipywidgets

    return ipywidgets


def html_block(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def message_html(text: str, kind: str = "info") -> str:
    colours = {"info": "#1f4e79", "ok": "#1b6e20", "warn": "#8a5a00", "error": "#a01010"}
    icon = {"info": "ℹ️", "ok": "✅", "warn": "⚠️", "error": "❌"}[kind]
    return (f"<div class='course-msg course-msg-{kind}' style='color:{colours[kind]}'>"
            f"{icon} {html.escape(text)}</div>")


def clear(out) -> None:
    out.outputs = ()


def show(out, obj: Any, clear_first: bool = False) -> None:
    """Append a result to an Output widget: HTML-capable objects as HTML, figures as images, text as text."""
    if clear_first:
        clear(out)
    if obj is None:
        return
    if isinstance(obj, str):
        out.append_stdout(obj if obj.endswith("\n") else obj + "\n")
        return
    if hasattr(obj, "savefig"):  # a matplotlib figure
        import matplotlib.pyplot as plt
        from IPython.display import Image
        import io

        buf = io.BytesIO()
        obj.savefig(buf, format="png", bbox_inches="tight", dpi=90)
        plt.close(obj)
        out.append_display_data(Image(data=buf.getvalue(), format="png"))
        return
    out.append_display_data(obj)


def show_message(out, text: str, kind: str = "info", clear_first: bool = False) -> None:
    show(out, html_block(message_html(text, kind)), clear_first=clear_first)


def run_safely(out, fn: Callable[[], Any], clear_first: bool = True) -> Any:
    """Call fn and show its result; a CourseError becomes a clear message, anything else a
    short apology marked with UNEXPECTED_CLASS (browser tests look for it)."""
    if clear_first:
        clear(out)
    try:
        result = fn()
    except CourseError as exc:
        show_message(out, str(exc), "error")
        return None
    except Exception as exc:  # noqa: BLE001 - a learner never sees a traceback
        show(out, html_block(
            f"<div class='{UNEXPECTED_CLASS}' style='color:#a01010'>❌ Something went wrong inside the course "
            f"code ({html.escape(type(exc).__name__)}: {html.escape(str(exc))}). Your recorded answers are "
            f"safe. Please tell your instructor.</div>"))
        return None
    if isinstance(result, (list, tuple)):
        for item in result:
            show(out, item)
    else:
        show(out, result)
    return result


def on_click(button, out, fn: Callable[[], Any]) -> None:
    """Wire a Button to fn through run_safely."""
    button.on_click(lambda _b: run_safely(out, fn))


def save_row(exercise: str):
    """A 'Save answers' button with its Output widget, for the bottom of every exercise notebook."""
    from .. import answers

    w = widgets()
    button = w.Button(description="Save answers", button_style="success", icon="save")
    out = w.Output()

    def _save():
        result = answers.save(exercise)
        return html_block(message_html(result.message, "ok"))

    on_click(button, out, _save)
    return w.VBox([button, out])


def picker_question(exercise: str, question_id: str, items, options, button_label: str = "Check",
                    label_width: str = "260px", width: str = "520px"):
    """One Dropdown per item (an answer of the form {item: choice}), recorded and checked on click.

    Returns (the pickers' VBox, the Check button, its Output) so a caller can add context around them.
    """
    from .. import answers
    from ..grading import check_question

    w = widgets()
    saved = answers.store().get(exercise, question_id, {}) or {}
    pickers = {item: w.Dropdown(options=options, value=saved.get(item, ""), description=item,
                                style={"description_width": label_width}, layout=w.Layout(width=width))
               for item in items}
    button = w.Button(description=button_label, button_style="primary")
    out = w.Output()

    def check():
        given = {item: p.value for item, p in pickers.items()}
        answers.record(exercise, question_id, given)
        return check_question(exercise, question_id, given)

    on_click(button, out, check)
    return w.VBox(list(pickers.values())), button, out


def text_answer(exercise: str, question_id: str, prompt: str, rows: int = 6):
    """A free-text answer that is recorded as the learner types (nothing is lost on Save)."""
    from .. import answers

    w = widgets()
    box = w.Textarea(value=answers.store().get(exercise, question_id, "") or "", placeholder="Type here…",
                     layout=w.Layout(width="95%", height=f"{rows * 1.6:.0f}em"))
    counter = w.HTML()

    def update(change=None):
        text = box.value
        answers.record(exercise, question_id, text)
        counter.value = f"<small>{len(text.split())} words — recorded</small>"

    box.observe(update, names="value")
    if box.value:
        update()
    button = w.Button(description="Check")
    out = w.Output()

    def check():
        from ..grading import check_question

        return check_question(exercise, question_id, box.value)

    on_click(button, out, check)
    return w.VBox([w.HTML(f"<b>{html.escape(prompt)}</b>"), box, counter, button, out])
