"""The CPU speed model's compute ceiling, on hand-computed cases (no engine needed).

The compute rate itself is measured by llama.cpp on the probe model (tests/test_engine.py);
here it is given, and the estimator's arithmetic is checked.
"""
import dataclasses
import importlib.util

import pytest

from course_utils import fit, i18n, quant_mix
from course_utils.errors import InvalidInput
from course_utils.hardware import custom_hardware, this_machine
from course_utils.i18n import number
from langs import both, one_language  # noqa: F401 - the lang fixture

SMOL = "HuggingFaceTB/SmolLM2-135M-Instruct"


def test_macs_per_token_of_smollm2_by_hand():
    shape = fit.resolve_shape(SMOL, None, None)
    # per layer: q 576x576, k and v 576x192 each, o 576x576, gate/up/down 3 x 576x1536
    layer = 576 * 576 * 2 + 2 * 576 * 192 + 3 * 576 * 1536
    output = 49152 * 576  # tied: the embedding matrix is the output matrix
    assert fit.macs_per_token(shape, 1) == 30 * layer + output + 2 * 9 * 64 * 30 * 1
    # attention grows with the cached tokens: q.k and the sum of v, per head, layer and token
    assert fit.macs_per_token(shape, 101) - fit.macs_per_token(shape, 1) == 2 * 9 * 64 * 30 * 100


def test_macs_per_token_of_a_moe_counts_the_active_experts_only():
    shape = fit.resolve_shape("mistralai/Mixtral-8x7B-Instruct-v0.1", None, None)
    e = fit.estimate("mistralai/Mixtral-8x7B-Instruct-v0.1", "Q4_K_M", 1)
    # active parameters less the input embedding (a row lookup), plus 2 x 32 heads x 128 x 32 layers
    assert fit.macs_per_token(shape, 1) == pytest.approx(e.active_params_b * 1e9 - 32000 * 4096 + 2 * 32 * 128 * 32,
                                                         rel=1e-3)


def test_rows_per_token_by_hand():
    # SmolLM2: per layer q 576 + k, v 192 each + o 576 rows, gate and up 1536 each + down 576; the output's 49,152
    assert fit.rows_per_token(fit.resolve_shape(SMOL, None, None)) == 30 * (576 + 2 * 192 + 576 + 2 * 1536 + 576) + 49152
    # Mixtral: q 4096 + k, v 1024 each + o 4096; the router's 8 rows and 2 experts x (2 x 14336 + 4096); vocab 32000
    mixtral = fit.resolve_shape("mistralai/Mixtral-8x7B-Instruct-v0.1", None, None)
    assert fit.rows_per_token(mixtral) == 32 * (4096 + 2 * 1024 + 4096 + 8 + 2 * (2 * 14336 + 4096)) + 32000
    assert fit.rows_per_token(fit.shape_from_params(7.0)) == 0  # unknown shape: no rows counted
    # DeepSeek-V2-Lite's 2 shared experts are one matrix each in llama.cpp (ffn_gate_shexp: 2048 x 2 * 1408):
    # gate and up 2 x 2,816 rows, down 2,048 rows, in each of its 26 MoE layers (the first is dense)
    lite = fit.resolve_shape("deepseek-ai/DeepSeek-V2-Lite", None, None)
    assert (lite.n_shared_experts, lite.moe_ffn, lite.hidden, lite.moe_layers) == (2, 1408, 2048, 26)
    no_shared = dataclasses.replace(lite, n_shared_experts=0)
    assert fit.rows_per_token(lite) - fit.rows_per_token(no_shared) == 26 * (2 * 2 * 1408 + 2048)
    # and their down matrix's rows are 2,816 wide, whole Q4_K blocks (the routed experts' 1,408 fall back to Q5_0)
    down = {m.group: m.cols for m in quant_mix.matrix_sets(lite) if m.role == "ffn_down" and m.layer == 20}
    assert down == {"experts": 1408, "shared_experts": 2816}
    types = {m.group: t for m, t in quant_mix.matrix_types(lite, "Q4_K_S") if m.role == "ffn_down" and m.layer == 20}
    assert types == {"experts": "Q5_0", "shared_experts": "Q4_K"}
    # the whole count: its latent attention as its own projections (16 heads; no q compression in the Lite):
    # q 16 x (128 + 64) rows, kv_a 512 + 64, kv_b 16 x (128 + 128), o 2048 in each of the 27 layers; the dense
    # first layer 2 x 10944 + 2048; each MoE layer's router 64, 6 experts x (2 x 1408 + 2048) and the shared
    # 2 x 2816 + 2048; the output's 102,400 (the token embedding is a lookup)
    assert (lite.n_heads, lite.q_lora_rank, lite.kv_lora_rank, lite.ffn, lite.vocab) == (16, None, 512, 10944, 102400)
    mla = 16 * 192 + 576 + 16 * 256 + 2048
    moe = 64 + 6 * (2 * 1408 + 2048) + 2 * 2816 + 2048
    assert fit.rows_per_token(lite) == 27 * mla + (2 * 10944 + 2048) + 26 * moe + 102400


