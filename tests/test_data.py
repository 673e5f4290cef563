import shutil

import pytest

from course_utils import data
from course_utils.errors import DataFileError


def test_every_shipped_file_loads_with_sources():
    counts = data.load_all()
    assert counts["models"] >= 60
    assert counts["leaderboard_v1"] > 5000 and counts["leaderboard_v2"] > 3000
    for name, spec in data.TABLES.items():
        if not spec.facts:
            continue
        for row in data.load(name):
            assert row[spec.source].startswith("http"), (name, row[spec.key])


def test_types_are_converted():
    mit = data.index("licenses")["mit"]
    assert mit["osi_approved"] is True
    arch = data.index("model_architectures")["meta-llama/Llama-2-7b-hf"]
    assert arch["num_hidden_layers"] == 32 and isinstance(arch["total_params_billion"], float)
    assert data.index("models")["facebook/opt-6.7b"]["gated"] is False


def test_source_of():
    assert "opensource.org" in data.source_of("licenses", "mit")
    with pytest.raises(KeyError):
        data.source_of("licenses", "no-such-license")


def test_frame_has_declared_columns():
    df = data.frame("hardware_bandwidth")
    assert list(df.columns) == list(data.TABLES["hardware_bandwidth"].columns)
    assert len(df) == len(data.load("hardware_bandwidth"))


@pytest.fixture
def copy_of_data(tmp_path, monkeypatch):
    target = tmp_path / "data"
    shutil.copytree(data.data_dir(), target)
    monkeypatch.setenv("COURSE_UTILS_DATA_DIR", str(target))
    return target


def test_missing_file_names_it(copy_of_data):
    (copy_of_data / "licenses.csv").unlink()
    with pytest.raises(DataFileError, match="licenses.csv is missing"):
        data.load("licenses")


def test_missing_column_names_it(copy_of_data):
    path = copy_of_data / "hardware_bandwidth.csv"
    text = path.read_text().replace("memory_bandwidth_gbs", "bandwidth", 1)
    path.write_text(text)
    with pytest.raises(DataFileError, match=r"hardware_bandwidth.csv: missing column\(s\) memory_bandwidth_gbs"):
        data.load("hardware_bandwidth")


def test_bad_value_names_file_line_and_column(copy_of_data):
    path = copy_of_data / "hardware_bandwidth.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace(",68,", ",sixty-eight,")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFileError, match=r"hardware_bandwidth.csv, line 3: column 'memory_bandwidth_gbs'"):
        data.load("hardware_bandwidth")


def test_empty_required_value_and_duplicates(copy_of_data):
    path = copy_of_data / "licenses.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n")
    with pytest.raises(DataFileError, match="duplicate license_id 'apache-2.0'"):
        data.load("licenses")
    path.write_text("\n".join([lines[0], "," + lines[1].split(",", 1)[1]]) + "\n")
    with pytest.raises(DataFileError, match="column 'license_id' is empty"):
        data.load("licenses")


def test_header_only_and_binary_garbage(copy_of_data):
    path = copy_of_data / "quant_types.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(DataFileError, match="no rows"):
        data.load("quant_types")
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DataFileError, match="not a readable UTF-8 CSV"):
        data.load("quant_types")


def test_bad_json(copy_of_data):
    (copy_of_data / "hub_snapshot.json").write_text("{not json")
    with pytest.raises(DataFileError, match="hub_snapshot.json is not valid JSON"):
        data.load_json("hub_snapshot.json")


def test_unknown_table():
    with pytest.raises(DataFileError, match="unknown data table"):
        data.load("nope")


def test_cpu_results_quote_the_figures_they_hold():
    """Each CPU llama.cpp result quotes the line its decode speed and model size were read from."""
    rows = data.load("llamacpp_cpu_results")
    assert len(rows) >= 20
    for r in rows:
        quote = r["quote"].replace(",", "")
        assert f"{r['tg_tps']:g}" in quote or f"{r['tg_tps']:.2f}" in quote, (r["cpu"], r["quant"])
        assert r["bandwidth_basis"] in ("stated", "measured", "computed-from-config"), r["cpu"]


def test_other_model_results_quote_their_figures_and_name_known_parts():
    """Each llama-bench row of another model quotes its line, on hardware and a shape the estimator knows."""
    from course_utils.hardware import BACKENDS, find_hardware

    rows = data.load("llamacpp_other_models")
    assert rows
    shapes = {r["repo_id"] for r in data.load("model_architectures")}
    for r in rows:
        quote = r["quote"].replace(" ", "")
        assert f"{r['tg_tps']:.2f}" in quote and r["test"] in quote and r["model_size"].replace(" ", "") in quote
        assert r["test"] in ("pp1", "tg128", "tg512"), r["test"]  # one token per step: decode
        assert r["backend"] in BACKENDS and find_hardware(r["hardware"]).name == r["hardware"]
        assert r["model_repo"] in shapes, r["model_repo"]
