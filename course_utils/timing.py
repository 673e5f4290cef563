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
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Iterator

from .errors import InvalidInput, TimingError  # noqa: F401 - TimingError is raised here, defined with the others


START_HINT = ("Start one locally, e.g. `llama-server -m model.gguf --port 8080` (llama.cpp; base URL "
              "http://127.0.0.1:8080/v1) or `ollama serve` then `ollama pull llama3.2` (base URL "
              "http://127.0.0.1:11434/v1).")

# where a run's token count came from, best first
FROM_USAGE = "usage.completion_tokens"
FROM_TIMINGS = "llama.cpp timings.predicted_n"
FROM_LENGTH = "max_tokens (finish_reason length)"
FROM_CHUNKS = "one per chunk (approximate)"
FROM_WORDS = "whitespace words (approximate)"
FROM_COUNTER = "your count_tokens"


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_text(self) -> str:
        lines = [f"time to first token  {self.ttft_s:.3f} s (median of {len(self.runs)})"]
        if self.first_answer_s is not None and self.first_answer_s - self.ttft_s > 0.0005:
            lines.append(f"first answer token   {self.first_answer_s:.3f} s (after the reasoning)")
        lines.append(f"decode speed         {self.tokens_per_s:.1f} tokens/s"
                     + (" (approximate)" if self.approximate else ""))
        if self.server_tokens_per_s is not None:
            lines.append(f"server's own figure  {self.server_tokens_per_s:.1f} tokens/s")
        lines += [f"total                {self.total_s:.2f} s for {self.tokens} tokens ({self.tokens_from})",
                  f"method: {self.method}", *self.notes]
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
                   server_tokens_per_s=stats.server_tokens_per_s if stats else None)
    if not isinstance(result, Iterable):
        raise InvalidInput(f"generate() must return text or yield text chunks, not {type(result).__name__}.")
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
        raise TimingError("The generation produced no text, so there is nothing to time.")
    stats = getattr(result, "stats", None)
    tokens, source = _count(stats, max_new_tokens, chunks)
    decode = end - first
    # tokens after the first chunk, assuming the chunks carry equal shares (exact with one token each)
    after_first = tokens * (chunks - 1) / chunks
    tps = after_first / decode if chunks > 1 and decode > 0 else 0.0
    return Run(first - start, end - start, tokens, tps, True,
               None if first_answer is None else first_answer - start, source, chunks, reasoning,
               stats.server_tokens_per_s if stats else None)


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def time_generation(generate: Callable[[str, int], Any], prompt: str = "Explain what a GGUF file is.",
                    max_new_tokens: int = 64, runs: int = 3,
                    count_tokens: Callable[[str], int] = _words, warmup: bool = False) -> TimingResult:
    """Time ``runs`` generations and report the medians."""
    if not callable(generate):
        raise InvalidInput("generate must be a function: generate(prompt, max_new_tokens) -> text or chunks.")
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1 or runs > 50:
        raise InvalidInput(f"runs must be a whole number from 1 to 50, not {runs!r}.")
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 1:
        raise InvalidInput(f"max_new_tokens must be a positive whole number, not {max_new_tokens!r}.")
    if warmup:
        _one_run(generate, prompt, max_new_tokens, count_tokens)
    measured = tuple(_one_run(generate, prompt, max_new_tokens, count_tokens) for _ in range(runs))
    streamed = all(r.streamed for r in measured)
    sources = {r.tokens_from for r in measured}
    source = sources.pop() if len(sources) == 1 else "mixed: " + ", ".join(sorted({r.tokens_from for r in measured}))
    approximate = any(r.tokens_from in (FROM_CHUNKS, FROM_WORDS) for r in measured)
    notes = []
    if not streamed:
        notes.append("The output was not streamed: time to first token equals the total time.")
    if streamed and any(r.chunks == 1 for r in measured):
        notes.append("The whole answer came in one chunk, so the decode speed after the first token is unknown.")
    if approximate and streamed:
        notes.append("The server did not say how many tokens it generated: each chunk was counted as one token.")
    if any(r.reasoning_chunks for r in measured):
        notes.append("Reasoning tokens count as generated tokens; the first answer token came after them.")
    method = (f"streamed; tokens from {source}; tokens/s = tokens after the first chunk / time after it"
              if streamed else f"whole text; tokens from {source}; tokens/s = tokens / total time")
    first_answer = _median(r.first_answer_s for r in measured)
    server_tps = _median(r.server_tokens_per_s for r in measured)
    return TimingResult(
        ttft_s=round(statistics.median(r.ttft_s for r in measured), 4),
        tokens_per_s=round(statistics.median(r.tokens_per_s for r in measured), 2),
        total_s=round(statistics.median(r.total_s for r in measured), 4),
        tokens=int(statistics.median(r.tokens for r in measured)), runs=measured, method=method,
        notes=tuple(notes), first_answer_s=None if first_answer is None else round(first_answer, 4),
        tokens_from=source, approximate=approximate,
        server_tokens_per_s=None if server_tps is None else round(server_tps, 2))


