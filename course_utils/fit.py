"""Will a model fit, and how fast will it decode? File size, KV cache, RAM and tokens/s.

Weights are counted tensor group by tensor group, the way llama.cpp quantizes them: the
token embeddings, the output matrix and the repeating layers get different types, and the
*_M mixes promote ``attn_v`` and ``ffn_down`` to Q6_K in some layers. Bits per weight are
llama.cpp's real block sizes (``data/quant_types.csv``), never nominal bits. Where llama.cpp's
per-tensor rules are not encoded here, the layers' bits per weight are calibrated so that
Llama-2-7B reproduces llama.cpp's own measured bits per weight for that file type.

    estimate("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", context=4096, hardware="M1 Pro")
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import data
from .errors import InvalidInput
from .hardware import Hardware, custom_hardware, find_hardware

GB = 1e9  # sizes are in GB = 10^9 bytes, as the Hub shows file sizes
QUANTS = ("F16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_0", "Q4_K_M", "Q4_K_S", "Q4_0", "Q3_K_L", "Q3_K_M",
          "Q3_K_S", "Q2_K")
DEFAULT_CONTEXT = 4096  # llama.cpp's default n_ctx (common/common.h)
KV_BYTES = {"F16": 2.0, "Q8_0": 34 / 32, "Q4_0": 18 / 32}  # cache types (-ctk/-ctv)
RUNTIME_OVERHEAD_GB = 0.5  # assumption: runtime, thread buffers, scratch; peers use 0.5-1.5 GB
UBATCH = 512  # llama.cpp's default n_ubatch: the logits buffer is n_vocab x n_ubatch floats

# Block types by their bits per weight (block bytes x 8 / weights per block, ggml-common.h)
TYPE_BPW = {"F16": 16.0, "Q8_0": 8.5, "Q6_K": 6.5625, "Q5_K": 5.5, "Q5_0": 5.5, "Q4_K": 4.5, "Q4_0": 4.5,
            "Q3_K": 3.4375, "Q2_K": 2.625}
# file type -> (token embedding type, output type, layer base type, *_M promotion of attn_v/ffn_down)
MIX = {
    "F16": ("F16", "F16", "F16", None), "Q8_0": ("Q8_0", "Q8_0", "Q8_0", None),
    "Q6_K": ("Q6_K", "Q6_K", "Q6_K", None),
    "Q5_K_M": ("Q5_K", "Q6_K", "Q5_K", "Q6_K"), "Q4_K_M": ("Q4_K", "Q6_K", "Q4_K", "Q6_K"),
    "Q5_0": ("Q5_0", "Q6_K", "Q5_0", None), "Q4_0": ("Q4_0", "Q6_K", "Q4_0", None),
    # rules not encoded: layer bits calibrated on llama.cpp's measured BPW for Llama-2-7B
    "Q5_K_S": ("Q5_K", "Q6_K", None, None), "Q4_K_S": ("Q4_K", "Q6_K", None, None),
    "Q3_K_L": ("Q3_K", "Q6_K", None, None), "Q3_K_M": ("Q3_K", "Q6_K", None, None),
    "Q3_K_S": ("Q3_K", "Q6_K", None, None), "Q2_K": ("Q2_K", "Q6_K", None, None),
}


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

    @property
    def known(self) -> bool:
        return None not in (self.n_layers, self.hidden, self.ffn, self.n_heads, self.vocab)

    @property
    def kv_heads(self) -> int:
        return self.n_kv_heads or self.n_heads or 0

    @property
    def hd(self) -> int:
        return self.head_dim or (self.hidden // self.n_heads if self.hidden and self.n_heads else 0)


def _groups(shape: ModelShape) -> dict[str, float]:
    """Parameters per tensor group (attention split so attn_v can be promoted)."""
    h, hd = shape.hidden, shape.hd
    q = shape.n_heads * hd
    kv = shape.kv_heads * hd
    per_layer_v = h * kv
    per_layer_down = shape.ffn * h
    per_layer_rest = h * q + h * kv + q * h + (2 if shape.gated_ffn else 1) * h * shape.ffn
    embd = shape.vocab * h
    return {"token_embd": embd, "output": 0.0 if shape.tied_embeddings else embd,
            "attn_v": shape.n_layers * per_layer_v, "ffn_down": shape.n_layers * per_layer_down,
            "layers_rest": shape.n_layers * per_layer_rest}


def use_more_bits(i: int, n: int) -> bool:
    """llama.cpp's rule (src/llama-quant.cpp) for the layers that the *_M mixes promote."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


