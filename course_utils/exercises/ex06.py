"""Exercise 6: cloud vs local plan (cost inputs, pros and cons, the plan).

The exercise's one home: its questions, the pros/cons statements (keyed by ids; their text, the
sides' labels and the reasons are in the ``ex06`` catalog), the prices the cost planner starts
from, the model and hardware menus, and the plain functions the widgets of ``ui/ex06.py`` call.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import Concept, Exercise, Question

EX = "ex06"
QUANT = "Q4_K_M"
PROMPT_TOKENS = 500  # the prompt whose time to first token is shown
OUTPUT_TOKENS = 200

# --------------------------------------------------------------------------- the cost planner

# Which rows of data/deployment_prices.csv the planner starts from: CostInputs field ->
# (category, needles that pick the row, output-token price). Each row carries its date and source.
DEFAULT_PRICE_ROWS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "cloud_gpu_usd_per_hour": ("cloud_gpu", ("g6.xlarge", "us-east-1"), False),
    "api_usd_per_m_input": ("api_tokens", ("Meta-Llama-3.1-8B-Instruct", "DeepInfra"), False),
    "api_usd_per_m_output": ("api_tokens", ("Meta-Llama-3.1-8B-Instruct", "DeepInfra"), True),
    # the dated street price, not the 2022 launch list price (which halves the break-even)
    "hardware_price_usd": ("hardware", ("RTX 4090", "street price"), False),
    "power_watts": ("power_draw", ("RTX 4090",), False),
    "electricity_usd_per_kwh": ("electricity", (), False),
}

SPEED_MODELS = ("mistralai/Mistral-7B-Instruct-v0.3", "meta-llama/Llama-3.1-8B-Instruct",
                "microsoft/Phi-3-mini-4k-instruct", "TinyLlama/TinyLlama-1.1B-Chat-v1.0")
# The hardware menu: the name the fit estimator knows -> the price and power rows of
# data/deployment_prices.csv for it. Every entry has a llama-bench prompt speed (pp512) in
# data/llamacpp_speed_calibration.csv, so its time to first token can be estimated. (The Apple M1 Pro
# offered before had none, nor a price or a power figure: its time to first token was always unknown.)
HARDWARE: dict[str, dict[str, tuple[str, ...]]] = {
    "NVIDIA GeForce RTX 4090": {"price": ("RTX 4090", "street price"), "power": ("RTX 4090",)},
    "NVIDIA GeForce RTX 3060 12GB": {"price": ("RTX 3060 12GB",), "power": ("RTX 3060 12GB",)},
    # Mac mini M4 (base): the M4 with the 10-core GPU; power = Apple's maximum figure
    "Apple M4 (10-core GPU)": {"price": ("Mac mini", "M4"), "power": ("Mac mini", "M4", "maximum")},
}


def default_prices() -> dict:
    """The prices the planner starts from (deploy.Price: value, unit, item, provider, date, source)."""
    from ..deploy import pick_price

    return {field: pick_price(category, *needles, output=output)
            for field, (category, needles, output) in DEFAULT_PRICE_ROWS.items()}


def default_inputs(**overrides: Any):
    """deploy.CostInputs from the starting prices, then ``overrides`` (e.g. ``hours_per_day=4``)."""
    from ..deploy import inputs_from

    return inputs_from(default_prices(), **overrides)


def price_rows() -> list[dict[str, Any]]:
    """The starting-price table as a learner reads it: what each input is, its value, date and source."""
    from ..i18n import t

    return [{"field": field, "input": t(f"deploy.input.{field}"), "value": p.value, "unit": unit_label(p.unit),
             "item": p.item, "provider": p.provider, "observed": p.observed, "source": p.source}
            for field, p in default_prices().items()]


# units of data/deployment_prices.csv -> catalog key (deploy.unit.<key>); any other unit is shown as it is
UNITS = {"USD": "usd", "USD per hour": "usd_per_hour", "USD per 1M input tokens": "usd_per_m_input",
         "USD per 1M output tokens": "usd_per_m_output", "watts": "watts", "USD per kWh": "usd_per_kwh"}


def unit_label(unit: str) -> str:
    from ..i18n import t

    return t(f"deploy.unit.{UNITS[unit]}") if unit in UNITS else unit


def inputs_to_record(values: dict[str, float], start: dict[str, float], saved: Any) -> dict[str, float]:
    """What the planner records: the inputs that differ from the starting prices, and any the learner
    had already saved (so moving a slider back to its start is kept too)."""
    saved = saved if isinstance(saved, dict) else {}
    return {k: v for k, v in values.items() if k in saved or v != start.get(k)}


def planner_view(values: dict[str, float]):
    """(monthly costs as text, the break-even chart, its alt text) for the slider values."""
    from .. import deploy

    inputs = deploy.CostInputs(**{k: float(v) for k, v in values.items()})
    return deploy.monthly_costs(inputs).to_text(), deploy.plot_break_even(inputs), deploy.break_even_alt(inputs)


@dataclass(frozen=True)
class HardwareChoice:
    """What picking a model and hardware sets in the planner, and what it says about it."""
    tokens_per_s: float
    time_to_first_token_s: float | None
    price: Any  # deploy.Price or None when the data has no dated price for it
    power: Any
    message: str


def choose_hardware(model: str, hardware: str) -> HardwareChoice:
    """The fit estimator's speed for ``model`` on ``hardware``, with that hardware's dated price and power."""
    from .. import deploy
    from ..errors import InvalidInput
    from ..i18n import t

    if hardware not in HARDWARE:
        raise InvalidInput(t("ex06.hardware.unknown", name=hardware, choices=", ".join(HARDWARE)))
    lat = deploy.latency(model, QUANT, hardware=hardware, prompt_tokens=PROMPT_TOKENS, output_tokens=OUTPUT_TOKENS)
    rows = HARDWARE[hardware]
    found = {}
    for what in ("price", "power"):
        try:
            found[what] = deploy.pick_price("hardware" if what == "price" else "power_draw", *rows[what])
        except LookupError:
            found[what] = None
    ttft = (t("ex06.hardware.ttft_unknown") if lat.time_to_first_token_s is None
            else t("ex06.hardware.ttft", seconds=deploy.number(lat.time_to_first_token_s, ".2f")))
    lines = [t("ex06.hardware.speed", speed=deploy.number(lat.tokens_per_s, ".0f"), tokens=PROMPT_TOKENS,
               ttft=ttft)]
    for what, price in found.items():
        lines.append(t(f"ex06.hardware.{what}", value=deploy.number(price.value, "g"), item=price.item,
                       observed=price.observed)
                     if price else t(f"ex06.hardware.no_{what}"))
    lines.append(lat.basis)
    return HardwareChoice(lat.tokens_per_s, lat.time_to_first_token_s, found["price"], found["power"],
                          "\n".join(lines))


# --------------------------------------------------------------------------- pros and cons

SIDES = ("local_pro", "local_con", "cloud_pro", "cloud_con", "not_true")  # labels: ex06.side.<id>
# statement id -> its side. Text: ex06.statement.<id>; why: ex06.statement.<id>.why. They cover the
# original sheet's five dimensions (cost, latency, control, ease of setup, scalability & maintenance).
STATEMENTS: dict[str, str] = {
    "privacy": "local_pro",
    "offline": "local_pro",
    "upfront_cost": "local_con",
    "bandwidth_limit": "local_con",
    "setup_local": "local_con",
    "maintenance_local": "local_con",
    "pay_per_use": "cloud_pro",
    "setup_cloud": "cloud_pro",
    "scaling": "cloud_pro",
    "network_latency": "cloud_con",
    "provider_changes": "cloud_con",
    "myth_local_faster": "not_true",
    "myth_no_open_models": "not_true",
}
OWN = "own"  # the learner's own pros and cons (free text in the same answer, read by the instructor)
# Answers saved before statements had ids: {English sentence: "local pro"}. They still restore and grade.
LEGACY_STATEMENTS = {
    "Prompts and outputs never leave your own machines": "privacy",
    "You pay for the hardware up front, before any use": "upfront_cost",
    "No hardware to buy: you pay per hour or per token": "pay_per_use",
    "Every request crosses the network, adding round-trip time": "network_latency",
    "Capacity grows or shrinks with demand within minutes": "scaling",
    "Speed is limited by your machine's memory bandwidth": "bandwidth_limit",
    "Prices and models can change under you (provider decisions)": "provider_changes",
    "Local is always faster than the cloud": "myth_local_faster",
    "Open models cannot run in the cloud": "myth_no_open_models",
}
LEGACY_SIDES = {side.replace("_", " "): side for side in SIDES}


def myth_count() -> int:
    """How many statements are myths (the notebook's prose states this number from here)."""
    return sum(side == "not_true" for side in STATEMENTS.values())


def statement_text(statement: str) -> str:
    from ..i18n import t

    return t(f"ex06.statement.{statement}")


def side_label(side: Any) -> str | None:
    """What a learner reads for a side id; None for no answer; an unknown value as it is."""
    from ..i18n import t

    if side in (None, ""):
        return None
    return t(f"ex06.side.{side}") if side in SIDES else str(side)


def side_options() -> list[tuple[str, str]]:
    """The pickers' options: (label, side id), '—' first for no answer."""
    return [("—", "")] + [(side_label(side), side) for side in SIDES]


def normalise_pros_cons(value: Any) -> dict[str, Any]:
    """An answer as {statement id: side id, OWN: text}: old saved answers (English sentences as keys,
    'local pro' as values) are read into ids; an id key wins over an old sentence for the same statement."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, Any] = {}
    for key, side in value.items():  # old sentences first, so ids given since override them
        if key in LEGACY_STATEMENTS and side not in (None, ""):
            out[LEGACY_STATEMENTS[key]] = LEGACY_SIDES.get(side, side) if isinstance(side, str) else side
    for key, side in value.items():
        if key in STATEMENTS and side not in (None, ""):
            out[key] = LEGACY_SIDES.get(side, side) if isinstance(side, str) else side
    own = value.get(OWN)
    if isinstance(own, str) and own.strip():
        out[OWN] = own
    return out


def is_legacy(value: Any) -> bool:
    """An answer saved before statements had ids: old sentences as keys and no id at all."""
    return (isinstance(value, dict) and any(k in LEGACY_STATEMENTS for k in value)
            and not any(k in STATEMENTS for k in value))


def pros_cons_to_record(picked: dict[str, str], own: str, saved: Any) -> dict[str, str]:
    """What Check records: the picks by statement id and the learner's own points; blanks are left out
    (a blank never replaces an answer). For an answer saved before ids (:func:`is_legacy`), the
    statements it holds keep their old keys and side names, so re-checking an unchanged old answer
    leaves the saved file exactly as it was."""
    legacy = is_legacy(saved)
    old_key = {sid: sentence for sentence, sid in LEGACY_STATEMENTS.items()}
    out: dict[str, str] = {}
    for sid, side in picked.items():
        if not side:
            continue
        if legacy and old_key.get(sid) in saved:
            out[old_key[sid]] = side.replace("_", " ")
        else:
            out[sid] = side
    if isinstance(own, str) and own.strip():
        out[OWN] = own
    return out


def check_pros_cons(value: Any, spec: dict | None = None):
    """Feedback on a learner's sorting of the statements (the learner's own points are not graded).

    An old answer (see :func:`is_legacy`) is graded on the statements that existed when it was
    saved, so it keeps the score it had."""
    from ..feedback import Check
    from ..i18n import t

    given = normalise_pros_cons(value)
    graded = set(LEGACY_STATEMENTS.values()) if is_legacy(value) else set(STATEMENTS)
    return tuple(Check(statement_text(sid), given.get(sid), side, given.get(sid) == side,
                       t(f"ex06.statement.{sid}.why"), given_label=side_label(given.get(sid)),
                       expected_label=side_label(side))
                 for sid, side in STATEMENTS.items() if sid in graded)


def _pros_cons(value, spec):
    return check_pros_cons(value, spec)


EXERCISE = Exercise(
    EX, "06_cloud_vs_local.ipynb",
    questions=(
        Question("cost_inputs", "completion", 1),
        Question("pros_cons", "function", 3, check="pros_cons"),
        Question("plan", "rubric", 3, min_words=60, concepts=(
            Concept("cost", {"en": ("cost", "$", "price", "usd"),
                             "fr": ("coût", "$", "prix", "usd", "€", "euro", "tarif")}),
            Concept("latency", {"en": ("latency", "speed", "tokens/s", "first token"),
                                "fr": ("latence", "vitesse", "tokens/s", "premier token", "rapidité")}),
            Concept("break_even", {"en": ("break-even", "break even", "hours"),
                                   "fr": ("seuil de rentabilité", "rentabilité", "point mort", "heures",
                                          "h/jour", "h par jour")}),
            Concept("privacy", {"en": ("privacy", "data", "control"),
                                "fr": ("confidentialité", "données", "contrôle", "vie privée")}),
            Concept("risk", {"en": ("risk",), "fr": ("risque",)}),
        )),
    ),
    checks={"pros_cons": _pros_cons},
)

# Question ids as the widgets use them (named here once).
COST_INPUTS, PROS_CONS, PLAN = (q.id for q in EXERCISE.questions)
TIMING = "timing"  # the measured generation (recorded with the answers, not graded)
