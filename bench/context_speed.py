"""Decode speed against the context already cached: the prediction beside llama.cpp on the real model.

For the course's real model (or --model) at each thread count: the compute probes as `course-utils run` takes
them (the model's types and block-scale spread, compute_probe), then prompts of several lengths (a repeated
sentence, tokenized by the server) each followed by 32 decoded tokens, timed by llama.cpp (best of --runs).
Each is predicted three times: attention over the cache at the weights' multiply-add rate (before 2026-12-04),
at its own cost measured on the narrow probe's heads after 512 and 1,536 cached tokens (Hardware.compute_attn_ns;
before 2026-12-05), and at its own cost measured on the model's heads (compute_probe.attention_probe_shape: what
`course-utils run` uses).

    .venv-test/bin/python bench/context_speed.py [--threads 1,2] [--runs 2] [--model PATH]
"""
from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROMPTS = (4, 250, 1000, 2000, 3500)


def main() -> None:
    from course_utils import compute_probe, fit
    from course_utils.block_scales import file_spreads
    from course_utils.engine import LocalServer
    from course_utils.gguf_models import resolve_model
    from course_utils.system import measure_memory_bandwidth

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--model", default=None)
    a = ap.parse_args()
    path = Path(a.model) if a.model else resolve_model(None)
    shape = fit.shape_from_gguf(str(path))
    spreads = file_spreads(path, shape.layer_type, shape.output_type)

    def post(url, body):
        req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=600) as r:  # noqa: S310 - our own child on 127.0.0.1
            return json.load(r)

    for threads in [int(x) for x in a.threads.split(",")]:
        compute_probe._RATES.clear()
        rate = compute_probe.rate_for_model(shape.layer_type, shape.output_type, threads=threads, spreads=spreads)
        heads = compute_probe.rate_for_model(shape.layer_type, shape.output_type, threads=threads, spreads=spreads,
                                             attention=compute_probe.attention_layout(shape))
        bw = measure_memory_bandwidth(threads=threads).gbs
        print(f"{path.name}, threads {threads}: {rate.gmacs} G MACs/s, {rate.row_ns} ns per row, attention "
              f"{rate.attn_ns} ns per MAC on the narrow probe's heads ({rate.attn_ns * rate.gmacs:.1f} weights' MACs), "
              f"{heads.attn_ns} on the model's {heads.attention}, {bw:.1f} GB/s", flush=True)
        before_errs, narrow_errs, now_errs = [], [], []
        with LocalServer(path, n_ctx=4096, threads=threads) as srv:
            tokens = post(srv.url + "/tokenize", {"content": "The quick brown fox jumps over the lazy dog. " * 400})
            tokens = tokens["tokens"]
            for n in PROMPTS:
                measured = max(post(srv.url + "/completion", {"prompt": tokens[:n], "n_predict": 32, "temperature": 0,
                                                              "ignore_eos": True, "cache_prompt": False}
                                    )["timings"]["predicted_per_second"] for _ in range(a.runs))
                kw = dict(threads=threads, bandwidth_gbs=bw, compute_gmacs=rate.gmacs, compute_row_ns=rate.row_ns)
                before = fit.predict_here(str(path), context=n + 16, **kw).tokens_per_s
                narrow = fit.predict_here(str(path), context=n + 16, compute_attn_ns=rate.attn_ns, **kw).tokens_per_s
                now = fit.predict_here(str(path), context=n + 16, compute_attn_ns=heads.attn_ns, **kw).tokens_per_s
                before_errs.append(before / measured - 1)
                narrow_errs.append(narrow / measured - 1)
                now_errs.append(now / measured - 1)
                print(f"  prompt {n:5d}: measured {measured:6.1f} | attention as weights {before:6.1f} "
                      f"({before_errs[-1]:+6.1%}) | narrow probe's heads {narrow:6.1f} ({narrow_errs[-1]:+6.1%}) "
                      f"| the model's heads {now:6.1f} ({now_errs[-1]:+6.1%})", flush=True)
        for label, errs in (("attention as weights", before_errs), ("narrow probe's heads", narrow_errs),
                            ("the model's heads", now_errs)):
            print(f"  {label:<20}: max |error| {max(abs(e) for e in errs):.1%} over {len(errs)} prompt lengths")


if __name__ == "__main__":
    main()