@lru_cache(maxsize=None)
def _reference_shape() -> ModelShape:
    return shape_for("meta-llama/Llama-2-7b-hf")


@lru_cache(maxsize=None)
def measured_bpw() -> dict[str, float]:
    return {r["quant"]: r["measured_bpw_llama2_7b"] for r in data.load("quant_types")}


@lru_cache(maxsize=None)
def _calibrated_layer_bpw(quant: str) -> float:
    """Layer bits per weight that make Llama-2-7B match llama.cpp's measured total BPW."""
    ref = _reference_shape()
    g = _groups(ref)
    embd_t, out_t, _base, _promo = MIX[quant]
    total = sum(g.values())
    layer_params = g["attn_v"] + g["ffn_down"] + g["layers_rest"]
    bits = measured_bpw()[quant] * total - g["token_embd"] * TYPE_BPW[embd_t] - g["output"] * TYPE_BPW[out_t]
    return bits / layer_params


def weight_bytes(shape: ModelShape, quant: str) -> tuple[float, dict[str, float]]:
    """(bytes of the GGUF's tensors, bytes per group) for a file type."""
    quant = check_quant(quant)
    if not shape.known:
        total = shape.params * measured_bpw()[quant] / 8
        return total, {"all (architecture unknown: llama.cpp's measured bits per weight)": total}
    g = _groups(shape)
    embd_t, out_t, base_t, promo_t = MIX[quant]
    out = {"token_embd": g["token_embd"] * TYPE_BPW[embd_t] / 8, "output": g["output"] * TYPE_BPW[out_t] / 8}
    layer_params = g["attn_v"] + g["ffn_down"] + g["layers_rest"]
    if base_t is None:
        out["layers"] = layer_params * _calibrated_layer_bpw(quant) / 8
    elif promo_t is None:
        out["layers"] = layer_params * TYPE_BPW[base_t] / 8
    else:
        n = shape.n_layers
        promoted = sum(1 for i in range(n) if use_more_bits(i, n)) / n
        vd = g["attn_v"] + g["ffn_down"]
        out["attn_v+ffn_down"] = vd * (promoted * TYPE_BPW[promo_t] + (1 - promoted) * TYPE_BPW[base_t]) / 8
        out["layers"] = g["layers_rest"] * TYPE_BPW[base_t] / 8
    # norms and biases (F32) and the tokenizer in the header are a few MB: left out
    return sum(out.values()), out


def kv_cache_bytes(shape: ModelShape, context: int, cache_type: str = "F16") -> float:
    """2 (K and V) x layers x KV heads x head dim x context x bytes per element."""
    if cache_type not in KV_BYTES:
        raise InvalidInput(f"KV cache type must be one of {', '.join(KV_BYTES)}, not {cache_type!r}.")
    if shape.known:
        return 2 * shape.n_layers * shape.kv_heads * shape.hd * context * KV_BYTES[cache_type]
    # Unknown architecture: assume a Llama-2-like shape without grouped-query attention
    # (params ~ 12 L d^2 with d ~ 128 L), so this is an upper bound; GQA models need 4-8x less.
    d = (shape.params * 128 / 12) ** (1 / 3)
    layers = d / 128
    return 2 * layers * d * context * KV_BYTES[cache_type]


