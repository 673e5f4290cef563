"""Predict llama.cpp's CPU decode speed here from two probes, then time real runs side by side.

Probes (as the course makes them): this machine's read bandwidth (system.measure_memory_bandwidth)
and llama.cpp's compute rate and cost per matrix row on the course's two probe models
(compute_probe), all with the same thread count; the probes as before (Q4_1 layers, Q8_0 output)
and, for each model, in its own layer and output types with its block scales' spread (compute_probe.rate_for_model;
the random-weight models' spread is the probes' own), side by side.
Then models of other shapes and types (random weights, SmolLM2's tokenizer, built by
gguf_writer.make_gguf) and the real
SmolLM2-135M-Instruct are predicted (memory only, and the slower of memory and compute) and timed on
the xllamacpp wheel's server. None of the timed models is the probe.

    .venv-test/bin/python bench/cpu_overhead.py [--threads 1,2] [--runs 2] [--tokens 64] [--dir DIR]
                                                [--types Q4_K,Q6_K] [--typed-only] [--only MoE]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# (layers, embd, ff, type): layer count at SmolLM2's width, width at a fixed depth (Q4_1, the probe's
# type), then one shape in F32 / F16 / Q8_0: more bytes per multiply-add, so reading can set the pace
SHAPES = [(6, 576, 1536, "Q4_1"), (15, 576, 1536, "Q4_1"), (30, 576, 1536, "Q4_1"), (60, 576, 1536, "Q4_1"),
          (24, 384, 1024, "Q4_1"), (24, 1024, 2816, "Q4_1"), (24, 1536, 4096, "Q4_1"), (16, 2048, 5632, "Q4_1"),
          (16, 1024, 2816, "F32"), (16, 1024, 2816, "F16"), (16, 1024, 2816, "Q8_0")]
# the same shape in other types: K-quants and i-quants (their kernels differ from Q4_1's), each predicted
# from probes in Q4_1 and from probes in its own type (compute_probe.probe_type)
TYPED_SHAPES = [(16, 1024, 2816, q) for q in ("Q4_K", "Q5_K", "Q6_K", "Q3_K", "Q2_K", "IQ4_XS", "IQ2_XXS")] + \
    [(24, 1536, 4096, "Q4_K"), (24, 512, 1536, "Q6_K")]
# mixtures of experts (layers, embd, expert ff, type, experts, used), each beside the dense model of its
# active size (ff = used x expert ff) and of its total size (ff = experts x expert ff)
MOE_SHAPES = [(8, 512, 1024, "Q4_1", 8, 2), (8, 768, 768, "Q4_1", 16, 4)]
# Llama 4 Maverick's layout (layers, embd, expert ff, type, experts, used, MoE every Nth layer, dense ff):
# experts and a shared expert on every second layer, dense feed-forwards between (no dense twin: its
# layers differ)
INTERLEAVED_SHAPES = [(8, 768, 768, "Q4_1", 16, 1, 2, 1536)]
# Gemma 4's layout (layers, embd, ff, per-layer embedding width; 1 in 2 layers in a 256-token window), without
# and with per-layer embeddings (E2B/E4B): a vocabulary-sized table a token looks up one row of, which makes
# the file three times larger but is not read whole per token (gguf_writer.make_gemma4_gguf)
GEMMA4_SHAPES = [(6, 512, 1024, 256)]
# Qwen3.5's hybrid (layers, embd, ff, type, DeltaNet head dim, key heads, value heads; every 4th layer attends):
# a small recurrent state, then one of 1 MB per DeltaNet layer, which each token reads and rewrites (about a
# sixth of its bytes), to see whether the state's moves the estimate adds hold (gguf_writer.make_qwen35_gguf)
QWEN35_SHAPES = [(8, 1024, 2816, "Q4_1", 64, 4, 8), (8, 1024, 2816, "Q4_1", 128, 8, 16)]
# Granite 4.0's hybrid (layers, embd, ff, type, Mamba-2 state size, heads; layers 4 and 8 attend): a state of
# state x 2 x embd per Mamba-2 layer: 128 kB, then 2 MB (gguf_writer.make_granite_hybrid_gguf)
GRANITE_SHAPES = [(8, 1024, 2816, "Q4_1", 16, 32), (8, 1024, 2816, "Q4_1", 256, 32)]


def _summary(errs: list[float]) -> str:
    a = [abs(e) for e in errs]
    return f"median |error| {statistics.median(a):5.1%}, max {max(a):5.1%} ({len(a)} models)"


def main() -> None:
    from course_utils import fit
    from course_utils.block_scales import file_spreads
    from course_utils.compute_probe import _usable_spreads, measure_compute_rate, probe_type, time_decode
    from course_utils.gguf_writer import make_gemma4_gguf, make_gguf, make_granite_hybrid_gguf, make_qwen35_gguf
    from course_utils.gguf_models import resolve_model
    from course_utils.system import measure_memory_bandwidth

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--dir", default=None, help="where the shaped models are kept (default: a temp folder)")
    ap.add_argument("--types", default=None, help="only these of the K/i-quant shapes (default: all), e.g. Q4_K,Q6_K")
    ap.add_argument("--typed-only", action="store_true", help="only the K/i-quant shapes and the real SmolLM2")
    ap.add_argument("--only", default=None, help="only the models whose name contains this text (and SmolLM2)")
    a = ap.parse_args()
    folder = Path(a.dir or tempfile.mkdtemp(prefix="shaped-"))
    folder.mkdir(parents=True, exist_ok=True)
    models = {}
    t0 = time.perf_counter()
    ap_types = a.types.split(",") if a.types else None

    def wanted(label: str) -> bool:  # with --only, the other models are not even built
        return a.only is None or a.only in label
    for layers, embd, ff, qtype in ([] if a.typed_only else SHAPES) + [s for s in TYPED_SHAPES
                                                                       if ap_types is None or s[3] in ap_types]:
        path = folder / f"shaped-{layers}x{embd}x{ff}-{qtype}.gguf"
        if not path.exists() and wanted(f"{layers}x{embd}x{ff} {qtype}"):
            make_gguf(path, layers=layers, embd=embd, ff=ff, qtype=qtype)
        models[f"{layers}x{embd}x{ff} {qtype}"] = path
    moe_pairs = []  # (moe, dense of the active size, dense of the total size) model names
    for layers, embd, ff, qtype, experts, used in [] if a.typed_only else MOE_SHAPES:
        names = []
        for label, kwargs in ((f"{layers}x{embd}x{ff} {used}/{experts} MoE", {"ff": ff, "experts": experts,
                                                                              "experts_used": used}),
                              (f"{layers}x{embd}x{used * ff} (active)", {"ff": used * ff}),
                              (f"{layers}x{embd}x{experts * ff} (total)", {"ff": experts * ff})):
            path = folder / (label.replace(" ", "_").replace("/", "of").replace("(", "").replace(")", "") + ".gguf")
            if not path.exists() and wanted(label):
                make_gguf(path, layers=layers, embd=embd, qtype=qtype, **kwargs)
            models[label] = path
            names.append(label)
        moe_pairs.append(tuple(names))
    for layers, embd, ff, qtype, experts, used, step, dense_ff in [] if a.typed_only else INTERLEAVED_SHAPES:
        label = f"{layers}x{embd}x{ff} {used}/{experts} MoE every {step}"
        path = folder / f"interleaved-{layers}x{embd}x{ff}-{used}of{experts}-every{step}-{dense_ff}-{qtype}.gguf"
        if not path.exists() and wanted(label):
            make_gguf(path, layers=layers, embd=embd, ff=ff, qtype=qtype, experts=experts, experts_used=used,
                      moe_step=step, dense_ff=dense_ff)
        models[label] = path
    ple_pairs = []  # (without, with per-layer embeddings) model names
    for layers, embd, ff, per_layer in [] if a.typed_only else GEMMA4_SHAPES:
        names = []
        for label, width in ((f"{layers}x{embd}x{ff} Gemma 4", 0), (f"{layers}x{embd}x{ff} Gemma 4 + per-layer", per_layer)):
            path = folder / f"gemma4-{layers}x{embd}x{ff}-ple{width}.gguf"
            if not path.exists() and wanted(label):
                make_gemma4_gguf(path, swa_layers=(True, False) * (layers // 2), layer_kv_heads=(1,) * layers,
                                 embd=embd, ff=ff, per_layer_embd=width)
            models[label] = path
            names.append(label)
        ple_pairs.append(tuple(names))
    for layers, embd, ff, qtype, state, k_heads, v_heads in [] if a.typed_only else QWEN35_SHAPES:
        label = f"{layers}x{embd}x{ff} Qwen3.5 hybrid, state {state}x{v_heads * state}"
        path = folder / f"qwen35-{layers}x{embd}x{ff}-{state}-{k_heads}-{v_heads}-{qtype}.gguf"
        if not path.exists() and wanted(label):
            make_qwen35_gguf(path, layers=layers, embd=embd, ff=ff, heads=embd // 64, kv_heads=4, head_dim=64,
                             state_size=state, k_heads=k_heads, v_heads=v_heads, qtype=qtype)
        models[label] = path
    for layers, embd, ff, qtype, state, heads in [] if a.typed_only else GRANITE_SHAPES:
        label = f"{layers}x{embd}x{ff} Granite 4.0 hybrid, state {state}x{2 * embd}"
        path = folder / f"granite-{layers}x{embd}x{ff}-{state}-{heads}-{qtype}.gguf"
        if not path.exists() and wanted(label):
            make_granite_hybrid_gguf(path, layer_kv_heads=(0, 0, 0, 4) * (layers // 4), embd=embd, ff=ff,
                                     heads=embd // 64, state_size=state, ssm_heads=heads, qtype=qtype)
        models[label] = path
    if a.only:
        keep = {n for n in models if a.only in n}
        ple_pairs = [p for p in ple_pairs if set(p) <= keep]
        moe_pairs = [p for p in moe_pairs if set(p) <= keep]
        models = {n: p for n, p in models.items() if n in keep}
    models["SmolLM2-135M (real)"] = resolve_model(None)
    print(f"models: {len(models)} ({folder}, built in {time.perf_counter() - t0:.0f} s)")
    for threads in [int(x) for x in a.threads.split(",")]:
        rate = measure_compute_rate(threads, fresh=True)
        print(f"threads {threads}: probes as before (Q4_1 layers, Q8_0 output) "
              f"{rate.tokens_per_s} tok/s (wide, {rate.macs_per_token / 1e6:.0f} M MACs/token) "
              f"and {rate.narrow_tokens_per_s} tok/s (narrow): {rate.gmacs} G MACs/s and {rate.row_ns} ns per matrix row "
              f"({rate.seconds} s)")
        single = rate.tokens_per_s * rate.macs_per_token / 1e9  # one rate from the wide probe alone (before 2026-12-02)
        mem_errs, both_errs, single_errs, own_errs, typed, state_errs = [], [], [], [], [], []
        seen, rates = {}, {}
        for name, path in models.items():
            shape = fit.shape_from_gguf(str(path))
            pair = (probe_type(shape.layer_type), probe_type(shape.output_type, "Q8_0"))
            spreads = _usable_spreads(file_spreads(path, *pair), *pair)  # None for the random-weight models
            key = pair + tuple(sp.tag if sp else "" for sp in spreads)
            if key not in rates:  # each pair of probe types (and spreads) timed afresh once per thread count
                r = rates[key] = rate if key == ("Q4_1", "Q8_0", "", "") else \
                    measure_compute_rate(threads, fresh=True, qtype=pair[0], embd_type=pair[1], spreads=spreads)
                spread_note = ", the model's scale spread" if any(spreads) else ""
                print(f"  probes with {pair[0]} layers, {pair[1]} output{spread_note}: {r.tokens_per_s} and {r.narrow_tokens_per_s} "
                      f"tok/s: {r.gmacs} G MACs/s and {r.row_ns} ns per matrix row ({r.seconds} s)", flush=True)
            own_rate = rates[key]
            qtype = "/".join(pair)
            bw = measure_memory_bandwidth(threads=threads).gbs
            measured = time_decode(path, threads, a.tokens, a.runs, n_ctx=512)
            mem = fit.predict_here(str(path), context=a.tokens // 2, threads=threads, bandwidth_gbs=bw)
            both = fit.predict_here(str(path), context=a.tokens // 2, threads=threads, bandwidth_gbs=bw,
                                    compute_gmacs=rate.gmacs, compute_row_ns=rate.row_ns)
            one = fit.predict_here(str(path), context=a.tokens // 2, threads=threads, bandwidth_gbs=bw,
                                   compute_gmacs=single)
            own = fit.predict_here(str(path), context=a.tokens // 2, threads=threads, bandwidth_gbs=bw,
                                   compute_gmacs=own_rate.gmacs, compute_row_ns=own_rate.row_ns)
            own_errs.append(own.tokens_per_s / measured - 1)
            if pair != ("Q4_1", "Q8_0"):  # the models whose probes are not the ones as before
                typed.append(len(own_errs) - 1)
            mem_errs.append(mem.tokens_per_s / measured - 1)
            both_errs.append(both.tokens_per_s / measured - 1)
            single_errs.append(one.tokens_per_s / measured - 1)
            seen[name] = (measured, both.tokens_per_s)
            read_share = measured * both.read_per_token_gb / bw  # what llama.cpp read, over the measurement
            print(f"  {name:<22} measured {measured:7.1f} | memory only {mem.tokens_per_s:7.1f} ({mem_errs[-1]:+6.1%}) | "
                  f"one rate {one.tokens_per_s:7.1f} ({single_errs[-1]:+6.1%}) | "
                  f"rate and rows {both.tokens_per_s:7.1f} ({both_errs[-1]:+6.1%}, "
                  f"{'compute' if both.compute_bound else 'memory'})"
                  + f" | {qtype} probes {own.tokens_per_s:7.1f} ({own_errs[-1]:+6.1%})"
                  + f" | {bw:.1f} GB/s, read {read_share:.2f} of it, "
                  f"{measured * both.macs_per_token / 1e9:.1f} G MACs/s", flush=True)
            if shape.recurrent_state_elems:  # a hybrid: the same prediction without its state's moves (before 2026-12-04)
                moved_b = fit.recurrent_moved_bytes(shape)
                moved_s = moved_b / (own.efficiency * own.bandwidth_gbs * fit.GB)
                bare = 1 / (1 / own.tokens_per_s - moved_s)
                state_errs.append((own_errs[-1], bare / measured - 1))
                print(f"    its state moved ({moved_b / 1e6:.1f} MB): {moved_s * 1000:.2f} ms per token; without that "
                      f"{bare:7.1f} ({state_errs[-1][1]:+6.1%})", flush=True)
        print(f"  memory only                         : {_summary(mem_errs)}")
        print(f"  memory and one compute rate (before): {_summary(single_errs)}; real SmolLM2-135M {single_errs[-1]:+.1%}")
        print(f"  memory and compute, rate and rows   : {_summary(both_errs)}; real SmolLM2-135M {both_errs[-1]:+.1%}")
        print(f"  the same, probes in the model's types (now): {_summary(own_errs)}; real SmolLM2-135M "
              f"{own_errs[-1]:+.1%}")
        if typed:
            print(f"    F16/F32/Q8_0/K/i-quant models, Q4_1 probes as before: {_summary([both_errs[i] for i in typed])}")
            print(f"    F16/F32/Q8_0/K/i-quant models, probes in their types: {_summary([own_errs[i] for i in typed])}")
        if state_errs:
            print(f"    hybrids, their state's moves counted: {_summary([e for e, _ in state_errs])}; "
                  f"not counted: {_summary([e for _, e in state_errs])}")
        for moe, active, total in moe_pairs:  # the MoE's speed against the dense models of its active and total size
            (m, p), (ma, pa), (mt, pt) = seen[moe], seen[active], seen[total]
            print(f"  {moe}: {m / mt:.2f} x the dense model of its total size (estimate {p / pt:.2f} x), "
                  f"{m / ma:.2f} x the dense model of its active size (estimate {p / pa:.2f} x)")
        for plain, ple in ple_pairs:  # per-layer embeddings: a larger file, about the same speed
            (m0, p0), (m1, p1) = seen[plain], seen[ple]
            size = Path(models[ple]).stat().st_size / Path(models[plain]).stat().st_size
            print(f"  {ple}: {m1 / m0:.2f} x the speed without (estimate {p1 / p0:.2f} x) for a file {size:.1f} x larger")


if __name__ == "__main__":
    main()
