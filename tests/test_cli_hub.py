"""`course-utils model | license | saas | search | refresh-data` per the CLI contract."""
import json

from cli_run import run

from course_utils import i18n


def test_model_json_keys(capsys):
    code, out, _ = run(capsys, "model", "bigscience/bloom-7b1", "--json")
    doc = json.loads(out)
    assert code == 0
    assert {"repo_id", "license_id", "gated", "params_b", "pipeline_tag", "source"} <= set(doc)
    assert doc["license_id"] == "bigscience-bloom-rail-1.0" and doc["source"].startswith("course facts researched")
    code, out, _ = run(capsys, "model", "facebook/opt-6.7b", "--json")
    doc = json.loads(out)  # the Hub's own fields, and the course's key beside them
    assert (doc["license_id"], doc["license_name"], doc["license_key"]) == ("other", "opt-175b", "other:opt-175b")


def test_model_text_in_the_language_asked(capsys):
    """The text is the notebook's table, labels and numbers in the language asked, the lookup's notes under it."""
    code, out, _ = run(capsys, "--lang", "fr", "model", "bigscience/bloom-7b1")
    assert code == 0 and out.startswith("Modèle ") and "7,1 milliards" in out and "repo_id" not in out
    assert "remarque " in out and "faits vérifiés par le cours" in out
    code, out, _ = run(capsys, "model", "bigscience/bloom-7b1")
    assert code == 0 and out.startswith("Model ") and "7.1 B" in out and "\nnote " in out


def test_model_bad_id_exits_2_with_did_you_mean(capsys):
    code, out, err = run(capsys, "model", "mistralai/Mistral-7B-Instruct")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "did you mean: mistralai/Mistral-7B-Instruct-v0.1" in lines[0]
    assert "Traceback" not in err


def test_license_json_keys(capsys):
    code, out, _ = run(capsys, "license", "facebook/opt-6.7b", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["commercial_use"] == "no"
    assert {"license_id", "commercial_use", "conditions", "limitations"} <= set(doc)
    assert (doc["license_id"], doc["license_name"], doc["license_key"]) == ("other", "opt-175b", "other:opt-175b")
    code, out, _ = run(capsys, "license", "apache-2.0")
    assert code == 0 and "commercial use  yes" in out


def test_saas_flags(capsys):
    code, out, _ = run(capsys, "saas", "meta-llama/Llama-2-7b-chat-hf", "--mau", "800000000", "--json")
    doc = json.loads(out)  # the product's users now do not decide Llama's 700M clause: a check is listed
    assert code == 0 and doc["verdict"] == "allowed_with_conditions" and doc["reasons"] and doc["checks"]
    code, out, _ = run(capsys, "saas", "meta-llama/Llama-2-7b-chat-hf", "--mau-at-release", "800000000", "--json")
    assert json.loads(out)["verdict"] == "not_allowed"
    code, out, _ = run(capsys, "saas", "facebook/opt-6.7b", "--non-commercial", "--json")
    assert json.loads(out)["verdict"] == "not_allowed"  # OPT-175B: no production use at all
    code, out, _ = run(capsys, "saas", "Qwen/Qwen2.5-72B", "--json")
    doc = json.loads(out)
    assert (doc["license_id"], doc["license_name"], doc["license_key"]) == ("other", "qwen", "other:qwen")
    code, out, _ = run(capsys, "saas", "meta-llama/Llama-2-7b-chat-hf", "--trains-on-outputs")
    assert code == 0 and out.startswith("verdict   not allowed")  # the text reads labels; --json keeps ids
    code, _, err = run(capsys, "saas", "x/y", "--mau", "lots")
    assert code == 2 and "expected a whole number" in err


def test_search_json(capsys):
    code, out, _ = run(capsys, "search", "--task", "text-generation", "--max-params", "8", "--quantized",
                       "--commercial-only", "--limit", "3", "--json")
    doc = json.loads(out)
    assert code == 0 and 0 < len(doc["results"]) <= 3
    for r in doc["results"]:
        assert {"repo_id", "params_b", "license_id", "downloads"} <= set(r)
    code, out, _ = run(capsys, "search", "--min-languages", "5", "--tag", "gguf")
    assert code == 0 and "result(s)" in out


def test_search_bad_input(capsys):
    for argv in (["--max-params", "-3"], ["--limit", "x"], ["--sort", "likes"]):
        code, _, err = run(capsys, "search", *argv)
        assert code == 2 and len(err.strip().splitlines()) == 1


def test_refresh_data_offline_changes_nothing(capsys, tmp_path):
    from course_utils import data

    before = data.path_of("hub_snapshot.json").read_bytes()
    code, out, err = run(capsys, "refresh-data")
    assert code == 1 and "Nothing was changed" in err and "Traceback" not in err
    assert data.path_of("hub_snapshot.json").read_bytes() == before


def test_refresh_data_online_against_fake_hub(capsys, live_hub, tmp_path):
    from fakehub import record

    live_hub({"facebook/opt-6.7b": record("facebook/opt-6.7b", license="other", downloads=42,
                                          cardData={"license": "other", "license_name": "opt-175b"})})
    out_file = tmp_path / "snap.json"
    code, out, err = run(capsys, "refresh-data", "--out", str(out_file), "--json")
    assert code == 0, err
    doc = json.loads(out_file.read_text())
    by_id = {r["id"]: r for r in doc["models"]}
    assert by_id["facebook/opt-6.7b"]["downloads"] == 42
    assert len(by_id) >= 60  # models the fake Hub does not know keep their old record
    result = json.loads(out)
    assert result["refreshed"] == 1 and "bigscience/bloom-7b1" in result["kept_old"]


def test_compare_on_v2_names_the_models_it_left_out(capsys):
    code, out, err = run(capsys, "compare", "meta-llama/Llama-2-7b-chat-hf", "facebook/opt-6.7b", "--version", "2",
                         "--json")
    doc = json.loads(out)
    assert code == 0 and doc["skipped"] == ["facebook/opt-6.7b"]
    assert [r["repo_id"] for r in doc["rows"]] == ["meta-llama/Llama-2-7b-chat-hf"]
    assert "facebook/opt-6.7b" in doc["notes"][0]
    code, out, err = run(capsys, "compare", "meta-llama/Llama-2-7b-chat-hf", "facebook/opt-6.7b", "--version", "2")
    assert code == 0 and "facebook/opt-6.7b" in out.splitlines()[-1]


def test_tables_write_numbers_as_the_language_asked(capsys):
    """compare and search print their numbers as the notebook does: 13.22 and 7.069 in English, 13,22 and
    7,069 in French (pandas' own text wrote dots in both), and French lists take ' ; '."""
    ids = ("bigscience/bloom-7b1", "facebook/opt-6.7b", "Qwen/Qwen2.5-7B-Instruct", "--version", "2")
    code, out, _ = run(capsys, "--lang", "fr", "compare", *ids)
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:4]}
    assert code == 0 and out.splitlines()[1].startswith("modèle ") and "Moyenne" in out.splitlines()[1]
    assert rows["bigscience/bloom-7b1"][1:3] == ["13,22", "4,04"] and "7,069" in rows["bigscience/bloom-7b1"]
    assert "facebook/opt-6.7b (évalué seulement sur la v1) n'a pas" in out
    code, out, _ = run(capsys, "compare", *ids)
    assert code == 0 and out.splitlines()[2].split()[1:3] == ["13.22", "4.04"] and "7.069" in out.splitlines()[2]
    code, out, _ = run(capsys, "compare", "Qwen/Qwen2.5-7B-Instruct", "meta-llama/Llama-3.1-8B-Instruct",
                       "facebook/opt-6.7b")  # two left out on v1: one sentence, the ids apart
    assert code == 0 and "(scored on v2 only); meta-llama/" in out
    code, out, _ = run(capsys, "--lang", "fr", "compare", "Qwen/Qwen2.5-7B-Instruct",
                       "meta-llama/Llama-3.1-8B-Instruct", "facebook/opt-6.7b")
    assert code == 0 and "(évalué seulement sur la v2) ; meta-llama/" in out
    code, out, _ = run(capsys, "--lang", "fr", "search", "--max-params", "2", "--limit", "200")
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert code == 0 and out.startswith("modèle ") and lines["facebook/m2m100_418M"][1] == "0,418"
    code, out, _ = run(capsys, "search", "--max-params", "2", "--limit", "200")
    assert code == 0 and out.startswith("model ") and "0.418" in out


