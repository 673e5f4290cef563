#!/usr/bin/env python3
"""The course's entry points, needing only Python 3.10+ and pip (on Windows: `py tasks.py ...`):

    python3 tasks.py lab     # set up .venv if needed, open JupyterLab on notebooks/
    python3 tasks.py test    # set up the test environments if needed, run every test, offline

Other commands: `test --env main|colab|ui|all` (default all; `ui` = the browser tests on both
stacks, skipped with a clear message when no Chromium is installed) with pytest arguments after
`--` (paths given there replace the default targets); `wheel` (build dist/course_utils-*.whl, the
file learners upload to Colab); `envs` (create or update every environment).
Environments are installed with uv (from PATH, or fetched once with pip into .tools/), else with
plain pip, and rebuilt only when pyproject.toml, a constraints file or the ENVS table changes.
"""
from __future__ import annotations

import argparse
import collections
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"
PYTEST_NO_TESTS = 5  # pytest's ExitCode.NO_TESTS_COLLECTED


@dataclass(frozen=True)
class Env:
    folder: str                      # relative to the checkout
    extras: tuple[str, ...]          # extras of pyproject.toml installed with the course
    constraints: str | None = None   # a pip constraints file, relative to the checkout
    about: str = ""
    optional: tuple[str, ...] = ()   # extras added from prebuilt wheels only; where none exists it is said, not fatal
    torch_extras: tuple[str, ...] = ()  # extras needing torch: added over a CPU wheel of torch only (cpu_torch_wheel)


# Packages of the optional extras taken as wheels or not at all: xllamacpp's source build compiles llama.cpp
# (cmake, a C++ compiler, ten minutes or more) and xllamacpp has no wheel for some platforms.
BINARY_ONLY = ("xllamacpp",)
OPTIONAL_MISSING = ".course-optional-missing"  # in an environment: the optional extras that did not install
# torch for the transformers path is taken as a CPU build only: PyPI's Linux torch pulls CUDA libraries of
# several GB. pip finds one in its own find-links (pip config, PIP_FIND_LINKS), else on PyTorch's CPU index.
PYTORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


# The one table of environments. `lab` is the learner's: only what the notebooks need.
ENVS = {
    "lab": Env(".venv", ("lab",), about="JupyterLab and what the notebooks need", optional=("run",)),
    "main": Env(".venv-test", ("lab", "test", "fast-tests", "gguf", "ui", "run"), about="tests on current releases"),
    "colab": Env(".venv-colab", ("lab", "test", "fast-tests", "ui"), "tests/colab-constraints.txt",
                 about="tests on Colab's frozen stack", torch_extras=("transformers",)),
}
TEST_ENVS = ("main", "colab")
PYTEST_NOTEBOOK_ARGS = ["--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with",
                        str(ROOT / "tests" / "nbval_sanitize.cfg")]
# pytest options whose value is the next argument (so that value is never taken for a path)
PYTEST_VALUE_OPTIONS = {"-k", "-m", "-p", "-o", "-c", "-W", "-r", "--deselect", "--ignore", "--ignore-glob",
                        "--rootdir", "--maxfail", "--tb", "--durations", "--confcutdir", "--basetemp"}


def say(msg: str) -> None:
    """One progress line; never fails on a console that cannot show every character."""
    enc = getattr(sys.stdout, "encoding", None) or "ascii"
    print(f"[tasks] {msg}".encode(enc, "replace").decode(enc), flush=True)


def windows() -> bool:
    return os.name == "nt"


def exe(name: str) -> str:
    return f"{name}.exe" if windows() else name


def scripts_dir(folder: Path) -> Path:
    """Where a virtual environment keeps its programs: Scripts\\ on Windows, bin/ elsewhere."""
    return folder / ("Scripts" if windows() else "bin")


def python_of(folder: Path) -> Path:
    return scripts_dir(folder) / exe("python")


def env_folder(name: str) -> Path:
    return ROOT / ENVS[name].folder


def stamp_of(env: Env) -> str:
    """Changes when anything that decides the environment's contents changes."""
    h = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    if env.constraints:
        h.update((ROOT / env.constraints).read_bytes())
    h.update(sys.version.encode())
    h.update(",".join(env.extras).encode())
    h.update(("+" + ",".join(env.optional)).encode() if env.optional else b"")
    h.update(("+torch:" + ",".join(env.torch_extras)).encode() if env.torch_extras else b"")
    h.update(b"bytecode compiled at install")  # environments made before that are rebuilt once
    return h.hexdigest()


