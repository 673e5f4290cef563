"""Compute probes in the model's own type: llama.cpp's quantizer (ggml_quant) writes any ggml type.

The quantizer is llama.cpp's own C code in the xllamacpp wheel; it is checked against gguf-py, an
independent implementation: byte for byte on the types gguf-py also writes, and by reading the
K- and i-quants back with gguf-py's dequantizer. Probes written in K-quants run on the real engine
and are timed through the same path as the Q4_1 probes.
"""
import pytest

from real_model import REQUIRE_ENGINE

if REQUIRE_ENGINE:
    import xllamacpp  # noqa: F401
else:
    pytest.importorskip("xllamacpp")
gguf = pytest.importorskip("gguf")
np = pytest.importorskip("numpy")

from course_utils import compute_probe, fit, ggml_quant, gguf_writer  # noqa: E402


def _data(rows=8, cols=512, seed=1):
    return np.random.default_rng(seed).standard_normal((rows, cols), dtype=np.float32)


@pytest.mark.parametrize("qtype", ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"])
def test_llama_cpp_writes_the_legacy_types_byte_for_byte_as_gguf_py(qtype):
    x = _data()
    assert np.array_equal(ggml_quant.quantize(x, qtype), gguf.quants.quantize(x, gguf.GGMLQuantizationType[qtype]))


# mean |error| on unit-variance weights, read back by gguf-py: bounds a little above what 2026-12 llama.cpp gives
# (Q6_K 0.014, Q4_K 0.059, IQ4_XS 0.064, Q3_K 0.12, IQ3_S 0.12, Q2_K 0.24, IQ2_XXS 0.27, MXFP4 0.086)
@pytest.mark.parametrize("qtype, bytes_per_256, bound", [
    ("Q6_K", 210, 0.03), ("Q5_K", 176, 0.05), ("Q4_K", 144, 0.08), ("IQ4_XS", 136, 0.09), ("Q3_K", 110, 0.16),
    ("IQ3_S", 110, 0.16), ("Q2_K", 84, 0.3), ("IQ2_XXS", 66, 0.35), ("MXFP4", 136, 0.12)])
def test_k_and_i_quants_read_back_close_to_the_weights(qtype, bytes_per_256, bound):
    x = _data()
    q = ggml_quant.quantize(x, qtype)
    assert q.dtype == np.uint8 and q.shape == (8, 512 // 256 * bytes_per_256)  # llama.cpp's block sizes, by hand
    back = gguf.quants.dequantize(q, gguf.GGMLQuantizationType[qtype])
    assert back.shape == x.shape and float(np.abs(back - x).mean()) < bound


def test_a_row_that_is_not_whole_blocks_is_refused():
    with pytest.raises(ValueError, match="384 weights.*Q4_K blocks of 256"):
        ggml_quant.quantize(_data(cols=384), "Q4_K")


def test_probes_take_the_models_type_where_they_can():
    assert compute_probe.probe_type("Q4_K") == "Q4_K" and compute_probe.probe_type("IQ2_XXS") == "IQ2_XXS"
    assert compute_probe.probe_type("F16") == "F16" and compute_probe.probe_type("Q8_0") == "Q8_0"
    for unknown in (None, "TQ1_0", "I32", "not a type"):  # no probe in that type: the probes as before
        assert compute_probe.probe_type(unknown) == "Q4_1" and compute_probe.probe_type(unknown, "Q8_0") == "Q8_0"
    # widths cut to whole 256-weight blocks: the narrow probe keeps short rows
    assert compute_probe.probe_shape(compute_probe.NARROW_PROBE, "Q4_K") == {"layers": 24, "embd": 256, "ff": 1024}
    assert compute_probe.probe_shape(compute_probe.NARROW_PROBE, "Q4_1") == compute_probe.NARROW_PROBE
    assert compute_probe.probe_shape(compute_probe.PROBE, "IQ2_XXS") == compute_probe.PROBE


def test_a_k_quant_model_is_written_and_read_back(smol, tmp_path):
    # (llama.cpp loading and decoding K-quant files: the probes' timing in the next tests)
    path = gguf_writer.make_gguf(tmp_path / "q4k.gguf", layers=2, embd=256, ff=512, qtype="Q4_K")
    shape = fit.shape_from_gguf(str(path))
    # per layer: q and o 256x256, k and v 64x256 (4 heads of 64, 1 KV head), gate/up/down 3 x 256x512
    per_layer = 2 * 256 * 256 + 2 * 64 * 256 + 3 * 256 * 512
    q4k = 2 * per_layer // 256 * 144
    embedding = 49152 * 256 // 32 * 34  # the tied embedding in Q8_0
    norms = (2 * 2 + 1) * 256 * 4
    assert shape.exact_weight_bytes == q4k + embedding + norms
    assert (shape.layer_type, shape.output_type) == ("Q4_K", "Q8_0")  # the tied embedding is the output matrix
    reader = gguf.GGUFReader(str(path))
    assert int(reader.fields["general.file_type"].contents()) == int(gguf.LlamaFileType.MOSTLY_Q4_K_S)
    assert {gguf.GGMLQuantizationType(t.tensor_type).name for t in reader.tensors if t.name.startswith("blk.")
            and t.name.endswith(("attn_q.weight", "ffn_down.weight"))} == {"Q4_K"}


def test_a_real_gguf_names_its_layer_and_output_types(smol):
    # SmolLM2-135M at Q4_1: its 30 layers in Q4_1, its tied embedding (the output matrix) in Q8_0,
    # the composition of the probes before 2026-12-03
    shape = fit.shape_from_gguf(str(smol))
    assert (shape.layer_type, shape.output_type) == ("Q4_1", "Q8_0")


def test_the_local_prediction_times_probes_in_the_models_types(smol, tmp_path):
    from course_utils import local_run

    path = gguf_writer.make_gguf(tmp_path / "q4k.gguf", layers=4, embd=256, ff=512, qtype="Q4_K",
                                   embd_type="Q6_K")
    shape = fit.shape_from_gguf(str(path))
    assert (shape.layer_type, shape.output_type) == ("Q4_K", "Q6_K")
    p = local_run.predict_speed(path, context=64, bandwidth_gbs=20.0, threads=1)
    assert p.tokens_per_s and "Q4_K layers and a Q6_K output matrix" in p.basis
    # a random-weight model: the plain probes; attention on its heads (4 of 64, 1 KV head)
    rate = compute_probe._RATES[1, "Q4_K", "Q6_K", ("", ""), "F16", (4, 1, 64)]
    assert (rate.qtype, rate.embd_type, rate.attention) == ("Q4_K", "Q6_K", (4, 1, 64)) and rate.gmacs > 0
    # the probes have the model's types: Q4_K layers, the tied embedding in Q6_K
    for probe_shape in (compute_probe.PROBE, compute_probe.NARROW_PROBE):
        probe = compute_probe.probe_model_path(shape=probe_shape, qtype="Q4_K", embd_type="Q6_K")
        types = fit.shape_from_gguf(str(probe))
        assert (types.layer_type, types.output_type) == ("Q4_K", "Q6_K")
    assert probe.name == "course-compute-probe-24x256x1024.Q4_K-Q6_K.gguf"
    # a model of unknown types is timed on the probes as before: Q4_1 layers, a Q8_0 output
    assert compute_probe.rate_for_model(None, None, threads=1) is compute_probe.measure_compute_rate(1)


def test_attention_is_timed_on_the_models_heads():
    """The attention probe copies a model's heads (count, KV heads, width) onto the narrow probe's layers, as many
    (4 to 24) as keep about the narrow probe's weights; a shape without plain heads has none."""
    smol = fit.ModelShape("smol", 0.135, 30, 576, 1536, 9, 3, 64, 49152)
    assert compute_probe.attention_layout(smol) == (9, 3, 64)
    # a layer of the narrow probe: 384 x (2 x 384 + 2 x 128) + 3 x 384 x 1024 = 1,572,864 weights; with 9 heads
    # of 64 and 3 KV heads 384 x (2 x 576 + 2 x 192) + 1,179,648 = 1,769,472: 24 x 0.889 = 21 layers
    assert compute_probe.attention_probe_shape(9, 3, 64) == {"layers": 21, "embd": 384, "ff": 1024, "heads": 9,
                                                            "kv_heads": 3, "head_dim": 64}
    assert compute_probe.attention_probe_shape(32, 8, 128)["layers"] == 7  # 8B-like: 5,111,808 a layer
    assert compute_probe.attention_probe_shape(1, 1, 64)["layers"] == 24  # at most the narrow probe's 24
    assert compute_probe.attention_layout(fit.shape_from_params(7.0)) is None  # unknown heads
    mla = fit.ModelShape("mla", 16, 27, 2048, 10944, 16, 16, 192, 102400, kv_lora_rank=512, rope_dim=64)
    assert compute_probe.attention_layout(mla) is None  # latent attention: not a plain head layout
    path = compute_probe.probe_model_path(shape=compute_probe.attention_probe_shape(9, 3, 64))
    assert path.name == "course-compute-probe-21x384x1024-h9k3d64.Q4_1-Q8_0.gguf"
    shape = fit.shape_from_gguf(str(path))
    assert (shape.n_heads, shape.kv_heads, shape.hd, shape.hidden, shape.n_layers) == (9, 3, 64, 384, 21)
