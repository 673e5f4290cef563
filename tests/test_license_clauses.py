"""The clause table is the one place licence rules live, and everything else is computed from it."""
import ast
import re
import shutil
from pathlib import Path

import pytest

from course_utils import clauses, data, hub, licenses

ROOT = Path(__file__).resolve().parents[1]
# string literals that look like a licence key (Hub ids and other:<name>)
LICENCE_SHAPED = re.compile(r"^(other:[a-z0-9][a-z0-9.+-]*|llama\d[\d.]*|gemma|apache-\d\.\d|mit|bsd-[a-z0-9-]+|"
                            r"cc-by[a-z0-9.-]*|[a-z-]*openrail[a-z0-9+-]*|bigscience-[a-z0-9.-]+)$")


def test_every_row_is_well_formed_and_sourced():
    meta = licenses.knowledge_base()
    for c in clauses.all_clauses():
        assert c.kind in clauses.KINDS, c
        assert c.license_key in meta, f"{c.license_key} has clauses but no row in licenses.csv"
        assert c.quote.strip() and c.section.strip() and c.source_url.startswith("https://"), c
        if c.kind == "mau_threshold":
            assert int(c.params["limit"]) > 0 and c.params["measured"] in ("product", "licensee_before_release")
            if c.params["measured"] == "licensee_before_release":
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", c.params["release_date"])
        if c.kind == "attribution_notice":
            assert c.params.get("when") in ("redistribution", "redistribution_not_hosted", "product",
                                            "derived_model"), c


def test_licence_facts_are_computed_from_the_clauses():
    assert clauses.commercial_use("apache-2.0") == "yes"
    assert clauses.commercial_use("llama2") == "conditional"
    assert clauses.commercial_use("other:opt-175b") == "no"
    assert clauses.commercial_use("other:microsoft-research-license") == "unknown"  # no clause rows
    assert hub.commercial_license_ids() == clauses.commercial_keys()
    assert {"apache-2.0", "llama3.1", "gemma", "other:qwen"} <= hub.commercial_license_ids()
    assert not {"other:opt-175b", "other:qwen-research", "cc-by-nc-4.0"} & hub.commercial_license_ids()
    assert clauses.expected_options("llama2") == {"user_threshold", "use_restrictions", "attribution",
                                                  "no_training_other_models", "trademark", "export_control"}
    assert clauses.expected_options("other:deepseek") == {"use_restrictions", "attribution", "trademark"}
    assert clauses.expected_options("other:falcon-llm-license") is None


def test_checklist_has_the_options_the_original_sheet_ticked():
    options = licenses.checklist_options()
    assert {"trademark", "export_control", "user_threshold", "attribution"} <= set(options)
    # the sheet ticked "No trademark use without permission" for Mistral (Apache-2.0 §6)
    assert "trademark" in clauses.expected_options("apache-2.0")
    # and "Export controls ... may apply" for Llama 2 (trade compliance laws, §1.b.iv)
    assert "export_control" in clauses.expected_options("llama2")


@pytest.fixture
def copy_of_data(tmp_path, monkeypatch):
    target = tmp_path / "data"
    shutil.copytree(data.data_dir(), target)
    monkeypatch.setenv("COURSE_UTILS_DATA_DIR", str(target))
    return target


def test_adding_a_licence_is_adding_rows(copy_of_data):
    (copy_of_data / "licenses.csv").write_text(
        (copy_of_data / "licenses.csv").read_text() + "other:example,Example Licence,no,https://example.org/l,,"
                                                      "no,https://example.org/l\n")
    (copy_of_data / "license_clauses.csv").write_text(
        (copy_of_data / "license_clauses.csv").read_text()
        + "other:example,non_commercial_only,,for non-commercial use only,§1,https://example.org/l\n")
    assert licenses.license_report("other:example").commercial_use == "no"
    assert licenses.saas_verdict("other:example").verdict == "not_allowed"
    assert licenses.saas_verdict("other:example", commercial=False).verdict == "allowed_with_conditions"
    assert clauses.expected_options("other:example") == {"non_commercial"}


def _string_literals(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def test_no_licence_id_in_code_that_the_table_lacks():
    known = clauses.known_keys()  # a licence the code names must have its clauses in the table
    files = sorted((ROOT / "course_utils").glob("*.py")) + sorted((ROOT / "course_utils" / "ui").glob("*.py"))
    used = {(f.name, s) for f in files for s in _string_literals(f) if LICENCE_SHAPED.match(s)}
    missing = sorted((name, s) for name, s in used if s not in known)
    assert not missing, f"licence ids used in code but without clauses in data/license_clauses.csv: {missing}"
    assert LICENCE_SHAPED.match("other:qwen") and LICENCE_SHAPED.match("llama3.1")  # the check can fire


def test_catalog_licences_are_known_or_flagged():
    """Every licence key the catalog uses has metadata (its clauses may be missing: then it needs review)."""
    meta = licenses.knowledge_base()
    for row in data.load("models"):
        if row["license_key"]:
            assert row["license_key"] in meta, row["repo_id"]


def test_other_hub_spellings_of_a_known_licence_map_to_it():
    # Llama 4's repos say `license: other`, `license_name: llama4` on the Hub
    from huggingface_hub.hf_api import ModelInfo

    info = ModelInfo(id="meta-llama/Llama-4-Scout-17B-16E-Instruct", tags=[],
                     cardData={"license": "other", "license_name": "llama4"}, pipeline_tag="image-text-to-text")
    s = hub.summary_from_info(info, "live Hub")
    assert (s.license_id, s.license_name, s.license_key) == ("other", "llama4", "llama4")
    assert clauses.canonical_key("other:no-such-licence") == "other:no-such-licence"


def test_use_limits_for_the_open_source_ai_definition():
    assert clauses.use_limits("apache-2.0") == () and clauses.use_limits("mit") == ()
    assert {c.kind for c in clauses.use_limits("llama3.1")} >= {"use_policy", "mau_threshold"}
    assert clauses.use_limits("gemma") and clauses.use_limits("bigscience-bloom-rail-1.0")
    assert clauses.use_limits("other:falcon-llm-license") is None  # unknown: no guess


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_kind_option_and_region_has_words_in_each_language(lang):
    """Clause kinds, checklist options and the table's region ids read from the catalogs; a new kind or
    region without a catalog entry fails here (the quotes themselves stay as the licence writes them)."""
    from course_utils import i18n

    catalog = i18n.catalog(lang)
    assert all(f"clauses.kind.{k}" in catalog for k in clauses.KINDS)
    assert all(f"clauses.option.{o}" in catalog for o in clauses.OPTIONS)
    assert {clauses.KINDS[k].option for k in clauses.KINDS} - {""} <= set(clauses.OPTIONS)
    regions = {c.params["region"] for c in clauses.all_clauses() if "region" in c.params}
    assert regions and all(f"clauses.region.{r}" in catalog for r in regions)
