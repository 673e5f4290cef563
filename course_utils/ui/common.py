"""Shared widget helpers: showing results in an Output widget, safe callbacks, Save buttons.

Only widgets and traits present in both ipywidgets 7.7 and 8 are used here.
Results are written with ``Output.append_display_data``/``append_stdout`` (not ``with out:``),
which behave the same under nbval, nbclient, JupyterLab and Colab.
"""
from __future__ import annotations

import html
from typing import Any, Callable

from ..errors import CourseError
from ..i18n import number, t, tn

UNEXPECTED_CLASS = "course-unexpected-error"


def widgets():
    import ipywidgets

    return ipywidgets


def tag(widget, *names: str):
    """Mark a widget for tests and styling: a CSS class ``cu-<name>`` per name (ipywidgets 7 and 8),
    e.g. ``cu-check-ex02-checklist_model_1``. Browser tests find widgets by these, never by their text."""
    for name in names:
        widget.add_class(f"cu-{name}")
    return widget


def describe_figure(fig) -> str:
    """A chart in words when its maker gave none: titles, axes and, for bars, each bar's value."""
    parts = []
    for ax in fig.axes:
        title = ax.get_title() or (fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else "")
        bits = [title] if title else []
        labels = [tick.get_text() for tick in ax.get_xticklabels()]
        for container in ax.containers:
            heights = [bar.get_height() for bar in container]
            if labels and len(labels) == len(heights):
                bits.append(", ".join(f"{lab}: {number(h, '.3g')}" for lab, h in zip(labels, heights)))
        axes = " / ".join(x for x in (ax.get_xlabel(), ax.get_ylabel()) if x)
        if axes:
            bits.append(t("common.chart.axes", axes=axes))
        if bits:
            parts.append("; ".join(bits))
    return ". ".join(parts) or t("common.chart.untitled")


def chart_html(fig, alt: str | None = None) -> str:
    """A matplotlib figure as an <img> whose alt text a screen reader reads, and the same words under it
    (folded) for everyone; the figure is closed. Without ``alt`` the words come from describe_figure."""
    import base64
    import io

    import matplotlib.pyplot as plt

    alt = alt or describe_figure(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=90)
    plt.close(fig)
    src = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    return (f"<figure class='cu-chart' style='margin:0.5em 0'><img src='{src}' alt='{html.escape(alt, quote=True)}'"
            f" style='max-width:100%'/><figcaption><details><summary>{html.escape(t('common.chart.in_words'))}"
            f"</summary><p>{html.escape(alt)}</p></details></figcaption></figure>")


def wide_button(description: str, **options):
    """A Button as wide as its label (ipywidgets' fixed width cuts longer French labels short)."""
    w = widgets()
    options.setdefault("layout", w.Layout(width="auto"))
    return w.Button(description=description, **options)


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
    if hasattr(obj, "savefig"):  # a matplotlib figure: an image with its alt text
        out.append_display_data(html_block(chart_html(obj, getattr(obj, "course_alt", None))))
        return
    out.append_display_data(obj)


def show_message(out, text: str, kind: str = "info", clear_first: bool = False) -> None:
    show(out, html_block(message_html(text, kind)), clear_first=clear_first)


def run_safely(out, fn: Callable[[], Any], clear_first: bool = True, progress: str | None = None) -> Any:
    """Call fn and show its result; a CourseError becomes a clear message, anything else a
    short apology marked with UNEXPECTED_CLASS (browser tests look for it). ``progress``: a message
    shown while fn runs (a click that takes seconds), then replaced by what fn gives."""
    if clear_first:
        clear(out)
    if progress:
        show_message(out, progress, "info")
    replace = bool(progress and clear_first)  # appended output (clear_first=False) keeps the message above
    try:
        result = fn()
    except CourseError as exc:
        show_message(out, str(exc), "error", clear_first=replace)
        return None
    except Exception as exc:  # noqa: BLE001 - a learner never sees a traceback
        show(out, html_block(
            f"<div class='{UNEXPECTED_CLASS}' style='color:#a01010'>❌ "
            f"{html.escape(t('common.unexpected', error=f'{type(exc).__name__}: {exc}'))}</div>"), clear_first=replace)
        return None
    if replace:
        clear(out)
    if isinstance(result, (list, tuple)):
        for item in result:
            show(out, item)
    else:
        show(out, result)
    return result


