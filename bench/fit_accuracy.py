"""Print the fit estimator's error on the calibration files, each out-of-sample check against issue #12's
targets (one table at the end), the audit's run time, and this machine's measured memory bandwidth next to
its nominal figure when known.

    .venv/bin/python bench/fit_accuracy.py
    .venv/bin/python bench/fit_accuracy.py --here MODEL.gguf [THREADS]  # real llama.cpp (xllamacpp) vs prediction
"""
from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_utils import data, fit  # noqa: E402
from course_utils.hardware import CLASSES, OLDER_NVIDIA, REFERENCE_LAYERS  # noqa: E402
from course_utils.system import audit, measure_memory_bandwidth  # noqa: E402

# GGUF repos in the calibration file -> the catalog model whose config they were made from
GGUF_BASES = {"TheBloke/Llama-2-7B-Chat-GGUF": "meta-llama/Llama-2-7b-chat-hf",
              "TheBloke/Llama-2-13B-chat-GGUF": "meta-llama/Llama-2-13b-chat-hf",
              "TheBloke/neural-chat-7B-v3-1-GGUF": "Intel/neural-chat-7b-v3-1",
              "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF": "TinyLlama/TinyLlama-1.1B-Chat-v1.0"}


def file_sizes() -> None:
    """Whole files against llama-quantize's per-tensor rules (fit.weight_bytes, quant_mix): nothing is fitted."""
    thebloke, thebloke_q2, newer, iquants, big = [], [], [], [], []
    for row in data.load("gguf_sizes_calibration"):
        base = row.get("base_model") or GGUF_BASES.get(row["repo_id"])
        if not base or row["quant_method"] not in fit.QUANTS + fit.IQUANTS + fit.OTHER_QUANTS:
            continue
        e = fit.estimate(base, row["quant_method"])
        err = abs(e.file_size_gb / row["file_size_gb"] - 1)
        if not row.get("base_model"):
            (thebloke_q2 if row["quant_method"] == "Q2_K" else thebloke).append(err)
            continue
        (iquants if row["quant_method"] in fit.IQUANTS else newer).append(err)
        if e.file_size_gb >= 2:
            big.append(err)

    def line(label: str, errors: list[float]) -> None:
        print(f"{label:46}: |error| median {statistics.median(errors):.2%}, max {max(errors):.2%} "
              f"({len(errors)} files)")

    print("file size   : llama-quantize's type for each matrix (quant_mix), nothing fitted; Hub file sizes")
    line("  K-quants, Q4_0, Q4_1, Q5_0, Q8_0 (others)", newer)
    line("  i-quants (IQ1_S ... IQ4_XS)", iquants)
    line("  both, the files of 2 GB and more", big)
    line("  TheBloke's files of 2023, but Q2_K", thebloke)
    line("  TheBloke's Q2_K (llama.cpp's 2023 Q2_K mix)", thebloke_q2)
    print(f"              (the header, mostly the tokenizer, counted at {fit.HEADER_BYTES_PER_TOKEN:g} bytes per vocabulary"
          " entry as in SmolLM2's file; without it, the files under 2 GB came out up to 2.6 % small)")


def _family(hardware: str) -> str:
    """Chip family for leave-one-family-out: Apple tier and generation, NVIDIA series, AMD, Intel."""
    m = re.search(r"Apple (M\d)( Pro| Max| Ultra)?", hardware)
    if m:
        return f"Apple {m.group(1)}{m.group(2) or ''}"
    m = re.search(r"RTX (\d)0\d\d", hardware)
    if m:
        return f"NVIDIA RTX {m.group(1)}0"
    for word in ("AMD", "Intel", "Tesla", "Quadro", "A100", "H100"):
        if word in hardware:
            return word
    return hardware


