"""Measure a real generation: time to first token, tokens per second, total time (median over runs).

Works with any Python callable ``generate(prompt, max_new_tokens)`` that returns text or yields
text chunks (streaming), and with any OpenAI-compatible server (llama.cpp's ``llama-server``,
Ollama, vLLM) through :func:`openai_compatible`. With streaming, each chunk counts as one token
(these servers send one token per chunk) and tokens/s is the decode rate after the first token;
with plain text, tokens are counted by ``count_tokens`` (default: whitespace words, approximate).
"""
from __future__ import annotations

import json
import statistics
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Iterator

from .errors import CourseError, InvalidInput


class TimingError(CourseError):
    """The generation could not be measured (server down, HTTP error, bad stream)."""


START_HINT = ("Start one locally, e.g. `llama-server -m model.gguf --port 8080` (llama.cpp; base URL "
              "http://127.0.0.1:8080/v1) or `ollama serve` then `ollama pull llama3.2` (base URL "
              "http://127.0.0.1:11434/v1).")


@dataclass(frozen=True)
class Run:
    ttft_s: float
    total_s: float
    tokens: int
    tokens_per_s: float
    streamed: bool


@dataclass(frozen=True)
class TimingResult:
    ttft_s: float
    tokens_per_s: float
    total_s: float
    tokens: int
    runs: tuple[Run, ...]
    method: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_text(self) -> str:
        return "\n".join([f"time to first token  {self.ttft_s:.3f} s (median of {len(self.runs)})",
                          f"decode speed         {self.tokens_per_s:.1f} tokens/s",
                          f"total                {self.total_s:.2f} s for {self.tokens} tokens", f"method: {self.method}",
                          *self.notes])

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(self.to_text()) + "</pre>"


def _words(text: str) -> int:
    return len(text.split())


def _one_run(generate: Callable, prompt: str, max_new_tokens: int, count_tokens: Callable[[str], int]) -> Run:
    start = time.perf_counter()
    result = generate(prompt, max_new_tokens)
    if isinstance(result, str):
        total = time.perf_counter() - start
        tokens = count_tokens(result)
        return Run(total, total, tokens, tokens / total if total > 0 else 0.0, False)
    if not isinstance(result, Iterable):
        raise InvalidInput(f"generate() must return text or yield text chunks, not {type(result).__name__}.")
    first = None
    chunks = 0
    for chunk in result:
        if not chunk:
            continue
        if first is None:
            first = time.perf_counter()
        chunks += 1
    end = time.perf_counter()
    if first is None:
        raise TimingError("The generation produced no text, so there is nothing to time.")
    decode = end - first
    tps = (chunks - 1) / decode if chunks > 1 and decode > 0 else 0.0
    return Run(first - start, end - start, chunks, tps, True)


def time_generation(generate: Callable[[str, int], Any], prompt: str = "Explain what a GGUF file is.",
                    max_new_tokens: int = 64, runs: int = 3,
                    count_tokens: Callable[[str], int] = _words, warmup: bool = False) -> TimingResult:
    """Time ``runs`` generations and report the medians."""
    if not callable(generate):
        raise InvalidInput("generate must be a function: generate(prompt, max_new_tokens) -> text or chunks.")
    if not isinstance(runs, int) or runs < 1 or runs > 50:
        raise InvalidInput(f"runs must be a whole number from 1 to 50, not {runs!r}.")
    if not isinstance(max_new_tokens, int) or max_new_tokens < 1:
        raise InvalidInput(f"max_new_tokens must be a positive whole number, not {max_new_tokens!r}.")
    if warmup:
        _one_run(generate, prompt, max_new_tokens, count_tokens)
    measured = tuple(_one_run(generate, prompt, max_new_tokens, count_tokens) for _ in range(runs))
    streamed = all(r.streamed for r in measured)
    notes = []
    if not streamed:
        notes.append("The output was not streamed: time to first token equals the total time, and tokens are "
                     + ("counted by your count_tokens." if count_tokens is not _words else
                        "approximated by whitespace words."))
    method = ("streamed chunks (one token each); tokens/s = (tokens - 1) / time after the first token"
              if streamed else "whole text; tokens/s = tokens / total time")
    return TimingResult(
        ttft_s=round(statistics.median(r.ttft_s for r in measured), 4),
        tokens_per_s=round(statistics.median(r.tokens_per_s for r in measured), 2),
        total_s=round(statistics.median(r.total_s for r in measured), 4),
        tokens=int(statistics.median(r.tokens for r in measured)), runs=measured, method=method,
        notes=tuple(notes))


def openai_compatible(base_url: str, model: str, api_key: str | None = None, timeout: float = 30.0,
                      stream: bool = True) -> Callable[[str, int], Iterator[str]]:
    """A ``generate`` function for an OpenAI-compatible /v1/chat/completions endpoint."""
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise InvalidInput(f"The base URL must start with http:// or https://, not {base_url!r}. {START_HINT}")
    url = base_url.rstrip("/")
    if not url.endswith("/v1"):
        url += "/v1"
    url += "/chat/completions"

    def generate(prompt: str, max_new_tokens: int) -> str | Iterator[str]:
        body = json.dumps({"model": model, "messages": [{"role": "user", "content": prompt}],
                           "max_tokens": max_new_tokens, "stream": stream}).encode()
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - user-chosen local server
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace").strip()
            raise TimingError(f"{url} answered HTTP {exc.code}: {detail or exc.reason}. Check the model name "
                              f"({model!r}) and the server's log.") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TimingError(f"Could not reach {url} ({reason}). {START_HINT}") from None
        return _read_response(response, url)

    return generate


def _read_response(response, url: str) -> str | Iterator[str]:
    """The whole text for a non-streaming server, else an iterator over the streamed chunks."""
    ctype = response.headers.get("Content-Type", "")
    if "text/event-stream" in ctype:
        return _stream_chunks(response, url)
    with response:
        raw = response.read()
    try:
        doc = json.loads(raw)
        return str(doc["choices"][0]["message"]["content"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise TimingError(f"{url} did not stream and its answer is not a chat completion: {raw[:200]!r}") from None


def _stream_chunks(response, url: str) -> Iterator[str]:
    with response:
        for raw_line in response:
            line = raw_line.decode("utf-8", "replace").strip()
            if not line or line.startswith(":"):
                continue
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                return
            try:
                doc = json.loads(payload)
                choice = doc["choices"][0]
            except (ValueError, KeyError, IndexError, TypeError):
                raise TimingError(f"Malformed chunk in the stream from {url}: {payload[:120]!r}") from None
            delta = choice.get("delta") or {}
            text = delta.get("content") or choice.get("text") or ""
            if text:
                yield text
