"""Notebook 06 (cloud vs local): cost sliders with a live break-even plot, pros/cons, timing, plan.

Widgets only wire inputs to the plain functions of ``course_utils.exercises.ex06`` (and ``deploy``,
``timing``) and show their results; every text comes from the catalogs.
"""
from __future__ import annotations

import html
from pathlib import Path

from .. import answers, deploy
from ..exercises import ex06 as exercise
from ..i18n import t, tn
from ..timing import openai_compatible, time_generation
from .common import Question, chart_html, html_block, on_click, run_safely, tag, text_answer, wide_button, widgets

EX = exercise.EX
SPEED_MODELS = list(exercise.SPEED_MODELS)
SPEED_HARDWARE = list(exercise.HARDWARE)
# slider: CostInputs field -> (integer slider, min, max, step)
SLIDERS = {
    "hardware_price_usd": (False, 0, 6000, 50),
    "lifetime_months": (True, 6, 72, 6),
    "power_watts": (False, 5, 1000, 5),
    "electricity_usd_per_kwh": (False, 0.0, 0.6, 0.01),
    "hours_per_day": (False, 0, 24, 0.5),
    "cloud_gpu_usd_per_hour": (False, 0.0, 10, 0.05),
    "api_usd_per_m_input": (False, 0.0, 5, 0.01),
    "api_usd_per_m_output": (False, 0.0, 15, 0.01),
    "tokens_per_second": (False, 1, None, 1),  # max: speed_slider_max()
}


