"""Nothing in the notebooks assumes a POSIX shell, `/`-only paths or a UTF-8 console (Windows)."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [p for p in sorted((ROOT / "notebooks").rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]
POSIX_ONLY = [
    (re.compile(r"^\s*!", re.M), "a shell escape (!cmd)"),
    (re.compile(r"^\s*%%?(bash|sh|cd)\b", re.M), "a POSIX shell magic"),
    (re.compile(r"[\"'](/tmp|/home|/usr|/root)\b"), "a POSIX absolute path"),
    (re.compile(r"\.split\(\s*[\"']/[\"']\s*\)"), "splitting a path on '/'"),
    (re.compile(r"os\.system\("), "os.system"),
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_code_is_portable(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(c for c in cells if c["cell_type"] == "code"):
        src = "".join(cell["source"])
        for pattern, what in POSIX_ONLY:
            assert not pattern.search(src), f"{path.name} code cell {i}: {what}"
        if "/content" in src:  # Colab's folder, only on the Colab branch of the setup cell
            assert '"google.colab" in sys.modules' in src


def test_notebooks_are_read_and_written_as_utf8_not_the_console_encoding():
    for path in NOTEBOOKS:
        json.loads(path.read_bytes().decode("utf-8"))
    src = (ROOT / "tools" / "build_notebooks.py").read_text(encoding="utf-8")
    assert "read_text()" not in src and "write_text(text)" not in src, "always pass encoding='utf-8'"
