"""Print how long `import course_utils` takes next to `import pandas` (target: at most half).

Each import runs in a fresh interpreter, several times; the median is reported.
    python bench/import_time.py [--runs 7]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys


def import_seconds(module: str) -> float:
    code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    runs = ap.parse_args().runs
    import_seconds("pandas")  # warm the file cache once
    ours = statistics.median(import_seconds("course_utils") for _ in range(runs))
    pandas = statistics.median(import_seconds("pandas") for _ in range(runs))
    heavy = subprocess.run([sys.executable, "-c", "import sys, course_utils; print(sorted(m for m in "
                            "('pandas','matplotlib','huggingface_hub','ipywidgets','numpy') if m in sys.modules))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    print(f"import course_utils: {ours * 1000:7.1f} ms (median of {runs})")
    print(f"import pandas      : {pandas * 1000:7.1f} ms (median of {runs})")
    print(f"ratio              : {ours / pandas:7.3f}  (target <= 0.5)  {'OK' if ours <= pandas / 2 else 'TOO SLOW'}")
    print(f"heavy modules pulled in by `import course_utils`: {heavy}")


if __name__ == "__main__":
    main()
