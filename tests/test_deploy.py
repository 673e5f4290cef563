import pytest

from course_utils import data, deploy, i18n
from course_utils.exercises import ex06
from course_utils.deploy import CostInputs, monthly_costs
from course_utils.errors import InvalidInput


def test_break_even_hand_computed():
    # hardware 1200 $ over 24 months = 50 $/month; 500 W at 0.20 $/kWh = 0.10 $/h; cloud 1.10 $/h.
    # 50 = 30 h (1.10 - 0.10)  ->  h = 50 / 30 = 1.667 h/day
    i = CostInputs(hardware_price_usd=1200, lifetime_months=24, power_watts=500, electricity_usd_per_kwh=0.20,
                   hours_per_day=1.0, cloud_gpu_usd_per_hour=1.10, api_usd_per_m_input=0.0, api_usd_per_m_output=1.0,
                   tokens_per_second=100, input_tokens_per_output_token=0)
    c = monthly_costs(i)
    assert c.local_hardware_usd == 50 and c.local_power_usd == pytest.approx(3.0)  # 0.5 kW x 1 h x 30 x 0.2
    assert c.cloud_gpu_usd == pytest.approx(33.0) and c.break_even_hours_per_day == pytest.approx(50 / 30, abs=0.01)
    # 100 tokens/s x 3600 x 1 h x 30 = 10.8 M tokens at 1 $/M
    assert c.output_tokens_m == pytest.approx(10.8) and c.api_usd == pytest.approx(10.8)
    assert c.cheapest == "api"
    # local vs API per month: 50 + power/token x T = 1 x T, power per M tokens = 0.10 / 0.36 = 0.2778
    assert c.break_even_output_tokens_m == pytest.approx(50 / (1 - 0.1 / 0.36), rel=0.001)


def test_cloud_cheaper_than_power_never_breaks_even():
    c = monthly_costs(CostInputs(power_watts=1000, electricity_usd_per_kwh=0.5, cloud_gpu_usd_per_hour=0.4))
    assert c.break_even_hours_per_day is None


def test_break_even_beyond_a_day_is_explained():
    c = monthly_costs(CostInputs(hardware_price_usd=100000, lifetime_months=12, cloud_gpu_usd_per_hour=1.0,
                                 power_watts=100))
    assert c.break_even_hours_per_day > 24 and "which a day does not have" in c.notes[0]
    i18n.set_language("fr")
    try:
        assert "ce qu'une journée ne permet pas" in monthly_costs(CostInputs(
            hardware_price_usd=100000, lifetime_months=12, cloud_gpu_usd_per_hour=1.0, power_watts=100)).notes[0]
    finally:
        i18n.set_language(None)


def test_api_input_and_output_prices():
    i = CostInputs(api_usd_per_m_input=0.5, api_usd_per_m_output=2.0, input_tokens_per_output_token=3,
                   output_tokens_per_month_m=10)
    assert monthly_costs(i).api_usd == pytest.approx(10 * (2.0 + 3 * 0.5))


@pytest.mark.parametrize("bad", [dict(lifetime_months=0), dict(hours_per_day=25), dict(power_watts=-1),
                                 dict(cloud_gpu_usd_per_hour=float("nan")), dict(hardware_price_usd="cheap")])
def test_bad_inputs(bad):
    with pytest.raises(InvalidInput):
        monthly_costs(CostInputs(**bad))


def test_defaults_come_from_data_with_dates_and_sources():
    prices = ex06.default_prices()
    assert set(prices) == {"cloud_gpu_usd_per_hour", "api_usd_per_m_input", "api_usd_per_m_output",
                           "hardware_price_usd", "power_watts", "electricity_usd_per_kwh"}
    for p in prices.values():
        assert p.observed and p.source.startswith("http") and p.value > 0
    assert prices["api_usd_per_m_output"].unit.endswith("output tokens")
    i = ex06.default_inputs(hours_per_day=8)
    assert i.hours_per_day == 8 and i.cloud_gpu_usd_per_hour == prices["cloud_gpu_usd_per_hour"].value
    with pytest.raises(InvalidInput, match="Unknown cost input"):
        ex06.default_inputs(colour="blue")


def test_default_local_price_is_the_dated_street_price():
    """Issue 11.13: the planner starts from the newest street price in the table, not the 2022 launch list price."""
    hw = ex06.default_prices()["hardware_price_usd"]
    rows = [r for r in data.load("deployment_prices") if r["category"] == "hardware" and "RTX 4090" in r["item"]]
    street = [r for r in rows if "street price" in r["item"]]
    assert street and hw.value == street[0]["value"] and hw.observed == street[0]["observed"]
    assert "launch MSRP" not in hw.provider
    assert deploy.CostInputs().hardware_price_usd == hw.value  # the dataclass fallback agrees with the data


def test_curves_and_plot():
    import matplotlib.pyplot as plt

    i = ex06.default_inputs()
    curves = deploy.cost_curves(i)
    assert curves["hours"][0] == 0 and curves["hours"][-1] == 24
    assert curves["cloud_gpu"][0] == 0 and curves["local"][0] == pytest.approx(i.hardware_price_usd / i.lifetime_months)
    fig = deploy.plot_break_even(i)
    assert len(fig.axes[0].lines) >= 4
    plt.close("all")


def test_latency_uses_the_fit_estimator():
    from course_utils.fit import estimate

    lat = deploy.latency("mistralai/Mistral-7B-Instruct-v0.3", hardware="RTX 4090", prompt_tokens=500, output_tokens=200)
    est = estimate("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 700, hardware="RTX 4090")
    assert lat.tokens_per_s == est.tokens_per_s
    assert lat.time_to_first_token_s and lat.total_s > 200 / lat.tokens_per_s
    mac = deploy.latency("mistralai/Mistral-7B-Instruct-v0.3", hardware="M1 Pro")  # no llama-bench pp512 row
    assert mac.time_to_first_token_s is None and "compute-bound" in mac.basis
    given = deploy.latency("mistralai/Mistral-7B-Instruct-v0.3", hardware="M1 Pro", prompt_tokens_per_s=250)
    assert given.time_to_first_token_s == pytest.approx(2.0)


