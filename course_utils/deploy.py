"""Cloud vs local: monthly cost of each option, break-even usage, and latency from the fit estimator.

Costs per month (30 days):
- local = hardware price / lifetime in months + power (W) x hours per day x 30 / 1000 x electricity price
- cloud GPU = hourly price x hours per day x 30
- API = tokens per month / 1e6 x price per 1M tokens (input and output priced separately)
Tokens per month for a usage level come from the decode speed the fit estimator gives for the
local model (one speed model in the package), unless you pass your own volume.
Default prices ship in data/deployment_prices.csv, each with its date and source; every number can
be overridden.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from . import data
from .errors import InvalidInput

DAYS_PER_MONTH = 30


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
                raise InvalidInput(f"{name.replace('_', ' ')} must be a number ≥ 0, not {value!r}.")
        if self.lifetime_months <= 0:
            raise InvalidInput("The hardware lifetime must be more than 0 months.")
        if self.hours_per_day > 24:
            raise InvalidInput(f"Hours per day must be at most 24, not {self.hours_per_day}.")
        return self


@dataclass(frozen=True)
class MonthlyCosts:
    local_usd: float
    local_hardware_usd: float
    local_power_usd: float
    cloud_gpu_usd: float
    api_usd: float
    output_tokens_m: float
    cheapest: str
    break_even_hours_per_day: float | None  # local vs cloud GPU; None = cloud never costs more
    break_even_output_tokens_m: float | None  # local vs API, per month
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_text(self) -> str:
        be = ("never (the cloud GPU costs less per hour than local power)" if self.break_even_hours_per_day is None
              else f"{self.break_even_hours_per_day:.1f} h/day")
        return "\n".join([f"local      ${self.local_usd:,.2f}/month (hardware ${self.local_hardware_usd:,.2f} + "
                          f"power ${self.local_power_usd:,.2f})",
                          f"cloud GPU  ${self.cloud_gpu_usd:,.2f}/month",
                          f"API        ${self.api_usd:,.2f}/month for {self.output_tokens_m:,.2f} M output tokens",
                          f"cheapest   {self.cheapest}", f"break-even local vs cloud GPU: {be}",
                          *self.notes])


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
    options = {"local": local, "cloud GPU": cloud, "API": api}
    notes = []
    if break_even_h is not None and break_even_h > 24:
        notes.append(f"Local only pays off above {break_even_h:.0f} h/day, which a day does not have: the cloud GPU "
                     f"is cheaper at any usage.")
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
            "cloud GPU": [i.cloud_gpu_usd_per_hour * h * DAYS_PER_MONTH for h in hours],
            "API": [api_monthly(i, output_tokens_m(i, h)) for h in hours]}


def plot_break_even(inputs: CostInputs, max_hours: float = 24):
    """Monthly cost against hours of use per day, with the local/cloud break-even marked."""
    import matplotlib.pyplot as plt

    curves = cost_curves(inputs, max_hours)
    costs = monthly_costs(inputs)
    fig, ax = plt.subplots(figsize=(8, 4))
    for name, colour in (("local", "#1b6e20"), ("cloud GPU", "#1f4e79"), ("API", "#8a5a00")):
        ax.plot(curves["hours"], curves[name], label=name, color=colour)
    if costs.break_even_hours_per_day is not None and costs.break_even_hours_per_day <= max_hours:
        ax.axvline(costs.break_even_hours_per_day, color="#555", linestyle=":",
                   label=f"local = cloud GPU at {costs.break_even_hours_per_day:.1f} h/day")
    ax.axvline(inputs.hours_per_day, color="#a01010", alpha=0.3, linewidth=6, label="your usage")
    ax.set_xlabel("hours of generation per day")
    ax.set_ylabel("USD per month")
    ax.set_title("Monthly cost for the same work")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- default prices

def _rows(category: str) -> list[dict]:
    return [r for r in data.load("deployment_prices") if r["category"] == category and r["value"] is not None]


def _price(row: dict, output: bool = False) -> Price:
    unit = row["unit"].replace("input", "output") if output else row["unit"]
    return Price(row["value_output"] if output else row["value"], unit, row["item"], row["provider"],
                 row["observed"], row["source_url"])


def _pick(category: str, *needles: str) -> dict:
    for row in _rows(category):
        text = f"{row['item']} {row['provider']} {row['region']}".lower()
        if all(n.lower() in text for n in needles):
            return row
    raise LookupError(f"no {category} price matching {needles}")


def default_prices() -> dict[str, Price]:
    """The prices the planner starts from, each with its date and source (see data/deployment_prices.csv)."""
    gpu = _pick("cloud_gpu", "g6.xlarge", "us-east-1")
    api = _pick("api_tokens", "Meta-Llama-3.1-8B-Instruct", "DeepInfra")
    # the dated street price, not the 2022 launch list price (which halves the break-even)
    hardware = _pick("hardware", "RTX 4090", "street price")
    power = _pick("power_draw", "RTX 4090")
    electricity = max((r for r in _rows("electricity") if r["unit"] == "USD per kWh"), key=lambda r: r["observed"])
    return {"cloud_gpu_usd_per_hour": _price(gpu), "api_usd_per_m_input": _price(api),
            "api_usd_per_m_output": _price(api, output=True), "hardware_price_usd": _price(hardware),
            "power_watts": _price(power), "electricity_usd_per_kwh": _price(electricity)}


def default_inputs(**overrides: Any) -> CostInputs:
    prices = default_prices()
    base = CostInputs(**{k: p.value for k, p in prices.items()})
    try:
        return replace(base, **overrides).validate()
    except TypeError as exc:
        raise InvalidInput(f"Unknown cost input: {exc}") from None


def price_table() -> list[dict[str, Any]]:
    return [{"input": k, "value": p.value, "unit": p.unit, "item": p.item, "provider": p.provider,
             "observed": p.observed, "source": p.source} for k, p in default_prices().items()]


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
        raise InvalidInput("Give a hardware name or a bandwidth to estimate the speed.")
    basis = f"decode from the fit estimator ({est.hardware}, {est.bandwidth_gbs:g} GB/s)"
    pp = prompt_tokens_per_s
    if pp is None and est.hardware:
        rows = [r for r in data.load("llamacpp_speed_calibration") if r["hardware"] == est.hardware and r["pp512_tps"]]
        if rows:
            # pp512 was measured on Llama 2 7B Q4_0; scale by the weights read (compute ~ parameters)
            ref = estimate("meta-llama/Llama-2-7b-hf", "Q4_0", 512).params_b
            pp = rows[0]["pp512_tps"] * ref / est.params_b
            basis += f"; prompt speed from llama-bench pp512 on {est.hardware}, scaled by model size"
    ttft = prompt_tokens / pp if pp else None
    total = (ttft or 0) + output_tokens / tps if ttft is not None else None
    if ttft is None:
        basis += "; time to first token unknown (prompt processing is compute-bound: measure it)"
    return Latency(tps, None if ttft is None else round(ttft, 3), None if total is None else round(total, 2), basis)


# --------------------------------------------------------------------------- pros and cons (exercise 6)

SIDES = ("local pro", "local con", "cloud pro", "cloud con", "not true")
# statement -> (the right side, why). Kept short and checkable against the rest of the course.
STATEMENTS: dict[str, tuple[str, str]] = {
    "Prompts and outputs never leave your own machines": (
        "local pro", "With local inference no third party sees the data."),
    "You pay for the hardware up front, before any use": (
        "local con", "The purchase price is due on day one; the cost model spreads it over the lifetime."),
    "No hardware to buy: you pay per hour or per token": (
        "cloud pro", "Cloud GPUs and APIs bill by use (see the price table's dates)."),
    "Every request crosses the network, adding round-trip time": (
        "cloud con", "Network latency adds to the time to first token."),
    "Capacity grows or shrinks with demand within minutes": (
        "cloud pro", "Renting more GPUs is quicker than buying and installing them."),
    "Speed is limited by your machine's memory bandwidth": (
        "local con", "Decode speed ~ bandwidth / model size: a laptop is slower than a data-centre GPU."),
    "Prices and models can change under you (provider decisions)": (
        "cloud con", "Prices move (see the dated price table) and hosted models are retired."),
    "Local is always faster than the cloud": (
        "not true", "It depends on the hardware: an RTX 4090 decodes a 7B model far faster than a laptop CPU."),
    "Open models cannot run in the cloud": (
        "not true", "Open weights run on rented GPUs and are served by many API providers."),
}


def check_pros_cons(given: dict[str, str]):
    """Feedback on a learner's sorting of the statements into pros and cons."""
    from .feedback import Check

    given = given if isinstance(given, dict) else {}
    return tuple(Check(statement, given.get(statement) or None, side, given.get(statement) == side, why)
                 for statement, (side, why) in STATEMENTS.items())
