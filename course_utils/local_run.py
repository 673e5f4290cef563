"""Predict, then measure: the course's decode estimate for this machine beside a real run on llama.cpp.

The prediction is ``fit.estimate`` for the GGUF file with the memory bandwidth measured here (the
audit's figure); the run is :class:`course_utils.engine.LocalServer` timed by the course's harness.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import engine
from .engine import ENGINE, LocalServer
from .errors import CourseError, EngineUnavailable, InvalidInput
from .i18n import number, t
from .text_table import label_rows
from .timing import TimingResult, time_generation

DEFAULT_PROMPT = "Explain in three sentences what a GGUF file is."


@dataclass(frozen=True)
class Prediction:
    tokens_per_s: float | None
    bandwidth_gbs: float | None
    basis: str
    file_size_gb: float | None


def _compute_rate(threads: int | None, types: tuple = (None, None), spreads: tuple = (None, None),
                  kv_type: str = "F16", attention: tuple | None = None):
    """llama.cpp's compute rate here on probe models in the model's (layer type, output type) where they
    can be written, their block scales spread as the model's, attention timed on its heads
    (compute_probe.rate_for_model), or None without the engine."""
    from .compute_probe import rate_for_model

    ok, _why = engine.engine_available()
    if not ok:
        return None
    try:
        return rate_for_model(*types, threads=threads, spreads=spreads, kv_type=kv_type, attention=attention)
    except (CourseError, OSError, ValueError, KeyError):  # a probe that fails leaves the memory-only estimate
        return None


def _hardware_here(bandwidth_gbs: float | None, threads: int | None = None, compute: bool = True,
                   types: tuple = (None, None), spreads: tuple = (None, None), kv_type: str = "F16",
                   attention: tuple | None = None):
    """The hardware the pip wheel runs on: Apple Silicon's GPU (table bandwidth) on a Mac, else the CPU
    (its compute timed on probes in the model's (layer type, output type); Q4_1 and Q8_0 if unknown)."""
    from .hardware import custom_hardware, find_hardware
    from .system import audit

    a = audit()
    if a.gpu.kind == "apple_metal" and a.cpu:
        try:
            hw = find_hardware(a.cpu)
            return hw, t("local_run.basis.table", name=hw.name, bw=hw.bandwidth_gbs)
        except InvalidInput:
            pass
        if bandwidth_gbs:
            return custom_hardware(bandwidth_gbs, "metal", t("hardware.this_mac")), \
                t("local_run.basis.mac_measured", bw=bandwidth_gbs)
    if bandwidth_gbs:
        from .hardware import llama_cpp_threads

        threads = int(threads or llama_cpp_threads())
        rate = _compute_rate(threads, types, spreads, kv_type, attention) if compute else None
        basis = t("local_run.basis.cpu_measured", bw=bandwidth_gbs)
        if rate:
            basis = t("local_run.basis.cpu_measured_compute", bw=bandwidth_gbs, rate=rate.gmacs, threads=threads,
                      row_ns=rate.row_ns, qtype=rate.qtype, embd=rate.embd_type)
        return custom_hardware(bandwidth_gbs, "cpu", t("hardware.this_machine"), measured=True,
                               compute_gmacs=rate.gmacs if rate else None, threads=threads,
                               compute_row_ns=rate.row_ns if rate else None,
                               compute_attn_ns=rate.attn_ns if rate else None), basis
    return None, t("local_run.basis.none")


def measured_cpu(bandwidth_gbs: float, types: tuple = (None, None), attention: tuple | None = None):
    """(this CPU with llama.cpp's compute rate timed here on probes in ``types``, the basis text), or None
    where llama.cpp is not installed or a probe fails (the readiness speed row's ``compute`` option)."""
    hw, basis = _hardware_here(bandwidth_gbs, None, True, types, (None, None), "F16", attention)
    return (hw, basis) if hw is not None and hw.compute_gmacs else None


_PREDICTIONS: dict[tuple, Prediction] = {}


def predict_speed(model_path: str | Path, context: int = 512, bandwidth_gbs: float | None = None,
                  measure: bool = True, threads: int | None = None, compute: bool = True,
                  kv_type: str = "F16") -> Prediction:
    """The course's decode estimate for this machine: fit.estimate with what was measured here.

    On a CPU: the memory bandwidth (the audit's measurement) and, where llama.cpp is installed,
    its compute rate on the course's probe models (compute_probe: in the model's types, their block
    scales spread as the model's), both with ``threads`` (default: llama.cpp's); the slower of the two
    sets the speed. ``compute=False`` skips the probes.
    """
    from .fit import estimate, shape_from_gguf
    from .system import measure_memory_bandwidth

    if bandwidth_gbs is None and measure:
        bandwidth_gbs = measure_memory_bandwidth(threads=threads).gbs
    path = Path(model_path)
    try:  # the header is read once: its types choose the probes, its shape makes the estimate
        shape, unreadable = shape_from_gguf(path), None
    except CourseError as exc:  # the probes as before; the estimate then says why there is none
        shape, unreadable = None, exc
    types = (shape.layer_type, shape.output_type) if shape and compute else (None, None)
    spreads = (None, None)
    if shape and compute:  # the probes' block scales spread as this file's (block_scales: the wheel's f16 table)
        from .block_scales import file_spreads

        spreads = file_spreads(path, *types)
    from .compute_probe import attention_layout

    attention = attention_layout(shape) if shape and compute else None  # attention timed on the model's heads
    hw, basis = _hardware_here(bandwidth_gbs, threads, compute, types, spreads, kv_type, attention)
    if hw is None:
        return Prediction(None, bandwidth_gbs, basis, None)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime, int(context), hw, kv_type)
    if key not in _PREDICTIONS:
        try:
            if shape is None:
                raise unreadable
            e = estimate(shape=shape, context=max(1, int(context)), hardware=hw, kv_cache_type=kv_type)
        except CourseError as exc:
            return Prediction(None, bandwidth_gbs, t("local_run.no_estimate", reason=exc), None)
        _PREDICTIONS[key] = Prediction(e.tokens_per_s, bandwidth_gbs, basis, e.file_size_gb)
    return _PREDICTIONS[key]


