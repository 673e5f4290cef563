"""Predict, then measure: the course's decode estimate for this machine beside a real run on llama.cpp.

The prediction is ``fit.estimate`` for the GGUF file with the memory bandwidth measured here (the
audit's figure); the run is :class:`course_utils.engine.LocalServer` timed by the course's harness.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .i18n import t
from . import engine
from .engine import ENGINE, LocalServer
from .errors import CourseError, EngineUnavailable, InvalidInput
from .timing import TimingResult, time_generation

DEFAULT_PROMPT = "Explain in three sentences what a GGUF file is."


@dataclass(frozen=True)
class Prediction:
    tokens_per_s: float | None
    bandwidth_gbs: float | None
    basis: str
    file_size_gb: float | None


def _hardware_here(bandwidth_gbs: float | None):
    """The hardware the pip wheel runs on: Apple Silicon's GPU (table bandwidth) on a Mac, else the CPU."""
    from .hardware import custom_hardware, find_hardware
    from .system import audit

    a = audit()
    if a.gpu.kind == "apple_metal" and a.cpu:
        try:
            hw = find_hardware(a.cpu)
            return hw, t("timing.local.basis_table", name=hw.name, bandwidth=f"{hw.bandwidth_gbs:g}")
        except InvalidInput:
            pass
        if bandwidth_gbs:
            return custom_hardware(bandwidth_gbs, "metal", "this Mac (measured)"), \
                t("timing.local.basis_measured", bandwidth=f"{bandwidth_gbs:g}")
    if bandwidth_gbs:
        return custom_hardware(bandwidth_gbs, "cpu", "this machine's CPU (measured)", measured=True), \
            t("timing.local.basis_cpu", bandwidth=f"{bandwidth_gbs:g}")
    return None, t("timing.local.no_bandwidth")


_PREDICTIONS: dict[tuple, Prediction] = {}


def predict_speed(model_path: str | Path, context: int = 512, bandwidth_gbs: float | None = None,
                  measure: bool = True) -> Prediction:
    """The course's decode estimate for this machine: fit.estimate with the audit's measured bandwidth.

    Reading a GGUF header takes seconds (the tokenizer is in it), so a prediction is kept per file.
    """
    from .fit import estimate
    from .system import measure_memory_bandwidth

    if bandwidth_gbs is None and measure:
        bandwidth_gbs = measure_memory_bandwidth().gbs
    hw, basis = _hardware_here(bandwidth_gbs)
    if hw is None:
        return Prediction(None, bandwidth_gbs, basis, None)
    path = Path(model_path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime, int(context), hw)
    if key not in _PREDICTIONS:
        try:
            e = estimate(gguf_path=str(path), context=max(1, int(context)), hardware=hw)
        except CourseError as exc:
            return Prediction(None, bandwidth_gbs, t("timing.local.no_estimate", reason=str(exc)), None)
        _PREDICTIONS[key] = Prediction(e.tokens_per_s, bandwidth_gbs, basis, e.file_size_gb)
    return _PREDICTIONS[key]


def gap_notes(predicted: float | None, measured: float | None) -> tuple[str, ...]:
    """Why the estimate and the run differ, in the direction they differ."""
    if not predicted or not measured:
        return ()
    common = (t("timing.gap.threads"), t("timing.gap.overhead"))
    if predicted > measured:
        return (t("timing.gap.too_high"),) + common
    return (t("timing.gap.too_low"),) + common


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

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("engine", "model_path", "tokens", "measured_ttft_s", "measured_tokens_per_s",
                                           "server_tokens_per_s", "predicted_tokens_per_s", "prediction_error",
                                           "tokens_from", "threads", "bandwidth_gbs", "prediction_basis",
                                           "startup_s")}
        d["notes"] = list(self.notes)
        return d

    def to_text(self) -> str:
        from .timing import source_label

        def tps(v):
            return t("timing.report.unknown") if v is None else t("timing.report.tps", speed=f"{v:.1f}")

        rows = [("engine", t("timing.report.engine_value", engine=self.engine, threads=self.threads,
                             seconds=self.startup_s)),
                ("model", self.model_path),
                ("generated", t("timing.report.generated_value", tokens=self.tokens,
                                source=source_label(self.tokens_from))),
                ("first_token", f"{self.measured_ttft_s:.3f} s"),
                ("measured", t("timing.report.measured_value", speed=tps(self.measured_tokens_per_s))),
                ("server", tps(self.server_tokens_per_s)),
                ("predicted", f"{tps(self.predicted_tokens_per_s)} ({self.prediction_basis})")]
        if self.prediction_error is not None:
            rows.append(("gap", t("timing.report.gap_server" if self.server_tokens_per_s else "timing.report.gap_measured",
                                  gap=f"{self.prediction_error:+.0%}")))
        rows += [("note", n) for n in self.notes]
        labels = [t(f"timing.report.{k}") for k, _v in rows]
        width = max(12, *(len(x) + 1 for x in labels))
        return "\n".join(f"{label:<{width}} {v}" for label, (_k, v) in zip(labels, rows))

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
    return (t("timing.local.busy", load=f"{load:.1f}", cores=cores, threads=threads),)


def measure_local(model: str | None = None, quant: str | None = None, max_tokens: int = 64,
                  prompt: str = DEFAULT_PROMPT, runs: int = 1, n_ctx: int = 2048, threads: int | None = None,
                  bandwidth_gbs: float | None = None, server: LocalServer | None = None,
                  progress: bool = False) -> RunReport:
    """Start llama.cpp on a model (default: SmolLM2-135M), time a generation, stop it; with the prediction."""
    from .gguf_models import resolve_model

    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= 4096:
        raise InvalidInput(t("timing.local.max_tokens", value=repr(max_tokens)))
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= 50:
        raise InvalidInput(t("timing.error.runs", value=repr(runs)))
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInput(t("timing.local.empty_prompt"))
    if server is None:
        from .gguf_models import is_local_spec

        path = resolve_model(model) if model and is_local_spec(model) else None  # bad input first
        ok, why = engine.engine_available()
        if not ok:
            raise EngineUnavailable(why)
        path = path or resolve_model(model, quant, progress=progress)
        with LocalServer(path, n_ctx=n_ctx, threads=threads) as own:
            return measure_local(max_tokens=max_tokens, prompt=prompt, runs=runs, bandwidth_gbs=bandwidth_gbs,
                                 server=own)
    result = time_generation(server.generate(), prompt=prompt, max_new_tokens=max_tokens, runs=runs, warmup=False)
    pred = predict_speed(server.model_path, context=max(64, 2 * max_tokens), bandwidth_gbs=bandwidth_gbs)
    reference = result.server_tokens_per_s or result.tokens_per_s
    notes = list(result.notes) + list(gap_notes(pred.tokens_per_s, reference)) + list(busy_note(server.threads))
    return RunReport(ENGINE, str(server.model_path), result.tokens, result.ttft_s, result.tokens_per_s,
                     result.server_tokens_per_s, pred.tokens_per_s, prediction_error(pred.tokens_per_s, reference),
                     result.tokens_from, server.threads, pred.bandwidth_gbs, pred.basis, server.start_s, result,
                     tuple(notes))
