"""pyproject, environment.yml and the wheel agree; the wheel carries data/."""
import os
import re
import subprocess
import venv
from pathlib import Path

import pytest

from wheels import build_course_wheel

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_deps() -> dict[str, str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        pytest.skip("tomllib needs Python 3.11+")
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = meta["dependencies"] + meta["optional-dependencies"]["lab"]  # the learner's environment
    return dict(_split(d) for d in deps)


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", req)
    name = m.group(1).lower().replace("_", "-")
    return name, m.group(2).replace(" ", "")


def _environment_yml_deps() -> dict[str, str]:
    deps = {}
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"^  - ([^:]+)$", line)
        if in_deps and m:
            name, spec = _split(m.group(1).strip())
            if name not in ("python", "pip"):
                deps[name] = spec
    return deps


def test_environment_yml_matches_pyproject():
    assert _environment_yml_deps() == _pyproject_deps()


def test_environment_yml_installs_the_package_itself():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s+- -e \.$", text, re.M), "environment.yml must pip-install the course (-e .)"
    # repo2docker (Binder) reads only an exact X.Y such as python=3.12, not a >= spec
    assert re.search(r"^  - python=3\.1[0-9]$", text, re.M)


def test_runtime_dependencies_leave_jupyter_to_the_lab_extra():
    """Colab and JupyterHub bring their own Jupyter: `pip install course-utils` must not add one."""
    tomllib = pytest.importorskip("tomllib")
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_split(d)[0] for d in meta["dependencies"]}
    assert not runtime & {"jupyterlab", "notebook", "pytest", "nbval", "playwright"}
    assert "jupyterlab" in {_split(d)[0] for d in meta["optional-dependencies"]["lab"]}


@pytest.mark.slow
def test_wheel_ships_data_and_loads_outside_checkout(tmp_path):
    wheel = build_course_wheel(tmp_path)
    env_dir = tmp_path / "clean-env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True, cwd=tmp_path)
    code = ("import course_utils, course_utils.data as d; from pathlib import Path; "
            "print(d.data_dir()); print(d.load_all()); "
            "from course_utils.i18n import catalog, t; from course_utils.exercises import answer_key; "
            "print(len(catalog('en')) == len(catalog('fr')) > 1000, t('common.save.button', 'fr'), "
            "len(answer_key()['exercises']))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_UTILS_", "PYTHONPATH"))}
    proc = subprocess.run([str(py), "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    data_dir, counts, messages = proc.stdout.splitlines()
    from course_utils.i18n import t

    assert messages == f"True {t('common.save.button', 'fr')} 6"  # both catalogs and the registry ship
    assert str(env_dir) in data_dir and "_shipped_data" in data_dir
    assert str(ROOT) not in data_dir
    assert "'leaderboard_v1': 5317" in counts and "'hub_snapshot.json':" in counts
