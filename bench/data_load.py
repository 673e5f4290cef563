"""Print how long loading and validating the shipped data takes (target: leaderboards under 0.3 s).

    .venv/bin/python bench/data_load.py
"""
from __future__ import annotations

import statistics
import subprocess
import sys

CODE = """
import time
t = time.perf_counter()
from course_utils import benchmarks
n1, n2 = len(benchmarks.board(1)), len(benchmarks.board(2))
t1 = time.perf_counter()
from course_utils import data
data.load_all()
t2 = time.perf_counter()
print(n1 + n2, t1 - t, t2 - t)
"""


def main() -> None:
    runs = [subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True).stdout.split()
            for _ in range(5)]
    rows = int(runs[0][0])
    boards = statistics.median(float(r[1]) for r in runs)
    everything = statistics.median(float(r[2]) for r in runs)
    print(f"leaderboards v1+v2: {rows:,} rows loaded and validated in {boards * 1000:.0f} ms "
          f"(median of 5 fresh processes; target < 300 ms) {'OK' if boards < 0.3 else 'TOO SLOW'}")
    print(f"every data file   : {everything * 1000:.0f} ms")


if __name__ == "__main__":
    main()
