"""Exercise 6's own functions (course_utils/exercises/ex06.py), called directly, in both languages."""
import dataclasses
import json
from pathlib import Path

import pytest

from course_utils import data, deploy, i18n
from course_utils.exercises import ex06
from course_utils.grading import check_question
from langs import each_language  # noqa: F401 - the lang fixture

FIXTURE = Path(__file__).parent / "fixtures" / "answers" / "ex06_ada-lovelace.json"
RIGHT = {sid: side for sid, side in ex06.STATEMENTS.items()}


def test_statements_cover_the_sheets_dimensions_and_state_their_myth_count(lang):
    # the original sheet's five dimensions: cost, latency, control, ease of setup, scalability & maintenance
    for sid in ("upfront_cost", "pay_per_use", "network_latency", "privacy", "setup_local", "setup_cloud",
                "scaling", "maintenance_local"):
        assert sid in ex06.STATEMENTS
    assert set(ex06.STATEMENTS.values()) <= set(ex06.SIDES)
    assert ex06.myth_count() == 2 == sum(side == "not_true" for side in ex06.STATEMENTS.values())
    intro = i18n.tn("ex06.pros_cons.intro", ex06.myth_count(), total=len(ex06.STATEMENTS))
    assert "2" in intro and ("myths" in intro if lang == "en" else "idées reçues" in intro)


def test_pros_cons_feedback_shows_labels(lang):
    assert all(c.correct for c in ex06.check_pros_cons(RIGHT))
    wrong = dict(RIGHT, myth_local_faster="local_pro")
    bad = [c for c in ex06.check_pros_cons(wrong) if not c.correct]
    assert len(bad) == 1
    assert bad[0].shown_given == i18n.t("ex06.side.local_pro") and bad[0].shown_expected == i18n.t("ex06.side.not_true")
    assert bad[0].item == i18n.t("ex06.statement.myth_local_faster")
    assert ("RTX 4090" in bad[0].why) and ("depends on the hardware" in bad[0].why if lang == "en"
                                           else "dépend du matériel" in bad[0].why)
    assert "local_pro" not in bad[0].shown_given


def test_old_saved_answers_still_restore_and_grade():
    old = json.loads(FIXTURE.read_text())["answers"]["pros_cons"]
    assert ex06.is_legacy(old)
    assert ex06.normalise_pros_cons(old)["myth_local_faster"] == "not_true"
    assert check_question("ex06", "pros_cons", old).score == 3  # the full marks it had
    # an id given since wins over the old sentence
    mixed = dict(old, myth_local_faster="local_pro")
    assert ex06.normalise_pros_cons(mixed)["myth_local_faster"] == "local_pro"
    assert check_question("ex06", "pros_cons", mixed).score < 3


def test_own_pros_and_cons_are_kept_not_graded():
    answer = dict(RIGHT, own="local con: no air conditioning for a GPU")
    assert ex06.normalise_pros_cons(answer)["own"].startswith("local con")
    assert check_question("ex06", "pros_cons", answer).score == 3
    assert len(ex06.check_pros_cons(answer)) == len(ex06.STATEMENTS)


def test_default_prices_and_price_rows(lang):
    prices = ex06.default_prices()
    assert set(prices) == set(ex06.DEFAULT_PRICE_ROWS)
    rows = ex06.price_rows()
    assert [r["input"] for r in rows] == [i18n.t(f"deploy.input.{f}") for f in prices]
    assert ex06.default_inputs(hours_per_day=4).hours_per_day == 4


@pytest.mark.parametrize("hardware", list(ex06.HARDWARE))
def test_every_hardware_choice_has_a_sourced_price_power_and_time_to_first_token(hardware):
    choice = ex06.choose_hardware("mistralai/Mistral-7B-Instruct-v0.3", hardware)
    assert choice.time_to_first_token_s is not None and choice.tokens_per_s > 0
    assert choice.price.source.startswith("http") and choice.power.source.startswith("http")
    prices = {r["item"]: r["value"] for r in data.load("deployment_prices") if r["category"] in ("hardware", "power_draw")}
    assert prices[choice.price.item] == choice.price.value and prices[choice.power.item] == choice.power.value
    assert f"{choice.price.value:g}" in choice.message


def test_apple_time_to_first_token_is_estimated(lang):
    choice = ex06.choose_hardware("mistralai/Mistral-7B-Instruct-v0.3", "Apple M4 (10-core GPU)")
    assert choice.time_to_first_token_s == pytest.approx(2.43, abs=0.3)
    assert choice.price.value == 599 and choice.power.value == 65
    assert "pp512" in choice.message


def test_unknown_hardware_is_a_clear_message(lang):
    from course_utils.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Apple M4"):
        ex06.choose_hardware("mistralai/Mistral-7B-Instruct-v0.3", "Commodore 64")


def test_inputs_to_record_keeps_changes_and_saved():
    start = {"hours_per_day": 4.0, "power_watts": 450.0}
    assert ex06.inputs_to_record({"hours_per_day": 4.0, "power_watts": 300.0}, start, None) == {"power_watts": 300.0}
    assert ex06.inputs_to_record(dict(start), start, {"hours_per_day": 6}) == {"hours_per_day": 4.0}


