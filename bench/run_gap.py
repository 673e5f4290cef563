"""Where `course-utils run`'s gap comes from: the prediction beside three measurements, one run each round.

For the course's real model (SmolLM2-135M-Instruct) at each thread count, interleaved over ``--rounds``:
  predicted     the estimate as `course-utils run` makes it (probes in the model's types, their block scales
                spread as the model's: block_scales; bandwidth here)
  before        the same with the probes' scales as random weights give them (before 2026-12-04); both at
                the run's context (the prompt the server counted and half the answer), as `course-utils run`
  twin          a random-weight GGUF of the model's exact shape and types (gguf_writer.make_gguf), timed
                as the probes are (plain /completion, best of 2 after a warm-up): what the speed model sees
  real, plain   the real model, timed the same way: the twin's gap is the weights' values alone
  real, run     the real model through the course's harness, a streamed chat (what `course-utils run` shows)
The steps between them split the error: speed model (before / twin), values (twin / real plain),
protocol (real plain / real run: the best of two warm runs of a 4-token prompt against one streamed chat
run; the streaming itself costs about 1 %: the course's harness and a bare client alike, and a bare
stream against no stream 0.5 %, on the same server). Each figure is llama.cpp's own decode timing.

On the 2-vCPU AMD EPYC VM of 2026-12-04 the "values" step was the largest, 9-20 %: not the sampler, not
denormals, not attention's sharpness nor where the pages lie (each tried), but the blocks' f16 scales. The
wheel's x86 build converts them through a 256 KB table (ggml_table_f32_f16; its dot products have no F16C
instruction), and perf showed the same kernels, each slower: the real weights' scales spread over more of
the table than random weights'. Probes written with the model's spread (block_scales) close that step.

    .venv-test/bin/python bench/run_gap.py [--threads 1,2] [--rounds 3] [--tokens 64] [--model PATH]
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
    from course_utils.block_scales import file_spreads
    from course_utils.compute_probe import attention_layout, rate_for_model, time_decode
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
    ap.add_argument("--model", default=None, help="another real GGUF (default: the bundled SmolLM2-135M; "
                                                  "bench/requantize.py writes it in other types)")
    a = ap.parse_args()
    real = Path(a.model) if a.model else resolve_model(None)
    shape = fit.shape_from_gguf(str(real))
    twin = Path(tempfile.mkdtemp(prefix="twin-")) / "twin.gguf"
    make_gguf(twin, layers=shape.n_layers, embd=shape.hidden, ff=shape.ffn, heads=shape.n_heads,
              kv_heads=shape.n_kv_heads, qtype=shape.layer_type, embd_type=shape.output_type)
    spreads = file_spreads(real, shape.layer_type, shape.output_type)
    print(f"block scales: layers {spreads[0]}, output {spreads[1]}")
    print(f"{real.name}: {shape.n_layers} layers x {shape.hidden}, ff {shape.ffn}, {shape.n_heads}/{shape.n_kv_heads} heads, "
          f"{shape.layer_type} layers, {shape.output_type} output; twin {twin}")
    for threads in [int(x) for x in a.threads.split(",")]:
        rows = {k: [] for k in ("predicted", "before", "predicted, plain", "twin", "real, plain", "real, run")}
        t0 = time.perf_counter()
        for r in range(a.rounds):
            rows["twin"].append(time_decode(twin, threads, a.tokens, 2, n_ctx=512))
            rows["real, plain"].append(time_decode(real, threads, a.tokens, 2, n_ctx=512))
            with LocalServer(real, n_ctx=2048, threads=threads) as srv:
                run = time_generation(srv.generate(), prompt=DEFAULT_PROMPT, max_new_tokens=a.tokens, runs=1)
            rows["real, run"].append(run.server_tokens_per_s or run.tokens_per_s)
            bw = measure_memory_bandwidth(threads=threads).gbs
            # at the context a token attends over on average, as course-utils run takes it: the prompt and half
            # the answer (the plain runs: four words and half of their tokens)
            run_context = (run.prompt_tokens or 0) + run.tokens // 2
            for key, sp, context in (("predicted", spreads, run_context), ("before", (None, None), run_context),
                                     ("predicted, plain", spreads, 4 + a.tokens // 2)):
                rate = rate_for_model(shape.layer_type, shape.output_type, threads=threads, spreads=sp,
                                      attention=attention_layout(shape))
                est = fit.predict_here(str(real), context=context, threads=threads, bandwidth_gbs=bw,
                                       compute_gmacs=rate.gmacs, compute_row_ns=rate.row_ns,
                                       compute_attn_ns=rate.attn_ns)
                rows[key].append(est.tokens_per_s)
            print(f"  threads {threads}, round {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f}" for k, v in rows.items()),
                  flush=True)
            compute_probe._RATES.clear()  # each round probes afresh, as a new `course-utils run` does
        med = {k: statistics.median(v) for k, v in rows.items()}
        print(f"threads {threads} (medians of {a.rounds} rounds, {time.perf_counter() - t0:.0f} s): "
              + ", ".join(f"{k} {v:.1f} tok/s" for k, v in med.items()))
        print(f"  speed model  before / twin           {med['before'] / med['twin'] - 1:+6.1%} (random-weight probes, "
              "random-weight twin)")
        print(f"  values       twin / real, plain      {med['twin'] / med['real, plain'] - 1:+6.1%} "
              f"({1000 / med['real, plain'] - 1000 / med['twin']:.2f} ms per token)")
        print(f"  protocol     real plain / real run   {med['real, plain'] / med['real, run'] - 1:+6.1%}")
        for key in ("before", "predicted"):
            print(f"  in all       {key:<9} / real run  {med[key] / med['real, run'] - 1:+6.1%}"
                  f" (per round: {', '.join(f'{p / m - 1:+.0%}' for p, m in zip(rows[key], rows['real, run']))})")
        print(f"  spread probes: predicted / real plain {med['predicted, plain'] / med['real, plain'] - 1:+6.1%}")


if __name__ == "__main__":
    main()