def speed_rows(validation: bool = False) -> list[dict]:
    """llama-bench rows with a bandwidth: bytes read per token from the estimator (tg128 averages 64 tokens).

    Calibration rows state the bandwidth beside the result; the shipped constants were fitted on
    them. ``validation=True``: the rows whose bandwidth only the hardware table gives (spec sheets,
    added 2026-12-02 after the constants were fitted), never used for fitting.
    """
    rows = []
    table = {r["hardware"]: r["memory_bandwidth_gbs"] for r in data.load("hardware_bandwidth")}
    for row in data.load("llamacpp_speed_calibration"):
        if bool(row["memory_bandwidth_gbs"]) == validation:
            continue
        row = {**row, "memory_bandwidth_gbs": row["memory_bandwidth_gbs"] or table.get(row["hardware"])}
        if not row["memory_bandwidth_gbs"]:
            continue
        backend = "igpu" if "iGPU" in row["hardware"] else row["backend"]
        e = fit.estimate("meta-llama/Llama-2-7b-hf", row["quant"], 64)
        rows.append({"hardware": row["hardware"], "backend": backend, "bw": row["memory_bandwidth_gbs"],
                     "gb": e.read_per_token_gb, "tps": row["tg128_tps"], "family": _family(row["hardware"]),
                     "quant": row["quant"]})
    return rows


def fit_line(rows: list[dict]) -> tuple[float, float]:
    """(efficiency, overhead ms) minimising the squared relative error of 1/t = 1/(gb/(eff*bw) + ms/1000)."""
    import numpy as np

    gb = np.array([r["gb"] for r in rows])
    bw = np.array([r["bw"] for r in rows])
    tps = np.array([r["tps"] for r in rows])
    effs = np.arange(0.30, 1.30, 0.002)[:, None, None]
    mss = np.arange(0.0, 12.0, 0.02)[None, :, None]
    pred = 1 / (gb / (effs * bw) + mss / 1000)
    err = ((pred / tps - 1) ** 2).sum(axis=2)
    i, j = np.unravel_index(err.argmin(), err.shape)
    return round(float(effs[i, 0, 0]), 3), round(float(mss[0, j, 0]), 2)


def _errors(rows, constants) -> list[float]:
    out = []
    for r in rows:
        eff, ms = constants(r)
        out.append(1 / (r["gb"] / (eff * r["bw"]) + ms / 1000) / r["tps"] - 1)
    return out


def _summary(errs: list[float]) -> str:
    a = [abs(e) for e in errs]
    return f"median |error| {statistics.median(a):5.1%}, max {max(a):5.1%} ({len(a)} rows)"


# issue #12's targets for decode speed on data not used for fitting: median |error| <= 10 %, max <= 35 %
TARGET_MEDIAN, TARGET_MAX = 0.10, 0.35
_OUT_OF_SAMPLE: list[tuple[str, list[float]]] = []  # (check, errors), in the order they are printed


def _out_of_sample(label: str, errs: list[float]) -> str:
    """Remember one out-of-sample check for the targets table at the end; returns its summary line."""
    _OUT_OF_SAMPLE.append((label, errs))
    return _summary(errs)


def targets() -> None:
    """Each out-of-sample check of this run against the targets, side by side."""
    print(f"targets     : decode on data not used for fitting, median |error| <= {TARGET_MEDIAN:.0%} "
          f"and max <= {TARGET_MAX:.0%}")
    for label, errs in _OUT_OF_SAMPLE:
        a = [abs(e) for e in errs]
        med, top = statistics.median(a), max(a)
        verdict = "met" if med <= TARGET_MEDIAN and top <= TARGET_MAX else "missed"
        print(f"  {label:<58} median {med:5.1%}  max {top:6.1%}  ({len(a):>2} rows)  {verdict}")
    print("  (this machine, within 15 % of a real run: `--here MODEL.gguf` below, or bench/run_gap.py)")


