"""Gradescope: an ``autograder.zip`` that grades a submitted answer file with this package's own grader.

The zip holds ``setup.sh`` (installs the wheel of this package that the zip carries, in a virtual
environment), ``run_autograder`` (runs ``python -m course_utils.gradescope``), the answer key and
the list of exercises the assignment covers. Gradescope's layout (its "Autograder Specifications"
page, https://gradescope-autograders.readthedocs.io/en/latest/specs/): the zip is unpacked into
``/autograder/source``, the learner's files are in ``/autograder/submission`` and the result must be
written to ``/autograder/results/results.json`` with ``score`` and ``tests[]`` (``name``, ``score``,
``max_score``, ``output``, ``visibility``).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .errors import CourseError, InvalidInput
from .exercises import EXERCISES
from .i18n import number, t, tn

KEY_FILE = "answer_key.json"
CONFIG_FILE = "course_autograder.json"
DIST = "course_utils"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed, so the same inputs give the same zip

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
cd "$(dirname "$0")"
apt-get update -y
apt-get install -y --no-install-recommends python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --upgrade pip
/autograder/venv/bin/python -m pip install ./{wheel}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade the answer files in submission/ with the course's
# own grader and write results/results.json. Both variables are for testing outside Gradescope.
ROOT="${COURSE_UTILS_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${COURSE_UTILS_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
export HF_HUB_OFFLINE=1 COURSE_UTILS_OFFLINE=1
exec "$PYTHON" -m course_utils.gradescope "$ROOT"
"""


@dataclass(frozen=True)
class AutograderZip:
    path: str
    wheel: str
    exercises: tuple[str, ...]
    points: float

    def to_dict(self) -> dict:
        return {"path": self.path, "wheel": self.wheel, "exercises": list(self.exercises), "points": self.points}

    def to_text(self) -> str:
        return t("gradescope.zip.written", path=self.path, exercises=", ".join(self.exercises),
                 points=number(self.points, "g"), wheel=self.wheel)


# --------------------------------------------------------------------------- a wheel of this package

def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _metadata() -> str:
    """METADATA for the wheel: from the installed distribution (so dependencies match pyproject)."""
    from importlib import metadata

    try:
        meta = metadata.metadata("course-utils")
    except metadata.PackageNotFoundError:
        raise CourseError(t("gradescope.not_installed")) from None
    lines = ["Metadata-Version: 2.1", "Name: course-utils", f"Version: {__version__}"]
    for field in ("Summary", "Requires-Python"):
        if meta.get(field):
            lines.append(f"{field}: {meta[field]}")
    if meta.get("License-Expression") or meta.get("License"):
        lines.append(f"License: {meta.get('License-Expression') or meta.get('License')}")
    lines += [f"Requires-Dist: {r}" for r in (meta.get_all("Requires-Dist") or []) if "extra ==" not in r]
    return "\n".join(lines) + "\n"


def _package_files() -> list[tuple[str, Path]]:
    from .settings import PACKAGE_DIR, _default_data_dir

    out = []
    for path in sorted([*PACKAGE_DIR.rglob("*.py"), *PACKAGE_DIR.glob("locales/*/*.json")]):
        rel = path.relative_to(PACKAGE_DIR)
        if "__pycache__" not in rel.parts and rel.parts[0] != "_shipped_data":
            out.append((f"{DIST}/{rel.as_posix()}", path))
    data_dir = _default_data_dir()
    for path in sorted(data_dir.iterdir()):
        if path.suffix in (".csv", ".json", ".md") and path.is_file():
            out.append((f"{DIST}/_shipped_data/{path.name}", path))
    return out


