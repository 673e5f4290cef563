"""Measure a real generation: time to first token, tokens per second, total time (median over runs).

Works with any Python callable ``generate(prompt, max_new_tokens)`` that returns text or yields
text chunks (streaming), and with any OpenAI-compatible server (llama.cpp's ``llama-server``,
Ollama, vLLM, hosted APIs) through :func:`openai_compatible`.

Tokens are counted the way the server counts them, best source first: ``usage.completion_tokens``
(requested with ``stream_options.include_usage``; it may come in a last chunk with
``"choices": []``), then llama.cpp's ``timings.predicted_n``, then ``max_tokens`` when the
generation stopped for ``finish_reason: "length"``; only then one token per streamed chunk
(approximate: many servers pack several tokens into one chunk). Reasoning deltas
(``reasoning_content`` / ``reasoning``) are generated tokens too; the first token of any kind and
the first answer token are timed separately.
"""
from __future__ import annotations

import http.client
import json
import socket
import statistics
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Iterator

from .errors import InvalidInput, TimingError  # noqa: F401 - TimingError is raised here, defined with the others
from .i18n import number, t


def start_hint() -> str:
    """How to start a server to time (in the language in force)."""
    return t("timing.start_hint")

# where a run's token count came from, best first
FROM_USAGE = "usage.completion_tokens"
FROM_TIMINGS = "llama.cpp timings.predicted_n"
FROM_LENGTH = "max_tokens (finish_reason length)"
FROM_CHUNKS = "one per chunk (approximate)"
FROM_WORDS = "whitespace words (approximate)"
FROM_COUNTER = "your count_tokens"
# what a learner reads for each source (the stored value stays the id above)
_FROM_KEYS = {FROM_USAGE: "usage", FROM_TIMINGS: "timings", FROM_LENGTH: "length", FROM_CHUNKS: "chunks",
              FROM_WORDS: "words", FROM_COUNTER: "counter"}


def source_label(source: str) -> str:
    """A token source as the learner reads it ('mixed: a, b' labels each part)."""
    if source.startswith("mixed: "):
        return t("timing.from.mixed", sources=", ".join(source_label(p) for p in source[7:].split(", ")))
    return t(f"timing.from.{_FROM_KEYS[source]}") if source in _FROM_KEYS else source


class ReasoningText(str):
    """A streamed piece of reasoning (``reasoning_content``/``reasoning``), not of the answer."""


@dataclass
class StreamStats:
    """What a server said about a generation besides its text (filled while the stream is read)."""

    completion_tokens: int | None = None
    predicted_n: int | None = None
    server_tokens_per_s: float | None = None
    finish_reason: str | None = None
    max_tokens: int | None = None
    prompt_tokens: int | None = None  # usage.prompt_tokens, else llama.cpp's timings.prompt_n + cache_n


class CompletionText(str):
    """The whole text of a non-streamed answer, with the server's figures in ``stats``."""

    stats: StreamStats


@dataclass(frozen=True)
class Run:
    ttft_s: float  # first token of any kind (reasoning or answer)
    total_s: float
    tokens: int
    tokens_per_s: float
    streamed: bool
    first_answer_s: float | None = None
    tokens_from: str = FROM_CHUNKS
    chunks: int = 0
    reasoning_chunks: int = 0
    server_tokens_per_s: float | None = None
    prompt_tokens: int | None = None  # as the server counted them, when it said