def test_two_probes_give_a_rate_and_a_cost_per_row():
    from course_utils.compute_probe import solve_rate

    # at 0.1 ns per MAC (10 G MACs/s) and 20 ns per row: wide, 100 M MACs and 50 k rows, 10 + 1 ms;
    # narrow, 20 M MACs and 80 k rows, 2 + 1.6 ms; the two times give both costs back
    wide = (100e6, 50e3, 100e6 * 0.1e-9 + 50e3 * 20e-9)
    narrow = (20e6, 80e3, 20e6 * 0.1e-9 + 80e3 * 20e-9)
    per_mac, per_row = solve_rate(wide, narrow)
    assert per_mac == pytest.approx(0.1e-9) and per_row == pytest.approx(20e-9)
    # noise that would make a row cost negative: the rows are free and the wide probe gives the rate
    assert solve_rate(wide, (20e6, 80e3, 1e-3)) == (pytest.approx(wide[2] / 100e6), 0.0)
    # the estimate adds each row's cost: SmolLM2 on 10 G MACs/s and 20 ns per row, memory out of the way
    hw = this_machine(threads=2, bandwidth_gbs=1000, compute_gmacs=10, compute_row_ns=20)
    e = fit.estimate(SMOL, "Q4_0", 64, hardware=hw)
    shape = fit.resolve_shape(SMOL, None, None)
    seconds = fit.macs_per_token(shape, 64) / 10e9 + fit.rows_per_token(shape) * 20e-9
    assert e.tokens_per_s == pytest.approx(1 / seconds, rel=0.01) and e.compute_bound
    assert e.rows_per_token == fit.rows_per_token(shape) and e.compute_row_ns == 20
    assert "20.0 ns for each of its 204,672 matrix rows" in e.to_text()


def test_the_slower_of_reading_and_computing_sets_the_time():
    hw = custom_hardware(20, "cpu", measured=True, compute_gmacs=10, threads=2)
    eff = hw.klass.efficiency
    reading = 0.1e9 / (eff * 20e9)
    assert fit.seconds_per_token(0.1e9, hw, macs=0.2e9) == pytest.approx(0.2e9 / 10e9)  # computing: 20 ms
    assert fit.seconds_per_token(0.1e9, hw, macs=1e6) == pytest.approx(reading)  # reading is slower
    assert fit.compute_bound(0.1e9, hw, 0.2e9) and not fit.compute_bound(0.1e9, hw, 1e6)
    no_rate = custom_hardware(20, "cpu", measured=True)
    assert fit.seconds_per_token(0.1e9, no_rate, macs=0.2e9) == pytest.approx(reading)  # not measured: memory


@both
def test_estimate_says_computing_sets_the_pace(lang):
    hw = this_machine(threads=2, bandwidth_gbs=20, compute_gmacs=10)
    e = fit.estimate(SMOL, "Q4_0", 64, hardware=hw)
    assert e.compute_bound and e.compute_gmacs == 10 and e.macs_per_token == fit.macs_per_token(
        fit.resolve_shape(SMOL, None, None), 64)
    assert e.tokens_per_s == pytest.approx(round(10e9 / e.macs_per_token, 1))
    text = e.to_text()
    word = {"en": "computing sets the pace", "fr": "c'est le calcul qui limite"}[lang]
    assert word in text and ("10 billion" if lang == "en" else "10 milliards") in text
    assert e.to_dict()["compute_gmacs"] == 10
    memory_only = fit.estimate(SMOL, "Q4_0", 64, hardware=this_machine(threads=2, bandwidth_gbs=20))
    assert not memory_only.compute_bound and memory_only.tokens_per_s > e.tokens_per_s
    # the speed reading alone would allow is the memory-only estimate, and the text quotes it
    assert e.reading_tokens_per_s == memory_only.tokens_per_s and memory_only.reading_tokens_per_s is None
    assert number(e.reading_tokens_per_s, ".1f") in text


@pytest.mark.parametrize("bad", [0, -1, True, "fast", float("nan")])
def test_a_bad_compute_rate_is_refused(bad):
    with pytest.raises(InvalidInput, match="compute rate"):
        custom_hardware(20, "cpu", compute_gmacs=bad)


@pytest.mark.parametrize("bad", [-1, True, "slow", float("nan")])
def test_a_bad_row_cost_is_refused(bad):
    with pytest.raises(InvalidInput, match="cost per matrix row"):
        custom_hardware(20, "cpu", compute_gmacs=10, compute_row_ns=bad)


