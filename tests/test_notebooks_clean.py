"""Notebooks are committed clean and follow one pattern (see CONTRIBUTING.md)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
FORBIDDEN_NB_META = ("widgets", "colab", "accelerator", "gpuClass")
FORBIDDEN_CELL_META = ("outputId", "colab", "executionInfo")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_there_are_notebooks():
    assert any(p.name == "00_start_here.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    bad_meta = [k for k in FORBIDDEN_NB_META if k in nb["metadata"]]
    assert not bad_meta, f"{path.name}: notebook metadata has {bad_meta} (widget state or Colab data)"
    for i, cell in enumerate(nb["cells"]):
        meta = cell.get("metadata", {})
        assert not [k for k in FORBIDDEN_CELL_META if k in meta], f"{path.name} cell {i}: Colab metadata"
        if cell["cell_type"] != "code":
            continue
        golden = "nbval-check-output" in meta.get("tags", [])
        if not golden:
            assert cell["outputs"] == [], f"{path.name} cell {i} has outputs but is not a golden cell"
            assert cell["execution_count"] is None, f"{path.name} cell {i} has an execution count"
        else:
            assert cell["execution_count"] is not None, f"{path.name} cell {i}: golden cell was never run"
            for out in cell["outputs"]:
                assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {})


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name == "notebooks"], ids=lambda p: p.name)
def test_notebook_has_badge_and_setup_cell(path):
    cells = _cells(path)
    first = "".join(cells[0]["source"])
    assert "colab.research.google.com/github/" in first and f"notebooks/{path.name}" in first
    setup = "".join(cells[1]["source"])
    assert '"google.colab" in sys.modules' in setup and "--no-deps" in setup
    installs = [line for line in setup.splitlines() if "install" in line and "pip" in line]
    assert installs and not [line for line in installs if "ipywidgets" in line], "the setup cell must not install ipywidgets"
    assert "course_utils.setup()" in setup


def test_notebooks_match_their_source():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_notebooks.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dirty_notebook_is_detected(tmp_path):
    """The cleanliness check itself fails on a notebook with outputs or widget state."""
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    dirty = tmp_path / "dirty.ipynb"
    dirty.write_text(json.dumps(nb))
    with pytest.raises(AssertionError, match="widget state"):
        test_notebook_is_clean(dirty)
    nb["metadata"].pop("widgets")
    nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    dirty.write_text(json.dumps(nb))
    with pytest.raises(AssertionError, match="has outputs"):
        test_notebook_is_clean(dirty)