@dataclass(frozen=True)
class TimingResult:
    ttft_s: float
    tokens_per_s: float
    total_s: float
    tokens: int
    runs: tuple[Run, ...]
    method: str
    notes: tuple[str, ...] = ()
    first_answer_s: float | None = None
    tokens_from: str = FROM_CHUNKS
    approximate: bool = True
    server_tokens_per_s: float | None = None
    prompt_tokens: int | None = None  # the median of the runs' prompt tokens, when the server said

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_text(self) -> str:
        lines = [t("timing.result.ttft", seconds=number(self.ttft_s, ".3f"), runs=len(self.runs))]
        if self.first_answer_s is not None and self.first_answer_s - self.ttft_s > 0.0005:
            lines.append(t("timing.result.first_answer", seconds=number(self.first_answer_s, ".3f")))
        lines.append(t("timing.result.speed", speed=number(self.tokens_per_s, ".1f"))
                     + (t("timing.result.approximate") if self.approximate else ""))
        if self.server_tokens_per_s is not None:
            lines.append(t("timing.result.server", speed=number(self.server_tokens_per_s, ".1f")))
        lines += [t("timing.result.total", seconds=number(self.total_s, ".2f"), tokens=self.tokens,
                    source=source_label(self.tokens_from)),
                  t("timing.result.method", method=self.method), *self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(self.to_text()) + "</pre>"


def _words(text: str) -> int:
    return len(text.split())


def _count(stats: StreamStats | None, max_new_tokens: int, chunks: int) -> tuple[int, str]:
    """Token count and its source, best source first."""
    if stats is not None:
        if stats.completion_tokens is not None:
            return stats.completion_tokens, FROM_USAGE
        if stats.predicted_n is not None:
            return stats.predicted_n, FROM_TIMINGS
        if stats.finish_reason == "length":
            return stats.max_tokens or max_new_tokens, FROM_LENGTH
    return chunks, FROM_CHUNKS


def _one_run(generate: Callable, prompt: str, max_new_tokens: int, count_tokens: Callable[[str], int]) -> Run:
    start = time.perf_counter()
    result = generate(prompt, max_new_tokens)
    if isinstance(result, str):
        total = time.perf_counter() - start
        stats = getattr(result, "stats", None)
        tokens, source = _count(stats, max_new_tokens, 0)
        if source == FROM_CHUNKS:
            tokens, source = count_tokens(result), (FROM_WORDS if count_tokens is _words else FROM_COUNTER)
        return Run(total, total, tokens, tokens / total if total > 0 else 0.0, False, total, source,
                   server_tokens_per_s=stats.server_tokens_per_s if stats else None,
                   prompt_tokens=stats.prompt_tokens if stats else None)
    if not isinstance(result, Iterable):
        raise InvalidInput(t("timing.error.not_text", type=type(result).__name__))
    first = first_answer = None
    chunks = reasoning = 0
    for chunk in result:
        if not chunk:
            continue
        now = time.perf_counter()
        if first is None:
            first = now
        if isinstance(chunk, ReasoningText):
            reasoning += 1
        elif first_answer is None:
            first_answer = now
        chunks += 1
    end = time.perf_counter()
    if first is None:
        raise TimingError(t("timing.error.no_text"))
    stats = getattr(result, "stats", None)
    tokens, source = _count(stats, max_new_tokens, chunks)
    decode = end - first
    # tokens after the first chunk, assuming the chunks carry equal shares (exact with one token each)
    after_first = tokens * (chunks - 1) / chunks
    tps = after_first / decode if chunks > 1 and decode > 0 else 0.0
    return Run(first - start, end - start, tokens, tps, True,
               None if first_answer is None else first_answer - start, source, chunks, reasoning,
               stats.server_tokens_per_s if stats else None, stats.prompt_tokens if stats else None)


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def time_generation(generate: Callable[[str, int], Any], prompt: str = "Explain what a GGUF file is.",
                    max_new_tokens: int = 64, runs: int = 3,
                    count_tokens: Callable[[str], int] = _words, warmup: bool = False) -> TimingResult:
    """Time ``runs`` generations and report the medians."""
    if not callable(generate):
        raise InvalidInput(t("timing.error.not_callable"))
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1 or runs > 50:
        raise InvalidInput(t("timing.error.runs", value=repr(runs)))
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 1:
        raise InvalidInput(t("timing.error.max_new_tokens", value=repr(max_new_tokens)))
    if warmup:
        _one_run(generate, prompt, max_new_tokens, count_tokens)
    measured = tuple(_one_run(generate, prompt, max_new_tokens, count_tokens) for _ in range(runs))
    streamed = all(r.streamed for r in measured)
    sources = {r.tokens_from for r in measured}
    source = sources.pop() if len(sources) == 1 else "mixed: " + ", ".join(sorted({r.tokens_from for r in measured}))
    approximate = any(r.tokens_from in (FROM_CHUNKS, FROM_WORDS) for r in measured)
    notes = []
    if not streamed:
        notes.append(t("timing.note.not_streamed"))
    if streamed and any(r.chunks == 1 for r in measured):
        notes.append(t("timing.note.one_chunk"))
    if approximate and streamed:
        notes.append(t("timing.note.chunks_counted"))
    if any(r.reasoning_chunks for r in measured):
        notes.append(t("timing.note.reasoning"))
    method = t("timing.method.streamed" if streamed else "timing.method.whole", source=source_label(source))
    first_answer = _median(r.first_answer_s for r in measured)
    server_tps = _median(r.server_tokens_per_s for r in measured)
    prompt_tokens = _median(r.prompt_tokens for r in measured)
    return TimingResult(
        ttft_s=round(statistics.median(r.ttft_s for r in measured), 4),
        tokens_per_s=round(statistics.median(r.tokens_per_s for r in measured), 2),
        total_s=round(statistics.median(r.total_s for r in measured), 4),
        tokens=int(statistics.median(r.tokens for r in measured)), runs=measured, method=method,
        notes=tuple(notes), first_answer_s=None if first_answer is None else round(first_answer, 4),
        tokens_from=source, approximate=approximate,
        server_tokens_per_s=None if server_tps is None else round(server_tps, 2),
        prompt_tokens=None if prompt_tokens is None else int(prompt_tokens))


# --------------------------------------------------------------------------- OpenAI-compatible servers

def chat_url(base_url: str) -> str:
    """The /v1/chat/completions address of a base URL (with or without /v1)."""
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise InvalidInput(t("timing.error.base_url", value=repr(base_url), hint=start_hint()))
    url = base_url.strip().rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    if not url.endswith("/v1"):
        url += "/v1"
    return url + "/chat/completions"


def openai_compatible(base_url: str, model: str, api_key: str | None = None, timeout: float = 30.0,
                      stream: bool = True, read_timeout: float | None = None) -> Callable[[str, int], Any]:
    """A ``generate`` function for an OpenAI-compatible /v1/chat/completions endpoint.

    ``timeout`` is the wall-clock deadline of one whole generation (connect, wait, stream);
    ``read_timeout`` (default: ``timeout``) is how long a stream may stay silent midway.
    """
    url = chat_url(base_url)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise InvalidInput(t("timing.error.timeout", value=repr(timeout)))
    read_timeout = float(read_timeout or timeout)
    state = {"stream_options": stream}  # dropped for good if a server rejects the field

    def generate(prompt: str, max_new_tokens: int) -> str | Iterator[str]:
        doc = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_new_tokens,
               "stream": stream}
        if state["stream_options"]:
            doc["stream_options"] = {"include_usage": True}
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream" if stream else "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        call = _Call(url, json.dumps(doc).encode(), headers, float(timeout), read_timeout)
        try:
            response = call.open()
        except _Rejected as exc:
            if exc.status in (400, 422) and "stream_options" in exc.detail and state["stream_options"]:
                state["stream_options"] = False
                return generate(prompt, max_new_tokens)
            raise TimingError(t("timing.error.http", url=url, status=exc.status, detail=exc.detail or exc.reason,
                                model=repr(model))) from None
        return _read_response(call, response, max_new_tokens)

    return generate


