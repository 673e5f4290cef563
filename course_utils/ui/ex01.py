"""Notebook 01 (open-source levels): matrix quiz, model classification, free-text answers."""
from __future__ import annotations

from .. import openness
from .common import Question, picker_question, text_answer, widgets

EX = "ex01"
ANSWER_LABELS = [("—", ""), ("yes", "yes"), ("no", "no"), ("with enough resources", "with_resources")]
LEVEL_OPTIONS = [("—", "")] + [(openness.LEVEL_NAMES[lvl], lvl) for lvl in openness.LEVELS]


def matrix_quiz():
    """A 4 x 3 grid of answers; 'Check matrix' gives per-cell feedback and records the answers."""
    w = widgets()
    q = Question(EX, "matrix", {})
    cells: dict[str, dict[str, object]] = {}
    head = [w.HTML("<b>Question</b>", layout=w.Layout(width="280px"))] + [
        w.HTML(f"<b>{openness.LEVEL_NAMES[lvl]}</b>", layout=w.Layout(width="190px")) for lvl in openness.LEVELS]
    rows = [w.HBox(head)]
    for cap in openness.CAPABILITIES:
        line = [w.HTML(openness.CAPABILITY_QUESTIONS[cap], layout=w.Layout(width="280px"))]
        for lvl in openness.LEVELS:
            dd = w.Dropdown(options=ANSWER_LABELS, value=q.part(lvl, cap, options=ANSWER_LABELS),
                            layout=w.Layout(width="190px"))
            cells.setdefault(lvl, {})[cap] = dd
            line.append(dd)
        rows.append(w.HBox(line))
    button, out = q.check_button(lambda: {lvl: {cap: dd.value for cap, dd in caps.items()}
                                          for lvl, caps in cells.items()}, "Check matrix", button_style="primary")
    return w.VBox(rows + [button, out])


def facts_table(models=openness.CLASSIFY_MODELS) -> str:
    import html

    body = ""
    for repo_id in models:
        o = openness.classify_model(repo_id)
        body += (f"<tr><td>{html.escape(repo_id)}</td><td>{html.escape(o.weights or 'not verified')}</td>"
                 f"<td>{html.escape(o.training_code or 'not verified')}</td>"
                 f"<td>{html.escape(o.training_data or 'not verified')}</td></tr>")
    return ("<table><tr><th>model</th><th>weights released</th><th>training code released</th>"
            f"<th>training data released</th></tr>{body}</table><p><i>From the course catalog (data/models.csv), "
            "each row with its sources.</i></p>")


def classify_models(models=openness.CLASSIFY_MODELS):
    """The release facts of real models and a level picker per model, with feedback."""
    w = widgets()
    pickers, button, out = picker_question(EX, "classify", models, LEVEL_OPTIONS, "Check levels")
    return w.VBox([w.HTML(facts_table(models)), *pickers.children, button, out])


def comparison_box():
    return text_answer(EX, "comparison", "Compare the three levels in a short paragraph (what each lets you "
                                         "do, and what it hides).")


def healthcare_box():
    return text_answer(EX, "healthcare", "A hospital wants an assistant retrained on its clinical notes. Which "
                                         "level does it need, and why? Mention licences and data too.")


OSAID_OPTIONS = [("—", "")] + [(v, v) for v in openness.OSAID_VERDICTS]
REASON_OPTIONS = [("—", "")] + [(label, rid) for rid, label in openness.OSAID_REASONS.items()]


def osaid_facts_table(models=openness.OSAID_MODELS) -> str:
    """What each model released and under which licence, from the catalog (no verdicts)."""
    import html

    from .. import data

    rows = data.index("models")
    body = ""
    for repo_id in models:
        r = rows[repo_id]
        info = openness.data_information(r["training_data_released"], r["data_information"])
        cells = (repo_id, r["weights_released"], r["training_code_released"], r["training_data_released"], info,
                 r["license_name"] or r["license_key"])
        body += "<tr>" + "".join(f"<td>{html.escape(c or 'not verified')}</td>" for c in cells) + "</tr>"
    return ("<table><tr><th>model</th><th>weights</th><th>training code</th><th>training data</th>"
            f"<th>data information</th><th>licence</th></tr>{body}</table><p><i>From the course catalog "
            "(data/models.csv), each row with its sources.</i></p>")


def both_scales_quiz(models=openness.OSAID_MODELS):
    """Per model: a level, Open Source AI yes/no and the reason; 'Check both scales' gives feedback."""
    w = widgets()
    q = Question(EX, "open_source_ai", {})
    pickers: dict[str, dict[str, object]] = {}
    lines = []
    for repo_id in models:
        row = {"level": w.Dropdown(options=LEVEL_OPTIONS, value=q.part(repo_id, "level", options=LEVEL_OPTIONS),
                                   layout=w.Layout(width="170px")),
               "osaid": w.Dropdown(options=OSAID_OPTIONS, value=q.part(repo_id, "osaid", options=OSAID_OPTIONS),
                                   layout=w.Layout(width="80px")),
               "reason": w.Dropdown(options=REASON_OPTIONS, value=q.part(repo_id, "reason", options=REASON_OPTIONS),
                                    layout=w.Layout(width="440px"))}
        pickers[repo_id] = row
        lines.append(w.HBox([w.HTML(repo_id, layout=w.Layout(width="300px")), *row.values()]))
    head = w.HBox([w.HTML(f"<b>{t}</b>", layout=w.Layout(width=wd)) for t, wd in
                   (("model", "300px"), ("level", "170px"), ("OSAID?", "80px"), ("reason", "440px"))])
    button, out = q.check_button(lambda: {m: {k: dd.value for k, dd in row.items()} for m, row in pickers.items()},
                                 "Check both scales", button_style="primary")
    return w.VBox([w.HTML(osaid_facts_table(models)), head, *lines, button, out])
