"""Write notebooks/*.ipynb from their MyST Markdown sources in notebooks/src/<lang>/.

A source holds the notebook's own cells (title first). The build adds the Open-in-Colab badge
to the title, the setup cell after it (which also sets the notebook's language) and, for an
exercise, the save cells; cell ids come from each cell's text, so inserting a cell elsewhere
keeps the other ids and the golden outputs. English goes to notebooks/, French to notebooks/fr/.
Nothing Colab- or widget-specific is stored. Cells tagged
`nbval-check-output` are golden cells: run `python tools/build_notebooks.py --golden`
to execute the notebooks offline and keep the outputs of those cells only.

    python tools/build_notebooks.py            # rewrite sources (keeps existing golden outputs)
    python tools/build_notebooks.py --check    # exit 1 if a notebook differs from its source
    python tools/build_notebooks.py --golden   # also refresh golden outputs (needs nbclient)
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT))


def _pyproject() -> str:
    return (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def repo_slug() -> str:
    m = re.search(r'Repository\s*=\s*"https://github\.com/([^"]+?)/?"', _pyproject())
    if not m:
        raise SystemExit("pyproject.toml has no [project.urls] Repository on github.com")
    return m.group(1)


def repo_url() -> str:
    """The one address of the published course (pyproject.toml, [project.urls] Repository)."""
    return f"https://github.com/{repo_slug()}"


def release_tag() -> str:
    """The git tag the notebooks and the Colab install point at: v + the project version."""
    return "v" + re.search(r'^version\s*=\s*"([^"]+)"', _pyproject(), re.M).group(1)


def runtime_dependencies() -> list[str]:
    block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", _pyproject(), re.M | re.S).group(1)
    return re.findall(r'"([^"]+)"', block)


def colab_url(path: str) -> str:
    return f"https://colab.research.google.com/github/{repo_slug()}/blob/{release_tag()}/notebooks/{path}"


def badge(path: str) -> str:
    return (f'<a href="{colab_url(path)}" target="_parent"><img '
            f'src="https://colab.research.google.com/assets/colab-badge.svg" alt="Open In Colab"/></a>')


SETUP_MARK = "# Setup: in Google Colab this installs the course package"
# Runtime dependencies Colab already ships (googlecolab/backend-info, pip-freeze.txt). The setup
# cell installs the course with --no-deps (Colab's ipywidgets 7.7.1 must never be upgraded) plus
# exactly the runtime dependencies of pyproject.toml that are not in this list.
COLAB_PREINSTALLED = frozenset({"ipywidgets", "pandas", "matplotlib", "huggingface-hub", "psutil", "filelock"})


def _dist_name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.\-]+", requirement).group(0).lower().replace("_", "-")


def colab_missing() -> list[str]:
    """Runtime dependencies Colab lacks: the setup cell installs these, and only these."""
    return [d for d in runtime_dependencies() if _dist_name(d) not in COLAB_PREINSTALLED]


def pip_source() -> str:
    return f"course-utils @ git+{repo_url()}@{release_tag()}"


def setup_source(lang: str = "en") -> str:
    """The first code cell: installs the course in Colab only, then sets the notebook's language."""
    from course_utils.i18n import t

    tag, wheel = release_tag(), f"course_utils-{release_tag()[1:]}-py3-none-any.whl"
    missing = colab_missing()
    deps = ("\n    subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', "
            + ", ".join(repr(d) for d in missing) + "])") if missing else ""
    no_install = t("notebook.setup.no_install", lang, tag=tag, repo=repo_url(), wheel=wheel)
    not_installed = t("notebook.setup.not_installed", lang)
    call = "course_utils.setup()" if lang == "en" else f"course_utils.setup(lang={lang!r})"
    return f'''{SETUP_MARK} (locally it is already installed):
# an uploaded {wheel} if there is one, else the release {tag} from GitHub.
# --no-deps: Colab already has pandas, matplotlib, huggingface_hub, psutil and ipywidgets 7;
# upgrading ipywidgets there breaks its widgets, so nothing else is touched.
import glob, importlib.util, os, subprocess, sys
class CourseSetupError(Exception):
    def _render_traceback_(self):  # IPython shows this one line instead of a traceback
        return [f"CourseSetupError: {{self}}"]
if "google.colab" in sys.modules and importlib.util.find_spec("course_utils") is None:{deps}
    uploads = sorted(glob.glob("/content/course_utils-*.whl") + glob.glob("course_utils-*.whl"), key=os.path.getmtime)
    for source in uploads[-1:] + ["{pip_source()}"]:
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", source]
        if subprocess.run(pip, capture_output=True).returncode == 0:
            break
    else:
        raise CourseSetupError({no_install!r})
    importlib.invalidate_caches()
if importlib.util.find_spec("course_utils") is None:
    raise CourseSetupError({not_installed!r})
import course_utils
{call};'''


