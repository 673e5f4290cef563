"""Architecture facts from the Hub: a repo's config.json and its safetensors parameter count.

One GET of ``{endpoint}/{repo}/resolve/main/config.json`` (the file hf_hub_download fetches)
and one of ``/api/models/{repo}`` (its ``safetensors.total``, the count
``get_safetensors_metadata`` adds up), under one wall-clock deadline with a size cap. Any
failure returns None and the caller uses the shipped table; nothing here raises.
"""
from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from datetime import date
from functools import lru_cache
from typing import Any

MAX_BYTES = 1_000_000  # a config.json is a few kB


def _get_json(url: str, deadline: float) -> Any:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None
    try:
        with urllib.request.urlopen(url, timeout=remaining) as resp:  # noqa: S310 - https endpoint from settings
            body = b""
            while len(body) <= MAX_BYTES:
                if time.monotonic() > deadline:
                    return None
                chunk = resp.read(16384)
                if not chunk:
                    break
                body += chunk
            if len(body) > MAX_BYTES:
                return None
        return json.loads(body)
    except Exception:  # noqa: BLE001 - any network or parse failure: use the table
        return None


def _pattern(cfg: dict) -> tuple[int | None, int | None]:
    """(sliding window, every Nth layer global) from sliding_window + layer_types / sliding_window_pattern."""
    window = cfg.get("sliding_window")
    if not window:
        return None, None
    if cfg.get("sliding_window_pattern"):
        return window, int(cfg["sliding_window_pattern"])
    types = cfg.get("layer_types") or []
    full = [i for i, t in enumerate(types) if t == "full_attention"]
    if full and len(full) < len(types):
        return window, full[0] + 1
    return None, None  # every layer global (Mistral 7B's window is ignored by llama.cpp) or not stated


def _llama4(cfg: dict) -> dict:
    """Llama 4's own keys (transformers' configuration_llama4.py and modeling_llama4.py): experts and the
    shared expert are ``intermediate_size`` wide, dense layers ``intermediate_size_mlp``; every
    ``interleave_moe_layer_step``-th layer is MoE; each MoE layer has one shared expert; layers with
    RoPE attend in chunks of ``attention_chunk_size`` (default: 3 of every 4, ``no_rope_layer_interval``)."""
    layers = cfg.get("num_hidden_layers") or 0
    step = cfg.get("interleave_moe_layer_step") or 1
    moe = cfg.get("moe_layers")
    if isinstance(moe, list) and moe:  # an explicit list: its step when it is a regular one
        gaps = {b - a for a, b in zip(moe, moe[1:])}
        step = moe[0] + 1 if len(gaps) <= 1 and (not gaps or gaps == {moe[0] + 1}) else step
    pattern = None
    if cfg.get("attention_chunk_size"):
        no_rope = cfg.get("no_rope_layers") or []
        types = cfg.get("layer_types") or []
        full = [i for i, v in enumerate(no_rope) if not v] or [i for i, v in enumerate(types) if v == "full_attention"]
        pattern = full[0] + 1 if full else (cfg.get("no_rope_layer_interval") or 4)
        if pattern > layers:
            pattern = None
    return {"intermediate_size": cfg.get("intermediate_size_mlp") or cfg.get("intermediate_size"),
            "moe_intermediate_size": cfg.get("intermediate_size"), "moe_layer_step": step,
            "num_shared_experts": 1, "sliding_window": cfg.get("attention_chunk_size") if pattern else None,
            "sliding_window_pattern": pattern}


def _shared_experts(cfg: dict) -> int | None:
    """Qwen-style, Granite and Nemotron 3 MoE configs give the shared experts' width (shared_expert_intermediate_size,
    shared_intermediate_size, moe_shared_expert_intermediate_size), not a count: that many routed experts' widths
    (Qwen3-Next: 512 / 512 = 1; Granite 4.0-H-Small: 1536 / 768 = 2). The width wins over n_shared_experts."""
    shared = cfg.get("shared_expert_intermediate_size") or cfg.get("shared_intermediate_size") \
        or cfg.get("moe_shared_expert_intermediate_size")  # Qwen; Granite; Nemotron 3 (Megatron: all shared experts)
    width = cfg.get("moe_intermediate_size") or cfg.get("intermediate_size")
    return round(shared / width) if shared and width else None