def on_click(button, out, fn: Callable[[], Any], progress: Callable[[], str | None] | None = None) -> None:
    """Wire a Button to fn through run_safely; ``progress`` gives the message to show while fn runs (or None)."""
    button.on_click(lambda _b: run_safely(out, fn, progress=progress() if progress else None))


def option_value(value: Any, options, default: Any = "") -> Any:
    """value if a Dropdown with these options can show it, else default (a widget never fails to build)."""
    values = [o[1] if isinstance(o, (tuple, list)) and len(o) == 2 else o for o in options]
    return value if value in values else default


_NONE = object()


def _fits(value: Any, default: Any) -> bool:
    """Whether value can go where default goes (a Text gets text, a FloatText a number...)."""
    if default is None or value is None:
        return value is None or default is None
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))


class Question:
    """One question as the widgets see it: where they start, how they record and check.

    ``initial`` is the learner's answer (this kernel's, else the saved file's, else default);
    ``check`` records a value (blanks never replace saved answers) and grades what was kept.
    """

    def __init__(self, exercise: str, question_id: str, default: Any = None):
        from .. import answers

        self.exercise, self.question_id = exercise, question_id
        initial = answers.restored(exercise, question_id, default)
        self.initial = initial if _fits(initial, default) else default

    def part(self, *keys: str, default: Any = "", options=None) -> Any:
        """A field of a dict answer (``part("fully_open", "retrain")`` for nested ones) to start a
        widget from; default when missing, of another type, or not among options."""
        value: Any = self.initial
        for key in keys:
            value = value.get(key, _NONE) if isinstance(value, dict) else _NONE
        if value is _NONE or not _fits(value, default):
            return default
        return value if options is None else option_value(value, options, default)

    def record(self, value: Any) -> None:
        from .. import answers

        answers.record(self.exercise, self.question_id, value)

    def check(self, value: Any):
        """Record value, then the Check result for what is kept (with a note if that differs)."""
        import json

        from .. import answers
        from ..checking import check_question

        self.record(value)
        kept = answers.restored(self.exercise, self.question_id, value)  # what Save will write
        result = check_question(self.exercise, self.question_id, kept)
        if json.loads(json.dumps(value)) != kept:
            return [result, html_block(message_html(kept_note(), "info"))]
        return result

    def check_button(self, read: Callable[[], Any], description: str | None = None, **style):
        """A Button that checks ``read()`` and its Output widget (labelled "Check" in the course language)."""
        w = widgets()
        style.setdefault("layout", w.Layout(width="auto"))  # a label never cut short ("Vérifier la matrice")
        button = tag(w.Button(description=description or t("common.check"), **style),
                     f"check-{self.exercise}-{self.question_id}")
        out = tag(w.Output(), f"out-{self.exercise}-{self.question_id}")
        on_click(button, out, lambda: self.check(read()))
        return button, out


def kept_note() -> str:
    """Said under a Check result when blank parts kept the saved answer."""
    return t("common.kept_note")


KEPT_NOTE = t("common.kept_note", "en")  # the English text, for older callers; widgets use kept_note()


def save_message(exercise: str):
    """What Save shows: the save result as a message (a warning when some answer was not kept)."""
    from .. import answers

    result = answers.save(exercise)
    return html_block(message_html(result.message, result.kind))


def clear_message(exercise: str, question_id: str):
    from .. import answers

    if not question_id:
        return html_block(message_html(t("common.clear.pick_first"), "warn"))
    return html_block(message_html(answers.clear(exercise, question_id), "ok"))


def question_ids(exercise: str) -> list[str]:
    """The exercise's questions (answer key order), then any other recorded or saved answer."""
    from .. import answers

    try:
        from ..checking import course_key

        ids = [q["id"] for q in course_key()["exercises"][exercise]["questions"]]
    except Exception:  # noqa: BLE001 - the list only helps the learner pick; never fail the row
        ids = []
    for q in [*answers.store().saved(exercise), *answers.store().answers(exercise)]:
        if q not in ids:
            ids.append(q)
    return ids