def is_current(folder: Path, stamp: str) -> bool:
    stamp_file = folder / ".course-stamp"
    return python_of(folder).exists() and stamp_file.exists() and stamp_file.read_text() == stamp


# ---------------------------------------------------------------- installers

@dataclass(frozen=True)
class Installer:
    kind: str              # "uv" or "pip"
    uv: str | None = None  # the uv program when kind == "uv"
    source: str = ""       # where it came from, for the progress line


def bootstrapped_uv() -> Path | None:
    """uv fetched earlier into .tools/uv (pip --target puts programs in bin/ or Scripts\\)."""
    for sub in ("bin", "Scripts"):
        candidate = TOOLS / "uv" / sub / exe("uv")
        if candidate.exists():
            return candidate
    return None


def bootstrap_uv() -> Path | None:
    """Fetch uv (PyPI package `uv`) with pip into .tools/uv; None when that does not work."""
    say("uv is not on PATH: fetching it once with pip into .tools/uv")
    start = time.monotonic()
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--target", str(TOOLS / "uv"), "uv"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        say(f"could not fetch uv ({exc.__class__.__name__})")
        return None
    found = bootstrapped_uv()
    if proc.returncode != 0 or found is None:
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        say(f"could not fetch uv: {last[0]}")
        return None
    say(f"fetched uv in {time.monotonic() - start:.1f} s")
    return found


@functools.lru_cache(maxsize=None)
def find_installer() -> Installer:
    """uv from PATH, else uv from .tools/ (fetched with pip if needed), else plain pip.

    COURSE_INSTALLER=pip forces pip; COURSE_INSTALLER=bootstrap ignores a uv on PATH.
    """
    forced = os.environ.get("COURSE_INSTALLER", "").strip().lower()
    if forced == "pip":
        return Installer("pip", source="COURSE_INSTALLER=pip")
    on_path = shutil.which("uv")
    if on_path and forced != "bootstrap":
        return Installer("uv", on_path, "uv from PATH")
    local = bootstrapped_uv() or bootstrap_uv()
    if local:
        return Installer("uv", str(local), "uv from .tools/")
    say("installing with plain pip instead (slower; a minute or two the first time)")
    return Installer("pip", source="pip (no uv)")


SUMMARY = re.compile(r"^\s*(Resolved|Prepared|Installed|Uninstalled|Audited|Built|Successfully)\b")


def run_quietly(cmd: list[str], tail_on_failure: int = 40) -> None:
    """Run an installer, showing only its summary lines; its last ``tail_on_failure`` lines if it fails."""
    tail: collections.deque[str] = collections.deque(maxlen=40)
    proc = subprocess.Popen([str(c) for c in cmd], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, encoding="utf-8", errors="replace")
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip()
        tail.append(line)
        if SUMMARY.match(line):
            if line.startswith("Successfully installed"):  # pip: one long line naming every package
                line = f"installed {len(line.split()) - 2} packages"
            say(f"  {line.strip()}")
    if proc.wait() != 0:
        for line in list(tail)[-tail_on_failure:] if tail_on_failure else ():
            say(f"  | {line}")
        raise subprocess.CalledProcessError(proc.returncode, cmd)


def create_venv(folder: Path, inst: Installer) -> None:
    if folder.exists() and not python_of(folder).exists():
        shutil.rmtree(folder)  # a broken or half-made environment of ours
    if inst.kind == "uv":
        run_quietly([inst.uv, "venv", "--seed", "--quiet", "--python", sys.executable, folder])
        return
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    except (subprocess.CalledProcessError, OSError) as exc:
        raise SystemExit(f"[tasks] could not create {folder.name} ({exc}). On Debian/Ubuntu: "
                         "sudo apt-get install python3-venv (or install uv: pip install uv)") from None


