"""KV cache per architecture, MoE, GPU memory and partial offload, against hand-computed cases."""
import pytest

from course_utils import fit
from course_utils.errors import InvalidInput
from course_utils.hardware import custom_hardware, find_hardware

GB = 1e9


def test_mistral_based_maths_model_gets_its_family_kv_heads():
    # WizardMath-7B-V1.1's row lacks the vocabulary; its base Mistral-7B-v0.1 fills it, so the
    # shape is known: 2 x 32 layers x 8 KV heads x 128 x 4096 tokens x 2 bytes = 0.537 GB, not
    # Llama-2's 32 KV heads (2.1 GB KV, 7.1 GB in all).
    e = fit.estimate("WizardLMTeam/WizardMath-7B-V1.1", "Q4_K_M", 4096)
    assert e.kv_cache_gb == pytest.approx(2 * 32 * 8 * 128 * 4096 * 2 / GB, abs=0.001)
    assert e.ram_needed_gb == pytest.approx(5.5, abs=0.1)
    assert "from its base mistralai/Mistral-7B-v0.1" in e.shape_source
    assert not any("upper bound" in n for n in e.notes)


@pytest.mark.parametrize("kv_type, bytes_per", [("f16", 2.0), ("q8_0", 34 / 32), ("Q4_0", 18 / 32)])
def test_kv_cache_types(kv_type, bytes_per):
    # Mistral 7B: 2 x 32 x 8 x 128 = 65,536 elements per token; q8_0 blocks are 34 bytes per 32
    e = fit.estimate("mistralai/Mistral-7B-v0.1", "Q4_0", 8192, kv_cache_type=kv_type)
    assert e.kv_cache_gb == pytest.approx(65_536 * 8192 * bytes_per / GB, abs=0.001)
    assert e.kv_cache_type == kv_type.upper()
    with pytest.raises(InvalidInput, match="KV cache type must be one of f16, q8_0, q4_0"):
        fit.estimate("mistralai/Mistral-7B-v0.1", "Q4_0", kv_cache_type="q3")


def test_sliding_window_gemma3():
    # Gemma 3 12B: 48 layers, every 6th global (8 layers), 40 local with a 1,024-token window;
    # 8 KV heads x 256 dims. At 32,768 tokens: 8 x 32,768 + 40 x (1,024 + 512) = 323,584 token slots,
    # x 2 (K, V) x 8 x 256 x 2 bytes = 2.65 GB (a full cache would be 12.9 GB).
    e = fit.estimate("google/gemma-3-12b-it", "Q4_K_M", 32768)
    assert e.kv_cache_gb == pytest.approx((8 * 32768 + 40 * 1536) * 2 * 8 * 256 * 2 / GB, abs=0.001)
    # short contexts: every layer holds the whole context
    assert fit.estimate("google/gemma-3-12b-it", "Q4_K_M", 1024).kv_cache_gb == pytest.approx(
        48 * 1024 * 2 * 8 * 256 * 2 / GB, abs=0.001)
    assert any("Sliding window" in n for n in e.notes)


def test_mla_deepseek_v2_lite():
    # MLA: one latent of kv_lora_rank 512 + RoPE key 64 per layer and token; 27 layers.
    # 576 x 27 x 4096 x 2 bytes = 0.127 GB (16 heads x 2 x 192 dims of plain MHA would be 1.6 GB).
    e = fit.estimate("deepseek-ai/DeepSeek-V2-Lite", "Q4_K_M", 4096)
    assert e.kv_cache_gb == pytest.approx(576 * 27 * 4096 * 2 / GB, abs=0.001)
    v3 = fit.estimate("deepseek-ai/DeepSeek-V3", "Q4_K_M", 4096)
    assert v3.kv_cache_gb == pytest.approx(576 * 61 * 4096 * 2 / GB, abs=0.001)


def test_moe_mixtral_total_and_active_by_hand():
    # 32 layers; an expert is 3 x 4096 x 14336 = 176,160,768 parameters; 8 per layer, 2 used.
    expert = 3 * 4096 * 14336
    attention = 32 * (2 * 4096 * 4096 + 2 * 4096 * 1024)  # q, o and the 8-head k, v
    embeddings = 2 * 32000 * 4096  # untied input and output
    router = 32 * 4096 * 8
    total = 32 * 8 * expert + attention + embeddings + router
    active = total - 32 * 6 * expert  # six of eight experts idle per token
    e = fit.estimate("mistralai/Mixtral-8x7B-Instruct-v0.1", "Q4_K_M", 4096)
    assert e.params_b == pytest.approx(total / 1e9, abs=0.001)  # 46.70 B, as published
    assert e.active_params_b == pytest.approx(active / 1e9, abs=0.001)  # 12.88 B (12.9 B published)
    # memory holds every expert; decode reads a quarter of the expert bytes
    experts_bytes = e.breakdown_gb["experts"] * GB
    assert e.read_per_token_gb == pytest.approx(
        (e.file_size_gb * GB - e.breakdown_gb["token_embd"] * GB - experts_bytes * 6 / 8 + e.kv_cache_gb * GB) / GB,
        abs=0.002)