def check_quant(quant: str) -> str:
    if not isinstance(quant, str) or quant.strip().upper() not in QUANTS:
        import difflib

        close = difflib.get_close_matches(str(quant).upper(), QUANTS, n=3, cutoff=0.5)
        raise InvalidInput(f"Unknown quantization {quant!r}; use one of {', '.join(QUANTS)}.",
                           suggestions=tuple(close))
    return quant.strip().upper()


def check_context(context: Any) -> int:
    if isinstance(context, bool) or not isinstance(context, int) or not 1 <= context <= 1_048_576:
        raise InvalidInput(f"Context must be a whole number of tokens from 1 to 1,048,576, not {context!r}.")
    return context


# --------------------------------------------------------------------------- model shapes

_GATED_ARCHS = ("llama", "mistral", "qwen", "gemma", "phi3", "olmo", "stablelm", "deepseek", "mixtral")


def _arch_params(row: dict, gated: bool) -> float:
    shape = ModelShape("x", 0, row["num_hidden_layers"], row["hidden_size"], row["intermediate_size"],
                       row["num_attention_heads"], row["num_key_value_heads"], row["head_dim"], row["vocab_size"],
                       bool(row["tie_word_embeddings"]), gated)
    return sum(_groups(shape).values())


def shape_for(repo_id: str) -> ModelShape:
    """The architecture of a catalog model (its own config, or its base model's)."""
    arch = data.index("model_architectures")
    cat = data.index("models")
    row, via = arch.get(repo_id), repo_id
    if row is None and repo_id in cat:
        base = (cat[repo_id]["base_model"] or "").split(" ")[0]
        if base in arch:
            row, via = arch[base], base
    if row is None:
        if repo_id in cat and cat[repo_id]["params_billion"]:
            return ModelShape(repo_id, cat[repo_id]["params_billion"] * 1e9,
                              source=f"parameters from the catalog ({cat[repo_id]['source_urls'].split(' ')[0]}); "
                                     f"architecture not in data/model_architectures.csv")
        from .hub import suggest

        raise InvalidInput(f"No architecture or size for {repo_id!r} in the course data; pass the parameter "
                           f"count instead (--params).", suggestions=suggest(repo_id))
    total = (row["total_params_billion"] or 0) * 1e9
    gated = any(a in row["architecture"].lower() for a in _GATED_ARCHS)
    if row["intermediate_size"] and row["num_attention_heads"] and total:
        # let the published total decide between a gated (3-matrix) and a plain (2-matrix) FFN
        gated = abs(_arch_params(row, True) - total) < abs(_arch_params(row, False) - total)
    complete = None not in (row["intermediate_size"], row["num_attention_heads"], row["vocab_size"])
    if not complete:
        params = total or (cat.get(repo_id, {}).get("params_billion") or 0) * 1e9
        if not params:
            raise InvalidInput(f"The course data for {repo_id!r} is incomplete; pass --params instead.")
        return ModelShape(repo_id, params, max_context=row["max_position_embeddings"],
                          source=f"incomplete config in data/model_architectures.csv ({via})")
    shape = ModelShape(
        repo_id, 0.0, row["num_hidden_layers"], row["hidden_size"], row["intermediate_size"],
        row["num_attention_heads"], row["num_key_value_heads"], row["head_dim"], row["vocab_size"],
        bool(row["tie_word_embeddings"]), gated, row["max_position_embeddings"],
        source=f"config of {via} (data/model_architectures.csv)")
    return replace(shape, params=total or sum(_groups(shape).values()))


def shape_from_params(params_b: float) -> ModelShape:
    if isinstance(params_b, bool) or not isinstance(params_b, (int, float)) or not 0 < params_b <= 2000:
        raise InvalidInput(f"Parameters must be a positive number of billions (e.g. 7), not {params_b!r}.")
    return ModelShape(f"{params_b:g}B model", params_b * 1e9, source="parameter count given by you")


