"""Notebook 02 (licence check): a licence card + SaaS verdict for any model id, and the checklist."""
from __future__ import annotations

from .. import licenses
from ..errors import InvalidInput
from ..hub import model_summary
from .common import Question, on_click, widgets
from .common import tag

EX = "ex02"
COMMERCIAL = [("—", ""), ("yes", "yes"), ("conditional", "conditional"), ("no", "no"),
              ("unknown (needs a review)", "unknown")]


def optional_count(text: str, what: str) -> int | None:
    """A whole number typed in a text box, or None when the box is empty."""
    text = (text or "").strip().replace(",", "").replace("_", "")
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(f"{what} must be a whole number (or leave it empty), not {text!r}.")
    return int(text)


def lookup(repo_id: str, commercial: bool = True, mau: int | None = None, trains: bool = False,
           mau_at_release: str = ""):
    """What the card shows: model facts, licence facts and the SaaS verdict (plain function)."""
    at_release = optional_count(mau_at_release, "Users before the release date")
    summary = model_summary(repo_id)
    report = licenses.license_report(summary.repo_id)
    verdict = licenses.saas_verdict(summary.repo_id, commercial=commercial, monthly_active_users=mau,
                                    trains_other_models_on_outputs=trains, licensee_mau_at_release=at_release)
    return [summary, report, verdict]


def license_card():
    w = widgets()
    repo = w.Text(description="Model id", placeholder="e.g. mistralai/Mistral-7B-Instruct-v0.3",
                  layout=w.Layout(width="520px"))
    commercial = w.Checkbox(value=True, description="commercial product")
    mau = w.IntText(value=10_000, description="monthly users", layout=w.Layout(width="260px"))
    trains = w.Checkbox(value=False, description="we train another model on its outputs")
    at_release = w.Text(description="users before release", placeholder="optional: yours + affiliates'",
                        layout=w.Layout(width="360px"), style={"description_width": "initial"})
    button = w.Button(description="Look up", button_style="primary")
    out = w.Output()
    tag(repo, "ex02-lookup-id")
    tag(button, "ex02-lookup")
    tag(out, "ex02-lookup-out")
    on_click(button, out, lambda: lookup(repo.value, commercial.value, mau.value, trains.value, at_release.value))
    return w.VBox([w.HBox([repo, button]), w.HBox([commercial, mau, trains]), at_release, out])


def checklist(slot: str, default_model: str = ""):
    """The learner's checklist for one model of their choice, checked against the knowledge base."""
    w = widgets()
    q = Question(EX, f"checklist_{slot}", {})
    repo = w.Text(value=q.part("repo_id", default=default_model) or default_model, description="Model id",
                  layout=w.Layout(width="520px"))
    license_id = w.Text(value=q.part("license_id"), description="Licence id",
                        placeholder="e.g. apache-2.0, llama2, other:opt-175b")
    commercial = w.Dropdown(options=COMMERCIAL, value=q.part("commercial_use", options=COMMERCIAL), description="Commercial")
    gated_saved = q.part("gated", default=None)
    gated = w.Dropdown(options=[("—", ""), ("yes", "yes"), ("no", "no")],
                       value={True: "yes", False: "no"}.get(gated_saved, "") if isinstance(gated_saved, bool) else "",
                       description="Gated")
    restrictions = {k: w.Checkbox(value=k in q.part("restrictions", default=[]), description=label,
                                  layout=w.Layout(width="600px"), style={"description_width": "initial"})
                    for k, label in licenses.checklist_options().items()}
    button, out = q.check_button(lambda: {
        "repo_id": repo.value.strip(), "license_id": license_id.value.strip(),
        "commercial_use": commercial.value, "gated": {"yes": True, "no": False}.get(gated.value),
        "restrictions": [k for k, cb in restrictions.items() if cb.value]}, button_style="primary")
    return w.VBox([repo, w.HBox([license_id, commercial, gated]), w.HTML("<b>Restrictions that apply:</b>"),
                   *restrictions.values(), button, out])