LANGS = ("en", "fr")  # en is built into notebooks/, every other language into notebooks/<lang>/
SOURCES = ROOT / "notebooks" / "src"
GOLDEN = ("nbval-check-output",)
METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def md(text: str, tags: tuple[str, ...] = ()) -> dict:
    return {"cell_type": "markdown", "metadata": {"tags": list(tags)} if tags else {}, "source": text.strip()}


def code(text: str, tags: tuple[str, ...] = ()) -> dict:
    return {"cell_type": "code", "metadata": {"tags": list(tags)} if tags else {}, "source": text.strip(),
            "outputs": [], "execution_count": None}


def built_path(lang: str, name: str) -> str:
    """Where a source's notebook goes, relative to notebooks/ ('fr/01_open_source_levels.ipynb')."""
    return name if lang == "en" else f"{lang}/{name}"


def source_names(lang: str = "en") -> list[str]:
    """Notebook names ('01_open_source_levels.ipynb', 'instructor/...') with a source in this language."""
    folder = SOURCES / lang
    return sorted(p.relative_to(folder).with_suffix(".ipynb").as_posix() for p in folder.rglob("*.md"))


def exercise_of(name: str) -> str | None:
    from course_utils.exercises import EXERCISES

    return next((e.id for e in EXERCISES.values() if e.notebook == Path(name).name), None)


def save_cells(exercise: str, lang: str) -> list[dict]:
    from course_utils.i18n import t

    return [md(t("notebook.save.markdown", lang)),
            code(f"from course_utils.ui.common import save_row\nsave_row({exercise!r})")]


def cell_id(cell: dict, prefix: str, taken: set[str]) -> str:
    """An id from the cell's own text, so inserting or moving other cells keeps it (and golden outputs)."""
    digest = hashlib.sha1(f"{cell['cell_type']}\n{cell['source']}".encode("utf-8")).hexdigest()[:8]
    base = f"{prefix}-{digest}"
    found, n = base, 2
    while found in taken:
        found, n = f"{base}-{n}", n + 1
    taken.add(found)
    return found


def read_source(lang: str, name: str) -> list[dict]:
    """The cells of one MyST source (notebooks/src/<lang>/<name>.md), as plain dicts."""
    import jupytext

    path = SOURCES / lang / Path(name).with_suffix(".md")
    nb = jupytext.reads(path.read_text(encoding="utf-8"), fmt="md:myst")
    cells = []
    for c in nb.cells:
        tags = tuple(c.get("metadata", {}).get("tags", []))
        cells.append(md(c.source, tags) if c.cell_type == "markdown" else code(c.source, tags))
    return cells


def build(name: str, lang: str = "en") -> dict:
    """One notebook: its source's cells with the badge, the setup cell and (exercises) the save cells."""
    path = built_path(lang, name)
    cells = read_source(lang, name)
    if not cells or cells[0]["cell_type"] != "markdown":
        raise SystemExit(f"notebooks/src/{lang}/{name[:-6]}.md must start with a Markdown cell (the title)")
    cells[0]["source"] = f"{badge(path)}\n\n{cells[0]['source']}"
    cells.insert(1, code(setup_source(lang)))
    exercise = exercise_of(name)
    if exercise:
        cells += save_cells(exercise, lang)
    taken: set[str] = set()
    prefix = Path(name).stem[:2]
    for cell in cells:
        cell["id"] = cell_id(cell, prefix, taken)
    return {"cells": cells, "metadata": copy.deepcopy(METADATA), "nbformat": 4, "nbformat_minor": 5}


def is_golden(cell: dict) -> bool:
    return "nbval-check-output" in cell.get("metadata", {}).get("tags", [])


