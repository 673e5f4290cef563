"""Random-weight GGUF files of a given shape and layout, as llama.cpp's loaders expect them.

The compute probes (compute_probe) and the tests that put the estimator against the real engine need
models of many shapes: llama's layout in any ggml type (make_gguf, also Llama 4's, Gemma 3's, gpt-oss's,
Command R7B's and OLMo 2's), Gemma 3n's and Gemma 4's, the hybrids of LFM2, Qwen3.5 and Qwen3-Next,
Granite 4.0 and Nemotron-H, and DeepSeek's latent attention. Their weights are noise (0.02 x normal);
their tokenizer is a real GGUF's (the bundled SmolLM2-135M), so llama.cpp loads and serves them like any
model, and a decode step reads and computes what a trained model of that shape would. Each file is
written to a temporary name and renamed when complete.
"""
from __future__ import annotations

import contextlib
import functools
import os
import threading
from pathlib import Path

import numpy as np

from . import extras
from .errors import EngineUnavailable
from .i18n import t


def _gguf_types():
    try:
        import gguf  # the `run` extra
    except ImportError as exc:  # pragma: no cover - the extra installs it with xllamacpp
        raise EngineUnavailable(t("local_run.probe.no_gguf", error=exc, pip=extras.pip_install(extras.RUN))) from exc
    return gguf


_GGUF_PY_QUANTS = ("BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0")  # what gguf-py quantizes itself


def _file_type(gguf, qtype: str) -> int:
    """general.file_type of a file whose matrices are all ``qtype`` (llama.cpp's LLAMA_FTYPE_*: the K-quants
    as their _S variant, which is that type alone)."""
    names = {"F32": "ALL_F32", "Q4_K": "MOSTLY_Q4_K_S", "Q5_K": "MOSTLY_Q5_K_S", "Q3_K": "MOSTLY_Q3_K_S",
             "MXFP4": "MOSTLY_MXFP4_MOE"}
    name = names.get(qtype, f"MOSTLY_{qtype}")
    return int(gguf.LlamaFileType[name if name in gguf.LlamaFileType.__members__ else "GUESSED"])


@functools.lru_cache(maxsize=2)
def _tokenizer_fields(path: str) -> tuple[tuple, int]:
    """A GGUF's tokenizer.* fields as (key, value, type, item type), and its vocabulary size: read once
    per process (gguf-py takes about 10 s over SmolLM2's 49,152 tokens and their merges)."""
    gguf = _gguf_types()
    fields, vocab = [], 0
    for key, field in gguf.GGUFReader(path).fields.items():
        if key.startswith("tokenizer."):
            vtype = field.types[0]
            fields.append((key, field.contents(), vtype, field.types[1] if vtype == gguf.GGUFValueType.ARRAY else None))
            if key == "tokenizer.ggml.tokens":
                vocab = len(field.data)
    return tuple(fields), vocab


