"""Notebook 04 (readiness audit): audit button, model/quant/context pickers, readiness table, chart,
and "predict, then measure" with a real model on llama.cpp."""
from __future__ import annotations

from pathlib import Path

from .. import answers
from ..fit import QUANTS, memory_by_quant
from ..readiness import audit_snapshot, readiness
from ..system import SystemAudit, audit
from .common import Question, html_block, on_click, text_answer, widgets
from .common import tag

EX = "ex04"
DEFAULT_MODELS = ["TinyLlama/TinyLlama-1.1B-Chat-v1.0", "microsoft/Phi-3-mini-4k-instruct",
                  "mistralai/Mistral-7B-Instruct-v0.3", "meta-llama/Llama-3.1-8B-Instruct",
                  "meta-llama/Llama-2-13b-chat-hf"]
_STATE: dict[str, SystemAudit] = {}


def memory_chart(model: str, context: int, available_gb: float | None):
    """Bar chart: RAM needed per quantization against the RAM available."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    ests = memory_by_quant(model, context)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    colours = ["#1b6e20" if available_gb is None or e.ram_needed_gb <= available_gb else "#a01010" for e in ests]
    ax.bar([e.quant for e in ests], [e.ram_needed_gb for e in ests], color=colours)
    if available_gb is not None:
        ax.axhline(available_gb, color="#1f4e79", linestyle="--", label=f"available now: {available_gb:.1f} GB")
        ax.legend(loc="upper right")
    ax.set_ylabel("RAM needed (GB)")
    ax.set_title(f"{model}, {context:,}-token context")
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig


def audit_panel():
    w = widgets()
    button = w.Button(description="Run audit", button_style="primary", icon="search")
    out = w.Output()
    tag(button, "ex04-audit")
    tag(out, "ex04-audit-out")

    def run():
        _STATE["audit"] = audit()
        return _STATE["audit"]

    on_click(button, out, run)
    return w.VBox([button, out])


def readiness_panel():
    w = widgets()
    model = w.Combobox(options=DEFAULT_MODELS, value=DEFAULT_MODELS[2], description="Model",
                       ensure_option=False, layout=w.Layout(width="520px"))
    quant = w.Dropdown(options=list(QUANTS), value="Q4_K_M", description="Quantization")
    ctx = w.Dropdown(options=[512, 2048, 4096, 8192, 16384, 32768], value=4096, description="Context")
    measure = w.Checkbox(value=True, description="measure memory bandwidth (about 1 s)",
                         style={"description_width": "initial"}, layout=w.Layout(width="auto"))
    button = w.Button(description="Check readiness", button_style="primary")
    out = w.Output()
    tag(button, "ex04-readiness")
    tag(out, "ex04-readiness-out")

    def run():
        a = _STATE.get("audit") or audit()
        _STATE["audit"] = a
        r = readiness(model.value.strip(), quant.value, ctx.value, machine=a, measure_bandwidth=measure.value)
        return [r, memory_chart(model.value.strip(), ctx.value, a.ram_available_gb)]

    on_click(button, out, run)
    return w.VBox([model, w.HBox([quant, ctx]), measure, button, out])


def own_table():
    """The learner's own readiness and upgrade table, compared with the audit."""
    w = widgets()
    q = Question(EX, "own_readiness", {})
    wide = {"description_width": "initial"}
    ram = w.FloatText(value=q.part("ram_gb", default=0.0), description="My RAM (GB)", style=wide)
    disk = w.FloatText(value=q.part("disk_free_gb", default=0.0), description="Free disk (GB)", style=wide)
    avx2_options = [("—", ""), ("yes", "yes"), ("no", "no"), ("not x86 (ARM)", "arm")]
    verdict_options = [("—", ""), ("✅ ready", "ready"), ("⚠️ with changes", "warn"), ("❌ not ready", "no")]
    avx2 = w.Dropdown(options=avx2_options, value=q.part("avx2", options=avx2_options), description="AVX2?")
    verdict = w.Dropdown(options=verdict_options, value=q.part("verdict", options=verdict_options), description="Verdict")

    def given():
        a = _STATE.get("audit") or audit()
        _STATE["audit"] = a
        return {"ram_gb": ram.value, "disk_free_gb": disk.value, "avx2": avx2.value, "verdict": verdict.value,
                "audit": audit_snapshot(a)}

    button, out = q.check_button(given, "Compare with the audit", button_style="primary",
                                 layout=w.Layout(width="auto"))
    upgrade = text_answer(EX, "upgrade_plan", "Your upgrade advice: what would you change (model, quantization, "
                                              "context, hardware) and why?", rows=4)
    return w.VBox([w.HBox([ram, disk]), w.HBox([avx2, verdict]), button, out, upgrade])


# --------------------------------------------------------------------------- predict, then measure

def predict_here(model: str = ""):
    """The course's decode estimate for a GGUF on this machine (default: SmolLM2-135M, fetched once)."""
    import html

    from ..local_run import predict_speed
    from ..gguf_models import resolve_model

    path = resolve_model(model.strip() or None)
    pred = predict_speed(path, context=128)
    _STATE["prediction"] = (str(path), pred)
    if pred.tokens_per_s is None:
        return html_block(f"<p>No estimate for {html.escape(path.name)}: {html.escape(pred.basis)}</p>")
    return html_block(f"<p><b>Prediction</b> for {html.escape(path.name)} ({pred.file_size_gb:.3f} GB of weights) "
                      f"on this machine: <b>~{pred.tokens_per_s:.0f} tokens/s</b><br><small>{html.escape(pred.basis)}; "
                      f"write your own guess down before you run it.</small></p>")


def measure_here(model: str = "", max_tokens: int = 32, server=None):
    """Run the model for real on llama.cpp, with the prediction beside it; the figures are recorded."""
    from ..local_run import measure_local

    made = _STATE.get("prediction")
    bandwidth = made[1].bandwidth_gbs if made else None
    report = measure_local(model.strip() or None, max_tokens=max_tokens, bandwidth_gbs=bandwidth, server=server)
    answers.record(EX, "measured_run", {
        "model": Path(report.model_path).name, "tokens": report.tokens,
        "ttft_s": report.measured_ttft_s, "measured_tokens_per_s": report.measured_tokens_per_s,
        "server_tokens_per_s": report.server_tokens_per_s, "predicted_tokens_per_s": report.predicted_tokens_per_s,
        "prediction_error": report.prediction_error, "threads": report.threads})
    return report


def predict_measure_panel():
    w = widgets()
    model = w.Text(value="", placeholder="empty: SmolLM2-135M (98 MB, downloaded once); or the path of a .gguf",
                   description="Model", layout=w.Layout(width="620px"))
    predict = w.Button(description="1. Predict", button_style="primary")
    run = w.Button(description="2. Run it for real", button_style="warning")
    out = w.Output()
    _show_status(out)
    on_click(predict, out, lambda: predict_here(model.value))
    run.on_click(lambda _b: _append(out, lambda: measure_here(model.value)))
    gap = text_answer(EX, "gap_explained", "Why do the prediction and the run differ? Think of bandwidth, "
                                           "threads and the fixed cost of each token.", rows=4)
    return w.VBox([model, w.HBox([predict, run]), out, gap])


def _append(out, fn):
    from .common import run_safely

    return run_safely(out, fn, clear_first=False)


def _show_status(out) -> None:
    """Say up front whether the engine and the model are here (nothing runs until a click)."""
    from ..engine import status
    from .common import show_message

    ready, text = status()
    show_message(out, text, "info" if ready else "warn")
