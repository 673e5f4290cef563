"""Notebook 02 (licence check): a licence card + SaaS verdict for any model id, and the checklist.

Widgets only: what they show comes from :mod:`course_utils.exercises.ex02` (``lookup``,
``checklist_answer``) and every label from the catalogs (``ex02.*``)."""
from __future__ import annotations

from .. import licenses
from ..exercises import ex02 as exercise
from ..i18n import t
from .common import Question, on_click, tag, wide_button, widgets

EX = "ex02"
WIDE = {"description_width": "initial"}  # labels are never cut ("monthly u…"), ipywidgets 7.7 and 8
lookup = exercise.lookup  # the card's plain function (kept here for callers of ui.ex02.lookup)
optional_count = exercise.optional_count


def license_card():
    w = widgets()
    repo = tag(w.Text(description=t("ex02.card.repo"), placeholder=t("ex02.example", example=exercise.EXAMPLE_MODEL),
                      layout=w.Layout(width="560px"), style=WIDE), "ex02-repo")
    commercial = tag(w.Checkbox(value=True, description=t("ex02.card.commercial"), style=WIDE,
                                layout=w.Layout(width="auto")), "ex02-commercial")
    mau = tag(w.IntText(value=exercise.CARD_MONTHLY_USERS, description=t("ex02.card.mau"), style=WIDE,
                        layout=w.Layout(width="340px")), "ex02-mau")
    trains = tag(w.Checkbox(value=False, description=t("ex02.card.trains"), style=WIDE,
                            layout=w.Layout(width="auto")), "ex02-trains")
    at_release = tag(w.Text(description=t("ex02.card.at_release"), placeholder=t("ex02.card.at_release_placeholder"),
                            layout=w.Layout(width="560px"), style=WIDE), "ex02-at-release")
    button = tag(wide_button(t("ex02.card.lookup"), button_style="primary"), "ex02-lookup")
    out = tag(w.Output(), "ex02-card-out")
    # `lookup` is looked up at click time, so a test can replace ui.ex02.lookup (the browser suite's sabotage)
    on_click(button, out, lambda: lookup(repo.value, commercial.value, mau.value, trains.value, at_release.value))
    return tag(w.VBox([w.HBox([repo, button]), w.HBox([commercial, mau]), trains, at_release, out]), "ex02-card")


def checklist(slot: str, default_model: str = ""):
    """The learner's checklist for one model of their choice, checked against the knowledge base."""
    w = widgets()
    q = Question(EX, exercise.question_id(slot), {})
    name = f"ex02-{slot}"
    repo = tag(w.Text(value=q.part("repo_id", default=default_model) or default_model,
                      description=t("ex02.checklist.repo"), layout=w.Layout(width="560px"), style=WIDE), f"{name}-repo")
    license_id = tag(w.Text(value=q.part("license_id"), description=t("ex02.checklist.license_id"),
                            placeholder=t("ex02.example", example=", ".join(exercise.EXAMPLE_LICENCE_IDS)),
                            layout=w.Layout(width="460px"), style=WIDE), f"{name}-license-id")
    options = exercise.commercial_options()
    commercial = tag(w.Dropdown(options=options, value=q.part("commercial_use", options=options),
                                description=t("ex02.checklist.commercial"), style=WIDE,
                                layout=w.Layout(width="360px")), f"{name}-commercial")
    gated = tag(w.Dropdown(options=exercise.gated_options(), value=exercise.gated_choice(q.part("gated", default=None)),
                           description=t("ex02.checklist.gated"), style=WIDE, layout=w.Layout(width="260px")),
                f"{name}-gated")
    restrictions = {k: tag(w.Checkbox(value=k in q.part("restrictions", default=[]), description=label,
                                      layout=w.Layout(width="auto"), style=WIDE), f"{name}-restriction-{k}")
                    for k, label in licenses.checklist_options().items()}
    button, out = q.check_button(lambda: exercise.checklist_answer(
        repo.value, license_id.value, commercial.value, gated.value, [k for k, cb in restrictions.items() if cb.value]),
        t("ex02.checklist.check"), button_style="primary")
    return tag(w.VBox([repo, w.HBox([license_id, commercial, gated]),
                       w.HTML(f"<b>{t('ex02.checklist.restrictions')}</b>"), *restrictions.values(), button, out]),
               name)
