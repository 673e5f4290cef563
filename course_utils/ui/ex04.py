"""Notebook 04 (readiness audit): audit button, model/quant/context pickers, readiness table, chart,
the learner's own table, and "predict, then measure" with a real model on llama.cpp.

Widgets hold no state: the audit and the prediction live in ``exercises.ex04.SESSION``."""
from __future__ import annotations

import html

from ..exercises import ex04 as exercise
from ..fit import QUANTS, memory_by_quant
from ..i18n import t
from .common import Question, html_block, on_click, tag, text_answer, wide_button, widgets

EX = exercise.EX
SESSION = exercise.SESSION
DEFAULT_MODELS = list(exercise.MODELS)


def memory_chart(model: str, context: int, available_gb: float | None):
    """Bar chart: RAM needed per quantization against the RAM available (too-big bars are hatched)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    ests = memory_by_quant(model, context)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    fits = [available_gb is None or e.ram_needed_gb <= available_gb for e in ests]
    bars = ax.bar([e.quant for e in ests], [e.ram_needed_gb for e in ests],
                  color=["#1b6e20" if f else "#a01010" for f in fits])
    for bar, f in zip(bars, fits):
        if not f:
            bar.set_hatch("//")
    handles = [Patch(facecolor="#1b6e20", label=t("ex04.chart.fits")),
               Patch(facecolor="#a01010", hatch="//", label=t("ex04.chart.too_big"))]
    if available_gb is not None:
        handles.append(ax.axhline(available_gb, color="#1f4e79", linestyle="--",
                                  label=t("ex04.chart.available", gb=available_gb)))
    ax.legend(handles=handles, loc="upper right")
    ax.set_ylabel(t("ex04.chart.ylabel"))
    ax.set_title(t("ex04.chart.title", model=model, context=context))
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig


def chart_caption(model: str, context: int, available_gb: float | None):
    """The chart in words (its alt text), under the chart."""
    return html_block(f"<p><small>{html.escape(exercise.chart_alt_text(model, context, available_gb))}</small></p>")


def audit_panel():
    w = widgets()
    button = tag(wide_button(t("ex04.audit.button"), button_style="primary", icon="search"), "ex04-audit")
    out = tag(w.Output(), "ex04-audit-out")
    on_click(button, out, SESSION.audit_view)
    return w.VBox([button, out])


def readiness_result(model: str, quant: str, context: int, measure: bool, compute: bool = False):
    """The readiness table, the memory chart and the chart in words (``compute``: the speed row also times
    llama.cpp's compute here, about ten seconds)."""
    r = SESSION.readiness(model, quant, context, measure_bandwidth=measure, compute=compute)
    available = SESSION.machine().ram_available_gb
    return [r, memory_chart(r.model, context, available), chart_caption(r.model, context, available)]


def _model_and_quant(w, model_tag: str, quant_tag: str):
    """The model box (catalog models offered, any id typed) and the quantization picker of a panel."""
    model = tag(w.Combobox(options=DEFAULT_MODELS, value=exercise.REFERENCE_MODEL[0],
                           description=t("ex04.readiness.model"), ensure_option=False,
                           layout=w.Layout(width="520px")), model_tag)
    quant = tag(w.Dropdown(options=list(QUANTS), value="Q4_K_M", description=t("ex04.readiness.quant")), quant_tag)
    return model, quant


def readiness_panel():
    w = widgets()
    model, quant = _model_and_quant(w, "ex04-model", "ex04-quant")
    ctx = tag(w.Dropdown(options=list(exercise.CONTEXTS), value=4096, description=t("ex04.readiness.context")),
              "ex04-context")
    measure = tag(w.Checkbox(value=True, description=t("ex04.readiness.measure"),
                             style={"description_width": "initial"}, layout=w.Layout(width="auto")),
                  "ex04-measure")
    compute = tag(w.Checkbox(value=False, description=t("ex04.readiness.compute"),
                             style={"description_width": "initial"}, layout=w.Layout(width="auto")),
                  "ex04-compute")
    button = tag(wide_button(t("ex04.readiness.button"), button_style="primary"), "ex04-readiness")
    out = tag(w.Output(), "ex04-readiness-out")
    on_click(button, out, lambda: readiness_result(model.value, quant.value, ctx.value, measure.value, compute.value),
             progress=lambda: t("ex04.readiness.computing") if compute.value else None)
    return w.VBox([model, w.HBox([quant, ctx]), measure, compute, button, out])


def _options(field: str) -> list[tuple[str, str]]:
    return [("—", "")] + [(exercise.choice_label(field, v), v) for v in exercise.CHOICES[field]]


def own_table():
    """The learner's own readiness and upgrade table, compared with the audit."""
    w = widgets()
    q = Question(EX, exercise.OWN_TABLE, {})
    wide = {"description_width": "initial"}
    numbers = {name: tag(w.FloatText(value=q.part(name, default=0.0), description=t(f"ex04.table.{name}"),
                                     style=wide), f"ex04-table-{name}")
               for name in ("ram_gb", "disk_free_gb")}
    choices = {}
    for name in ("avx2", "os", "compiler", "make", "cmake", "verdict"):
        options = _options(name)
        choices[name] = tag(w.Dropdown(options=options, value=q.part(name, options=options),
                                       description=t(f"ex04.table.{name}"), style=wide), f"ex04-table-{name}")

    def given():
        fields = {name: box.value for name, box in numbers.items()}
        fields.update({name: box.value for name, box in choices.items()})
        return SESSION.own_table(fields)

    intro = w.HTML(f"<p>{html.escape(t('ex04.table.intro', reference=exercise.reference_text()))}</p>")
    button, out = q.check_button(given, t("ex04.table.button"), button_style="primary",
                                 layout=w.Layout(width="auto"))
    upgrade = text_answer(EX, exercise.UPGRADE_PLAN, t("ex04.table.upgrade_prompt"), rows=4)
    return w.VBox([intro, w.HBox(list(numbers.values())), w.HBox([choices["avx2"], choices["os"]]),
                   w.HBox([choices["compiler"], choices["make"], choices["cmake"]]), choices["verdict"],
                   button, out, upgrade])


# --------------------------------------------------------------------------- the largest context that fits

KV_TYPES = (("f16", "F16"), ("q8_0", "Q8_0"), ("q4_0", "Q4_0"))


def context_here(model: str, quant: str = "Q4_K_M", kv_cache_type: str = "F16"):
    """The largest context whose KV cache still fits this machine's available RAM, in words and as a chart."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from ..fit import max_context, plot_context
    from .common import chart_html

    result = max_context((model or "").strip() or exercise.REFERENCE_MODEL[0], quant, kv_cache_type=kv_cache_type)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    plot_context(result, ax)
    fig.tight_layout()
    text = result.to_text()
    return html_block(f"<p><b>{html.escape(text)}</b></p>" + chart_html(fig, alt=text))


def context_panel():
    w = widgets()
    model, quant = _model_and_quant(w, "ex04-ctx-model", "ex04-ctx-quant")
    kv = tag(w.Dropdown(options=list(KV_TYPES), value="F16", description=t("ex04.context.kv")), "ex04-ctx-kv")
    button = tag(wide_button(t("ex04.context.button"), button_style="primary"), "ex04-ctx-button")
    out = tag(w.Output(), "ex04-ctx-out")
    on_click(button, out, lambda: context_here(model.value, quant.value, kv.value))
    return w.VBox([model, w.HBox([quant, kv]), button, out])


# --------------------------------------------------------------------------- predict, then measure

def predict_here(model: str = ""):
    """The course's decode estimate for a GGUF on this machine, shown with a reminder to guess first."""
    made = SESSION.predict(model)
    pred, name = made.result, made.path.name
    if pred.tokens_per_s is None:
        return html_block(f"<p>{html.escape(t('ex04.run.no_estimate', model=name, why=pred.basis))}</p>")
    head = t("ex04.run.prediction", model=name, gb=pred.file_size_gb, tps=pred.tokens_per_s)
    note = t("ex04.run.prediction_note", basis=pred.basis)
    return html_block(f"<p><b>{html.escape(head)}</b><br><small>{html.escape(note)}</small></p>")


def measure_here(model: str = "", max_tokens: int = 32, server=None):
    """Run the model for real on llama.cpp, with the prediction beside it; the figures are recorded."""
    return SESSION.measure(model, max_tokens=max_tokens, server=server)


def predict_measure_panel():
    w = widgets()
    model = tag(w.Text(value="", placeholder=t("ex04.run.placeholder"), description=t("ex04.run.model"),
                       layout=w.Layout(width="620px")), "ex04-run-model")
    predict = tag(wide_button(t("ex04.run.predict"), button_style="primary"), "ex04-predict")
    run = tag(wide_button(t("ex04.run.run"), button_style="warning"), "ex04-run")
    out = tag(w.Output(), "ex04-run-out")
    _show_status(out)
    on_click(predict, out, lambda: predict_here(model.value))
    run.on_click(lambda _b: _append(out, lambda: measure_here(model.value)))
    gap = text_answer(EX, exercise.GAP_EXPLAINED, t("ex04.run.gap_prompt"), rows=4)
    return w.VBox([model, w.HBox([predict, run]), out, gap])


def _append(out, fn):
    from .common import run_safely

    return run_safely(out, fn, clear_first=False)


def _show_status(out) -> None:
    """Say up front whether the engine and the model are here (nothing runs until a click)."""
    from .common import show_message

    ready, text = exercise.engine_status()
    show_message(out, text, "info" if ready else "warn")
