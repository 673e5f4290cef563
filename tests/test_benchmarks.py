import json
import time

import pytest

from course_utils import benchmarks as b
from course_utils.errors import InvalidInput


def sheet():
    return [{k: v for k, v in r.items() if k != "source"} for r in b.sheet_claims()]


def test_loading_thousands_of_rows_is_fast():
    from course_utils import data

    data._load_cached.cache_clear()
    start = time.perf_counter()
    assert len(b.board(1)) > 5000 and len(b.board(2)) > 3000
    assert time.perf_counter() - start < 1.0  # the bench prints the real figure; target 0.3 s


def test_check_claims_finds_every_wrong_value_in_the_sheet():
    report = b.check_claims(sheet())
    found = {(e.repo_id, e.field) for e in report.errors}
    assert found == {
        ("facebook/opt-6.7b", "hellaswag"), ("facebook/opt-6.7b", "mmlu"), ("facebook/opt-6.7b", "license"),
        ("bigscience/bloom-7b1", "hellaswag"), ("bigscience/bloom-7b1", "mmlu"), ("bigscience/bloom-7b1", "license"),
        ("meta-llama/Llama-2-7b-chat-hf", "mmlu"), ("meta-llama/Llama-2-7b-chat-hf", "license"),
    }
    by = {(e.repo_id, e.field): e for e in report.errors}
    assert by[("facebook/opt-6.7b", "hellaswag")].actual == 68.66
    assert by[("facebook/opt-6.7b", "mmlu")].actual == 24.57
    assert by[("bigscience/bloom-7b1", "mmlu")].actual == 26.25
    assert by[("meta-llama/Llama-2-7b-chat-hf", "mmlu")].actual == 48.32
    assert by[("facebook/opt-6.7b", "license")].actual == "other:opt-175b"
    assert by[("bigscience/bloom-7b1", "license")].actual == "bigscience-bloom-rail-1.0"
    assert by[("meta-llama/Llama-2-7b-chat-hf", "license")].actual == "llama2"
    assert all(e.source.startswith("https://") for e in report.errors)
    assert report.checked == 9


def test_claims_long_form_csv_and_correct_values(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("model,benchmark,value\nmeta-llama/Llama-2-7b-chat-hf,HellaSwag,78.55\n"
                    "meta-llama/Llama-2-7b-chat-hf,GSM8K,7.35\nmeta-llama/Llama-2-7b-chat-hf,ARC,60\n")
    report = b.check_claims(str(path))
    assert [(e.field, e.actual) for e in report.errors] == [("arc", 52.9)]
    assert "1 of 3" in report.to_text()


@pytest.mark.parametrize("table, words", [
    ([], "empty"), ([{"model": "facebook/opt-6.7b", "speed": 3}], "Unknown field"),
    ([{"model": "facebook/opt-6.7b", "mmlu": "lots"}], "not a number"),
    ([{"model": "nobody/nothing", "mmlu": 3}], "not on the Open LLM Leaderboard"),
    ([{"value": 3}], "model"), ("/no/such/file.csv", "No claims file"),
])
def test_claims_bad_input(table, words):
    with pytest.raises(InvalidInput, match=words):
        b.check_claims(table)


def test_compare_joins_licence_and_size_and_never_mixes_versions():
    df = b.compare(["facebook/opt-6.7b", "meta-llama/Llama-2-7b-chat-hf"], 1)
    assert list(df["license_id"]) == ["other:opt-175b", "llama2"]
    assert "ifeval" not in df.columns and "hellaswag" in df.columns and df.attrs["version"] == 1
    assert df.loc[0, "params_b"] == pytest.approx(6.658) and "config" in df.loc[0, "params_source"]
    df2 = b.compare(["mistralai/Mistral-7B-v0.1"], 2)
    assert "hellaswag" not in df2.columns and "normalised" in df2.attrs["scale"]
    assert df2.loc[0, "average"] == pytest.approx(14.58, abs=0.01)


def test_compare_missing_scores_and_bad_ids():
    df = b.compare(["allenai/OLMo-7B"])
    assert df.loc[0, "average"] != df.loc[0, "average"] or df.loc[0, "average"] is None  # NaN / None
    assert "allenai/OLMo-7B-hf" in df.loc[0, "note"]
    with pytest.raises(InvalidInput, match="did you mean: facebook/opt-6.7b"):
        b.compare(["facebook/opt-6.7"])
    with pytest.raises(InvalidInput, match="not on the Open LLM Leaderboard v2 data. It is on the v1"):
        b.compare(["0-hero/Matter-0.1-7B"], 2)
    never = b.compare(["facebook/opt-6.7b"], 2)  # listed in v2 data, never evaluated there
    assert "no v2 score" in never.loc[0, "note"]
    with pytest.raises(InvalidInput, match="1 or 2"):
        b.compare(["x/y"], 3)
    with pytest.raises(InvalidInput, match="at least one"):
        b.compare([])


def test_case_insensitive_and_search_as_you_type():
    assert b.find_row("META-LLAMA/llama-2-7b-chat-hf")["repo_id"] == "meta-llama/Llama-2-7b-chat-hf"
    hits = b.search_ids("llama-2-7b-chat", 1)
    assert hits[0].lower().split("/")[-1].startswith("llama-2-7b-chat") and len(hits) <= 25
    assert b.search_ids("", 1) == []


def test_plots():
    import matplotlib.pyplot as plt

    df = b.compare(["facebook/opt-6.7b", "bigscience/bloom-7b1", "meta-llama/Llama-2-7b-chat-hf"])
    fig = b.plot_scores(df)
    assert "v1" in fig.axes[0].get_title() and len(fig.axes[0].patches) == 3 * 7
    fig2 = b.plot_score_vs_size(df)
    assert fig2.axes[0].get_xscale() == "log" and fig2.axes[0].get_legend().get_title().get_text() == "licence"
    plt.close("all")


def test_cli_compare_and_check_claims(capsys, tmp_path):
    from course_utils.cli import main

    assert main(["compare", "facebook/opt-6.7b", "bigscience/bloom-7b1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"repo_id", "hellaswag", "mmlu", "average", "license_id"} <= set(doc["rows"][0])
    path = tmp_path / "c.csv"
    path.write_text("model,hellaswag,mmlu,license\nfacebook/opt-6.7b,77.5,56.2,MIT\n")
    assert main(["check-claims", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {e["field"] for e in doc["errors"]} == {"hellaswag", "mmlu", "license"}
    assert {"repo_id", "field", "claimed", "actual", "source"} <= set(doc["errors"][0])
    assert main(["compare", "facebook/opt-6.7"]) == 2
    assert "did you mean: facebook/opt-6.7b" in capsys.readouterr().err
    assert main(["check-claims", str(tmp_path / "missing.csv")]) == 2
