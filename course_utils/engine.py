"""A real llama.cpp server on this machine: start it, measure a generation, always stop it.

llama.cpp's own HTTP server comes from the ``xllamacpp`` wheel (``pip install xllamacpp gguf``, the extra ``run``;
MIT; prebuilt for Linux x86_64/aarch64, macOS and Windows x86_64). It runs in a child process on
127.0.0.1 and a free port, so stopping it is certain: the context manager closes the child's stdin
(the child then shuts the server down), waits, and kills it if need be. If this process dies, the
closed pipe stops the child too. Measuring goes through the same harness as any other server
(:func:`course_utils.timing.openai_compatible`); :mod:`course_utils.local_run` puts the
prediction beside it.

    with LocalServer(path) as server:
        result = time_generation(server.generate(), max_new_tokens=64)
"""
from __future__ import annotations

import atexit
import json
import os
import platform
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import weakref
from pathlib import Path
from typing import Any

from . import extras
from .errors import EngineUnavailable, InvalidInput
from .hardware import llama_cpp_threads
from .i18n import number, t
from .timing import openai_compatible

ENGINE = "llama.cpp (xllamacpp)"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0


def no_wheel() -> str:
    """Where the engine's wheels exist, and what to do elsewhere (in the language in force)."""
    return t("timing.engine.no_wheel")

_WHEEL_PLATFORMS = {("Linux", "x86_64"), ("Linux", "aarch64"), ("Darwin", "arm64"), ("Darwin", "x86_64"),
                    ("Windows", "AMD64")}


def availability() -> tuple[str, str]:
    """("ready", version), or ("not_installed" | "no_wheel" | "broken", what to do): the engine's state here."""
    try:
        import xllamacpp
    except ImportError:
        if (platform.system(), platform.machine()) not in _WHEEL_PLATFORMS:
            return "no_wheel", t("timing.engine.no_engine", system=platform.system(), machine=platform.machine(),
                                 hint=no_wheel())
        return "not_installed", t("timing.engine.not_installed", pip=extras.pip_install(extras.RUN))
    except Exception as exc:  # noqa: BLE001 - a broken native wheel
        return "broken", t("timing.engine.broken", error=f"{type(exc).__name__}: {exc}", hint=no_wheel())
    return "ready", str(getattr(xllamacpp, "__version__", ""))


def engine_available() -> tuple[bool, str]:
    """(True, version) when xllamacpp imports here, else (False, what to do)."""
    state, detail = availability()
    return state == "ready", detail


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
                 ready_timeout: float = READY_TIMEOUT_S, verbose: bool = False, kv_type: str = "F16"):
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise InvalidInput(t("timing.engine.no_gguf", path=str(self.model_path)))
        self.n_ctx, self.threads = int(n_ctx), int(threads or llama_cpp_threads())
        self.ready_timeout = ready_timeout
        self.verbose = bool(verbose)  # llama.cpp's info lines in the log (its KV cache sizes: kv_cache_bytes)
        from .fit import check_kv_type

        self.kv_type = check_kv_type(kv_type)  # the K and V cache type (llama.cpp's -ctk/-ctv): F16, Q8_0, Q4_0
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
        """Start the server; on a server already running, nothing (a second child would be left behind)."""
        if self.running:
            return self
        if self.proc is not None:  # a child that ended: close its pipes and remove its log first
            self.stop()
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
        # the child imports this very package, wherever it was imported from
        here = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])))
        self.proc = subprocess.Popen([sys.executable, "-m", "course_utils._llama_child"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=log, env=env, **kwargs)
        log.close()
        _LIVE.add(self)
        weakref.finalize(self, _stop, self.proc)
        try:
            self.proc.stdin.write((json.dumps({"model": str(self.model_path), "n_ctx": self.n_ctx,
                                               "threads": self.threads, "verbose": self.verbose,
                                               "kv_type": self.kv_type}) + "\n").encode())
            self.proc.stdin.flush()
            reply = self._read_reply(t0 + self.ready_timeout)
            if "error" in reply:
                raise EngineUnavailable(t("timing.engine.could_not_load", name=self.model_path.name,
                                          error=reply["error"], log=self._log_tail()))
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
            raise EngineUnavailable(t("timing.engine.start_timeout", seconds=number(self.ready_timeout, "g"),
                                      log=self._log_tail())) from None
        try:
            return json.loads(raw)
        except ValueError:
            raise EngineUnavailable(t("timing.engine.stopped_starting", log=self._log_tail())) from None

    def _wait_healthy(self, deadline: float) -> None:
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as r:  # noqa: S310 - our own child
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.perf_counter() > deadline or self.proc.poll() is not None:
                raise EngineUnavailable(t("timing.engine.never_ready", log=self._log_tail()))
            time.sleep(0.1)

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text("utf-8", "replace").strip().splitlines()
        except (OSError, AttributeError):
            return ""
        errors = [ln for ln in lines if " E " in ln or "error" in ln.lower()]
        return f" ({(errors or lines or [''])[-1].strip()[:200]})" if lines else ""

    def kv_cache_bytes(self) -> float | None:
        """The KV cache llama.cpp allocated, as its log states it (needs ``verbose=True``): the sum of its
        ``llama_kv_cache: size = X MiB (N cells, L layers, ...)`` lines (one per cache: a model with
        sliding-window layers has two) for the last context it built (it builds a trial one first to fit
        the parameters to memory). None when the log has no such line."""
        return self._logged_mib(r"llama_kv_cache: size =\s*([0-9.]+) MiB \(")

    def recurrent_state_bytes(self) -> float | None:
        """The recurrent state llama.cpp allocated for a hybrid's recurrent layers, as its log states it
        (needs ``verbose=True``): its ``llama_memory_recurrent: size = X MiB`` line for the last context.
        None when the log has none (a model without recurrent layers)."""
        return self._logged_mib(r"llama_memory_recurrent: size =\s*([0-9.]+) MiB \(")

    def _logged_mib(self, pattern: str) -> float | None:
        """The sum, in bytes, of the sizes ``pattern`` finds in the log of the last context llama.cpp built."""
        try:
            text = self.log_path.read_text("utf-8", "replace")
        except (OSError, AttributeError):
            return None
        text = text.split("llama_context: constructing llama_context")[-1]
        sizes = [float(m) for m in re.findall(pattern, text)]
        return sum(sizes) * 2**20 if sizes else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def base_url(self) -> str:
        if not self.url:
            raise EngineUnavailable(t("timing.engine.not_running"))
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


def status() -> tuple[bool, str]:
    """(ready, one line): is the engine here, and is the default model already downloaded?"""
    from .gguf_models import SMOLLM2, cached_default_model

    ok, why = engine_available()
    if not ok:
        return False, why
    model = (t("timing.engine.model_cached") if cached_default_model() else
             t("timing.engine.model_not_downloaded", mb=number(SMOLLM2.size / 1e6, ".0f")))
    return True, t("timing.engine.ready", version=why, name=SMOLLM2.name, model=model)
