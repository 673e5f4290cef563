"""The fast GGUF header reader agrees with the gguf package's own reader (files written by gguf's writer,
and the real SmolLM2 model when it is cached), and refuses broken files."""
from __future__ import annotations

import pytest

gguf = pytest.importorskip("gguf")
np = pytest.importorskip("numpy")

from course_utils.gguf_header import HeaderError, read_header  # noqa: E402


def write_model(path):
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_block_count(2)
    w.add_embedding_length(64)
    w.add_head_count(4)
    w.add_rope_freq_base(10000.0)
    w.add_name("tiny test")
    w.add_token_list([b"a", b"bb", "é".encode()])
    w.add_token_scores([0.0, -1.0, -2.0])
    w.add_tensor("token_embd.weight", np.zeros((3, 64), dtype=np.float32))
    w.add_tensor("blk.0.attn_q.weight", np.zeros((64, 64), dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def same_as_gguf_reader(path):
    header = read_header(path)
    reader = gguf.GGUFReader(str(path))
    assert [t.name for t in header.tensors] == [t.name for t in reader.tensors]
    assert [t.n_bytes for t in header.tensors] == [int(t.n_bytes) for t in reader.tensors]
    assert [t.n_elements for t in header.tensors] == [int(t.n_elements) for t in reader.tensors]
    assert header.metadata["tokenizer.ggml.tokens"][2] == len(reader.fields["tokenizer.ggml.tokens"].data)
    assert header.data_start == reader.data_offset  # the header's own bytes, padding included
    return header


def test_agrees_with_gguf_reader(tmp_path):
    path = tmp_path / "tiny.gguf"
    write_model(path)
    header = same_as_gguf_reader(path)
    meta = header.metadata
    assert meta["general.architecture"] == "llama" and meta["general.name"] == "tiny test"
    assert meta["llama.block_count"] == 2 and meta["llama.rope.freq_base"] == pytest.approx(10000.0)
    assert meta["tokenizer.ggml.scores"] == ("array", 6, 3)  # an array of float32, skipped


def test_the_real_smollm2_model(smol):
    header = same_as_gguf_reader(smol)
    assert header.metadata["general.architecture"] == "llama" and len(header.tensors) > 100


@pytest.mark.parametrize("cut", [3, 10, 30, 200, -1])
def test_broken_files_are_refused(tmp_path, cut):
    good = tmp_path / "tiny.gguf"
    write_model(good)
    data = good.read_bytes()
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"NOPE" + data[4:] if cut == -1 else data[:cut])
    with pytest.raises(HeaderError):
        read_header(bad)
