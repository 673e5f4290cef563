"""Notebook 05 (benchmark explorer): search-as-you-type picker, comparison, charts, spot the errors."""
from __future__ import annotations

import html

from .. import answers, benchmarks
from ..grading import check_question
from .common import Question, html_block, on_click, record_quietly, run_safely, widgets
from .common import tag

EX = "ex05"


def comparison_html(df) -> str:
    cols = [c for c in df.columns if c not in ("source", "license_source", "params_source")]
    table = df[cols].to_html(index=False, na_rep="—", float_format=lambda x: f"{x:.2f}", classes="dataframe")
    return f"<p><b>{html.escape(df.attrs['scale'])}</b></p>{table}<p><small>Scores: {html.escape(df['source'].iloc[0])}" \
           f" (derived from the public dump of the Open LLM Leaderboard, MPL-2.0)</small></p>"


def explorer():
    w = widgets()
    version = w.ToggleButtons(options=[("v1 (2023-24)", 1), ("v2 (2024-25)", 2)], value=1, description="Leaderboard")
    query = w.Text(description="Search", placeholder="type part of a model id, e.g. llama-2-7b", continuous_update=True)
    hits = w.SelectMultiple(options=[], rows=8, description="Matches", layout=w.Layout(width="520px"))
    add = w.Button(description="Add to comparison", layout=w.Layout(width="auto"))
    clear = w.Button(description="Clear")
    chosen = w.HTML()
    compare_button = w.Button(description="Compare", button_style="primary")
    out = w.Output()
    tag(query, "ex05-query")
    tag(hits, "ex05-hits")
    tag(add, "ex05-add")
    tag(compare_button, "ex05-compare")
    tag(out, "ex05-compare-out")
    cases = w.VBox()
    picked: list[str] = [m for m in Question(EX, "compared_models", []).initial if isinstance(m, str)]

    def refresh_chosen():
        chosen.value = "<b>Chosen:</b> " + (html.escape(", ".join(picked)) or "none yet")

    def on_query(change=None):
        hits.options = benchmarks.search_ids(query.value, version.value)

    def on_add(_b=None):
        for rid in hits.value:
            if rid not in picked:
                picked.append(rid)
        answers.record(EX, "compared_models", list(picked))
        refresh_chosen()

    def on_clear(_b=None):
        picked.clear()
        refresh_chosen()

    def compare():
        df = benchmarks.compare(picked, version.value)
        cases.children = tuple(use_case_box(rid) for rid in df["repo_id"])
        return [html_block(comparison_html(df)), benchmarks.plot_scores(df), benchmarks.plot_score_vs_size(df)]

    query.observe(on_query, names="value")
    version.observe(on_query, names="value")
    add.on_click(lambda b: run_safely(out, on_add, clear_first=False))
    clear.on_click(on_clear)
    on_click(compare_button, out, compare)
    refresh_chosen()
    check_button = w.Button(description="Check")
    check_out = w.Output()
    tag(check_button, "ex05-explorer-check")
    tag(check_out, "ex05-explorer-out")
    on_click(check_button, check_out, lambda: [
        check_question(EX, "compared_models", answers.restored(EX, "compared_models", [])),
        check_question(EX, "use_cases", answers.restored(EX, "use_cases", {}))])
    return w.VBox([version, query, hits, w.HBox([add, clear]), chosen, compare_button, out,
                   w.HTML("<b>Ideal use case for each model</b> (appears after Compare)"), cases, check_button,
                   check_out])


def use_case_box(repo_id: str):
    w = widgets()
    box = w.Text(value=Question(EX, "use_cases", {}).part(repo_id), description=repo_id.split("/")[-1][:20], placeholder="ideal use case…",
                 layout=w.Layout(width="600px"), style={"description_width": "160px"})

    box.observe(lambda change: record_quietly(EX, "use_cases", {repo_id: change["new"]}), names="value")
    return box


def claims_table_html() -> str:
    rows = "".join(f"<tr><td>{html.escape(r['model'])}</td><td>{r['hellaswag']}</td><td>{r['mmlu']}</td>"
                   f"<td>{html.escape(r['license'])}</td></tr>" for r in benchmarks.sheet_claims())
    return ("<table><tr><th>model</th><th>HellaSwag</th><th>MMLU</th><th>licence</th></tr>"
            f"{rows}</table><p><small>As claimed in the original exercise sheet.</small></p>")


def spot_the_errors():
    w = widgets()
    q = Question(EX, "spotted_errors", [])
    boxes = {}
    for r in benchmarks.sheet_claims():
        for field in benchmarks.CLAIM_FIELDS:
            key = f"{r['model']}|{field}"
            boxes[key] = w.Checkbox(value=key in q.initial, description=f"{r['model']} — {benchmarks.LABELS.get(field, field)}"
                                    f" = {r[field]}", layout=w.Layout(width="600px"),
                                    style={"description_width": "initial"})
            tag(boxes[key], "ex05-error")
    button, out = q.check_button(lambda: [k for k, b in boxes.items() if b.value], button_style="primary")
    return w.VBox([w.HTML(claims_table_html() + "<p>Tick every value you believe is wrong:</p>"), *boxes.values(),
                   button, out])
