"""The ggml type llama-quantize gives each weight matrix of a model, for every file type fit knows.

llama.cpp picks a type per tensor (llama_tensor_get_type_impl in src/llama-quant.cpp,
https://github.com/ggml-org/llama.cpp/blob/007dbbf3fd17eefe9b47fee45f48f7ba5e62b714/src/llama-quant.cpp) from
the file type, the tensor's role, its layer, the model's grouped-query ratio and its expert count; then
``tensor_type_fallback`` swaps a 256-weight block type for a 32-weight one where a matrix's rows are not
a whole number of blocks (SmolLM2-135M's 576-wide rows, say). ``matrix_types`` applies those rules to a
``fit.ModelShape`` and ``weight_bytes`` adds up the bytes, with each type's block size (ggml-common.h).
On 230 files the Hub lists (data/gguf_sizes_calibration.csv, rows with a base_model) files of 2 GB and more
came out within 1.3 % (median 0.08 %; all but mradermacher's imatrix Mixtral files within 0.9 %), smaller ones
within 2.1 % with their header (fit.header_bytes; 2.6 % without it); nothing is fitted. TheBloke's Q2_K files of 2023 are
11 % larger: llama.cpp's Q2_K mix was heavier then.

Assumed: an importance matrix for the i-quants, as llama-quantize requires for IQ1 and IQ2 and as published
i-quant files are made (it changes IQ3_XXS's attn_v and ffn_down and IQ4's first ffn_down layers), and none
for the other file types (llama-quantize's default; with one, Q4_0 and Q5_0 take Q4_1 and Q5_1 in the first
eighth of ffn_down). A 70B model is known by its 80 layers with grouped-query attention (llama-model.cpp
gives Llama and Qwen2 that size at 80 layers). Left out: norms and biases (F32, a few hundred kB) and
Falcon's rules of its own. An MLA model's attention is counted at the main type but its output: recent
converters write attn_k_b and attn_v_b, which no rule names (attn_kv_b, which older files have, would follow
attn_v's rule).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # fit imports this module
    from .fit import ModelShape

# (bytes per block, weights per block), ggml-common.h; tests check them against gguf-py's GGML_QUANT_SIZES
BLOCKS = {
    "F32": (4, 1), "F16": (2, 1), "BF16": (2, 1), "Q8_0": (34, 32), "Q4_0": (18, 32), "Q4_1": (20, 32),
    "Q5_0": (22, 32), "Q5_1": (24, 32), "Q2_K": (84, 256), "Q3_K": (110, 256), "Q4_K": (144, 256),
    "Q5_K": (176, 256), "Q6_K": (210, 256), "IQ1_S": (50, 256), "IQ1_M": (56, 256), "IQ2_XXS": (66, 256),
    "IQ2_XS": (74, 256), "IQ2_S": (82, 256), "IQ3_XXS": (98, 256), "IQ3_S": (110, 256), "IQ4_NL": (18, 32),
    "IQ4_XS": (136, 256),
}

# llama_ftype_get_default_type: each file type's main type, that of every matrix the rules below leave alone
DEFAULT_TYPE = {
    "F16": "F16", "BF16": "BF16", "Q8_0": "Q8_0", "Q5_0": "Q5_0", "Q5_1": "Q5_1", "Q4_0": "Q4_0", "Q4_1": "Q4_1",
    "Q2_K": "Q2_K", "Q2_K_S": "Q2_K", "Q3_K_S": "Q3_K", "Q3_K_M": "Q3_K", "Q3_K_L": "Q3_K",
    "Q4_K_S": "Q4_K", "Q4_K_M": "Q4_K", "Q5_K_S": "Q5_K", "Q5_K_M": "Q5_K", "Q6_K": "Q6_K",
    "IQ1_S": "IQ1_S", "IQ1_M": "IQ1_M", "IQ2_XXS": "IQ2_XXS", "IQ2_XS": "IQ2_XS", "IQ2_S": "IQ2_XS",
    "IQ2_M": "IQ2_S", "IQ3_XXS": "IQ3_XXS", "IQ3_XS": "IQ3_S", "IQ3_S": "IQ3_S", "IQ3_M": "IQ3_S",
    "IQ4_NL": "IQ4_NL", "IQ4_XS": "IQ4_XS",
}
UNQUANTIZED = ("F16", "BF16", "F32")  # llama-quantize copies these file types' matrices as they are
# the i-quant file types, largest first (as fit.QUANTS)
FILE_TYPES = ("IQ4_NL", "IQ4_XS", "IQ3_M", "IQ3_S", "IQ3_XS", "IQ3_XXS", "IQ2_M", "IQ2_S", "IQ2_XS", "IQ2_XXS",
              "IQ1_M", "IQ1_S")

_LOW = ("IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M")  # the rules' first family of file types
Q5_K_OUTPUT = ("IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M")
# tensor_type_fallback: a 256-weight block type for rows that are not a whole number of its blocks
_FALLBACK = {**{t: "IQ4_NL" for t in ("IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S",
                                      "IQ4_XS")},
             "Q2_K": "Q4_0", "Q3_K": "Q4_0", "Q4_K": "Q5_0", "Q5_K": "Q5_1", "Q6_K": "Q8_0"}


def bits(ggml_type: str) -> float:
    """Bits per weight of a ggml type."""
    size, weights = BLOCKS[ggml_type]
    return 8 * size / weights


def use_more_bits(i: int, n: int) -> bool:
    """llama-quant.cpp's use_more_bits: the layers whose attn_v and ffn_down the *_M mixes promote."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def _fallback(ggml_type: str, cols: int) -> str:
    """tensor_type_fallback: the type a matrix with rows of ``cols`` weights gets instead."""
    if cols % BLOCKS[ggml_type][1] == 0:
        return ggml_type
    other = _FALLBACK.get(ggml_type)
    if other is None:
        return ggml_type
    return other if cols % BLOCKS[other][1] == 0 else "F16"


