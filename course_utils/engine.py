"""A real llama.cpp server on this machine: start it, measure a generation, always stop it.

llama.cpp's own HTTP server comes from the ``xllamacpp`` wheel (``pip install 'course-utils[run]'``;
MIT; prebuilt for Linux x86_64/aarch64, macOS and Windows x86_64). It runs in a child process on
127.0.0.1 and a free port, so stopping it is certain: the context manager closes the child's stdin
(the child then shuts the server down), waits, and kills it if need be. If this process dies, the
closed pipe stops the child too. Measuring goes through the same harness as any other server
(:func:`course_utils.timing.openai_compatible`).

    with LocalServer(path) as server:
        result = time_generation(server.generate(), max_new_tokens=64)
"""
from __future__ import annotations

import atexit
import json
import os
import platform
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CourseError, EngineUnavailable, InvalidInput
from .timing import TimingResult, openai_compatible, time_generation

ENGINE = "llama.cpp (xllamacpp)"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0
DEFAULT_PROMPT = "Explain in three sentences what a GGUF file is."
NO_WHEEL = ("xllamacpp publishes wheels for Linux (x86_64, aarch64), macOS (Apple Silicon, Intel) and Windows "
            "x86_64 only. Elsewhere run a server yourself, e.g. Ollama (`ollama serve`, base URL "
            "http://127.0.0.1:11434/v1) or llama.cpp's `llama-server -m model.gguf --port 8080` (base URL "
            "http://127.0.0.1:8080/v1), and time it through the OpenAI-compatible path.")
_WHEEL_PLATFORMS = {("Linux", "x86_64"), ("Linux", "aarch64"), ("Darwin", "arm64"), ("Darwin", "x86_64"),
                    ("Windows", "AMD64")}


def engine_available() -> tuple[bool, str]:
    """(True, version) when xllamacpp imports here, else (False, what to do)."""
    try:
        import xllamacpp
    except ImportError:
        if (platform.system(), platform.machine()) not in _WHEEL_PLATFORMS:
            return False, f"No llama.cpp engine for {platform.system()} {platform.machine()}. {NO_WHEEL}"
        return False, ("llama.cpp's server is not installed: pip install 'course-utils[run]' (or pip install "
                       "xllamacpp). Or use any OpenAI-compatible server you already run.")
    except Exception as exc:  # noqa: BLE001 - a broken native wheel
        return False, f"xllamacpp is installed but does not load ({type(exc).__name__}: {exc}). {NO_WHEEL}"
    return True, str(getattr(xllamacpp, "__version__", ""))


def default_threads() -> int:
    """The thread count llama.cpp picks by default: the physical cores."""
    try:
        import psutil

        cores = psutil.cpu_count(logical=False)
    except Exception:  # noqa: BLE001
        cores = None
    return max(1, cores or os.cpu_count() or 1)


