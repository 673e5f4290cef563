"""How fast llama.cpp *computes* on this machine's CPU: a small probe model, timed on the real engine.

A decode step reads every weight once and does one multiply-accumulate (MAC) with it. On a CPU
with few cores (or a build without the CPU's widest vector instructions) the MACs, not the memory
reads, set the pace: on the course's 2-vCPU VM llama.cpp's generic wheel decodes at ~6 billion
MACs per second per thread, while its memory would allow two to three times the speed
(``bench/cpu_overhead.py``). The estimator takes the slower of the two (fit.seconds_per_token).

The probes are llama-architecture GGUFs with random weights (the bundled SmolLM2's tokenizer),
built once into the models folder: one wide (8 layers of width 1024) and one narrow (24 layers of
width 384, 256 for the K- and i-quants). Each matrix row a decode step computes costs a fixed time
beyond its MACs (the dot product's setup and reduction), so a narrow model, with many short rows,
computes fewer MACs per second; the two probes give both costs (``solve_rate``).

Each quantization type has its own dot-product kernels, so the probes are written in the types of
the model they predict (``rate_for_model``): their layers in its main layer type, their tied
embedding, which is also their output matrix, in the type of its output matrix (the K- and i-quants
through llama.cpp's own quantizer, ``ggml_quant``). SmolLM2-135M at Q4_1 gets Q4_1 layers and a
Q8_0 output, as all probes had before 2026-12-03; a Q4_K_M file, Q4_K layers and a Q6_K output.
The output matrix stays in the probes because what they time is not compute alone: at two threads
the reads overlap the multiply-adds only in part, and probes all in one type (tried 2026-12-03,
each type's rate blended by its share of the weights) read fewer bytes per multiply-add than the
models and predicted Q4_1 models up to 35 % too fast (``bench/cpu_overhead.py``).
The probes are never the model being predicted, but their blocks' scales spread as its do
(``block_scales``): the wheel's x86 build converts each block's f16 scale through a lookup table, so
a dot product costs more when the scales touch more of the table. Random weights keep every scale
within one octave; SmolLM2-135M's spread over several, and the plain probes predicted it 20-30 % too
fast where probes with its spread came within 5 % (bench/run_gap.py, 2026-12-04).

Attention over the cache has a cost of its own: its q.k and sum of v run in f16 floating point over the
cache, with a softmax step for each cached token, and took 4-5 times a weight's (quantized, integer)
multiply-add here. An attention probe decodes after 512 and 1,536 cached tokens (ATTENTION_PROBE_CONTEXTS); the
slope between the two is that cost (ComputeRate.attn_ns, Hardware.compute_attn_ns). Without it SmolLM2 after a
3,500-token prompt was predicted twice as fast as it ran. The cost per multiply-add depends on the heads, so the
attention probe has the model's (attention_probe_shape: its head count, KV heads and head width on the narrow
probe's layers); timed on the narrow probe's own 6 heads, SmolLM2 after 1,000 to 3,500 tokens came out 10-16 %
slow, on its own 9 within 3 % at 1 thread and +2..+7 % at 2 (bench/context_speed.py, 2026-12-05).
"""
from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import CourseError, EngineUnavailable
from .gguf_writer import _GGUF_PY_QUANTS, make_gguf

PROBE = {"layers": 8, "embd": 1024, "ff": 2816}
NARROW_PROBE = {"layers": 24, "embd": 384, "ff": 1024}  # many short rows: their fixed cost shows
PROBE_TOKENS = 32
# the attention probe decodes after these many cached tokens: attention's own cost is the slope between them
# (from a short prompt to a long one, a step of its own comes first; the probes' files allow 2,048 tokens)
ATTENTION_PROBE_CONTEXTS = (512, 1536)
PROBE_TYPE = "Q4_1"  # the layers' type when a model's own cannot be written (or is not known)
PROBE_EMBD_TYPE = "Q8_0"  # the tied embedding's (the output matrix's), likewise
_RATES: dict[tuple, "ComputeRate"] = {}


