"""Notebooks are built from MyST Markdown sources, one per notebook and language (tools/build_notebooks.py)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks as bn  # noqa: E402

GOLDEN_SOURCE = """---
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# A title

Some words.

```{code-cell}
:tags: [nbval-check-output]

print('golden')
```
"""


@pytest.fixture()
def sandbox(tmp_path, monkeypatch):
    """build_notebooks working on a source folder and a notebooks folder of the test's own."""
    monkeypatch.setattr(bn, "SOURCES", tmp_path / "src")
    monkeypatch.setattr(bn, "NOTEBOOKS", tmp_path / "nb")
    (tmp_path / "src" / "en").mkdir(parents=True)
    (tmp_path / "nb").mkdir()
    return tmp_path


def test_every_notebook_exists_in_every_language():
    names = {lang: bn.source_names(lang) for lang in bn.LANGS}
    assert names["en"], "no English sources"
    for lang, found in names.items():
        assert found == names["en"], f"notebooks/src/{lang} lacks {sorted(set(names['en']) - set(found))}"


@pytest.mark.parametrize("lang,name", bn.all_notebooks())
def test_built_notebook_has_its_language_badge_and_setup(lang, name):
    path = ROOT / "notebooks" / bn.built_path(lang, name)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert f"notebooks/{bn.built_path(lang, name)}" in cells[0]["source"]  # the badge opens this very file
    setup = cells[1]["source"]
    assert ("course_utils.setup()" if lang == "en" else f"course_utils.setup(lang={lang!r})") in setup


def test_golden_outputs_survive_a_cell_inserted_before_them(sandbox):
    src = sandbox / "src" / "en" / "99_sandbox.md"
    src.write_text(GOLDEN_SOURCE, encoding="utf-8")
    first = bn.build("99_sandbox.ipynb")
    golden = next(c for c in first["cells"] if bn.is_golden(c))
    golden["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "golden\n"}]
    golden["execution_count"] = 1
    (sandbox / "nb" / "99_sandbox.ipynb").write_text(bn.dumps(first), encoding="utf-8")

    src.write_text(GOLDEN_SOURCE.replace("Some words.", "Some words.\n\n+++\n\nA new cell before the golden one."),
                   encoding="utf-8")
    again = bn.expected("99_sandbox.ipynb")
    assert len(again["cells"]) == len(first["cells"]) + 1
    kept = next(c for c in again["cells"] if bn.is_golden(c))
    assert kept["id"] == golden["id"] and kept["outputs"] == golden["outputs"]


def test_an_edited_source_makes_the_check_fail(sandbox):
    src = sandbox / "src" / "en" / "99_sandbox.md"
    src.write_text(GOLDEN_SOURCE, encoding="utf-8")
    (sandbox / "nb" / "99_sandbox.ipynb").write_text(bn.dumps(bn.expected("99_sandbox.ipynb")), encoding="utf-8")
    assert bn.stale_notebooks() == []
    src.write_text(GOLDEN_SOURCE.replace("Some words.", "Other words."), encoding="utf-8")
    assert bn.stale_notebooks() == ["99_sandbox.ipynb"]