def _stop(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> None:
    """Close the child's stdin (it shuts the server down), then terminate, then kill."""
    if proc.poll() is not None:
        return
    try:
        if proc.stdin:
            proc.stdin.close()
    except OSError:
        pass
    for action in (None, proc.terminate, proc.kill):
        if action is not None:
            try:
                action()
            except OSError:
                pass
        try:
            proc.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            continue


_LIVE: "weakref.WeakSet[LocalServer]" = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for server in list(_LIVE):
        server.stop()


class LocalServer:
    """llama.cpp's server for one GGUF file, in a child process; use it as a context manager."""

    def __init__(self, model_path: str | Path, n_ctx: int = 2048, threads: int | None = None,
                 ready_timeout: float = READY_TIMEOUT_S):
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise InvalidInput(f"No GGUF file at {self.model_path}.")
        self.n_ctx, self.threads = int(n_ctx), int(threads or default_threads())
        self.ready_timeout = ready_timeout
        self.url: str | None = None
        self.proc: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self.start_s: float | None = None

    def __enter__(self) -> "LocalServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> "LocalServer":
        ok, why = engine_available()
        if not ok:
            raise EngineUnavailable(why)
        t0 = time.perf_counter()
        log = tempfile.NamedTemporaryFile("wb", prefix="llama-server-", suffix=".log", delete=False)
        self.log_path = Path(log.name)
        kwargs: dict[str, Any] = {}
        if os.name == "posix":
            kwargs["start_new_session"] = True  # a Ctrl+C or a notebook interrupt reaches only the parent
        else:
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        self.proc = subprocess.Popen([sys.executable, "-m", "course_utils._llama_child"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=log, **kwargs)
        log.close()
        _LIVE.add(self)
        weakref.finalize(self, _stop, self.proc)
        try:
            self.proc.stdin.write((json.dumps({"model": str(self.model_path), "n_ctx": self.n_ctx,
                                               "threads": self.threads}) + "\n").encode())
            self.proc.stdin.flush()
            reply = self._read_reply(t0 + self.ready_timeout)
            if "error" in reply:
                raise EngineUnavailable(f"llama.cpp could not load {self.model_path.name}: {reply['error']}"
                                        f"{self._log_tail()}")
            self.url = reply["url"].rstrip("/")
            self._wait_healthy(t0 + self.ready_timeout)
        except BaseException:
            self.stop()
            raise
        self.start_s = round(time.perf_counter() - t0, 2)
        return self

    def _read_reply(self, deadline: float) -> dict:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        try:
            raw = lines.get(timeout=max(0.1, deadline - time.perf_counter()))
        except queue.Empty:
            raise EngineUnavailable(f"llama.cpp did not start within {self.ready_timeout:g} s"
                                    f"{self._log_tail()}") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise EngineUnavailable(f"llama.cpp's server stopped while starting{self._log_tail()}") from None

    def _wait_healthy(self, deadline: float) -> None:
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as r:  # noqa: S310 - our own child
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.perf_counter() > deadline or self.proc.poll() is not None:
                raise EngineUnavailable(f"llama.cpp's server never became ready{self._log_tail()}")
            time.sleep(0.1)

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text("utf-8", "replace").strip().splitlines()
        except (OSError, AttributeError):
            return ""
        errors = [ln for ln in lines if " E " in ln or "error" in ln.lower()]
        return f" ({(errors or lines or [''])[-1].strip()[:200]})" if lines else ""

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def base_url(self) -> str:
        if not self.url:
            raise EngineUnavailable("The llama.cpp server is not running.")
        return self.url + "/v1"

    def generate(self, timeout: float = 120.0):
        """A ``generate(prompt, max_new_tokens)`` for the timing harness."""
        return openai_compatible(self.base_url, self.model_path.name, timeout=timeout)

    def stop(self) -> None:
        """Stop the server (idempotent); afterwards no child process is left."""
        proc, self.url = self.proc, None
        if proc is not None:
            _stop(proc)
            for pipe in (proc.stdin, proc.stdout):
                try:
                    if pipe:
                        pipe.close()
                except OSError:
                    pass
        _LIVE.discard(self)
        if self.log_path is not None:
            try:
                self.log_path.unlink()
            except OSError:
                pass
            self.log_path = None


# --------------------------------------------------------------------------- predict, then measure

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
            return hw, f"{hw.name}, {hw.bandwidth_gbs:g} GB/s (table)"
        except InvalidInput:
            pass
        if bandwidth_gbs:
            return custom_hardware(bandwidth_gbs, "metal", "this Mac (measured)"), \
                f"measured memory bandwidth {bandwidth_gbs:g} GB/s"
    if bandwidth_gbs:
        return custom_hardware(bandwidth_gbs, "cpu", "this machine's CPU (measured)"), \
            f"CPU, measured memory bandwidth {bandwidth_gbs:g} GB/s"
    return None, "no bandwidth figure"


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
            return Prediction(None, bandwidth_gbs, f"no estimate: {exc}", None)
        _PREDICTIONS[key] = Prediction(e.tokens_per_s, bandwidth_gbs, basis, e.file_size_gb)
    return _PREDICTIONS[key]


def gap_notes(predicted: float | None, measured: float | None) -> tuple[str, ...]:
    """Why the estimate and the run differ, in the direction they differ."""
    if not predicted or not measured:
        return ()
    common = ("Threads and build: llama.cpp uses the physical cores, and the prebuilt Linux/Windows wheel is "
              "compiled for any CPU (no AVX-512/AMX).",
              "Overhead: the client's figure also pays for HTTP and one JSON chunk per token; the server's figure "
              "is decode alone.")
    if predicted > measured:
        return ("Bandwidth is not all: each token also costs a fixed time (threads meeting, small kernels, "
                "sampling); for a small model that fixed time is a large share, so the bandwidth estimate is "
                "too high.",) + common
    return ("Bandwidth: the estimate uses a one-thread copy speed; llama.cpp's threads together read memory "
            "faster than one thread copies, so the estimate is too low.",) + common


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
        def tps(v):
            return "unknown" if v is None else f"{v:.1f} tokens/s"

        rows = [("engine", f"{self.engine}, {self.threads} threads (started in {self.startup_s} s)"),
                ("model", self.model_path),
                ("generated", f"{self.tokens} tokens ({self.tokens_from})"),
                ("first token", f"{self.measured_ttft_s:.3f} s"),
                ("measured", f"{tps(self.measured_tokens_per_s)} (seen by this client)"),
                ("server says", tps(self.server_tokens_per_s)),
                ("predicted", f"{tps(self.predicted_tokens_per_s)} ({self.prediction_basis})")]
        if self.prediction_error is not None:
            rows.append(("gap", f"{self.prediction_error:+.0%} (prediction vs the server's own figure)"
                         if self.server_tokens_per_s else f"{self.prediction_error:+.0%} (prediction vs measured)"))
        rows += [("note", n) for n in self.notes]
        return "\n".join(f"{k:<12} {v}" for k, v in rows)

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
    return (f"This machine was busy (load {load:.1f} on {cores} cores): llama.cpp's {threads} threads wait for "
            f"each other, so the run is slower than the machine can do; fewer threads (--threads 1) can be faster.",)


def measure_local(model: str | None = None, quant: str | None = None, max_tokens: int = 64,
                  prompt: str = DEFAULT_PROMPT, runs: int = 1, n_ctx: int = 2048, threads: int | None = None,
                  bandwidth_gbs: float | None = None, server: LocalServer | None = None,
                  progress: bool = False) -> RunReport:
    """Start llama.cpp on a model (default: SmolLM2-135M), time a generation, stop it; with the prediction."""
    from .gguf_models import resolve_model

    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= 4096:
        raise InvalidInput(f"max_tokens must be a whole number from 1 to 4096, not {max_tokens!r}.")
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= 50:
        raise InvalidInput(f"runs must be a whole number from 1 to 50, not {runs!r}.")
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInput("The prompt is empty; give a short question for the model.")
    if server is None:
        from .gguf_models import is_local_spec

        path = resolve_model(model) if model and is_local_spec(model) else None  # bad input first
        ok, why = engine_available()
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


def status() -> tuple[bool, str]:
    """(ready, one line): is the engine here, and is the default model already downloaded?"""
    from .gguf_models import SMOLLM2, cached_default_model

    ok, why = engine_available()
    if not ok:
        return False, why
    model = ("in the cache" if cached_default_model() else
             f"not downloaded yet ({SMOLLM2.size / 1e6:.0f} MB from PyPI, once, on the first run)")
    return True, f"llama.cpp is ready (xllamacpp {why}); the course's model {SMOLLM2.name}: {model}."