def gap_notes(predicted: float | None, measured: float | None) -> tuple[str, ...]:
    """Why the estimate and the run differ, in the direction they differ."""
    if not predicted or not measured:
        return ()
    common = (t("local_run.gap.threads"), t("local_run.gap.overhead"))
    if predicted > measured:
        return (t("local_run.gap.too_high"),) + common
    return (t("local_run.gap.too_low"),) + common


@dataclass(frozen=True)
class RunReport:
    engine: str
    model_path: str
    tokens: int
    measured_ttft_s: float
    measured_tokens_per_s: float
    server_tokens_per_s: float | None
    predicted_tokens_per_s: float | None
    prediction_error: float | None  # (predicted - measured) / measured, against the server's figure if sent
    tokens_from: str
    threads: int
    bandwidth_gbs: float | None
    prediction_basis: str
    startup_s: float | None
    timing: TimingResult
    notes: tuple[str, ...] = field(default_factory=tuple)
    # memory, predicted then measured: the KV cache llama.cpp allocated for n_ctx tokens (its log), the estimate's
    n_ctx: int | None = None
    kv_type: str = "F16"
    kv_cache_mb: float | None = None
    predicted_kv_cache_mb: float | None = None
    # a hybrid's recurrent layers: the fixed state llama.cpp allocated (its log), the estimate's (None: none)
    recurrent_state_mb: float | None = None
    predicted_recurrent_state_mb: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("engine", "model_path", "tokens", "measured_ttft_s", "measured_tokens_per_s",
                                           "server_tokens_per_s", "predicted_tokens_per_s", "prediction_error",
                                           "tokens_from", "threads", "bandwidth_gbs", "prediction_basis",
                                           "startup_s", "n_ctx", "kv_type", "kv_cache_mb", "predicted_kv_cache_mb",
                                           "recurrent_state_mb", "predicted_recurrent_state_mb")}
        d["notes"] = list(self.notes)
        return d

    def to_text(self) -> str:
        def tps(v):
            return t("local_run.report.unknown") if v is None else t("local_run.report.tps", tps=v)

        def row(key: str, **fields) -> tuple[str, str]:
            return t(f"local_run.report.{key}"), t(f"local_run.report.{key}.value", **fields)

        def mb(v):
            return t("local_run.report.unknown") if v is None else number(v, ",.1f")

        rows = [row("engine", engine=self.engine, threads=self.threads, startup=self.startup_s),
                (t("local_run.report.model"), self.model_path),
                row("generated", tokens=self.tokens, source=self.tokens_from),
                row("first_token", s=self.measured_ttft_s),
                row("measured", tps=tps(self.measured_tokens_per_s)),
                (t("local_run.report.server"), tps(self.server_tokens_per_s)),
                row("predicted", tps=tps(self.predicted_tokens_per_s), basis=self.prediction_basis)]
        if self.n_ctx and (self.kv_cache_mb is not None or self.predicted_kv_cache_mb is not None):
            rows.append(row("kv_cache", measured=mb(self.kv_cache_mb), predicted=mb(self.predicted_kv_cache_mb),
                            n_ctx=number(self.n_ctx, ","), kv=self.kv_type.lower()))
        if self.recurrent_state_mb is not None or self.predicted_recurrent_state_mb:
            rows.append(row("recurrent_state", measured=mb(self.recurrent_state_mb),
                            predicted=mb(self.predicted_recurrent_state_mb)))
        if self.prediction_error is not None:
            key = "local_run.report.gap.server" if self.server_tokens_per_s else "local_run.report.gap.measured"
            rows.append((t("local_run.report.gap"), t(key, gap=self.prediction_error)))
        rows += [(t("local_run.report.note"), n) for n in self.notes]
        return label_rows(rows)

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(self.to_text()) + "</pre>"