def speed_slider_max(speeds=None) -> float:
    """The speed slider's top: the fastest estimate on the menu (or ``speeds``) + 10 %, up to a multiple of 50.

    A slider that stops below the estimate would clamp it and under-count the tokens an API would bill.
    """
    if speeds is None:
        speeds = [deploy.latency(m, exercise.QUANT, hardware=h).tokens_per_s for m in SPEED_MODELS
                  for h in SPEED_HARDWARE]
    top = max([300.0, *(1.1 * float(v) for v in speeds if v)])
    return float(-(-top // 50) * 50)


def slider_range(lo: float, hi: float, step: float, saved) -> tuple[float, float]:
    """(min, max) of a slider widened to hold a saved value, so restoring it never clamps (and a
    later save never writes the clamped value over the learner's own)."""
    if isinstance(saved, bool) or not isinstance(saved, (int, float)) or saved != saved:
        return lo, hi
    if saved > hi:
        hi = saved if not step else -(-saved // step) * step
    if saved < lo:
        lo = saved if not step else (saved // step) * step
    return lo, hi


def price_table_html() -> str:
    rows = "".join(f"<tr><td>{html.escape(p['input'])}</td><td>{deploy.number(p['value'], 'g')} {html.escape(p['unit'])}</td>"
                   f"<td>{html.escape(p['item'])} ({html.escape(p['provider'])})</td><td>{html.escape(p['observed'])}</td>"
                   f"<td><a href='{html.escape(p['source'])}' target='_blank'>{html.escape(t('ex06.prices.source'))}"
                   f"</a></td></tr>" for p in exercise.price_rows())
    head = "".join(f"<th>{html.escape(t(f'ex06.prices.{c}'))}</th>" for c in ("input", "value", "what", "observed"))
    return (f"<p><b>{html.escape(t('ex06.prices.title'))}</b> {html.escape(t('ex06.prices.dates'))}</p>"
            f"<table><tr>{head}<th></th></tr>{rows}</table>")


def cost_planner():
    w = widgets()
    d = exercise.default_inputs()
    q = Question(EX, exercise.COST_INPUTS, {})

    def slider(field):
        integer, lo, hi, step = SLIDERS[field]
        hi = speed_slider_max() if hi is None else hi
        value = int(getattr(d, field)) if integer else getattr(d, field)
        return tag((w.IntSlider if integer else w.FloatSlider)(
            value=value, min=lo, max=hi, step=step, description=t(f"deploy.input.{field}"),
            continuous_update=False, style={"description_width": "260px"}, layout=w.Layout(width="600px")),
            f"ex06-input-{field}")

    s = {field: slider(field) for field in SLIDERS}
    start = {k: widget.value for k, widget in s.items()}
    for k, widget in s.items():  # start from the learner's saved inputs, never clamped by the range
        saved = q.part(k, default=start[k])
        lo, hi = slider_range(widget.min, widget.max, widget.step, saved)
        if hi > widget.max:
            widget.max = hi
        if lo < widget.min:
            widget.min = lo
        widget.value = saved
    model = w.Dropdown(options=SPEED_MODELS, description=t("ex06.hardware.model"), layout=w.Layout(width="420px"))
    hardware = tag(w.Dropdown(options=SPEED_HARDWARE, description=t("ex06.hardware.hardware"),
                              layout=w.Layout(width="420px")), "ex06-hardware")
    speed_button = tag(w.Button(description=t("ex06.hardware.button"), layout=w.Layout(width="auto")),
                       "ex06-use-hardware")
    out = tag(w.Output(), "ex06-chart")
    speed_out = tag(w.Output(), "ex06-hardware-out")

    def values():
        return {k: v.value for k, v in s.items()}

    def redraw(change=None):
        if change is not None:  # moved by the learner: record what differs from the starting prices
            q.record(exercise.inputs_to_record(values(), start, q.initial))
        text, fig, alt = exercise.planner_view(values())
        return [html_block("<pre>" + html.escape(text) + "</pre>"), html_block(chart_html(fig, alt))]

    def use_hardware():
        choice = exercise.choose_hardware(model.value, hardware.value)
        speed = s["tokens_per_second"]
        speed.max = max(speed.max, speed_slider_max([choice.tokens_per_s]))  # never clamp the estimate
        speed.value = round(choice.tokens_per_s)
        if choice.price is not None:
            s["hardware_price_usd"].value = choice.price.value
        if choice.power is not None:
            s["power_watts"].value = choice.power.value
        return html_block(f"<pre>{html.escape(choice.message)}</pre>")

    for widget in s.values():
        widget.observe(lambda change: run_safely(out, lambda: redraw(change)), names="value")
    on_click(speed_button, speed_out, use_hardware)
    hardware.observe(lambda _change: run_safely(speed_out, use_hardware), names="value")  # other hardware: its price too
    run_safely(out, redraw)
    return tag(w.VBox([w.HTML(price_table_html()), *s.values(), w.HBox([model, hardware, speed_button]),
                       speed_out, out]), "ex06-costs")


def pros_cons():
    """One picker per statement (the answer is {statement id: side id}), the learner's own points, Check."""
    w = widgets()
    q = Question(EX, exercise.PROS_CONS, {})
    given = exercise.normalise_pros_cons(q.initial)
    options = exercise.side_options()
    values = [v for _label, v in options]
    pickers = {}
    for sid in exercise.STATEMENTS:
        start = given.get(sid, "")
        pickers[sid] = tag(w.Dropdown(options=options, value=start if start in values else "",
                                      description=exercise.statement_text(sid),
                                      style={"description_width": "470px"}, layout=w.Layout(width="700px")),
                           f"ex06-statement-{sid}")
    own = tag(w.Textarea(value=given.get(exercise.OWN, ""), placeholder=t("ex06.own.placeholder"),
                         layout=w.Layout(width="95%", height="6em")), "ex06-own")
    button, out = q.check_button(lambda: exercise.pros_cons_to_record({sid: p.value for sid, p in pickers.items()},
                                                                      own.value, q.initial),
                                 t("ex06.pros_cons.check"), button_style="primary")
    intro = w.HTML("<p>" + html.escape(tn("ex06.pros_cons.intro", exercise.myth_count(),
                                         total=len(exercise.STATEMENTS))) + "</p>")
    own_label = w.HTML("<p><b>" + html.escape(t("ex06.own.label")) + "</b></p>")
    return tag(w.VBox([intro, *pickers.values(), own_label, own, button, out]), "ex06-pros-cons")


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
    answers.record(EX, exercise.TIMING, {"base_url": source, "model": model, "ttft_s": result.ttft_s,
                                         "tokens_per_s": result.tokens_per_s, "total_s": result.total_s,
                                         "tokens": result.tokens, "tokens_from": result.tokens_from})
    return shown


def timing_panel():
    w = widgets()
    url = tag(w.Text(value="", placeholder=t("ex06.timing.url_placeholder"), description=t("ex06.timing.url"),
                     layout=w.Layout(width="520px")), "ex06-url")
    model = tag(w.Text(value="", placeholder=t("ex06.timing.model_placeholder"), description=t("ex06.timing.model"),
                       layout=w.Layout(width="520px")), "ex06-model")
    runs = w.IntSlider(value=3, min=1, max=10, description=t("ex06.timing.runs"))
    hf_model = tag(w.Text(value="", placeholder=t("ex06.timing.hf_placeholder"), description="transformers",
                          layout=w.Layout(width="420px")), "ex06-hf-model")
    button = tag(wide_button(t("ex06.timing.button"), button_style="primary"), "ex06-run")
    out = tag(w.Output(), "ex06-run-out")
    from .ex04 import _show_status

    _show_status(out)
    on_click(button, out, lambda: measure(url.value, model.value, runs.value, hf_model=hf_model.value))
    return w.VBox([url, model, w.HBox([runs, hf_model]), button, out])


def plan_box():
    return text_answer(EX, exercise.PLAN, t("ex06.plan.prompt"), rows=6)