def installer(inst: Installer, py: Path) -> list[str]:
    """The command that installs packages into the environment of ``py`` (the packages to add after it)."""
    if inst.kind == "uv":
        # --compile-bytecode: write .pyc files at install time as pip does by default, so a kernel (or a
        # shell with PYTHONDONTWRITEBYTECODE) does not recompile matplotlib, pandas... on every start
        return [inst.uv, "pip", "install", "--python", str(py), "--compile-bytecode"]
    return [str(py), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off"]


def install_cmd(inst: Installer, py: Path, env: Env, optional: bool = False, more: tuple[str, ...] = ()) -> list[str]:
    """The install command of an environment; ``optional``: with its optional extras, their BINARY_ONLY as wheels;
    ``more``: further extras (the ones needing torch)."""
    extras = env.extras + (env.optional if optional else ()) + more
    cmd = installer(inst, py) + ["-e", f".[{','.join(extras)}]" if extras else "."]
    if env.constraints:
        cmd += ["-c", str(ROOT / env.constraints)]
    if optional:
        for name in BINARY_ONLY:
            cmd += ["--only-binary", name]
    return cmd


def install_optional(inst: Installer, py: Path, env: Env) -> tuple[str, ...]:
    """Add the environment's optional extras (wheels only); the ones that could not be added, said in one line."""
    if not env.optional:
        return ()
    try:
        run_quietly(install_cmd(inst, py, env, optional=True), tail_on_failure=3)
    except subprocess.CalledProcessError:
        say(f"  could not add the optional extra {','.join(env.optional)} (no prebuilt wheel of llama.cpp's server "
            "for this machine?): the course works without it; exercises 4 and 6 then say how to time "
            "an OpenAI-compatible server such as Ollama instead")
        return env.optional
    return ()


def cpu_torch_wheel() -> Path | None:
    """A CPU-only wheel of torch for this Python, kept in .tools/torch-cpu: from pip's find-links (offline),
    else from PyTorch's CPU index; None when neither has one."""
    dest = TOOLS / "torch-cpu"
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    for where in (["--no-index"], ["--index-url", PYTORCH_CPU_INDEX, "--timeout", "20", "--retries", "0"]):
        cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--progress-bar", "off",
               "--no-deps", "--only-binary", ":all:", "--dest", str(dest), "torch", *where]
        subprocess.run(cmd, capture_output=True)
        found = sorted(dest.glob(f"torch-*+cpu-{tag}-*.whl"))
        if found:
            return found[-1]
    return None


def install_torch_extras(inst: Installer, py: Path, env: Env) -> tuple[str, ...]:
    """Add the extras needing torch over a CPU wheel of torch; the ones that could not be added, said in one line."""
    if not env.torch_extras:
        return ()
    names = ",".join(env.torch_extras)
    wheel = cpu_torch_wheel()
    if wheel is None:
        say(f"  could not add the extra {names}: no CPU build of torch for this machine in pip's find-links or at "
            f"{PYTORCH_CPU_INDEX}; the tests of the transformers path are skipped here")
        return env.torch_extras
    try:
        run_quietly(installer(inst, py) + [str(wheel)], tail_on_failure=3)
        run_quietly(install_cmd(inst, py, env, more=env.torch_extras), tail_on_failure=3)
    except subprocess.CalledProcessError:
        say(f"  could not add the extra {names} over {wheel.name} (the lines above say why); "
            "the tests of the transformers path are skipped here")
        return env.torch_extras
    say(f"  added {','.join(env.torch_extras)} over {wheel.name}")
    return ()


def ensure_env(name: str) -> Path:
    """Create or update one environment of ENVS; returns its python."""
    env = ENVS[name]
    folder = ROOT / env.folder
    stamp = stamp_of(env)
    py = python_of(folder)
    if is_current(folder, stamp):
        return py
    inst = find_installer()
    start = time.monotonic()
    what = f"course-utils[{','.join(env.extras)}]" + (f" pinned by {env.constraints}" if env.constraints else "")
    say(f"setting up {env.folder} ({name}: {env.about}) with {inst.source}: {what}")
    try:
        if not py.exists():
            create_venv(folder, inst)
        run_quietly(install_cmd(inst, py, env))
    except subprocess.CalledProcessError:
        if inst.kind != "uv":
            raise
        say("uv could not do it; trying plain pip")
        inst = Installer("pip", source="pip")
        if not py.exists() or subprocess.run([str(py), "-m", "pip", "--version"], capture_output=True).returncode:
            create_venv(folder, inst)
        run_quietly(install_cmd(inst, py, env))
    missing = install_optional(inst, py, env) + install_torch_extras(inst, py, env)
    (folder / OPTIONAL_MISSING).write_text(",".join(missing))
    (folder / ".course-stamp").write_text(stamp)
    say(f"{env.folder} ready in {time.monotonic() - start:.1f} s")
    return py


# ---------------------------------------------------------------- tests