class _Rejected(Exception):
    def __init__(self, status: int, reason: str, detail: str):
        super().__init__(status)
        self.status, self.reason, self.detail = status, reason, detail


class _Call:
    """One HTTP request with a wall-clock deadline: a watchdog shuts the socket when it passes."""

    def __init__(self, url: str, body: bytes, headers: dict, timeout: float, read_timeout: float):
        self.url, self.body, self.headers = url, body, headers
        self.timeout, self.read_timeout = timeout, min(read_timeout, timeout)
        self.deadline = time.monotonic() + timeout
        self.expired = False
        self.sock = None
        parts = urllib.parse.urlsplit(url)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.conn = cls(parts.hostname, parts.port, timeout=self.read_timeout)
        self.path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.watchdog = threading.Timer(timeout, self._expire)
        self.watchdog.daemon = True

    def _expire(self) -> None:
        self.expired = True
        sock = self.sock  # http.client drops conn.sock once the response owns it
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def fail(self, what: str) -> TimingError:
        """The error for a read that ended early: the deadline, a stall, or a dropped connection."""
        if self.expired or time.monotonic() >= self.deadline:
            return TimingError(t("timing.error.deadline", url=self.url, seconds=number(self.timeout, "g"),
                                 what=t(f"timing.while.{what}")))
        return TimingError(t("timing.error.stalled", url=self.url, seconds=number(self.read_timeout, "g"),
                             what=t(f"timing.while.{what}")))

    def open(self):
        self.watchdog.start()
        try:
            self.conn.connect()
            self.sock = self.conn.sock
            if self.expired:  # the deadline passed while connecting
                raise TimeoutError
            self.conn.request("POST", self.path, body=self.body, headers=self.headers)
            response = self.conn.getresponse()
        except (socket.timeout, TimeoutError):
            self.close()
            raise self.fail("first_byte") from None
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            if self.expired:
                raise self.fail("answer") from None
            raise TimingError(t("timing.error.unreachable", url=self.url, detail=str(exc), hint=start_hint())) from None
        if response.status >= 400:
            detail = response.read(300).decode("utf-8", "replace").strip()
            self.close()
            raise _Rejected(response.status, response.reason, detail)
        return response

    def close(self) -> None:
        self.watchdog.cancel()
        self.conn.close()


