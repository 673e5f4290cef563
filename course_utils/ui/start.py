"""Notebook 00: the learner-name box and the links to the exercises."""
from __future__ import annotations

import html

from .. import answers
from ..exercises import EXERCISES
from .common import html_block, message_html, on_click, widgets
from .common import tag


def remember(name: str):
    """What 'Remember me' shows: a greeting, as a warning when the file name is someone else's."""
    message = answers.remember_learner(name)
    known = answers.current_learner()
    clash = known is not None and answers.slug_owners(*known)
    return html_block(message_html(message, "warn" if clash else "ok"))


def learner_box():
    """A name box with a 'Remember me' button; shows who is remembered already."""
    w = widgets()
    known = answers.current_learner()
    name = w.Text(value=known[0] if known else "", description="Your name", placeholder="e.g. Ada Lovelace")
    button = w.Button(description="Remember me", button_style="primary")
    out = w.Output()
    tag(name, "start-name")
    tag(button, "start-remember")
    tag(out, "start-out")
    if known:
        out.append_display_data(html_block(message_html(f"Welcome back, {known[0]}.", "ok")))
    on_click(button, out, lambda: remember(name.value))
    return w.VBox([w.HBox([name, button]), out])


def exercise_links() -> str:
    items = "".join(f"<li><a href='{html.escape(e.notebook)}'>{html.escape(e.id[2:])}. "
                    f"{html.escape(e.title)}</a></li>" for e in EXERCISES.values())
    return f"<ol style='list-style:none;padding-left:0'>{items}</ol>"


def links():
    return html_block(exercise_links())