def prediction_error(predicted: float | None, measured: float | None) -> float | None:
    if not predicted or not measured:
        return None
    return round((predicted - measured) / measured, 3)


def busy_note(threads: int) -> tuple[str, ...]:
    """A note when other programs kept the cores busy: llama.cpp's threads then wait for each other."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return ()
    cores = os.cpu_count() or 1
    if load <= cores:
        return ()
    return (t("local_run.busy", load=load, cores=cores, threads=threads),)


def measure_local(model: str | None = None, quant: str | None = None, max_tokens: int = 64,
                  prompt: str = DEFAULT_PROMPT, runs: int = 1, n_ctx: int = 2048, threads: int | None = None,
                  bandwidth_gbs: float | None = None, server: LocalServer | None = None,
                  progress: bool = False, kv_type: str = "F16") -> RunReport:
    """Start llama.cpp on a model (default: SmolLM2-135M), time a generation, stop it; with the prediction.

    ``kv_type`` (F16, Q8_0, Q4_0) is the KV cache type of the server this starts; a ``server`` given keeps its own.
    """
    from .gguf_models import resolve_model

    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= 4096:
        raise InvalidInput(t("local_run.error.max_tokens", value=repr(max_tokens)))
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= 50:
        raise InvalidInput(t("local_run.error.runs", value=repr(runs)))
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInput(t("local_run.error.prompt"))
    from .fit import check_kv_type

    kv_type = check_kv_type(kv_type)  # llama.cpp's -ctk/-ctv for the server this starts
    if server is None:
        from .gguf_models import is_local_spec

        path = resolve_model(model) if model and is_local_spec(model) else None  # bad input first
        ok, why = engine.engine_available()
        if not ok:
            raise EngineUnavailable(why)
        path = path or resolve_model(model, quant, progress=progress)
        with LocalServer(path, n_ctx=n_ctx, threads=threads, verbose=True, kv_type=kv_type) as own:  # verbose: KV size
            return measure_local(max_tokens=max_tokens, prompt=prompt, runs=runs, bandwidth_gbs=bandwidth_gbs,
                                 server=own)
    result = time_generation(server.generate(), prompt=prompt, max_new_tokens=max_tokens, runs=runs, warmup=False)
    # the context a generated token attends over, on average: the prompt and half the answer (before the
    # server counts the prompt: twice the answer)
    context = result.prompt_tokens + result.tokens // 2 if result.prompt_tokens else max(64, 2 * max_tokens)
    pred = predict_speed(server.model_path, context=context, bandwidth_gbs=bandwidth_gbs,
                         threads=server.threads, kv_type=server.kv_type)
    reference = result.server_tokens_per_s or result.tokens_per_s
    allocated, kv_predicted = server.kv_cache_bytes(), _kv_cache_predicted(server)
    state, state_predicted = server.recurrent_state_bytes(), _recurrent_state_predicted(server)
    notes = list(result.notes) + list(gap_notes(pred.tokens_per_s, reference)) + list(busy_note(server.threads))
    return RunReport(ENGINE, str(server.model_path), result.tokens, result.ttft_s, result.tokens_per_s,
                     result.server_tokens_per_s, pred.tokens_per_s, prediction_error(pred.tokens_per_s, reference),
                     result.tokens_from, server.threads, pred.bandwidth_gbs, pred.basis, server.start_s, result,
                     tuple(notes), server.n_ctx, server.kv_type,
                     round(allocated / 1e6, 2) if allocated is not None else None,
                     round(kv_predicted / 1e6, 2) if kv_predicted is not None else None,
                     round(state / 1e6, 2) if state is not None else None,
                     round(state_predicted / 1e6, 2) if state_predicted else None)


def _recurrent_state_predicted(server: LocalServer) -> float | None:
    """The estimator's recurrent state (bytes, one sequence) for the server's model; None if unreadable."""
    from .fit import recurrent_state_bytes, shape_from_gguf

    try:
        return recurrent_state_bytes(shape_from_gguf(server.model_path))
    except CourseError:
        return None


def _kv_cache_predicted(server: LocalServer) -> float | None:
    """The estimator's KV cache (bytes) for the server's model, context and cache type; None if unreadable."""
    from .fit import kv_cache_bytes, shape_from_gguf

    try:
        shape = shape_from_gguf(server.model_path)
    except CourseError:
        return None
    return kv_cache_bytes(shape, server.n_ctx, server.kv_type) if shape.kv_known else None