def build_wheel(folder: str | os.PathLike) -> Path:
    """Write a pure-Python wheel of the installed package (code and shipped data) into folder."""
    folder = Path(folder)
    name = f"{DIST}-{__version__}-py3-none-any.whl"
    info = f"{DIST}-{__version__}.dist-info"
    entries = [(arc, path.read_bytes()) for arc, path in _package_files()]
    entries += [(f"{info}/METADATA", _metadata().encode()),
                (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: course_utils.gradescope\n"
                                  b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
                (f"{info}/entry_points.txt", b"[console_scripts]\ncourse-utils = course_utils.cli:main\n")]
    record = "".join(f"{arc},{_record_hash(data)},{len(data)}\n" for arc, data in entries) + f"{info}/RECORD,,\n"
    entries.append((f"{info}/RECORD", record.encode()))
    target = folder / name
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, data in entries:
            zf.writestr(zipfile.ZipInfo(arc, ZIP_DATE), data, zipfile.ZIP_DEFLATED)
    return target


# --------------------------------------------------------------------------- the autograder zip

def build_autograder(out: str | os.PathLike = "autograder.zip", key_file: str | None = None,
                     exercises: list[str] | None = None) -> AutograderZip:
    """Write autograder.zip: setup.sh, run_autograder, a wheel of this package, the key and the exercises."""
    from .gradebook import _check_target
    from .grading import load_key

    out = Path(out)
    _check_target(out)
    key = load_key(key_file)
    chosen = list(dict.fromkeys(exercises or key["exercises"]))
    unknown = [e for e in chosen if e not in key["exercises"]]
    if unknown:
        from .model_ids import CUTOFF_WORDS, did_you_mean

        near = did_you_mean(unknown[0], key["exercises"], n=2, cutoff=CUTOFF_WORDS)
        raise InvalidInput(t("gradescope.unknown_exercise", name=repr(unknown[0]), choices=", ".join(key["exercises"])),
                           tuple(near))
    points = round(sum(float(q.get("points", 1)) for e in chosen for q in key["exercises"][e]["questions"]), 2)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(tmp)
        files = {"setup.sh": SETUP_SH.format(wheel=wheel.name).encode(), "run_autograder": RUN_AUTOGRADER.encode(),
                 KEY_FILE: json.dumps(key, indent=1, ensure_ascii=False).encode(),
                 CONFIG_FILE: json.dumps({"exercises": chosen, "package_version": __version__}).encode(),
                 wheel.name: wheel.read_bytes()}
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_zip = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED) as zf:
                for name, data in files.items():
                    info = zipfile.ZipInfo(name, ZIP_DATE)
                    info.external_attr = (0o100755 if name in ("setup.sh", "run_autograder") else 0o100644) << 16
                    zf.writestr(info, data, zipfile.ZIP_DEFLATED)
            os.replace(tmp_zip, out)
        except OSError as exc:
            Path(tmp_zip).unlink(missing_ok=True)
            raise InvalidInput(t("gradescope.cannot_write", path=out, error=exc.strerror)) from None
        return AutograderZip(str(out), wheel.name, tuple(chosen), points)


# --------------------------------------------------------------------------- inside Gradescope

def results_for(submission: Path, key: dict, exercises: list[str]) -> dict:
    """Gradescope's results.json for one submission folder: one test per question of each exercise."""
    from .grading import grade_dir

    result = grade_dir(submission, key)
    notes = [t("gradescope.not_graded", file=f.file, reason=f.reason) for f in result.failures]
    notes += [t("gradescope.not_in_assignment", exercises=", ".join(exercises), file=r.file, exercise=r.exercise)
              for r in result.results if r.exercise not in exercises]
    tests = []
    for exercise in exercises:
        spec = key["exercises"][exercise]
        title = spec.get("title") or (EXERCISES[exercise].title if exercise in EXERCISES else exercise)
        found = [r for r in result.results if r.exercise == exercise]
        clash = [c for c in result.conflicts if c.exercise == exercise]
        graded = {q.question: q for q in found[0].questions} if len(found) == 1 and not clash else {}
        if not found and not clash:
            why = t("gradescope.no_file", exercise=exercise)
        elif len(found) + len(clash) > 1 or clash:
            files = [r.file for r in found] + [f for c in clash for f in c.files]
            why = t("gradescope.several_files", exercise=exercise, files=", ".join(files))
        else:
            why = ""
        for q in spec["questions"]:
            points = float(q.get("points", 1))
            r = graded.get(q["id"])
            output = why if r is None else r.feedback + ("" if not r.checks else "\n" + "\n".join(
                f"{'✓' if c.correct else '✗'} {c.item}: {c.why}" for c in r.checks))
            tests.append({"name": f"{exercise} {title}: {q['id']}", "score": r.score if r else 0.0,
                          "max_score": points, "output": output, "visibility": "visible"})
    score = round(sum(t["score"] for t in tests), 2)
    learners = sorted({r.display for r in result.results})
    head = [t("gradescope.graded_for", learners=", ".join(learners)) if learners else t("gradescope.nothing_graded")]
    if result.review_count:
        head.append(tn("gradescope.to_review", result.review_count))
    return {"score": score, "output": "\n".join(head + notes), "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def run(root: str | os.PathLike) -> Path:
    """Grade ROOT/submission with the key in ROOT/source and write ROOT/results/results.json."""
    from .grading import load_key

    root = Path(root)
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    try:
        config = json.loads((root / "source" / CONFIG_FILE).read_text(encoding="utf-8"))
        key = load_key(root / "source" / KEY_FILE)
        exercises = [e for e in config.get("exercises", []) if e in key["exercises"]] or list(key["exercises"])
        submission = root / "submission"
        if not submission.is_dir():
            submission.mkdir(parents=True)
        doc = results_for(submission, key, exercises)
    except Exception as exc:  # noqa: BLE001 - a learner must always get a result, never a blank page
        doc = {"score": 0.0, "tests": [], "visibility": "visible",
               "output": t("gradescope.crashed", error=f"{type(exc).__name__}: {str(exc)[:200]}")}
    target = results / "results.json"
    fd, tmp = tempfile.mkstemp(dir=results, prefix=".results.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, ensure_ascii=False)
    os.replace(tmp, target)
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = run(args[0] if args else "/autograder")
    doc = json.loads(target.read_text(encoding="utf-8"))
    print(tn("gradescope.results.written", len(doc["tests"]), path=target, score=number(doc['score'], "g")))
    return 0


if __name__ == "__main__":  # pragma: no cover - run by run_autograder
    sys.exit(main())
