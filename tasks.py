#!/usr/bin/env python3
"""The course's two entry points, needing only Python 3.10+ and pip:

    python3 tasks.py lab     # install into .venv if needed, open JupyterLab on notebooks/
    python3 tasks.py test    # install if needed, run every test (main and Colab-pinned environments)

Other commands: `test --env main|colab|ui|all` (default all; `ui` = the browser tests on both stacks,
skipped with a clear message when no Chromium is installed) and extra pytest arguments after `--`,
`envs` (create or update both virtual environments without running anything).
Environments are rebuilt only when pyproject.toml or a constraints file changes.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
BIN = "Scripts" if os.name == "nt" else "bin"
ENVS = {
    # name: (folder, pip requirement args, constraints file or None)
    "main": (ROOT / ".venv", [".[test,gguf,ui,run]"], None),
    "colab": (ROOT / ".venv-colab", [".[test,ui]"], ROOT / "tests" / "colab-constraints.txt"),
}
PYTEST_NOTEBOOK_ARGS = ["--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with",
                        str(ROOT / "tests" / "nbval_sanitize.cfg")]


def say(msg: str) -> None:
    print(f"[tasks] {msg}", flush=True)


def python_of(folder: Path) -> Path:
    return folder / BIN / ("python.exe" if os.name == "nt" else "python")


def stamp_of(constraints: Path | None) -> str:
    h = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    if constraints:
        h.update(constraints.read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


def ensure_env(name: str) -> Path:
    """Create or update a virtual environment; returns its python."""
    folder, reqs, constraints = ENVS[name]
    py = python_of(folder)
    stamp_file = folder / ".course-stamp"
    stamp = stamp_of(constraints)
    if py.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return py
    if not py.exists():
        say(f"creating {folder.name} ({name} environment)")
        venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    say(f"installing the course into {folder.name} (a minute or two the first time)")
    cmd = [str(py), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "-e", *reqs]
    if constraints:
        cmd += ["-c", str(constraints)]
    subprocess.run(cmd, cwd=ROOT, check=True)
    stamp_file.write_text(stamp)
    return py


def test_env() -> dict[str, str]:
    """Offline, with a throw-away HF_HOME and answers folder: tests never touch the network."""
    tmp = Path(tempfile.mkdtemp(prefix="course-test-"))
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HOME=str(tmp / "hf"),
               COURSE_UTILS_ANSWERS_DIR=str(tmp / "answers"), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1",
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("HF_ENDPOINT", None)
    return env


def run_pytest(py: Path, label: str, extra: list[str], ui: bool = False, env_name: str = "main") -> int:
    if ui:
        targets = ["tests/ui"]
        args = []
    else:
        targets = ["tests", "notebooks"]
        args = PYTEST_NOTEBOOK_ARGS + ["--ignore=tests/ui"]
    cmd = [str(py), "-m", "pytest", *targets, *args, "-q", *extra]
    say(f"{label}: {' '.join(cmd[1:])}")
    return subprocess.run(cmd, cwd=ROOT, env=dict(test_env(), COURSE_TEST_ENV=env_name)).returncode


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def cmd_test(args: argparse.Namespace) -> int:
    wanted = ["main", "colab", "ui"] if args.env == "all" else [args.env]
    failures = []
    for name in wanted:
        if name == "ui":
            if not chromium():
                say("SKIPPED the browser tests (tests/ui): no Chromium found. "
                    "On Debian/Ubuntu: sudo apt-get install chromium")
                continue
            for env_name in ("main", "colab"):
                rc = run_pytest(ensure_env(env_name), f"browser tests, {env_name} stack", args.pytest_args,
                                ui=True, env_name=env_name)
                if rc != 0:
                    failures.append(f"ui-{env_name}")
            continue
        rc = run_pytest(ensure_env(name), f"{name} environment", args.pytest_args, env_name=name)
        if rc != 0:
            failures.append(name)
    if failures:
        say(f"FAILED in: {', '.join(failures)}")
        return 1
    say("all test runs passed")
    return 0


def cmd_lab(args: argparse.Namespace) -> int:
    py = ensure_env("main")
    jupyter = py.parent / ("jupyter-lab.exe" if os.name == "nt" else "jupyter-lab")
    cmd = [str(jupyter), str(ROOT / "notebooks"), *args.lab_args]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in cmd:
        cmd.append("--allow-root")  # JupyterLab refuses to start as root without it
    say("starting JupyterLab on notebooks/ (Ctrl+C to stop)")
    return subprocess.call(cmd, cwd=ROOT / "notebooks")


def cmd_envs(_args: argparse.Namespace) -> int:
    for name in ENVS:
        say(f"{name}: {ensure_env(name)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    if sys.version_info < (3, 10):
        print("This course needs Python 3.10 or newer.", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("lab", help="open JupyterLab on notebooks/ (extra arguments go to JupyterLab)")
    p = sub.add_parser("test", help="run the whole test suite")
    p.add_argument("--env", choices=["main", "colab", "ui", "all"], default="all")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments after --")
    sub.add_parser("envs", help="create or update the virtual environments")
    args, extra = parser.parse_known_args(argv)
    if args.cmd == "lab":
        args.lab_args = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(args, "pytest_args", None) and args.pytest_args[0] == "--":
        args.pytest_args = args.pytest_args[1:]
    try:
        return {"lab": cmd_lab, "test": cmd_test, "envs": cmd_envs}[args.cmd](args)
    except subprocess.CalledProcessError as exc:
        say(f"a command failed ({exc.returncode}): {' '.join(map(str, exc.cmd))}")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
