"""How did the class do? Tables and charts over a graded folder, and the free-text review queue."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .gradebook import gradebook_rows, question_rows
from .grading import ClassResult
from .i18n import t, tn


def class_table(result: ClassResult):
    import pandas as pd

    columns, rows = gradebook_rows(result)
    return pd.DataFrame(rows, columns=columns)


def question_difficulty(result: ClassResult):
    """Per question: mean share of points, how many answered, how many wait for review."""
    import pandas as pd

    df = pd.DataFrame(question_rows(result))
    if df.empty:
        return pd.DataFrame(columns=["exercise", "question", "mean_percent", "answers", "to_review"])
    df["percent"] = df["score"] / df["max_points"].where(df["max_points"] > 0) * 100
    out = df.groupby(["exercise", "question"], sort=True).agg(
        mean_percent=("percent", "mean"), answers=("learner", "count"), to_review=("needs_review", "sum"))
    return out.reset_index().round({"mean_percent": 1})


def plot_distribution(result: ClassResult):
    import matplotlib.pyplot as plt

    table = class_table(result)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(table["percent"].astype(float) if len(table) else [], bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
            color="#1f4e79", edgecolor="white")
    ax.set_xlabel(t("dashboard.chart.distribution.x"))
    ax.set_ylabel(t("dashboard.chart.distribution.y"))
    ax.set_title(tn("dashboard.chart.distribution.title", len(table)))
    fig.tight_layout()
    return fig


def plot_difficulty(result: ClassResult):
    import matplotlib.pyplot as plt

    df = question_difficulty(result)
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.25 * len(df))))
    labels = [f"{e}/{q}" for e, q in zip(df["exercise"], df["question"])]
    ax.barh(labels, df["mean_percent"], color="#8a5a00")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("dashboard.chart.difficulty.x"))
    ax.set_title(t("dashboard.chart.difficulty.title"))
    fig.tight_layout()
    return fig


@dataclass(frozen=True)
class ReviewItem:
    learner: str
    exercise: str
    question: str
    text: str
    provisional: float
    max_points: float
    feedback: str

    @property
    def label(self) -> str:
        return f"{self.learner} · {self.exercise}/{self.question} ({self.provisional:g}/{self.max_points:g})"


def review_queue(result: ClassResult, folder: str | Path | None = None) -> list[ReviewItem]:
    """Free-text answers whose points are provisional, with their text (as graded: never re-read or run)."""
    items = []
    for r in result.results:
        for q in r.questions:
            if q.to_review:
                value = r.answers.get(q.question)
                text = value if isinstance(value, str) else _shown_value(value)
                items.append(ReviewItem(r.learner, r.exercise, q.question, text, q.score, q.max_points, q.feedback))
    return items


def _shown_value(value) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False)[:5000]
    except (TypeError, ValueError, RecursionError):
        return t("dashboard.not_text")
