"""Cloud vs local: monthly cost of each option, break-even usage, and latency from the fit estimator.

Costs per month (30 days):
- local = hardware price / lifetime in months + power (W) x hours per day x 30 / 1000 x electricity price
- cloud GPU = hourly price x hours per day x 30
- API = tokens per month / 1e6 x price per 1M tokens (input and output priced separately)
Tokens per month for a usage level come from the decode speed the fit estimator gives for the
local model (one speed model in the package), unless you pass your own volume.
Prices ship in data/deployment_prices.csv, each with its date and source (:func:`pick_price`); which
rows exercise 6 starts from is declared in ``course_utils/exercises/ex06.py``. Every number can be
overridden. Text a learner reads comes from the ``deploy`` catalog (``locales/<lang>/deploy.json``).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from . import data
from .errors import InvalidInput
from .i18n import number, t  # noqa: F401 - callers also use deploy.number

DAYS_PER_MONTH = 30
OPTIONS = ("local", "cloud_gpu", "api")  # the three ways to run a model; labels: deploy.option.<id>




def option_label(option: str) -> str:
    return t(f"deploy.option.{option}")


@dataclass(frozen=True)
class Price:
    value: float
    unit: str
    item: str
    provider: str
    observed: str
    source: str


@dataclass(frozen=True)
class CostInputs:
    hardware_price_usd: float = 3129.99  # RTX 4090 street price, 2025-08-21 (data/deployment_prices.csv)
    lifetime_months: float = 36.0
    power_watts: float = 450.0
    electricity_usd_per_kwh: float = 0.1872
    hours_per_day: float = 4.0
    cloud_gpu_usd_per_hour: float = 0.8048
    api_usd_per_m_input: float = 0.03
    api_usd_per_m_output: float = 0.05
    tokens_per_second: float = 100.0  # decode speed of the local setup (from the fit estimator)
    input_tokens_per_output_token: float = 2.0  # prompts are usually longer than answers
    output_tokens_per_month_m: float | None = None  # override: millions of output tokens per month

    def validate(self) -> "CostInputs":
        for name, value in asdict(self).items():
            if value is None and name == "output_tokens_per_month_m":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise InvalidInput(t("deploy.input.not_a_number", name=t(f"deploy.input.{name}"), value=repr(value)))
        if self.lifetime_months <= 0:
            raise InvalidInput(t("deploy.input.lifetime_zero"))
        if self.hours_per_day > 24:
            raise InvalidInput(t("deploy.input.hours_over_24", value=self.hours_per_day))
        return self


@dataclass(frozen=True)
class MonthlyCosts:
    local_usd: float
    local_hardware_usd: float
    local_power_usd: float
    cloud_gpu_usd: float
    api_usd: float
    output_tokens_m: float
    cheapest: str  # one of OPTIONS
    break_even_hours_per_day: float | None  # local vs cloud GPU; None = cloud never costs more
    break_even_output_tokens_m: float | None  # local vs API, per month
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_text(self) -> str:
        """The monthly costs as a learner reads them (in the language in force)."""
        be = (t("deploy.costs.never") if self.break_even_hours_per_day is None
              else t("deploy.costs.hours", hours=number(self.break_even_hours_per_day, ".1f")))
        return "\n".join([t("deploy.costs.local", total=number(self.local_usd, ",.2f"),
                            hardware=number(self.local_hardware_usd, ",.2f"), power=number(self.local_power_usd, ",.2f")),
                          t("deploy.costs.cloud_gpu", total=number(self.cloud_gpu_usd, ",.2f")),
                          t("deploy.costs.api", total=number(self.api_usd, ",.2f"),
                            tokens=number(self.output_tokens_m, ",.2f")),
                          t("deploy.costs.cheapest", option=option_label(self.cheapest)),
                          t("deploy.costs.break_even", value=be), *self.notes])


def local_monthly(i: CostInputs, hours_per_day: float | None = None) -> tuple[float, float]:
    h = i.hours_per_day if hours_per_day is None else hours_per_day
    hardware = i.hardware_price_usd / i.lifetime_months
    power = i.power_watts * h * DAYS_PER_MONTH / 1000 * i.electricity_usd_per_kwh
    return hardware, power


def output_tokens_m(i: CostInputs, hours_per_day: float | None = None) -> float:
    if i.output_tokens_per_month_m is not None and hours_per_day is None:
        return i.output_tokens_per_month_m
    h = i.hours_per_day if hours_per_day is None else hours_per_day
    return i.tokens_per_second * 3600 * h * DAYS_PER_MONTH / 1e6


def api_monthly(i: CostInputs, tokens_m: float) -> float:
    return tokens_m * (i.api_usd_per_m_output + i.input_tokens_per_output_token * i.api_usd_per_m_input)


def monthly_costs(inputs: CostInputs) -> MonthlyCosts:
    """Monthly cost of local hardware, a cloud GPU and an API for the same work."""
    i = inputs.validate()
    hw, power = local_monthly(i)
    local = hw + power
    cloud = i.cloud_gpu_usd_per_hour * i.hours_per_day * DAYS_PER_MONTH
    tokens = output_tokens_m(i)
    api = api_monthly(i, tokens)
    power_per_hour = i.power_watts / 1000 * i.electricity_usd_per_kwh
    margin = i.cloud_gpu_usd_per_hour - power_per_hour
    break_even_h = hw / (DAYS_PER_MONTH * margin) if margin > 0 else None
    per_token_m = api_monthly(i, 1.0)
    # local cost grows with use too (power); solve hw + power(t) = api(t) in output tokens
    power_per_token_m = (power_per_hour / (i.tokens_per_second * 3600 / 1e6)) if i.tokens_per_second else math.inf
    api_margin = per_token_m - power_per_token_m
    break_even_tokens = hw / api_margin if api_margin > 0 else None
    options = {"local": local, "cloud_gpu": cloud, "api": api}
    notes = []
    if break_even_h is not None and break_even_h > 24:
        notes.append(t("deploy.costs.beyond_a_day", hours=number(break_even_h, ".0f")))
    return MonthlyCosts(round(local, 2), round(hw, 2), round(power, 2), round(cloud, 2), round(api, 2),
                        round(tokens, 3), min(options, key=options.get),
                        None if break_even_h is None else round(break_even_h, 2),
                        None if break_even_tokens is None else round(break_even_tokens, 3), tuple(notes))


def cost_curves(inputs: CostInputs, max_hours: float = 24, steps: int = 49) -> dict[str, list[float]]:
    """Monthly cost of each option against hours of use per day (the data behind the plot)."""
    i = inputs.validate()
    hours = [max_hours * k / (steps - 1) for k in range(steps)]
    hw = i.hardware_price_usd / i.lifetime_months
    return {"hours": hours,
            "local": [hw + local_monthly(i, h)[1] for h in hours],
            "cloud_gpu": [i.cloud_gpu_usd_per_hour * h * DAYS_PER_MONTH for h in hours],
            "api": [api_monthly(i, output_tokens_m(i, h)) for h in hours]}


# Each option has its own colour, line style and marker, and a label at the line's end: the chart
# reads the same in greyscale and for red-green colour blindness.
LINE_STYLES = {"local": ("#1b6e20", "-", "o"), "cloud_gpu": ("#1f4e79", "--", "s"), "api": ("#8a5a00", "-.", "^")}


def plot_break_even(inputs: CostInputs, max_hours: float = 24):
    """Monthly cost against hours of use per day, with the local/cloud break-even marked.

    Its text alternative is :func:`break_even_alt`."""
    import matplotlib.pyplot as plt

    curves = cost_curves(inputs, max_hours)
    costs = monthly_costs(inputs)
    fig, ax = plt.subplots(figsize=(8, 4))
    for name, (colour, style, marker) in LINE_STYLES.items():
        ax.plot(curves["hours"], curves[name], label=option_label(name), color=colour, linestyle=style,
                marker=marker, markevery=6, linewidth=2)
        ax.annotate(option_label(name), (curves["hours"][-1], curves[name][-1]), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8, color=colour)
    if costs.break_even_hours_per_day is not None and costs.break_even_hours_per_day <= max_hours:
        ax.axvline(costs.break_even_hours_per_day, color="#555", linestyle=":", linewidth=1.5,
                   label=t("deploy.chart.break_even", hours=number(costs.break_even_hours_per_day, ".1f")))
    ax.axvline(inputs.hours_per_day, color="#555", alpha=0.25, linewidth=6,
               label=t("deploy.chart.your_usage", hours=number(inputs.hours_per_day, "g")))
    ax.set_xlabel(t("deploy.chart.x"))
    ax.set_ylabel(t("deploy.chart.y"))
    ax.set_title(t("deploy.chart.title"))
    ax.set_xlim(0, max_hours * 1.12)  # room for the end labels
    ax.set_xticks([h for h in range(0, int(max_hours) + 1, 4)])
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def break_even_alt(inputs: CostInputs, max_hours: float = 24) -> str:
    """The chart of :func:`plot_break_even` in words (its alt text): each line's start and end, the
    break-even and the learner's usage."""
    curves = cost_curves(inputs, max_hours)
    costs = monthly_costs(inputs)
    parts = [t("deploy.chart.alt.intro", hours=number(max_hours, "g"))]
    parts += [t("deploy.chart.alt.line", option=option_label(name), start=number(curves[name][0], ",.0f"),
                end=number(curves[name][-1], ",.0f"), hours=number(max_hours, "g")) for name in OPTIONS]
    if costs.break_even_hours_per_day is not None and costs.break_even_hours_per_day <= max_hours:
        parts.append(t("deploy.chart.alt.break_even", hours=number(costs.break_even_hours_per_day, ".1f")))
    else:
        parts.append(t("deploy.chart.alt.no_break_even", hours=number(max_hours, "g")))
    parts.append(t("deploy.chart.alt.usage", hours=number(inputs.hours_per_day, "g"),
                   option=option_label(costs.cheapest)))
    return " ".join(parts)