def output_type(file_type: str, cols: int | None = None) -> str:
    """output.weight, and a tied token_embd: Q8_0 where its rows (``cols`` wide; None: whole blocks) are not
    whole blocks of the file's main type, Q5_K for the smallest i-quants, else Q6_K (a Q8_0 file keeps Q8_0; an
    unquantized one is not touched)."""
    default = DEFAULT_TYPE[file_type]
    if default in UNQUANTIZED:
        return default
    if cols is not None and cols % BLOCKS[default][1]:
        return "Q8_0"
    return "Q5_K" if file_type in Q5_K_OUTPUT else "Q8_0" if default == "Q8_0" else "Q6_K"


def _embedding_type(file_type: str) -> str:
    if file_type in ("IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ1_M"):
        return "Q2_K"
    if file_type in ("IQ2_S", "IQ2_M", "IQ3_XXS"):
        return "IQ3_S"
    return DEFAULT_TYPE[file_type]


def _attn_v_type(ft: str, i: int, n: int, gqa: float, experts: int, seventy_b: bool) -> str:
    """The i-th of n attn_v matrices (llama-quantize's i_attention_wv counter)."""
    d = DEFAULT_TYPE[ft]
    if ft in _LOW:
        return "Q4_K" if gqa >= 4 or experts >= 4 else "IQ3_S" if ft in ("IQ2_S", "IQ2_M") else "Q2_K"
    v = d
    if ft == "Q2_K":
        v = "Q4_K" if gqa >= 4 else "Q3_K"
    elif ft == "IQ3_XXS":
        v = "Q4_K" if gqa >= 4 else "IQ3_XXS"  # with an importance matrix (IQ3_S without)
    elif ft in ("IQ3_XS", "IQ3_S") and gqa >= 4 or ft == "IQ3_M":
        v = "Q4_K"
    elif ft == "Q3_K_M":
        v = "Q5_K" if i < 2 else "Q4_K"
    elif ft == "Q3_K_L":
        v = "Q5_K"
    elif ft in ("IQ4_NL", "IQ4_XS") and gqa >= 4:
        v = "Q5_K"
    elif ft in ("Q4_K_M", "Q5_K_M") and use_more_bits(i, n):
        v = "Q6_K"
    elif ft == "Q4_K_S" and i < 4:
        v = "Q5_K"
    if seventy_b and v in ("Q3_K", "Q4_K"):
        v = "Q5_K"
    return "Q8_0" if experts == 8 else v


