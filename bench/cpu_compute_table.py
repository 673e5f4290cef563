"""Measure data/cpu_compute_reference.csv: llama.cpp's compute rate on this CPU, per type, with its clock.

For each pair of types llama-quantize writes (compute_reference.file_type_matrices: the layers' main type,
the output matrix's) and each thread count, the course's two probe models are timed on the xllamacpp wheel
(compute_probe.measure_compute_rate: the multiply-add rate and each matrix row's cost; the probes' block
scales as random weights give them, which is what a build that converts f16 with F16C sees). Around each
probe the clock the cores run at is measured: a chain of dependent integer adds, one per cycle on any x86
core since the Pentium Pro, timed on as many cores as the probe's threads (a C program, built with the
machine's C compiler). compute_reference.transferred_rate divides the rates by that clock and multiplies
them by another core's of the same design; bench/fit_accuracy.py checks it on published CPU rows.

    .venv-test/bin/python bench/cpu_compute_table.py --core "Zen 4" [--threads 1,2] [--write]
"""
from __future__ import annotations

import argparse
import csv
import datetime
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FILE_TYPES = ("BF16", "F16", "Q8_0", "Q5_0", "Q4_0", "Q4_1", "Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K",
              "IQ2_XXS", "IQ2_XS", "IQ2_M", "IQ3_XXS", "IQ3_S", "IQ4_NL", "IQ4_XS")
COLUMNS = ("cpu", "core", "isa", "engine", "threads", "layer_type", "output_type", "gmacs", "row_ns",
           "clock_ghz", "measured", "source_url")
SOURCE = ("https://github.com/open-llm-course/open-llms-day1/blob/main/bench/cpu_compute_table.py ; "
          "https://pypi.org/project/xllamacpp/")
CLOCK_C = r"""
#include <stdio.h>
#include <stdint.h>
#include <time.h>
int main(void) {
  const long n = 2000000000L; uint64_t x = 1, y = 3; struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i += 8)
    __asm__ volatile("add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
                     "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0" : "+r"(x) : "r"(y));
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.4f\n", n / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9) / 1e9);
  return x == 0;
}
"""


def clock_program() -> Path | None:
    """The clock-measuring program, built with the machine's C compiler (None without one or off x86)."""
    import platform

    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc or platform.machine().lower() not in ("x86_64", "amd64"):
        return None
    folder = Path(tempfile.mkdtemp(prefix="clock-"))
    (folder / "clock.c").write_text(CLOCK_C)
    subprocess.run([cc, "-O1", "-o", str(folder / "clock"), str(folder / "clock.c")], check=True)
    return folder / "clock"


def clock_ghz(program: Path, threads: int) -> float:
    """The cores' clock in GHz with ``threads`` of them busy: the mean of one chain of adds on each."""
    procs = [subprocess.Popen([str(program)], stdout=subprocess.PIPE, text=True) for _ in range(threads)]
    return statistics.mean(float(p.communicate()[0]) for p in procs)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "unknown CPU"


def isa() -> str:
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
    except (OSError, StopIteration):
        return ""
    return "AVX-512" if " avx512f" in flags else "AVX2" if " avx2" in flags else "SSE/AVX"


def main() -> None:
    from course_utils import compute_probe
    from course_utils.compute_reference import file_type_matrices

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--core", required=True, help="this CPU's core design, e.g. 'Zen 4' (the CPU's maker's name)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--types", default=",".join(FILE_TYPES), help="file types whose matrix types to measure")
    ap.add_argument("--write", action="store_true", help="write data/cpu_compute_reference.csv")
    a = ap.parse_args()
    program = clock_program()
    if program is None:
        sys.exit("cpu_compute_table needs an x86 CPU and a C compiler (cc, gcc or clang) to measure the clock")
    from importlib.metadata import version

    engine = f"xllamacpp {version('xllamacpp')}"
    pairs = list(dict.fromkeys(file_type_matrices(t) for t in a.types.split(",")))
    rows = []
    print(f"{cpu_name()} ({a.core}, {isa()}), {engine}")
    for threads in (int(x) for x in a.threads.split(",")):
        for layer_type, output_type in pairs:
            before = clock_ghz(program, threads)
            rate = compute_probe.measure_compute_rate(threads, qtype=layer_type, embd_type=output_type, fresh=True)
            after = clock_ghz(program, threads)
            if (rate.qtype, rate.embd_type) != (layer_type, output_type):
                print(f"  {layer_type}/{output_type}: no probe can be written in these types here, left out")
                continue
            ghz = (before + after) / 2
            print(f"  {threads} thr {layer_type:>8}/{output_type:<5} {rate.gmacs:7.2f} GMAC/s  row {rate.row_ns:6.2f} ns  "
                  f"clock {before:.3f} / {after:.3f} GHz  = {rate.gmacs / ghz / threads:.2f} MAC per cycle and core",
                  flush=True)
            rows.append({"cpu": cpu_name(), "core": a.core, "isa": isa(), "engine": engine, "threads": threads,
                         "layer_type": layer_type, "output_type": output_type, "gmacs": rate.gmacs,
                         "row_ns": rate.row_ns, "clock_ghz": round(ghz, 3),
                         "measured": datetime.date.today().isoformat(), "source_url": SOURCE})
    if a.write:
        path = Path(__file__).resolve().parents[1] / "data" / "cpu_compute_reference.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=COLUMNS)
            w.writeheader()
            w.writerows(rows)
        print(f"wrote {len(rows)} rows to {path}")


if __name__ == "__main__":
    main()
