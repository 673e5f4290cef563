"""The ggml type llama-quantize gives each weight matrix of a model, for the i-quant file types.

llama.cpp picks a type per tensor (llama_tensor_get_type_impl in src/llama-quant.cpp,
https://github.com/ggml-org/llama.cpp/blob/007dbbf3fd17eefe9b47fee45f48f7ba5e62b714/src/llama-quant.cpp) from
the file type, the tensor's role, its layer, the model's grouped-query ratio and its expert count; then
``tensor_type_fallback`` swaps a 256-weight block type for a 32-weight one where a matrix's rows are not
a whole number of blocks (SmolLM2-135M's 576-wide rows, say). ``matrix_types`` applies those rules to a
``fit.ModelShape`` and ``weight_bytes`` adds up the bytes, with each type's block size (ggml-common.h).
On 89 files the Hub lists (data/gguf_sizes_calibration.csv, rows with a base_model) the whole file came out
within 0.62 % (median 0.21 %); nothing is fitted.

Assumed: an importance matrix, as llama-quantize requires for IQ1 and IQ2 and as published i-quant files
are made (it changes IQ3_XXS's attn_v and ffn_down and IQ4's first ffn_down layers). A 70B model is known
by its 80 layers with grouped-query attention (llama-model.cpp gives Llama and Qwen2 that size at 80 layers).
Left out, as in ``fit``: norms and biases (F32, a few MB) and fused QKV tensors (Phi-3). An MLA model's
attention is counted at the main type but its output: recent converters write attn_k_b and attn_v_b, which
no rule names (attn_kv_b, which older files have, would follow attn_v's rule).
"""
from __future__ import annotations

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

# llama_ftype_get_default_type: the type of every matrix no rule below changes
DEFAULT_TYPE = {
    "IQ1_S": "IQ1_S", "IQ1_M": "IQ1_M", "IQ2_XXS": "IQ2_XXS", "IQ2_XS": "IQ2_XS", "IQ2_S": "IQ2_XS",
    "IQ2_M": "IQ2_S", "IQ3_XXS": "IQ3_XXS", "IQ3_XS": "IQ3_S", "IQ3_S": "IQ3_S", "IQ3_M": "IQ3_S",
    "IQ4_NL": "IQ4_NL", "IQ4_XS": "IQ4_XS",
}
# the file types, largest first (as fit.QUANTS)
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


def _use_more_bits(i: int, n: int) -> bool:
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def _fallback(ggml_type: str, cols: int) -> str:
    """tensor_type_fallback: the type a matrix with rows of ``cols`` weights gets instead."""
    if cols % BLOCKS[ggml_type][1] == 0:
        return ggml_type
    other = _FALLBACK.get(ggml_type)
    if other is None:
        return ggml_type
    return other if cols % BLOCKS[other][1] == 0 else "F16"


def _output_type(file_type: str, cols: int) -> str:
    default = DEFAULT_TYPE[file_type]
    if cols % BLOCKS[default][1]:
        return "Q8_0"
    return "Q5_K" if file_type in Q5_K_OUTPUT else "Q6_K"


def _embedding_type(file_type: str) -> str:
    if file_type in ("IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ1_M"):
        return "Q2_K"
    if file_type in ("IQ2_S", "IQ2_M", "IQ3_XXS"):
        return "IQ3_S"
    return DEFAULT_TYPE[file_type]


def _attention_types(file_type: str, gqa: float, experts: int, seventy_b: bool = False) -> dict[str, str]:
    """Types of attn_q, attn_k, attn_v and attn_output (the same in every layer for these file types).
    ``seventy_b``: llama.cpp's LLM_TYPE_70B, whose attn_v goes from Q3_K or Q4_K to Q5_K."""
    d = DEFAULT_TYPE[file_type]
    q = k = v = o = d
    if file_type in _LOW:
        two = file_type in ("IQ2_S", "IQ2_M")
        v = "Q4_K" if gqa >= 4 or experts >= 4 else "IQ3_S" if two else "Q2_K"
        if experts == 8:
            k, o = "Q4_K", "Q5_K"
        elif file_type in ("IQ1_S", "IQ1_M"):
            o = "IQ2_XXS"
        elif two:
            o = "IQ3_S"
        return {"attn_q": q, "attn_k": k, "attn_v": v, "attn_output": o}
    if file_type == "IQ3_XXS":
        v = "Q4_K" if gqa >= 4 else "IQ3_XXS"  # with an importance matrix (IQ3_S without)
    elif file_type in ("IQ3_XS", "IQ3_S") and gqa >= 4 or file_type == "IQ3_M":
        v = "Q4_K"
    elif file_type in ("IQ4_NL", "IQ4_XS") and gqa >= 4:
        v = "Q5_K"
    if seventy_b and v in ("Q3_K", "Q4_K"):
        v = "Q5_K"
    if experts == 8:
        v = k = "Q8_0"
    elif file_type == "IQ3_XS":
        k = q = "IQ3_XXS"
    elif file_type == "IQ3_XXS":
        k = q = "IQ2_S"
    if experts == 8:
        o = "Q5_K"  # every i-quant file type of this family is in that rule's list
    elif file_type == "IQ3_XXS":
        o = "IQ3_S"
    elif file_type == "IQ3_M":
        o = "Q4_K"
    return {"attn_q": q, "attn_k": k, "attn_v": v, "attn_output": o}