@pytest.mark.parametrize("repo, total, active", [
    ("Qwen/Qwen3-30B-A3B", 30.5, 3.3), ("Qwen/Qwen3-235B-A22B", 235, 22), ("deepseek-ai/DeepSeek-V3", 671, 37),
    ("deepseek-ai/DeepSeek-V2-Lite", 15.7, 2.4), ("openai/gpt-oss-120b", 117, 5.1),
    ("allenai/OLMoE-1B-7B-0924", 6.9, 1.3), ("meta-llama/Llama-4-Scout-17B-16E-Instruct", 109, 17),
    ("meta-llama/Llama-4-Maverick-17B-128E-Instruct", 400, 17)])
def test_moe_totals_match_the_published_sizes(repo, total, active):
    # published: Qwen3 model cards (30.5B/3.3B, 235B/22B), DeepSeek-V3 (671B/37B), V2-Lite (15.7B/2.4B),
    # gpt-oss-120b (117B/5.1B), OLMoE (6.9B/1.3B), Llama 4 Scout (109B with its vision encoder/17B),
    # Llama 4 Maverick (400B/17B);
    # the config arithmetic lands within 2 % (total) and 12 % (active)
    e = fit.estimate(repo, "Q4_K_M", 4096)
    assert e.params_b == pytest.approx(total, rel=0.02)
    assert e.active_params_b == pytest.approx(active, rel=0.12)


def test_gpt_oss_20b_by_hand():
    # 24 layers, 32 experts of 3 x 2880 x 2880, 4 per token; the row states 21 B in all (OpenAI's README)
    e = fit.estimate("openai/gpt-oss-20b", "Q4_K_M", 4096)
    experts = 24 * 32 * 3 * 2880 * 2880
    assert e.params_b == 21.0 and e.active_params_b == pytest.approx((21e9 - experts * 28 / 32) / 1e9, abs=0.001)
    # OpenAI's 3.6 B active leaves out the input embedding (201,088 x 2,880), which a token only looks up
    assert e.active_params_b - 201088 * 2880 / 1e9 == pytest.approx(3.6, rel=0.05)
    # KV: 12 full-attention layers keep 4,096 tokens, 12 sliding ones 128 + 512, which llama.cpp rounds up
    # to 768 (a multiple of 256); 8 KV heads x 64 x (K, V) x 2 bytes
    assert e.kv_cache_gb == pytest.approx((12 * 4096 + 12 * 768) * 8 * 64 * 2 * 2 / GB, abs=0.001)


def test_llama4_maverick_by_hand():
    # 48 layers; every second one (1, 3, ... 47) is MoE: 128 experts and one shared expert of 3 x 5120 x 8192,
    # one expert per token; the 24 others have a dense 3 x 5120 x 16384 feed-forward (config.json:
    # interleave_moe_layer_step 2, intermediate_size 8192, intermediate_size_mlp 16384)
    shape = fit.shape_for("meta-llama/Llama-4-Maverick-17B-128E-Instruct", online=False)
    assert [i for i in range(48) if shape.is_moe_layer(i)] == list(range(1, 48, 2))
    assert (shape.moe_layers, shape.dense_layers) == (24, 24)
    h, expert = 5120, 3 * 5120 * 8192
    attn = h * 40 * 128 * 2 + h * 8 * 128 * 2  # q and o, k and v
    embd = 202048 * h  # input and output matrices (not tied)
    router = 24 * h * 128
    total = 48 * attn + 24 * 3 * h * 16384 + 24 * (128 + 1) * expert + router + 2 * embd
    e = fit.estimate("meta-llama/Llama-4-Maverick-17B-128E-Instruct", "Q4_K_M", 32768)
    assert e.params_b == pytest.approx(total / 1e9, abs=0.001)  # 400.7 B
    assert e.active_params_b == pytest.approx((total - 24 * 127 * expert) / 1e9, abs=0.001)  # 17.2 B
    # KV: 8 KV heads x 128 x (K, V) x 2 bytes; 12 global layers keep 32,768 tokens, 36 chunked ones 8,192 + 512
    assert e.kv_cache_gb == pytest.approx((12 * 32768 + 36 * 8704) * 8 * 128 * 2 * 2 / GB, abs=0.001)
    # --n-cpu-moe counts layers, as llama.cpp's does: the first 10 hold 5 MoE layers
    big = fit.estimate("meta-llama/Llama-4-Maverick-17B-128E-Instruct", "Q4_K_M", 4096, hardware="RTX 4090",
                       vram_gb=400, n_cpu_moe=10)
    assert big.offload.fits and "first 10 layers (5 of them have experts)" in big.offload.text
    one_layer = big.breakdown_gb["experts"] / 24
    assert big.offload.cpu_read_gb == pytest.approx(5 * one_layer / 128, abs=0.002)