def speeds() -> None:
    rows = speed_rows()
    backends = sorted({r["backend"] for r in rows})
    print("tokens/s    : seconds per token = GB read / (efficiency x bandwidth) + overhead x layers / 32, fitted per backend "
          "(every row: Llama 2 7B, 32 layers)")
    fitted = {}
    for b in backends:
        sub = [r for r in rows if r["backend"] == b]
        fitted[b] = fit_line(sub) if len({(r["bw"], r["gb"]) for r in sub}) > 1 else (
            round(statistics.median(r["tps"] * r["gb"] / r["bw"] for r in sub), 3), 0.0)
        k = CLASSES[b]
        print(f"  {b:<7} fit: efficiency {fitted[b][0]:.3f}, overhead {fitted[b][1]:.2f} ms"
              f"   (in hardware.CLASSES: {k.efficiency:g}, {k.overhead_ms:g} ms)")
    shipped = {b: (CLASSES[b].efficiency, CLASSES[b].overhead_ms) for b in backends}
    print(f"  in-sample, shipped constants          : {_summary(_errors(rows, lambda r: shipped[r['backend']]))}")
    for b in backends:
        sub = [r for r in rows if r["backend"] == b]
        print(f"    {b:<7} in-sample                    : {_summary(_errors(sub, lambda r: shipped[b]))}")
    # leave one backend out: predict it from one line fitted on every other backend
    lobo = []
    for b in backends:
        rest = [r for r in rows if r["backend"] != b]
        sub = [r for r in rows if r["backend"] == b]
        c = fit_line(rest)
        errs = _errors(sub, lambda r: c)
        lobo += errs
        print(f"    leave out {b:<7} (fit on the others)  : {_summary(errs)}")
    print(f"  leave-one-backend-out, all rows       : {_out_of_sample('leave-one-backend-out (strict)', lobo)}")
    # the same, each other backend one vote: the median of their own constants, not one line over their
    # rows (Metal has 29 of the 39 rows, so the pooled line carries Metal's overhead to every backend)
    voted = []
    for b in backends:
        c = _one_vote_each(fitted, b)
        voted += _errors([r for r in rows if r["backend"] == b], lambda r: c)
    print(f"  leave-one-backend-out, one vote each  : {_summary(voted)}")
    # the overhead is the backend's software (launches, synchronisation), which other backends cannot tell:
    # take it from the same backend's published runs of *other models* (data/llamacpp_other_models.csv,
    # never used to fit), the efficiency still from the other backends; none of the predicted rows is used
    split = []
    for b in backends:
        eff, ms = _one_vote_each(fitted, b)
        per_layer = _overhead_per_layer_elsewhere(b, eff)
        source = "the other backends' median"
        if per_layer:
            ms, source = statistics.median(per_layer) * REFERENCE_LAYERS, f"{len(per_layer)} runs of other models"
        errs = _errors([r for r in rows if r["backend"] == b], lambda r: (eff, ms))
        split += errs
        print(f"    {b:<7} efficiency {eff:.3f} (others), overhead {ms:4.2f} ms ({source}) : {_summary(errs)}")
    print(f"  leave one backend's calibration rows out, its overhead from other models: "
          f"{_out_of_sample('leave-one-backend-out, its overhead from other models', split)}")
    # leave one chip family out: refit that family's backend without it
    lofo = []
    for fam in sorted({r["family"] for r in rows}):
        sub = [r for r in rows if r["family"] == fam]
        b = sub[0]["backend"]
        rest = [r for r in rows if r["backend"] == b and r["family"] != fam]
        if len({(r["bw"], r["gb"]) for r in rest}) < 2:
            continue
        c = fit_line(rest)
        errs = _errors(sub, lambda r: c)
        lofo += errs
        print(f"    leave out {fam:<18} ({b}) : {_summary(errs)}")
    print(f"  leave-one-chip-family-out, all rows   : {_out_of_sample('leave-one-chip-family-out', lofo)}")
    # rows never used for fitting: the shipped constants against them
    val = speed_rows(validation=True)
    errs = _errors(val, lambda r: shipped[r["backend"]])
    print(f"  out of sample: {len(val)} rows whose bandwidth comes from the hardware table (not used to fit)")
    for r, e in sorted(zip(val, errs), key=lambda p: -abs(p[1])):
        print(f"    {r['backend']:<7} {r['hardware'][:44]:<44} {r['bw']:>7g} GB/s  measured {r['tps']:7.2f}  "
              f"error {e:+6.1%}")
    print(f"  out of sample, shipped constants      : {_out_of_sample('hardware table (bandwidth from spec sheets)', errs)}")
    recent = [e for r, e in zip(val, errs) if not (r["backend"] == "cuda" and OLDER_NVIDIA.search(r["hardware"]))]
    print(f"    without pre-2020 GPUs (Kepler to Turing): "
          f"{_out_of_sample('hardware table, without pre-2020 NVIDIA GPUs', recent)}")


