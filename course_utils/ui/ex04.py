"""Notebook 04 (readiness audit): audit button, model/quant/context pickers, readiness table, chart."""
from __future__ import annotations

from ..fit import QUANTS, memory_by_quant
from ..readiness import audit_snapshot, readiness
from ..system import SystemAudit, audit
from .common import Question, on_click, text_answer, widgets

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