def make_gguf(out: str | Path, *, layers: int, embd: int, ff: int, heads: int | None = None,
              kv_heads: int | None = None, qtype: str = "Q4_1", tokenizer_from: str | Path | None = None,
              seed: int = 0, experts: int = 0, experts_used: int = 0, embd_type: str = "Q8_0",
              moe_step: int = 1, dense_ff: int | None = None, sliding_window: int | None = None,
              arch: str | None = None, swa_pattern: int | None = None, spreads: tuple = (None, None),
              head_dim: int | None = None) -> Path:
    """Write a random-weight llama GGUF of this shape: matrices in ``qtype`` (any ggml type: F32, F16,
    Q4_0 ... Q8_0, the K-quants, the i-quants), the tied embedding in ``embd_type``. Types gguf-py cannot
    quantize are quantized by llama.cpp's own code (ggml_quant); ``embd`` and ``ff`` must then be
    multiples of the type's block (256 weights for the K- and i-quants).

    ``experts`` > 0 makes each feed-forward a mixture of that many experts of width ``ff``, of which
    a router (F32) picks ``experts_used`` per token, laid out as llama.cpp reads Mixtral
    (``ffn_{gate,up,down}_exps``, ``llama.expert_count``, ``llama.expert_used_count``).
    ``moe_step`` > 1 writes Llama 4's layout instead (architecture ``llama4``): every ``moe_step``-th
    layer is a MoE with one shared expert beside the routed ones (``ffn_*_shexp``, width ``ff``), the
    others a dense feed-forward of width ``dense_ff`` (default 2 x ``ff``), as llama.cpp's loader
    creates them (LLM_ARCH_LLAMA4: ``(i + 1) % n_moe_layer_step == 0``).
    ``sliding_window`` writes Gemma 3's layout instead (architecture ``gemma3``: q/k norms, norms after
    attention and feed-forward): 5 of every 6 layers attend within that many tokens.
    ``arch`` picks another layout, as llama.cpp's loader creates its tensors: ``"cohere2"`` (attention
    and feed-forward side by side from one layer norm, 3 of every 4 layers in the window), ``"gpt-oss"``
    (every layer a MoE with biases, attention sinks, 1 in 2 layers in the window; needs ``experts``) or
    ``"olmo2"`` (norms after attention and feed-forward; with a window, OLMo 3: 3 of every 4 layers).
    ``swa_pattern`` writes ``{arch}.attention.sliding_window_pattern``: every that-many-th layer
    attends to the whole context (the loader's default otherwise). Gemma 4: make_gemma4_gguf.
    ``spreads`` (the layers', the tied embedding's block_scales.ScaleSpread) spread the blocks' scales as a
    model's do (the compute probes: compute_probe.rate_for_model). ``head_dim`` gives the heads a width of their
    own (``llama.attention.key_length``; the query then has heads x head_dim rows, whatever ``embd``), as
    compute_probe's attention probe takes a model's heads on a narrow layer.

    The tokenizer (vocabulary, merges, template) is copied from a real GGUF (default: the bundled
    SmolLM2-135M), so llama.cpp loads and serves it like any model; its text is noise, but a
    decode step reads and computes what a trained model of that shape would.
    """
    gguf = _gguf_types()
    heads = heads or max(1, embd // 64)
    # grouped-query attention as in SmolLM2 (9 heads, 3 KV heads): the largest divisor <= heads / 3
    kv_heads = kv_heads or max(d for d in range(1, heads + 1) if heads % d == 0 and 3 * d <= max(3, heads))
    own_head_dim = bool(head_dim) and head_dim != embd // heads
    head_dim = head_dim or embd // heads
    qw = heads * head_dim if own_head_dim else embd  # the query's (and the attention output's) width
    q = gguf.GGMLQuantizationType[qtype]
    rng = np.random.default_rng(seed)
    if arch not in (None, "cohere2", "gpt-oss", "olmo2"):
        raise ValueError(f"make_gguf writes the cohere2, gpt-oss or olmo2 layout, not {arch!r}")
    if arch in ("cohere2", "gpt-oss") and not sliding_window:
        raise ValueError(f"the {arch} layout needs a sliding_window")
    if (arch == "gpt-oss") != bool(experts and arch):
        raise ValueError("the gpt-oss layout is a mixture of experts; cohere2's is dense")
    llama4 = bool(experts) and moe_step > 1 and arch is None
    gemma3 = bool(sliding_window) and not experts and arch is None
    gpt_oss, cohere2, olmo2 = arch == "gpt-oss", arch == "cohere2", arch == "olmo2"
    dense_ff = dense_ff or 2 * ff
    arch = arch or ("llama4" if llama4 else "gemma3" if gemma3 else "llama")
    name = f"random-{layers}x{embd}x{ff}" + (f"-{experts_used}of{experts}" if experts else "") + \
        (f"-every{moe_step}" if llama4 else "")
    w, tmp, out = _new_writer(gguf, out, arch, name, layers=layers, embd=embd, ff=dense_ff if llama4 else ff,
                              heads=heads, kv_heads=kv_heads)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(head_dim)
    if own_head_dim:
        w.add_key_length(head_dim)
        w.add_value_length(head_dim)
    w.add_file_type(_file_type(gguf, qtype))
    w.add_quantization_version(2)
    if experts:
        w.add_expert_count(experts)
        w.add_expert_used_count(experts_used)
    if sliding_window:
        w.add_sliding_window(sliding_window)
    if swa_pattern is not None:
        w.add_uint32(f"{arch}.attention.sliding_window_pattern", swa_pattern)
    if cohere2:
        w.add_layer_norm_eps(1e-5)
        w.add_logit_scale(1.0)
    if llama4 or gpt_oss:
        w.add_expert_feed_forward_length(ff)
    if llama4:
        w.add_uint32("llama4.interleave_moe_layer_step", moe_step)
    vocab = _add_tokenizer(w, tokenizer_from)
    mat, vec = _tensor_adders(gguf, w, rng, q, spreads, seed)

    mat("token_embd.weight", vocab, embd, gguf.GGMLQuantizationType[embd_type])
    if gpt_oss or olmo2:  # their loaders want an output matrix of its own
        mat("output.weight", vocab, embd, gguf.GGMLQuantizationType[embd_type])
    vec("output_norm.weight", embd, 1.0)
    kv = kv_heads * head_dim
    for i in range(layers):
        if not olmo2:  # OLMo 2 normalises after attention and feed-forward instead
            vec(f"blk.{i}.attn_norm.weight", embd, 1.0)
        if not (cohere2 or gpt_oss or olmo2):  # cohere2: one norm feeds both; gpt-oss: the norm after attention
            vec(f"blk.{i}.ffn_norm.weight", embd, 1.0)
        mat(f"blk.{i}.attn_q.weight", qw, embd)
        mat(f"blk.{i}.attn_k.weight", kv, embd)
        mat(f"blk.{i}.attn_v.weight", kv, embd)
        mat(f"blk.{i}.attn_output.weight", embd, qw)
        if gpt_oss:
            vec(f"blk.{i}.post_attention_norm.weight", embd, 1.0)
            vec(f"blk.{i}.attn_sinks.weight", heads)
            for name, width in (("attn_q", qw), ("attn_k", kv), ("attn_v", kv), ("attn_output", embd),
                                ("ffn_gate_inp", experts)):
                vec(f"blk.{i}.{name}.bias", width)
            _ffn(mat, i, ff, embd, "_exps", experts, router=True)
            for name, rows in (("ffn_gate_exps", ff), ("ffn_up_exps", ff), ("ffn_down_exps", embd)):
                w.add_tensor(f"blk.{i}.{name}.bias", np.zeros((experts, rows), dtype=np.float32))
            continue
        if gemma3 or olmo2:  # OLMo 2's q/k norms span all heads
            for norm, width in (("attn_q_norm", qw if olmo2 else head_dim),
                                ("attn_k_norm", kv if olmo2 else head_dim),
                                ("post_attention_norm", embd), ("post_ffw_norm", embd)):
                vec(f"blk.{i}.{norm}.weight", width, 1.0)
        if experts and (i + 1) % moe_step == 0:
            _ffn(mat, i, ff, embd, "_exps", experts, router=True)
            if llama4:
                _ffn(mat, i, ff, embd, "_shexp")
            continue
        _ffn(mat, i, dense_ff if llama4 else ff, embd)
    return _write_atomically(w, tmp, out)


def _ffn(mat, i: int, width: int, embd: int, suffix: str = "", experts: int = 0, router: bool = False) -> None:
    """Layer i's gated feed-forward (gate, up, down) of ``width``; ``suffix`` "_exps" with ``experts`` stacked
    (and their F32 router when ``router``), "_shexp" for a shared expert, "" for a dense one."""
    if router:
        mat(f"blk.{i}.ffn_gate_inp.weight", experts, embd, _gguf_types().GGMLQuantizationType.F32)
    mat(f"blk.{i}.ffn_gate{suffix}.weight", width, embd, stack=experts)
    mat(f"blk.{i}.ffn_up{suffix}.weight", width, embd, stack=experts)
    mat(f"blk.{i}.ffn_down{suffix}.weight", embd, width, stack=experts)


def _mamba2(w, mat, vec, i: int, embd: int, inner: int, state_size: int, heads: int, groups: int,
            conv_kernel: int) -> None:
    """Layer i's Mamba-2 mixer as llama.cpp loads it: in_proj gives z, x, B, C and dt; the causal convolution
    over x, B and C; A and D per head; a grouped norm before out_proj."""
    conv_ch = inner + 2 * groups * state_size
    mat(f"blk.{i}.ssm_in.weight", 2 * inner + 2 * groups * state_size + heads, embd)
    mat(f"blk.{i}.ssm_conv1d.weight", conv_ch, conv_kernel, _gguf_types().GGMLQuantizationType.F32)
    vec(f"blk.{i}.ssm_conv1d.bias", conv_ch)
    vec(f"blk.{i}.ssm_dt.bias", heads, 1.0)
    w.add_tensor(f"blk.{i}.ssm_a", np.full((heads, 1), -1.0, dtype=np.float32))
    w.add_tensor(f"blk.{i}.ssm_d", np.ones((heads, 1), dtype=np.float32))
    w.add_tensor(f"blk.{i}.ssm_norm.weight", np.ones((groups, inner // groups), dtype=np.float32))
    mat(f"blk.{i}.ssm_out.weight", embd, inner)


def quantize_for_probe(data: np.ndarray, qtype: str) -> np.ndarray:
    """``data`` (float32) in a quantized ggml type, as the writers store it: gguf-py's quantizer where it
    has one, else llama.cpp's own (ggml_quant)."""
    if qtype in _GGUF_PY_QUANTS:
        gguf = _gguf_types()
        return gguf.quants.quantize(data, gguf.GGMLQuantizationType[qtype])
    from .ggml_quant import quantize

    return quantize(data, qtype)


def _tensor_adders(gguf, w, rng, default_kind, spreads: tuple = (None, None), seed: int = 0):
    """(mat, vec): add a random matrix (0.02 x normal, in any ggml type; ``stack`` experts deep) or a
    constant F32 vector to the writer ``w``. ``spreads`` (block_scales.ScaleSpread of the layers' matrices,
    of the output matrix or tied embedding) scales each quantized block so that the blocks' f16 scales spread
    as a model's do; the factors come from a generator of their own, so files without spreads are unchanged."""
    factors_rng = np.random.default_rng(seed + 7919)

    def spread_for(name: str, kind):
        target = spreads[1] if name in ("token_embd.weight", "output.weight") else \
            spreads[0] if name.startswith("blk.") else None
        return target if target is not None and target.qtype == kind.name else None

    def mat(name: str, rows: int, cols: int, kind=default_kind, stack: int = 0) -> None:
        data = rng.standard_normal((stack, rows, cols) if stack else (rows, cols), dtype=np.float32) * 0.02
        target = spread_for(name, kind)
        if target is not None:
            from .block_scales import block_factors
            from .ggml_quant import block_size

            g = block_size(kind.name)
            if cols % g == 0:
                grouped = data.reshape(-1, cols // g, g)
                f = block_factors(factors_rng, grouped.shape[0], grouped.shape[1], kind.name, target)
                if f is not None:
                    data = (grouped * f[:, :, None]).reshape(data.shape)
        if kind == gguf.GGMLQuantizationType.F32:
            w.add_tensor(name, data)
        elif kind == gguf.GGMLQuantizationType.F16:
            w.add_tensor(name, data.astype(np.float16))
        else:
            w.add_tensor(name, quantize_for_probe(data, kind.name), raw_dtype=kind)

    def vec(name: str, width: int, value: float = 0.0) -> None:
        w.add_tensor(name, np.full(width, value, dtype=np.float32))

    return mat, vec


def _part_path(out: Path) -> Path:
    return out.with_name(f"{out.name}.{os.getpid()}.{threading.get_ident()}.part")  # two kernels may build at once


def _write_atomically(w, tmp: Path, out: Path) -> Path:
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


def _new_writer(gguf, out: str | Path, arch: str, name: str, *, layers: int, embd: int, ff: int, heads: int,
                kv_heads) -> tuple:
    """(writer, temporary path, final path) of a GGUF of ``arch`` with its common header fields."""
    out = Path(out)
    tmp = _part_path(out)
    w = gguf.GGUFWriter(str(tmp), arch)
    w.add_name(name)
    w.add_block_count(layers)
    w.add_context_length(2048)
    w.add_embedding_length(embd)
    w.add_feed_forward_length(ff)
    w.add_head_count(heads)
    w.add_head_count_kv(list(kv_heads) if isinstance(kv_heads, tuple) else kv_heads)
    return w, tmp, out


def _start_tensors(gguf, w, qtype: str, tokenizer_from, seed: int, embd: int):
    """The header's last fields (file type, quantization version, the tokenizer), then the token embedding:
    (mat, vec, vocabulary size): mat and vec add the rest (_tensor_adders), matrices in ``qtype`` by default."""
    w.add_file_type(_file_type(gguf, qtype))
    w.add_quantization_version(2)
    vocab = _add_tokenizer(w, tokenizer_from)
    mat, vec = _tensor_adders(gguf, w, np.random.default_rng(seed), gguf.GGMLQuantizationType[qtype])
    mat("token_embd.weight", vocab, embd)
    return mat, vec, vocab


def _add_ssm(w, conv_kernel: int, inner: int, state_size: int, heads: int, groups: int) -> None:
    """llama.cpp's ssm.* keys (src/llama-hparams.cpp): Mamba-2's, and the gated DeltaNet's in their sense."""
    w.add_ssm_conv_kernel(conv_kernel)
    w.add_ssm_inner_size(inner)
    w.add_ssm_state_size(state_size)
    w.add_ssm_time_step_rank(heads)
    w.add_ssm_group_count(groups)


def _add_tokenizer(w, tokenizer_from) -> int:
    """Copy a real GGUF's tokenizer (default: the bundled SmolLM2-135M) into ``w``; its vocabulary size."""
    if tokenizer_from is None:
        from .gguf_models import resolve_model

        tokenizer_from = resolve_model(None)
    fields, vocab = _tokenizer_fields(str(tokenizer_from))
    for key, value, vtype, subtype in fields:
        w.add_key_value(key, value, vtype, subtype)
    w.add_vocab_size(vocab)
    return vocab


def make_deepseek2_gguf(out: str | Path, *, layers: int = 4, embd: int = 256, ff: int = 512, heads: int = 4,
                        q_lora_rank: int = 64, kv_lora_rank: int = 64, rope_dim: int = 32, nope_dim: int = 32,
                        v_head_dim: int = 32, experts: int = 0, experts_used: int = 0, expert_ff: int = 128,
                        shared_experts: int = 1, dense_layers: int | None = None, qtype: str = "Q8_0",
                        tokenizer_from: str | Path | None = None, seed: int = 0) -> Path:
    """A random-weight DeepSeek-V2/V3 GGUF (architecture ``deepseek2``) with multi-head latent attention,
    laid out as llama.cpp's loader creates it (src/models/deepseek2.cpp) and as its converter writes MLA
    files: one KV head whose key is the compressed latent plus the RoPE part (key_length = kv_lora_rank
    + rope_dim, value_length = kv_lora_rank), the per-head sizes in key/value_length_mla, and the latent's
    up-projections split per head (attn_k_b, attn_v_b). The first ``dense_layers`` layers (default: all
    when ``experts`` is 0, else 1) have a dense feed-forward; the others ``experts`` routed experts of
    width ``expert_ff`` (``experts_used`` per token) beside ``shared_experts`` shared ones."""
    gguf = _gguf_types()
    dense = layers if not experts else (1 if dense_layers is None else dense_layers)
    k_mla = nope_dim + rope_dim
    w, tmp, out = _new_writer(gguf, out, "deepseek2",
                              f"random-deepseek2-{layers}x{embd}" + (f"-{experts_used}of{experts}" if experts else ""),
                              layers=layers, embd=embd, ff=ff, heads=heads, kv_heads=1)
    w.add_key_length(kv_lora_rank + rope_dim)
    w.add_value_length(kv_lora_rank)
    w.add_key_length_mla(k_mla)
    w.add_value_length_mla(v_head_dim)
    w.add_rope_dimension_count(rope_dim)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_q_lora_rank(q_lora_rank)
    w.add_kv_lora_rank(kv_lora_rank)
    w.add_leading_dense_block_count(dense)
    w.add_expert_feed_forward_length(expert_ff)
    w.add_expert_shared_count(shared_experts if experts else 0)
    if experts:
        w.add_expert_count(experts)
        w.add_expert_used_count(experts_used)
    mat, vec, _ = _start_tensors(gguf, w, qtype, tokenizer_from, seed, embd)
    vec("output_norm.weight", embd, 1.0)
    for i in range(layers):
        vec(f"blk.{i}.attn_norm.weight", embd, 1.0)
        vec(f"blk.{i}.attn_q_a_norm.weight", q_lora_rank, 1.0)
        vec(f"blk.{i}.attn_kv_a_norm.weight", kv_lora_rank, 1.0)
        mat(f"blk.{i}.attn_q_a.weight", q_lora_rank, embd)
        mat(f"blk.{i}.attn_q_b.weight", heads * k_mla, q_lora_rank)
        mat(f"blk.{i}.attn_kv_a_mqa.weight", kv_lora_rank + rope_dim, embd)
        mat(f"blk.{i}.attn_k_b.weight", kv_lora_rank, nope_dim, stack=heads)
        mat(f"blk.{i}.attn_v_b.weight", v_head_dim, kv_lora_rank, stack=heads)
        mat(f"blk.{i}.attn_output.weight", embd, heads * v_head_dim)
        vec(f"blk.{i}.ffn_norm.weight", embd, 1.0)
        if i < dense:
            _ffn(mat, i, ff, embd)
            continue
        _ffn(mat, i, expert_ff, embd, "_exps", experts, router=True)
        _ffn(mat, i, expert_ff * shared_experts, embd, "_shexp")
    return _write_atomically(w, tmp, out)


def make_lfm2_gguf(out: str | Path, *, layer_kv_heads: tuple[int, ...] = (0, 0, 1, 0, 0, 1), embd: int = 256,
                   ff: int = 512, heads: int = 4, conv_cache: int = 3, sliding_window: int | None = None,
                   qtype: str = "Q8_0", tokenizer_from: str | Path | None = None, seed: int = 0) -> Path:
    """A random-weight LFM2 GGUF (architecture ``lfm2``): a hybrid whose layers with 0 KV heads in
    ``layer_kv_heads`` are short convolutions (a small recurrent state, no KV cache) and the others
    attention, laid out as llama.cpp's loader creates them (src/models/lfm2.cpp: is_recr when
    n_head_kv(il) == 0). ``sliding_window`` puts every attention layer in that window."""
    gguf = _gguf_types()
    L, hd = len(layer_kv_heads), embd // heads
    w, tmp, out = _new_writer(gguf, out, "lfm2", f"random-lfm2-{L}x{embd}", layers=L, embd=embd, ff=ff, heads=heads,
                              kv_heads=tuple(layer_kv_heads))
    w.add_rope_dimension_count(hd)
    w.add_rope_freq_base(1e6)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_shortconv_l_cache(conv_cache)
    if sliding_window:
        w.add_sliding_window(sliding_window)
    mat, vec, _ = _start_tensors(gguf, w, qtype, tokenizer_from, seed, embd)
    vec("token_embd_norm.weight", embd, 1.0)  # LFM2's final norm
    for i, kv_heads in enumerate(layer_kv_heads):
        vec(f"blk.{i}.attn_norm.weight", embd, 1.0)
        vec(f"blk.{i}.ffn_norm.weight", embd, 1.0)
        _ffn(mat, i, ff, embd)
        if kv_heads:
            vec(f"blk.{i}.attn_q_norm.weight", hd, 1.0)
            vec(f"blk.{i}.attn_k_norm.weight", hd, 1.0)
            mat(f"blk.{i}.attn_q.weight", embd, embd)
            mat(f"blk.{i}.attn_k.weight", kv_heads * hd, embd)
            mat(f"blk.{i}.attn_v.weight", kv_heads * hd, embd)
            mat(f"blk.{i}.attn_output.weight", embd, embd)
        else:
            mat(f"blk.{i}.shortconv.conv.weight", embd, conv_cache, gguf.GGMLQuantizationType.F32)
            mat(f"blk.{i}.shortconv.in_proj.weight", 3 * embd, embd)
            mat(f"blk.{i}.shortconv.out_proj.weight", embd, embd)
    return _write_atomically(w, tmp, out)


def make_gemma4_gguf(out: str | Path, *, swa_layers: tuple[bool, ...], layer_kv_heads: tuple[int, ...],
                     shared_kv_layers: int = 0, embd: int = 256, ff: int = 512, heads: int = 4, head_dim: int = 128,
                     head_dim_swa: int = 64, sliding_window: int = 256, qtype: str = "Q8_0",
                     per_layer_embd: int = 0, tokenizer_from: str | Path | None = None, seed: int = 0) -> Path:
    """A random-weight Gemma 4 GGUF (architecture ``gemma4``), laid out as llama.cpp's loader creates it
    (src/models/gemma4.cpp), for the KV cache it describes layer by layer: ``swa_layers`` (which layers
    attend in the window), ``layer_kv_heads`` (KV heads per layer), head dims for the global and the
    window layers, and the last ``shared_kv_layers`` layers reusing earlier layers' caches (llama.cpp
    takes the last cache-owning layer of the same kind: the owners must end with a window layer, then a
    global one). ``per_layer_embd`` > 0 adds per-layer embeddings of that width (Gemma 4 E2B/E4B: a
    vocabulary-sized table a token looks up one row of, projected into every layer). No experts."""
    gguf = _gguf_types()
    L = len(swa_layers)
    if len(layer_kv_heads) != L or not 0 <= shared_kv_layers < L - 1:
        raise ValueError("one KV head count per layer, and at least two layers that own their cache")
    if shared_kv_layers and (swa_layers[L - shared_kv_layers - 1] or not swa_layers[L - shared_kv_layers - 2]):
        raise ValueError("with shared caches, the last cache-owning layers must be a window layer, then a global one")
    w, tmp, out = _new_writer(gguf, out, "gemma4", f"random-gemma4-{L}x{embd}", layers=L, embd=embd, ff=ff,
                              heads=heads, kv_heads=tuple(layer_kv_heads))
    w.add_key_length(head_dim)
    w.add_value_length(head_dim)
    w.add_key_length_swa(head_dim_swa)
    w.add_value_length_swa(head_dim_swa)
    w.add_rope_dimension_count(head_dim)
    w.add_rope_dimension_count_swa(head_dim_swa)
    w.add_rope_freq_base(1e6)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_sliding_window(sliding_window)
    w.add_sliding_window_pattern(list(swa_layers))
    w.add_shared_kv_layers(shared_kv_layers)
    w.add_uint32("gemma4.embedding_length_per_layer_input", per_layer_embd)
    mat, vec, vocab = _start_tensors(gguf, w, qtype, tokenizer_from, seed, embd)
    vec("output_norm.weight", embd, 1.0)
    vec("rope_freqs.weight", head_dim // 2, 1.0)  # the global layers' proportional RoPE (one tensor for all)
    if per_layer_embd:
        mat("per_layer_token_embd.weight", vocab, per_layer_embd * L)
        mat("per_layer_model_proj.weight", per_layer_embd * L, embd)
        vec("per_layer_proj_norm.weight", per_layer_embd, 1.0)
    for i in range(L):
        d = head_dim_swa if swa_layers[i] else head_dim
        vec(f"blk.{i}.attn_norm.weight", embd, 1.0)
        mat(f"blk.{i}.attn_q.weight", heads * d, embd)
        vec(f"blk.{i}.attn_q_norm.weight", d, 1.0)
        if i < L - shared_kv_layers:  # a layer with a cache of its own
            mat(f"blk.{i}.attn_k.weight", layer_kv_heads[i] * d, embd)
            mat(f"blk.{i}.attn_v.weight", layer_kv_heads[i] * d, embd)
            vec(f"blk.{i}.attn_k_norm.weight", d, 1.0)
        mat(f"blk.{i}.attn_output.weight", embd, heads * d)
        vec(f"blk.{i}.post_attention_norm.weight", embd, 1.0)
        vec(f"blk.{i}.ffn_norm.weight", embd, 1.0)
        _ffn(mat, i, ff, embd)
        vec(f"blk.{i}.post_ffw_norm.weight", embd, 1.0)
        if per_layer_embd:
            mat(f"blk.{i}.inp_gate.weight", per_layer_embd, embd)
            mat(f"blk.{i}.proj.weight", embd, per_layer_embd)
            vec(f"blk.{i}.post_norm.weight", embd, 1.0)
    return _write_atomically(w, tmp, out)


def make_qwen35_gguf(out: str | Path, *, layers: int = 8, embd: int = 256, ff: int = 512, heads: int = 4,
                     kv_heads: int = 2, head_dim: int = 64, full_attention_interval: int | None = 4,
                     conv_kernel: int = 4, state_size: int = 32, k_heads: int = 2, v_heads: int = 4,
                     experts: int = 0, experts_used: int = 0, qtype: str = "Q8_0",
                     tokenizer_from: str | Path | None = None, seed: int = 0) -> Path:
    """A random-weight Qwen3.5 GGUF (architecture ``qwen35``): a hybrid of gated DeltaNet layers (linear
    attention, a fixed recurrent state, no KV cache) and full-attention layers with a gated query, laid out
    as llama.cpp's loader creates them (src/models/qwen35.cpp): every ``full_attention_interval``-th layer
    attends (None: the key is left out, and the loader's default, 4, applies). The DeltaNet layers have
    ``k_heads`` query/key heads and ``v_heads`` value heads, each of ``state_size`` (llama.cpp's
    ssm.state_size = head dim, ssm.group_count = key heads, ssm.time_step_rank = value heads,
    ssm.inner_size = value heads x head dim) and a causal convolution of ``conv_kernel`` taps.
    ``experts`` > 0 writes Qwen3-Next's layout instead (architecture ``qwen3next``, src/models/qwen3next.cpp):
    every feed-forward a mixture of that many experts of width ``ff`` (``experts_used`` per token) beside one
    shared expert with its own gate, beta and alpha in one projection (ssm_ba), plain RoPE."""
    gguf = _gguf_types()
    every = full_attention_interval or 4
    key_dim, value_dim = state_size * k_heads, state_size * v_heads
    conv_dim = 2 * key_dim + value_dim
    arch = "qwen3next" if experts else "qwen35"
    w, tmp, out = _new_writer(gguf, out, arch, f"random-{arch}-{layers}x{embd}-every{every}", layers=layers,
                              embd=embd, ff=ff, heads=heads, kv_heads=kv_heads)
    w.add_key_length(head_dim)
    w.add_value_length(head_dim)
    w.add_rope_dimension_count(head_dim // 4)  # partial RoPE, as Qwen3.5's 0.25 of each head
    if experts:
        w.add_expert_count(experts)
        w.add_expert_used_count(experts_used)
        w.add_expert_feed_forward_length(ff)
        w.add_expert_shared_feed_forward_length(ff)
    else:
        w.add_rope_dimension_sections([head_dim // 16, head_dim // 16, 0, 0])  # multimodal RoPE: text uses them all
    w.add_rope_freq_base(1e7)
    w.add_layer_norm_rms_eps(1e-6)
    _add_ssm(w, conv_kernel, value_dim, state_size, v_heads, k_heads)
    if full_attention_interval is not None:
        w.add_full_attention_interval(full_attention_interval)
    f32 = gguf.GGMLQuantizationType.F32
    mat, vec, _ = _start_tensors(gguf, w, qtype, tokenizer_from, seed, embd)
    vec("output_norm.weight", embd, 1.0)
    for i in range(layers):
        vec(f"blk.{i}.attn_norm.weight", embd, 1.0)
        vec(f"blk.{i}.post_attention_norm.weight", embd, 1.0)
        if (i + 1) % every == 0:  # full attention: the query projection carries the output gate beside it
            mat(f"blk.{i}.attn_q.weight", 2 * heads * head_dim, embd)
            mat(f"blk.{i}.attn_k.weight", kv_heads * head_dim, embd)
            mat(f"blk.{i}.attn_v.weight", kv_heads * head_dim, embd)
            mat(f"blk.{i}.attn_output.weight", embd, heads * head_dim)
            vec(f"blk.{i}.attn_q_norm.weight", head_dim, 1.0)
            vec(f"blk.{i}.attn_k_norm.weight", head_dim, 1.0)
        else:  # gated DeltaNet
            mat(f"blk.{i}.attn_qkv.weight", conv_dim, embd)
            mat(f"blk.{i}.attn_gate.weight", value_dim, embd)
            mat(f"blk.{i}.ssm_conv1d.weight", conv_dim, conv_kernel, f32)
            vec(f"blk.{i}.ssm_dt.bias", v_heads, 1.0)
            vec(f"blk.{i}.ssm_a", v_heads, -1.0)
            if experts:  # Qwen3-Next: beta and alpha in one projection
                mat(f"blk.{i}.ssm_ba.weight", 2 * v_heads, embd)
            else:
                mat(f"blk.{i}.ssm_beta.weight", v_heads, embd, f32)
                mat(f"blk.{i}.ssm_alpha.weight", v_heads, embd, f32)
            vec(f"blk.{i}.ssm_norm.weight", state_size, 1.0)
            mat(f"blk.{i}.ssm_out.weight", embd, value_dim)
        if experts:
            _ffn(mat, i, ff, embd, "_exps", experts, router=True)
            vec(f"blk.{i}.ffn_gate_inp_shexp.weight", embd)
            _ffn(mat, i, ff, embd, "_shexp")
        else:
            _ffn(mat, i, ff, embd)
    return _write_atomically(w, tmp, out)


def make_granite_hybrid_gguf(out: str | Path, *, layer_kv_heads: tuple[int, ...] = (0, 0, 0, 2) * 2, embd: int = 256,
                             ff: int = 512, heads: int = 4, state_size: int = 64, ssm_heads: int = 8, groups: int = 1,
                             conv_kernel: int = 4, qtype: str = "Q8_0", tokenizer_from: str | Path | None = None,
                             seed: int = 0) -> Path:
    """A random-weight Granite 4.0 hybrid GGUF (architecture ``granitehybrid``): Mamba-2 layers where
    ``layer_kv_heads`` says 0 (a fixed state, no KV cache) and attention layers elsewhere, each with a dense
    feed-forward, laid out as llama.cpp's loader creates them (src/models/granite-hybrid.cpp: a layer is
    recurrent iff its KV head count is 0; the Mamba-2 inner width is 2 x ``embd``, in ``ssm_heads`` heads,
    with ``groups`` groups of B and C of ``state_size`` and a causal convolution of ``conv_kernel`` taps)."""
    gguf = _gguf_types()
    L, hd, inner = len(layer_kv_heads), embd // heads, 2 * embd
    w, tmp, out = _new_writer(gguf, out, "granitehybrid", f"random-granitehybrid-{L}x{embd}", layers=L, embd=embd,
                              ff=ff, heads=heads, kv_heads=tuple(layer_kv_heads))
    w.add_rope_dimension_count(hd)
    w.add_rope_freq_base(1e4)
    w.add_layer_norm_rms_eps(1e-5)
    _add_ssm(w, conv_kernel, inner, state_size, ssm_heads, groups)
    mat, vec, _ = _start_tensors(gguf, w, qtype, tokenizer_from, seed, embd)
    vec("output_norm.weight", embd, 1.0)
    for i, kv_heads in enumerate(layer_kv_heads):
        vec(f"blk.{i}.attn_norm.weight", embd, 1.0)
        if kv_heads:
            mat(f"blk.{i}.attn_q.weight", embd, embd)
            mat(f"blk.{i}.attn_k.weight", kv_heads * hd, embd)
            mat(f"blk.{i}.attn_v.weight", kv_heads * hd, embd)
            mat(f"blk.{i}.attn_output.weight", embd, embd)
        else:
            _mamba2(w, mat, vec, i, embd, inner, state_size, ssm_heads, groups, conv_kernel)
        vec(f"blk.{i}.ffn_norm.weight", embd, 1.0)
        _ffn(mat, i, ff, embd)
    return _write_atomically(w, tmp, out)


def make_nemotron_h_gguf(out: str | Path, *, pattern: str = "M-M*M-M*", embd: int = 256, ff: int = 512, heads: int = 4,
                         kv_heads: int = 2, head_dim: int = 64, state_size: int = 32, ssm_heads: int = 8,
                         ssm_head_dim: int = 64, groups: int = 2, conv_kernel: int = 4, experts: int = 8,
                         experts_used: int = 2, expert_ff: int = 128, shared_ff: int = 256, latent: int | None = None,
                         qtype: str = "Q8_0", tokenizer_from: str | Path | None = None, seed: int = 0) -> Path:
    """A random-weight Nemotron-H GGUF (architecture ``nemotron_h``) whose layers each do one thing, as
    ``pattern`` spells them (transformers' hybrid_override_pattern): "M" a Mamba-2 layer, "*" attention alone,
    "-" a feed-forward alone (up and down, squared ReLU), laid out as llama.cpp's loader creates them
    (src/models/nemotron-h.cpp: per-layer KV head and feed-forward counts; a layer is recurrent iff both are 0).
    A pattern with "E" layers writes Nemotron 3's mixture of experts (``nemotron_h_moe``, the same loader): each
    layer with a feed-forward then has ``experts`` routed experts of width ``expert_ff`` (up and down, no gate),
    ``experts_used`` per token, an F32 router with its selection bias and one shared expert of ``shared_ff``;
    ``latent`` makes them a latent MoE (Nemotron 3 Super and Ultra: moe_latent_size): the routed experts work in
    that width, between ffn_latent_down from the hidden width and ffn_latent_up back to it."""
    gguf = _gguf_types()
    if set(pattern) - set("M*-E") or ("E" in pattern and "-" in pattern):
        raise ValueError(f"a Nemotron-H pattern is made of M, * and - (or E for experts), not {pattern!r}")
    if latent and "E" not in pattern:
        raise ValueError("a latent width is for the experts of E layers; the pattern has none")
    L, inner, moe = len(pattern), ssm_heads * ssm_head_dim, "E" in pattern
    w, tmp, out = _new_writer(gguf, out, "nemotron_h_moe" if moe else "nemotron_h",
                              f"random-nemotron_h-{pattern}", layers=L, embd=embd,
                              ff=[(expert_ff if c == "E" else ff) if c in "-E" else 0 for c in pattern], heads=heads,
                              kv_heads=tuple(kv_heads if c == "*" else 0 for c in pattern))
    w.add_key_length(head_dim)
    w.add_value_length(head_dim)
    w.add_rope_dimension_count(head_dim)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_layer_norm_eps(1e-5)
    if moe:
        w.add_expert_count(experts)
        w.add_expert_used_count(experts_used)
        w.add_expert_feed_forward_length(expert_ff)
        w.add_expert_shared_feed_forward_length(shared_ff)
        if latent:
            w.add_uint32("nemotron_h_moe.moe_latent_size", latent)
    _add_ssm(w, conv_kernel, inner, state_size, ssm_heads, groups)
    mat, vec, _ = _start_tensors(gguf, w, qtype, tokenizer_from, seed, embd)
    vec("output_norm.weight", embd, 1.0)
    for i, kind in enumerate(pattern):
        vec(f"blk.{i}.attn_norm.weight", embd, 1.0)
        if kind == "M":
            _mamba2(w, mat, vec, i, embd, inner, state_size, ssm_heads, groups, conv_kernel)
        elif kind == "*":
            mat(f"blk.{i}.attn_q.weight", heads * head_dim, embd)
            mat(f"blk.{i}.attn_k.weight", kv_heads * head_dim, embd)
            mat(f"blk.{i}.attn_v.weight", kv_heads * head_dim, embd)
            mat(f"blk.{i}.attn_output.weight", embd, heads * head_dim)
        elif kind == "E":
            mat(f"blk.{i}.ffn_gate_inp.weight", experts, embd, gguf.GGMLQuantizationType.F32)
            vec(f"blk.{i}.exp_probs_b.bias", experts)
            width = latent or embd  # the routed experts' input and output width
            if latent:
                mat(f"blk.{i}.ffn_latent_down.weight", latent, embd)
                mat(f"blk.{i}.ffn_latent_up.weight", embd, latent)
            mat(f"blk.{i}.ffn_up_exps.weight", expert_ff, width, stack=experts)
            mat(f"blk.{i}.ffn_down_exps.weight", width, expert_ff, stack=experts)
            mat(f"blk.{i}.ffn_up_shexp.weight", shared_ff, embd)
            mat(f"blk.{i}.ffn_down_shexp.weight", embd, shared_ff)
        else:
            mat(f"blk.{i}.ffn_up.weight", ff, embd)
            mat(f"blk.{i}.ffn_down.weight", embd, ff)
    return _write_atomically(w, tmp, out)


def make_gemma3n_gguf(out: str | Path, *, layers: int = 22, embd: int = 256, ff: int = 512, heads: int = 4,
                      kv_heads: int = 1, head_dim: int = 64, sliding_window: int = 256,
                      swa_pattern: int | None = None, qtype: str = "Q8_0", tokenizer_from: str | Path | None = None,
                      seed: int = 0) -> Path:
    """A random-weight Gemma 3n GGUF (architecture ``gemma3n``), laid out as llama.cpp's loader creates it
    (src/models/gemma3n.cpp): 4 of every 5 layers in the window (``swa_pattern`` writes another period; the
    engine stops unless layer 19 stays global and 18 in the window, the caches the later layers reuse), only
    the first 20 layers with a KV cache of their own (the loader's n_layer_kv_from_start; the later ones reuse
    it), per-layer embeddings 256 wide (a vocabulary-sized table looked up one row per token), AltUp's 4 streams
    and LAuReL's rank-64 side path: the loader's fixed sizes (llama_hparams n_embd_altup, n_altup, laurel_rank)."""
    gguf = _gguf_types()
    altup, rank, per_layer_embd = 4, 64, 256
    w, tmp, out = _new_writer(gguf, out, "gemma3n", f"random-gemma3n-{layers}x{embd}", layers=layers, embd=embd, ff=ff,
                              heads=heads, kv_heads=kv_heads)
    w.add_key_length(head_dim)
    w.add_value_length(head_dim)
    w.add_rope_dimension_count(head_dim)
    w.add_rope_freq_base(1e6)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_sliding_window(sliding_window)
    if swa_pattern is not None:
        w.add_uint32("gemma3n.attention.sliding_window_pattern", swa_pattern)
    w.add_embedding_length_per_layer_input(per_layer_embd)
    w.add_altup_active_idx(0)
    w.add_altup_num_inputs(altup)
    w.add_final_logit_softcapping(30.0)
    f32 = gguf.GGMLQuantizationType.F32
    mat, vec, vocab = _start_tensors(gguf, w, qtype, tokenizer_from, seed, embd)
    vec("output_norm.weight", embd, 1.0)
    mat("altup_proj.weight", embd, embd, stack=altup - 1)
    mat("altup_unembd_proj.weight", embd, embd, stack=altup - 1)
    mat("per_layer_token_embd.weight", vocab, per_layer_embd * layers)
    mat("per_layer_model_proj.weight", per_layer_embd * layers, embd)
    vec("per_layer_proj_norm.weight", per_layer_embd, 1.0)
    for i in range(layers):
        vec(f"blk.{i}.attn_norm.weight", embd, 1.0)
        mat(f"blk.{i}.attn_q.weight", heads * head_dim, embd)
        mat(f"blk.{i}.attn_k.weight", kv_heads * head_dim, embd)
        mat(f"blk.{i}.attn_v.weight", kv_heads * head_dim, embd)
        mat(f"blk.{i}.attn_output.weight", embd, heads * head_dim)
        vec(f"blk.{i}.attn_q_norm.weight", head_dim, 1.0)
        vec(f"blk.{i}.attn_k_norm.weight", head_dim, 1.0)
        vec(f"blk.{i}.post_attention_norm.weight", embd, 1.0)
        vec(f"blk.{i}.ffn_norm.weight", embd, 1.0)
        _ffn(mat, i, ff, embd)
        vec(f"blk.{i}.post_ffw_norm.weight", embd, 1.0)
        mat(f"blk.{i}.inp_gate.weight", per_layer_embd, embd)
        mat(f"blk.{i}.proj.weight", embd, per_layer_embd)
        vec(f"blk.{i}.post_norm.weight", embd, 1.0)
        mat(f"blk.{i}.altup_correct_coef.weight", altup, altup, f32)
        vec(f"blk.{i}.altup_correct_scale.weight", embd, 1.0)
        mat(f"blk.{i}.altup_predict_coef.weight", altup * altup, altup, f32)
        mat(f"blk.{i}.altup_router.weight", altup, embd, f32)
        vec(f"blk.{i}.altup_router_norm.weight", embd, 1.0)
        mat(f"blk.{i}.laurel_l.weight", rank, embd)
        mat(f"blk.{i}.laurel_r.weight", embd, rank)
        vec(f"blk.{i}.laurel_post_norm.weight", embd, 1.0)
    return _write_atomically(w, tmp, out)
