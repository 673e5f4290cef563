"""Notebook 06 (cloud vs local): cost sliders with a live break-even plot, pros/cons, timing, plan."""
from __future__ import annotations

from pathlib import Path

import html

from .. import answers, deploy
from ..timing import openai_compatible, time_generation
from .common import Question, html_block, on_click, picker_question, run_safely, text_answer, widgets
from .common import tag

EX = "ex06"
SPEED_MODELS = ["mistralai/Mistral-7B-Instruct-v0.3", "meta-llama/Llama-3.1-8B-Instruct",
                "microsoft/Phi-3-mini-4k-instruct", "TinyLlama/TinyLlama-1.1B-Chat-v1.0"]
SPEED_HARDWARE = ["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 3060 12GB", "Apple M1 Pro (14-core GPU)",
                  "Apple M4 (10-core GPU)"]


def speed_slider_max(speeds=None) -> float:
    """The speed slider's top: the fastest estimate on the menu (or ``speeds``) + 10 %, up to a multiple of 50.

    A slider that stops below the estimate would clamp it and under-count the tokens an API would bill.
    """
    if speeds is None:
        speeds = [deploy.latency(m, "Q4_K_M", hardware=h).tokens_per_s for m in SPEED_MODELS for h in SPEED_HARDWARE]
    top = max([300.0, *(1.1 * float(v) for v in speeds if v)])
    return float(-(-top // 50) * 50)


def price_table_html() -> str:
    rows = "".join(f"<tr><td>{html.escape(p['input'])}</td><td>{p['value']:g} {html.escape(p['unit'])}</td>"
                   f"<td>{html.escape(p['item'])} ({html.escape(p['provider'])})</td><td>{html.escape(p['observed'])}</td>"
                   f"<td><a href='{html.escape(p['source'])}' target='_blank'>source</a></td></tr>"
                   for p in deploy.price_table())
    return ("<p><b>Starting prices</b> (prices move: check the dates)</p><table><tr><th>input</th><th>value</th>"
            f"<th>what</th><th>observed</th><th></th></tr>{rows}</table>")


def cost_planner():
    w = widgets()
    d = deploy.default_inputs()
    q = Question(EX, "cost_inputs", {})

    def slider(cls, value, lo, hi, step, label):
        return cls(value=value, min=lo, max=hi, step=step, description=label, continuous_update=False,
                   style={"description_width": "200px"}, layout=w.Layout(width="520px"))

    s = {
        "hardware_price_usd": slider(w.FloatSlider, d.hardware_price_usd, 0, 6000, 50, "hardware price ($)"),
        "lifetime_months": slider(w.IntSlider, int(d.lifetime_months), 6, 72, 6, "hardware lifetime (months)"),
        "power_watts": slider(w.FloatSlider, d.power_watts, 5, 1000, 5, "power draw (W)"),
        "electricity_usd_per_kwh": slider(w.FloatSlider, d.electricity_usd_per_kwh, 0.0, 0.6, 0.01, "electricity ($/kWh)"),
        "hours_per_day": slider(w.FloatSlider, d.hours_per_day, 0, 24, 0.5, "hours of use per day"),
        "cloud_gpu_usd_per_hour": slider(w.FloatSlider, d.cloud_gpu_usd_per_hour, 0.0, 10, 0.05, "cloud GPU ($/hour)"),
        "api_usd_per_m_input": slider(w.FloatSlider, d.api_usd_per_m_input, 0.0, 5, 0.01, "API $ per 1M input tokens"),
        "api_usd_per_m_output": slider(w.FloatSlider, d.api_usd_per_m_output, 0.0, 15, 0.01, "API $ per 1M output tokens"),
        "tokens_per_second": slider(w.FloatSlider, d.tokens_per_second, 1, speed_slider_max(), 1,
                                    "local decode speed (tokens/s)"),
    }
    start = {k: widget.value for k, widget in s.items()}
    for k, widget in s.items():  # start from the learner's saved inputs
        tag(widget, f"ex06-{k}")
        widget.value = q.part(k, default=start[k])
    model = w.Dropdown(options=SPEED_MODELS, description="model", layout=w.Layout(width="420px"))
    hardware = w.Dropdown(options=SPEED_HARDWARE, description="hardware", layout=w.Layout(width="420px"))
    speed_button = w.Button(description="Set speed from the estimator", layout=w.Layout(width="auto"))
    out = w.Output()
    speed_out = w.Output()
    tag(out, "ex06-cost-out")

    def inputs():
        return deploy.CostInputs(**{k: float(v.value) for k, v in s.items()})

    def redraw(change=None):
        if change is not None:  # moved by the learner: record what differs from the starting prices
            q.record({k: v.value for k, v in s.items() if k in q.initial or v.value != start[k]})
        costs = deploy.monthly_costs(inputs())
        return [html_block("<pre>" + html.escape(costs.to_text()) + "</pre>"), deploy.plot_break_even(inputs())]

    def set_speed():
        lat = deploy.latency(model.value, "Q4_K_M", hardware=hardware.value)
        speed = s["tokens_per_second"]
        speed.max = max(speed.max, speed_slider_max([lat.tokens_per_s]))  # never clamp the estimate
        speed.value = round(lat.tokens_per_s)
        ttft = "unknown" if lat.time_to_first_token_s is None else f"{lat.time_to_first_token_s:.2f} s"
        return html_block(f"<p>~{lat.tokens_per_s:.0f} tokens/s, time to first token for a 500-token prompt: {ttft}"
                          f"<br><small>{html.escape(lat.basis)}</small></p>")

    for widget in s.values():
        widget.observe(lambda change: run_safely(out, lambda: redraw(change)), names="value")
    on_click(speed_button, speed_out, set_speed)
    run_safely(out, redraw)
    return w.VBox([w.HTML(price_table_html()), *s.values(), w.HBox([model, hardware, speed_button]), speed_out, out])


def pros_cons():
    w = widgets()
    options = [("—", "")] + [(side, side) for side in deploy.SIDES]
    pickers, button, out = picker_question(EX, "pros_cons", deploy.STATEMENTS, options, label_width="430px",
                                           width="640px")
    return w.VBox([*pickers.children, button, out])


def measure(base_url: str = "", model: str = "", runs: int = 3, max_new_tokens: int = 64, hf_model: str = "",
            server=None):
    """Time a real generation (plain function behind the timing widget), and record it.

    With a base URL: that OpenAI-compatible endpoint. Else with ``hf_model``: a transformers model
    (Colab). Else: the course's small model on llama.cpp, started here and stopped afterwards.
    """
    base_url, model, hf_model = base_url.strip(), model.strip(), hf_model.strip()
    if base_url:
        result = time_generation(openai_compatible(base_url, model or "local-model", timeout=60),
                                 max_new_tokens=max_new_tokens, runs=runs)
        source, shown = base_url, result
    elif hf_model:
        from ..hf_engine import transformers_generate

        result = time_generation(transformers_generate(hf_model), max_new_tokens=max_new_tokens, runs=runs,
                                 warmup=True)
        source, model, shown = "transformers", hf_model, result
    else:
        from ..local_run import measure_local

        report = measure_local(max_tokens=max_new_tokens, runs=runs, server=server)
        result, source, shown = report.timing, "llama.cpp (this machine)", report
        model = Path(report.model_path).name
    answers.record(EX, "timing", {"base_url": source, "model": model, "ttft_s": result.ttft_s,
                                  "tokens_per_s": result.tokens_per_s, "total_s": result.total_s,
                                  "tokens": result.tokens, "tokens_from": result.tokens_from})
    return shown


def timing_panel():
    w = widgets()
    url = w.Text(value="", placeholder="empty: the course's small model on llama.cpp, here",
                 description="Base URL", layout=w.Layout(width="520px"))
    model = w.Text(value="", placeholder="the endpoint's model name, e.g. llama3.2", description="Model",
                   layout=w.Layout(width="520px"))
    runs = w.IntSlider(value=3, min=1, max=10, description="Runs")
    hf_model = w.Text(value="", placeholder="Colab: a transformers model id", description="transformers",
                      layout=w.Layout(width="420px"))
    button = w.Button(description="Measure", button_style="primary")
    out = w.Output()
    tag(button, "ex06-measure")
    tag(out, "ex06-measure-out")
    from .ex04 import _show_status

    _show_status(out)
    on_click(button, out, lambda: measure(url.value, model.value, runs.value, hf_model=hf_model.value))
    return w.VBox([url, model, w.HBox([runs, hf_model]), button, out])


def plan_box():
    return text_answer(EX, "plan", "Your plan: local, cloud GPU or API for your use case? Give the numbers that "
                                   "decided it (cost per month, speed, break-even) and one risk.", rows=6)