def test_planner_view_and_chart_alt_text(lang):
    import matplotlib.pyplot as plt

    values = {f: getattr(ex06.default_inputs(hours_per_day=4), f) for f in
              ("hardware_price_usd", "lifetime_months", "power_watts", "electricity_usd_per_kwh", "hours_per_day",
               "cloud_gpu_usd_per_hour", "api_usd_per_m_input", "api_usd_per_m_output", "tokens_per_second")}
    text, fig, alt = ex06.planner_view(values)
    assert ("break-even" in text) if lang == "en" else ("seuil de rentabilité" in text)
    for option in deploy.OPTIONS:
        assert deploy.option_label(option) in alt
    assert deploy.number(4.0, ".1f") in alt and ("h/day" in alt if lang == "en" else "h/jour" in alt)
    ax = fig.axes[0]
    assert ax.get_title() == i18n.t("deploy.chart.title")
    styles = {(line.get_linestyle(), line.get_marker()) for line in ax.lines[:3]}
    assert len(styles) == 3  # not colour alone: each option has its own line style and marker
    assert [tx.get_text() for tx in ax.texts] == [deploy.option_label(o) for o in deploy.OPTIONS]  # direct labels
    plt.close("all")


def test_rubric_reads_french_plans():
    plan_fr = ("Nous choisissons une API : à 4 heures par jour le coût reste de quelques dollars par mois, loin du "
               "seuil de rentabilité d'un GPU local. La latence est bonne, le premier token arrive vite. Le risque "
               "principal concerne la confidentialité des données des clients. " * 2)
    result = check_question("ex06", "plan", plan_fr)
    assert all(c.correct for c in result.checks), [c.item for c in result.checks if not c.correct]


def test_timing_and_engine_text_read_in_both_languages(lang):
    from course_utils import engine, timing
    from course_utils.errors import InvalidInput

    result = timing.time_generation(lambda prompt, n: "one two three four", runs=1)
    text = result.to_text()
    assert ("time to first token" in text and "not streamed" in result.notes[0]) if lang == "en" else \
        ("premier token" in text and "flux" in result.notes[0] and "médiane" in text)
    assert timing.source_label(result.tokens_from) == i18n.t("timing.from.words")
    with pytest.raises(InvalidInput, match="http://127.0.0.1:8080/v1"):
        timing.chat_url("localhost:8080")
    with pytest.raises(timing.TimingError, match="Could not reach" if lang == "en" else "Impossible de joindre"):
        timing.time_generation(timing.openai_compatible("http://127.0.0.1:9/v1", "m", timeout=2), runs=1)
    ready, line = engine.status()
    assert line and ("llama.cpp" in line or "xllamacpp" in line)
    assert ("wheels" in engine.no_wheel()) and (("only" in engine.no_wheel()) if lang == "en"
                                                 else ("ne publie" in engine.no_wheel()))


def test_run_report_reads_in_both_languages(lang):
    from course_utils import local_run, timing

    result = timing.time_generation(lambda prompt, n: "one two three", runs=1)
    report = local_run.RunReport("llama.cpp (xllamacpp)", "/m/smol.gguf", 3, 0.1, 30.0, 40.0, 50.0, 0.25,
                                 result.tokens_from, 2, 20.0, "CPU", 0.5, result, ("a note",))
    text = report.to_text()
    assert ("first token" in text and "server says" in text) if lang == "en" else \
        ("premier token" in text and "selon le serveur" in text and "écart" in text)
    assert ("+25%" if lang == "en" else "+25\u202f%") in text and "a note" in text  # French: a space before %
    assert local_run.gap_notes(120, 60)[0] == i18n.t("local_run.gap.too_high")
    assert "KV" not in text  # no memory figures given: no row
    with_kv = dataclasses.replace(report, n_ctx=2048, kv_cache_mb=47.19, predicted_kv_cache_mb=47.19)
    assert ("47.2 MB allocated by llama.cpp for 2,048 tokens (f16); predicted 47.2 MB" if lang == "en" else
            "47,2 Mo alloués par llama.cpp pour 2\u202f048 tokens (f16) ; prédit 47,2 Mo") in with_kv.to_text()
    unknown = dataclasses.replace(with_kv, kv_cache_mb=None).to_text()
    assert ("unknown MB allocated" if lang == "en" else "inconnu Mo alloués") in unknown
    assert ("recurrent state" if lang == "en" else "état récurrent") not in with_kv.to_text()  # not a hybrid: no row
    hybrid = dataclasses.replace(with_kv, recurrent_state_mb=1.65, predicted_recurrent_state_mb=1.65).to_text()
    assert ("1.6 MB allocated by llama.cpp for one conversation, at any context; predicted 1.6 MB" if lang == "en" else
            "1,6 Mo alloués par llama.cpp pour une conversation, quel que soit le contexte ; prédit 1,6 Mo") in hybrid


def test_price_table_units_read_in_both_languages(lang):
    units = {r["field"]: r["unit"] for r in ex06.price_rows()}
    assert units["cloud_gpu_usd_per_hour"] == ("USD per hour" if lang == "en" else "dollars US par heure")
    assert units["power_watts"] == "watts"


def test_what_check_records_keeps_an_old_answer_in_its_shape():
    old = json.loads(FIXTURE.read_text())["answers"]["pros_cons"]
    picked = {sid: "" for sid in ex06.STATEMENTS}
    picked.update(ex06.normalise_pros_cons(old))
    assert ex06.pros_cons_to_record(picked, "", old) == old  # unchanged: the saved file stays as it was
    picked["setup_cloud"] = "cloud_pro"  # a statement the old sheet did not have
    new = ex06.pros_cons_to_record(picked, "local con: noise", old)
    assert new["setup_cloud"] == "cloud_pro" and new["own"] == "local con: noise"
    assert new["Local is always faster than the cloud"] == "not true"
    fresh = ex06.pros_cons_to_record({"privacy": "local_pro", "offline": ""}, " ", None)
    assert fresh == {"privacy": "local_pro"}