def _ffn_down_type(file_type: str, layer: int, counter: int, n_layers: int, experts: int) -> str:
    d = DEFAULT_TYPE[file_type]
    if file_type in _LOW:  # counted per ffn_down tensor, in the file's order, not per layer
        return ("IQ3_S" if file_type in ("IQ2_S", "IQ2_M") else "Q2_K") if counter < n_layers // 8 else d
    if file_type == "IQ3_M" and (layer < n_layers // 8 or experts == 8 and _use_more_bits(layer, n_layers)):
        return "Q4_K"
    return d


def _gate_up_type(file_type: str, layer: int, n_layers: int) -> str:
    if file_type == "IQ3_XS" and n_layers // 8 <= layer < 7 * n_layers // 8:
        return "IQ3_XXS"
    return DEFAULT_TYPE[file_type]


def matrix_types(shape: "ModelShape", file_type: str) -> list[tuple[str, str, float, int]]:
    """(group, ggml type, weights, row width) of each set of matrices llama-quantize writes for
    ``file_type``; the groups are fit's: token_embd, output, layers, experts, shared_experts, router."""
    ft = file_type.upper()
    if ft not in DEFAULT_TYPE:
        raise KeyError(ft)
    h, L = shape.hidden, shape.n_layers
    experts = shape.n_experts if shape.moe else 0
    gqa = (shape.n_heads / shape.kv_heads) if shape.kv_heads else 1.0
    out: list[tuple[str, str, float, int]] = []

    def add(group: str, ggml_type: str, weights: float, cols: int) -> None:
        if weights:
            out.append((group, _fallback(ggml_type, cols), weights, cols))

    embd = shape.vocab * h
    if shape.tied_embeddings:
        add("token_embd", _output_type(ft, h), embd, h)
    else:
        add("token_embd", _embedding_type(ft), embd, h)
        add("output", _output_type(ft, h), embd, h)
    # attention: the shapes say how many layers attend, not which; these types do not depend on the layer
    # llama-model.cpp names 80-layer Llama and Qwen2 models with grouped-query attention LLM_TYPE_70B
    a = _attention_types(ft, gqa, experts, seventy_b=L == 80 and gqa > 1)
    n = shape.attending_layers
    if shape.mla:  # DeepSeek-V2's projections (fit._groups); attn_k_b and attn_v_b have no rule of their own
        qk, vh = (shape.nope_dim or 0) + (shape.rope_dim or 0), shape.v_head_dim or shape.hd
        if shape.q_lora_rank:
            add("layers", DEFAULT_TYPE[ft], n * h * shape.q_lora_rank, h)
            add("layers", DEFAULT_TYPE[ft], n * shape.q_lora_rank * shape.n_heads * qk, shape.q_lora_rank)
        else:
            add("layers", DEFAULT_TYPE[ft], n * h * shape.n_heads * qk, h)
        add("layers", DEFAULT_TYPE[ft], n * h * (shape.kv_lora_rank + (shape.rope_dim or 0)), h)
        add("layers", DEFAULT_TYPE[ft], n * shape.kv_lora_rank * shape.n_heads * ((shape.nope_dim or 0) + vh),
            shape.kv_lora_rank)
        add("layers", a["attn_output"], n * shape.n_heads * vh * h, shape.n_heads * vh)
    else:
        q, kv = shape.n_heads * shape.hd, shape.kv_heads * shape.hd
        add("layers", a["attn_q"], n * h * q * (2 if shape.q_gate else 1), h)
        add("layers", a["attn_k"], n * h * kv, h)
        add("layers", a["attn_v"], n * h * kv, h)
        add("layers", a["attn_output"], n * q * h, q)
    add("layers", DEFAULT_TYPE[ft], shape.recurrent_layers * shape.mixer_params, h)
    # feed-forward, layer by layer: ffn_down's rule counts its tensors in the file's order. The dense
    # feed-forwards are put in the first layers without experts (all of them in a dense model)
    width = shape.moe_ffn or shape.ffn or 0
    latent = shape.moe_latent or h
    mats = 2 if shape.gated_ffn else 1
    dense_left = shape.dense_layers if shape.ffn else 0
    counter = 0
    for i in range(L):
        if shape.is_moe_layer(i):
            gate_up = _gate_up_type(ft, i, L)
            # within a layer the file sorts by name: ffn_down_exps before ffn_down_shexp
            add("experts", gate_up, shape.n_experts * mats * latent * width, latent)
            add("experts", _ffn_down_type(ft, i, counter, L, experts), shape.n_experts * width * latent, width)
            counter += 1
            if shape.n_shared_experts:
                add("shared_experts", gate_up, shape.n_shared_experts * mats * h * width, h)
                add("shared_experts", _ffn_down_type(ft, i, counter, L, experts),
                    shape.n_shared_experts * width * h, width)
                counter += 1
            add("router", "F32", shape.n_experts * h, h)  # ffn_gate_inp is never quantized
            if shape.moe_latent:  # the projections down to the experts' width and back up
                add("layers", DEFAULT_TYPE[ft], 2 * h * shape.moe_latent, h)
        elif dense_left > 0:
            dense_left -= 1
            add("layers", _gate_up_type(ft, i, L), mats * h * shape.ffn, h)
            add("layers", _ffn_down_type(ft, i, counter, L, experts), shape.ffn * h, shape.ffn)
            counter += 1
    return out


def weight_bytes(shape: "ModelShape", file_type: str) -> tuple[float, dict[str, float]]:
    """(bytes of the matrices, bytes per group) of an i-quant file of this shape."""
    groups: dict[str, float] = {}
    for group, ggml_type, weights, _cols in matrix_types(shape, file_type):
        key = "layers" if group == "router" else group
        groups[key] = groups.get(key, 0.0) + weights * bits(ggml_type) / 8
    return sum(groups.values()), groups