def hybrid_plan(cfg: dict) -> dict | None:
    """A hybrid's layers from its config.json, as llama.cpp runs them: ``recurrent`` (one flag per layer),
    each recurrent layer's ``state`` (f32 elements for one sequence: llama.cpp's n_embd_r + n_embd_s) and
    the elements of it a token ``moved`` (fit.GATHERED_STATE_PASSES, fit.SCANNED_STATE_PASSES),
    its token mixer's weights (``mixer``, in place of attention's) and whether attention's query
    projection also gives an output gate (``q_gate``). None for a model that attends in every layer.

    Gated DeltaNet (Qwen3-Next, Qwen3.5: the linear_* keys): layer_types' "linear_attention" layers, else
    all but every full_attention_interval-th (default 4, as llama.cpp's loader); the state is
    (kernel - 1) x (2 key dims + value dim) + key head dim x value dim; attention is gated.
    LFM2 (conv_L_cache): layer_types' "conv" layers, else those not in full_attn_idxs; hidden x
    (conv_L_cache - 1) each. Granite 4.0 hybrids (mamba_d_state): layer_types' "mamba" layers, Mamba-2 of
    inner width mamba_expand x hidden in mamba_n_heads heads; (mamba_d_conv - 1) x (inner + 2 x groups x
    state) + state x inner each. Nemotron-H (hybrid_override_pattern): each layer does one thing, "M" Mamba-2
    (mamba_num_heads x mamba_head_dim wide), "*" attention, "-" a feed-forward, "E" a mixture of experts
    (Nemotron 3; ``attention``, ``ffn`` and ``moe`` say which layers)."""
    layers, h = cfg.get("num_hidden_layers") or 0, cfg.get("hidden_size") or 0
    types = cfg.get("layer_types") if len(cfg.get("layer_types") or []) == layers else None
    pattern = cfg.get("hybrid_override_pattern")
    if isinstance(pattern, str) and len(pattern) == layers and layers and not set(pattern) - set("M*-E"):
        from .fit import mamba2_mixer_params, ssm_layer_state

        heads = cfg.get("mamba_num_heads") or 0
        inner = heads * (cfg.get("mamba_head_dim") or 0) or (cfg.get("expand") or 2) * h
        state, kernel = cfg.get("ssm_state_size") or 128, cfg.get("conv_kernel") or 4
        groups = cfg.get("n_groups") or cfg.get("mamba_num_groups") or 1
        elems, moved = ssm_layer_state(kernel, inner, groups * state, state, scanned=True)
        return {"recurrent": tuple(c == "M" for c in pattern), "attention": tuple(c == "*" for c in pattern),
                "ffn": tuple(c in "-E" for c in pattern), "moe": tuple(c == "E" for c in pattern) if "E" in pattern
                else None, "state": elems,
                "moved": moved, "mixer": mamba2_mixer_params(h, inner, groups * state, heads, kernel),
                "q_gate": False}
    if cfg.get("linear_num_value_heads") and cfg.get("linear_num_key_heads") and cfg.get("linear_key_head_dim"):
        from .fit import deltanet_mixer_params, ssm_layer_state

        every = cfg.get("full_attention_interval") or 4
        recurrent = tuple(t == "linear_attention" for t in types) if types else \
            tuple((i + 1) % every != 0 for i in range(layers))
        nk, dk = cfg["linear_num_key_heads"], cfg["linear_key_head_dim"]
        nv, dv = cfg["linear_num_value_heads"], cfg.get("linear_value_head_dim") or dk
        kernel = cfg.get("linear_conv_kernel_dim") or 4
        elems, moved = ssm_layer_state(kernel, nv * dv, nk * dk, dk, scanned=False)
        return {"recurrent": recurrent, "state": elems, "moved": moved,
                "mixer": deltanet_mixer_params(h, nk * dk, nv * dv, nv, kernel),
                "q_gate": bool(cfg.get("attn_output_gate", True))}
    if cfg.get("mamba_d_state") and types:
        from .fit import mamba2_mixer_params, ssm_layer_state

        state, groups, kernel = cfg["mamba_d_state"], cfg.get("mamba_n_groups") or 1, cfg.get("mamba_d_conv") or 4
        inner = (cfg.get("mamba_n_heads") or 0) * (cfg.get("mamba_d_head") or 0) or (cfg.get("mamba_expand") or 2) * h
        heads = cfg.get("mamba_n_heads") or inner // (cfg.get("mamba_d_head") or 64)
        elems, moved = ssm_layer_state(kernel, inner, groups * state, state, scanned=True)
        return {"recurrent": tuple(t == "mamba" for t in types), "state": elems, "moved": moved,
                "mixer": mamba2_mixer_params(h, inner, groups * state, heads, kernel), "q_gate": False}
    if cfg.get("conv_L_cache") and (types or cfg.get("full_attn_idxs")):
        from .fit import shortconv_layer_state

        attn = set(cfg.get("full_attn_idxs") or [])
        recurrent = tuple(t == "conv" for t in types) if types else tuple(i not in attn for i in range(layers))
        l_cache = cfg["conv_L_cache"]
        elems, moved = shortconv_layer_state(h, l_cache)
        return {"recurrent": recurrent, "state": elems, "moved": moved, "mixer": 4 * h * h + h * l_cache,
                "q_gate": False}
    return None


