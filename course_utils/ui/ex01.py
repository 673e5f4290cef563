"""Notebook 01 (open-source levels): matrix quiz, model classification, both scales, free-text answers.

Widgets only: the options, labels, facts and checks come from :mod:`course_utils.exercises.ex01`
(text in the language in force when the widget is built). Test classes (``cu-...``):
``ex01-matrix-<level>-<capability>``, ``ex01-classify-<model>``, ``ex01-osaid-<model>-{level,osaid,reason}``
(model = :func:`slug` of the repo id), ``ex01-comparison-text``, ``ex01-healthcare-text``; the Check
buttons carry ``check-ex01-<question>``.
"""
from __future__ import annotations

import html
import re

from ..exercises import ex01 as spec
from .common import Question, picker_question, tag, text_answer, widgets

EX = "ex01"


def slug(repo_id: str) -> str:
    """A repo id as a CSS-class-safe word: 'allenai/OLMo-7B' -> 'allenai-olmo-7b'."""
    return re.sub(r"[^a-z0-9]+", "-", repo_id.lower()).strip("-")


def table_html(head: list[str], rows: list[list[str]]) -> str:
    """A plain table with the catalog's source note under it (every cell escaped)."""
    from ..i18n import t

    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{th}</tr>{body}</table><p><i>{html.escape(t('ex01.facts.source'))}</i></p>"


def matrix_quiz():
    """A 4 x 3 grid of answers; 'Check matrix' gives per-cell feedback and records the answers."""
    from ..i18n import t

    w = widgets()
    q = Question(EX, "matrix", {})
    options = spec.answer_options()
    widths = ["280px"] + ["190px"] * len(spec.MATRIX_LEVELS)
    rows = [w.HBox([w.HTML(f"<b>{html.escape(h)}</b>", layout=w.Layout(width=wd))
                    for h, wd in zip(spec.matrix_header(), widths)])]
    cells: dict[str, dict[str, object]] = {}
    for cap, question in spec.matrix_rows():
        line = [w.HTML(html.escape(question), layout=w.Layout(width=widths[0]))]
        for lvl in spec.MATRIX_LEVELS:
            dd = tag(w.Dropdown(options=options, value=q.part(lvl, cap, options=options),
                                layout=w.Layout(width="190px")), f"ex01-matrix-{lvl}-{cap}")
            cells.setdefault(lvl, {})[cap] = dd
            line.append(dd)
        rows.append(w.HBox(line))
    button, out = q.check_button(lambda: {lvl: {cap: dd.value for cap, dd in caps.items()}
                                          for lvl, caps in cells.items()}, t("ex01.matrix.button"),
                                 button_style="primary")
    return tag(w.VBox(rows + [button, out]), "ex01-matrix")


def facts_table(models=spec.CLASSIFY_MODELS) -> str:
    return table_html(*spec.classify_facts(models))


def classify_models(models=spec.CLASSIFY_MODELS):
    """The release facts of real models and a level picker per model, with feedback."""
    from ..i18n import t

    w = widgets()
    pickers, button, out = picker_question(EX, "classify", models, spec.level_options(), t("ex01.classify.button"))
    for repo_id, picker in zip(models, pickers.children):
        tag(picker, f"ex01-classify-{slug(repo_id)}")
    return tag(w.VBox([w.HTML(facts_table(models)), *pickers.children, button, out]), "ex01-classify")


def _text_box(question_id: str, prompt: str):
    box = text_answer(EX, question_id, prompt)
    tag(box.children[1], f"ex01-{question_id}-text")
    return box


def comparison_box():
    from ..i18n import t

    return _text_box("comparison", t("ex01.comparison.prompt"))


def healthcare_box():
    from ..i18n import t

    return _text_box("healthcare", t("ex01.healthcare.prompt"))


def osaid_facts_table(models=spec.OSAID_MODELS) -> str:
    """What each model released and under which licence, from the catalog (no verdicts)."""
    return table_html(*spec.osaid_facts(models))


def both_scales_quiz(models=spec.OSAID_MODELS):
    """Per model: a level, Open Source AI yes/no and the reason; 'Check both scales' gives feedback."""
    from ..i18n import t

    w = widgets()
    q = Question(EX, "open_source_ai", {})
    options = {"level": spec.level_options(), "osaid": spec.verdict_options(), "reason": spec.reason_options()}
    widths = {"model": "300px", "level": "170px", "osaid": "120px", "reason": "440px"}
    pickers: dict[str, dict[str, object]] = {}
    lines = []
    for repo_id in models:
        row = {part: tag(w.Dropdown(options=opts, value=q.part(repo_id, part, options=opts),
                                    layout=w.Layout(width=widths[part])), f"ex01-osaid-{slug(repo_id)}-{part}")
               for part, opts in options.items()}
        pickers[repo_id] = row
        lines.append(w.HBox([w.HTML(html.escape(repo_id), layout=w.Layout(width=widths["model"])), *row.values()]))
    heads = (("model", "model"), ("level", "level"), ("verdict", "osaid"), ("reason", "reason"))
    head = w.HBox([w.HTML(f"<b>{html.escape(t(f'ex01.osaid.head.{key}'))}</b>", layout=w.Layout(width=widths[part]))
                   for key, part in heads])
    button, out = q.check_button(lambda: {m: {k: dd.value for k, dd in row.items()} for m, row in pickers.items()},
                                 t("ex01.osaid.button"), button_style="primary")
    return tag(w.VBox([w.HTML(osaid_facts_table(models)), head, *lines, button, out]), "ex01-osaid")
