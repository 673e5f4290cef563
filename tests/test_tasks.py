"""tasks.py: the environments table, the installer choice, Windows paths, test selection and
pytest's "no tests collected"."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import tasks  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_installer_choice():
    tasks.find_installer.cache_clear()
    yield
    tasks.find_installer.cache_clear()


def _extras() -> dict[str, list[str]]:
    tomllib = pytest.importorskip("tomllib")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


def test_every_extra_in_the_table_exists_and_the_learner_env_has_no_test_tools():
    extras = _extras()
    for name, env in tasks.ENVS.items():
        assert set(env.extras) <= set(extras), f"{name}: unknown extra"
        if env.constraints:
            assert (ROOT / env.constraints).exists()
    assert tasks.ENVS["lab"].folder == ".venv", "the README's .venv/bin/course-utils lives here"
    assert tasks.ENVS["lab"].extras == ("lab",)
    for name in tasks.TEST_ENVS:
        assert "test" in tasks.ENVS[name].extras and tasks.ENVS[name].folder != ".venv"
    assert len({env.folder for env in tasks.ENVS.values()}) == len(tasks.ENVS)


def test_windows_paths_use_scripts(monkeypatch):
    folder = ROOT / ".venv"
    monkeypatch.setattr(tasks.os, "name", "nt")
    py, lab, scripts = tasks.python_of(folder), tasks.exe("jupyter-lab"), tasks.scripts_dir(folder)
    monkeypatch.undo()
    assert py == folder / "Scripts" / "python.exe" and lab == "jupyter-lab.exe" and scripts.name == "Scripts"
    assert tasks.python_of(folder) == folder / "bin" / "python"


def test_a_bootstrapped_uv_is_found_in_bin_or_scripts(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "TOOLS", tmp_path)
    assert tasks.bootstrapped_uv() is None
    (tmp_path / "uv" / "Scripts").mkdir(parents=True)
    (tmp_path / "uv" / "Scripts" / "uv.exe").write_text("")
    monkeypatch.setattr(tasks.os, "name", "nt")
    found = tasks.bootstrapped_uv()
    monkeypatch.undo()
    assert found == tmp_path / "uv" / "Scripts" / "uv.exe"


def test_uv_on_path_is_used(monkeypatch):
    monkeypatch.delenv("COURSE_INSTALLER", raising=False)
    monkeypatch.setattr(tasks.shutil, "which", lambda name: "/opt/bin/uv" if name == "uv" else None)
    inst = tasks.find_installer()
    assert (inst.kind, inst.uv) == ("uv", "/opt/bin/uv")


def test_without_uv_and_without_network_it_falls_back_to_pip(tmp_path, monkeypatch, capsys):
    """A real `pip install --target .tools/uv uv` that cannot reach any index (closed local port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(tasks, "TOOLS", tmp_path / ".tools")
    monkeypatch.setattr(tasks.shutil, "which", lambda name: None)
    monkeypatch.delenv("COURSE_INSTALLER", raising=False)
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{port}/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    inst = tasks.find_installer()
    assert inst.kind == "pip"
    out = capsys.readouterr().out
    assert "fetching it once with pip into .tools/uv" in out and "could not fetch uv" in out
    assert "installing with plain pip instead" in out


def test_pip_can_be_forced(monkeypatch):
    monkeypatch.setenv("COURSE_INSTALLER", "pip")
    assert tasks.find_installer().kind == "pip"


def test_install_commands_name_the_extras_and_constraints():
    env = tasks.ENVS["colab"]
    uv = tasks.install_cmd(tasks.Installer("uv", "uv"), Path("py"), env)
    assert uv[:4] == ["uv", "pip", "install", "--python"] and ".[lab,test,fast-tests,ui]" in uv
    assert "--compile-bytecode" in uv  # as pip does by default: kernels start without recompiling
    assert uv[-2:] == ["-c", str(ROOT / env.constraints)]
    pip = tasks.install_cmd(tasks.Installer("pip"), Path("py"), tasks.ENVS["lab"])
    assert pip[:4] == ["py", "-m", "pip", "install"] and pip[-1] == ".[lab]"


def test_the_learners_env_adds_llama_cpp_from_wheels_only():
    """Exercises 4 and 6 run a real model: `tasks.py lab` adds the `run` extra, never building llama.cpp."""
    lab = tasks.ENVS["lab"]
    assert lab.optional == ("run",) and set(lab.optional) <= set(_extras())
    run_packages = {re.split(r"[<>=!~ \[;]", req)[0] for name in lab.optional for req in _extras()[name]}
    assert set(tasks.BINARY_ONLY) <= run_packages
    for inst in (tasks.Installer("uv", "uv"), tasks.Installer("pip")):
        plain, full = (tasks.install_cmd(inst, Path("py"), lab, optional=o) for o in (False, True))
        assert ".[lab]" in plain and "--only-binary" not in plain
        assert ".[lab,run]" in full and full[-2:] == ["--only-binary", "xllamacpp"]
    assert tasks.stamp_of(lab) != tasks.stamp_of(tasks.Env(".venv", ("lab",)))


def _throwaway(tmp_path, monkeypatch, env):
    """``env`` as ENVS["x"] in a copy of the checkout at tmp_path, with an empty python and uv as installer."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setitem(tasks.ENVS, "x", env)
    py = tasks.python_of(tmp_path / env.folder)
    py.parent.mkdir(parents=True)
    py.write_text("")
    monkeypatch.setattr(tasks, "find_installer", lambda: tasks.Installer("uv", "uv"))
    return py


def _fake_env(tmp_path, monkeypatch, fail_optional: bool):
    """ensure_env on a throw-away Env whose installs are recorded, not run. Faked: xllamacpp has a wheel for
    this machine, so "no wheel here" cannot happen for real; the installer's failure is made up."""
    env = tasks.Env(".venv-x", ("lab",), optional=("run",))
    py = _throwaway(tmp_path, monkeypatch, env)
    calls = []

    def run(cmd, tail_on_failure=40):
        calls.append(cmd)
        if fail_optional and "--only-binary" in cmd:
            raise subprocess.CalledProcessError(1, cmd)

    monkeypatch.setattr(tasks, "run_quietly", run)
    return env, py, calls


def test_without_a_wheel_for_the_engine_the_lab_still_opens_and_says_why(tmp_path, monkeypatch, capsys):
    env, py, calls = _fake_env(tmp_path, monkeypatch, fail_optional=True)
    assert tasks.ensure_env("x") == py
    assert len(calls) == 2 and ".[lab]" in calls[0] and ".[lab,run]" in calls[1]
    out = capsys.readouterr().out
    assert "could not add the optional extra run" in out and "Ollama" in out and ".venv-x ready" in out
    folder = tmp_path / ".venv-x"
    assert tasks.is_current(folder, tasks.stamp_of(env))  # not retried on every `tasks.py lab`
    assert (folder / tasks.OPTIONAL_MISSING).read_text() == "run"
    not_ready = json.dumps({"engine_ready": False, "engine_status": "llama.cpp's server is not installed"})
    assert tasks.check_engine_in(folder, not_ready) == 0  # said at install, so the learner env check passes


def test_the_learner_env_check_fails_when_an_installed_engine_does_not_load(tmp_path, monkeypatch, capsys):
    env, py, calls = _fake_env(tmp_path, monkeypatch, fail_optional=False)
    tasks.ensure_env("x")
    folder = tmp_path / ".venv-x"
    assert (folder / tasks.OPTIONAL_MISSING).read_text() == ""
    ready = json.dumps({"engine_ready": True, "engine_status": "llama.cpp is ready (xllamacpp 1)"})
    assert tasks.check_engine_in(folder, ready) == 0
    broken = json.dumps({"engine_ready": False, "engine_status": "xllamacpp is installed but does not load"})
    assert tasks.check_engine_in(folder, broken) == 1
    assert "does not load" in capsys.readouterr().out
    assert tasks.check_engine_in(folder, "Traceback (most recent call last)") == 1


def _torch_env(tmp_path, monkeypatch, wheel):
    """ensure_env on a throw-away Env with an extra needing torch; installs recorded, not run. Faked: whether
    a CPU wheel of torch can be had (finding none offline, or downloading one online, is not for a test)."""
    env = tasks.Env(".venv-x", ("lab",), torch_extras=("transformers",))
    py = _throwaway(tmp_path, monkeypatch, env)
    monkeypatch.setattr(tasks, "cpu_torch_wheel", lambda: wheel)
    calls = []
    monkeypatch.setattr(tasks, "run_quietly", lambda cmd, tail_on_failure=40: calls.append(cmd))
    return env, py, calls


def test_the_transformers_extra_goes_over_a_cpu_wheel_of_torch(tmp_path, monkeypatch, capsys):
    wheel = tmp_path / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"
    env, py, calls = _torch_env(tmp_path, monkeypatch, wheel)
    assert tasks.ensure_env("x") == py
    assert len(calls) == 3 and ".[lab]" in calls[0]
    assert calls[1][-1] == str(wheel) and ".[lab,transformers]" in calls[2]  # torch first: never PyPI's CUDA build
    assert "added transformers over torch-2.13.0+cpu" in capsys.readouterr().out
    assert (tmp_path / ".venv-x" / tasks.OPTIONAL_MISSING).read_text() == ""


def test_without_a_cpu_wheel_of_torch_the_environment_is_ready_and_says_why(tmp_path, monkeypatch, capsys):
    env, py, calls = _torch_env(tmp_path, monkeypatch, None)
    assert tasks.ensure_env("x") == py
    assert len(calls) == 1 and not any("transformers" in " ".join(c) for c in calls)
    out = capsys.readouterr().out
    assert "could not add the extra transformers" in out and "skipped" in out and ".venv-x ready" in out
    folder = tmp_path / ".venv-x"
    assert tasks.is_current(folder, tasks.stamp_of(env))
    assert (folder / tasks.OPTIONAL_MISSING).read_text() == "transformers"
    assert tasks.stamp_of(env) != tasks.stamp_of(tasks.Env(".venv-x", ("lab",)))


def test_a_cpu_wheel_that_does_not_install_is_said_not_fatal(tmp_path, monkeypatch, capsys):
    wheel = tmp_path / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"
    env, py, calls = _torch_env(tmp_path, monkeypatch, wheel)

    def run(cmd, tail_on_failure=40):  # faked: the installer refusing the wheel (a real one installs)
        calls.append(cmd)
        if cmd[-1] == str(wheel):
            raise subprocess.CalledProcessError(1, cmd)

    monkeypatch.setattr(tasks, "run_quietly", run)
    assert tasks.ensure_env("x") == py
    out = capsys.readouterr().out
    assert "could not add the extra transformers over torch-2.13.0+cpu" in out and "no CPU build" not in out
    assert (tmp_path / ".venv-x" / tasks.OPTIONAL_MISSING).read_text() == "transformers"


def test_the_colab_environment_has_colabs_transformers():
    assert tasks.ENVS["colab"].torch_extras == ("transformers",)
    pins = (ROOT / "tests" / "colab-constraints.txt").read_text()
    assert "transformers==5.15.0" in pins  # googlecolab/backend-info, snapshot 2026-08-19


def test_an_environment_is_rebuilt_only_when_its_inputs_change(tmp_path, monkeypatch):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    env = tasks.Env(".venv-x", ("lab",))
    monkeypatch.setitem(tasks.ENVS, "x", env)
    py = tasks.python_of(tmp_path / ".venv-x")
    py.parent.mkdir(parents=True)
    py.write_text("")
    (tmp_path / ".venv-x" / ".course-stamp").write_text(tasks.stamp_of(env))
    monkeypatch.setattr(tasks, "find_installer", lambda: pytest.fail("an up-to-date environment was reinstalled"))
    assert tasks.ensure_env("x") == py
    assert tasks.stamp_of(env) != tasks.stamp_of(tasks.Env(".venv-x", ("lab", "test")))
    with (tmp_path / "pyproject.toml").open("a") as f:
        f.write("\n# changed\n")
    assert not tasks.is_current(tmp_path / ".venv-x", tasks.stamp_of(env))


def test_paths_after_dashes_replace_the_default_targets():
    runs = tasks.plan("all", ["tests/test_settings.py", "-k", "tests"])
    assert [(r.env, r.ui) for r in runs] == [("main", False), ("colab", False)]
    assert runs[0].args[:3] == ("tests/test_settings.py", *tasks.PYTEST_NOTEBOOK_ARGS[:2])
    assert runs[0].args[-2:] == ("-k", "tests"), "the value of -k is not taken for a path"
    ui = tasks.plan("all", ["tests/ui/test_notebooks_in_browser.py::test_00_start_here"])
    assert [(r.env, r.ui) for r in ui] == [("main", True), ("colab", True)]
    default = tasks.plan("all", ["-k", "answers"])
    assert len(default) == 4 and "--ignore=tests/ui" in default[0].args and default[2].args[0] == "tests/ui"


def test_no_tests_collected_is_said_as_such_and_failures_still_fail(capsys):
    assert tasks.summarize({"main environment": 5, "colab environment": 5}) == 5
    out = capsys.readouterr().out
    assert "no tests collected in: main environment, colab environment" in out and "FAILED" not in out
    assert tasks.summarize({"main environment": 0, "browser tests, main stack": 5}) == 0
    assert "all test runs passed" in capsys.readouterr().out
    assert tasks.summarize({"main environment": 1, "colab environment": 5}) == 1
    assert "FAILED in: main environment" in capsys.readouterr().out


def test_a_real_pytest_run_that_selects_nothing_exits_5(tmp_path, monkeypatch):
    monkeypatch.setitem(tasks.ENVS, "main", tasks.Env(str(tmp_path / "env"), ("test",)))  # its byte-code folder
    run = tasks.Run("main", "main environment", ("tests/test_settings.py", "-k", "no_such_test_anywhere"))
    rc = tasks.run_pytest(Path(sys.executable), run)
    assert rc == tasks.PYTEST_NO_TESTS
    assert tasks.summarize({run.label: rc}) == 5


def test_progress_lines_survive_a_console_that_is_not_utf8(monkeypatch):
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="cp1252"))
    tasks.say("fetched uv ✓ in 1.0 s")
    sys.stdout.flush()
    assert raw.getvalue().decode("cp1252").strip() == "[tasks] fetched uv ? in 1.0 s"


def test_lab_passes_its_arguments_to_jupyterlab_with_or_without_dashes(monkeypatch):
    seen = []
    monkeypatch.setitem(tasks.main.__globals__, "cmd_lab", lambda args: seen.append(args.lab_args) or 0)
    assert tasks.main(["lab", "--port", "8899"]) == 0 and tasks.main(["lab", "--", "--port", "8899"]) == 0
    assert seen == [["--port", "8899"], ["--port", "8899"]]
