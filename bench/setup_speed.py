"""Setup speed on fresh clones: the README's test command against plain venv + pip, and the time
from `tasks.py lab` to JupyterLab answering on its port.

    python3 bench/setup_speed.py [--test-file tests/test_settings.py] [--cold] [--bootstrap]

Each run uses a fresh `git clone` of this checkout's HEAD (commit first) in a temporary folder:
1. `python3 tasks.py test -- FILE` (builds .venv-test and .venv-colab, runs FILE in both);
2. `python3 -m venv` + `pip install -e .[test]` + `python -m pytest FILE` (one environment);
3. `python3 tasks.py lab` until JupyterLab answers HTTP on its port.
Prints the seconds and the ratio 1/2 (goal <= 0.35). --cold gives uv and pip empty caches (it
downloads everything); --bootstrap adds run 1 with uv fetched by pip into .tools/ (uv ignored on
PATH). Needs the package index; not a test.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB_DEADLINE_S = 900


def clone(where: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(where)], check=True)
    return where


def timed(cmd: list[str], cwd: Path, env: dict[str, str], log: Path) -> tuple[float, int]:
    start = time.monotonic()
    with log.open("a") as out:
        rc = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    return time.monotonic() - start, rc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # 403 without a token is still JupyterLab answering
    except OSError:
        return False


def lab_start(repo: Path, env: dict[str, str], log: Path) -> float:
    port = free_port()
    env = dict(env, JUPYTER_RUNTIME_DIR=str(repo / ".bench-runtime"), JUPYTER_CONFIG_DIR=str(repo / ".bench-config"))
    cmd = [sys.executable, "tasks.py", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1"]
    start = time.monotonic()
    with log.open("a") as out:
        proc = subprocess.Popen(cmd, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while not answers(f"http://127.0.0.1:{port}/api/status"):
                if proc.poll() is not None or time.monotonic() - start > LAB_DEADLINE_S:
                    raise SystemExit(f"JupyterLab did not start; see {log}")
                time.sleep(0.25)
            return time.monotonic() - start
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--test-file", default="tests/test_settings.py")
    ap.add_argument("--cold", action="store_true", help="empty uv and pip caches")
    ap.add_argument("--bootstrap", action="store_true", help="also time uv fetched by pip into .tools/")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="course-setup-bench-"))
    log = work / "bench.log"
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    if args.cold:
        env.update(UV_CACHE_DIR=str(work / "uv-cache"), PIP_CACHE_DIR=str(work / "pip-cache"))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, caches: {'empty' if args.cold else 'as they are'}; "
          f"log: {log}", flush=True)

    rows = []
    repo = clone(work / "tasks")
    t_tasks, rc = timed([sys.executable, "tasks.py", "test", "--", args.test_file], repo, env, log)
    rows.append((f"tasks.py test -- {args.test_file} (2 envs, run in both)", t_tasks, rc))
    print(f"  {rows[-1][0]}: {t_tasks:.1f} s (exit {rc})", flush=True)

    if args.bootstrap:
        repo_b = clone(work / "tasks-bootstrap")
        t_b, rc_b = timed([sys.executable, "tasks.py", "test", "--", args.test_file], repo_b,
                          dict(env, COURSE_INSTALLER="bootstrap"), log)
        rows.append(("  the same with uv fetched by pip into .tools/", t_b, rc_b))
        print(f"  {rows[-1][0].strip()}: {t_b:.1f} s (exit {rc_b})", flush=True)

    repo_pip = clone(work / "pip")
    venv_dir = repo_pip / "venv"
    py = venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    t_venv, rc1 = timed([sys.executable, "-m", "venv", str(venv_dir)], repo_pip, env, log)
    t_pip, rc2 = timed([str(py), "-m", "pip", "install", "--disable-pip-version-check", "-e", ".[test]"],
                       repo_pip, env, log)
    test_env = dict(env, HF_HUB_OFFLINE="1", HF_HOME=str(work / "hf"), MPLBACKEND="Agg")
    t_run, rc3 = timed([str(py), "-m", "pytest", "-q", args.test_file], repo_pip, test_env, log)
    t_plain = t_venv + t_pip + t_run
    rows.append((f"python3 -m venv + pip install -e .[test] + pytest (1 env): "
                 f"{t_venv:.1f} + {t_pip:.1f} + {t_run:.1f}", t_plain, rc1 or rc2 or rc3))
    print(f"  {rows[-1][0]}: {t_plain:.1f} s", flush=True)

    t_lab = lab_start(clone(work / "lab"), env, log)
    print(f"  tasks.py lab on a fresh clone until JupyterLab answers: {t_lab:.1f} s", flush=True)

    print("\nresult")
    for label, seconds, rc in rows:
        print(f"  {seconds:7.1f} s  {label}" + ("" if rc == 0 else f"  [exit {rc}]"))
    print(f"  {t_lab:7.1f} s  tasks.py lab until JupyterLab answers on its port")
    ratio = t_tasks / t_plain
    print(f"  ratio tasks.py test / plain pip = {ratio:.2f} (goal <= 0.35: {'met' if ratio <= 0.35 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