def row_from_config(cfg: dict, params_total: float | None = None) -> dict:
    """A data/model_architectures.csv-shaped row from a transformers config.json (and, for a hybrid, its
    layer plan under ``hybrid``: hybrid_plan)."""
    outer = cfg
    cfg = {**cfg, **(cfg.get("text_config") or {})}
    experts = cfg.get("num_local_experts") or cfg.get("num_experts") or cfg.get("n_routed_experts")
    window, pattern = _pattern(cfg)
    tie = cfg.get("tie_word_embeddings", outer.get("tie_word_embeddings"))
    row = {
        "architecture": (outer.get("architectures") or [""])[0],
        "num_hidden_layers": cfg.get("num_hidden_layers"), "hidden_size": cfg.get("hidden_size"),
        "intermediate_size": cfg.get("intermediate_size"), "num_attention_heads": cfg.get("num_attention_heads"),
        "num_key_value_heads": cfg.get("num_key_value_heads"),
        "head_dim": cfg.get("head_dim") or cfg.get("attention_head_dim"),  # Nemotron-H spells it so
        "vocab_size": cfg.get("vocab_size"), "max_position_embeddings": cfg.get("max_position_embeddings"),
        "tie_word_embeddings": tie, "total_params_billion": params_total / 1e9 if params_total else None,
        "num_experts": experts, "experts_per_token": cfg.get("num_experts_per_tok") if experts else None,
        "num_shared_experts": _shared_experts(cfg) or cfg.get("n_shared_experts") if experts else None,
        "moe_intermediate_size": (cfg.get("moe_intermediate_size") or cfg.get("intermediate_size")) if experts else None,
        # Nemotron 3 Super/Ultra's LatentMoE, as llama.cpp's converter reads it (NemotronHModel: moe_latent_size)
        "moe_latent_size": cfg.get("moe_latent_size") if experts else None,
        "first_dense_layers": cfg.get("first_k_dense_replace"), "moe_layer_step": None, "sliding_window": window,
        "sliding_window_pattern": pattern, "kv_lora_rank": cfg.get("kv_lora_rank"),
        "q_lora_rank": cfg.get("q_lora_rank"), "qk_rope_head_dim": cfg.get("qk_rope_head_dim"),
        "qk_nope_head_dim": cfg.get("qk_nope_head_dim"), "v_head_dim": cfg.get("v_head_dim"),
    }
    if str(cfg.get("model_type", "")).startswith("llama4") and experts:
        row.update(_llama4(cfg))
    try:
        plan = hybrid_plan(cfg)
    except (TypeError, ValueError, KeyError, ZeroDivisionError):  # malformed: read as a model attending everywhere
        plan = None
    if plan is not None:
        row["hybrid"] = plan
    return row


class _NoConfig(Exception):
    """No usable config.json this time (raised, not returned, so that lru_cache keeps only answers)."""


@lru_cache(maxsize=256)
def _fetch(repo_id: str, endpoint: str, timeout: float) -> tuple[dict, float | None]:
    deadline = time.monotonic() + timeout
    quoted = urllib.parse.quote(repo_id, safe="/")
    cfg = _get_json(f"{endpoint}/{quoted}/resolve/main/config.json", deadline)
    if not isinstance(cfg, dict) or not cfg.get("num_hidden_layers") and not (cfg.get("text_config") or {}).get(
            "num_hidden_layers"):
        raise _NoConfig(repo_id)
    info = _get_json(f"{endpoint}/api/models/{quoted}", deadline)
    total = ((info or {}).get("safetensors") or {}).get("total") if isinstance(info, dict) else None
    return cfg, float(total) if total else None


def shape_from_hub(repo_id: str):
    """The ModelShape from the Hub's config.json (and parameter count), or None when it cannot be had."""
    from .fit import shape_from_config_row
    from .i18n import t
    from .settings import get_settings

    s = get_settings()
    if s.offline:
        return None
    try:
        cfg, total = _fetch(repo_id, s.endpoint, s.hub_timeout_s)
    except _NoConfig:  # a timeout or a missing file: asked again next time, not remembered
        return None
    row = row_from_config(cfg, total)
    try:
        return shape_from_config_row(repo_id, row, t("fit.source.hub", repo=repo_id, endpoint=s.endpoint,
                                                      date=date.today().isoformat()))
    except Exception:  # noqa: BLE001 - an odd config: use the table
        return None
