"""Notebook 03 (LLM matchmaker): a Hub search with the course's filters and a checked pick per team."""
from __future__ import annotations

import html

from ..hub import SearchResult, search_models
from ..matchmaker import TEAMS
from .common import Question, html_block, on_click, text_answer, widgets
from .common import tag

EX = "ex03"
TASKS = [("any", ""), ("text-generation", "text-generation"), ("text2text-generation", "text2text-generation"),
         ("translation", "translation")]


def results_html(result: SearchResult) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(r.repo_id)}</td><td>{r.params_b if r.params_b is not None else '?'}</td>"
        f"<td>{html.escape(r.license_key or '?')}</td><td>{r.language_count or '?'}</td>"
        f"<td>{html.escape(r.quantization or '—')}</td>"
        f"<td>{'' if r.downloads is None else f'{r.downloads:,}'}</td></tr>" for r in result.results)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
    return (f"<p>{len(result.results)} model(s) — source: <b>{html.escape(result.source)}</b></p>"
            "<table><tr><th>model</th><th>params (B)</th><th>licence</th><th>languages</th><th>quantized</th>"
            f"<th>downloads</th></tr>{rows}</table>" + (f"<ul>{notes}</ul>" if notes else ""))


def search_panel():
    w = widgets()
    task = w.Dropdown(options=TASKS, value="text-generation", description="Task")
    tags = w.Text(description="Tags", placeholder="comma-separated, e.g. math, gguf")
    max_params = w.FloatSlider(value=8.0, min=0.5, max=80, step=0.5, description="Max params (B)",
                               style={"description_width": "initial"})
    quantized = w.Checkbox(value=False, description="quantized (GGUF) only")
    languages = w.IntSlider(value=0, min=0, max=20, description="Min languages", style={"description_width": "initial"})
    commercial = w.Checkbox(value=True, description="commercial-use licences only")
    button = w.Button(description="Search", button_style="primary")
    out = w.Output()
    tag(button, "ex03-search")
    tag(out, "ex03-search-out")

    def run():
        result = search_models(task=task.value or None, tags=[t for t in tags.value.split(",") if t.strip()],
                               max_params_b=max_params.value, quantized=True if quantized.value else None,
                               min_languages=languages.value or None, commercial_only=commercial.value, limit=25)
        return html_block(results_html(result))

    on_click(button, out, run)
    return w.VBox([w.HBox([task, tags]), w.HBox([max_params, languages]), w.HBox([quantized, commercial, button]),
                   out])


def team_pick(team_id: str):
    team = TEAMS[team_id]
    w = widgets()
    q = Question(EX, f"pick_{team_id}", "")
    repo = w.Text(value=q.initial, description="Your pick", placeholder="org/model", layout=w.Layout(width="520px"))
    tag(repo, f"ex03-pick-{team_id}")
    button, out = q.check_button(lambda: repo.value.strip(), "Check pick", button_style="primary")
    why = text_answer(EX, f"why_{team_id}", f"Why this model for {team.name}?", rows=3)
    return w.VBox([w.HTML(f"<h4>{html.escape(team.name)}</h4><p>{html.escape(team.brief)}</p>"),
                   w.HBox([repo, button]), out, why])
