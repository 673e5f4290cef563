"""The probes' block scales spread as the predicted model's (block_scales): read from a real GGUF (the bundled
SmolLM2-135M), checked against gguf-py's own reading, and written into probes that read back the same.
Why it matters (the wheel's f16 table makes a dot product's cost depend on it) is measured by bench/run_gap.py."""
import pytest

gguf = pytest.importorskip("gguf")
np = pytest.importorskip("numpy")

from course_utils import block_scales, compute_probe, gguf_writer  # noqa: E402
from course_utils.gguf_header import read_header  # noqa: E402


def test_the_header_reader_finds_each_tensors_data_where_gguf_py_does(smol):
    ours = {t.name: t.offset for t in read_header(smol).tensors}
    theirs = {t.name: int(t.data_offset) for t in gguf.GGUFReader(str(smol)).tensors}
    assert ours == theirs and len(ours) == 272


def _full_log_scales(path, names):
    """ln |d| of every block of these tensors, read through gguf-py (not our sampler)."""
    reader = gguf.GGUFReader(str(path))
    out = []
    for t in reader.tensors:
        if t.name in names:
            out.append(np.log(np.abs(block_scales.scales_of(np.asarray(t.data).tobytes(), t.tensor_type.name))))
    return np.concatenate(out)


def test_the_sampled_spread_of_a_real_model_is_its_whole_one(smol):
    layers, output = block_scales.file_spreads(smol, "Q4_1", "Q8_0")
    assert (layers.qtype, output.qtype) == ("Q4_1", "Q8_0")
    whole = _full_log_scales(smol, {f"blk.{i}.{m}.weight" for i in range(30) for m in
                                    ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")})
    assert layers.log_mean == pytest.approx(float(whole.mean()), abs=0.05)
    assert output.log_mean == pytest.approx(float(_full_log_scales(smol, {"token_embd.weight"}).mean()), abs=0.05)
    # trained weights spread wider than the probes' random ones, between rows and inside them
    natural = block_scales.natural_spread("Q4_1")
    assert layers.row_sd > 3 * natural.row_sd and layers.block_sd > natural.block_sd
    assert layers.log_mean > natural.log_mean + 2  # and are larger: d near e^-3, not e^-5.2


def test_a_probe_written_with_a_models_spread_reads_back_with_it(smol, tmp_path):
    target = block_scales.file_spreads(smol, "Q4_1", "Q8_0")
    path = gguf_writer.make_gguf(tmp_path / "p.gguf", layers=2, embd=576, ff=1536, qtype="Q4_1", spreads=target,
                                 tokenizer_from=smol)
    for got, want in zip(block_scales.file_spreads(path, "Q4_1", "Q8_0"), target):
        assert got.log_mean == pytest.approx(want.log_mean, abs=0.05)
        assert got.row_sd == pytest.approx(want.row_sd, abs=0.03)
        assert got.block_sd == pytest.approx(want.block_sd, abs=0.03)
    plain = gguf_writer.make_gguf(tmp_path / "plain.gguf", layers=2, embd=576, ff=1536, qtype="Q4_1",
                                  tokenizer_from=smol)
    same = gguf_writer.make_gguf(tmp_path / "same.gguf", layers=2, embd=576, ff=1536, qtype="Q4_1",
                                 spreads=(None, None), tokenizer_from=smol)
    assert plain.read_bytes() == same.read_bytes()  # without spreads, the files as before
    natural = block_scales.file_spreads(plain, "Q4_1", "Q8_0")[0]
    assert natural.log_sd == pytest.approx(block_scales.natural_spread("Q4_1").log_sd, abs=0.02)


def test_a_k_quant_probe_takes_the_spread_too(tmp_path, smol):
    pytest.importorskip("xllamacpp")  # llama.cpp's quantizer writes the K-quants
    want = block_scales.ScaleSpread("Q4_K", -7.0, 0.2, 0.3, 0)
    path = gguf_writer.make_gguf(tmp_path / "k.gguf", layers=2, embd=1024, ff=2048, qtype="Q4_K",
                                 spreads=(want, None), tokenizer_from=smol)
    got = block_scales.file_spreads(path, "Q4_K", "Q8_0")[0]
    assert got.log_mean == pytest.approx(-7.0, abs=0.05) and got.log_sd == pytest.approx(want.log_sd, abs=0.03)


def test_probes_take_only_spreads_of_their_own_types_that_random_weights_lack(smol):
    real = block_scales.file_spreads(smol, "Q4_1", "Q8_0")
    assert compute_probe._usable_spreads(real, "Q4_1", "Q8_0") == real
    assert compute_probe._usable_spreads(real, "Q4_K", "Q6_K") == (None, None)  # read in other types
    random_like = (block_scales.natural_spread("Q4_1"), block_scales.natural_spread("Q8_0"))
    assert compute_probe._usable_spreads(random_like, "Q4_1", "Q8_0") == (None, None)  # the plain probes
    assert block_scales.file_spreads(smol, "F16", None) == (None, None)  # no f16 block scale to read


def test_a_spread_probe_has_a_file_of_its_own(smol, monkeypatch, tmp_path):
    from course_utils import gguf_models

    monkeypatch.setattr(gguf_models, "models_dir", lambda: tmp_path)
    real = block_scales.file_spreads(smol, "Q4_1", "Q8_0")
    path = compute_probe.probe_model_path(shape=compute_probe.NARROW_PROBE, spreads=real)
    assert path.name == f"course-compute-probe-24x384x1024.Q4_1-Q8_0-s{real[0].tag}-s{real[1].tag}.gguf"
    assert compute_probe.probe_model_path(shape=compute_probe.NARROW_PROBE).name == \
        "course-compute-probe-24x384x1024.Q4_1-Q8_0.gguf"
