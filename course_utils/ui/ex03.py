"""Notebook 03 (LLM matchmaker): a Hub search for a team, and a checked pick per team.

The widgets only wire inputs to :mod:`course_utils.exercises.ex03` (the teams, the search log, the
answer shape) and show what those functions return.
"""
from __future__ import annotations

import html

from .. import answers

from ..exercises.ex03 import TEAMS, pick_answer, pick_parts, search_for
from ..hub import SearchResult, model_url
from ..i18n import number, t, tn
from .common import Question, html_block, on_click, tag, text_answer, wide_button, widgets

EX = "ex03"
TASKS = ("text-generation", "text2text-generation", "translation")


def _cell(value) -> str:
    return "" if value is None else html.escape(str(value))


def results_html(result: SearchResult, team_id: str | None = None) -> str:
    """The results table (each model linked to its Hub page), notes, and the same search on the Hub."""
    from ..hub import maths_scores

    rows = []
    for r in result.results:
        scores = maths_scores(r)
        maths = " / ".join(x for x in (number(scores['gsm8k']) if "gsm8k" in scores else "",
                                       number(scores['math_lvl5']) if "math_lvl5" in scores else "") if x)
        why = "; ".join(w for w in result.why.get(r.repo_id, ()) if w)
        rows.append(
            f"<tr><td style='text-align:left'><a href='{html.escape(model_url(r.repo_id))}' target='_blank' "
            f"rel='noopener'>{html.escape(r.repo_id)}</a></td>"
            f"<td>{_cell(number(r.params_b) if r.params_b is not None else '?')}</td>"
            f"<td>{_cell(r.license_key or '?')}</td><td>{_cell(r.language_count or '?')}</td>"
            f"<td>{_cell(r.quantization or '—')}</td><td>{_cell(maths or '—')}</td>"
            f"<td>{'' if r.downloads is None else f'{r.downloads:,}'}</td>"
            f"<td style='text-align:left'>{_cell(why)}</td></tr>")
    cols = "".join(f"<th>{html.escape(t(f'ex03.results.col.{c}'))}</th>"
                   for c in ("model", "params", "licence", "languages", "quantized", "maths", "downloads", "why"))
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
    count = tn("ex03.results.count", len(result.results), source=html.escape(result.source))
    link = (f"<p>{html.escape(t('ex03.results.hub_link'))} <a href='{html.escape(result.url)}' target='_blank' "
            f"rel='noopener'>{html.escape(result.url)}</a></p>") if result.url else ""
    recorded = (f"<p><i>{html.escape(t('ex03.results.recorded', team=TEAMS[team_id].name))}</i></p>"
                if team_id in TEAMS else "")
    return (f"<div class='cu-ex03-results-table'><p>{count}</p><table><tr>{cols}</tr>{''.join(rows)}</table>"
            + (f"<ul>{notes}</ul>" if notes else "") + link + recorded + "</div>")


def run_search(team_id: str, task: str, words: str, max_params: float, quantized: bool, languages: int,
               commercial: bool):
    """Search for a team with the panel's values; what the panel shows."""
    result = search_for(team_id, task=task or None, tags=[words or ""], max_params_b=max_params,
                        quantized=True if quantized else None, min_languages=languages or None,
                        commercial_only=commercial, limit=25)
    return html_block(results_html(result, team_id))


def search_panel():
    w = widgets()
    wide = {"description_width": "initial"}
    team = tag(w.Dropdown(options=[(tm.name, tid) for tid, tm in TEAMS.items()], value="legaltech",
                          description=t("ex03.search.team"), style=wide), "ex03-search-team")
    task = tag(w.Dropdown(options=[(t("ex03.search.any"), "")] + [(x, x) for x in TASKS], value="text-generation",
                          description=t("ex03.search.task"), style=wide), "ex03-search-task")
    words = tag(w.Text(description=t("ex03.search.words"), placeholder=t("ex03.search.words_placeholder"),
                       style=wide, layout=w.Layout(width="420px")), "ex03-search-words")
    max_params = tag(w.FloatSlider(value=8.0, min=0.5, max=80, step=0.5, description=t("ex03.search.max_params"),
                                   style=wide), "ex03-search-max-params")
    quantized = tag(w.Checkbox(value=False, description=t("ex03.search.quantized"), style=wide),
                    "ex03-search-quantized")
    languages = tag(w.IntSlider(value=0, min=0, max=20, description=t("ex03.search.languages"), style=wide),
                    "ex03-search-languages")
    commercial = tag(w.Checkbox(value=True, description=t("ex03.search.commercial"), style=wide),
                     "ex03-search-commercial")
    button = tag(wide_button(t("ex03.search.button"), button_style="primary"), "ex03-search")
    out = tag(w.Output(), "ex03-results")
    on_click(button, out, lambda: run_search(team.value, task.value, words.value, max_params.value, quantized.value,
                                             languages.value, commercial.value))
    return w.VBox([team, w.HBox([task, words]), w.HBox([max_params, languages]),
                   w.HBox([quantized, commercial, button]), out])


def search_note_html(search: dict | None) -> str:
    """The search recorded with a pick (its Hub URL), or a hint to run one."""
    if not search or not search.get("url"):
        return f"<p><small>{html.escape(t('ex03.pick.no_search'))}</small></p>"
    url = html.escape(str(search["url"]))
    return (f"<p class='cu-ex03-search-used'><small>{html.escape(t('ex03.pick.search_used'))} "
            f"<a href='{url}' target='_blank' rel='noopener'>{url}</a></small></p>")


def check_pick(q: Question, team_id: str, repo_id: str):
    """Record and check a pick (with the team's last search), then say which search it records."""
    result = q.check(pick_answer(team_id, repo_id, answers.restored(EX, q.question_id)))
    _repo, search = pick_parts(answers.restored(EX, q.question_id))
    return [*(result if isinstance(result, list) else [result]), html_block(search_note_html(search))]


def team_pick(team_id: str):
    team = TEAMS[team_id]
    w = widgets()
    q = Question(EX, f"pick_{team_id}", None)
    saved_repo, _search = pick_parts(q.initial)
    repo = tag(w.Text(value=saved_repo, description=t("ex03.pick.label"), placeholder=t("ex03.pick.placeholder"),
                      layout=w.Layout(width="520px"), style={"description_width": "initial"}),
               f"ex03-pick-{team_id}")
    button = tag(wide_button(t("ex03.pick.button"), button_style="primary"),
                 f"check-{EX}-{q.question_id}")
    out = tag(w.Output(), f"out-{EX}-{q.question_id}")
    on_click(button, out, lambda: check_pick(q, team_id, repo.value))
    why = text_answer(EX, f"why_{team_id}", t("ex03.why.prompt", team=team.name), rows=3)
    return tag(w.VBox([w.HTML(f"<h4>{html.escape(team.name)}</h4><p>{html.escape(team.brief)}</p>"),
                       w.HBox([repo, button]), out, why]), f"ex03-team-{team_id}")