def test_attention_over_the_cache_costs_its_own_measured_time():
    """On a CPU attention's multiply-adds (f16 q.k and sum of v over the cache) run at a rate of their own
    (compute_probe: the narrow probe after 512 and 1,536 cached tokens); the weights' keep theirs. SmolLM2 at
    10 G MACs/s, 0.5 ns per attention MAC (5 weights' MACs), memory out of the way, by hand."""
    shape = fit.resolve_shape(SMOL, None, None)
    assert fit.attention_macs(shape, 2000) == 2 * 9 * 64 * 30 * 2000  # 9 heads of 64, 30 layers, 2,000 cells
    assert fit.macs_per_token(shape, 2000) - fit.attention_macs(shape, 2000) == fit.macs_per_token(shape, 0)
    hw = this_machine(threads=2, bandwidth_gbs=1000, compute_gmacs=10, compute_attn_ns=0.5)
    assert hw.attn_mac_cost == pytest.approx(5.0)
    for context in (1, 2000):
        weights, attn = fit.macs_per_token(shape, 0), fit.attention_macs(shape, context)
        e = fit.estimate(SMOL, "Q4_0", context, hardware=hw)
        assert e.tokens_per_s == pytest.approx(10e9 / (weights + 5 * attn), rel=0.01)
    # not measured: attention's MACs cost as much as the weights' (as before)
    plain = fit.estimate(SMOL, "Q4_0", 2000, hardware=this_machine(threads=2, bandwidth_gbs=1000, compute_gmacs=10))
    assert plain.tokens_per_s == pytest.approx(10e9 / fit.macs_per_token(shape, 2000), rel=0.01)


@pytest.mark.parametrize("bad", [-1, True, "slow", float("nan")])
def test_a_bad_attention_cost_is_refused(bad):
    with pytest.raises(InvalidInput, match="cost per attention multiply-add"):
        custom_hardware(20, "cpu", compute_gmacs=10, compute_attn_ns=bad)