def test_llama4_config_json_gives_the_shipped_rows():
    """The Hub path (hub_config.row_from_config) reads Llama 4's own keys as the shipped rows state them:
    the dense width is intermediate_size_mlp, each MoE layer has a shared expert, RoPE layers attend in chunks."""
    from dataclasses import asdict

    from course_utils import hub_config

    text = {"attention_chunk_size": 8192, "head_dim": 128, "hidden_size": 5120, "intermediate_size": 8192,
            "intermediate_size_mlp": 16384, "max_position_embeddings": 1048576, "model_type": "llama4_text",
            "num_attention_heads": 40, "num_experts_per_tok": 1, "num_hidden_layers": 48, "num_key_value_heads": 8,
            "vocab_size": 202048}
    configs = {  # ai-dynamo/aiconfigurator's copies of the two config.json (the rows' first source)
        "meta-llama/Llama-4-Maverick-17B-128E-Instruct": dict(text, num_local_experts=128, interleave_moe_layer_step=2),
        "meta-llama/Llama-4-Scout-17B-16E-Instruct": dict(text, num_local_experts=16, interleave_moe_layer_step=1,
                                                          max_position_embeddings=10485760)}
    for repo, cfg in configs.items():
        row = hub_config.row_from_config({"architectures": ["Llama4ForConditionalGeneration"], "model_type": "llama4",
                                          "text_config": cfg})
        online = asdict(fit.shape_from_config_row(repo, row, "hub"))
        shipped = asdict(fit.shape_for(repo, online=False))
        assert {k: v for k, v in online.items() if k != "source"} == {k: v for k, v in shipped.items() if k != "source"}
    # a fine-tune that lists its MoE layers (every layer) and its RoPE-less layers (every fourth)
    listed = dict(configs["meta-llama/Llama-4-Scout-17B-16E-Instruct"], moe_layers=list(range(48)),
                  no_rope_layers=[int((i + 1) % 4 != 0) for i in range(48)], interleave_moe_layer_step=None)
    row = hub_config.row_from_config({"architectures": ["Llama4ForCausalLM"], "text_config": listed})
    assert (row["moe_layer_step"], row["sliding_window"], row["sliding_window_pattern"]) == (1, 8192, 4)


# Qwen/Qwen3-Next-80B-A3B-Instruct's config.json (huggingface.co/Qwen/Qwen3-Next-80B-A3B-Instruct/blob/main/
# config.json; its model card: 48 layers laid out as 12 x (3 Gated DeltaNet + 1 Gated Attention), 16 Q and
# 2 KV heads of 256, DeltaNet 32 V and 16 QK heads of 128, 512 experts of 512, 10 active and 1 shared)
QWEN3_NEXT = {"architectures": ["Qwen3NextForCausalLM"], "model_type": "qwen3_next", "decoder_sparse_step": 1,
              "full_attention_interval": 4, "head_dim": 256, "hidden_size": 2048, "intermediate_size": 5120,
              "linear_conv_kernel_dim": 4, "linear_key_head_dim": 128, "linear_num_key_heads": 16,
              "linear_num_value_heads": 32, "linear_value_head_dim": 128, "max_position_embeddings": 262144,
              "moe_intermediate_size": 512, "num_attention_heads": 16, "num_experts": 512, "num_experts_per_tok": 10,
              "num_hidden_layers": 48, "num_key_value_heads": 2, "shared_expert_intermediate_size": 512,
              "tie_word_embeddings": False, "vocab_size": 151936}