@dataclass(frozen=True)
class ComputeRate:
    gmacs: float  # billions of multiply-accumulates per second llama.cpp reached, all threads, beyond the rows' cost
    threads: int
    macs_per_token: int  # of the (wide) probe model
    tokens_per_s: float  # the probe's decode speed (llama.cpp's own timing)
    seconds: float  # what timing the probes took (with their build, the first time)
    row_ns: float = 0.0  # fixed cost of each matrix row, in nanoseconds (0: the two probes could not tell it)
    narrow_tokens_per_s: float | None = None  # the narrow probe's decode speed
    qtype: str = "Q4_1"  # the probes' layers' type (their kernels are the ones timed)
    embd_type: str = "Q8_0"  # the probes' tied embedding's type, their output matrix
    spread: bool = False  # the probes' block scales spread as the model's (block_scales), not as random weights'
    attn_ns: float = 0.0  # one multiply-add of attention over the cache (its kv_type), in ns (0: not told apart)
    long_tokens_per_s: float | None = None  # the attention probe's decode speed after the longer ATTENTION_PROBE_CONTEXTS
    # the heads attention was timed with (count, KV heads, head width): the model's (attention_probe_shape), or
    # None: the narrow probe's own
    attention: tuple[int, int, int] | None = None


# the types llama.cpp's quantizer (ggml_quant) writes into a probe beside gguf-py's own
_LLAMA_QUANTS = ("Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS",
                 "IQ3_S", "IQ4_NL", "IQ4_XS", "MXFP4")


def probe_type(matrix_type: str | None, default: str = PROBE_TYPE) -> str:
    """The type to write probes in for weights of ``matrix_type``: that type when a probe can be
    written in it (any type gguf-py or llama.cpp's quantizer writes), else ``default``."""
    if matrix_type in ("F32", "F16") + _GGUF_PY_QUANTS:
        return matrix_type
    if matrix_type in _LLAMA_QUANTS:
        from .ggml_quant import available

        if available():
            return matrix_type
    return default