def question_label(exercise: str, question_id: str) -> str:
    """What a learner reads for a question: the catalog's ``<exercise>.question.<id>``, else its id."""
    from ..i18n import label

    return label(f"{exercise}.question.{question_id}", question_id)


def save_row(exercise: str):
    """'Save answers' with its Output, then 'Clear an answer' (the explicit way to remove one)."""
    w = widgets()
    button = tag(w.Button(description=t("common.save.button"), button_style="success", icon="save",
                          layout=w.Layout(width="auto")), "save")  # "Enregistrer mes réponses" in full
    out = tag(w.Output(), "save-out")
    on_click(button, out, lambda: save_message(exercise))
    which = w.Dropdown(options=[("—", "")] + [(question_label(exercise, q), q) for q in question_ids(exercise)], value="",
                       description=t("common.clear.which"), style={"description_width": "initial"})
    clear_button = tag(w.Button(description=t("common.clear.button"), button_style="warning",
                                layout=w.Layout(width="auto")), "clear")
    clear_out = tag(w.Output(), "clear-out")
    tag(which, "clear-which")
    on_click(clear_button, clear_out, lambda: clear_message(exercise, which.value))
    return w.VBox([button, out, w.HBox([which, clear_button]), clear_out])


def picker_question(exercise: str, question_id: str, items, options, button_label: str | None = None,
                    label_width: str = "260px", width: str = "520px"):
    """One Dropdown per item (an answer of the form {item: choice}), recorded and checked on click.

    Returns (the pickers' VBox, the Check button, its Output) so a caller can add context around them.
    """
    w = widgets()
    q = Question(exercise, question_id, {})
    pickers = {item: tag(w.Dropdown(options=options, value=q.part(item, options=options), description=item,
                                    style={"description_width": label_width}, layout=w.Layout(width=width)),
                         f"pick-{exercise}-{question_id}")
               for item in items}
    button, out = q.check_button(lambda: {item: p.value for item, p in pickers.items()}, button_label,
                                 button_style="primary")
    return w.VBox(list(pickers.values())), button, out


def record_quietly(exercise: str, question_id: str, value: Any) -> bool:
    """Record from a widget that has no Output of its own; an answer that cannot be kept is not
    raised into the kernel: the store remembers it and Save says it was not kept."""
    from .. import answers
    from ..errors import AnswerError

    try:
        answers.record(exercise, question_id, value)
    except AnswerError:
        return False
    return True


def text_status(exercise: str, question_id: str, text: str) -> tuple[str, str]:
    """Record typed text; (kind, what the counter says). Too long: not recorded, and it says so."""
    from .. import answers
    from ..errors import AnswerError

    try:
        answers.record(exercise, question_id, text)
    except AnswerError as exc:
        return "error", str(exc)
    words = len(text.split())
    if not text.strip():
        if not answers.is_blank(answers.restored(exercise, question_id)):
            return "warn", t("common.text.empty_kept")
        return "info", t("common.text.no_words")
    return "ok", tn("common.text.recorded", words)


def text_answer(exercise: str, question_id: str, prompt: str, rows: int = 6):
    """A free-text answer that starts from the saved text and is recorded as the learner types."""
    w = widgets()
    q = Question(exercise, question_id, "")
    box = w.Textarea(value=q.initial if isinstance(q.initial, str) else "", placeholder=t("common.text.placeholder"),
                     layout=w.Layout(width="95%", height=f"{rows * 1.6:.0f}em"))
    counter = w.HTML()
    colours = {"ok": "#1b6e20", "info": "#555", "warn": "#8a5a00", "error": "#a01010"}

    def update(change=None):
        kind, text = text_status(exercise, question_id, box.value)
        counter.value = f"<small style='color:{colours[kind]}'>{html.escape(text)}</small>"

    box.observe(update, names="value")
    if box.value:
        update()
    button, out = q.check_button(lambda: box.value)
    return w.VBox([w.HTML(f"<b>{html.escape(prompt)}</b>"), box, counter, button, out])
