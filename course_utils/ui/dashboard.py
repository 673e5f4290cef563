"""The instructor's grading dashboard: load a folder, see the class, review free text."""
from __future__ import annotations

import html
from pathlib import Path

from .. import class_report, grading, overrides as manual
from .common import html_block, on_click, widgets
from .common import tag

DEFAULT_FOLDER = "../answers"  # the learners' files, seen from notebooks/instructor/


def default_overrides(folder: str) -> str:
    """Where the review scores live: ``<folder>/overrides.csv`` (as the README says)."""
    return str(Path(folder) / "overrides.csv")


def grade_folder(folder: str, overrides: str):
    """Grade the folder with the overrides file if it exists; the review queue of what is left."""
    path = Path(overrides) if overrides else None
    rows = manual.read_overrides(path) if path is not None and path.exists() else None
    result = grading.grade_dir(folder, overrides=rows, skip=[path] if path is not None else [])
    return result, class_report.review_queue(result)


def report_parts(result, queue) -> list:
    text = result.to_text() + f"\n{len(queue)} answer(s) listed under 'To review' below."
    return [html_block(f"<pre>{html.escape(text)}</pre>"),
            html_block(class_report.class_table(result).to_html(index=False, classes="dataframe")),
            class_report.plot_distribution(result), class_report.plot_difficulty(result),
            html_block(class_report.question_difficulty(result).to_html(index=False, classes="dataframe"))]


def dashboard(folder: str = DEFAULT_FOLDER):
    w = widgets()
    path = w.Text(value=folder, description="Folder", layout=w.Layout(width="520px"))
    overrides = w.Text(value=default_overrides(folder), description="Overrides", layout=w.Layout(width="520px"))
    load = w.Button(description="Load and grade", button_style="primary", layout=w.Layout(width="auto"))
    out = w.Output()
    tag(path, "dashboard-folder")
    tag(load, "dashboard-load")
    tag(out, "dashboard-out")
    items = w.Dropdown(options=[], description="To review", layout=w.Layout(width="640px"))
    answer = w.HTML()
    score = w.FloatText(value=0.0, description="Score")
    comment = w.Text(description="Comment", layout=w.Layout(width="520px"))
    save = w.Button(description="Save score")
    saved = w.Output()
    queue: dict[str, class_report.ReviewItem] = {}

    def follow_folder(change):  # the overrides path follows the folder unless it was typed in
        if overrides.value == default_overrides(change["old"]):
            overrides.value = default_overrides(change["new"])

    def run():
        result, found = grade_folder(path.value, overrides.value)
        queue.clear()
        queue.update((item.label, item) for item in found)
        items.options = list(queue)
        items.value = items.options[0] if items.options else None  # ipywidgets 8 leaves it unset
        show_item()
        return report_parts(result, found)

    def show_item(change=None):
        item = queue.get(items.value)
        if item is None:
            answer.value = "<i>Nothing to review.</i>"
            return
        score.value = item.provisional
        answer.value = (f"<blockquote style='white-space:pre-wrap'>{html.escape(item.text)}</blockquote>"
                        f"<small>{html.escape(item.feedback)}</small>")

    def save_score():
        item = queue.get(items.value)
        if item is None:
            return html_block("<p>Nothing to save: load a folder and pick an answer first.</p>")
        manual.save_override(overrides.value, item.learner, item.exercise, item.question, float(score.value),
                             comment.value, max_points=item.max_points)
        return html_block(f"<p>Saved {score.value:g} for {html.escape(item.label)} in "
                          f"{html.escape(overrides.value)}. Click 'Load and grade' to refresh.</p>")

    path.observe(follow_folder, names="value")
    items.observe(show_item, names="value")
    on_click(load, out, run)
    on_click(save, saved, save_score)
    return w.VBox([path, overrides, load, out, w.HTML("<h3>Free-text review</h3>"), items, answer,
                   w.HBox([score, comment]), save, saved])
