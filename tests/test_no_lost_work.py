"""Issue 10 "done when": a restarted kernel loses nothing.

For each exercise notebook 01-06, Ada's saved answers (tests/fixtures/answers) are put in a
temporary answers folder and the real notebook runs in a fresh kernel (nbclient), which is what
a kernel restart gives. A last cell clicks every Check and Save button through the kernel's
widget registry, as a learner who re-runs everything and types nothing would. Every saved answer
must be unchanged on disk and every saved text must be back in its widget.
"""
import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "answers"
NOTEBOOKS = {f"ex{p.name[:2]}": p for p in sorted((ROOT / "notebooks").glob("0[1-6]_*.ipynb"))}

PROBE = r'''
import json, ipywidgets
from course_utils.ui.common import UNEXPECTED_CLASS
ws = list(ipywidgets.Widget.widgets.values())
clicked, errors = [], []
for label in ("check", "save"):
    for w in ws:
        if isinstance(w, ipywidgets.Button) and label in (w.description or "").lower():
            try:
                w.click(); clicked.append(w.description)
            except Exception as e:
                errors.append(f"{w.description}: {type(e).__name__}: {e}")
outs = " ".join(str(o) for w in ws if isinstance(w, ipywidgets.Output) for o in w.outputs)
print("PROBE" + json.dumps({
    "values": [w.value for w in ws if isinstance(w, (ipywidgets.Text, ipywidgets.Textarea))],
    "clicked": clicked, "errors": errors, "unexpected": UNEXPECTED_CLASS in outs or "Traceback" in outs,
    "saved": "Saved" in outs}))
'''


@pytest.mark.slow
@pytest.mark.parametrize("exercise", sorted(NOTEBOOKS))
def test_restarted_kernel_shows_and_keeps_saved_answers(exercise, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    from course_utils import answers

    folder = tmp_path / "answers"
    folder.mkdir()
    fixture = FIXTURES / f"{exercise}_ada-lovelace.json"
    shutil.copy(fixture, folder)
    monkeypatch.setenv("COURSE_UTILS_ANSWERS_DIR", str(folder))  # the kernel inherits it
    answers.remember_learner("Ada Lovelace")  # what notebook 00 did in an earlier session
    before = json.loads(fixture.read_text())["answers"]

    path = NOTEBOOKS[exercise]
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    probe = json.loads(out.split("PROBE", 1)[1].splitlines()[0])

    assert probe["errors"] == [] and not probe["unexpected"]
    assert "Save answers" in probe["clicked"] and any("check" in c.lower() for c in probe["clicked"])
    assert probe["saved"]
    after = json.loads((folder / fixture.name).read_text())["answers"]
    assert after == before
    for q, v in before.items():
        if isinstance(v, str):
            assert v in probe["values"], f"{exercise}.{q} is not back in its widget"
    assert sorted(p.name for p in folder.iterdir()) == sorted([".answers.lock", ".learner_name", fixture.name])
    assert os.environ["COURSE_UTILS_ANSWERS_DIR"] == str(folder)
