"""The instructor's grading dashboard: load a folder, see the class, review free text."""
from __future__ import annotations

import html
from pathlib import Path

from .. import class_report, grading
from .common import html_block, on_click, widgets


def _report(folder: str, overrides: str):
    result = grading.grade_dir(folder, overrides=grading.read_overrides(overrides) if Path(overrides).exists() else None)
    parts = [html_block(f"<pre>{html.escape(result.to_text())}</pre>"),
             html_block(class_report.class_table(result).to_html(index=False, classes="dataframe")),
             class_report.plot_distribution(result), class_report.plot_difficulty(result),
             html_block(class_report.question_difficulty(result).to_html(index=False, classes="dataframe"))]
    return result, parts


def dashboard(folder: str = "answers"):
    w = widgets()
    path = w.Text(value=folder, description="Folder", layout=w.Layout(width="520px"))
    overrides = w.Text(value=str(Path(folder) / "overrides.csv"), description="Overrides",
                       layout=w.Layout(width="520px"))
    load = w.Button(description="Load and grade", button_style="primary", layout=w.Layout(width="auto"))
    out = w.Output()
    items = w.Dropdown(options=[], description="To review", layout=w.Layout(width="640px"))
    answer = w.HTML()
    score = w.FloatText(value=0.0, description="Score")
    comment = w.Text(description="Comment", layout=w.Layout(width="520px"))
    save = w.Button(description="Save score")
    saved = w.Output()
    queue: dict[str, class_report.ReviewItem] = {}

    def run():
        result, parts = _report(path.value, overrides.value)
        queue.clear()
        for item in class_report.review_queue(result, path.value):
            queue[item.label] = item
        items.options = list(queue)
        items.value = items.options[0] if items.options else None  # ipywidgets 8 leaves it unset
        show_item()
        return parts

    def show_item(change=None):
        item = queue.get(items.value)
        if item is None:
            answer.value = "<i>Nothing to review.</i>"
            return
        score.value = item.provisional
        answer.value = (f"<blockquote style='white-space:pre-wrap'>{html.escape(item.text)}</blockquote>"
                        f"<small>{html.escape(item.feedback)}</small>")

    def save_score():
        item = queue[items.value]
        grading.save_override(overrides.value, item.learner, item.exercise, item.question, float(score.value),
                              comment.value)
        return html_block(f"<p>Saved {score.value:g} for {html.escape(item.label)} in "
                          f"{html.escape(overrides.value)}. Click 'Load and grade' to refresh.</p>")

    items.observe(show_item, names="value")
    on_click(load, out, run)
    on_click(save, saved, save_score)
    return w.VBox([path, overrides, load, out, w.HTML("<h3>Free-text review</h3>"), items, answer,
                   w.HBox([score, comment]), save, saved])