# --------------------------------------------------------------------------- OpenAI-compatible servers

def chat_url(base_url: str) -> str:
    """The /v1/chat/completions address of a base URL (with or without /v1)."""
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise InvalidInput(f"The base URL must start with http:// or https://, not {base_url!r}. {START_HINT}")
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
        raise InvalidInput(f"timeout must be a positive number of seconds, not {timeout!r}.")
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
            raise TimingError(f"{url} answered HTTP {exc.status}: {exc.detail or exc.reason}. Check the model name "
                              f"({model!r}) and the server's log.") from None
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
            return TimingError(f"{self.url} did not finish within {self.timeout:g} s ({what}). Try fewer tokens, "
                               f"a smaller model, or a longer timeout.")
        return TimingError(f"The stream from {self.url} stalled: no data for {self.read_timeout:g} s ({what}).")

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
            raise self.fail("waiting for the first byte") from None
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            if self.expired:
                raise self.fail("waiting for the answer") from None
            raise TimingError(f"Could not reach {self.url} ({exc}). {START_HINT}") from None
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
        raise call.fail("reading the answer") from None
    finally:
        call.close()
    try:
        doc = json.loads(raw)
        choice = doc["choices"][0]
        text = CompletionText(str(choice["message"]["content"] or ""))
    except (ValueError, KeyError, IndexError, TypeError):
        raise TimingError(f"{call.url} did not stream and its answer is not a chat completion: {raw[:200]!r}") from None
    text.stats = StreamStats(max_tokens=max_new_tokens, finish_reason=choice.get("finish_reason"))
    _take_figures(doc, text.stats)
    return text


def _take_figures(doc: dict, stats: StreamStats) -> None:
    usage = doc.get("usage")
    if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
        stats.completion_tokens = usage["completion_tokens"]
    timings = doc.get("timings")
    if isinstance(timings, dict):
        if isinstance(timings.get("predicted_n"), int):
            stats.predicted_n = timings["predicted_n"]
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
                raise self.call.fail("midway through the stream") from None
            except (OSError, http.client.HTTPException):
                raise self.call.fail("the connection dropped midway") from None
            if not raw:
                if self.call.expired:
                    raise self.call.fail("midway through the stream")
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
                raise TimingError(f"Malformed chunk in the stream from {url}: {payload[:120]!r}") from None
            if not isinstance(doc, dict):
                raise TimingError(f"Malformed chunk in the stream from {url} (not a JSON object): {payload[:120]!r}")
            if "error" in doc and "choices" not in doc:
                raise TimingError(f"{url} reported an error midway: {str(doc['error'])[:200]}")
            _take_figures(doc, self.stats)
            choices = doc.get("choices")
            if choices is None or choices == []:
                continue  # e.g. the last chunk that carries only the usage
            if not isinstance(choices, list) or not isinstance(choices[0], dict):
                raise TimingError(f"Malformed chunk in the stream from {url} (choices must be a list of objects): "
                                  f"{payload[:120]!r}")
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
            raise TimingError(f"{url} said it would stream but sent no 'data:' lines; is it an OpenAI-compatible "
                              f"server?")