def cpu_results() -> None:
    """Published CPU-only llama.cpp results (data/llamacpp_cpu_results.csv), never used for fitting.

    Rows with a spec-sheet bandwidth (stated or from the memory configuration) check the "cpu"
    class (efficiency x spec bandwidth); rows with a measured bandwidth (STREAM and the like, not
    the course's own probe) show the share of it llama.cpp read. Bytes per token = the model size
    llama-bench printed (dense models, short context).
    """
    k = CLASSES["cpu"]
    rows = data.load("llamacpp_cpu_results")
    print(f"CPU results : {len(rows)} published llama.cpp CPU-only rows (not used for fitting)")
    spec = []  # (row, error of the "cpu" class, error with the compute ceiling or None) for spec-sheet rows
    for r in rows:
        gb = r["model_size_gib"] * 2**30 / 1e9
        read = gb * r["tg_tps"]
        line = (f"    {r['cpu'][:34]:<34} {r['quant'][:14]:<14} {r['threads'] or '?':>3} thr  {r['tg_tps']:7.2f} tok/s "
                f"reads {read:6.1f} of {r['bandwidth_gbs']:g} GB/s ({r['bandwidth_basis']}) = {read / r['bandwidth_gbs']:.2f}")
        if r["bandwidth_basis"] != "measured":
            pred = 1 / (gb / (k.efficiency * r["bandwidth_gbs"]) + k.overhead_ms / 1000)
            ceiling = _transferred_ceiling(r, gb)
            spec.append((r, pred / r["tg_tps"] - 1, None if ceiling is None else ceiling[0] / r["tg_tps"] - 1))
            line += f"   'cpu' class {pred:6.2f} ({spec[-1][1]:+.0%})"
            if ceiling is not None:
                line += f"; with {ceiling[1]} {ceiling[0]:6.2f} ({spec[-1][2]:+.0%})"
        print(line)
    few = [e for r, e, _ in spec if r["threads"] and r["threads"] <= 2]
    rest = [e for r, e, _ in spec if not (r["threads"] and r["threads"] <= 2)]
    print(f"  'cpu' class ({k.efficiency:g} x spec bandwidth), out of sample: {_summary([e for _, e, _ in spec])}")
    print(f"    of which {len(few)} rows ran on 2 threads of a 16-core CPU: for the quantizations with slow kernels "
          f"(the IQ types) computing, not reading, set the pace, as on the course VM; without those rows: "
          f"{_summary(rest)}")
    both = [c if c is not None else e for _, e, c in spec]
    if any(c is not None for _, _, c in spec):
        print(f"  with the compute ceiling where a row states its threads and its core's clock (the rate per cycle "
              f"measured on a core of the same design here: data/cpu_compute_reference.csv, "
              f"compute_reference.transferred_rate), the slower of reading and computing: "
              f"{_out_of_sample('named CPUs (spec bandwidth, compute ceiling where known)', both)}")
        print(f"    the {sum(c is not None for _, _, c in spec)} rows with a ceiling: "
              f"{_summary([c for _, _, c in spec if c is not None])}")
    _out_of_sample("named CPUs on all their cores (the 2-thread rows left out)", rest)


