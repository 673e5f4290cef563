"""How fast llama.cpp *computes* on this machine's CPU: a small probe model, timed on the real engine.

A decode step reads every weight once and does one multiply-accumulate (MAC) with it. On a CPU
with few cores (or a build without the CPU's widest vector instructions) the MACs, not the memory
reads, set the pace: on the course's 2-vCPU VM llama.cpp's generic wheel decodes at ~6 billion
MACs per second per thread, while its memory would allow two to three times the speed
(``bench/cpu_overhead.py``). The estimator takes the slower of the two (fit.seconds_per_token).

The probes are llama-architecture GGUFs with random weights (Q4_1, the bundled SmolLM2's
tokenizer), built once into the models folder: one wide (8 layers of width 1024) and one narrow
(24 layers of width 384). Each matrix row a decode step computes costs a fixed time beyond its
MACs (the dot product's setup and reduction), so a narrow model, with many short rows, computes
fewer MACs per second. On the course's AMD VM (2 threads), over eight Q4_1 models of other shapes
and the real SmolLM2-135M, one rate from the wide probe missed by a median 14 % (up to 33 %), the
rate and the row cost solved from both probes by 2 % (up to 12 %) (``bench/cpu_overhead.py``).
The probes are never the model being predicted.
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import EngineUnavailable
from .i18n import t

PROBE = {"layers": 8, "embd": 1024, "ff": 2816}
NARROW_PROBE = {"layers": 24, "embd": 384, "ff": 1024}  # many short rows: their fixed cost shows
PROBE_TOKENS = 32
_RATES: dict[int, "ComputeRate"] = {}


@dataclass(frozen=True)
class ComputeRate:
    gmacs: float  # billions of multiply-accumulates per second llama.cpp reached, all threads, beyond the rows' cost
    threads: int
    macs_per_token: int  # of the (wide) probe model
    tokens_per_s: float  # the probe's decode speed (llama.cpp's own timing)
    seconds: float  # what the probes cost, builds excluded
    row_ns: float = 0.0  # fixed cost of each matrix row, in nanoseconds (0: the two probes could not tell it)
    narrow_tokens_per_s: float | None = None  # the narrow probe's decode speed


def _gguf_types():
    try:
        import gguf  # the `run` extra
    except ImportError as exc:  # pragma: no cover - the extra installs it with xllamacpp
        raise EngineUnavailable(t("local_run.probe.no_gguf", error=exc)) from exc
    return gguf


def make_gguf(out: str | Path, *, layers: int, embd: int, ff: int, heads: int | None = None,
              kv_heads: int | None = None, qtype: str = "Q4_1", tokenizer_from: str | Path | None = None,
              seed: int = 0, experts: int = 0, experts_used: int = 0) -> Path:
    """Write a random-weight llama GGUF of this shape: matrices in ``qtype`` (F32, F16, Q4_0, Q4_1, Q8_0),
    the tied embedding in Q8_0.

    ``experts`` > 0 makes each feed-forward a mixture of that many experts of width ``ff``, of which
    a router (F32) picks ``experts_used`` per token, laid out as llama.cpp reads Mixtral
    (``ffn_{gate,up,down}_exps``, ``llama.expert_count``, ``llama.expert_used_count``).

    The tokenizer (vocabulary, merges, template) is copied from a real GGUF (default: the bundled
    SmolLM2-135M), so llama.cpp loads and serves it like any model; its text is noise, but a
    decode step reads and computes what a trained model of that shape would.
    """
    gguf = _gguf_types()
    if tokenizer_from is None:
        from .gguf_models import resolve_model

        tokenizer_from = resolve_model(None)
    heads = heads or max(1, embd // 64)
    # grouped-query attention as in SmolLM2 (9 heads, 3 KV heads): the largest divisor <= heads / 3
    kv_heads = kv_heads or max(d for d in range(1, heads + 1) if heads % d == 0 and 3 * d <= max(3, heads))
    head_dim = embd // heads
    q = gguf.GGMLQuantizationType[qtype]
    rng = np.random.default_rng(seed)
    reader = gguf.GGUFReader(str(tokenizer_from))
    out = Path(out)
    tmp = out.with_name(f"{out.name}.{os.getpid()}.{threading.get_ident()}.part")  # two kernels may build at once
    w = gguf.GGUFWriter(str(tmp), "llama")
    w.add_name(f"random-{layers}x{embd}x{ff}" + (f"-{experts_used}of{experts}" if experts else ""))
    w.add_block_count(layers)
    w.add_context_length(2048)
    w.add_embedding_length(embd)
    w.add_feed_forward_length(ff)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(head_dim)
    w.add_file_type({"F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q8_0": 7}[qtype])
    w.add_quantization_version(2)
    if experts:
        w.add_expert_count(experts)
        w.add_expert_used_count(experts_used)
    vocab = 0
    for key, field in reader.fields.items():
        if key.startswith("tokenizer."):
            vtype = field.types[0]
            w.add_key_value(key, field.contents(), vtype,
                            field.types[1] if vtype == gguf.GGUFValueType.ARRAY else None)
            if key == "tokenizer.ggml.tokens":
                vocab = len(field.data)
    w.add_vocab_size(vocab)

    def mat(name: str, rows: int, cols: int, kind=q, stack: int = 0) -> None:
        data = rng.standard_normal((stack, rows, cols) if stack else (rows, cols), dtype=np.float32) * 0.02
        if kind == gguf.GGMLQuantizationType.F32:
            w.add_tensor(name, data)
        elif kind == gguf.GGMLQuantizationType.F16:
            w.add_tensor(name, data.astype(np.float16))
        else:
            w.add_tensor(name, gguf.quants.quantize(data, kind), raw_dtype=kind)

    mat("token_embd.weight", vocab, embd, gguf.GGMLQuantizationType.Q8_0)
    w.add_tensor("output_norm.weight", np.ones(embd, dtype=np.float32))
    kv = kv_heads * head_dim
    for i in range(layers):
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(embd, dtype=np.float32))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(embd, dtype=np.float32))
        mat(f"blk.{i}.attn_q.weight", embd, embd)
        mat(f"blk.{i}.attn_k.weight", kv, embd)
        mat(f"blk.{i}.attn_v.weight", kv, embd)
        mat(f"blk.{i}.attn_output.weight", embd, embd)
        if experts:
            mat(f"blk.{i}.ffn_gate_inp.weight", experts, embd, gguf.GGMLQuantizationType.F32)
            mat(f"blk.{i}.ffn_gate_exps.weight", ff, embd, stack=experts)
            mat(f"blk.{i}.ffn_up_exps.weight", ff, embd, stack=experts)
            mat(f"blk.{i}.ffn_down_exps.weight", embd, ff, stack=experts)
            continue
        mat(f"blk.{i}.ffn_gate.weight", ff, embd)
        mat(f"blk.{i}.ffn_up.weight", ff, embd)
        mat(f"blk.{i}.ffn_down.weight", embd, ff)
    try:
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
        tmp.replace(out)
    except BaseException:  # a full disk or an interrupt: no half-written file is left behind
        with contextlib.suppress(Exception):
            w.close()
        tmp.unlink(missing_ok=True)
        raise
    return out


def probe_model_path(rebuild: bool = False, shape: dict | None = None) -> Path:
    """A probe GGUF (default the wide one) in the models folder, built on first use (a few seconds) or when asked to."""
    from .gguf_models import models_dir

    shape = shape or PROBE
    path = models_dir() / "course-compute-probe-{layers}x{embd}x{ff}.Q4_1.gguf".format(**shape)
    if rebuild or not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        make_gguf(path, **shape)
    return path


def time_decode(path: Path, threads: int, tokens: int, runs: int = 2, n_ctx: int = 256) -> float:
    """Best decode tokens/s (llama.cpp's own timing) of ``runs`` generations of a GGUF on llama.cpp's
    server in a child process, after one generation that warms the caches."""
    from .engine import LocalServer

    best = 0.0
    with LocalServer(path, n_ctx=n_ctx, threads=threads) as srv:
        for i in range(runs + 1):
            body = json.dumps({"prompt": "Once upon a time", "n_predict": tokens, "temperature": 0,
                               "ignore_eos": True, "cache_prompt": False}).encode()
            req = urllib.request.Request(srv.url + "/completion", body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=120) as r:  # noqa: S310 - our own child on 127.0.0.1
                timings = json.load(r)["timings"]
            if i:
                best = max(best, float(timings["predicted_per_second"]))
    return best


def _timed_probe(shape: dict, threads: int, tokens: int) -> tuple[Path, float]:
    path = probe_model_path(shape=shape)
    try:
        return path, time_decode(path, threads, tokens)
    except EngineUnavailable:  # a damaged probe file (a disk glitch, an old format): built again, once
        path = probe_model_path(rebuild=True, shape=shape)
        return path, time_decode(path, threads, tokens)


def solve_rate(wide: tuple[float, float, float], narrow: tuple[float, float, float]) -> tuple[float, float]:
    """(seconds per MAC, seconds per matrix row) from two probes' (MACs, rows, seconds per token).

    Two equations ``seconds = MACs x a + rows x b``; when noise makes either cost negative, the rows
    are taken as free and the wide probe alone gives the rate.
    """
    (m1, r1, t1), (m2, r2, t2) = wide, narrow
    det = m1 * r2 - m2 * r1
    if det:
        a, b = (t1 * r2 - t2 * r1) / det, (m1 * t2 - m2 * t1) / det
        if a > 0 and b >= 0:
            return a, b
    return t1 / m1, 0.0


def measure_compute_rate(threads: int | None = None, tokens: int = PROBE_TOKENS, fresh: bool = False) -> ComputeRate:
    """Time the two probe models on llama.cpp with ``threads`` (default llama.cpp's); kept per thread count."""
    from .fit import macs_per_token, rows_per_token, shape_from_gguf
    from .hardware import llama_cpp_threads

    threads = int(threads or llama_cpp_threads())
    if threads in _RATES and not fresh:
        return _RATES[threads]
    t0 = time.perf_counter()
    probes = []
    for shape in (PROBE, NARROW_PROBE):
        path, best = _timed_probe(shape, threads, tokens)
        model = shape_from_gguf(str(path))
        probes.append((macs_per_token(model, context=tokens), rows_per_token(model), best))
    (macs, _, best), (_, _, narrow) = probes
    per_mac, per_row = solve_rate(*[(m, r, 1 / tps) for m, r, tps in probes])
    rate = ComputeRate(round(1 / per_mac / 1e9, 2), threads, macs, round(best, 1), round(time.perf_counter() - t0, 2),
                       round(per_row * 1e9, 2), round(narrow, 1))
    _RATES[threads] = rate
    return rate
