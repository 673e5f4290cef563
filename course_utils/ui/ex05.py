"""Notebook 05 (benchmark explorer): search-as-you-type picker, comparison, charts, spot the errors.

Widgets only wire inputs to functions (``benchmarks``, ``exercises.ex05``) and show their results;
the picked list is an :class:`~course_utils.exercises.ex05.Picks`, the claimed table and which of its
cells count are declared in ``exercises/ex05.py``. Every text comes from the catalogs.
"""
from __future__ import annotations

import html
import re

from .. import benchmarks
from ..exercises import ex05
from ..grading import check_question
from ..i18n import number, t
from .common import Question, chart_html, html_block, message_html, on_click, record_quietly, run_safely, tag, wide_button, widgets

EX = ex05.EX
HIDDEN_COLUMNS = ("source", "license_source", "params_source")


def _header(column: str) -> str:
    if column in benchmarks.LABELS:
        return benchmarks.bench_label(column)
    return t(f"ex05.column.{column}")


def comparison_html(df) -> str:
    """The comparison table with headers a learner reads, what each benchmark measures, and the source."""
    cols = [c for c in df.columns if c not in HIDDEN_COLUMNS and not (c == "note" and not df[c].astype(bool).any())]
    shown = df[cols].assign(license_id=df["license_id"].map(benchmarks.licence_label)) if "license_id" in cols else df[cols]
    shown = shown.rename(columns={c: _header(c) for c in cols})
    table = shown.to_html(index=False, na_rep="—", float_format=lambda x: number(x, ".2f"), classes="dataframe")
    about = "".join(f"<li>{html.escape(benchmarks.about(b))}</li>"
                    for b in (*benchmarks.BENCHMARKS[df.attrs["version"]], "average"))
    return (f"<p><b>{html.escape(df.attrs['scale'])}</b></p>{table}"
            f"<details><summary>{html.escape(t('ex05.about_benchmarks'))}</summary><ul>{about}</ul></details>"
            f"<p><small>{html.escape(t('ex05.scores_source', source=df['source'].iloc[0]))}</small></p>")


def compare_outputs(picks: ex05.Picks, version: int, cases) -> list:
    """What Compare shows: a note on models left out, the table, and the two charts with their alt text."""
    df = ex05.explore(picks, version)
    cases.children = tuple(use_case_box(rid) for rid in df["repo_id"])
    shown = [html_block(message_html(note, "warn")) for note in df.attrs.get("notes", ())]
    return shown + [html_block(comparison_html(df)),
                    html_block(chart_html(benchmarks.plot_scores(df), benchmarks.describe_scores(df))),
                    html_block(chart_html(benchmarks.plot_score_vs_size(df), benchmarks.describe_score_vs_size(df)))]


def explorer():
    w = widgets()
    picks = ex05.Picks()
    version = tag(w.ToggleButtons(options=[(t("ex05.version.v1"), 1), (t("ex05.version.v2"), 2)],
                                  value=ex05.DEFAULT_VERSION, description=t("ex05.version.label"),
                                  style={"description_width": "initial"}), "ex05-version")
    query = tag(w.Text(description=t("ex05.search.label"), placeholder=t("ex05.search.placeholder"),
                       continuous_update=True, layout=w.Layout(width="520px"),
                       style={"description_width": "initial"}), "ex05-search")
    hits = tag(w.SelectMultiple(options=[], rows=8, description=t("ex05.matches"), layout=w.Layout(width="520px"),
                                style={"description_width": "initial"}), "ex05-matches")
    add = tag(w.Button(description=t("ex05.add"), layout=w.Layout(width="auto")), "ex05-add")
    clear = tag(wide_button(t("ex05.clear")), "ex05-clear")
    order = w.HTML(f"<small>{html.escape(t('ex05.search.order'))}</small>")
    chosen = tag(w.HTML(), "ex05-picked")
    compare_button = tag(wide_button(t("ex05.compare"), button_style="primary"), "ex05-compare")
    out = tag(w.Output(), "ex05-chart", "ex05-compare-out")
    cases = tag(w.VBox(), "ex05-use-cases")

    def refresh_chosen():
        chosen.value = f"<b>{html.escape(t('ex05.picked_label'))}</b> {html.escape(picks.shown())}"

    def on_query(change=None):
        hits.options = benchmarks.search_ids(query.value, version.value)

    def on_add():
        picks.add(hits.value)
        refresh_chosen()

    def on_clear(_b=None):
        picks.clear()
        refresh_chosen()

    query.observe(on_query, names="value")
    version.observe(on_query, names="value")
    add.on_click(lambda b: run_safely(out, on_add, clear_first=False))
    clear.on_click(on_clear)
    on_click(compare_button, out, lambda: compare_outputs(picks, version.value, cases))
    refresh_chosen()
    check_button = tag(wide_button(t("ex05.check")), f"check-{EX}-{ex05.COMPARED}")
    check_out = tag(w.Output(), f"out-{EX}-{ex05.COMPARED}")
    on_click(check_button, check_out, lambda: [
        check_question(EX, ex05.COMPARED, Question(EX, ex05.COMPARED, []).initial),
        check_question(EX, ex05.USE_CASES, Question(EX, ex05.USE_CASES, {}).initial)])
    return w.VBox([version, query, hits, w.HBox([add, clear, order]), chosen, compare_button, out,
                   w.HTML(f"<b>{html.escape(t('ex05.use_cases.title'))}</b> {html.escape(t('ex05.use_cases.when'))}"),
                   cases, check_button, check_out])


def use_case_box(repo_id: str):
    w = widgets()
    box = tag(w.Text(value=Question(EX, ex05.USE_CASES, {}).part(repo_id), description=repo_id.split("/")[-1],
                     placeholder=t("ex05.use_cases.placeholder"), layout=w.Layout(width="680px"),
                     style={"description_width": "initial"}), "ex05-use-case")
    box.observe(lambda change: record_quietly(EX, ex05.USE_CASES, {repo_id: change["new"]}), names="value")
    return box


def claims_table_html() -> str:
    fields = ex05.CLAIM_FIELDS
    head = "".join(f"<th>{html.escape(benchmarks.field_label(f))}</th>" for f in fields)
    rows = "".join("<tr><td>" + html.escape(r["model"]) + "</td>" +
                   "".join(f"<td>{html.escape(str(r[f]))}</td>" for f in fields) + "</tr>"
                   for r in ex05.claimed_table())
    return (f"<table><tr><th>{html.escape(t('ex05.column.repo_id'))}</th>{head}</tr>{rows}</table>"
            f"<p><small>{html.escape(t('ex05.claims.caption'))}</small></p>")


def _cell_tag(cell: dict) -> str:
    return "ex05-cell-" + re.sub(r"[^A-Za-z0-9_-]+", "-", f"{cell['model'].split('/')[-1]}-{cell['field']}").lower()


def spot_the_errors():
    w = widgets()
    q = Question(EX, ex05.SPOTTED, [])
    boxes = {}
    for cell in ex05.claim_cells():
        boxes[cell["key"]] = tag(w.Checkbox(
            value=cell["key"] in q.initial, description=t("ex05.claims.cell", model=cell["model"], field=cell["label"],
                                                          claimed=cell["claimed"]),
            layout=w.Layout(width="600px"), style={"description_width": "initial"}), "ex05-cell", _cell_tag(cell))
    button, out = q.check_button(lambda: [k for k, b in boxes.items() if b.value], t("ex05.check"),
                                 button_style="primary")
    return w.VBox([w.HTML(claims_table_html() + f"<p>{html.escape(t('ex05.claims.tick'))}</p>"), *boxes.values(),
                   button, out])
