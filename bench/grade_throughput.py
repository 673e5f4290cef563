"""Grade 1,000 generated answer files and compare with one nbclient notebook execution
(the way re-executing graders work). Target: the 1,000 files take less than that one notebook.

    .venv/bin/python bench/grade_throughput.py [--files 1000] [--notebook notebooks/02_license_check.ipynb]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from make_fixture_class import write_big_class  # noqa: E402


def grade_seconds(n: int) -> tuple[float, int, int]:
    from course_utils import grading

    with tempfile.TemporaryDirectory() as tmp:
        write_big_class(Path(tmp), n)
        grading.load_key()  # warm the key and data caches, as a real run does once
        start = time.perf_counter()
        result = grading.grade_dir(tmp)
        return time.perf_counter() - start, len(result.results), len(result.failures)


def notebook_seconds(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(HF_HUB_OFFLINE="1", HF_HOME=tmp, COURSE_UTILS_ANSWERS_DIR=tmp, MPLBACKEND="Agg")
        start = time.perf_counter()
        NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
        return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--notebook", type=Path, default=ROOT / "notebooks" / "02_license_check.ipynb")
    args = ap.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    seconds, graded, failed = grade_seconds(args.files)
    nb = notebook_seconds(args.notebook)
    print(f"grading     : {graded} files graded, {failed} not, in {seconds:.2f} s "
          f"= {graded / seconds:,.0f} files/s")
    print(f"one notebook: nbclient executed {args.notebook.name} in {nb:.2f} s")
    print(f"target      : {args.files} files faster than one notebook execution: "
          f"{'OK' if seconds < nb else 'NOT MET'} ({nb / seconds:.1f}x)")


if __name__ == "__main__":
    main()