def test_env(pycache: Path | None = None) -> dict[str, str]:
    """Offline, with a throw-away HF_HOME and answers folder: tests never touch the network.

    Byte code goes to `pycache` (inside the environment), not into the checkout: uv installs
    without compiling, so this keeps later runs (and every notebook kernel) from recompiling.
    """
    tmp = Path(tempfile.mkdtemp(prefix="course-test-"))
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HOME=str(tmp / "hf"),
               COURSE_UTILS_ANSWERS_DIR=str(tmp / "answers"), MPLBACKEND="Agg",
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("HF_ENDPOINT", None)
    return env


def split_paths(args: list[str]) -> tuple[list[str], list[str]]:
    """(paths, other pytest arguments): a path is an existing file or folder, not an option's value."""
    paths, others, prev = [], [], ""
    for a in args:
        if not a.startswith("-") and prev not in PYTEST_VALUE_OPTIONS and (ROOT / a.split("::")[0]).exists():
            paths.append(a)
        else:
            others.append(a)
        prev = a
    return paths, others


def is_ui_path(path: str) -> bool:
    parts = Path(path.split("::")[0]).parts
    return tuple(parts[:2]) == ("tests", "ui")


@dataclass(frozen=True)
class Run:
    env: str
    label: str
    args: tuple[str, ...]
    ui: bool = False


def plan(choice: str, pytest_args: list[str]) -> list[Run]:
    """Which pytest runs `test --env choice -- pytest_args` makes (paths replace the default targets)."""
    paths, others = split_paths(pytest_args)
    unit_paths = [p for p in paths if not is_ui_path(p)]
    ui_paths = [p for p in paths if is_ui_path(p)]
    runs = []
    for name in TEST_ENVS:
        if choice in ("all", name) and (unit_paths or not paths):
            targets = unit_paths or ["tests", "notebooks", "--ignore=tests/ui"]
            runs.append(Run(name, f"{name} environment", (*targets, *PYTEST_NOTEBOOK_ARGS, *others)))
    if choice in ("all", "ui") and (ui_paths or not paths):
        for name in TEST_ENVS:
            runs.append(Run(name, f"browser tests, {name} stack", (*(ui_paths or ["tests/ui"]), *others), ui=True))
    return runs


def run_pytest(py: Path, run: Run) -> int:
    cmd = [str(py), "-m", "pytest", *run.args, "-q"]
    say(f"{run.label}: {' '.join(cmd[1:])}")
    env = dict(test_env(env_folder(run.env) / ".pycache"), COURSE_TEST_ENV=run.env)
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def run_side_by_side(runs: list[tuple[Path, Run]]) -> dict[str, int]:
    """Several pytest runs at once (the environments' unit suites, then their browser suites: much of
    their time is spent waiting on kernels, servers, pages and timeouts). Each run's output is kept in
    a log and printed whole when it ends, so the runs' lines never interleave. COURSE_TEST_SERIAL=1
    runs them one after the other instead."""
    if len(runs) < 2 or os.environ.get("COURSE_TEST_SERIAL", "").strip() in ("1", "true", "yes"):
        return {run.label: run_pytest(py, run) for py, run in runs}
    logs = Path(tempfile.mkdtemp(prefix="course-test-logs-"))
    started = []
    for i, (py, run) in enumerate(runs):
        cmd = [str(py), "-m", "pytest", *run.args, "-q"]
        say(f"{run.label} (side by side, output when it ends): {' '.join(cmd[1:])}")
        env = dict(test_env(env_folder(run.env) / ".pycache"), COURSE_TEST_ENV=run.env)
        log = open(logs / f"{i}.log", "w+", encoding="utf-8", errors="replace")
        began = time.monotonic()
        started.append((run, log, began, subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)))
    results = {}
    for run, log, began, proc in started:
        rc = proc.wait()
        log.seek(0)
        say(f"--- {run.label}: exit {rc} after {time.monotonic() - began:.0f} s ---")
        sys.stdout.write(log.read())
        sys.stdout.flush()
        log.close()
        results[run.label] = rc
    return results


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def summarize(results: dict[str, int]) -> int:
    """FAILED only for real failures; pytest's "no tests collected" (exit 5) is said as such."""
    failed = [label for label, rc in results.items() if rc not in (0, PYTEST_NO_TESTS)]
    empty = [label for label, rc in results.items() if rc == PYTEST_NO_TESTS]
    if empty:
        say(f"no tests collected in: {', '.join(empty)} (check the -k expression or the paths)")
    if failed:
        say(f"FAILED in: {', '.join(failed)}")
        return 1
    if not results or len(empty) == len(results):
        return PYTEST_NO_TESTS
    say("all test runs passed")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    runs = plan(args.env, args.pytest_args)
    if any(r.ui for r in runs) and not chromium():
        say("SKIPPED the browser tests (tests/ui): no Chromium found. "
            "On Debian/Ubuntu: sudo apt-get install chromium")
        runs = [r for r in runs if not r.ui]
    results = {}
    if args.env == "all" and not args.pytest_args:
        results["learner environment"] = check_learner_env()
    unit = [(ensure_env(r.env), r) for r in runs if not r.ui]
    results.update(run_side_by_side(unit))
    ui = [(ensure_env(r.env), r) for r in runs if r.ui]
    results.update(run_side_by_side(ui))
    return summarize(results)