# --------------------------------------------------------------------------- default prices

def _rows(category: str) -> list[dict]:
    return [r for r in data.load("deployment_prices") if r["category"] == category and r["value"] is not None]


def _price(row: dict, output: bool = False) -> Price:
    unit = row["unit"].replace("input", "output") if output else row["unit"]
    return Price(row["value_output"] if output else row["value"], unit, row["item"], row["provider"],
                 row["observed"], row["source_url"])


def pick_price(category: str, *needles: str, output: bool = False) -> Price:
    """The first row of data/deployment_prices.csv in ``category`` whose item, provider and region contain
    every needle (case-insensitive); ``output=True`` takes an API row's output-token price.
    ``category="electricity"`` with no needles: the newest price per kWh."""
    if category == "electricity" and not needles:
        row = max((r for r in _rows("electricity") if r["unit"] == "USD per kWh"), key=lambda r: r["observed"])
        return _price(row)
    for row in _rows(category):
        text = f"{row['item']} {row['provider']} {row['region']}".lower()
        if all(n.lower() in text for n in needles):
            return _price(row, output)
    raise LookupError(t("deploy.price.none", category=category, needles=", ".join(map(repr, needles))))


def inputs_from(prices: dict[str, Price], **overrides: Any) -> CostInputs:
    """Cost inputs from prices (keyed by CostInputs field), then ``overrides``."""
    base = CostInputs(**{k: p.value for k, p in prices.items()})
    try:
        return replace(base, **overrides).validate()
    except TypeError as exc:
        raise InvalidInput(t("deploy.input.unknown", detail=str(exc))) from None


