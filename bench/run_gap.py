"""Where `course-utils run`'s gap comes from: the prediction beside three measurements, one run each round.

For the course's real model (SmolLM2-135M-Instruct) at each thread count, interleaved over ``--rounds``:
  predicted     the estimate as `course-utils run` makes it (probes in the model's types, bandwidth here)
  twin          a random-weight GGUF of the model's exact shape and types (gguf_writer.make_gguf), timed
                as the probes are (plain /completion, best of 2 after a warm-up): what the speed model sees
  real, plain   the real model, timed the same way: the twin's gap is the weights' values alone
  real, run     the real model through the course's harness, a streamed chat (what `course-utils run` shows)
The steps between them split the error: speed model (predicted / twin), values (twin / real plain),
streaming client (real plain / real run). Each figure is llama.cpp's own decode timing.

On the 2-vCPU AMD EPYC VM of 2026-12-04 the "values" step was the largest: at 1 thread the estimate met
the twin within 5 %, while the real weights decoded 15-30 % slower than the twin. Not the sampler (greedy
top-k 1 alike), not denormals (flush-to-zero preloaded alike), not attention's sharpness (the twin's Q and K
scaled 4x and 16x alike), not where the pages lie (after drop_caches alike); perf showed the same kernels
in the same shares, and files mixing the real embedding with random layers (or the reverse) ran as the twin.

    .venv-test/bin/python bench/run_gap.py [--threads 1,2] [--rounds 3] [--tokens 64]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from course_utils import compute_probe, fit
    from course_utils.compute_probe import rate_for_model, time_decode
    from course_utils.engine import LocalServer
    from course_utils.gguf_models import resolve_model
    from course_utils.gguf_writer import make_gguf
    from course_utils.local_run import DEFAULT_PROMPT
    from course_utils.system import measure_memory_bandwidth
    from course_utils.timing import time_generation

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=64)
    a = ap.parse_args()
    real = resolve_model(None)
    shape = fit.shape_from_gguf(str(real))
    twin = Path(tempfile.mkdtemp(prefix="twin-")) / "twin.gguf"
    make_gguf(twin, layers=shape.n_layers, embd=shape.hidden, ff=shape.ffn, heads=shape.n_heads,
              kv_heads=shape.n_kv_heads, qtype=shape.layer_type, embd_type=shape.output_type)
    print(f"{real.name}: {shape.n_layers} layers x {shape.hidden}, ff {shape.ffn}, {shape.n_heads}/{shape.n_kv_heads} heads, "
          f"{shape.layer_type} layers, {shape.output_type} output; twin {twin}")
    for threads in [int(x) for x in a.threads.split(",")]:
        rows = {k: [] for k in ("predicted", "twin", "real, plain", "real, run")}
        t0 = time.perf_counter()
        for r in range(a.rounds):
            rate = rate_for_model(shape.layer_type, shape.output_type, threads=threads)
            bw = measure_memory_bandwidth(threads=threads).gbs
            est = fit.predict_here(str(real), context=2 * a.tokens, threads=threads, bandwidth_gbs=bw,
                                   compute_gmacs=rate.gmacs, compute_row_ns=rate.row_ns)
            rows["predicted"].append(est.tokens_per_s)
            rows["twin"].append(time_decode(twin, threads, a.tokens, 2, n_ctx=512))
            rows["real, plain"].append(time_decode(real, threads, a.tokens, 2, n_ctx=512))
            with LocalServer(real, n_ctx=2048, threads=threads) as srv:
                run = time_generation(srv.generate(), prompt=DEFAULT_PROMPT, max_new_tokens=a.tokens, runs=1)
            rows["real, run"].append(run.server_tokens_per_s or run.tokens_per_s)
            print(f"  threads {threads}, round {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f}" for k, v in rows.items()),
                  flush=True)
            compute_probe._RATES.clear()  # each round probes afresh, as a new `course-utils run` does
        med = {k: statistics.median(v) for k, v in rows.items()}
        print(f"threads {threads} (medians of {a.rounds} rounds, {time.perf_counter() - t0:.0f} s): "
              + ", ".join(f"{k} {v:.1f} tok/s" for k, v in med.items()))
        print(f"  speed model  predicted / twin        {med['predicted'] / med['twin'] - 1:+6.1%}")
        print(f"  values       twin / real, plain      {med['twin'] / med['real, plain'] - 1:+6.1%} "
              f"({1000 / med['real, plain'] - 1000 / med['twin']:.2f} ms per token)")
        print(f"  streaming    real plain / real run   {med['real, plain'] / med['real, run'] - 1:+6.1%}")
        print(f"  in all       predicted / real run    {med['predicted'] / med['real, run'] - 1:+6.1%}"
              f" (per round: {', '.join(f'{p / m - 1:+.0%}' for p, m in zip(rows['predicted'], rows['real, run']))})")


if __name__ == "__main__":
    main()
