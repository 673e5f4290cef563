"""The notebooks' first code cell, run as Colab runs it: in a real kernel (nbclient) that has a
stand-in `google.colab` module imported at start-up, with no network, in an environment where the
course is not installed yet.

The kernel's environment is a fresh virtual environment that sees this test environment's
packages through a path file, but not the editable course install (path files inside that folder
are not processed), so `course_utils` is missing until the cell installs it. The stand-in module
is a fake only because Colab itself cannot run here; the cell only checks that it is imported.
Offline is real: pip has no config and an index on a closed local port, and git's github.com
address is rewritten to that port, so every download is refused at once.
"""
from __future__ import annotations

import json
import os
import shutil
import site
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks as bn  # noqa: E402
from wheels import build_course_wheel  # noqa: E402

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def colab_kernel(tmp_path, monkeypatch):
    """A kernel spec for a Colab-like kernel; returns the folder the kernel starts in."""
    env_dir = tmp_path / "colab-env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    inner = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    (Path(inner) / "course_test_packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    standin = tmp_path / "standin" / "google" / "colab"
    standin.mkdir(parents=True)
    (standin.parent / "__init__.py").write_text("")
    (standin / "__init__.py").write_text('"""Stand-in for Colab\'s own module (Colab cannot run here)."""\n')
    kernels = tmp_path / "jupyter" / "kernels" / "colab-standin"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.exec_lines=import google.colab"],
        "display_name": "Colab stand-in", "language": "python"}))
    plain = tmp_path / "jupyter" / "kernels" / "no-course"  # a Jupyter without the course, not Colab
    plain.mkdir(parents=True)
    (plain / "kernel.json").write_text(json.dumps({
        "argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "No course", "language": "python"}))
    port = _closed_port()
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "standin"))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{port}/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.http://127.0.0.1:{port}/.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "https://github.com/")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("COURSE_UTILS_ANSWERS_DIR", str(tmp_path / "answers"))
    content = tmp_path / "content"
    content.mkdir()
    return content


def _run(cells: list[str], cwd: Path, kernel: str = "colab-standin"):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(nb, kernel_name=kernel, timeout=120,
                                     resources={"metadata": {"path": str(cwd)}})
    error = None
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        error = exc
    return nb, error


def test_offline_without_upload_stops_run_all_with_one_message(colab_kernel):
    start = time.monotonic()
    nb, error = _run([bn.setup_source(), "print('a later cell ran')"], colab_kernel)
    assert error is not None, "Run all must stop at the setup cell"
    assert time.monotonic() - start < 60, "offline, the install must fail fast"
    (out,) = nb.cells[0].outputs
    assert out["output_type"] == "error" and out["ename"] == "CourseSetupError"
    assert len(out["traceback"]) == 1, "one short message, no traceback"
    message = out["traceback"][0]
    assert bn.release_tag() in message and bn.repo_url() in message
    assert "course_utils-0.1.0-py3-none-any.whl" in message and "Files panel" in message
    assert nb.cells[1].outputs == [], "the cells after it did not run"


def test_outside_colab_a_missing_course_is_one_message_too(colab_kernel):
    nb, error = _run([bn.setup_source()], colab_kernel, kernel="no-course")
    assert error is not None
    (out,) = nb.cells[0].outputs
    assert out["ename"] == "CourseSetupError" and len(out["traceback"]) == 1
    assert "tasks.py lab" in out["traceback"][0] and "JupyterHub" in out["traceback"][0]


def test_the_stand_in_kernel_lacks_the_course_and_looks_like_colab(colab_kernel):
    probe = ("import importlib.util, sys\n"
             "print('google.colab' in sys.modules, importlib.util.find_spec('course_utils') is None)")
    nb, error = _run([probe], colab_kernel)
    assert error is None
    assert nb.cells[0].outputs[0]["text"].strip() == "True True"


@pytest.mark.slow
def test_an_uploaded_wheel_is_installed_and_the_notebook_runs(colab_kernel, tmp_path):
    wheel = build_course_wheel(tmp_path)
    shutil.copy(wheel, colab_kernel / wheel.name)  # what the learner drags into Colab's Files panel
    source = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in source["cells"] if c["cell_type"] == "code"]
    assert cells[0] == bn.setup_source()
    probe = "import course_utils\nprint(course_utils.__file__)"
    nb, error = _run(cells + [probe], colab_kernel)
    assert error is None, str(error)[:2000]
    where = nb.cells[-1].outputs[0]["text"]
    assert str(tmp_path / "colab-env") in where and str(ROOT) not in where, "installed from the wheel"
    html = "".join(o.get("data", {}).get("text/html", "") for o in nb.cells[0].outputs)
    assert "Google Colab" in html, "course_utils.setup() saw the (stand-in) Colab"
    # run again, as a learner re-running the cell: already installed, so nothing is fetched
    nb, error = _run(cells[:1], colab_kernel)
    assert error is None


def test_the_cell_installs_exactly_what_colab_lacks(monkeypatch):
    """--no-deps for the course; other runtime dependencies only when Colab does not ship them."""
    src = bn.setup_source()
    install_lines = [line for line in src.splitlines() if "'install'" in line or '"install"' in line]
    assert all("ipywidgets" not in line for line in install_lines)
    assert '"--no-deps", source' in src and f"@{bn.release_tag()}" in src and "@main" not in src
    assert bn.colab_missing() == [d for d in bn.runtime_dependencies()
                                  if bn._dist_name(d) not in bn.COLAB_PREINSTALLED]
    monkeypatch.setattr(bn, "runtime_dependencies", lambda: ["pandas>=2.0", "tiny_new-dep>=1"])
    src = bn.setup_source()
    assert "'--quiet', 'tiny_new-dep>=1'])" in src and "'pandas" not in src