def _attn_qko_types(ft: str, experts: int) -> dict[str, str]:
    """attn_q, attn_k and attn_output (the same in every layer)."""
    d = DEFAULT_TYPE[ft]
    q = k = o = d
    if ft in _LOW:
        if experts == 8:
            k, o = "Q4_K", "Q5_K"
        elif ft in ("IQ1_S", "IQ1_M"):
            o = "IQ2_XXS"
        elif ft in ("IQ2_S", "IQ2_M"):
            o = "IQ3_S"
        return {"attn_q": q, "attn_k": k, "attn_output": o}
    if experts == 8:
        k = "Q8_0"
    elif ft == "IQ3_XS":
        k = "IQ3_XXS"
    elif ft == "IQ3_XXS":
        k = "IQ2_S"
    if ft == "IQ3_XS":
        q = "IQ3_XXS"
    elif ft == "IQ3_XXS":
        q = "IQ2_S"
    if experts == 8:
        if ft in ("Q2_K", "IQ3_XS", "IQ3_XXS", "Q3_K_S", "Q3_K_M", "IQ4_NL", "Q4_K_S", "Q4_K_M", "IQ3_S", "IQ3_M",
                  "IQ4_XS"):
            o = "Q5_K"
    else:
        o = {"Q2_K": "Q3_K", "IQ3_XXS": "IQ3_S", "Q3_K_M": "Q4_K", "Q3_K_L": "Q5_K", "IQ3_M": "Q4_K"}.get(ft, d)
    return {"attn_q": q, "attn_k": k, "attn_output": o}