def _read_response(call: _Call, response, max_new_tokens: int) -> str | Iterator[str]:
    """The whole text for a non-streaming server, else an iterator over the streamed chunks."""
    ctype = response.getheader("Content-Type", "") or ""
    if "text/event-stream" in ctype:
        return _Stream(call, response, max_new_tokens)
    try:
        raw = response.read(2_000_000)
    except (OSError, http.client.HTTPException):
        raise call.fail("reading") from None
    finally:
        call.close()
    try:
        doc = json.loads(raw)
        choice = doc["choices"][0]
        text = CompletionText(str(choice["message"]["content"] or ""))
    except (ValueError, KeyError, IndexError, TypeError):
        raise TimingError(t("timing.error.not_chat", url=call.url, raw=repr(raw[:200]))) from None
    text.stats = StreamStats(max_tokens=max_new_tokens, finish_reason=choice.get("finish_reason"))
    _take_figures(doc, text.stats)
    return text


def _take_figures(doc: dict, stats: StreamStats) -> None:
    usage = doc.get("usage")
    if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
        stats.completion_tokens = usage["completion_tokens"]
    if isinstance(usage, dict) and isinstance(usage.get("prompt_tokens"), int):
        stats.prompt_tokens = usage["prompt_tokens"]
    timings = doc.get("timings")
    if isinstance(timings, dict):
        if isinstance(timings.get("predicted_n"), int):
            stats.predicted_n = timings["predicted_n"]
        if stats.prompt_tokens is None and isinstance(timings.get("prompt_n"), int):
            cached = timings.get("cache_n") if isinstance(timings.get("cache_n"), int) else 0
            stats.prompt_tokens = timings["prompt_n"] + cached
        if isinstance(timings.get("predicted_per_second"), (int, float)):
            stats.server_tokens_per_s = round(float(timings["predicted_per_second"]), 2)


class _Stream:
    """Iterates over the text of a server-sent-events stream; ``stats`` is filled as it goes."""

    def __init__(self, call: _Call, response, max_new_tokens: int):
        self.call, self.response = call, response
        self.stats = StreamStats(max_tokens=max_new_tokens)

    def __iter__(self) -> Iterator[str]:
        try:
            yield from self._pieces()
        finally:
            self.call.close()

    def _lines(self) -> Iterator[str]:
        while True:
            try:
                raw = self.response.readline(1_000_000)
            except (socket.timeout, TimeoutError):
                raise self.call.fail("midway") from None
            except (OSError, http.client.HTTPException):
                raise self.call.fail("dropped") from None
            if not raw:
                if self.call.expired:
                    raise self.call.fail("midway")
                return
            yield raw.decode("utf-8", "replace").strip()

    def _pieces(self) -> Iterator[str]:
        url, data_lines = self.call.url, 0
        for line in self._lines():
            if not line.startswith("data:"):
                continue  # blank lines, comments (":"), event:/id: fields
            payload = line[5:].strip()
            if payload == "[DONE]":
                return
            data_lines += 1
            try:
                doc = json.loads(payload)
            except ValueError:
                raise TimingError(t("timing.error.malformed", url=url, payload=repr(payload[:120]))) from None
            if not isinstance(doc, dict):
                raise TimingError(t("timing.error.malformed_object", url=url, payload=repr(payload[:120])))
            if "error" in doc and "choices" not in doc:
                raise TimingError(t("timing.error.midway", url=url, error=str(doc["error"])[:200]))
            _take_figures(doc, self.stats)
            choices = doc.get("choices")
            if choices is None or choices == []:
                continue  # e.g. the last chunk that carries only the usage
            if not isinstance(choices, list) or not isinstance(choices[0], dict):
                raise TimingError(t("timing.error.malformed_choices", url=url, payload=repr(payload[:120])))
            choice = choices[0]
            if choice.get("finish_reason"):
                self.stats.finish_reason = choice["finish_reason"]
            delta = choice.get("delta") if isinstance(choice.get("delta"), dict) else {}
            thought = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(thought, str) and thought:
                yield ReasoningText(thought)
            text = delta.get("content") or choice.get("text") or ""
            if isinstance(text, str) and text:
                yield text
        if not data_lines:
            raise TimingError(t("timing.error.no_data_lines", url=url))