# --------------------------------------------------------------------------- latency

@dataclass(frozen=True)
class Latency:
    tokens_per_s: float
    time_to_first_token_s: float | None
    total_s: float | None
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def latency(model: str, quant: str = "Q4_K_M", hardware: str | None = None, bandwidth_gbs: float | None = None,
            backend: str | None = None, prompt_tokens: int = 500, output_tokens: int = 200,
            prompt_tokens_per_s: float | None = None) -> Latency:
    """Decode speed from the fit estimator; time to first token only when the prompt speed is known.

    Prompt processing is compute-bound, not bandwidth-bound, so the bandwidth model cannot give it.
    It is taken from llama-bench's pp512 for the same GPU in data/llamacpp_speed_calibration.csv
    when there is one, or from ``prompt_tokens_per_s`` (measure it with course_utils.timing).
    """
    from .fit import estimate

    est = estimate(model, quant, prompt_tokens + output_tokens, hardware=hardware, bandwidth_gbs=bandwidth_gbs,
                   backend=backend)
    tps = est.tokens_per_s
    if tps is None:
        raise InvalidInput(t("deploy.latency.no_hardware"))
    basis = t("deploy.latency.decode", hardware=est.hardware or "?", bandwidth=number(est.bandwidth_gbs, "g"))
    pp = prompt_tokens_per_s
    if pp is None and est.hardware:
        rows = [r for r in data.load("llamacpp_speed_calibration") if r["hardware"] == est.hardware and r["pp512_tps"]]
        if rows:
            # pp512 was measured on Llama 2 7B Q4_0; scale by the weights read (compute ~ parameters)
            ref = estimate("meta-llama/Llama-2-7b-hf", "Q4_0", 512).params_b
            pp = rows[0]["pp512_tps"] * ref / est.params_b
            basis += t("deploy.latency.prompt_from_bench", hardware=est.hardware)
    ttft = prompt_tokens / pp if pp else None
    total = (ttft or 0) + output_tokens / tps if ttft is not None else None
    if ttft is None:
        basis += t("deploy.latency.ttft_unknown")
    return Latency(tps, None if ttft is None else round(ttft, 3), None if total is None else round(total, 2), basis)