def shape_from_gguf(path: str | Path) -> ModelShape:
    """Shape and exact tensor bytes from a local GGUF file's header (needs the `gguf` package)."""
    try:
        from gguf import GGUFReader
    except ImportError:
        raise InvalidInput("Reading a GGUF file needs the 'gguf' package: pip install gguf") from None
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"No GGUF file at {path}.")
    try:
        reader = GGUFReader(str(path))
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad file for the user
        raise InvalidInput(f"{path.name} is not a readable GGUF file ({type(exc).__name__}: {exc}).") from None

    def field_value(key: str):
        f = reader.fields.get(key)
        if f is None or not f.data:
            return None
        part = f.parts[f.data[0]]
        if f.types and f.types[0].name == "STRING":
            return bytes(part).decode("utf-8", "replace")
        return part.tolist()[0] if hasattr(part, "tolist") else part

    arch = field_value("general.architecture") or "llama"
    n_params = sum(int(t.n_elements) for t in reader.tensors)
    n_bytes = float(sum(int(t.n_bytes) for t in reader.tensors))
    names = {t.name for t in reader.tensors}
    heads = field_value(f"{arch}.attention.head_count")
    hidden = field_value(f"{arch}.embedding_length")
    key_len = field_value(f"{arch}.attention.key_length")
    vocab_field = reader.fields.get("tokenizer.ggml.tokens")
    return ModelShape(
        name=field_value("general.name") or path.stem, params=float(n_params),
        n_layers=field_value(f"{arch}.block_count"), hidden=hidden,
        ffn=field_value(f"{arch}.feed_forward_length"), n_heads=heads,
        n_kv_heads=field_value(f"{arch}.attention.head_count_kv") or heads,
        head_dim=key_len or (hidden // heads if hidden and heads else None),
        vocab=len(vocab_field.data) if vocab_field is not None else None,
        tied_embeddings="output.weight" not in names, gated_ffn=any(n.endswith("ffn_gate.weight") for n in names),
        max_context=field_value(f"{arch}.context_length"), source=f"GGUF header of {path.name}",
        exact_weight_bytes=n_bytes)


def resolve_shape(model: str | None = None, params_b: float | None = None, gguf_path: str | None = None) -> ModelShape:
    given = [x is not None for x in (model, params_b, gguf_path)]
    if sum(given) != 1:
        raise InvalidInput("Give exactly one of: a model id, a parameter count, or a GGUF file.")
    if gguf_path is not None:
        return shape_from_gguf(gguf_path)
    if params_b is not None:
        return shape_from_params(params_b)
    if str(model).lower().endswith(".gguf"):
        return shape_from_gguf(model)
    return shape_for(str(model).strip())


# --------------------------------------------------------------------------- the estimate

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

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "quant": self.quant, "context": self.context, "params_b": self.params_b,
                "file_size_gb": self.file_size_gb, "kv_cache_gb": self.kv_cache_gb, "overhead_gb": self.overhead_gb,
                "ram_needed_gb": self.ram_needed_gb, "tokens_per_s": self.tokens_per_s, "hardware": self.hardware,
                "bandwidth_gbs": self.bandwidth_gbs, "efficiency": self.efficiency,
                "shape_source": self.shape_source, "breakdown_gb": self.breakdown_gb, "notes": list(self.notes)}

    def to_text(self) -> str:
        rows = [("model", f"{self.model} ({self.params_b:.2f} B parameters; {self.shape_source})"),
                ("quantization", self.quant), ("context", f"{self.context:,} tokens"),
                ("file size", f"{self.file_size_gb:.2f} GB"), ("KV cache", f"{self.kv_cache_gb:.2f} GB (F16)"),
                ("overhead", f"{self.overhead_gb:.2f} GB"), ("RAM needed", f"{self.ram_needed_gb:.2f} GB")]
        if self.tokens_per_s is not None:
            rows.append(("decode speed", f"~{self.tokens_per_s:.1f} tokens/s on {self.hardware} "
                                         f"({self.bandwidth_gbs:g} GB/s x {self.efficiency:g})"))
        rows += [("note", n) for n in self.notes]
        return "\n".join(f"{k:<13} {v}" for k, v in rows)