def _ffn_down_type(ft: str, i: int, counter: int, n: int, experts: int) -> str:
    """ffn_down (and a mixture's ffn_down_exps, ffn_down_shexp) of layer ``i``; the first family counts its
    tensors instead (``counter``, in the file's order)."""
    d = DEFAULT_TYPE[ft]
    if ft in _LOW:
        return ("IQ3_S" if ft in ("IQ2_S", "IQ2_M") else "Q2_K") if counter < n // 8 else d
    if ft == "Q2_K":
        return "Q3_K"
    if ft == "Q3_K_M":
        return "Q5_K" if i < n // 16 else "Q4_K"
    if ft == "IQ3_M" and (i < n // 8 or experts == 8 and use_more_bits(i, n)):
        return "Q4_K"
    if ft == "Q3_K_L":
        return "Q5_K"
    if ft in ("Q4_K_M", "Q5_K_M") and use_more_bits(i, n):
        return "Q6_K"
    if ft == "Q4_K_S" and i < n // 8:
        return "Q5_K"
    return d


def _attn_qkv_type(ft: str) -> str:
    """A fused attn_qkv: Q4_K for Q3_K_M, Q3_K_L and IQ3_M, Q5_K for Q4_K_M, Q6_K for Q5_K_M, else the main type.
    That is llama-quant.cpp's ATTENTION_QKV branch, which the published files follow (bartowski's and
    mradermacher's Phi-4: 15 file types within 0.6 %; with attn_v's rules instead, Q2_K would be 6.5 %, IQ4_XS
    3 % and Q3_K_L 2.4 % over). At 007dbbf that branch is unreachable: category_is_attn_v takes attn_qkv first, so a
    file made by that llama.cpp may differ."""
    return {"Q3_K_M": "Q4_K", "Q3_K_L": "Q4_K", "IQ3_M": "Q4_K", "Q4_K_M": "Q5_K",
            "Q5_K_M": "Q6_K"}.get(ft, DEFAULT_TYPE[ft])


def _gate_up_type(file_type: str, layer: int, n_layers: int) -> str:
    if file_type == "IQ3_XS" and n_layers // 8 <= layer < 7 * n_layers // 8:
        return "IQ3_XXS"
    return DEFAULT_TYPE[file_type]


@dataclass(frozen=True)
class MatrixSet:
    """Weight matrices of one role, in one layer (``layer``) or in all the layers that have them (None)."""

    group: str  # fit's groups: token_embd, output, layers, experts, shared_experts, router
    role: str  # token_embd, output, attn_q, attn_k, attn_v, attn_qkv, attn_output, attn_other, mixer, ffn_gate_up,
    #            ffn_down, latent_proj, router
    weights: float
    cols: int  # the width of a row (ggml's ne[0]): what a block type must divide
    layer: int | None = None
    down_index: int = 0  # ffn_down's counter in llama-quantize: its tensors in the file's order


@lru_cache(maxsize=256)
def matrix_sets(shape: "ModelShape") -> tuple[MatrixSet, ...]:
    """A shape's weight matrices, by role; the attention's summed over the layers that attend (the shapes
    say how many, not which: no rule for them depends on the layer), the feed-forward layer by layer. Kept
    per shape (a frozen dataclass): an estimate reads them several times, a context search many more."""
    h, L = shape.hidden, shape.n_layers
    out: list[MatrixSet] = []

    def add(group: str, role: str, weights: float, cols: int, layer: int | None = None, down: int = 0) -> None:
        if weights:
            out.append(MatrixSet(group, role, weights, cols, layer, down))

    embd = shape.vocab * h
    add("token_embd", "output" if shape.tied_embeddings else "token_embd", embd, h)
    if not shape.tied_embeddings:
        add("output", "output", embd, h)
    n = shape.attending_layers
    if shape.mla:  # DeepSeek-V2's projections (fit._groups)
        qk, vh = (shape.nope_dim or 0) + (shape.rope_dim or 0), shape.v_head_dim or shape.hd
        if shape.q_lora_rank:
            add("layers", "attn_other", n * h * shape.q_lora_rank, h)
            add("layers", "attn_other", n * shape.q_lora_rank * shape.n_heads * qk, shape.q_lora_rank)
        else:
            add("layers", "attn_other", n * h * shape.n_heads * qk, h)
        add("layers", "attn_other", n * h * (shape.kv_lora_rank + (shape.rope_dim or 0)), h)
        add("layers", "attn_other", n * shape.kv_lora_rank * shape.n_heads * ((shape.nope_dim or 0) + vh),
            shape.kv_lora_rank)
        add("layers", "attn_output", n * shape.n_heads * vh * h, shape.n_heads * vh)
    else:
        q, kv = shape.n_heads * shape.hd, shape.kv_heads * shape.hd
        if shape.fused_qkv:  # one attn_qkv matrix
            add("layers", "attn_qkv", n * h * (q + 2 * kv), h)
        else:
            add("layers", "attn_q", n * h * q * (2 if shape.q_gate else 1), h)
            add("layers", "attn_k", n * h * kv, h)
            for j in range(n):  # attn_v's rules count its tensors (llama-quantize's i_attention_wv)
                add("layers", "attn_v", h * kv, h, j)
        add("layers", "attn_output", n * q * h, q)
    add("layers", "mixer", shape.recurrent_layers * shape.mixer_params, h)
    # the feed-forward, layer by layer; the dense ones in the first layers without experts (all of them in a
    # dense model). Within a layer the file sorts by name: ffn_down_exps before ffn_down_shexp
    width = shape.moe_ffn or shape.ffn or 0
    latent = shape.moe_latent or h
    mats = 2 if shape.gated_ffn else 1
    dense_left = shape.dense_layers if shape.ffn else 0
    down = 0
    for i in range(L):
        if shape.is_moe_layer(i):
            add("experts", "ffn_gate_up", shape.n_experts * mats * latent * width, latent, i)
            add("experts", "ffn_down", shape.n_experts * width * latent, width, i, down)
            down += 1
            if shape.n_shared_experts:  # one matrix each for all shared experts (DeepSeek's *_shexp: n x width)
                shared = shape.n_shared_experts * width
                add("shared_experts", "ffn_gate_up", mats * h * shared, h, i)
                add("shared_experts", "ffn_down", shared * h, shared, i, down)
                down += 1
            add("router", "router", shape.n_experts * h, h, i)
            if shape.moe_latent:  # ffn_latent_down to the experts' width (rows of h) and ffn_latent_up back
                add("layers", "latent_proj", h * shape.moe_latent, h, i)
                add("layers", "latent_proj", shape.moe_latent * h, shape.moe_latent, i)
        elif dense_left > 0:
            dense_left -= 1
            add("layers", "ffn_gate_up", mats * h * shape.ffn, h, i)
            add("layers", "ffn_down", shape.ffn * h, shape.ffn, i, down)
            down += 1
    return tuple(out)


def matrix_types(shape: "ModelShape", file_type: str) -> list[tuple[MatrixSet, str]]:
    """Each of the shape's matrix sets with the ggml type llama-quantize writes it in for ``file_type``."""
    ft = file_type.upper()
    if ft not in DEFAULT_TYPE:
        raise KeyError(ft)
    d = DEFAULT_TYPE[ft]
    L = shape.n_layers
    experts = shape.n_experts if shape.moe else 0
    gqa = (shape.n_heads / shape.kv_heads) if shape.kv_heads else 1.0
    # llama-model.cpp names 80-layer Llama and Qwen2 models with grouped-query attention LLM_TYPE_70B
    seventy_b = L == 80 and gqa > 1
    qko = _attn_qko_types(ft, experts)
    n_v = shape.attending_layers
    out = []
    for m in matrix_sets(shape):
        if m.role == "router" or d in UNQUANTIZED:
            t = "F32" if m.role == "router" else d  # ffn_gate_inp is never quantized
        elif m.role == "output":
            t = output_type(ft, m.cols)
        elif m.role == "token_embd":
            t = _embedding_type(ft)
        elif m.role == "attn_v":
            t = _attn_v_type(ft, m.layer or 0, n_v, gqa, experts, seventy_b)
        elif m.role == "attn_qkv":
            t = _attn_qkv_type(ft)
        elif m.role in qko:
            t = qko[m.role]
        elif m.role == "ffn_down":  # a mixture's layer comes from the tensor's name, a dense one's from the count
            t = _ffn_down_type(ft, m.layer if experts > 1 else m.down_index, m.down_index, L, experts)
        elif m.role == "ffn_gate_up":
            t = _gate_up_type(ft, m.layer, L)
        else:
            t = d
        out.append((m, _fallback(t, m.cols)))
    return out


def weight_bytes(shape: "ModelShape", file_type: str) -> tuple[float, dict[str, float]]:
    """(bytes of the matrices, bytes per group) of a ``file_type`` file of this shape."""
    groups: dict[str, float] = {}
    for m, ggml_type in matrix_types(shape, file_type):
        key = "layers" if m.group == "router" else m.group
        groups[key] = groups.get(key, 0.0) + m.weights * bits(ggml_type) / 8
    return sum(groups.values()), groups


def main_types(shape: "ModelShape", file_type: str) -> tuple[str, str]:
    """(the type most of the layers' weights are in, the output matrix's type) of a ``file_type`` file: what
    compute_probe.rate_for_model times, as fit.shape_from_gguf reads them from a real file."""
    by_type: dict[str, float] = {}
    output = DEFAULT_TYPE[file_type.upper()]
    for m, t in matrix_types(shape, file_type):
        if m.role == "output":
            output = t
        elif m.group in ("layers", "experts", "shared_experts"):
            by_type[t] = by_type.get(t, 0.0) + m.weights
    return max(by_type, key=by_type.get), output
