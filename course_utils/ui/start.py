"""Notebook 00: the course language, the learner-name box and the links to the exercises."""
from __future__ import annotations

import html
from pathlib import Path

from .. import answers, i18n
from ..exercises import EXERCISES
from ..i18n import t
from .common import html_block, message_html, on_click, run_safely, tag, wide_button, widgets


def here_language(folder: str | Path | None = None) -> str:
    """The language edition a notebook folder holds: 'fr' for notebooks/fr, else English."""
    name = Path(folder if folder is not None else Path.cwd()).name
    return name if name in i18n.LANGUAGES and name != i18n.DEFAULT else i18n.DEFAULT


def notebook_href(notebook: str, lang: str, here: str = i18n.DEFAULT) -> str:
    """Where ``notebook`` in language ``lang`` is, relative to a notebook of the ``here`` edition.

    English notebooks are in notebooks/, the others in notebooks/<lang>/ (same file names)."""
    if lang == here:
        return notebook
    target = notebook if lang == i18n.DEFAULT else f"{lang}/{notebook}"
    return target if here == i18n.DEFAULT else f"../{target}"


def exercise_links(lang: str | None = None, here: str | None = None) -> str:
    """The exercises' links in ``lang`` (the language in force), seen from the ``here`` edition's folder."""
    lang = lang or i18n.language()
    here = here or here_language()
    items = "".join(f"<li><a href='{html.escape(notebook_href(e.notebook, lang, here))}'>{html.escape(e.id[2:])}. "
                    f"{html.escape(t(f'{e.id}.title', lang))}</a></li>" for e in EXERCISES.values())
    return f"<ol class='cu-start-links' style='list-style:none;padding-left:0'>{items}</ol>"


def links(here: str | None = None):
    return html_block(exercise_links(here=here))


# ---------------------------------------------------------------- the language


def choose_language(lang: str, here: str | None = None) -> list:
    """What choosing a language shows: it is remembered for every notebook; then the links in it."""
    code = answers.remember_language(lang)
    return [html_block(message_html(t("start.lang.chosen", code), "ok")),
            html_block(exercise_links(code, here))]


def language_box(here: str | None = None):
    """English / Français: the choice is remembered beside the learner's name and shows the links."""
    w = widgets()
    current = i18n.language()
    pick = tag(w.ToggleButtons(options=[(name, code) for code, name in i18n.LANGUAGES.items()], value=current,
                               description=t("start.lang.label")), "start-lang")
    out = tag(w.Output(), "start-lang-out")

    def changed(change):
        run_safely(out, lambda: choose_language(change["new"], here))

    pick.observe(changed, names="value")
    return w.VBox([pick, out])


# ---------------------------------------------------------------- the learner


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
    name = tag(w.Text(value=known[0] if known else "", description=t("start.name.label"),
                      placeholder=t("start.name.placeholder"), style={"description_width": "initial"}),
               "start-name")
    button = tag(wide_button(t("start.name.button"), button_style="primary"), "start-remember")
    out = tag(w.Output(), "start-out")
    if known:
        out.append_display_data(html_block(message_html(t("start.name.welcome_back", name=known[0]), "ok")))
    on_click(button, out, lambda: remember(name.value))
    return w.VBox([w.HBox([name, button]), out])