# the published CPU rows' models (llamacpp_cpu_results "model") as catalog ids, for their shapes
_CPU_ROW_MODELS = {"LLaMA-3.1-8B-Instruct": "meta-llama/Llama-3.1-8B-Instruct"}
# llama-bench's file type labels as llama-quantize's names
_BENCH_LABELS = {" - Small": "_S", " - Medium": "_M", " - Large": "_L"}


def _transferred_ceiling(r: dict, gb: float) -> tuple[float, str] | None:
    """(tokens/s, what it rests on) of a published CPU row from the slower of reading ('cpu' class) and
    computing at the rate of a core of the same design measured here, scaled to the row's clock and threads;
    None where the row lacks threads, a clock, a known model or a reference for its core and types."""
    from dataclasses import replace

    from course_utils.compute_reference import file_type_matrices, transferred_rate
    from course_utils.hardware import custom_hardware

    repo = _CPU_ROW_MODELS.get(r["model"])
    if not (r["threads"] and r["clock_ghz"] and r["core"] and repo):
        return None
    label = r["quant"]
    for tail, short in _BENCH_LABELS.items():
        label = label.replace(tail, short)
    types = file_type_matrices(label)
    rate = transferred_rate(r["core"], r["clock_ghz"], r["threads"], *types) if types else None
    if rate is None:
        return None
    shape = fit.shape_for(repo)
    n = int(r["tg_test"][2:]) if r["tg_test"].startswith("tg") else 1
    hw = replace(custom_hardware(r["bandwidth_gbs"], "cpu"), compute_gmacs=rate.gmacs, threads=rate.threads,
                 compute_row_ns=rate.row_ns)
    macs = fit.macs_per_token(shape, max(1, n // 2)) + fit.rows_per_token(shape) * hw.row_macs
    return fit.tokens_per_second(gb * fit.GB, hw, macs), f"{rate.clock_ghz:g} GHz {r['core']} compute"


def _one_vote_each(fitted: dict[str, tuple[float, float]], backend: str) -> tuple[float, float]:
    """(efficiency, overhead ms) for a backend from the others: the median of their own fitted constants."""
    others = [c for b, c in fitted.items() if b != backend]
    return statistics.median(e for e, _ in others), statistics.median(m for _, m in others)


def _other_model_runs() -> list[tuple[dict, object, object, int]]:
    """(row, hardware with the row's backend, fit.estimate of the row's model, layers) for each published run
    in data/llamacpp_other_models.csv: the estimates a learner's fit note quotes (course_utils.published_runs)."""
    from course_utils import published_runs

    return [(p.row, p.hardware, p.estimate, p.layers) for p in published_runs.runs()]


def _overhead_per_layer_elsewhere(backend: str, efficiency: float) -> list[float]:
    """Per layer, what each published run of another model on this backend spent beyond reading its bytes
    at ``efficiency`` x the table's bandwidth (ms; data/llamacpp_other_models.csv)."""
    return [(1000 / r["tg_tps"] - e.read_per_token_gb / (efficiency * hw.bandwidth_gbs) * 1000) / layers
            for r, hw, e, layers in _other_model_runs() if r["backend"] == backend]


def other_models() -> None:
    """Published decode speeds of other models and newer builds (data/llamacpp_other_models.csv), never used for
    fitting: the backend's shipped constants on the table's bandwidth, bytes per token from the estimator.

    Tables that give one chip and one build several models also test how the per-token overhead depends on
    the model: each model is predicted with the overhead the table's *other* models spent beyond reading,
    taken per token (the same whatever the model) or per layer (what the estimator ships).
    """
    from collections import defaultdict

    runs = _other_model_runs()
    print(f"other models: {len(runs)} published decode speeds of models other than Llama 2 7B, or newer builds "
          f"(not used for fitting)")
    shipped, fixed, tables = [], [], defaultdict(list)
    for r, hw, e, layers in runs:
        k = CLASSES[r["backend"]]
        reading_ms = fit.seconds_per_token(e.read_per_token_gb * fit.GB, hw, layers=0) * 1000  # reading alone
        beyond_ms = 1000 / r["tg_tps"] - reading_ms  # what the run spent per token beyond reading at that rate
        shipped.append(e.tokens_per_s / r["tg_tps"] - 1)
        fixed.append(1000 / (reading_ms + k.overhead_ms) / r["tg_tps"] - 1)
        tables[(r["source_url"], r["hardware"], r["build"])].append((r, reading_ms, beyond_ms, layers))
        print(f"    {r['backend']:<6} {r['hardware'][:28]:<28} {r['model_repo'].split('/')[1][:22]:<22} {r['quant']:<6} "
              f"{r['test']:<5} measured {r['tg_tps']:7.2f} predicted {e.tokens_per_s:7.1f} ({shipped[-1]:+4.0%}); "
              f"beyond reading {beyond_ms:5.2f} ms = {layers} layers x {beyond_ms / layers:.3f}  [{r['build']}]")
    print(f"  other models, shipped constants       : {_out_of_sample('other models and newer builds', shipped)}")
    print(f"    with one overhead per token whatever the layer count (before 2026-12-02): {_summary(fixed)}")
    per_token, per_layer = [], []
    for group in tables.values():
        if len({r["model_repo"] for r, *_ in group}) < 2:
            continue
        for r, reading_ms, _, layers in group:
            others = [(b, n) for o, _, b, n in group if o["model_repo"] != r["model_repo"]]
            c_token = statistics.median(b for b, _ in others)
            c_layer = statistics.median(b / n for b, n in others)
            per_token.append(1000 / (reading_ms + c_token) / r["tg_tps"] - 1)
            per_layer.append(1000 / (reading_ms + c_layer * layers) / r["tg_tps"] - 1)
    print(f"  one chip and one build, several models ({sum(len({r['model_repo'] for r, *_ in g}) > 1 for g in tables.values())}"
          f" tables): each model from the overhead of the table's other models")
    print(f"    taken per token                     : {_summary(per_token)}")
    print(f"    taken per layer (x layers/{REFERENCE_LAYERS} shipped) : {_summary(per_layer)}")


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


def here(gguf: str, threads: int | None = None, runs: int = 3, tokens: int = 128) -> None:
    """Real llama.cpp (the xllamacpp wheel) on a GGUF here vs the prediction, measured back to back."""
    import json
    import urllib.request

    import xllamacpp

    from course_utils.hardware import llama_cpp_threads

    from course_utils.compute_probe import measure_compute_rate

    threads = threads or llama_cpp_threads()
    probe = measure_compute_rate(threads)  # before this process holds a server of its own
    rate = probe.gmacs
    p = xllamacpp.CommonParams()
    p.model.path = gguf
    p.n_ctx = 512
    p.cpuparams.n_threads = threads
    p.warmup = True
    srv = xllamacpp.Server(p)
    base = srv.listening_address.rstrip("/")
    for i in range(runs):
        pred = fit.predict_here(gguf, context=tokens // 2, threads=threads, compute_gmacs=rate,
                                compute_row_ns=probe.row_ns)
        body = json.dumps({"prompt": "Once upon a time", "n_predict": tokens, "temperature": 0,
                           "ignore_eos": True}).encode()
        req = urllib.request.Request(base + "/completion", body, {"Content-Type": "application/json"})
        measured = json.load(urllib.request.urlopen(req, timeout=300))["timings"]["predicted_per_second"]
        print(f"here        : run {i + 1}: llama.cpp {measured:.1f} tokens/s with {threads} threads; predicted "
              f"{pred.tokens_per_s:.1f} ({pred.bandwidth_gbs:g} GB/s measured x {pred.efficiency:g}, compute {rate:g} "
              f"G MACs/s + {probe.row_ns:g} ns per row: {'compute' if pred.compute_bound else 'memory'}-bound); "
              f"error {pred.tokens_per_s / measured - 1:+.0%}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--here":
        here(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
        sys.exit(0)
    file_sizes()
    speeds()
    cpu_results()
    other_models()
    targets()
    audit_time()
    bandwidth()