def test_a_leaderboard_row_without_a_licence_reads_unknown_in_the_language_asked(capsys):
    from course_utils import benchmarks
    from course_utils.ui.ex05 import comparison_html

    ids = ("3rd-Degree-Burn/L-3.1-Science-Writer-8B", "Qwen/Qwen2.5-7B-Instruct", "--version", "2")
    code, out, _ = run(capsys, "--lang", "fr", "compare", *ids)
    head, unlicensed, qwen = out.splitlines()[1:4]
    assert code == 0 and unlicensed.split()[-1] == "inconnue" and qwen.split()[-1] == "apache-2.0"
    assert "remarque" not in head  # no row has a note: no empty column, as in the notebook
    code, out, _ = run(capsys, "compare", *ids, "--json")
    assert code == 0 and json.loads(out)["rows"][0]["license_id"] == "unknown"  # the data keeps its id
    df = benchmarks.compare(ids[:2], 2)
    i18n.set_language("fr")
    try:
        assert "<td>inconnue</td>" in comparison_html(df) and "<td>unknown</td>" not in comparison_html(df)
    finally:
        i18n.set_language(None)
    assert "<td>unknown</td>" in comparison_html(df) and df["license_id"].iloc[0] == "unknown"


def test_text_table_pads_and_aligns():
    from course_utils.text_table import decimals, label_rows, text_table

    assert label_rows([("a", 1), ("ccc", "x")]) == "a    1\nccc  x"
    assert label_rows([("a", 1)], gap=1, min_width=3) == "a   1" and label_rows([]) == ""

    assert text_table(["a", "bb"], [["xyz", "1"], ["q", "22"]], right=(1,)) == "a    bb\nxyz   1\nq    22"
    assert (decimals([41.13, 62.0]), decimals([7.069, 8.03]), decimals([13.0, 7.0]), decimals([float("nan")])) == \
        (2, 3, 0, 0)