def test_a_deltanet_hybrid_from_its_config_json_caches_tokens_only_in_its_attention_layers():
    """Online, a hybrid's config.json gives its layer plan (hub_config.hybrid_plan): Qwen3-Next's KV cache is
    a quarter of a dense model's of that shape, its 36 DeltaNet layers keep a fixed state, and its gated
    queries and DeltaNet projections count among the weights."""
    from course_utils import hub_config

    shape = fit.shape_from_config_row("Qwen/Qwen3-Next-80B-A3B-Instruct",
                                      hub_config.row_from_config(QWEN3_NEXT, 81.3e9), "hub")
    assert (shape.recurrent_layers, shape.n_shared_experts, shape.q_gate) == (36, 1, True)
    assert shape.kv_layer_elems == (0, 0, 0, 2 * 2 * 256) * 12
    # 12 attention layers x 2 KV heads x (256 + 256) x 2 bytes per token, 32,768 tokens
    assert fit.kv_cache_bytes(shape, 32768) == 12 * 2 * 512 * 2 * 32768
    # per DeltaNet layer: R = 3 x (2 x 16 x 128 + 32 x 128), S = 128 x 32 x 128 (f32)
    assert shape.recurrent_state_elems == 36 * (3 * 8192 + 128 * 32 * 128)
    assert shape.recurrent_moved_elems == 6 * shape.recurrent_state_elems  # gathered, updated, copied back
    est = fit.estimate(shape=shape, quant="Q4_K_M", context=32768)
    assert est.kv_cache_gb == pytest.approx(0.805, abs=0.001) and est.recurrent_state_gb == pytest.approx(0.079, abs=0.001)
    # the same config read without its plan, as before: every layer cached (4x), no state, no DeltaNet weights
    plain = fit.shape_from_config_row("x", {k: v for k, v in hub_config.row_from_config(QWEN3_NEXT).items()
                                            if k != "hybrid"}, "hub")
    assert fit.kv_cache_bytes(plain, 32768) == 4 * fit.kv_cache_bytes(shape, 32768)
    mixer = 2048 * 8192 + 2048 * 4096 + 2 * 2048 * 32 + 8192 * 4 + 4096 * 2048  # qkv, z gate, beta/alpha, conv, out
    attention = 2048 * 4096 * 2 + 2 * 2048 * 512 + 4096 * 2048  # gated q, k and v, o
    plain_attention = 2048 * 4096 + 2 * 2048 * 512 + 4096 * 2048
    layers = lambda s: sum(v for k, v in fit._groups(s).items() if k in ("attn_v", "layers_rest"))  # noqa: E731
    assert layers(shape) - layers(plain) == 36 * mixer + 12 * attention - 48 * plain_attention
    # a plan from layer_types wins over the interval; without either, the loader's default period 4
    listed = dict(QWEN3_NEXT, layer_types=["linear_attention", "full_attention"] * 24)
    assert hub_config.hybrid_plan(listed)["recurrent"] == (True, False) * 24
    assert hub_config.hybrid_plan({k: v for k, v in QWEN3_NEXT.items() if k != "full_attention_interval"}
                                  )["recurrent"] == (True, True, True, False) * 12
    assert hub_config.hybrid_plan({"num_hidden_layers": 4, "hidden_size": 64}) is None
    # a malformed plan (a Hub file can say anything) is left out, not raised: every layer then attends
    odd = dict(QWEN3_NEXT, linear_conv_kernel_dim="four")
    assert "hybrid" not in hub_config.row_from_config(odd)
    short = hub_config.row_from_config(dict(QWEN3_NEXT, layer_types=["linear_attention"] * 3))
    assert short["hybrid"]["recurrent"] == (True, True, True, False) * 12  # a list of the wrong length: the interval


def test_lfm2_from_its_config_json_keeps_kv_in_its_attention_layers():
    """LFM2's config.json names its layers (layer_types "conv" / "full_attention"; older ones full_attn_idxs):
    LFM2-1.2B's 6 attention layers cache tokens, its 10 convolution layers keep hidden x 2 f32 each."""
    from course_utils import hub_config

    cfg = {"architectures": ["Lfm2ForCausalLM"], "model_type": "lfm2", "hidden_size": 2048, "num_hidden_layers": 16,
           "num_attention_heads": 32, "num_key_value_heads": 8, "conv_L_cache": 3, "vocab_size": 65536,
           "intermediate_size": 8192, "max_position_embeddings": 128000, "full_attn_idxs": [2, 5, 8, 10, 12, 14]}
    shape = fit.shape_from_config_row("LiquidAI/LFM2-1.2B", hub_config.row_from_config(cfg), "hub")
    attn = {2, 5, 8, 10, 12, 14}
    assert shape.kv_layer_elems == tuple(8 * 2 * 64 if i in attn else 0 for i in range(16))
    assert (shape.recurrent_layers, shape.recurrent_state_elems) == (10, 10 * 2048 * 2)
    types = ["full_attention" if i in attn else "conv" for i in range(16)]
    assert hub_config.hybrid_plan(dict(cfg, layer_types=types, full_attn_idxs=None))["recurrent"] == \
        tuple(i not in attn for i in range(16))


def test_granite_4_hybrid_from_its_config_json_keeps_kv_in_4_of_40_layers():
    """Granite 4.0-H-Small's config.json (huggingface.co/ibm-granite/granite-4.0-h-small/blob/main/config.json,
    its relevant fields; layer_types counts 36 "mamba" and 4 "attention"): 16,384 bytes of KV cache per token
    (4 layers x 8 KV heads x 128 x 2 x 2 bytes), and each Mamba-2 layer keeps 3 x (8,192 + 2 x 128) + 128 x 8,192
    f32 whatever the context; a shared expert of 1,536 is two of the 768-wide routed experts."""
    from course_utils import hub_config

    types = ["mamba"] * 40
    for i in (5, 15, 25, 35):  # where the 4 attention layers sit does not change the sizes
        types[i] = "attention"
    cfg = {"architectures": ["GraniteMoeHybridForCausalLM"], "model_type": "granitemoehybrid", "hidden_size": 4096,
           "num_hidden_layers": 40, "num_attention_heads": 32, "num_key_value_heads": 8, "num_local_experts": 72,
           "num_experts_per_tok": 10, "shared_intermediate_size": 1536, "intermediate_size": 768,
           "mamba_d_state": 128, "mamba_d_conv": 4, "mamba_expand": 2, "tie_word_embeddings": True,
           "vocab_size": 100352, "layer_types": types}
    shape = fit.shape_from_config_row("ibm-granite/granite-4.0-h-small", hub_config.row_from_config(cfg, 32.2e9), "hub")
    assert fit.kv_cache_bytes(shape, 1000, allocated=False) == 16384 * 1000
    assert (shape.recurrent_layers, shape.recurrent_state_elems) == (36, 36 * (3 * (8192 + 256) + 128 * 8192))
    assert shape.recurrent_moved_elems == 36 * (6 * 3 * (8192 + 256) + 4 * 128 * 8192)  # R gathered, S scanned
    assert (shape.n_experts, shape.experts_per_token, shape.n_shared_experts) == (72, 10, 2)
    est = fit.estimate(shape=shape, quant="Q4_K_M", context=131072)
    assert est.recurrent_state_gb == pytest.approx(0.1546, abs=0.0001)
    assert est.kv_cache_gb == pytest.approx(16384 * 131072 / GB, abs=0.001)  # 2.15 GB, not 21.5 for 40 layers


