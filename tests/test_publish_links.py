"""Every Colab badge, the install cell and the Binder/JupyterHub links use the one repository URL
of pyproject.toml, and changing it there and rebuilding changes all of them."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks as bn  # noqa: E402

# every way the course's own address appears: (pattern, group holding "owner/name")
COURSE_LINKS = [
    re.compile(r"colab\.research\.google\.com/github/([^/\s\"')]+/[^/\s\"')]+)/blob/([^/\s\"')]+)/"),
    re.compile(r"mybinder\.org/v2/gh/([^/\s\"')]+/[^/\s\"')]+)/([^?\s\"')]+)"),
    re.compile(r"git\+https://github\.com/([^/\s\"')@]+/[^/\s\"')@]+)@([^\s\"')]+)"),
    re.compile(r"git-pull\?repo=https://github\.com/([^/\s&]+/[^/\s&]+)&branch=([^&\s]+)"),
]


def _texts(root: Path) -> dict[str, str]:
    texts = {name: (root / name).read_text(encoding="utf-8") for name in ("README.md", "README.fr.md")}
    for nb in sorted((root / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb.parts:
            continue
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        texts[str(nb.relative_to(root))] = "\n".join("".join(c["source"]) for c in cells)
    return texts


def _links(root: Path) -> list[tuple[str, str, str, str]]:
    """(file, kind, owner/name, ref) for every course link, URL-decoded."""
    found = []
    for name, text in _texts(root).items():
        text = unquote(text)
        for i, pattern in enumerate(COURSE_LINKS):
            found += [(name, ("colab", "binder", "pip", "nbgitpuller")[i], m.group(1), m.group(2))
                      for m in pattern.finditer(text)]
    return found


def test_every_course_link_uses_the_pyproject_url_and_the_release_tag():
    links = _links(ROOT)
    kinds = {kind for _, kind, _, _ in links}
    assert kinds == {"colab", "binder", "pip", "nbgitpuller"}
    wrong = [link for link in links if link[2] != bn.repo_slug()]
    assert not wrong, f"links not made from pyproject.toml's Repository: {wrong[:5]}"
    unpinned = [link for link in links if link[1] != "nbgitpuller" and link[3] != bn.release_tag()]
    assert not unpinned, f"links not pinned to {bn.release_tag()}: {unpinned[:5]}"
    setup_cells = [(f, k) for f, k, _, _ in links if k == "pip" and f.startswith("notebooks")]
    assert len(setup_cells) == len([p for p in (ROOT / "notebooks").rglob("*.ipynb")
                                    if ".ipynb_checkpoints" not in p.parts])
    notebook_badges = {f for f, k, _, _ in links if k == "colab" and f.startswith("notebooks")}
    assert len(notebook_badges) == len(setup_cells), "every notebook has its badge"


@pytest.mark.slow
def test_changing_the_url_in_pyproject_and_rebuilding_moves_every_link(tmp_path):
    for name in ("tools", "notebooks", "course_utils", "data"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "answers"))
    for readme in ("README.md", "README.fr.md"):
        shutil.copy(ROOT / readme, tmp_path / readme)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r'Repository = "[^"]+"', 'Repository = "https://github.com/a-school/llm-day"', text)
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(tmp_path / "tools" / "build_notebooks.py")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    links = _links(tmp_path)
    assert len(links) == len(_links(ROOT))
    assert {slug for _, _, slug, _ in links} == {"a-school/llm-day"}
    old = bn.repo_slug()
    assert not [name for name, t in _texts(tmp_path).items() if old in unquote(t)]