def probe_shape(shape: dict, qtype: str) -> dict:
    """A probe shape with its widths cut to whole blocks of ``qtype`` (256 weights for the K- and
    i-quants: the narrow probe's 384 becomes 256, so its rows stay short)."""
    from .ggml_quant import block_size

    block = block_size(qtype)
    return {k: (max(block, v // block * block) if k in ("embd", "ff") else v) for k, v in shape.items()}


def attention_layout(shape) -> tuple[int, int, int] | None:
    """(heads, KV heads, head width) of a fit.ModelShape's attention, for the attention probe; None where it
    has no plain multi-head attention to copy (an unknown shape, latent attention: MLA)."""
    if shape is None or not shape.known or shape.mla:
        return None
    heads, kv, hd = shape.n_heads or 0, shape.kv_heads, shape.hd or 0
    if not (heads > 0 and kv > 0 and heads % kv == 0 and 0 < hd <= 1024 and hd % 2 == 0):
        return None
    return int(heads), int(kv), int(hd)


def _probe_layer_weights(embd: int, ff: int, heads: int, kv_heads: int, head_dim: int) -> int:
    q, kv = heads * head_dim, kv_heads * head_dim
    return embd * (2 * q + 2 * kv) + 3 * embd * ff


def attention_probe_shape(heads: int, kv_heads: int, head_dim: int) -> dict:
    """The attention probe for heads of this layout: the narrow probe's layers (width 384, feed-forward 1024) with
    these heads, as many layers (4 to 24) as keep about the narrow probe's weights.

    A multiply-add of attention costs more or less with the heads' layout: on the course's VM (medians of 4
    measurements, 2026-12-05) 0.346 ns at 1 thread and 0.180 at 2 with the narrow probe's 6 heads of 64 (2 KV
    heads), 0.288 and 0.147 with SmolLM2's 9 (3 KV heads) on the same layers; the real SmolLM2 took 0.28-0.29 and
    0.14-0.15. The weights must not fit in the CPU's caches either, or the cache's growth pushes them out and
    adds to the slope: the same heads on layers 256 wide (5 MB of weights) gave 0.406 at 1 thread."""
    n = NARROW_PROBE
    narrow = _probe_layer_weights(n["embd"], n["ff"], 6, 2, 64)  # the narrow probe's own heads (make_gguf's)
    mine = _probe_layer_weights(n["embd"], n["ff"], heads, kv_heads, head_dim)
    layers = max(4, min(n["layers"], round(n["layers"] * narrow / mine)))
    return {"layers": layers, "embd": n["embd"], "ff": n["ff"], "heads": heads, "kv_heads": kv_heads,
            "head_dim": head_dim}


def probe_model_path(rebuild: bool = False, shape: dict | None = None, qtype: str = PROBE_TYPE,
                     embd_type: str = PROBE_EMBD_TYPE, spreads: tuple = (None, None)) -> Path:
    """A probe GGUF (default the wide one: Q4_1 layers, a Q8_0 embedding) in the models folder, built on
    first use (a few seconds) or when asked to; ``spreads`` (the layers', the embedding's ScaleSpread)
    spread its block scales as a model's (block_scales), in a file of their own."""
    from .gguf_models import models_dir

    shape = probe_shape(probe_shape(shape or PROBE, qtype), embd_type)
    spreads = _usable_spreads(spreads, qtype, embd_type)
    tag = "".join(f"-s{s.tag}" if s else "-s0" for s in spreads) if any(spreads) else ""
    heads = "-h{heads}k{kv_heads}d{head_dim}".format(**shape) if "head_dim" in shape else ""
    name = "course-compute-probe-{}x{}x{}{}.{}-{}{}.gguf".format(shape["layers"], shape["embd"], shape["ff"], heads,
                                                                qtype, embd_type, tag)
    path = models_dir() / name
    if rebuild or not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("course-compute-probe-*x*x*.Q4_1.gguf"):  # the probes' name before 2026-12-03
            old.unlink(missing_ok=True)
        make_gguf(path, **shape, qtype=qtype, embd_type=embd_type, spreads=spreads)
    return path


def _usable_spreads(spreads: tuple, qtype: str, embd_type: str) -> tuple:
    """The spreads a probe in these types takes: each only for the type it was read in, and none that random
    weights already have (a random-weight model's: its probes are the plain ones)."""
    from .block_scales import natural_spread

    def usable(spread, kind):
        if spread is None or spread.qtype != kind:
            return None
        base = natural_spread(kind)
        if base and abs(spread.log_mean - base.log_mean) < 0.1 and abs(spread.log_sd - base.log_sd) < 0.03:
            return None
        return spread

    layers, output = spreads if spreads else (None, None)
    return usable(layers, qtype), usable(output, embd_type)


def time_decode(path: Path, threads: int, tokens: int, runs: int = 2, n_ctx: int = 256,
                prompt_tokens: int = 0) -> float:
    """Best decode tokens/s (llama.cpp's own timing) of ``runs`` generations of a GGUF on llama.cpp's
    server in a child process, after one generation that warms the caches; after a prompt of four words,
    or of ``prompt_tokens`` token ids (the decode then attends over that many cached tokens)."""
    return decode_after(path, threads, tokens, (prompt_tokens,), runs, n_ctx)[0]


def decode_after(path: Path, threads: int, tokens: int, contexts: tuple[int, ...], runs: int = 2,
                 n_ctx: int = 256, kv_type: str = "F16") -> list[float]:
    """time_decode after each of ``contexts`` cached tokens (0: four words), on one server with a ``kv_type``
    cache: the prompts are token ids, each the start of the next, processed once and kept (cache_prompt) so
    that each run decodes from its end."""
    from .engine import LocalServer

    room = -(-(max(contexts) + tokens + 64) // 256) * 256  # the prompt, the tokens, and whole 256-cell pages
    speeds = []
    with LocalServer(path, n_ctx=max(n_ctx, room), threads=threads, kv_type=kv_type) as srv:
        for n in contexts:
            best = 0.0
            prompt = list(range(1000, 1000 + n)) if n else "Once upon a time"
            for i in range(runs + 1):
                body = json.dumps({"prompt": prompt, "n_predict": tokens, "temperature": 0,
                                   "ignore_eos": True, "cache_prompt": bool(n)}).encode()
                req = urllib.request.Request(srv.url + "/completion", body, {"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=120) as r:  # noqa: S310 - our own child on 127.0.0.1
                    timings = json.load(r)["timings"]
                if i:
                    best = max(best, float(timings["predicted_per_second"]))
            speeds.append(best)
    return speeds


def _timed_probe(shape: dict, threads: int, tokens: int, qtype: str, embd_type: str,
                 spreads: tuple = (None, None)) -> tuple[Path, float]:
    path = probe_model_path(shape=shape, qtype=qtype, embd_type=embd_type, spreads=spreads)
    try:
        return path, time_decode(path, threads, tokens)
    except EngineUnavailable:  # a damaged probe file (a disk glitch, an old format): built again, once
        path = probe_model_path(rebuild=True, shape=shape, qtype=qtype, embd_type=embd_type, spreads=spreads)
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


def measure_compute_rate(threads: int | None = None, tokens: int = PROBE_TOKENS, fresh: bool = False,
                         qtype: str = PROBE_TYPE, embd_type: str = PROBE_EMBD_TYPE,
                         spreads: tuple = (None, None), kv_type: str = "F16",
                         attention: tuple[int, int, int] | None = None) -> ComputeRate:
    """Time the two probe models (layers in ``qtype``, the tied embedding in ``embd_type``, block scales
    spread as ``spreads`` say; see rate_for_model) on llama.cpp with ``threads`` (default llama.cpp's), and
    attention over a ``kv_type`` cache, on heads of the ``attention`` layout (heads, KV heads, head width:
    attention_probe_shape) or, without one, on the narrow probe's; kept per thread count, types, spreads, cache
    type and head layout."""
    from .fit import macs_per_token, rows_per_token, shape_from_gguf
    from .hardware import llama_cpp_threads

    threads = int(threads or llama_cpp_threads())
    spreads = _usable_spreads(spreads, qtype, embd_type)
    attention = tuple(int(x) for x in attention) if attention else None
    key = (threads, qtype, embd_type, tuple(s.tag if s else "" for s in spreads), kv_type, attention)
    if key in _RATES and not fresh:
        return _RATES[key]
    t0 = time.perf_counter()
    probes = []
    for shape in (PROBE, NARROW_PROBE):
        path, best = _timed_probe(shape, threads, tokens, qtype, embd_type, spreads)
        model = shape_from_gguf(str(path))
        probes.append((macs_per_token(model, context=tokens), rows_per_token(model), best))
    (macs, _, best), (_, _, narrow) = probes
    per_mac, per_row = solve_rate(*[(m, r, 1 / tps) for m, r, tps in probes])
    if attention:  # the model's heads on the narrow probe's layers; the matrices' types do not touch the slope
        path = probe_model_path(shape=attention_probe_shape(*attention))
        try:
            model = shape_from_gguf(str(path))
            attn_ns, long_tps = _attention_cost(path, model, threads, tokens, kv_type)
        except CourseError:  # a damaged probe file: built again, once, as the other probes are
            path = probe_model_path(rebuild=True, shape=attention_probe_shape(*attention))
            model = shape_from_gguf(str(path))
            attn_ns, long_tps = _attention_cost(path, model, threads, tokens, kv_type)
    else:
        attn_ns, long_tps = _attention_cost(path, model, threads, tokens, kv_type)
    rate = ComputeRate(round(1 / per_mac / 1e9, 2), threads, macs, round(best, 1), round(time.perf_counter() - t0, 2),
                       round(per_row * 1e9, 2), round(narrow, 1), qtype, embd_type, any(spreads), attn_ns,
                       round(long_tps, 1), attention)
    _RATES[key] = rate
    return rate


def _attention_cost(path: Path, shape, threads: int, tokens: int, kv_type: str = "F16") -> tuple[float, float]:
    """(nanoseconds per multiply-add of attention over a ``kv_type`` cache, the longer run's tokens/s): the
    probe at ``path`` decoding after ATTENTION_PROBE_CONTEXTS cached tokens; the extra time per token over the
    extra MACs of attention (fit.attention_macs at each decode's mean position), 0 when noise hides it.
    The cache's type has kernels of its own: here Q8_0 cost about F16's, Q4_0 a quarter more."""
    from .fit import attention_macs

    short, long = ATTENTION_PROBE_CONTEXTS
    tps = decode_after(path, threads, tokens, (short, long), kv_type=kv_type)
    extra_macs = attention_macs(shape, long + tokens // 2) - attention_macs(shape, short + tokens // 2)
    extra_s = 1 / tps[1] - 1 / tps[0]
    return (round(extra_s / extra_macs * 1e9, 4) if extra_s > 0 and extra_macs > 0 else 0.0), tps[1]


def rate_for_model(layer_type: str | None, output_type: str | None, threads: int | None = None,
                   spreads: tuple = (None, None), kv_type: str = "F16",
                   attention: tuple[int, int, int] | None = None) -> ComputeRate:
    """llama.cpp's compute rate for a model (fit.ModelShape.layer_type, .output_type): probes whose
    layers are in the model's main layer type and whose tied embedding (their output matrix) is in
    the type of the model's output matrix, each where a probe can be written in it (probe_type), with
    the model's block-scale ``spreads`` where known (block_scales.file_spreads of its file), attention over
    the model's ``kv_type`` cache on heads of its ``attention`` layout (attention_layout of its shape)."""
    return measure_compute_rate(threads, qtype=probe_type(layer_type),
                                embd_type=probe_type(output_type, PROBE_EMBD_TYPE), spreads=spreads, kv_type=kv_type,
                                attention=attention)