def test_nemotron_h_from_its_config_json_attends_in_4_of_52_layers():
    """nvidia/Nemotron-H-8B-Base-8K's config.json (huggingface.co/nvidia/Nemotron-H-8B-Base-8K/blob/main/config.json,
    the fields these figures need): its hybrid_override_pattern spells 24 Mamba-2 layers ("M"), 4 attention
    layers ("*") and 24 feed-forwards alone ("-"). KV: 4 x 8 KV heads x 128 x 2 x 2 bytes per token (13 x less
    than 52 attention layers); each Mamba-2 layer keeps 3 x (8,192 + 2 x 8 x 128) + 128 x 8,192 f32."""
    from course_utils import hub_config

    pattern = "M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M-"
    cfg = {"architectures": ["NemotronHForCausalLM"], "model_type": "nemotron_h", "hybrid_override_pattern": pattern,
           "hidden_size": 4096, "num_hidden_layers": 52, "num_attention_heads": 32, "num_key_value_heads": 8,
           "attention_head_dim": 128, "ssm_state_size": 128, "mamba_num_heads": 128, "mamba_head_dim": 64,
           "n_groups": 8, "conv_kernel": 4, "expand": 2, "vocab_size": 131072, "max_position_embeddings": 8192}
    shape = fit.shape_from_config_row("nvidia/Nemotron-H-8B-Base-8K", hub_config.row_from_config(cfg), "hub", 8e9)
    assert (pattern.count("M"), pattern.count("*"), pattern.count("-")) == (24, 4, 24)
    assert (shape.recurrent_layers, shape.attention_layers, shape.ffn_layers) == (24, 4, 24)
    assert fit.kv_cache_bytes(shape, 1000, allocated=False) == 4 * 8 * 128 * 2 * 2 * 1000
    assert shape.recurrent_state_elems == 24 * (3 * (8192 + 2 * 8 * 128) + 128 * 8192)
    assert hub_config.hybrid_plan(cfg)["moe"] is None


def test_nemotron_3_from_a_config_json_has_experts_only_in_its_e_layers():
    """Nemotron 3 Nano's published make-up in a config whose other sizes and layer order are illustrative, not
    the model's. Published: 52 layers, 23 Mamba-2, 23 MoE and 6 attention, 128 routed experts and 1 shared, 6
    per token (the model card, as quoted at fitmyllm.com/model/nemotron-nemo-31.6b); a shared expert of 3,712
    (radixark.com/miles/docs/models/nemotron/nemotron-3-nano-moe); 32 heads, 2 KV heads (huggingface.co/
    TevunahAi/Nemotron-3-Nano-30B-A3B-GPTQ). Illustrative: the routed width (1,856, half the shared one), the
    hidden size, the Mamba sizes, the order of the layers. Checked: experts in the 23 "E" layers only (before:
    in all 52), the shared width counted as 2 routed ones (before: 1, from n_shared_experts), KV in the 6
    attention layers."""
    from course_utils import hub_config

    pattern = ("ME" * 23)[:46] + "*" * 6
    assert (pattern.count("M"), pattern.count("E"), pattern.count("*"), len(pattern)) == (23, 23, 6, 52)
    cfg = {"architectures": ["NemotronHForCausalLM"], "model_type": "nemotron_h", "hybrid_override_pattern": pattern,
           "hidden_size": 2048, "num_hidden_layers": 52, "num_attention_heads": 32, "num_key_value_heads": 2,
           "head_dim": 128, "ssm_state_size": 128, "mamba_num_heads": 64, "mamba_head_dim": 64, "n_groups": 8,
           "conv_kernel": 4, "vocab_size": 131072, "n_routed_experts": 128, "num_experts_per_tok": 6,
           "moe_intermediate_size": 1856, "moe_shared_expert_intermediate_size": 3712, "n_shared_experts": 1}
    shape = fit.shape_from_config_row("nemotron-3-like", hub_config.row_from_config(cfg), "hub", 31.6e9)
    assert (shape.moe_layers, shape.dense_layers, shape.attention_layers, shape.recurrent_layers) == (23, 0, 6, 23)
    assert (shape.n_experts, shape.experts_per_token, shape.n_shared_experts, shape.moe_ffn) == (128, 6, 2, 1856)
    groups = fit._groups(shape)
    assert groups["experts"] == 23 * 128 * 2 * 2048 * 1856  # up and down (squared ReLU, no gate), 23 layers
    assert groups["shared_experts"] == 23 * 2 * 2 * 2048 * 1856
    assert fit.kv_cache_bytes(shape, 1000, allocated=False) == 6 * 2 * 128 * 2 * 2 * 1000
    # the same config with a LatentMoE (Nemotron 3 Super and Ultra's; the width, 512, is illustrative), read as
    # llama.cpp's converter reads it (moe_latent_size): routed experts 4x narrower, the shared one as it was, and
    # the two projections to the latent width and back in each MoE layer
    latent = fit.shape_from_config_row("nemotron-3-latent", hub_config.row_from_config(
        dict(cfg, moe_latent_size=512)), "hub", 31.6e9)
    lg = fit._groups(latent)
    assert latent.moe_latent == 512 and lg["experts"] == groups["experts"] / 4
    assert lg["shared_experts"] == groups["shared_experts"]
    assert lg["layers_rest"] - groups["layers_rest"] == 23 * 2 * 2048 * 512


