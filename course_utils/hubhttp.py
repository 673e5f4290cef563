"""One GET to the Hub under one wall-clock deadline, with a capped body.

The whole call (DNS, connect, TLS, redirects, headers, and a body that may trickle in)
runs in a daemon thread that the caller waits for at most ``COURSE_UTILS_TIMEOUT``
(4 s). Inside, the request's timeouts are the time left, the body is read in chunks and
dropped past the deadline or past ``HUB_MAX_BODY_BYTES``. A timeout or a refused
connection is remembered (:mod:`course_utils.network`), so the next lookups answer from
the snapshot at once.

It uses huggingface_hub's shared HTTP client (httpx2 in huggingface_hub 2.x, httpx in
1.x: same ``stream`` API; proxies and the offline switch come with it) but builds the
headers itself: huggingface_hub's ``build_hf_headers`` may first fetch
``/api/agent-harnesses`` (up to 3 s) to fill the user agent, which must not count
against a learner's lookup.
"""
from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from typing import Any

from . import __version__, network
from .i18n import number, t
from .settings import get_settings


@dataclass(frozen=True)
class HubReply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    url: str  # after redirects

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class HubDown(Exception):
    """No usable answer came (timeout, refused, trickling, too big); the message says which."""


class _TooBig(Exception):
    pass


def hf_module(name: str):
    """Import a huggingface_hub module even when HF_ENDPOINT is malformed (it parses the variable
    at import and a bad IPv6 address raises there); the course does not use that address then."""
    if name in sys.modules or "huggingface_hub.constants" in sys.modules or not get_settings().endpoint_error:
        return importlib.import_module(name)
    saved = os.environ.pop("HF_ENDPOINT", None)
    try:
        return importlib.import_module(name)
    finally:
        if saved is not None:
            os.environ["HF_ENDPOINT"] = saved


def _headers() -> dict[str, str]:
    hf = hf_module("huggingface_hub")
    constants = hf_module("huggingface_hub.constants")
    agent = f"course-utils/{__version__}; hf_hub/{hf.__version__}; python/{platform.python_version()}"
    headers = {"user-agent": agent}
    token = None if constants.HF_HUB_DISABLE_IMPLICIT_TOKEN else hf.get_token()
    if token:
        headers["authorization"] = f"Bearer {token}"
    return headers


def _fetch(url: str, params: Any, headers: dict, deadline: float, cap: int, progress: dict) -> HubReply:
    session = hf_module("huggingface_hub.utils").get_session()
    left = max(0.05, deadline - time.monotonic())
    with session.stream("GET", url, params=params, headers=headers, timeout=left, follow_redirects=True) as r:
        progress["status"] = r.status_code
        length = r.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            raise _TooBig()
        chunks, size = [], 0
        for chunk in r.iter_bytes():
            size += len(chunk)
            progress["bytes"] = size
            if size > cap:
                raise _TooBig()
            if time.monotonic() > deadline:  # the caller has stopped waiting: stop reading
                break
            chunks.append(chunk)
        return HubReply(r.status_code, {k.lower(): v for k, v in r.headers.items()}, b"".join(chunks), str(r.url))


def _network_failure(exc: BaseException, timeout: float) -> str | None:
    """What a network exception means, in words; None when it is not a network error."""
    names = [c.__name__ for c in type(exc).__mro__]
    modules = {c.__module__.split(".")[0] for c in type(exc).__mro__}
    if not (isinstance(exc, OSError) or modules & {"httpx", "httpx2", "httpcore", "httpcore2"}):
        return None
    text = str(exc).lower()
    if any("Timeout" in n for n in names) or "timed out" in text:
        return t("network.hub_no_answer", seconds=number(timeout, "g"))
    if "refused" in text or "ConnectionRefusedError" in names:
        return t("network.hub_refused")
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return t("network.hub_dns")
    if "OfflineModeIsEnabled" in names:
        return t("network.hf_offline")
    return t("network.hub_failed", error=type(exc).__name__)


def get(path: str, params: Any = None) -> HubReply:
    """GET ``{endpoint}{path}`` within the deadline; raises :class:`HubDown` (and remembers it)."""
    s = get_settings()
    # Not part of the Hub's time: a first import can take seconds, and on Colab reading the token
    # may wait for the learner to allow access to the HF_TOKEN secret.
    hf_module("huggingface_hub.utils")
    headers = _headers()
    timeout, progress = s.hub_timeout_s, {}
    deadline = time.monotonic() + timeout
    try:
        reply = network.call_within(
            lambda: _fetch(s.endpoint + path, params, headers, deadline, s.hub_max_bytes, progress), timeout)
    except network.DeadlineExceeded:
        if "status" not in progress:
            what = t("network.hub_no_answer", seconds=number(timeout, "g"))
        else:
            what = t("network.hub_trickling", seconds=number(timeout, "g"), bytes=number(progress.get('bytes', 0), ","))
        network.remember_failure(what)
        raise HubDown(what) from None
    except _TooBig:
        raise HubDown(t("network.hub_too_big", mb=s.hub_max_bytes // 2**20)) from None
    except Exception as exc:  # noqa: BLE001 - httpx or httpx2 errors, depending on the version
        what = _network_failure(exc, timeout)
        if what is None:
            raise
        network.remember_failure(what)
        raise HubDown(what) from None
    if time.monotonic() > deadline:  # the worker stopped reading at the deadline
        what = t("network.hub_late", seconds=number(timeout, "g"))
        network.remember_failure(what)
        raise HubDown(what)
    network.remember_success()
    return reply
