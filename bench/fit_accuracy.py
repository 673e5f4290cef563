"""Print the fit estimator's error on the calibration files, the audit's run time, and this
machine's measured memory bandwidth next to its nominal figure when known.

    .venv/bin/python bench/fit_accuracy.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_utils import data, fit  # noqa: E402
from course_utils.hardware import custom_hardware  # noqa: E402
from course_utils.system import audit, measure_memory_bandwidth  # noqa: E402

# GGUF repos in the calibration file -> the catalog model whose config they were made from
GGUF_BASES = {"TheBloke/Llama-2-7B-Chat-GGUF": "meta-llama/Llama-2-7b-chat-hf",
              "TheBloke/Llama-2-13B-chat-GGUF": "meta-llama/Llama-2-13b-chat-hf",
              "TheBloke/neural-chat-7B-v3-1-GGUF": "Intel/neural-chat-7b-v3-1",
              "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF": "TinyLlama/TinyLlama-1.1B-Chat-v1.0"}
IN_SAMPLE = "TheBloke/Llama-2-7B-Chat-GGUF"  # its measured BPW calibrates the non-encoded mixes


def file_sizes() -> None:
    errors, out_of_sample = [], []
    for row in data.load("gguf_sizes_calibration"):
        base = GGUF_BASES.get(row["repo_id"])
        if not base or row["quant_method"] not in fit.QUANTS:
            continue
        e = fit.estimate(base, row["quant_method"])
        err = e.file_size_gb / row["file_size_gb"] - 1
        errors.append(abs(err))
        if row["repo_id"] != IN_SAMPLE:
            out_of_sample.append(abs(err))
    print(f"file size   : {len(errors)} GGUF files; |error| median {statistics.median(errors):.2%}, "
          f"max {max(errors):.2%}")
    print(f"              without Llama-2-7B (calibration source): median {statistics.median(out_of_sample):.2%}, "
          f"max {max(out_of_sample):.2%} over {len(out_of_sample)} files")


def speeds() -> None:
    errors = []
    for row in data.load("llamacpp_speed_calibration"):
        if not row["memory_bandwidth_gbs"]:
            continue
        backend = "igpu" if "iGPU" in row["hardware"] else row["backend"]
        hw = custom_hardware(row["memory_bandwidth_gbs"], backend)
        e = fit.estimate("meta-llama/Llama-2-7b-hf", "Q4_0", 128, hardware=hw)
        errors.append(abs(e.tokens_per_s / row["tg128_tps"] - 1))
    print(f"tokens/s    : {len(errors)} llama-bench tg128 rows with a bandwidth; |error| median "
          f"{statistics.median(errors):.1%}, max {max(errors):.1%} (in-sample: the GPU constants were fitted on them)")


def audit_time() -> None:
    audit()  # warm imports and the file cache
    times = []
    for _ in range(5):
        t = time.perf_counter()
        audit()
        times.append(time.perf_counter() - t)
    print(f"audit()     : median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
          f"over 5 runs (target <= 500 ms)")


def bandwidth() -> None:
    a = audit()
    m = measure_memory_bandwidth()
    nominal = None
    if a.cpu:
        for row in data.load("hardware_bandwidth"):
            if row["backend"] == "cpu" and a.cpu.lower() in row["hardware"].lower():
                nominal = row["memory_bandwidth_gbs"]
    print(f"bandwidth   : measured {m.gbs:.1f} GB/s best, {m.median_gbs:.1f} median ({m.runs} runs, {m.seconds:.1f} s; "
          f"{m.method}) on {a.cpu}")
    print(f"              nominal figure for this CPU: {f'{nominal:g} GB/s' if nominal else 'not in the table'}")


if __name__ == "__main__":
    file_sizes()
    speeds()
    audit_time()
    bandwidth()
