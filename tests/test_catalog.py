"""The model catalog of late 2026 (issue 11, items 9 and 13): new rows, their sources and their
Hub-shaped snapshot records, and the small facts fixed there. The rows are read from the shipped
data files; a rebuild from the reference files must reproduce them."""
import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_utils import data, hub

ROOT = Path(__file__).resolve().parents[1]
ADDITIONS = ROOT / "tools" / "reference_additions"
# the researched reference files beside the project (/work/shared/reference for /work/main or a worktree)
REFERENCE = next((p for p in (ROOT.parent / "shared" / "reference", ROOT.parent.parent / "shared" / "reference")
                  if (p / "models.csv").exists()), ROOT.parent / "shared" / "reference")


def added_rows() -> list[dict]:
    with (ADDITIONS / "models.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_at_least_25_new_models_each_with_a_card_source():
    rows = added_rows()
    models = data.index("models")
    assert len(rows) >= 25
    for r in rows:
        row = models[r["repo_id"]]  # shipped
        assert row["source_urls"].startswith(f"https://huggingface.co/{r['repo_id']}"), r["repo_id"]
        assert row["weights_released"] == "yes" and row["openness_level"] in ("fully_open", "weights_only")


@pytest.mark.parametrize("repo_id, total, active", [
    ("Qwen/Qwen3-30B-A3B", 30.5, 3.3), ("Qwen/Qwen3-235B-A22B", 235, 22),
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", 109, 17), ("meta-llama/Llama-4-Maverick-17B-128E-Instruct", 400, 17),
    ("deepseek-ai/DeepSeek-R1", 671, 37), ("deepseek-ai/DeepSeek-V3", 671, 37),
    ("openai/gpt-oss-20b", 21, 3.6), ("openai/gpt-oss-120b", 117, 5.1), ("allenai/OLMoE-1B-7B-0924", 6.9, 1.3),
    ("mistralai/Mixtral-8x7B-Instruct-v0.1", 46.7, 12.9),
])
def test_mixture_of_experts_rows_have_total_and_active_parameters(repo_id, total, active):
    row = data.index("models")[repo_id]
    assert row["params_billion"] == total and row["active_params_billion"] == active


def test_dense_rows_have_no_active_count():
    for row in data.load("models"):
        if row["active_params_billion"] is not None:
            assert row["params_billion"] and row["active_params_billion"] < row["params_billion"], row["repo_id"]


@pytest.mark.parametrize("repo_id, license_id, license_name, key", [
    ("Qwen/Qwen2.5-3B-Instruct", "other", "qwen-research", "other:qwen-research"),
    ("Qwen/Qwen2.5-72B-Instruct", "other", "qwen", "other:qwen"),
    ("Qwen/Qwen3-8B", "apache-2.0", "Apache License 2.0", "apache-2.0"),
    ("meta-llama/Llama-3.3-70B-Instruct", "llama3.3", "Llama 3.3 Community License Agreement", "llama3.3"),
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "other", "llama4", "llama4"),
    ("tiiuae/Falcon3-7B-Instruct", "other", "falcon-llm-license", "other:falcon-llm-license"),
    ("google/gemma-3-27b-it", "gemma", "Gemma Terms of Use", "gemma"),
    ("deepseek-ai/DeepSeek-R1", "mit", "MIT License", "mit"),
    ("deepseek-ai/DeepSeek-V3", "", "", "other:deepseek"),  # Hub tag not verified: left blank, governing licence known
])
def test_licence_fields_as_the_hub_gives_them(repo_id, license_id, license_name, key):
    row = data.index("models")[repo_id]
    assert (row["license_id"], row["license_name"], row["license_key"]) == (license_id, license_name, key)


def test_snapshot_records_follow_the_catalog():
    _, records = hub.snapshot()
    for r in added_rows():
        rec = records[r["repo_id"]]
        card = rec.get("cardData", {})
        assert card.get("license", "") == r["license_id"]
        if r["license_id"] == "other":
            assert card["license_name"] == r["license_key"].split(":", 1)[1]
            assert hub.license_key(card["license"], card["license_name"]) == r["license_key"]
        if r["gated"] in ("true", "false"):
            assert rec["gated"] is (r["gated"] == "true")
        if "/" in r["base_model"]:
            assert card["base_model"] == r["base_model"] and f"base_model:{r['base_model']}" in rec["tags"]


def test_offline_summary_of_a_new_model():
    s = hub.model_summary("Qwen/Qwen3-30B-A3B")
    assert s.license_id == "apache-2.0" and s.params_b == 30.5 and s.gated is False and not s.live


@pytest.mark.parametrize("repo_id, column, value", [
    ("google/gemma-2-2b-it", "params_billion", 2.61), ("EleutherAI/gpt-j-6b", "release_date", "2021-06"),
])
def test_small_facts_fixed(repo_id, column, value):
    assert data.index("models")[repo_id][column] == value


def test_hardware_bandwidths_m3_ultra_and_m5():
    bw = data.index("hardware_bandwidth")
    assert bw["Apple M3 Ultra (60-core GPU)"]["memory_bandwidth_gbs"] == 819
    assert bw["Apple M3 Ultra (80-core GPU)"]["memory_bandwidth_gbs"] == 819
    assert "apple.com" in bw["Apple M3 Ultra (80-core GPU)"]["source_url"]
    m5 = bw["Apple M5 (10-core GPU)"]
    assert m5["memory_bandwidth_gbs"] == 153 and m5["source_url"].startswith("https://www.apple.com/newsroom/")


@pytest.mark.skipif(not (REFERENCE / "models.csv").exists(), reason="the reference files are not beside the project")
def test_rebuild_from_reference_keeps_the_added_rows(tmp_path):
    """tools/build_data.py run on a copy must reproduce the shipped catalog, added rows included."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "tools", copy / "tools")
    shutil.copytree(ROOT / "data", copy / "data")
    subprocess.run([sys.executable, str(copy / "tools" / "build_data.py"), "--reference", str(REFERENCE)],
                   check=True, capture_output=True, timeout=120)
    for shipped in sorted((ROOT / "data").iterdir()):  # every table, byte for byte: nothing added by hand only
        if shipped.is_file():
            assert (copy / "data" / shipped.name).read_bytes() == shipped.read_bytes(), shipped.name
    with (copy / "data" / "hardware_bandwidth.csv").open(newline="", encoding="utf-8") as fh:
        bandwidths = {r["hardware"]: r for r in csv.DictReader(fh)}
    assert bandwidths["Apple M5 (10-core GPU)"]["memory_bandwidth_gbs"] == "153"
    assert bandwidths["Apple M3 Ultra (80-core GPU)"]["memory_bandwidth_gbs"] == "819"


@pytest.mark.parametrize("asked, expected", [
    ("meta-llama/Llama-3.3-70B", "meta-llama/Llama-3.3-70B-Instruct"), ("Qwen/Qwen3-30B", "Qwen/Qwen3-30B-A3B"),
    ("openai/gpt-oss", "openai/gpt-oss-20b"), ("google/gemma-3-4b", "google/gemma-3-4b-it"),
    ("meta-llama/Llama-4-Scout", "meta-llama/Llama-4-Scout-17B-16E-Instruct"),
])
def test_did_you_mean_for_new_ids(asked, expected):
    assert expected in hub.suggest(asked)
    for real in data.index("repo_ids")[asked]["correct_ids"].split(";"):
        assert real in data.index("models") or real.endswith(("-pt", "-16E")), real
