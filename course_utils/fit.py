"""Will a model fit, and how fast will it decode? File size, KV cache, RAM and tokens/s.

Weights are counted matrix by matrix, in the type llama-quantize gives each (``quant_mix``: its
per-tensor rules for every file type, the block-size fallbacks included) and at that type's real
block size, never nominal bits. Only a model whose architecture is unknown takes llama.cpp's
measured bits per weight on Llama 2 7B (``data/quant_types.csv``).

    estimate("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", context=4096, hardware="M1 Pro")
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import data, published_runs, quant_mix
from .errors import InvalidInput
from .i18n import number, t, tn
from .model_ids import CUTOFF_SHORT, did_you_mean, known_spelling, normalise_repo_id
from .hardware import (DEFAULT_PC_CPU_BANDWIDTH_GBS, REFERENCE_LAYERS, Hardware, custom_hardware, find_hardware,
                       this_machine, with_memory)
from .text_table import label_rows

GB = 1e9  # sizes are in GB = 10^9 bytes, as the Hub shows file sizes
QUANTS = ("F16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_0", "Q4_K_M", "Q4_K_S", "Q4_0", "Q3_K_L", "Q3_K_M",
          "Q3_K_S", "Q2_K")
# llama.cpp's i-quant file types: accepted wherever a quantization is named, their bytes from llama-quantize's
# per-tensor rules (quant_mix); not in QUANTS, which the pickers and the per-quantization charts list
IQUANTS = quant_mix.FILE_TYPES
OTHER_QUANTS = ("BF16", "Q5_1", "Q4_1")  # accepted too (the course's SmolLM2 file is a Q4_1), not listed
DEFAULT_CONTEXT = 4096  # llama.cpp's default n_ctx (common/common.h)
KV_BYTES = {"F16": 2.0, "Q8_0": 34 / 32, "Q4_0": 18 / 32}  # cache types (-ctk/-ctv)
# A hybrid's recurrent state moves several times per token, in steps of their own after the matrix work.
# Gathered (src/llama-graph.cpp build_rs: get_rows reads and writes it; the convolutions' state and the gated
# DeltaNet's, whose fused gated_delta_net then reads it and writes the new one; a copy puts that back in the
# cache): 6 passes. Scanned (Mamba-2's ssm_scan reads the cache rows itself, "avoiding unnecessary copies",
# and writes the new state beside its output; the copy back): 4 passes. bench/cpu_overhead.py's Qwen3.5 shape
# with 1 MB of state per layer (2026-12-04, 5 runs at 2 and 1 threads): without these moves +44, +21, +19, +25,
# +7 % and +8, +10, +13, +10, +9 % fast; with them +30, +5, +4, +10, -7 % and -17, -3, 0, -2, -2 %. Its Granite
# shapes (128 kB and 2 MB of state per Mamba-2 layer, 3 runs at 2 and 1 threads): the larger state's extra time,
# beyond its wider in_proj, was what 2.7, 3.1, 3.4, 1.5 and 7.4 passes take (one pair of runs too noisy to read)
GATHERED_STATE_PASSES = 6
SCANNED_STATE_PASSES = 4
RUNTIME_OVERHEAD_GB = 0.5  # assumption: runtime, thread buffers, scratch; peers use 0.5-1.5 GB
MAX_CONTEXT = 1_048_576  # tokens: the longest context the estimates accept (2^20)
CONTEXT_STEP = 256  # max_context answers in multiples of this (llama.cpp pads the KV cache to 256 cells)
CHART_MIN_CONTEXT = 8192  # the memory-vs-context chart spans at least this many tokens...
CHART_POINTS = 24  # ...in this many steps
UBATCH = 512  # llama.cpp's default n_ubatch: the logits buffer is n_vocab x n_ubatch floats
# llama.cpp rounds its context, and each sliding-window cache (window + n_ubatch), up to a multiple of
# 256 cells (llama-kv-cache-iswa.cpp: size_swa = min(size_base, GGML_PAD(n_swa + n_ubatch, n_pad)));
# tests/test_engine.py checks this against the caches the bundled llama.cpp allocates
KV_PAD = 256
# Share of unified memory macOS lets the GPU wire by default: an assumption the peers share
# (canirun, caniarun use 0.75); `sysctl iogpu.wired_limit_mb` changes it.
APPLE_GPU_SHARE = 0.75

@dataclass(frozen=True)
class ModelShape:
    """What the estimator needs to know about a model's architecture."""

    name: str
    params: float  # total parameters
    n_layers: int | None = None
    hidden: int | None = None
    ffn: int | None = None
    n_heads: int | None = None
    n_kv_heads: int | None = None
    head_dim: int | None = None
    vocab: int | None = None
    tied_embeddings: bool = False
    gated_ffn: bool = True
    max_context: int | None = None
    source: str = ""
    exact_weight_bytes: float | None = None  # from a GGUF header: sum of tensor sizes
    # from a GGUF header: the file's bytes besides the tensors' (the header itself and the padding between tensors)
    exact_header_bytes: float | None = None
    # mixture of experts: routed experts, how many a token uses, always-on shared experts
    n_experts: int = 0
    experts_per_token: int = 0
    n_shared_experts: int = 0
    moe_ffn: int | None = None
    first_dense_layers: int = 0  # DeepSeek's first_k_dense_replace: these layers have a dense FFN
    # every Nth layer past those is a MoE layer, the others dense (Llama 4 Maverick: 2; llama.cpp's
    # n_moe_layer_step, transformers' interleave_moe_layer_step)
    moe_layer_step: int = 1
    # which layers have experts, where the file says so layer by layer (Nemotron 3, nemotron_h_moe: those with
    # a feed-forward); None: llama.cpp's rule from first_dense_layers and moe_layer_step
    moe_layer_mask: tuple[bool, ...] | None = None
    expert_bpw: float | None = None  # experts stored in one type whatever the file type (gpt-oss: MXFP4)
    # a latent mixture of experts (Nemotron 3 Super and Ultra, llama.cpp's moe_latent_size): the routed experts
    # work in this width, between a projection down from the hidden width and one back up (ffn_latent_down/up);
    # the router and the shared expert stay on the hidden width. None: the experts work in the hidden width
    moe_latent: int | None = None
    # attention variants
    sliding_window: int | None = None
    sliding_window_pattern: int | None = None  # every Nth layer attends globally, the others in the window
    kv_lora_rank: int | None = None  # multi-head latent attention (DeepSeek V2/V3)
    q_lora_rank: int | None = None
    rope_dim: int | None = None
    nope_dim: int | None = None
    v_head_dim: int | None = None
    # a mixture of experts whose architecture is unknown: the parameters a token reads, as the catalog states
    active_params: float | None = None
    exact_expert_bytes: float | None = None  # from a GGUF header: the routed experts' tensors (*_exps)
    # from a GGUF header: the ggml type of most of the layers' weights, and of the output matrix (or the tied embedding)
    layer_type: str | None = None
    output_type: str | None = None
    # from a GGUF header that describes its layers one by one (Gemma 4, hybrids; a hybrid's config): which layers
    # attend in the window, and each layer's K and V elements per token (0: no cache of its own, either
    # reusing an earlier layer's or a recurrent layer's)
    swa_layers: tuple[bool, ...] | None = None
    kv_layer_elems: tuple[int, ...] | None = None
    kv_shared_layers: int = 0  # of those with 0: the last layers, which reuse earlier caches (Gemma 4)
    # from a GGUF header: tables a token looks up one row of besides the token embedding (Gemma 4
    # E2B/E4B's per-layer embeddings), in bytes: held in memory, not read per token
    exact_lookup_bytes: float = 0.0
    # a hybrid's (LFM2, Qwen3.5/Qwen3-Next, Granite 4.0-H, Nemotron-H; from a GGUF header or a config.json):
    # the layers that keep a recurrent state instead of a KV cache, and that state's f32 elements per sequence,
    # summed over them (llama.cpp's llama_memory_recurrent: R, the convolution's last inputs, and S, the SSM or
    # DeltaNet state)
    recurrent_layers: int = 0
    recurrent_state_elems: int = 0
    recurrent_moved_elems: int = 0  # of which each token reads and writes this many, in all (the passes above)
    mixer_params: float = 0.0  # the weights of one recurrent layer's token mixer, which replaces attention there
    # layers that each do one thing (Nemotron-H: Mamba-2, attention or a feed-forward alone): how many attend
    # (None: all but the recurrent ones) and how many have a feed-forward (None: all)
    attention_layers: int | None = None
    ffn_layers: int | None = None
    q_gate: bool = False  # the query projection also gives the attention output's gate (Qwen3-Next, Qwen3.5): 2x wide
    # q, k and v in one matrix (llama.cpp's attn_qkv: Phi-3 and Phi-4, Bloom, Falcon, GPT-NeoX, GPT-2), which
    # llama-quantize gives a type of its own
    fused_qkv: bool = False

    @property
    def known(self) -> bool:
        return None not in (self.n_layers, self.hidden, self.n_heads, self.vocab) and \
            (self.ffn is not None or self.moe_ffn is not None)

    @property
    def kv_known(self) -> bool:
        return bool(self.n_layers) and (self.mla or bool(self.kv_layer_elems) or bool(self.n_heads and self.hd))

    @property
    def moe(self) -> bool:
        return self.n_experts > 0

    @property
    def mla(self) -> bool:
        return bool(self.kv_lora_rank)

    def is_moe_layer(self, i: int) -> bool:
        """llama.cpp's rule (e.g. src/models/ernie4-5-moe.cpp): il >= n_layer_dense_lead && (il + 1) % step == 0,
        unless the shape names its MoE layers (moe_layer_mask)."""
        if self.moe_layer_mask is not None:
            return self.moe and 0 <= i < len(self.moe_layer_mask) and self.moe_layer_mask[i]
        return self.moe and i >= self.first_dense_layers and (i + 1) % max(1, self.moe_layer_step) == 0

    def moe_layers_in(self, start: int, stop: int) -> int:
        """How many of layers start..stop-1 have experts."""
        return sum(1 for i in range(max(0, start), min(stop, self.n_layers or 0)) if self.is_moe_layer(i))

    @property
    def moe_layers(self) -> int:
        return self.moe_layers_in(0, self.n_layers or 0)

    @property
    def dense_layers(self) -> int:
        """Layers with a dense feed-forward (all of them in a dense model, unless some have none)."""
        return (self.n_layers or 0 if self.ffn_layers is None else self.ffn_layers) - self.moe_layers

    @property
    def attending_layers(self) -> int:
        """Layers with attention: all but a hybrid's recurrent ones, unless the shape says how many."""
        if self.attention_layers is not None:
            return self.attention_layers
        return (self.n_layers or 0) - self.recurrent_layers

    @property
    def kv_heads(self) -> int:
        return self.n_kv_heads or self.n_heads or 0

    @property
    def hd(self) -> int:
        return self.head_dim or (self.hidden // self.n_heads if self.hidden and self.n_heads else 0)


def _groups(shape: ModelShape) -> dict[str, float]:
    """Parameters per tensor group (attn_v and ffn_down apart, experts apart): quant_mix.matrix_sets, the
    weights llama-quantize types one by one, summed (a fused attn_qkv, the router and a latent MoE's
    projections count in layers_rest)."""
    out = {"token_embd": 0.0, "output": 0.0, "attn_v": 0.0, "ffn_down": 0.0, "layers_rest": 0.0}
    if shape.moe:
        out.update(experts=0.0, shared_experts=0.0)
    for m in quant_mix.matrix_sets(shape):
        key = m.group if m.group != "layers" and m.group != "router" else \
            m.role if m.role in ("attn_v", "ffn_down") else "layers_rest"
        out[key] += m.weights
    return out


use_more_bits = quant_mix.use_more_bits  # llama.cpp's rule for the layers the *_M mixes promote


@lru_cache(maxsize=None)
def _reference_shape() -> ModelShape:
    return shape_for("meta-llama/Llama-2-7b-hf")


@lru_cache(maxsize=None)
def measured_bpw() -> dict[str, float]:
    return {r["quant"]: r["measured_bpw_llama2_7b"] for r in data.load("quant_types")}


def weight_bytes(shape: ModelShape, quant: str) -> tuple[float, dict[str, float]]:
    """(bytes of the GGUF's tensors, bytes per group) for a file type: llama-quantize's type for each matrix
    (quant_mix). An unknown architecture: llama.cpp's measured bits per weight on Llama 2 7B (data/quant_types.csv;
    the i-quants': the rules' on that model)."""
    quant = check_quant(quant)
    if not shape.known:
        if quant in measured_bpw():
            total = shape.params * measured_bpw()[quant] / 8
        else:
            ref = _reference_shape()
            total = shape.params * quant_mix.weight_bytes(ref, quant)[0] / ref.params
        return total, {"all (architecture unknown: bits per weight of Llama 2 7B)": total}
    total, groups = quant_mix.weight_bytes(shape, quant)
    if shape.moe and shape.expert_bpw:  # experts kept in their own type (gpt-oss: MXFP4)
        g = _groups(shape)
        for key in ("experts", "shared_experts"):
            if g.get(key):
                groups[key] = g[key] * shape.expert_bpw / 8
    # norms and biases (F32) are a few hundred kB: left out; the header is fit.header_bytes
    return sum(groups.values()), groups


# What a GGUF holds besides its tensors is its header, and most of that is the tokenizer: each vocabulary entry's
# string (an 8-byte length and its bytes) and type (4 bytes), and in a byte-pair tokenizer one merge rule (again
# a length and its bytes) per entry. In the course's SmolLM2-135M file (49,152 entries, 48,900 merges) that is
# 1.78 MB, 36.3 bytes per entry (tests/test_quant_mix.py reads it from the file). A sentencepiece tokenizer keeps
# a 4-byte score instead of the merge (with SmolLM2's 7.5-byte strings, 23.5 bytes an entry), so for Llama 2
# this counts ~0.4 MB too much, 0.01 % of a 7B file; the small models need it: without it their files came out
# up to 2.6 % small (bench/fit_accuracy.py).
HEADER_BYTES_PER_TOKEN = 36.3


def header_bytes(shape: ModelShape) -> float:
    """A GGUF's bytes besides its tensors: its header, as the file says, else HEADER_BYTES_PER_TOKEN per
    vocabulary entry (0 where the vocabulary is not known)."""
    if shape.exact_header_bytes is not None:
        return shape.exact_header_bytes
    return (shape.vocab or 0) * HEADER_BYTES_PER_TOKEN


def active_fraction(shape: ModelShape) -> float:
    """Share of the routed experts a token reads (experts_per_token / experts); 1 for dense models."""
    return shape.experts_per_token / shape.n_experts if shape.moe and shape.n_experts else 1.0


def _kv_pad(cells: int) -> int:
    return -(-cells // KV_PAD) * KV_PAD


def _layer_cells(shape: ModelShape, context: int, allocated: bool) -> tuple[int, int]:
    """(slots of a layer that attends to the whole context, slots of a sliding-window layer).

    A sliding-window layer's cache is taken as the window plus one micro-batch (n_ubatch
    tokens are added before the oldest leave), never more than the context. ``allocated``: the
    slots llama.cpp allocates, each cache rounded up to a multiple of KV_PAD.
    """
    pad = _kv_pad if allocated else (lambda n: n)
    context = pad(context)
    return context, min(context, pad(shape.sliding_window + UBATCH)) if shape.sliding_window else context


def kv_cells(shape: ModelShape, context: int, allocated: bool = False) -> float:
    """Token slots cached, summed over layers: sliding-window layers keep only their window (_layer_cells)."""
    L = shape.n_layers
    full, window = _layer_cells(shape, context, allocated)
    if shape.recurrent_layers and shape.kv_layer_elems:  # a hybrid: only its attention layers cache tokens
        return sum(window if shape.swa_layers and shape.swa_layers[i] else full
                   for i, e in enumerate(shape.kv_layer_elems) if e)
    if shape.sliding_window and shape.swa_layers:
        return sum(window if swa else full for swa in shape.swa_layers)
    if shape.sliding_window and shape.sliding_window_pattern:
        n_global = sum(1 for i in range(L) if (i + 1) % shape.sliding_window_pattern == 0)
        return n_global * full + (L - n_global) * window
    return L * full


def kv_cache_bytes(shape: ModelShape, context: int, cache_type: str = "F16", allocated: bool = True) -> float:
    """KV cache bytes at a context, per architecture: as llama.cpp allocates them (rounded up to
    KV_PAD cells), or, ``allocated=False``, those of the ``context`` tokens themselves (what a decode
    step reads).

    GQA/MHA: 2 (K and V) x KV heads x head dim per layer and token. MLA (DeepSeek V2/V3): one
    compressed latent of kv_lora_rank + the decoupled RoPE key per layer and token (DeepSeek-V2
    paper, table 1: (d_c + d_h^R) x layers). Sliding-window layers hold only their window.
    Bytes per element: F16 2, q8_0 34/32, q4_0 18/32 (-ctk/-ctv).
    """
    cache_type = check_kv_type(cache_type)
    if shape.kv_layer_elems:  # layer by layer (Gemma 4, hybrids): its own KV heads and head dims, or no cache
        full, window = _layer_cells(shape, context, allocated)
        return sum(e * (window if shape.swa_layers and shape.swa_layers[i] else full)
                   for i, e in enumerate(shape.kv_layer_elems)) * KV_BYTES[cache_type]
    if shape.kv_known:
        per_cell = (shape.kv_lora_rank + (shape.rope_dim or 0)) if shape.mla else 2 * shape.kv_heads * shape.hd
        return per_cell * kv_cells(shape, context, allocated) * KV_BYTES[cache_type]
    # Architecture unknown: assume a Llama-2-like shape without grouped-query attention, so this is
    # an upper bound; GQA models need 4-8x less.
    d = (shape.params * WIDTH_PER_LAYER / PARAMS_PER_LAYER_PER_WIDTH2) ** (1 / 3)
    layers = d / WIDTH_PER_LAYER
    return 2 * layers * d * (_kv_pad(context) if allocated else context) * KV_BYTES[cache_type]


# The shape assumed when a model's architecture is unknown (Llama-2 7B: 32 layers of width 4096,
# 4096 / 32 = 128; each layer holds about 12 d^2 weights: 4 d^2 attention, 8 d^2 MLP).
WIDTH_PER_LAYER = 128
PARAMS_PER_LAYER_PER_WIDTH2 = 12


_n = number  # a number as a learner reads it (4.5 in English, 4,5 in French); the results keep theirs


def check_kv_type(cache_type: Any) -> str:
    key = str(cache_type).strip().upper() if isinstance(cache_type, str) else cache_type
    if key not in KV_BYTES:
        raise InvalidInput(t("fit.kv_type.bad", choices=", ".join(k.lower() for k in KV_BYTES), value=repr(cache_type)))
    return key


def check_quant(quant: str) -> str:
    known = QUANTS + IQUANTS + OTHER_QUANTS
    if not isinstance(quant, str) or quant.strip().upper() not in known:
        raise InvalidInput(t("fit.quant.unknown", value=repr(quant), choices=", ".join(known)),
                           suggestions=did_you_mean(str(quant), known, n=3, cutoff=CUTOFF_SHORT))
    return quant.strip().upper()


def check_context(context: Any) -> int:
    if isinstance(context, bool) or not isinstance(context, int) or not 1 <= context <= MAX_CONTEXT:
        raise InvalidInput(t("fit.context.bad", max=_n(MAX_CONTEXT, ","), value=repr(context)))
    return context


# --------------------------------------------------------------------------- model shapes

_GATED_ARCHS = ("llama", "mistral", "qwen", "gemma", "phi3", "olmo", "stablelm", "deepseek", "mixtral", "gptoss",
                "granite", "falcon3")
_FIELDS = ("num_hidden_layers", "hidden_size", "intermediate_size", "num_attention_heads", "num_key_value_heads",
           "head_dim", "vocab_size", "max_position_embeddings", "tie_word_embeddings", "num_experts",
           "experts_per_token", "num_shared_experts", "moe_intermediate_size", "first_dense_layers", "moe_layer_step",
           "sliding_window", "sliding_window_pattern", "kv_lora_rank", "q_lora_rank", "qk_rope_head_dim",
           "qk_nope_head_dim", "v_head_dim")
MXFP4_BPW = 4.25  # ggml block_mxfp4: 32 weights in 17 bytes (one E8M0 scale + 16 bytes of 4-bit values)


def _shape_from_row(name: str, row: dict, gated: bool = True) -> ModelShape:
    g = row.get
    return ModelShape(
        name, 0.0, g("num_hidden_layers"), g("hidden_size"), g("intermediate_size"), g("num_attention_heads"),
        g("num_key_value_heads"), g("head_dim"), g("vocab_size"), bool(g("tie_word_embeddings")), gated,
        g("max_position_embeddings"), n_experts=g("num_experts") or 0, experts_per_token=g("experts_per_token") or 0,
        n_shared_experts=g("num_shared_experts") or 0, moe_ffn=g("moe_intermediate_size"),
        moe_latent=g("moe_latent_size") or None,
        first_dense_layers=g("first_dense_layers") or 0, moe_layer_step=g("moe_layer_step") or 1,
        expert_bpw=MXFP4_BPW if "gptoss" in (g("architecture") or "").lower() else None,
        sliding_window=g("sliding_window"), sliding_window_pattern=g("sliding_window_pattern"),
        kv_lora_rank=g("kv_lora_rank"), q_lora_rank=g("q_lora_rank"), rope_dim=g("qk_rope_head_dim"),
        nope_dim=g("qk_nope_head_dim"), v_head_dim=g("v_head_dim"),
        fused_qkv=(g("architecture") or "") in FUSED_QKV_ARCHS, **_hybrid_fields(row))


# transformers architectures whose checkpoints keep q, k and v in one matrix, which llama.cpp's converter keeps
FUSED_QKV_ARCHS = ("Phi3ForCausalLM", "BloomForCausalLM", "FalconForCausalLM", "RWForCausalLM",
                   "GPTNeoXForCausalLM", "GPT2LMHeadModel")


def _hybrid_fields(row: dict) -> dict:
    """A hybrid's layer plan from a config row's ``hybrid`` entry (hub_config.hybrid_plan: which layers are
    recurrent, each one's state and token-mixer weights): KV only in the attention layers."""
    plan, g = row.get("hybrid"), row.get
    heads = g("num_attention_heads")
    hd = g("head_dim") or (g("hidden_size") // heads if g("hidden_size") and heads else 0)
    if not plan or not hd or len(plan["recurrent"]) != g("num_hidden_layers"):
        return {}
    kv = (g("num_key_value_heads") or heads) * 2 * hd
    recurrent = plan["recurrent"]
    attention = plan.get("attention") or tuple(not r for r in recurrent)
    n, ffn = sum(recurrent), plan.get("ffn")
    return dict(kv_layer_elems=tuple(kv if a else 0 for a in attention), recurrent_layers=n,
                recurrent_state_elems=n * plan["state"], recurrent_moved_elems=n * plan["moved"],
                mixer_params=float(plan["mixer"]), q_gate=plan["q_gate"],
                attention_layers=sum(attention) if "attention" in plan else None,
                ffn_layers=sum(ffn) if ffn is not None else None,
                moe_layer_mask=tuple(plan["moe"]) if plan.get("moe") and g("num_experts") else None)


def _arch_params(row: dict, gated: bool) -> float:
    return sum(_groups(_shape_from_row("x", row, gated)).values())


def _architecture_row(repo_id: str) -> tuple[dict | None, str]:
    """The model's own config row, with missing fields filled from its base model's (the family's) config."""
    arch = data.index("model_architectures")
    cat = data.index("models")
    base = (cat.get(repo_id, {}).get("base_model") or "").split(" ")[0]
    own = arch.get(repo_id)
    family = arch.get(base) if base and base != repo_id else None
    if own is None and family is None:
        return None, ""
    if own is None:
        return dict(family), base
    if family is None:
        return dict(own), repo_id
    filled = [f for f in _FIELDS if own.get(f) is None and family.get(f) is not None]
    row = dict(own, **{f: family[f] for f in filled})
    return row, (t("fit.source.via_base", repo=repo_id, fields=", ".join(filled), base=base) if filled else repo_id)


def shape_for(repo_id: str, online: bool | None = None) -> ModelShape:
    """The architecture of a model: the shipped table (its own config, with gaps filled from its
    base model's), else the Hub's config.json when online; ``online=True`` asks the Hub first."""
    cat = data.index("models")
    repo_id = normalise_repo_id(repo_id)
    repo_id = known_spelling(repo_id, cat) or known_spelling(repo_id, data.index("model_architectures")) or repo_id
    row, via = (None, "") if online else _architecture_row(repo_id)
    if row is None and (online or (online is None and _hub_online())):
        from .hub_config import shape_from_hub

        shape = shape_from_hub(repo_id)
        if shape is not None:
            return shape
        row, via = _architecture_row(repo_id)
    if row is None:
        if repo_id in cat and cat[repo_id]["params_billion"]:
            entry = cat[repo_id]
            active = entry["active_params_billion"]
            return ModelShape(repo_id, entry["params_billion"] * 1e9,
                              source=t("fit.source.catalog_params", url=entry["source_urls"].split(" ")[0]),
                              active_params=active * 1e9 if active and active < entry["params_billion"] else None)
        from .hub import suggest

        raise InvalidInput(t("fit.shape.not_found", repo=repr(repo_id)), suggestions=suggest(repo_id))
    return shape_from_config_row(repo_id, row, t("fit.source.config", via=via),
                                 (cat.get(repo_id, {}).get("params_billion") or 0) * 1e9)


def shape_from_config_row(name: str, row: dict, source: str, fallback_params: float = 0.0) -> ModelShape:
    """A ModelShape from a row shaped like data/model_architectures.csv (also built from a config.json)."""
    total = (row.get("total_params_billion") or 0) * 1e9
    gated = any(a in (row.get("architecture") or "").lower() for a in _GATED_ARCHS)
    if row.get("intermediate_size") and row.get("num_attention_heads") and total and not row.get("num_experts"):
        # let the published total decide between a gated (3-matrix) and a plain (2-matrix) FFN
        gated = abs(_arch_params(row, True) - total) < abs(_arch_params(row, False) - total)
    shape = replace(_shape_from_row(name, row, gated), source=source)
    if not shape.known:
        params = total or fallback_params
        if not params:
            raise InvalidInput(t("fit.shape.incomplete", name=repr(name)))
        return replace(shape, params=params, source=t("fit.source.incomplete", source=source))
    return replace(shape, params=total or sum(_groups(shape).values()))


def _hub_online() -> bool:
    try:
        from .settings import get_settings

        return not get_settings().offline
    except Exception:  # noqa: BLE001 - no setting means offline
        return False


def shape_from_params(params_b: float) -> ModelShape:
    if isinstance(params_b, bool) or not isinstance(params_b, (int, float)) or not 0 < params_b <= 2000:
        raise InvalidInput(t("fit.params.bad", value=repr(params_b)))
    return ModelShape(tn("fit.params.name", params_b, params=_n(params_b)), params_b * 1e9, source=t("fit.source.params_given"))


def shape_from_gguf(path: str | Path) -> ModelShape:
    """Shape and exact tensor bytes from a local GGUF file's header (needs the `gguf` package)."""
    try:
        import gguf  # its block-size table sizes the tensors; its type names name them
    except ImportError:
        raise InvalidInput(t("fit.gguf.needs_package")) from None
    from .gguf_header import read_header

    path = Path(path)
    if not path.is_file():
        raise InvalidInput(t("fit.gguf.no_file", path=path))
    try:
        header = read_header(path)
        n_bytes = float(sum(t.n_bytes for t in header.tensors))
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad file for the user
        # the reader's own detail (HeaderError's words) stays as it is: it is for whoever debugs the file
        raise InvalidInput(t("fit.gguf.unreadable", name=path.name, error=f"{type(exc).__name__}: {exc}")) from None
    meta = header.metadata

    def field_value(key: str):
        value = meta.get(key)
        return None if isinstance(value, tuple) else value

    def largest(key: str):  # a number, or the largest of a per-layer array's (Gemma 4's KV heads)
        values = header.arrays.get(key)
        return max(values) if values else field_value(key)

    arch = field_value("general.architecture") or "llama"
    n_params = sum(t.n_elements for t in header.tensors)
    names = {t.name for t in header.tensors}
    heads = largest(f"{arch}.attention.head_count")
    hidden = field_value(f"{arch}.embedding_length")
    key_len = field_value(f"{arch}.attention.key_length")
    tokens = meta.get("tokenizer.ggml.tokens")
    n_experts = field_value(f"{arch}.expert_count") or 0
    expert_bytes = float(sum(t.n_bytes for t in header.tensors if "_exps." in t.name))
    layer_weights: dict[str, int] = {}  # the layers' matrices, weights per ggml type
    out_type = None
    for tensor in header.tensors:
        kind = gguf.GGMLQuantizationType(tensor.ggml_type).name
        if tensor.name.startswith("blk.") and len(tensor.shape) >= 2:
            layer_weights[kind] = layer_weights.get(kind, 0) + tensor.n_elements
        elif tensor.name == ("output.weight" if "output.weight" in names else "token_embd.weight"):
            out_type = kind
    window, pattern = _gguf_window(arch, field_value(f"{arch}.attention.sliding_window"),
                                   field_value(f"{arch}.attention.sliding_window_pattern"))
    n_layers = field_value(f"{arch}.block_count")
    swa_layers, kv_elems, kv_shared = _gguf_kv_layers(arch, header.arrays, field_value, n_layers, heads, hidden)
    ff_layers = header.arrays.get(f"{arch}.feed_forward_length")  # one width per layer, 0 for none (Nemotron-H)
    ff_layers = tuple(ff_layers) if ff_layers is not None and len(ff_layers) == (n_layers or 0) else None
    recurrent, state, mixer, moved = _gguf_recurrent_state(arch, field_value, hidden, kv_elems, kv_shared, ff_layers)
    single = arch in _GGUF_ONE_THING and kv_elems is not None and ff_layers is not None
    # multi-head latent attention (DeepSeek V2/V3), as llama.cpp's converter writes it: key_length_mla and
    # value_length_mla are the per-head sizes; the cache holds the latent and the RoPE key, K only
    # (src/models/deepseek2.cpp: build_attn_inp_k when is_mla()); files without them attend as MHA
    k_mla, rope = field_value(f"{arch}.attention.key_length_mla"), field_value(f"{arch}.rope.dimension_count")
    kv_lora = field_value(f"{arch}.attention.kv_lora_rank") if k_mla and rope else None
    mla = dict(kv_lora_rank=kv_lora, q_lora_rank=field_value(f"{arch}.attention.q_lora_rank") or None,
               rope_dim=rope, nope_dim=k_mla - rope, v_head_dim=field_value(f"{arch}.attention.value_length_mla")
               ) if kv_lora else {}
    if kv_lora:
        key_len = k_mla  # a head's query and key size once the latent is expanded
    if swa_layers:
        window = field_value(f"{arch}.attention.sliding_window")
    return ModelShape(
        name=field_value("general.name") or path.stem, params=float(n_params),
        n_layers=n_layers, hidden=hidden,
        ffn=largest(f"{arch}.feed_forward_length"), n_heads=heads,
        n_kv_heads=largest(f"{arch}.attention.head_count_kv") or heads,
        head_dim=key_len or (hidden // heads if hidden and heads else None),
        vocab=tokens[2] if isinstance(tokens, tuple) else None,
        tied_embeddings="output.weight" not in names, gated_ffn=any(n.endswith(("ffn_gate.weight", "ffn_gate_exps.weight")) for n in names),
        max_context=field_value(f"{arch}.context_length"), source=t("fit.source.gguf", name=path.name),
        exact_weight_bytes=n_bytes,
        exact_header_bytes=float(max((t.offset + t.n_bytes for t in header.tensors), default=header.data_start)
                                 - n_bytes),
        # a mixture of experts as llama.cpp's loader reads it (llama-model.cpp: LLM_KV_EXPERT_*)
        n_experts=n_experts if expert_bytes else 0,
        experts_per_token=(field_value(f"{arch}.expert_used_count") or 0) if expert_bytes else 0,
        n_shared_experts=_gguf_shared_experts(arch, field_value, names) if expert_bytes else 0,
        moe_ffn=field_value(f"{arch}.expert_feed_forward_length") if expert_bytes else None,
        moe_latent=(field_value(f"{arch}.moe_latent_size") or None) if expert_bytes else None,
        first_dense_layers=(field_value(f"{arch}.leading_dense_block_count") or 0) if expert_bytes else 0,
        moe_layer_step=(field_value(f"{arch}.interleave_moe_layer_step") or 1) if expert_bytes else 1,
        # Nemotron 3 (src/models/nemotron-h.cpp): every layer with a feed-forward is a MoE layer
        moe_layer_mask=tuple(f > 0 for f in ff_layers) if single and expert_bytes else None,
        exact_expert_bytes=expert_bytes or None,
        sliding_window=window, sliding_window_pattern=pattern,
        layer_type=max(layer_weights, key=layer_weights.get) if layer_weights else None, output_type=out_type,
        swa_layers=swa_layers, kv_layer_elems=kv_elems, kv_shared_layers=kv_shared, **mla,
        recurrent_layers=recurrent, recurrent_state_elems=state, recurrent_moved_elems=moved,
        mixer_params=float(mixer),
        attention_layers=sum(1 for e in kv_elems if e) if single else None,
        ffn_layers=sum(1 for f in ff_layers if f) if single else None,
        q_gate=arch in _GGUF_FULL_ATTENTION_EVERY,
        fused_qkv=not recurrent and any(n.endswith(".attn_qkv.weight") for n in names),  # a hybrid's is its mixer's
        exact_lookup_bytes=float(sum(t.n_bytes for t in header.tensors if t.name in _GGUF_LOOKUP_TABLES)))


_GGUF_LOOKUP_TABLES = ("per_layer_token_embd.weight",)  # Gemma 3n and 4: a row per token and layer


def _gguf_shared_experts(arch: str, value, names: set[str]) -> int:
    """Shared experts per MoE layer, as widths of a routed expert: the file's expert_shared_count, else its
    expert_shared_feed_forward_length over expert_feed_forward_length (Qwen2-MoE, Nemotron 3: one shared
    feed-forward of that width), else one where ffn_*_shexp tensors exist (Llama 4 states no count) or none."""
    count = value(f"{arch}.expert_shared_count")
    if count:
        return int(count)
    if not any("_shexp." in n for n in names):
        return 0
    shared, width = value(f"{arch}.expert_shared_feed_forward_length"), value(f"{arch}.expert_feed_forward_length")
    return max(1, round(shared / width)) if shared and width else 1


def _gguf_kv_layers(arch: str, arrays: dict, value, n_layers: int | None, heads: int | None,
                    hidden: int | None) -> tuple[tuple[bool, ...] | None, tuple[int, ...] | None, int]:
    """(window layers, K and V elements per token of each layer, layers reusing an earlier layer's cache)
    for a GGUF header that describes its layers one by one, as llama.cpp's loaders read it; (None, None, 0)
    for the others.

    Gemma 4 (src/models/gemma4.cpp): the window layers from the sliding_window_pattern array, KV heads per
    layer (an array or one number), head dims key/value_length (global layers) and key/value_length_swa
    (window layers), and the last shared_kv_layers layers without a cache of their own. Gemma 3n: 4 of every
    5 layers in the window (or the period the file states), caches in the first 20 layers only.
    The gated DeltaNet hybrids (Qwen3-Next, Qwen3.5): only every full_attention_interval-th layer has a
    KV cache (_GGUF_FULL_ATTENTION_EVERY).
    Any other file with one KV head count per layer: a layer with 0 has no KV cache (the hybrids, such as
    LFM2, src/models/lfm2.cpp: is_recr when n_head_kv(il) == 0); LFM2's attention layers all attend in its
    sliding window when it states one. The recurrent layers' state: _gguf_recurrent_state.
    """
    if not n_layers:
        return None, None, 0
    kv_heads = arrays.get(f"{arch}.attention.head_count_kv")
    k = value(f"{arch}.attention.key_length") or (hidden // heads if hidden and heads else 0)
    v = value(f"{arch}.attention.value_length") or k
    if arch == "gemma4":
        swa = arrays.get(f"{arch}.attention.sliding_window_pattern")
        if swa is None or len(swa) != n_layers:
            return None, None, 0
        kv_heads = kv_heads or (value(f"{arch}.attention.head_count_kv") or heads or 0,) * n_layers
        k_swa, v_swa = value(f"{arch}.attention.key_length_swa") or k, value(f"{arch}.attention.value_length_swa") or v
        shared = value(f"{arch}.attention.shared_kv_layers") or 0
        if len(kv_heads) != n_layers or not (k and v):
            return None, None, 0
        elems = tuple(int(kv_heads[i]) * ((k_swa + v_swa) if swa[i] else (k + v)) if i < n_layers - shared else 0
                      for i in range(n_layers))
        return tuple(bool(x) for x in swa), elems, shared
    if arch == "gemma3n":  # src/models/gemma3n.cpp: 4 in 5 layers in the window, the first 20 own a cache
        every = value(f"{arch}.attention.sliding_window_pattern")
        every = every if _stated_period(every) else 5
        own = min(n_layers, _GEMMA3N_KV_LAYERS)
        kv = value(f"{arch}.attention.head_count_kv") or heads or 0
        if not (k and v and kv):
            return None, None, 0
        return (tuple(i % every < every - 1 for i in range(n_layers)),
                tuple(int(kv) * (k + v) if i < own else 0 for i in range(n_layers)), n_layers - own)
    if arch in _GGUF_FULL_ATTENTION_EVERY:  # gated DeltaNet hybrids: every Nth layer attends
        every = value(f"{arch}.full_attention_interval") or _GGUF_FULL_ATTENTION_EVERY[arch]
        per_layer = kv_heads if kv_heads is not None and len(kv_heads) == n_layers else \
            (value(f"{arch}.attention.head_count_kv") or heads or 0,) * n_layers
        if not (k and v and every >= 1):
            return None, None, 0
        return None, tuple(int(per_layer[i]) * (k + v) if (i + 1) % every == 0 else 0 for i in range(n_layers)), 0
    if kv_heads is None or len(kv_heads) != n_layers or not (k and v):
        return None, None, 0
    lfm2_window = arch == "lfm2" and value(f"{arch}.attention.sliding_window")
    swa_layers = tuple(h > 0 for h in kv_heads) if lfm2_window else None
    return swa_layers, tuple(int(h) * (k + v) for h in kv_heads), 0


# Gemma 3n: the layers that own a KV cache, from the first (llama.cpp's n_layer_kv_from_start); the others reuse
_GEMMA3N_KV_LAYERS = 20
# the gated DeltaNet hybrids, whose loaders (src/models/qwen3next.cpp, qwen35.cpp, qwen35moe.cpp) mark
# layer i recurrent unless (i + 1) % full_attention_interval == 0 (the file's key, else this default)
_GGUF_FULL_ATTENTION_EVERY = {"qwen3next": 4, "qwen35": 4, "qwen35moe": 4}
# the hybrids whose recurrent state is counted: checked against llama.cpp's allocation on the engine
# (Granite 4.0's Mamba-2 layers: src/models/granite-hybrid.cpp, recurrent iff 0 KV heads; Nemotron-H's:
# src/models/nemotron-h.cpp, recurrent iff 0 KV heads and no feed-forward)
_GGUF_RECURRENT = ("lfm2", "granitehybrid", "nemotron_h", "nemotron_h_moe", *_GGUF_FULL_ATTENTION_EVERY)
# the hybrids whose layers each do one thing: attention, a feed-forward (Nemotron 3: experts) or a recurrent mixer
_GGUF_ONE_THING = ("nemotron_h", "nemotron_h_moe")


def _gguf_recurrent_state(arch: str, value, hidden: int | None, kv_elems: tuple[int, ...] | None,
                          kv_shared: int, ff_layers: tuple[int, ...] | None = None) -> tuple[int, int, int, int]:
    """(recurrent layers, f32 elements of their state per sequence, weights of one layer's token mixer, state
    elements each token moves) as llama.cpp's loaders read a hybrid GGUF; zeros for architectures not in
    _GGUF_RECURRENT. The recurrent layers are those without a KV cache of their own. Their state, as llama.cpp
    allocates it (llama_memory_recurrent, one cell per sequence; src/llama-hparams.cpp n_embd_r and n_embd_s):
    LFM2's short convolutions keep hidden x (l_cache - 1) each (R); gated DeltaNet and Mamba-2 layers keep
    (conv_kernel - 1) x (inner_size + 2 x group_count x state_size) (R) plus state_size x inner_size (S).
    Nemotron-H's layers with no KV heads and no feed-forward (``ff_layers``, one width per layer) are its
    recurrent ones."""
    if arch not in _GGUF_RECURRENT or not kv_elems or (arch in _GGUF_ONE_THING and ff_layers is None):
        return 0, 0, 0, 0
    layers, h = kv_elems.count(0) - kv_shared, hidden or 0
    if arch in _GGUF_ONE_THING:
        layers = sum(1 for e, f in zip(kv_elems, ff_layers) if not e and not f)
    l_cache = value(f"{arch}.shortconv.l_cache")
    if l_cache:  # src/models/lfm2.cpp: in_proj (3 x hidden), the convolution's taps, out_proj
        elems, moved = shortconv_layer_state(h, l_cache)
        return layers, layers * elems, 4 * h * h + h * l_cache, layers * moved
    conv, inner = value(f"{arch}.ssm.conv_kernel") or 0, value(f"{arch}.ssm.inner_size") or 0
    state, groups = value(f"{arch}.ssm.state_size") or 0, value(f"{arch}.ssm.group_count") or 0
    heads = value(f"{arch}.ssm.time_step_rank") or 0
    deltanet = arch in _GGUF_FULL_ATTENTION_EVERY
    elems, moved = ssm_layer_state(conv, inner, groups * state, state, scanned=not deltanet)
    mixer = deltanet_mixer_params(h, groups * state, inner, heads, conv) if deltanet else \
        mamba2_mixer_params(h, inner, groups * state, heads, conv)
    return layers, layers * elems, mixer, layers * moved


def shortconv_layer_state(hidden: int, l_cache: int) -> tuple[int, int]:
    """(f32 elements, elements a token moves) of one LFM2 short-convolution layer's state (llama.cpp's
    n_embd_r: its last l_cache - 1 inputs), gathered, updated and copied back (GATHERED_STATE_PASSES)."""
    r = hidden * max(0, l_cache - 1)
    return r, GATHERED_STATE_PASSES * r


def ssm_layer_state(conv_kernel: int, inner: int, bc_dim: int, state_size: int, scanned: bool) -> tuple[int, int]:
    """(f32 elements, elements a token moves) of one gated DeltaNet or Mamba-2 layer's state, as llama.cpp
    allocates it (src/llama-hparams.cpp): R, the convolution's last conv_kernel - 1 inputs over inner + 2 x
    bc_dim channels (n_embd_r), and S, state_size x inner (n_embd_s). R is gathered, updated and copied back;
    so is S, unless ``scanned`` (Mamba-2's ssm_scan reads it from the cache itself: SCANNED_STATE_PASSES)."""
    r, s = max(0, conv_kernel - 1) * (inner + 2 * bc_dim), state_size * inner
    return r + s, GATHERED_STATE_PASSES * r + (SCANNED_STATE_PASSES if scanned else GATHERED_STATE_PASSES) * s


def deltanet_mixer_params(hidden: int, key_dim: int, value_dim: int, v_heads: int, conv_kernel: int) -> int:
    """Weights of one gated DeltaNet layer (src/models/qwen35.cpp): the q, k, v projection and the output
    gate's, beta and alpha (one per value head), the causal convolution over q, k and v, the output."""
    conv_dim = 2 * key_dim + value_dim
    return hidden * conv_dim + hidden * value_dim + 2 * hidden * v_heads + conv_dim * conv_kernel + value_dim * hidden


def mamba2_mixer_params(hidden: int, inner: int, bc_dim: int, heads: int, conv_kernel: int) -> int:
    """Weights of one Mamba-2 layer (src/models/granite-hybrid.cpp): in_proj (z and x of ``inner``, B and C of
    ``bc_dim`` each, one dt per head), the causal convolution over x, B and C, out_proj."""
    return hidden * (2 * inner + 2 * bc_dim + heads) + (inner + 2 * bc_dim) * conv_kernel + inner * hidden


def recurrent_state_bytes(shape: ModelShape) -> float:
    """Bytes of a hybrid's recurrent state for one sequence (f32, whatever the KV cache type; 0 for others)."""
    return 4.0 * shape.recurrent_state_elems


def recurrent_moved_bytes(shape: ModelShape) -> float:
    """Bytes of that state a decode step reads and writes, in steps after the matrix work (0 for others)."""
    return 4.0 * shape.recurrent_moved_elems


# the architectures whose layers llama.cpp's loader (src/models/<arch>.cpp, load_arch_hparams) makes
# attend in a window: every Nth layer global (set_swa_pattern(N), N overridden by the file's
# {arch}.attention.sliding_window_pattern), and the window when the file states none
_GGUF_WINDOWS = {"gemma2": (2, 4096), "gemma3": (6, None), "llama4": (4, 8192), "gpt-oss": (2, None),
                 "cohere2": (4, None), "olmo2": (4, None)}


def _stated_period(value) -> bool:
    """True when a GGUF's sliding_window_pattern is one period (a number >= 1), not a per-layer list or 0."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _gguf_window(arch: str, stated: int | None, pattern: int | None = None) -> tuple[int | None, int | None]:
    """(window, every Nth layer global) as llama.cpp sets them up for a GGUF file. Gemma 2: the file's
    sliding_window, else 4,096; Gemma 3, gpt-oss, Command R7B (cohere2), OLMo 3 (olmo2): the file's
    (none without one); Llama 4: chunks of 8,192 tokens, whatever the file says unless it says 0 (no
    chunks). A period the file states (a number >= 1; 1 = every layer global) replaces the loader's.
    Not read: 0 (every layer in the window: the loader's period then overstates the cache) and
    per-layer lists (the loader's period is used; Gemma 4's list: _gguf_kv_layers)."""
    if arch not in _GGUF_WINDOWS or stated == 0:
        return None, None
    every, default = _GGUF_WINDOWS[arch]
    if _stated_period(pattern):
        every = pattern
    window = default if arch == "llama4" else (stated or default)
    return (window, every) if window and every > 1 else (None, None)


def resolve_shape(model: str | None = None, params_b: float | None = None, gguf_path: str | None = None) -> ModelShape:
    given = [x is not None for x in (model, params_b, gguf_path)]
    if sum(given) != 1:
        raise InvalidInput(t("fit.shape.exactly_one"))
    if gguf_path is not None:
        return shape_from_gguf(gguf_path)
    if params_b is not None:
        return shape_from_params(params_b)
    if str(model).lower().endswith(".gguf"):
        return shape_from_gguf(model)
    return shape_for(str(model).strip())


# --------------------------------------------------------------------------- the estimate

@dataclass(frozen=True)
class Offload:
    """Where the weights go on a GPU machine and what that does to decode speed."""

    memory_gb: float  # memory the GPU may use (VRAM, or the share of unified memory)
    fits: bool  # the whole model (weights, KV cache, buffers) fits on the GPU
    gpu_layers: int  # llama.cpp's -ngl
    n_layers: int
    cpu_moe_layers: int  # --n-cpu-moe: layers whose experts stay in CPU RAM
    gpu_gb: float
    cpu_gb: float
    cpu_bandwidth_gbs: float | None
    text: str
    gpu_read_gb: float = 0.0  # read per token from GPU memory
    cpu_read_gb: float = 0.0  # read per token from CPU RAM


@dataclass(frozen=True)
class FitEstimate:
    model: str
    quant: str
    context: int
    params_b: float
    file_size_gb: float
    kv_cache_gb: float
    overhead_gb: float
    ram_needed_gb: float
    tokens_per_s: float | None
    hardware: str | None
    bandwidth_gbs: float | None
    efficiency: float | None
    shape_source: str
    breakdown_gb: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    kv_cache_type: str = "F16"
    active_params_b: float | None = None  # MoE: parameters a token reads (shared + routed experts)
    read_per_token_gb: float | None = None
    overhead_ms: float | None = None
    offload: Offload | None = None
    macs_per_token: int | None = None
    compute_gmacs: float | None = None  # the hardware's measured compute rate, when it was measured
    compute_bound: bool = False  # that rate, not memory, set the speed (whole model on one device)
    reading_tokens_per_s: float | None = None  # when compute-bound: the speed reading alone would allow
    rows_per_token: int | None = None  # matrix rows a decode step computes (fit.rows_per_token)
    compute_row_ns: float | None = None  # the hardware's measured cost per matrix row, when measured
    recurrent_state_gb: float = 0.0  # a hybrid's recurrent layers' state, one sequence (in ram_needed_gb)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "quant": self.quant, "context": self.context, "params_b": self.params_b,
                "file_size_gb": self.file_size_gb, "kv_cache_gb": self.kv_cache_gb, "overhead_gb": self.overhead_gb,
                "ram_needed_gb": self.ram_needed_gb, "tokens_per_s": self.tokens_per_s, "hardware": self.hardware,
                "bandwidth_gbs": self.bandwidth_gbs, "efficiency": self.efficiency,
                "shape_source": self.shape_source, "breakdown_gb": self.breakdown_gb, "notes": list(self.notes),
                "kv_cache_type": self.kv_cache_type, "active_params_b": self.active_params_b,
                "read_per_token_gb": self.read_per_token_gb, "overhead_ms": self.overhead_ms,
                "offload": None if self.offload is None else asdict(self.offload),
                "macs_per_token": self.macs_per_token, "compute_gmacs": self.compute_gmacs,
                "compute_bound": self.compute_bound, "reading_tokens_per_s": self.reading_tokens_per_s,
                "rows_per_token": self.rows_per_token, "compute_row_ns": self.compute_row_ns,
                "recurrent_state_gb": self.recurrent_state_gb}

    def to_text(self) -> str:
        """The estimate as a learner reads it, one labelled row per line (in the language in force)."""
        params = tn("fit.text.params", round(self.params_b, 2), params=_n(self.params_b, ".2f"))
        if self.active_params_b is not None:
            params += tn("fit.text.active", round(self.active_params_b, 2), active=_n(self.active_params_b, ".2f"))
        gb = lambda v: t("fit.text.gb", gb=_n(v, ".2f"))  # noqa: E731
        rows = [(t("fit.row.model"), t("fit.text.model", model=self.model, params=params, source=self.shape_source)),
                (t("fit.row.quant"), self.quant), (t("fit.row.context"), t("fit.text.tokens", n=_n(self.context, ","))),
                (t("fit.row.file_size"), gb(self.file_size_gb)),
                (t("fit.row.kv_cache"), t("fit.text.kv_cache", gb=_n(self.kv_cache_gb, ".2f"),
                                          type=self.kv_cache_type.lower())),
                *([(t("fit.row.recurrent_state"), gb(self.recurrent_state_gb))] if self.recurrent_state_gb else []),
                (t("fit.row.overhead"), gb(self.overhead_gb)), (t("fit.row.ram"), gb(self.ram_needed_gb))]
        if self.offload is not None:
            rows.append((t("fit.row.gpu_memory"), self.offload.text))
        o = self.offload
        if self.tokens_per_s is not None and o is not None and o.cpu_read_gb > 0:  # some or all from CPU RAM
            rows.append((t("fit.row.speed"), t(
                "fit.text.speed_split" if o.gpu_layers else "fit.text.speed_cpu_only", tps=_n(self.tokens_per_s, ".1f"), gpu_read=_n(o.gpu_read_gb, ".2f"),
                efficiency=_n(self.efficiency), bandwidth=_n(self.bandwidth_gbs), overhead=_n(self.overhead_ms),
                cpu_read=_n(o.cpu_read_gb, ".2f"), cpu_bw=_n(o.cpu_bandwidth_gbs))))
        elif self.tokens_per_s is not None and self.compute_bound:
            rows.append((t("fit.row.speed"), t(
                "fit.text.speed_compute", tps=_n(self.tokens_per_s, ".1f"), hardware=self.hardware,
                macs=_n(self.macs_per_token / 1e9, ".2f"), rate=_n(self.compute_gmacs), read=_n(self.read_per_token_gb, ".2f"),
                mem_tps=_n(self.reading_tokens_per_s, ".1f"),
                rows_text=t("fit.text.row_cost", row_ns=_n(self.compute_row_ns, ".1f"), rows=_n(self.rows_per_token, ","))
                if self.compute_row_ns and self.rows_per_token else "")))
        elif self.tokens_per_s is not None:
            rows.append((t("fit.row.speed"), t(
                "fit.text.speed", tps=_n(self.tokens_per_s, ".1f"), hardware=self.hardware,
                read=_n(self.read_per_token_gb, ".2f"), efficiency=_n(self.efficiency),
                bandwidth=_n(self.bandwidth_gbs), overhead=_n(self.overhead_ms))))
        rows += [(t("fit.row.note"), n) for n in self.notes]
        return label_rows(rows, min_width=12)


def macs_per_token(shape: ModelShape, context: int = 1) -> int:
    """Multiply-accumulates of one decode step: one per weight a token reads, plus attention.

    Weights: every matrix of the layers, the active experts of a MoE, and the output matrix
    (the input embedding is a row lookup, no MACs). Attention at ``context`` cached tokens:
    q.k and the weighted sum of v, 2 x heads x head dim per cached token and layer (sliding
    windows counted as in the KV cache). An unknown architecture counts its parameters (its active
    ones when the catalog gives a mixture of experts' active count).
    """
    if not shape.known:
        return int(shape.active_params or shape.params)
    g = _groups(shape)
    weights = sum(v for k, v in g.items() if k not in ("token_embd", "experts", "output"))
    weights += g["experts"] * active_fraction(shape) if "experts" in g else 0
    weights += g["token_embd"] if shape.tied_embeddings else g["output"]
    return int(weights + attention_macs(shape, context))


def attention_macs(shape: ModelShape, context: int) -> int:
    """The MACs of attention over ``context`` cached tokens in one decode step: q.k and the weighted sum of
    v, 2 x heads x head dim per cached token and layer (sliding windows counted as in the KV cache); 0 for
    an unknown architecture. On a CPU they run at a rate of their own (Hardware.compute_attn_ns)."""
    if not shape.known:
        return 0
    return int(2 * shape.n_heads * (shape.v_head_dim or shape.hd) * kv_cells(shape, context))


def rows_per_token(shape: ModelShape) -> int:
    """Matrix rows one decode step computes: each is a dot product with a fixed cost beyond its MACs.

    The rows of the matrices macs_per_token multiplies (quant_mix.matrix_sets, each set's weights over its
    row width): every matrix of the layers (a hybrid's mixer as rows of the hidden width, DeepSeek's latent
    attention as its own projections), the routed experts at the share a token runs (active_fraction), and
    the output matrix once (its vocabulary rows; the input embedding is a lookup). Attention over the cache
    is left to the MAC count. An unknown architecture counts none.
    """
    if not shape.known:
        return 0
    share = active_fraction(shape)
    rows = sum(m.weights / m.cols * (share if m.group == "experts" else 1.0)
               for m in quant_mix.matrix_sets(shape) if m.role != "token_embd")
    return int(round(rows))


def seconds_per_token(bytes_per_token: float, hw: Hardware, macs: float | None = None,
                      layers: int | None = None, serial_bytes: float = 0.0) -> float:
    """The speed model: the slower of reading and computing, plus an overhead per layer of each token.

    Reading: bytes / (efficiency x bandwidth). Computing, where the hardware's compute rate was
    measured (this machine's CPU with llama.cpp: compute_probe): MACs / rate, ``macs`` counting
    each matrix row's fixed cost as the MACs it takes (fit.estimate: rows x hw.row_macs). Unmeasured
    hardware is taken as bound by memory, as llama.cpp decode is on GPUs and many-core CPUs.
    The overhead (kernel launches, synchronisation) grows with the ``layers`` run on ``hw``
    (HardwareClass.overhead_s; unknown: 32). ``serial_bytes`` are moved by steps that neither overlap the
    matrix work nor each other (a hybrid's recurrent state: recurrent_moved_bytes): their reading time is added.
    """
    reading, computing = _reading_and_computing(bytes_per_token, hw, macs)
    serial = _reading_and_computing(serial_bytes, hw, None)[0] if serial_bytes else 0.0
    return max(reading, computing) + serial + hw.klass.overhead_s(layers)


def compute_bound(bytes_per_token: float, hw: Hardware, macs: float | None) -> bool:
    """True when the measured compute rate, not the memory, sets the pace."""
    reading, computing = _reading_and_computing(bytes_per_token, hw, macs)
    return computing > reading


def _reading_and_computing(bytes_per_token: float, hw: Hardware, macs: float | None) -> tuple[float, float]:
    """Seconds per token to read the bytes and to do the MACs (0 where no compute rate was measured)."""
    reading = bytes_per_token / (hw.klass.efficiency * hw.bandwidth_gbs * GB)
    computing = macs / (hw.compute_gmacs * 1e9) if macs and hw.compute_gmacs else 0.0
    return reading, computing


def tokens_per_second(bytes_per_token: float, hw: Hardware, macs: float | None = None,
                      layers: int | None = None, serial_bytes: float = 0.0) -> float:
    """Decode speed: 1 / seconds_per_token."""
    return 1 / seconds_per_token(bytes_per_token, hw, macs, layers, serial_bytes)


def _resolve_hardware(hardware, bandwidth_gbs, backend, vram_gb) -> Hardware | None:
    if isinstance(hardware, Hardware):
        hw = hardware
    elif hardware:
        hw = find_hardware(hardware)
    elif bandwidth_gbs is not None:
        hw = custom_hardware(bandwidth_gbs, backend or "cpu")
    else:
        return None
    return with_memory(hw, vram_gb)


def _check_n_cpu_moe(n: Any, shape: ModelShape) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidInput(t("fit.n_cpu_moe.bad", value=repr(n)))
    if n and shape.active_params and not shape.moe:
        raise InvalidInput(t("fit.n_cpu_moe.arch_unknown", model=shape.name))
    if n and not shape.moe:
        raise InvalidInput(t("fit.n_cpu_moe.not_moe", model=shape.name))
    return min(n, shape.n_layers or 0)  # llama.cpp: the experts of the first n layers (only MoE layers have them)


def _offload(shape, weights, groups, kv, overhead, hw, n_cpu_moe, cpu_hw: Hardware, macs: float = 0.0,
             kv_read: float | None = None) -> tuple[Offload, float]:
    """Layers on the GPU while they fit (llama.cpp -ngl), the rest on the CPU; seconds per token of the split.

    llama.cpp keeps the token embeddings in CPU RAM and puts the output matrix on the GPU once
    every layer is there. Each layer carries its share of the weights and of the KV cache (an
    average: where MoE and dense layers alternate, as in Llama 4 Maverick, within one layer of the truth).
    ``kv`` is the cache allocated, ``kv_read`` (default: the same) the part a token reads.
    """
    kv_read = kv if kv_read is None else kv_read
    cpu_bw = cpu_hw.bandwidth_gbs
    L = shape.n_layers or 1
    usable = hw.memory_gb * (APPLE_GPU_SHARE if hw.backend == "metal" else 1.0) * GB
    embd = groups.get("token_embd", 0.0) + shape.exact_lookup_bytes  # input tables stay in CPU RAM
    out = groups.get("output", 0.0)
    experts = groups.get("experts", 0.0)
    frac = active_fraction(shape)
    moe_experts = experts / shape.moe_layers if shape.moe else 0.0  # one layer's experts
    layers_w = weights - embd - out
    per_layer = (layers_w + kv) / L

    def overlap(ngl: int) -> int:  # -ngl puts the last layers on the GPU; --n-cpu-moe the first layers' experts on the CPU
        return shape.moe_layers_in(L - ngl, n_cpu_moe)  # MoE layers run on the GPU whose experts stay on the CPU

    def gpu_need(ngl: int) -> float:
        return ngl * per_layer + (out if ngl == L else 0) + overhead - overlap(ngl) * moe_experts

    ngl = next((n for n in range(L, 0, -1) if gpu_need(n) <= usable), 0)
    fits = ngl == L
    need_all = gpu_need(L)
    gpu_bytes_held = gpu_need(ngl) if ngl else 0.0
    cpu_held = weights + kv + overhead - gpu_bytes_held
    # bytes each token reads from each memory: a layer's dense weights, its active experts, its KV
    active_layer = (layers_w - experts * (1 - frac)) / L + kv_read / L
    cpu_experts_read = overlap(ngl) * moe_experts * frac
    gpu_read = ngl * active_layer + (out if fits else 0) - cpu_experts_read
    cpu_read = (L - ngl) * active_layer + (0 if fits else out) + cpu_experts_read
    seconds = 0.0
    if gpu_read > 0:
        seconds += seconds_per_token(gpu_read, hw, layers=ngl)
    if cpu_read > 0:  # the CPU's share of the MACs follows its share of the bytes
        seconds += seconds_per_token(cpu_read, cpu_hw, macs * cpu_read / (cpu_read + max(gpu_read, 0.0)),
                                     layers=L - ngl)
    where = t("fit.where.unified" if hw.unified else "fit.where.vram")
    need_t, usable_t, held_t = _n(need_all / GB, ".1f"), _n(usable / GB, ".1f"), _n(gpu_bytes_held / GB, ".1f")
    if fits and not n_cpu_moe:
        text = t("fit.offload.fits", need=need_t, usable=usable_t, where=where, layers=L)
    elif fits:
        moe_kept = shape.moe_layers_in(0, n_cpu_moe)
        if moe_kept == n_cpu_moe:
            text = tn("fit.offload.fits_cpu_moe", n_cpu_moe, held=held_t, usable=usable_t, where=where)
        else:
            text = t("fit.offload.fits_cpu_moe_some", n=n_cpu_moe, moe=moe_kept, held=held_t, usable=usable_t,
                     where=where)
    elif hw.unified:
        text = t("fit.offload.unified_too_big" if hw.backend == "metal" else "fit.offload.unified_too_big_igpu",
                 need=need_t, usable=usable_t)
    elif ngl == 0:
        text = t("fit.offload.no_layer", usable=usable_t, where=where)
    else:
        text = tn("fit.offload.partial", ngl, need=need_t, usable=usable_t, where=where, ngl=ngl, layers=L,
                  cpu_bw=_n(cpu_bw))
    return Offload(round(usable / GB, 2), fits, ngl, L, n_cpu_moe, round(gpu_bytes_held / GB, 3),
                   round(cpu_held / GB, 3), cpu_bw if cpu_read > 0 else None, text,
                   round(gpu_read / GB, 3), round(cpu_read / GB, 3)), seconds


def published_note(gap: published_runs.PublishedGap) -> str:
    """How far this method was off on the chip's published runs of other models (a learner's caution)."""
    upper = t("fit.note.published.upper") if gap.upper_bound else ""
    return tn("fit.note.published", gap.runs, name=gap.hardware, low=number(gap.low, "+.0%"),
              high=number(gap.high, "+.0%"), upper=upper)


def estimate(model: str | None = None, quant: str = "Q4_K_M", context: int = DEFAULT_CONTEXT, *,
             params_b: float | None = None, gguf_path: str | None = None, hardware: str | Hardware | None = None,
             bandwidth_gbs: float | None = None, backend: str | None = None, kv_cache_type: str = "F16",
             vram_gb: float | None = None, n_cpu_moe: int = 0, cpu_bandwidth_gbs: float | None = None,
             shape: ModelShape | None = None, cpu_hardware: Hardware | None = None) -> FitEstimate:
    """File size, KV cache, RAM needed and (with hardware) decode tokens/s for a model and quantization.

    With a GPU whose memory is known (the table, or ``vram_gb``), the model is checked against it:
    what does not fit is offloaded layer by layer to the CPU (``cpu_bandwidth_gbs``, default a
    dual-channel DDR4-3200 PC) and the speed comes from the split. ``n_cpu_moe`` keeps the experts
    of that many layers in CPU RAM (llama.cpp's --n-cpu-moe). ``cpu_hardware`` (e.g.
    hardware.this_machine()) replaces the CPU side of a split.
    """
    quant = check_quant(quant)
    context = check_context(context)
    kv_type = check_kv_type(kv_cache_type)
    shape = shape or resolve_shape(model, params_b, gguf_path)
    n_cpu_moe = _check_n_cpu_moe(n_cpu_moe, shape)
    hw = _resolve_hardware(hardware, bandwidth_gbs, backend, vram_gb)
    notes = []
    if shape.exact_weight_bytes is not None:
        weights, groups = shape.exact_weight_bytes, {"tensors (from the GGUF header)": shape.exact_weight_bytes}
        notes.append(t("fit.note.gguf_exact"))
        if shape.known:  # split the exact total in the estimated proportions, for offload and MoE
            est_total, est_groups = weight_bytes(shape, quant)
            exact_experts = shape.exact_expert_bytes if shape.moe and shape.exact_expert_bytes else None
            rest = weights - shape.exact_lookup_bytes  # the per-layer tables are not among the groups
            if exact_experts is not None:  # the experts' own tensors; the rest shares what is left
                est_rest = est_total - est_groups["experts"]
                groups = {k: (exact_experts if k == "experts" else v * (rest - exact_experts) / est_rest)
                          for k, v in est_groups.items()}
            else:
                groups = {k: v * rest / est_total for k, v in est_groups.items()}
    else:
        weights, groups = weight_bytes(shape, quant)
    if not shape.kv_known:
        notes.append(t("fit.note.arch_unknown"))
    if shape.max_context and context > shape.max_context:
        notes.append(t("fit.note.context_over", context=_n(context, ","), max=_n(shape.max_context, ",")))
    if shape.sliding_window and shape.swa_layers:
        own = shape.kv_layer_elems or (1,) * len(shape.swa_layers)  # the window layers with a cache of their own
        local = sum(1 for swa, e in zip(shape.swa_layers, own) if swa and e)
        notes.append(tn("fit.note.sliding_layers", local, local=local, layers=len(shape.swa_layers),
                        window=_n(shape.sliding_window, ","), ubatch=UBATCH,
                        cells=_n(_kv_pad(shape.sliding_window + UBATCH), ",")))
    if shape.kv_shared_layers:
        notes.append(t("fit.note.kv_shared", shared=shape.kv_shared_layers, layers=shape.n_layers))
    state = recurrent_state_bytes(shape)  # a hybrid's recurrent layers: held, read and written each token
    if state:
        notes.append(t("fit.note.recurrent_state", n=shape.recurrent_layers, layers=shape.n_layers,
                       mb=_n(state / 1e6, ".1f"), moved=_n(recurrent_moved_bytes(shape) / 1e6, ".1f")))
    elif shape.kv_layer_elems and shape.kv_layer_elems.count(0) > shape.kv_shared_layers:
        notes.append(t("fit.note.kv_none", n=shape.kv_layer_elems.count(0) - shape.kv_shared_layers,
                       layers=shape.n_layers))
    if shape.sliding_window and shape.sliding_window_pattern:
        kept = shape.sliding_window + UBATCH
        rounded = _kv_pad(kept)
        local = shape.sliding_window_pattern - 1
        notes.append(tn("fit.note.sliding" if rounded == kept else "fit.note.sliding_rounded", local,
                        local=local, every=shape.sliding_window_pattern,
                        window=_n(shape.sliding_window, ","), ubatch=UBATCH, cells=_n(rounded, ",")))
    if shape.mla:
        notes.append(t("fit.note.mla"))
    kv = kv_cache_bytes(shape, context, kv_type)  # allocated; a token reads the context's own cells
    kv_read = kv_cache_bytes(shape, context, kv_type, allocated=False)
    vocab = shape.vocab or 32000
    overhead = RUNTIME_OVERHEAD_GB * GB + vocab * UBATCH * 4
    header = header_bytes(shape)  # in the file and in RAM (the tokenizer), never read per token nor on the GPU
    ram = weights + header + kv + state + overhead
    experts = groups.get("experts", 0.0)
    frac = active_fraction(shape)
    active = None
    if shape.moe:
        inactive_params = _groups(shape)["experts"] * (1 - frac)
        active = (shape.params - inactive_params) / 1e9
        shared = tn("fit.note.moe_shared", shape.n_shared_experts) if shape.n_shared_experts else ""
        notes.append(tn("fit.note.moe", round(active, 1), total=_n(shape.params / 1e9, ".1f"),
                        used=shape.experts_per_token, experts=shape.n_experts, shared=shared, active=_n(active, ".1f")))
    # embeddings: one row per token (the per-layer tables too; llama.cpp reads them with get_rows)
    embd_read = (groups.get("token_embd", 0) if not shape.tied_embeddings else 0) + shape.exact_lookup_bytes
    read = weights - embd_read - experts * (1 - frac) + kv_read
    moved = recurrent_moved_bytes(shape)  # a hybrid's state: read, updated and copied back, after the matrix work
    if shape.active_params and not shape.moe:  # experts unknown: a token reads the catalog's active share
        active = shape.active_params / 1e9
        read = weights * shape.active_params / shape.params + kv_read
        notes.append(tn("fit.note.moe_catalog", round(active, 1), total=_n(shape.params / 1e9, ".1f"),
                        active=_n(active, ".1f")))
    tps = offload = reading_tps = overhead_ms = None
    bound = False
    macs = macs_per_token(shape, context)
    rows = rows_per_token(shape) if shape.known else None
    if hw is not None:
        # the MACs plus each matrix row's fixed cost, attention's over the cache at its own measured cost
        work = macs + (rows or 0) * hw.row_macs + attention_macs(shape, context) * (hw.attn_mac_cost - 1)
        if hw.is_gpu and hw.memory_gb and shape.n_layers:
            cpu_hw = cpu_hardware or custom_hardware(cpu_bandwidth_gbs or DEFAULT_PC_CPU_BANDWIDTH_GBS, "cpu", "CPU")
            cpu_bw = cpu_hw.bandwidth_gbs
            offload, seconds = _offload(shape, weights, groups, kv + state, overhead, hw, n_cpu_moe, cpu_hw, work,
                                        kv_read + moved)
            tps = _round_speed(1 / seconds)
            if not offload.fits and not hw.unified and offload.gpu_layers < offload.n_layers:
                assumed = "" if cpu_bandwidth_gbs or cpu_hardware else t("fit.note.partial_assumed")
                if offload.gpu_layers:
                    notes.append(t("fit.note.partial", gpu_layers=offload.gpu_layers, gpu_bw=_n(hw.bandwidth_gbs),
                                   cpu_layers=offload.n_layers - offload.gpu_layers, cpu_bw=_n(cpu_bw),
                                   assumed=assumed))
                else:  # not one layer fits: no partial offload, the CPU runs the whole model
                    notes.append(t("fit.note.cpu_only", layers=offload.n_layers, cpu_bw=_n(cpu_bw), assumed=assumed))
        else:
            tps = _round_speed(tokens_per_second(read, hw, work, shape.n_layers, moved))
            bound = compute_bound(read, hw, work)
            if bound:
                reading_tps = _round_speed(1 / (_reading_and_computing(read + moved, hw, work)[0]
                                                + hw.klass.overhead_s(shape.n_layers)))
                notes.append(t("fit.note.compute_bound", macs=_n(macs / 1e9, ".2f"), rate=_n(hw.compute_gmacs),
                               threads=hw.threads or "?"))
            if hw.is_gpu:
                notes.append(t("fit.note.gpu_memory_unknown"))
        if hw.older_nvidia:
            notes.append(t("fit.note.older_gpu", name=hw.name))
        published = published_runs.gap(hw.name, hw.backend)
        if published is not None:
            notes.append(published_note(published))
        iquant = quant in IQUANTS if shape.exact_weight_bytes is None else (shape.layer_type or "").startswith("IQ")
        if iquant and not hw.is_gpu and not hw.compute_gmacs:  # no measured compute rate: reading only
            notes.append(t("fit.note.iquant_cpu", quant=quant if shape.exact_weight_bytes is None else shape.layer_type))
        # the overhead of the layers on hw: all of them, or those -ngl puts on the GPU
        gpu_layers = offload.gpu_layers if offload is not None and not offload.fits else shape.n_layers
        overhead_ms = round(hw.klass.overhead_s(gpu_layers) * 1000, 2)
        layers = tn("fit.text.layers", gpu_layers, per_layer=_n(round(hw.klass.overhead_s(1) * 1000, 3))) \
            if gpu_layers is not None else t("fit.text.layers_assumed", n=REFERENCE_LAYERS)
        if gpu_layers != 0:  # with no layer on the GPU its constants set nothing (fit.note.cpu_only says so)
            notes.append(t("fit.note.speed", context=_n(context, ","), efficiency=_n(hw.klass.efficiency),
                           overhead=_n(overhead_ms), layers=layers, why=hw.klass.why))
    return FitEstimate(
        model=shape.name, quant=quant, context=context, params_b=round(shape.params / 1e9, 3),
        file_size_gb=round((weights + header) / GB, 3), kv_cache_gb=round(kv / GB, 3), overhead_gb=round(overhead / GB, 3),
        ram_needed_gb=round(ram / GB, 3), tokens_per_s=tps, hardware=hw.name if hw else None,
        bandwidth_gbs=hw.bandwidth_gbs if hw else None, efficiency=hw.klass.efficiency if hw else None,
        shape_source=shape.source, breakdown_gb={k: round(v / GB, 3) for k, v in {**groups, "header": header}.items()},
        notes=tuple(notes), kv_cache_type=kv_type, active_params_b=None if active is None else round(active, 3),
        read_per_token_gb=round((read + moved) / GB, 3), overhead_ms=overhead_ms if hw else None, offload=offload,
        macs_per_token=macs, compute_gmacs=hw.compute_gmacs if hw else None, compute_bound=bound,
        reading_tokens_per_s=reading_tps, rows_per_token=rows,
        compute_row_ns=hw.compute_row_ns if hw else None, recurrent_state_gb=round(state / GB, 4))


def _round_speed(tps: float) -> float:
    return round(tps, 1) if tps >= 10 else round(tps, 2)


def predict_here(gguf_path: str | None = None, context: int = 512, *, model: str | None = None,
                 quant: str = "Q4_K_M", threads: int | None = None, bandwidth_gbs: float | None = None,
                 compute_gmacs: float | None = None, compute_row_ns: float | None = None,
                 compute_attn_ns: float | None = None) -> FitEstimate:
    """The decode estimate for *this* machine's CPU, as llama.cpp would run it with ``threads``.

    The bandwidth is measured with that many threads (default: llama.cpp's, the physical cores)
    unless given; the CPU constants are the ones calibrated against that measurement.
    ``compute_gmacs``, ``compute_row_ns`` and ``compute_attn_ns`` (compute_probe.measure_compute_rate) add the
    compute ceiling.
    """
    hw = this_machine(threads=threads, bandwidth_gbs=bandwidth_gbs, compute_gmacs=compute_gmacs,
                      compute_row_ns=compute_row_ns, compute_attn_ns=compute_attn_ns)
    if gguf_path is not None:
        return estimate(gguf_path=str(gguf_path), context=context, hardware=hw)
    return estimate(model, quant, context, hardware=hw)


def memory_by_quant(model: str | None = None, context: int = DEFAULT_CONTEXT, params_b: float | None = None
                    ) -> list[FitEstimate]:
    """One estimate per quantization, largest first (for the bar chart and for advice)."""
    return [estimate(model, q, context, params_b=params_b) for q in QUANTS]


# --------------------------------------------------------------------------- the largest context that fits

@dataclass(frozen=True)
class ContextFit:
    """The largest context whose KV cache still fits in a memory budget, and the curve behind it."""

    model: str
    quant: str
    kv_cache_type: str
    memory_gb: float
    memory_basis: str
    max_context: int  # 0: not even the weights fit; never above the model's own limit
    model_max_context: int | None
    memory_context: int  # what the memory alone would allow
    weights_gb: float
    points: tuple[tuple[int, float], ...]  # (context, GB needed) for the plot

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["points"] = [list(p) for p in self.points]
        return d

    def to_text(self) -> str:
        memory, basis = _n(self.memory_gb, ".1f"), self.memory_basis
        if not self.max_context:
            return t("fit.context.none_fits", model=self.model, quant=self.quant, memory=memory, basis=basis,
                     weights=_n(self.weights_gb, ".1f"))
        limit = ""
        if self.memory_context > self.max_context:
            limit = t("fit.context.model_limit", memory_context=_n(self.memory_context, ","))
        return t("fit.context.largest", n=_n(self.max_context, ","), limit=limit, model=self.model, quant=self.quant,
                 kv=self.kv_cache_type.lower(), memory=memory, basis=basis)


# what a memory budget is (ContextFit.memory_basis, in words): the code a caller gives -> its message
MEMORY_BASES = {"given": "fit.basis.given", "--vram": "fit.basis.vram", "this_machine": "fit.basis.this_machine"}


def max_context(model: str | None = None, quant: str = "Q4_K_M", memory_gb: float | None = None, *,
                params_b: float | None = None, gguf_path: str | None = None, kv_cache_type: str = "F16",
                memory_basis: str = "given") -> ContextFit:
    """The largest context (a multiple of 256, llama.cpp's KV padding) whose RAM need fits ``memory_gb``.

    Without ``memory_gb`` the budget is this machine's available RAM. The need is the fit estimate's
    weights + KV cache + overhead, which grows linearly with context (sliding windows flatten it).
    """
    if memory_gb is None:
        from .system import audit

        a = audit()
        memory_gb = a.ram_available_gb or a.ram_total_gb
        memory_basis = "this_machine"
        if not memory_gb:
            raise InvalidInput(t("fit.memory.unknown"))
    if isinstance(memory_gb, bool) or not isinstance(memory_gb, (int, float)) or memory_gb <= 0:
        raise InvalidInput(t("fit.memory.bad", value=repr(memory_gb)))
    basis_text = t(MEMORY_BASES[memory_basis]) if memory_basis in MEMORY_BASES else memory_basis
    shape = resolve_shape(model, params_b, gguf_path)

    def need(ctx: int) -> float:
        return estimate(quant=quant, context=ctx, kv_cache_type=kv_cache_type, shape=shape).ram_needed_gb

    top = MAX_CONTEXT
    step = CONTEXT_STEP
    lo, hi = 0, top // step  # in units of one step
    if need(step) > memory_gb:
        lo = 0
    elif need(top) <= memory_gb:
        lo = hi
    else:
        while hi - lo > 1:  # need(lo*step) fits, need(hi*step) does not
            mid = (lo + hi) // 2
            if need(mid * step) <= memory_gb:
                lo = mid
            else:
                hi = mid
    best = lo * step
    end = max(best * 2, CHART_MIN_CONTEXT, min(shape.max_context or 0, top))
    end = min(top, end)
    points = tuple((c, need(c)) for c in sorted({max(step, round(end * i / CHART_POINTS / step) * step)
                                                 for i in range(CHART_POINTS + 1)}))
    first = estimate(quant=quant, context=step, kv_cache_type=kv_cache_type, shape=shape)
    capped = min(best, shape.max_context) if shape.max_context else best
    return ContextFit(shape.name, check_quant(quant), check_kv_type(kv_cache_type), round(float(memory_gb), 2),
                      basis_text, capped, shape.max_context, best, first.file_size_gb, points)


def plot_context(fit_result: ContextFit, ax=None):
    """Memory needed against context, the budget, the largest context the memory allows and, when it
    is lower, the model's own limit (the figure the text gives)."""
    import matplotlib.pyplot as plt

    from .palette import PALETTE

    if ax is None:
        _fig, ax = plt.subplots(figsize=(6, 3.2))
    xs = [p[0] for p in fit_result.points]
    ys = [p[1] for p in fit_result.points]
    ax.plot(xs, ys, color=PALETTE[0], marker="o", markersize=3, label=t("fit.chart.need"))
    ax.axhline(fit_result.memory_gb, color=PALETTE[5], linestyle="--",
               label=t("fit.chart.budget", memory=_n(fit_result.memory_gb, ".1f")))
    if fit_result.memory_context:
        ax.axvline(fit_result.memory_context, color=PALETTE[2], linestyle=":", linewidth=2,
                   label=t("fit.chart.largest", n=_n(fit_result.memory_context, ",")))
    if fit_result.max_context and fit_result.max_context < fit_result.memory_context:
        ax.axvline(fit_result.max_context, color=PALETTE[7], linestyle="-.",
                   label=t("fit.chart.model_limit", n=_n(fit_result.max_context, ",")))
    ax.set_xlabel(t("fit.chart.x"))
    ax.set_ylabel(t("fit.chart.y"))
    ax.set_title(t("fit.chart.title", model=fit_result.model, quant=fit_result.quant), fontsize=10)
    ax.legend(fontsize=8)
    return ax