def check_learner_env() -> int:
    """The whole run also builds the learner's .venv (what `tasks.py lab` opens) and checks that the
    course works there without the test tools: `course-utils info`, offline; and that llama.cpp's server
    loads there unless its optional extra could not be installed on this machine (then it says so)."""
    ensure_env("lab")
    folder = env_folder("lab")
    cmd = [str(scripts_dir(folder) / exe("course-utils")), "info", "--json"]
    say(f"learner environment: {' '.join(cmd)}")
    env = dict(test_env(folder / ".pycache"), COURSE_TEST_ENV="lab")
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout + done.stderr, flush=True)
        return done.returncode
    return check_engine_in(folder, done.stdout)


def check_engine_in(folder: Path, info_json: str) -> int:
    """0 when the environment's engine is as its install left it: loading, or said missing (OPTIONAL_MISSING)."""
    import json

    try:
        info = json.loads(info_json)
    except ValueError:
        print(info_json, flush=True)
        say("learner environment: `course-utils info --json` did not print JSON")
        return 1
    missing_file = folder / OPTIONAL_MISSING
    missing = missing_file.read_text().split(",") if missing_file.exists() else []
    if info.get("engine_ready") or "run" in missing:
        say(f"learner environment: {info.get('engine_status', '')}")
        return 0
    say(f"learner environment: the run extra was installed but the engine does not load: {info.get('engine_status')}")
    return 1


# ---------------------------------------------------------------- lab, wheel, envs

def cmd_lab(args: argparse.Namespace) -> int:
    ensure_env("lab")
    cmd = [str(scripts_dir(env_folder("lab")) / exe("jupyter-lab")), str(ROOT / "notebooks"), *args.lab_args]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in cmd:
        cmd.append("--allow-root")  # JupyterLab refuses to start as root without it
    say("starting JupyterLab on notebooks/ (Ctrl+C to stop)")
    return subprocess.call(cmd, cwd=ROOT / "notebooks")


def project_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1)


def cmd_wheel(_args: argparse.Namespace) -> int:
    """Build the wheel an instructor hands out for Colab (before the course is published)."""
    out = ROOT / "dist"
    inst = find_installer()
    start = time.monotonic()
    say(f"building the course wheel into dist/ with {inst.source}")
    if inst.kind == "uv":
        cmd = [inst.uv, "build", "--wheel", "--out-dir", str(out), str(ROOT)]
    else:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
               "--wheel-dir", str(out), str(ROOT)]
    run_quietly(cmd)
    wheel = max(out.glob(f"course_utils-{project_version()}-*.whl"), key=lambda p: p.stat().st_mtime)
    say(f"built {wheel.relative_to(ROOT)} in {time.monotonic() - start:.1f} s")
    say("In Colab: drag this file into the Files panel (folder icon, left), then Run all: "
        "the first cell installs it.")
    return 0


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
    sub.add_parser("wheel", help="build dist/course_utils-*.whl (for Colab uploads)")
    sub.add_parser("envs", help="create or update every environment")
    args, extra = parser.parse_known_args(argv)
    if args.cmd == "lab":
        args.lab_args = extra[1:] if extra[:1] == ["--"] else extra  # `lab -- --port 8899` as `test -- ...` takes it
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(args, "pytest_args", None) and args.pytest_args[0] == "--":
        args.pytest_args = args.pytest_args[1:]
    commands = {"lab": cmd_lab, "test": cmd_test, "wheel": cmd_wheel, "envs": cmd_envs}
    try:
        return commands[args.cmd](args)
    except subprocess.CalledProcessError as exc:
        say(f"a command failed ({exc.returncode}): {' '.join(map(str, exc.cmd))}")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