def test_moe_decodes_faster_than_a_dense_model_of_its_size():
    hw = custom_hardware(100, "cpu")
    moe = fit.estimate("Qwen/Qwen3-30B-A3B", "Q4_K_M", 512, hardware=hw)
    dense = fit.estimate("Qwen/Qwen3-32B", "Q4_K_M", 512, hardware=hw)
    assert moe.file_size_gb > 0.8 * dense.file_size_gb
    assert moe.tokens_per_s > 4 * dense.tokens_per_s


def test_gpt_oss_experts_are_mxfp4_whatever_the_file_type():
    e8 = fit.estimate("openai/gpt-oss-120b", "Q8_0")
    e4 = fit.estimate("openai/gpt-oss-120b", "Q4_K_M")
    assert e8.breakdown_gb["experts"] == e4.breakdown_gb["experts"]  # 4.25 bits per weight either way


def test_model_that_fits_in_vram():
    # Mistral 7B Q4_K_M at 4,096 tokens needs ~5.4 GB on the GPU (no token embeddings there): fits in 12 GB
    e = fit.estimate("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 4096, hardware="RTX 3060 12GB")
    assert e.offload.fits and e.offload.gpu_layers == 32
    read = e.read_per_token_gb
    assert e.tokens_per_s == pytest.approx(1 / (read / (0.844 * 360) + 1.04e-3), rel=0.01)


def test_partial_offload_by_hand():
    # Llama 3.3 70B Q4_K_M (42.5 GB) on an RTX 3060 12GB: each of the 80 layers carries
    # (weights - embeddings - output + KV) / 80; as many as fit in 12 GB minus the buffers go to the GPU.
    e = fit.estimate("meta-llama/Llama-3.3-70B-Instruct", "Q4_K_M", 4096, hardware="RTX 3060 12GB")
    b = e.breakdown_gb
    per_layer = (e.file_size_gb - b["token_embd"] - b["output"] + e.kv_cache_gb) / 80
    ngl = int((12.0 - e.overhead_gb) // per_layer)
    assert e.offload.gpu_layers == ngl == 21 and not e.offload.fits
    # speed: the GPU part at 0.844 x 360 GB/s + 1.04 ms x 21/32 (the overhead of its 21 layers),
    # the CPU part (the rest + output) at 0.55 x 51.2 GB/s
    gpu = ngl * per_layer
    cpu = (80 - ngl) * per_layer + b["output"]
    expected = 1 / (gpu / (0.844 * 360) + 1.04e-3 * 21 / 32 + cpu / (0.55 * 51.2))
    assert e.tokens_per_s == pytest.approx(expected, rel=0.01)
    assert e.tokens_per_s < 1.5  # not the ~8 tokens/s of "the whole model in VRAM"
    assert "partial offload, 21 of 80 layers" in e.offload.text and "-ngl 21" in e.offload.text
    # a faster CPU RAM helps: --cpu-bandwidth
    assert fit.estimate("meta-llama/Llama-3.3-70B-Instruct", "Q4_K_M", 4096, hardware="RTX 3060 12GB",
                        cpu_bandwidth_gbs=100).tokens_per_s > e.tokens_per_s


def test_vram_override_and_unknown_vram():
    unknown = fit.estimate("mistralai/Mistral-7B-v0.1", "Q4_K_M", hardware="RTX 4070")  # no memory in the table
    assert unknown.offload is None and any("--vram" in n for n in unknown.notes)
    small = fit.estimate("mistralai/Mistral-7B-v0.1", "Q4_K_M", hardware="RTX 4070", vram_gb=4)
    assert not small.offload.fits and 0 < small.offload.gpu_layers < 32
    with pytest.raises(InvalidInput, match="VRAM must be a positive number"):
        fit.estimate("mistralai/Mistral-7B-v0.1", "Q4_K_M", hardware="RTX 4070", vram_gb=-1)


def test_n_cpu_moe_keeps_experts_in_cpu_ram():
    # Qwen3-30B-A3B Q4_K_M does not fit in 12 GB; with the experts of all 48 layers in CPU RAM the
    # rest (attention, norms, output, KV) fits, and a token reads 8/128 of each layer's experts from the CPU.
    hw = "RTX 3060 12GB"
    plain = fit.estimate("Qwen/Qwen3-30B-A3B", "Q4_K_M", 4096, hardware=hw)
    assert not plain.offload.fits
    all_cpu = fit.estimate("Qwen/Qwen3-30B-A3B", "Q4_K_M", 4096, hardware=hw, n_cpu_moe=48)
    assert all_cpu.offload.fits and all_cpu.offload.gpu_layers == 48
    experts = all_cpu.breakdown_gb["experts"]
    assert all_cpu.offload.cpu_read_gb == pytest.approx(experts * 8 / 128, abs=0.002)
    assert all_cpu.offload.gpu_gb == pytest.approx(plain.offload.gpu_gb * 0 + all_cpu.ram_needed_gb
                                                   - all_cpu.breakdown_gb["token_embd"] - experts, abs=0.01)
    some = fit.estimate("Qwen/Qwen3-30B-A3B", "Q4_K_M", 4096, hardware=hw, n_cpu_moe=30)
    assert some.offload.fits and some.tokens_per_s > all_cpu.tokens_per_s  # fewer experts read from slow RAM
    with pytest.raises(InvalidInput, match="not a mixture-of-experts"):
        fit.estimate("mistralai/Mistral-7B-v0.1", "Q4_K_M", hardware=hw, n_cpu_moe=4)


def test_unified_memory_too_small_says_so():
    hw = find_hardware("Apple M2 Pro (16-core GPU)")
    e = fit.estimate("meta-llama/Llama-3.3-70B-Instruct", "Q4_K_M", 4096, hardware=hw, vram_gb=32)
    assert not e.offload.fits and "macOS lets the GPU use" in e.offload.text
    assert e.offload.memory_gb == pytest.approx(32 * 0.75)


def test_largest_context_that_fits_by_hand():
    # Mistral 7B v0.3 Q4_K_M in 8 GB: (8 GB - weights - overhead) / 131,072 bytes per token, rounded down to 256
    base = fit.estimate("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 256)
    per_token = 2 * 32 * 8 * 128 * 2
    free = 8.0 * GB - (base.file_size_gb + base.overhead_gb) * GB
    r = fit.max_context("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 8.0)
    assert r.memory_context == pytest.approx(free / per_token // 256 * 256, abs=256)
    assert r.max_context == r.memory_context  # under the model's 32,768
    assert "Largest context that fits" in r.to_text()
    q8 = fit.max_context("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 8.0, kv_cache_type="q8_0")
    assert q8.memory_context > 1.8 * r.memory_context
    capped = fit.max_context("Qwen/Qwen3-0.6B", "Q8_0", 64.0)
    assert capped.max_context == 40960 < capped.memory_context and "own limit" in capped.to_text()
    none = fit.max_context("meta-llama/Llama-3.3-70B-Instruct", "Q4_K_M", 16.0)
    assert none.max_context == 0 and "does not fit" in none.to_text()


def test_context_plot():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    ax = fit.plot_context(fit.max_context("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 8.0))
    assert len(ax.lines) == 3 and "context" in ax.get_xlabel()


def test_predict_here_uses_the_measured_cpu_constants():
    e = fit.predict_here(model="HuggingFaceTB/SmolLM2-135M-Instruct", quant="Q4_0", context=512, bandwidth_gbs=20)
    from course_utils.hardware import CLASSES

    eff = CLASSES["cpu_measured"].efficiency
    assert e.efficiency == eff and e.hardware == "this machine's CPU (measured)"
    assert e.tokens_per_s == pytest.approx(eff * 20 / e.read_per_token_gb, rel=0.01)


def test_moe_known_only_by_its_catalog_sizes_reads_its_active_share():
    # 100 B parameters, 10 B active, no expert layout: memory holds all of it, a token reads a tenth
    shape = fit.ModelShape("some-moe", 100e9, source="catalog", active_params=10e9)
    hw = custom_hardware(200, "cpu")
    e = fit.estimate(shape=shape, quant="Q4_K_M", context=4096, hardware=hw)
    weights = 100e9 * fit.measured_bpw()["Q4_K_M"] / 8
    assert e.file_size_gb == pytest.approx(weights / GB, abs=0.001)
    assert e.read_per_token_gb == pytest.approx((weights / 10) / GB + e.kv_cache_gb, abs=0.002)
    assert e.active_params_b == 10
    assert fit.macs_per_token(shape) == 10e9
    assert any("10.0 B" in n and "100.0 B" in n for n in e.notes)
    dense = fit.estimate(shape=fit.ModelShape("dense", 100e9), quant="Q4_K_M", context=4096, hardware=hw)
    assert dense.read_per_token_gb == pytest.approx(weights / GB + dense.kv_cache_gb, abs=0.002)
    with pytest.raises(InvalidInput, match="which layers hold the experts"):
        fit.estimate(shape=shape, quant="Q4_K_M", n_cpu_moe=2)


def test_catalog_moe_without_a_config_row_takes_the_catalog_active_count(monkeypatch):
    # every mixture of experts in the catalog has a config row now: take Maverick's away
    from course_utils import data

    repo = "meta-llama/Llama-4-Maverick-17B-128E-Instruct"
    index = data.index
    arch = {k: v for k, v in index("model_architectures").items() if k != repo}
    monkeypatch.setattr(data, "index", lambda name: arch if name == "model_architectures" else index(name))
    shape = fit.shape_for(repo, online=False)
    assert shape.active_params == pytest.approx(index("models")[repo]["active_params_billion"] * 1e9)
    assert not fit.shape_for("mistralai/Mistral-7B-v0.1", online=False).active_params


def test_gguf_sliding_windows_follow_llama_cpp_s_loader():
    # src/models/<arch>.cpp: Gemma 2 sets a 4,096 window unless the file states one, Gemma 3, gpt-oss,
    # cohere2 and olmo2 read the file's, Llama 4 always chunks by 8,192 unless the file says 0; other architectures
    # attend globally. A period the file states replaces the loader's (1 = every layer global); 0 and
    # per-layer lists are not read. (tests/test_engine.py checks these against the KV cache llama.cpp
    # allocates.)
    assert fit._gguf_window("gemma2", None) == (4096, 2) and fit._gguf_window("gemma2", 2048) == (2048, 2)
    assert fit._gguf_window("gemma3", 512) == (512, 6) and fit._gguf_window("gemma3", None) == (None, None)
    assert fit._gguf_window("llama4", None) == (8192, 4) and fit._gguf_window("llama4", 0) == (None, None)
    assert fit._gguf_window("gpt-oss", 128) == (128, 2) and fit._gguf_window("cohere2", 4096) == (4096, 4)
    assert fit._gguf_window("olmo2", 4096) == (4096, 4) and fit._gguf_window("olmo2", None) == (None, None)
    assert fit._gguf_window("llama", 4096) == (None, None) and fit._gguf_window("llama", 4096, 2) == (None, None)
    assert fit._gguf_window("gemma3", 512, 3) == (512, 3) and fit._gguf_window("cohere2", 4096, 1) == (None, None)
    assert fit._gguf_window("gemma3", 512, 0) == (512, 6) and fit._gguf_window("gemma3", 512, True) == (512, 6)


def test_kv_cells_are_rounded_up_as_llama_cpp_allocates_them():
    # 4 layers, every 2nd global, a window of 128: the window layers keep 128 + 512 tokens, allocated as 768;
    # the context is allocated in multiples of 256 too (1,000 -> 1,024)
    shape = fit.ModelShape("w", 1e8, n_layers=4, hidden=256, ffn=512, n_heads=4, n_kv_heads=1, head_dim=64,
                           sliding_window=128, sliding_window_pattern=2)
    assert fit.kv_cells(shape, 4096) == 2 * 4096 + 2 * 640 and fit.kv_cells(shape, 4096, allocated=True) == 2 * 4096 + 2 * 768
    assert fit.kv_cells(shape, 1000, allocated=True) == 2 * 1024 + 2 * 768
    assert fit.kv_cells(shape, 300, allocated=True) == 4 * 512  # never more than the context
    assert fit.kv_cache_bytes(shape, 1000) == (2 * 1024 + 2 * 768) * 2 * 64 * 2
    # a decode step reads the 1,000 tokens' K and V, not the padding
    assert fit.kv_cache_bytes(shape, 1000, allocated=False) == (2 * 1000 + 2 * 640) * 2 * 64 * 2
    # so in an estimate: 1,000 and 1,024 tokens allocate the same cache, a token at 1,000 reads 24 tokens' less
    llama = fit.ModelShape("l", 7e9, n_layers=32, hidden=4096, ffn=14336, n_heads=32, n_kv_heads=8, head_dim=128)
    e1000, e1024 = (fit.estimate(shape=llama, quant="Q4_0", context=n) for n in (1000, 1024))
    assert e1000.kv_cache_gb == e1024.kv_cache_gb == round(1024 * 32 * 2 * 8 * 128 * 2 / fit.GB, 3)
    assert e1024.read_per_token_gb - e1000.read_per_token_gb == pytest.approx(24 * 32 * 2 * 8 * 128 * 2 / fit.GB, abs=0.0011)
