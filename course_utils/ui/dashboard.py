"""The instructor's grading dashboard: load a folder, see the class, review free text."""
from __future__ import annotations

import html
from pathlib import Path

from .. import class_report, grading, i18n, overrides as manual
from ..i18n import number, t, tn
from .common import html_block, on_click, tag, wide_button, widgets

DEFAULT_FOLDER = "../answers"  # the learners' files, seen from notebooks/instructor/


def default_folder(where: str | Path | None = None) -> str:
    """The learners' answers folder seen from the dashboard's folder (``where``, else the current one).

    Learners' notebooks save to notebooks/answers, the French ones (notebooks/fr) too; the dashboard is
    in notebooks/instructor or notebooks/fr/instructor, so that is ``../answers`` or ``../../answers``."""
    here = Path(where) if where is not None else Path.cwd()
    edition = here.parent.name if here.name == "instructor" else ""
    return "../../answers" if edition in i18n.LANGUAGES and edition != i18n.DEFAULT else DEFAULT_FOLDER


def default_overrides(folder: str) -> str:
    """Where the review scores live: ``<folder>/overrides.csv`` (as the README says)."""
    return str(Path(folder) / "overrides.csv")


def grade_folder(folder: str, overrides: str):
    """Grade the folder with the overrides file if it exists; the review queue of what is left."""
    path = Path(overrides) if overrides else None
    rows = manual.read_overrides(path) if path is not None and path.exists() else None
    result = grading.grade_dir(folder, overrides=rows, skip=[path] if path is not None else [])
    return result, class_report.review_queue(result)


def _table_html(df) -> str:
    """A report table with its column names in the course language (the data keep their ids)."""
    shown = df.rename(columns={c: i18n.label(f"dashboard.col.{c}", str(c)) for c in df.columns})
    return shown.to_html(index=False, classes="dataframe")


def report_parts(result, queue) -> list:
    text = result.to_text() + "\n" + tn("dashboard.listed", len(queue))
    return [html_block(f"<pre>{html.escape(text)}</pre>"),
            html_block(_table_html(class_report.class_table(result))),
            class_report.plot_distribution(result), class_report.plot_difficulty(result),
            html_block(_table_html(class_report.question_difficulty(result)))]


def nothing_to_review() -> str:
    return f"<i>{html.escape(t('dashboard.nothing_to_review'))}</i>"


def review_html(item) -> str:
    return (f"<blockquote style='white-space:pre-wrap'>{html.escape(item.text)}</blockquote>"
            f"<small>{html.escape(item.feedback)}</small>")


def save_score(overrides: str, item, score: float, comment: str):
    """What 'Save score' shows: the score written to the overrides file (or why not)."""
    if item is None:
        return html_block(f"<p>{html.escape(t('dashboard.nothing_to_save'))}</p>")
    manual.save_override(overrides, item.learner, item.exercise, item.question, float(score), comment,
                         max_points=item.max_points)
    return html_block(f"<p>{html.escape(t('dashboard.saved', score=number(score, 'g'), item=item.label, file=overrides))}</p>")


def dashboard(folder: str | None = None):
    w = widgets()
    folder = folder if folder is not None else default_folder()
    wide = w.Layout(width="520px")
    style = {"description_width": "initial"}
    path = tag(w.Text(value=folder, description=t("dashboard.folder"), layout=wide, style=style), "dash-folder")
    overrides = tag(w.Text(value=default_overrides(folder), description=t("dashboard.overrides"), layout=wide,
                           style=style), "dash-overrides")
    load = tag(w.Button(description=t("dashboard.load"), button_style="primary", layout=w.Layout(width="auto")),
               "dash-grade")
    out = tag(w.Output(), "dash-out")
    items = tag(w.Dropdown(options=[], description=t("dashboard.to_review"), layout=w.Layout(width="640px"),
                           style=style), "dash-review")
    answer = tag(w.HTML(), "dash-answer")
    score = tag(w.FloatText(value=0.0, description=t("dashboard.score"), style=style), "dash-score")
    comment = tag(w.Text(description=t("dashboard.comment"), layout=wide, style=style), "dash-comment")
    save = tag(wide_button(t("dashboard.save_score")), "dash-save")
    saved = tag(w.Output(), "dash-saved")
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
            answer.value = nothing_to_review()
            return
        score.value = item.provisional
        answer.value = review_html(item)

    path.observe(follow_folder, names="value")
    items.observe(show_item, names="value")
    on_click(load, out, run)
    on_click(save, saved, lambda: save_score(overrides.value, queue.get(items.value), score.value, comment.value))
    return w.VBox([path, overrides, load, out, w.HTML(f"<h3>{html.escape(t('dashboard.review_title'))}</h3>"),
                   items, answer, w.HBox([score, comment]), save, saved])