def tokens_per_second(bytes_per_token: float, hw: Hardware) -> float:
    """Decode speed: time per token = bytes / (efficiency x bandwidth) + fixed overhead."""
    k = hw.klass
    seconds = bytes_per_token / (k.efficiency * hw.bandwidth_gbs * GB) + k.overhead_ms / 1000
    return 1 / seconds


def estimate(model: str | None = None, quant: str = "Q4_K_M", context: int = DEFAULT_CONTEXT, *,
             params_b: float | None = None, gguf_path: str | None = None, hardware: str | Hardware | None = None,
             bandwidth_gbs: float | None = None, backend: str | None = None) -> FitEstimate:
    """File size, KV cache, RAM needed and (with hardware) decode tokens/s for a model and quantization."""
    quant = check_quant(quant)
    context = check_context(context)
    shape = resolve_shape(model, params_b, gguf_path)
    hw: Hardware | None
    if isinstance(hardware, Hardware):
        hw = hardware
    elif hardware:
        hw = find_hardware(hardware)
    elif bandwidth_gbs is not None:
        hw = custom_hardware(bandwidth_gbs, backend or "cpu")
    else:
        hw = None
    notes = []
    if shape.exact_weight_bytes is not None:
        weights, groups = shape.exact_weight_bytes, {"tensors (from the GGUF header)": shape.exact_weight_bytes}
        notes.append("File size is the sum of the GGUF's tensors; the quantization argument is ignored.")
    else:
        weights, groups = weight_bytes(shape, quant)
    if not shape.known:
        notes.append("Architecture unknown: the KV cache assumes a Llama-2-like shape without grouped-query "
                     "attention (an upper bound).")
    if shape.max_context and context > shape.max_context:
        notes.append(f"{context:,} tokens is more than the model's configured {shape.max_context:,}.")
    kv = kv_cache_bytes(shape, context)
    vocab = shape.vocab or 32000
    overhead = RUNTIME_OVERHEAD_GB * GB + vocab * UBATCH * 4
    ram = weights + kv + overhead
    tps = None
    if hw is not None:
        read = weights - (groups.get("token_embd", 0) if not shape.tied_embeddings else 0)  # embeddings: one row
        tps = round(tokens_per_second(read + kv, hw), 1)
        notes.append(f"Speed assumes the whole model in {'GPU memory' if hw.hw_class == 'discrete_gpu' else 'memory'}"
                     f" and a full {context:,}-token KV cache; efficiency {hw.klass.efficiency:g}: {hw.klass.why}.")
    return FitEstimate(
        model=shape.name, quant=quant, context=context, params_b=round(shape.params / 1e9, 3),
        file_size_gb=round(weights / GB, 3), kv_cache_gb=round(kv / GB, 3), overhead_gb=round(overhead / GB, 3),
        ram_needed_gb=round(ram / GB, 3), tokens_per_s=tps, hardware=hw.name if hw else None,
        bandwidth_gbs=hw.bandwidth_gbs if hw else None, efficiency=hw.klass.efficiency if hw else None,
        shape_source=shape.source, breakdown_gb={k: round(v / GB, 3) for k, v in groups.items()},
        notes=tuple(notes))


def memory_by_quant(model: str | None = None, context: int = DEFAULT_CONTEXT, params_b: float | None = None
                    ) -> list[FitEstimate]:
    """One estimate per quantization, largest first (for the bar chart and for advice)."""
    return [estimate(model, q, context, params_b=params_b) for q in QUANTS]