def test_older_nvidia_gpus_are_flagged_as_an_upper_bound():
    old = fit.estimate("meta-llama/Llama-2-7b-hf", "Q4_0", 512, hardware="Tesla P40")
    assert any("before 2020" in n and "upper bound" in n for n in old.notes)
    # the note's figures are the estimate's errors on the published pre-Ampere rows (never used to fit;
    # bench/fit_accuracy.py prints them): lowest on Turing, highest on Kepler, in both languages
    from course_utils import data, i18n
    from course_utils.hardware import OLDER_NVIDIA

    errors = {r["hardware"]: fit.estimate("meta-llama/Llama-2-7b-hf", r["quant"], 64, hardware=r["hardware"]).tokens_per_s
              / r["tg128_tps"] - 1 for r in data.load("llamacpp_speed_calibration")
              if r["backend"] == "cuda" and OLDER_NVIDIA.search(r["hardware"])}
    lowest, highest = min(errors, key=errors.get), max(errors, key=errors.get)
    assert "Quadro RTX" in lowest and "K80" in highest
    for lang in ("en", "fr"):
        text = i18n.catalog(lang)["fit.note.older_gpu"]
        assert f"{errors[lowest]:.0%}".replace("%", " %") in text and f"{errors[highest]:.0%}".replace("%", " %") in text
    new = fit.estimate("meta-llama/Llama-2-7b-hf", "Q4_0", 512, hardware="RTX 4080")
    assert not any("before 2020" in n for n in new.notes)
    assert new.bandwidth_gbs == 716.8 and new.tokens_per_s > old.tokens_per_s


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_the_probe_writer_makes_a_gguf_of_the_asked_shape(tmp_path, smol):
    """The random-weight GGUF the compute probe times (the engine test runs it on llama.cpp)."""
    from course_utils.gguf_writer import make_gguf

    path = make_gguf(tmp_path / "probe.gguf", layers=2, embd=256, ff=512, tokenizer_from=smol)
    shape = fit.shape_from_gguf(str(path))
    assert (shape.n_layers, shape.hidden, shape.ffn, shape.n_heads, shape.n_kv_heads, shape.vocab) == \
        (2, 256, 512, 4, 1, 49152)
    assert [p.name for p in tmp_path.iterdir()] == ["probe.gguf"]  # no .part file left
    # weights: 2 layers of Q4_1 matrices (20 bytes per 32 weights) and the tied Q8_0 embedding (34 per 32)
    layer = 256 * 256 * 2 + 2 * 256 * 64 + 3 * 256 * 512
    assert shape.exact_weight_bytes == pytest.approx(2 * layer * 20 / 32 + 49152 * 256 * 34 / 32 + 5 * 256 * 4,
                                                     rel=0.001)


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_the_gpt_oss_and_cohere2_layouts_are_read_back(tmp_path, smol):
    """The probe writer's gpt-oss and cohere2 layouts (the engine test runs them on llama.cpp): experts,
    windows and the output matrix as their headers say; a layout asked without what it needs is refused
    before any file is written."""
    from course_utils.gguf_writer import make_gguf

    oss = fit.shape_from_gguf(str(make_gguf(tmp_path / "oss.gguf", layers=2, embd=256, ff=256, experts=4, experts_used=2,
                                            sliding_window=128, arch="gpt-oss", tokenizer_from=smol)))
    assert (oss.n_experts, oss.experts_per_token, oss.moe_ffn, oss.sliding_window, oss.sliding_window_pattern,
            oss.tied_embeddings) == (4, 2, 256, 128, 2, False)
    co = fit.shape_from_gguf(str(make_gguf(tmp_path / "co.gguf", layers=2, embd=256, ff=512, sliding_window=512,
                                           arch="cohere2", swa_pattern=3, tokenizer_from=smol)))
    assert (co.moe, co.sliding_window, co.sliding_window_pattern, co.tied_embeddings, co.gated_ffn) == \
        (False, 512, 3, True, True)
    for bad in (dict(arch="gemma2", sliding_window=8), dict(arch="cohere2"), dict(arch="gpt-oss", sliding_window=8),
                dict(arch="cohere2", sliding_window=8, experts=2, experts_used=1)):
        with pytest.raises(ValueError):
            make_gguf(tmp_path / "bad.gguf", layers=1, embd=256, ff=256, tokenizer_from=smol, **bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["co.gguf", "oss.gguf"]


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_a_gemma4_gguf_s_kv_cache_is_read_layer_by_layer(tmp_path, smol):
    """Gemma 4 states its layers one by one: which attend in the window, their KV heads, two head dims,
    and how many last layers reuse earlier caches (the engine test checks llama.cpp allocates the same)."""
    from course_utils.gguf_writer import make_gemma4_gguf
    from course_utils.gguf_header import read_header

    path = make_gemma4_gguf(tmp_path / "g4.gguf", swa_layers=(True, True, True, False, True, False),
                            layer_kv_heads=(2, 2, 2, 1, 2, 1), shared_kv_layers=2, head_dim=128, head_dim_swa=64,
                            sliding_window=256, tokenizer_from=smol)
    assert read_header(path).arrays["gemma4.attention.head_count_kv"] == (2, 2, 2, 1, 2, 1)
    shape = fit.shape_from_gguf(str(path))
    # K + V per token: window layers 2 heads x (64 + 64), the global one 1 x (128 + 128); layers 4 and 5 reuse
    assert shape.kv_layer_elems == (256, 256, 256, 256, 0, 0) and shape.sliding_window == 256
    # 3 window layers keep 256 + 512 = 768 cells, the global one the context; F16: 2 bytes
    assert fit.kv_cache_bytes(shape, 4096) == (3 * 768 + 4096) * 256 * 2
    assert fit.kv_cache_bytes(shape, 1000, allocated=False) == (3 * 768 + 1000) * 256 * 2
    assert fit.kv_cache_bytes(shape, 1000) == (3 * 768 + 1024) * 256 * 2  # allocated: 1,024 cells
    notes = fit.estimate(shape=shape, quant="Q8_0", context=4096).notes
    assert any("3 of 6 layers cache only 256" in n for n in notes) and any("2 of 6 layers reuse" in n for n in notes)
    # per-layer embeddings (E2B/E4B): a vocabulary-sized table a token looks up one row of per layer is held,
    # not read (bench/cpu_overhead.py: a file 3 x larger decoded at 0.86-0.92 x the speed without)
    ple = fit.shape_from_gguf(str(make_gemma4_gguf(tmp_path / "ple.gguf", swa_layers=(True, False) * 2,
                                                   layer_kv_heads=(1,) * 4, per_layer_embd=64, tokenizer_from=smol)))
    plain = fit.shape_from_gguf(str(make_gemma4_gguf(tmp_path / "plain.gguf", swa_layers=(True, False) * 2,
                                                     layer_kv_heads=(1,) * 4, tokenizer_from=smol)))
    q8 = 34 / 32
    assert ple.exact_lookup_bytes == 49152 * 64 * 4 * q8 and plain.exact_lookup_bytes == 0
    e_ple, e_plain = (fit.estimate(shape=x, quant="Q8_0", context=16) for x in (ple, plain))
    assert e_ple.file_size_gb - e_plain.file_size_gb == pytest.approx(ple.exact_lookup_bytes / 1e9, abs=0.002)
    # a token reads the projections into and out of the layers' 64-wide inputs, not the table
    projections = (256 * 64 * 4 + 4 * 2 * 256 * 64) * q8
    assert e_ple.read_per_token_gb - e_plain.read_per_token_gb == pytest.approx(projections / 1e9, abs=0.0011)
    with pytest.raises(ValueError):  # llama.cpp would stop at an assertion: the owners must end window, global
        make_gemma4_gguf(tmp_path / "bad.gguf", swa_layers=(True, True, False, True, True, False),
                         layer_kv_heads=(1,) * 6, shared_kv_layers=2, tokenizer_from=smol)
    assert not (tmp_path / "bad.gguf").exists()


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_a_hybrid_s_convolution_layers_have_no_kv_cache(tmp_path, smol):
    """LFM2 states one KV head count per layer, 0 for its convolution layers (llama.cpp: is_recr)."""
    from course_utils.gguf_writer import make_lfm2_gguf

    shape = fit.shape_from_gguf(str(make_lfm2_gguf(tmp_path / "lfm2.gguf", layer_kv_heads=(0, 0, 2, 0, 0, 1),
                                                   tokenizer_from=smol)))
    # 2 + 1 KV heads of 64 (256 / 4 heads), K and V, F16, over 4,096 tokens; the four convolution layers none
    assert shape.kv_layer_elems == (0, 0, 256, 0, 0, 128) and shape.swa_layers is None
    assert fit.kv_cache_bytes(shape, 4096) == (256 + 128) * 4096 * 2
    notes = fit.estimate(shape=shape, quant="Q8_0", context=4096).notes
    assert any("4 of 6 layers keep no KV cache" in n for n in notes) and not any("reuse" in n for n in notes)
    windowed = fit.shape_from_gguf(str(make_lfm2_gguf(tmp_path / "w.gguf", layer_kv_heads=(0, 2), sliding_window=128,
                                                      tokenizer_from=smol)))
    assert windowed.swa_layers == (False, True) and fit.kv_cache_bytes(windowed, 4096) == 256 * 768 * 2
    # each convolution layer keeps its last l_cache - 1 = 2 inputs of width 256 (f32): llama.cpp's n_embd_r
    assert (shape.recurrent_layers, shape.recurrent_state_elems) == (4, 4 * 256 * 2)


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_a_deltanet_hybrid_keeps_kv_only_in_its_attention_layers_and_a_fixed_state_in_the_others(tmp_path, smol,
                                                                                                lang):
    """Qwen3.5 (and Qwen3-Next): every full_attention_interval-th layer attends (default 4), the others are
    gated DeltaNet layers with a state of (conv_kernel - 1) x (inner + 2 x groups x state) + state x inner
    f32 elements (llama.cpp's n_embd_r + n_embd_s), whatever the context. The engine test checks both
    against llama.cpp's allocation; here, the figures by hand and what the estimate does with them."""
    from course_utils.gguf_writer import make_qwen35_gguf

    shape = fit.shape_from_gguf(str(make_qwen35_gguf(tmp_path / "q35.gguf", layers=8, embd=256, heads=4, kv_heads=2,
                                                     head_dim=64, state_size=32, k_heads=2, v_heads=4,
                                                     tokenizer_from=smol)))
    assert shape.kv_layer_elems == (0, 0, 0, 256) * 2  # 2 KV heads x (64 + 64), layers 3 and 7 only
    assert fit.kv_cache_bytes(shape, 4096) == 2 * 256 * 4096 * 2  # a quarter of what all 8 layers would hold
    per_layer = 3 * (128 + 2 * 2 * 32) + 32 * 128  # R: conv 4 taps, inner 4 x 32; S: 32 x 128
    assert (shape.recurrent_layers, shape.recurrent_state_elems) == (6, 6 * per_layer)
    small, large = (fit.estimate(shape=shape, quant="Q8_0", context=c) for c in (4096, 8192))
    assert small.recurrent_state_gb == large.recurrent_state_gb == pytest.approx(6 * per_layer * 4 / 1e9, abs=1e-4)
    state = 6 * per_layer * 4
    assert small.ram_needed_gb == pytest.approx(small.file_size_gb + small.kv_cache_gb + small.overhead_gb
                                                + state / 1e9, abs=0.002)
    # a token moves the state 6 times (gathered, updated, copied back) in steps after the matrix work: their
    # reading time adds to the slower of reading and computing, here computing (0.2 G MACs/s at 1 GB/s); a
    # state of 16 value heads of 64 x 64 makes that time a large share
    big = fit.shape_from_gguf(str(make_qwen35_gguf(tmp_path / "big.gguf", layers=8, embd=256, heads=4, kv_heads=2,
                                                   head_dim=64, state_size=64, k_heads=2, v_heads=16,
                                                   tokenizer_from=smol)))
    hw = dataclasses.replace(custom_hardware(1.0, "cpu"), compute_gmacs=0.2)
    fixed = dict(shape=big, quant="Q8_0", context=4096, hardware=hw)
    with_state = fit.estimate(**fixed)
    bare = dataclasses.replace(big, recurrent_state_elems=0, recurrent_moved_elems=0)
    without = fit.estimate(**dict(fixed, shape=bare))
    assert with_state.compute_bound and without.compute_bound
    moved = 6 * 4 * big.recurrent_state_elems  # the gated DeltaNet's state is gathered first: 6 passes, R and S
    assert fit.recurrent_moved_bytes(big) == moved
    assert with_state.read_per_token_gb - without.read_per_token_gb == pytest.approx(moved / 1e9, abs=1e-3)
    extra = moved / (hw.klass.efficiency * 1.0 * 1e9)  # about 17 ms beside about 106 ms of computing
    assert 1 / with_state.tokens_per_s - 1 / without.tokens_per_s == pytest.approx(extra, rel=0.02)
    assert any("6 of 8 layers keep no KV cache but a fixed recurrent state" in n for n in small.notes)
    assert "recurrent state" in small.to_text()
    i18n.set_language("fr")  # the lang fixture sets it back
    fr = fit.estimate(**fixed)
    assert any("6 couches sur 8 n'ont pas de cache KV mais un état récurrent fixe" in n for n in fr.notes)
    every2 = fit.shape_from_gguf(str(make_qwen35_gguf(tmp_path / "q35-2.gguf", full_attention_interval=2,
                                                      tokenizer_from=smol)))
    assert every2.kv_layer_elems == (0, 128 * 2) * 4 and every2.recurrent_layers == 4


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_a_granite_hybrid_gguf_s_mamba2_layers_keep_a_state_and_no_kv_cache(tmp_path, smol):
    """Granite 4.0 (granitehybrid): a layer with 0 KV heads is a Mamba-2 layer of inner width 2 x hidden; its
    state and its weights by hand (the engine test checks the state against llama.cpp's allocation)."""
    from course_utils.gguf_writer import make_granite_hybrid_gguf

    path = make_granite_hybrid_gguf(tmp_path / "g.gguf", layer_kv_heads=(0, 0, 0, 2), embd=256, state_size=32,
                                    ssm_heads=8, tokenizer_from=smol)
    shape = fit.shape_from_gguf(str(path))
    assert shape.kv_layer_elems == (0, 0, 0, 2 * (64 + 64))
    # R: 3 x (512 + 2 x 32), S: 32 x 512; in_proj 256 x (2 x 512 + 2 x 32 + 8), conv 576 x 4, out_proj 512 x 256
    assert (shape.recurrent_layers, shape.recurrent_state_elems) == (3, 3 * (3 * 576 + 32 * 512))
    # a token gathers, updates and copies back R (6 passes); ssm_scan reads S from the cache itself (4 passes)
    assert shape.recurrent_moved_elems == 3 * (6 * 3 * 576 + 4 * 32 * 512)
    assert shape.mixer_params == 256 * 1096 + 576 * 4 + 512 * 256
    notes = fit.estimate(shape=shape, quant="Q8_0", context=4096).notes
    assert any("3 of 4 layers keep no KV cache but a fixed recurrent state" in n for n in notes)


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_a_gemma3n_gguf_caches_in_its_first_20_layers_and_mostly_in_the_window(tmp_path, smol):
    """Gemma 3n (gemma3n): llama.cpp's loader gives the first 20 layers a cache (the others reuse it) and puts 4
    of every 5 in the window; its per-layer embeddings are looked up, not read (the engine test checks the
    cache against llama.cpp's allocation)."""
    from course_utils.gguf_writer import make_gemma3n_gguf

    shape = fit.shape_from_gguf(str(make_gemma3n_gguf(tmp_path / "g.gguf", tokenizer_from=smol)))
    # 4 global layers x 4,096 cells + 16 window layers x (256 + 512) cells, 1 KV head x (64 + 64), F16
    assert fit.kv_cache_bytes(shape, 4096) == (4 * 4096 + 16 * 768) * 128 * 2
    assert shape.exact_lookup_bytes == pytest.approx(shape.vocab * 256 * 22 * 34 / 32)  # Q8_0, not read per token
    notes = fit.estimate(shape=shape, quant="Q8_0", context=4096).notes
    assert any("2 of 22 layers reuse an earlier layer's KV cache" in n for n in notes)
    assert any("16 of 22 layers cache only 256" in n for n in notes)


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_a_nemotron_h_gguf_s_layers_each_do_one_thing(tmp_path, smol):
    """Nemotron-H (nemotron_h): per-layer KV head and feed-forward counts say which layers attend ("*"), which
    are feed-forwards alone ("-") and which are Mamba-2 ("M": neither). Each kind's weights are counted once,
    where it is: the estimated groups add up to the file's own tensors."""
    from course_utils.gguf_header import read_header
    from course_utils.gguf_writer import make_nemotron_h_gguf

    path = make_nemotron_h_gguf(tmp_path / "n.gguf", pattern="M-M*M-M*", embd=256, ff=512, heads=4, kv_heads=2,
                                head_dim=64, state_size=32, ssm_heads=8, ssm_head_dim=64, groups=2, tokenizer_from=smol)
    shape = fit.shape_from_gguf(str(path))
    assert shape.kv_layer_elems == (0, 0, 0, 256) * 2 and (shape.attention_layers, shape.ffn_layers) == (2, 2)
    # 4 Mamba-2 layers of inner width 8 x 64: R = 3 x (512 + 2 x 2 x 32), S = 32 x 512
    assert (shape.recurrent_layers, shape.recurrent_state_elems) == (4, 4 * (3 * 640 + 32 * 512))
    matrices = sum(t.n_elements for t in read_header(path).tensors if len(t.shape) >= 2)
    assert sum(fit._groups(shape).values()) == pytest.approx(matrices, rel=0.002)
    # a token computes each layer's own matrices (2 attention layers, 2 feed-forwards, 4 mixers) and the output,
    # here the tied embedding: one multiply-add per weight of the file's matrices
    assert fit.macs_per_token(shape) == pytest.approx(matrices, rel=0.01)


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_nemotron_3_s_experts_are_only_in_its_e_layers(tmp_path, smol):
    """Nemotron 3 (nemotron_h_moe): the layers with a feed-forward are mixtures of experts ("E"), the others
    attend ("*") or are Mamba-2 ("M"), as in Nemotron-H. Before, a file of this architecture was read as 8
    attending layers with experts in each, and no recurrent state: experts 4x, attention 4x too many."""
    from course_utils.gguf_header import read_header
    from course_utils.gguf_writer import make_nemotron_h_gguf

    path = make_nemotron_h_gguf(tmp_path / "n3.gguf", pattern="MEM*MEM*", embd=256, heads=4, kv_heads=2,
                                head_dim=64, state_size=32, ssm_heads=8, ssm_head_dim=64, groups=2, experts=8,
                                experts_used=2, expert_ff=128, shared_ff=256, tokenizer_from=smol)
    shape = fit.shape_from_gguf(str(path))
    assert (shape.n_experts, shape.experts_per_token, shape.moe_ffn) == (8, 2, 128)
    assert shape.n_shared_experts == 2  # one shared feed-forward of 256 = two routed experts' widths
    assert (shape.moe_layers, shape.dense_layers, shape.attention_layers, shape.recurrent_layers) == (2, 0, 2, 4)
    assert [shape.is_moe_layer(i) for i in range(8)] == [c == "E" for c in "MEM*MEM*"]
    assert shape.recurrent_state_elems == 4 * (3 * (512 + 2 * 2 * 32) + 32 * 512)
    tensors = read_header(path).tensors
    matrices = sum(t.n_elements for t in tensors if len(t.shape) >= 2)
    assert sum(fit._groups(shape).values()) == pytest.approx(matrices, rel=0.001)
    # a token runs 2 of each layer's 8 experts (up and down, no gate: 2 x 128 x 256 weights each)
    experts = sum(t.n_elements for t in tensors if "_exps." in t.name)
    assert experts == 2 * 8 * 2 * 128 * 256
    assert fit.macs_per_token(shape) == pytest.approx(matrices - experts * 6 / 8, rel=0.01)


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_nemotron_3_super_s_latent_experts_work_in_their_own_width(tmp_path, smol):
    """Nemotron 3 Super and Ultra (nemotron_h_moe with moe_latent_size): the routed experts work in a latent
    width, between a projection down from the hidden width and one back up; the router and the shared expert
    stay on the hidden width (llama.cpp's src/models/nemotron-h.cpp). Before, their experts were counted at
    the hidden width: here 4x their weights, and every token's multiply-adds and rows with them."""
    from course_utils.gguf_header import read_header
    from course_utils.gguf_writer import make_nemotron_h_gguf

    path = make_nemotron_h_gguf(tmp_path / "n3s.gguf", pattern="MEM*MEM*", embd=512, state_size=64, ssm_heads=16,
                                experts=8, experts_used=2, expert_ff=128, shared_ff=256, latent=128, tokenizer_from=smol)
    shape = fit.shape_from_gguf(str(path))
    assert (shape.moe_latent, shape.moe_layers, shape.n_shared_experts) == (128, 2, 2)
    tensors = read_header(path).tensors
    matrices = sum(t.n_elements for t in tensors if len(t.shape) >= 2)
    assert sum(fit._groups(shape).values()) == pytest.approx(matrices, rel=0.001)
    experts = sum(t.n_elements for t in tensors if "_exps." in t.name)
    assert experts == 2 * 8 * 2 * 128 * 128  # 2 layers x 8 experts x (up and down) x 128 wide x 128 latent
    assert sum(t.n_elements for t in tensors if "ffn_latent_" in t.name) == 2 * 2 * 512 * 128
    # a token runs 2 of the 8 experts in each of the 2 layers, and both projections
    assert fit.macs_per_token(shape) == pytest.approx(matrices - experts * 6 / 8, rel=0.01)
    # rows: per MoE layer the router's 8, each active expert's 128 (up) + 128 (down, latent), the shared expert's
    # (counted as 2 routed widths on the hidden width: 2 x (128 + 512)) and the projections' 128 + 512
    plain = fit.rows_per_token(dataclasses.replace(shape, moe_latent=None))
    assert plain - fit.rows_per_token(shape) == 2 * (2 * (512 - 128) - (128 + 512))


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_a_deepseek_gguf_s_latent_attention_is_read_as_mla(tmp_path, smol):
    """llama.cpp's converter writes MLA as one KV head of key_length = latent + RoPE key; the per-head sizes
    are key/value_length_mla. The cache holds the latent and the RoPE key once per layer and token (the
    engine test checks llama.cpp allocates that), not a K and a V of 96 each."""
    from course_utils.gguf_writer import make_deepseek2_gguf

    shape = fit.shape_from_gguf(str(make_deepseek2_gguf(tmp_path / "ds.gguf", experts=4, experts_used=2,
                                                        tokenizer_from=smol)))
    assert shape.mla and (shape.kv_lora_rank, shape.rope_dim, shape.nope_dim, shape.v_head_dim, shape.q_lora_rank) == \
        (64, 32, 32, 32, 64)
    assert (shape.n_experts, shape.experts_per_token, shape.n_shared_experts, shape.first_dense_layers) == (4, 2, 1, 1)
    assert fit.kv_cache_bytes(shape, 1000) == 4 * 1024 * (64 + 32) * 2  # 4 layers, 1,024 cells allocated, F16
    e = fit.estimate(shape=shape, quant="Q8_0", context=1000)
    assert any("latent" in n for n in e.notes) and e.active_params_b < e.params_b


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs the gguf package (extra: gguf)")
def test_a_mixture_of_experts_gguf_is_read_as_one(tmp_path, smol):
    """Expert count, experts used and the experts' own tensor bytes come from the GGUF header."""
    from course_utils.gguf_writer import make_gguf

    path = make_gguf(tmp_path / "moe.gguf", layers=2, embd=256, ff=512, tokenizer_from=smol, experts=4,
                     experts_used=1)
    shape = fit.shape_from_gguf(str(path))
    assert (shape.n_experts, shape.experts_per_token, shape.n_shared_experts, shape.gated_ffn) == (4, 1, 0, True)
    experts = 2 * 4 * 3 * 256 * 512  # 2 layers x 4 experts x gate, up and down, Q4_1
    assert shape.exact_expert_bytes == experts * 20 / 32
    router = 2 * 4 * 256 * 4  # F32
    layer = 256 * 256 * 2 + 2 * 256 * 64
    assert shape.exact_weight_bytes == pytest.approx(
        experts * 20 / 32 + 2 * layer * 20 / 32 + router + 49152 * 256 * 34 / 32 + 5 * 256 * 4, rel=0.001)
    e = fit.estimate(shape=shape, quant="Q4_0", context=1)
    assert e.breakdown_gb["experts"] == pytest.approx(experts * 20 / 32 / 1e9, abs=0.0005)
    # a token reads one of the four experts and no embedding matrix (tied: it is the output too)
    assert e.read_per_token_gb == pytest.approx(
        (shape.exact_weight_bytes - experts * 20 / 32 * 3 / 4) / 1e9 + e.kv_cache_gb, abs=0.0005)
    assert e.active_params_b == pytest.approx((shape.params - 2 * 3 * 3 * 256 * 512) / 1e9, abs=0.0005)


def test_an_integrated_gpu_shares_its_memory_and_is_not_offloaded_to_a_pc_s_ddr4():
    """The Strix Halo row (Vulkan, igpu class) with --vram: unified memory, not VRAM plus a DDR4 PC."""
    from course_utils import hardware

    igpu = next(h for h in hardware.known_hardware() if "iGPU" in h.name)
    assert igpu.backend == "vulkan" and igpu.unified
    too_big = fit.estimate("meta-llama/Llama-3.3-70B-Instruct", "Q4_K_M", 4096, hardware=igpu, vram_gb=32)
    assert "integrated GPU" in too_big.offload.text and "macOS" not in too_big.offload.text
    assert "51.2" not in too_big.offload.text
    fits = fit.estimate("meta-llama/Llama-3.3-70B-Instruct", "Q4_K_M", 4096, hardware=igpu, vram_gb=96)
    assert fits.offload.fits and "unified memory" in fits.offload.text
