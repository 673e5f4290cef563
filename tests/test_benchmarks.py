import json
import time

import pytest

from course_utils import benchmarks as b
from course_utils.errors import InvalidInput
from course_utils.exercises import ex05
from langs import each_language  # noqa: F401 - the lang fixture


def sheet():
    return ex05.claimed_table()


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
    with pytest.raises(InvalidInput, match=r"allenai/OLMo-7B \(try allenai/OLMo-7B-hf\) has no v1 scores"):
        b.compare(["allenai/OLMo-7B"])  # the id has a row without scores: OLMo-7B-hf was evaluated
    with pytest.raises(InvalidInput, match="did you mean: facebook/opt-6.7b"):
        b.compare(["facebook/opt-6.7"])
    with pytest.raises(InvalidInput, match=r"No model left.*0-hero/Matter-0.1-7B \(scored on v1 only\)"):
        b.compare(["0-hero/Matter-0.1-7B"], 2)
    with pytest.raises(InvalidInput, match="has no v2 scores"):
        b.compare(["facebook/opt-6.7b"], 2)  # listed in v2 data, never evaluated there
    with pytest.raises(InvalidInput, match="1 or 2"):
        b.compare(["x/y"], 3)
    with pytest.raises(InvalidInput, match="at least one"):
        b.compare([])


def test_case_insensitive_and_search_as_you_type():
    assert b.find_row("META-LLAMA/llama-2-7b-chat-hf")["repo_id"] == "meta-llama/Llama-2-7b-chat-hf"
    hits = b.search_ids("llama-2-7b-chat", 1)
    assert hits[0].lower().split("/")[-1].startswith("llama-2-7b-chat") and len(hits) <= 25
    assert b.search_ids("", 1) == []


def test_the_official_repo_ranks_before_re_uploads():
    hits = b.search_ids("llama-2-7b-chat", 1)
    assert hits[0] == "meta-llama/Llama-2-7b-chat-hf"
    assert hits.index("meta-llama/Llama-2-7b-chat-hf") < hits.index("TheBloke/Llama-2-7b-Chat-AWQ")
    assert b.search_ids("llama-2-7b", 1)[:2] == ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-chat-hf"]
    assert all(h.startswith(("mistralai/", "mistral-community/")) for h in b.search_ids("mistral-7b", 2)[:6])
    # the rule: organisations that publish original models in the course catalog, not re-uploaders
    assert {"meta-llama", "mistralai", "qwen", "google", "facebook"} <= b.publishers()
    assert not {"thebloke", "unsloth", "lmstudio-community"} & b.publishers()


def test_comparing_on_v2_skips_models_without_v2_scores_and_names_them(lang):
    df = b.compare(["facebook/opt-6.7b", "bigscience/bloom-7b1", "meta-llama/Llama-2-7b-chat-hf",
                    "0-hero/Matter-0.1-7B"], 2)
    assert list(df["repo_id"]) == ["bigscience/bloom-7b1", "meta-llama/Llama-2-7b-chat-hf"]
    assert set(df.attrs["skipped"]) == {"facebook/opt-6.7b", "0-hero/Matter-0.1-7B"}
    note = df.attrs["notes"][0]
    assert "facebook/opt-6.7b" in note and "0-hero/Matter-0.1-7B" in note
    assert ("have no v2 scores" in note) if lang == "en" else ("n'ont pas de score v2" in note)
    assert b.compare(["bigscience/bloom-7b1"], 2).attrs["notes"] == []
    with pytest.raises(InvalidInput):  # a typo is still an error, not a skipped model
        b.compare(["bigscience/bloom-7b1", "nobody/nothing"], 2)


def test_plots(lang):
    import matplotlib.pyplot as plt

    df = b.compare(["facebook/opt-6.7b", "bigscience/bloom-7b1", "meta-llama/Llama-2-7b-chat-hf"])
    fig = b.plot_scores(df)
    ax = fig.axes[0]
    assert "v1" in ax.get_title() and len(ax.patches) == 3 * 7
    assert len({p.get_hatch() for p in ax.patches}) == 3  # each model has its own hatch, not only a colour
    assert [x.get_text() for x in ax.get_xticklabels()][-1] == ("Average" if lang == "en" else "Moyenne")
    fig2 = b.plot_score_vs_size(df)
    ax2 = fig2.axes[0]
    assert ax2.get_xscale() == "log" and ax2.get_legend().get_title().get_text() == "licence"
    assert ax2.get_title().startswith("Average score against size" if lang == "en" else "Score moyen selon la taille")
    assert ax2.get_title() != ax.get_title()
    markers = {tuple(map(tuple, c.get_paths()[0].vertices.round(2))) for c in ax2.collections}
    assert len(markers) == 3  # one marker shape per licence
    unit = "B" if lang == "en" else "Md"
    assert [x.get_text() for x in ax2.get_xticklabels()] == [f"{v} {unit}" for v in (5, 6, 7, 8, 10)]
    plt.close("all")


def test_log_axis_ticks_are_round_numbers():
    assert b.size_ticks(0.5, 13) == [0.2, 0.5, 1, 2, 5, 10, 20]
    assert b.size_ticks(1.1, 7.2) == [0.5, 1, 2, 5, 10]
    assert b.size_ticks(6.66, 7.07) == [5, 6, 7, 8, 10]  # similar sizes get finer round ticks


def test_charts_are_described_in_words(lang):
    df = b.compare(["facebook/opt-6.7b", "meta-llama/Llama-2-7b-chat-hf"])
    bars = b.describe_scores(df)
    assert "opt-6.7b" in bars and "v1" in bars
    assert ("HellaSwag 68.66, MMLU 24.57" if lang == "en" else "HellaSwag 68,66 ; MMLU 24,57") in bars
    assert ("Bar chart" if lang == "en" else "Diagramme en barres") in bars
    dots = b.describe_score_vs_size(df)
    avg = "50.74" if lang == "en" else "50,74"
    assert "Llama-2-7b-chat-hf" in dots and avg in dots and "llama2" in dots


def test_benchmarks_are_explained_in_both_languages(lang):
    for version, benches in b.BENCHMARKS.items():
        for bench in (*benches, "average"):
            assert len(b.about(bench)) > 20
    assert "57" in b.about("mmlu") and "25" in b.about("mmlu")
    assert b.SCALE[2].startswith("Open LLM Leaderboard v2") and list(b.SCALE) == [1, 2]


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
