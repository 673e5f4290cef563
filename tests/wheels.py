"""Build the course wheel the way an instructor does, from a private copy of the sources.

pip builds a local project in place: setuptools writes `build/` and `course_utils.egg-info/` inside the
source folder. The main and Colab suites run side by side (tasks.py), so two builds from the checkout
itself would share those folders and one of them fails ("No such file or directory"). A copy of what the
wheel is made of (pyproject, README, the package, data/) gives every build its own folders.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "course_utils", "data")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")


def build_course_wheel(tmp_path: Path) -> Path:
    """The wheel built from a copy of the checkout under tmp_path; returns its path."""
    src = tmp_path / "course-src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=_IGNORE)
        else:
            shutil.copy2(path, src / name)
    dist = tmp_path / "dist"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "GIT_"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(src)],
                   check=True, cwd=tmp_path, env=env)
    return next(dist.glob("course_utils-*.whl"))