def carry_golden(new: dict, old: dict | None) -> dict:
    """Keep the stored outputs of golden cells whose source did not change."""
    if not old:
        return new
    previous = {c.get("id"): c for c in old.get("cells", [])}
    for cell in new["cells"]:
        prev = previous.get(cell["id"])
        if is_golden(cell) and prev and prev.get("source") == cell["source"]:
            cell["outputs"] = prev.get("outputs", [])
            cell["execution_count"] = prev.get("execution_count")
    return new


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def read(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def refresh_golden(nb: dict, path: Path) -> dict:
    """Execute the notebook offline and keep the outputs of golden cells only."""
    import nbformat
    from nbclient import NotebookClient

    env_backup = dict(os.environ)
    tmp = tempfile.mkdtemp()
    os.environ.update(HF_HUB_OFFLINE="1", HF_HOME=tmp, COURSE_UTILS_ANSWERS_DIR=tmp, MPLBACKEND="Agg")
    try:
        run = nbformat.reads(dumps(nb), as_version=4)
        NotebookClient(run, timeout=120, resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    for cell, done in zip(nb["cells"], run.cells):
        if is_golden(cell):
            cell["outputs"] = [dict(o) for o in done.outputs if o.get("output_type") == "stream"]
            cell["execution_count"] = 1
    return nb


def expected(name: str, lang: str = "en") -> dict:
    return carry_golden(build(name, lang), read(NOTEBOOKS / built_path(lang, name)))


def all_notebooks() -> list[tuple[str, str]]:
    """(language, name) of every notebook to build."""
    return [(lang, name) for lang in LANGS for name in source_names(lang)]


def title_of(name: str, lang: str) -> str:
    """A notebook's title for the README table (from the exercise registry's catalog entries)."""
    from course_utils.i18n import t

    exercise = exercise_of(name)
    if exercise:
        return f"{exercise[2:]}. {t(f'{exercise}.title', lang)}"
    return t(f"notebook.title.{Path(name).stem}", lang)


README = ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- notebooks-table: written by tools/build_notebooks.py -->", "<!-- /notebooks-table -->"


README_FR = ROOT / "README.fr.md"


def readme_with_table(text: str, langs: tuple[str, ...] = LANGS) -> str:
    """A README with the notebook table (one row per notebook, a Colab badge per language in langs)."""
    from course_utils.i18n import LANGUAGES

    head = " | ".join(LANGUAGES[lang] for lang in langs)
    rows = []
    for name in source_names("en"):
        cells = []
        for lang in langs:
            if name not in source_names(lang):
                cells.append("—")
                continue
            path = built_path(lang, name)
            cells.append(f"[{title_of(name, lang)}](notebooks/{path}) [![Open In Colab]"
                         f"(https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(path)})")
        rows.append("| " + " | ".join(cells) + " |")
    table = (f"{TABLE_START}\n| {head} |\n|" + " --- |" * len(langs) + "\n" + "\n".join(rows) + f"\n{TABLE_END}")
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    return text[:start] + table + text[end:]


LINKS_START, LINKS_END = "<!-- publish-links: written by tools/build_notebooks.py -->", "<!-- /publish-links -->"


def binder_url() -> str:
    return (f"https://mybinder.org/v2/gh/{repo_slug()}/{release_tag()}"
            "?urlpath=lab/tree/notebooks/00_start_here.ipynb")


def nbgitpuller_url(hub: str = "HUB") -> str:
    from urllib.parse import quote

    name = repo_slug().split("/")[1]
    return (f"https://{hub}/hub/user-redirect/git-pull?repo={quote(repo_url(), safe='')}&branch=main"
            f"&urlpath={quote(f'lab/tree/{name}/notebooks/00_start_here.ipynb', safe='')}")


def readme_with_links(text: str) -> str:
    """README.md with the Binder badge and the JupyterHub recipe rebuilt from pyproject.toml."""
    block = (f"{LINKS_START}\n[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url()}) "
             f"opens the release {release_tag()} in JupyterLab on mybinder.org.\n\n"
             "JupyterHub: the admin installs the course once in the users' image (no server extension, "
             "no `jupyter labextension`; the widgets' front end comes with ipywidgets' own packages):\n\n"
             f"```bash\npip install \"{pip_source()}\"\n```\n\n"
             "and shares an [nbgitpuller](https://nbgitpuller.readthedocs.io) link (the hub needs nbgitpuller; "
             "put its address in place of `HUB`) that copies the notebooks into each learner's home:\n\n"
             f"```text\n{nbgitpuller_url()}\n```\n{LINKS_END}")
    start, end = text.index(LINKS_START), text.index(LINKS_END) + len(LINKS_END)
    return text[:start] + block + text[end:]


def stale_notebooks() -> list[str]:
    """Built notebooks (paths under notebooks/) that differ from what their source builds."""
    stale = []
    for lang, name in all_notebooks():
        rel = built_path(lang, name)
        path = NOTEBOOKS / rel
        if not path.exists() or path.read_text(encoding="utf-8") != dumps(expected(name, lang)):
            stale.append(rel)
    return stale


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--golden", action="store_true")
    ap.add_argument("--only", default="", help="build only notebooks whose path contains this (e.g. fr/02)")
    args = ap.parse_args()
    stale = []
    for lang, name in all_notebooks():
        rel = built_path(lang, name)
        if args.only and args.only not in rel:
            continue
        path = NOTEBOOKS / rel
        nb = expected(name, lang)
        if args.golden:
            path.parent.mkdir(parents=True, exist_ok=True)  # the kernel starts in the notebook's folder
            nb = refresh_golden(nb, path)
        text = dumps(nb)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote notebooks/{rel}")
    readme = README.read_text(encoding="utf-8")
    new_readme = readme_with_links(readme_with_table(readme))
    if args.check and new_readme != readme:
        stale.append("README.md (notebook table or links)")
    elif not args.check and new_readme != readme:
        README.write_text(new_readme, encoding="utf-8")
        print("wrote the notebook table and links in README.md")
    readme_fr = README_FR.read_text(encoding="utf-8")
    new_fr = readme_with_table(readme_fr, ("fr",))
    if args.check and new_fr != readme_fr:
        stale.append("README.fr.md (notebook table)")
    elif not args.check and new_fr != readme_fr:
        README_FR.write_text(new_fr, encoding="utf-8")
        print("wrote the notebook table in README.fr.md")
    if stale:
        print("out of date (run python tools/build_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
