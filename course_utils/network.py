"""Is the Hub reachable? A bounded probe, and the session's memory of Hub failures.

After a lookup times out or the connection is refused, :func:`remember_failure` records it:
for ``COURSE_UTILS_HUB_RETRY`` seconds every lookup answers from the snapshot at once
(:func:`live_allowed` says why), then the Hub is tried again. Nothing here waits longer than
its deadline: :func:`call_within` runs a blocking call (DNS included) in a daemon thread.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable
from urllib.parse import urlsplit

from .i18n import number, t
from .settings import get_settings

# endpoint -> (monotonic time, what we know). Successful probes are trusted for _CACHE_SECONDS,
# failures for the COURSE_UTILS_HUB_RETRY setting. Tests clear it with _CACHE.clear().
_CACHE: dict[str, tuple[float, "Reachability"]] = {}
_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class Reachability:
    online: bool
    reason: str  # why we think so, shown to the user


class DeadlineExceeded(Exception):
    """:func:`call_within` gave up waiting."""


def call_within(fn: Callable[[], Any], seconds: float) -> Any:
    """``fn()``'s result or exception, or :class:`DeadlineExceeded` after ``seconds`` (``fn`` is left
    to finish in a daemon thread; give it its own timeouts so it does)."""
    box: dict[str, Any] = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=run, name="course-utils-hub", daemon=True)
    worker.start()
    worker.join(max(0.0, seconds))
    if worker.is_alive():
        raise DeadlineExceeded(t("network.no_answer", seconds=number(seconds, "g")))
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _clock() -> str:
    return datetime.now().strftime("%H:%M:%S")


def remember_failure(what: str) -> None:
    """The Hub just failed us (``what``: e.g. "no answer within 4 s"); skip it for a while."""
    s = get_settings()
    _CACHE[s.endpoint] = (time.monotonic(), Reachability(False, t("network.failed_at", what=what, clock=_clock())))


def remember_success() -> None:
    _CACHE[get_settings().endpoint] = (time.monotonic(), Reachability(True, t("network.answered")))


def _known(endpoint: str, retry_s: float) -> tuple[Reachability, float] | None:
    """What the session knows about ``endpoint`` and for how many more seconds it holds."""
    hit = _CACHE.get(endpoint)
    if not hit:
        return None
    left = (_CACHE_SECONDS if hit[1].online else retry_s) - (time.monotonic() - hit[0])
    return (hit[1], left) if left > 0 else None


def live_allowed() -> Reachability:
    """May a lookup try the Hub now? No network: only the settings and the session's memory."""
    s = get_settings()
    if s.offline:
        return Reachability(False, t("network.offline_mode", reason=s.offline_reason))
    if s.endpoint_error:
        return Reachability(False, s.endpoint_error)
    known = _known(s.endpoint, s.hub_retry_s)
    if known is not None and not known[0].online:
        return Reachability(False, t("network.retry_in", reason=known[0].reason, seconds=number(known[1], ".0f")))
    return Reachability(True, "")


def hub_reachability(use_cache: bool = True) -> Reachability:
    """Online unless forced offline, remembered as failing, or a TCP connect fails within the timeout."""
    s = get_settings()
    allowed = live_allowed()
    if not allowed.online and (use_cache or s.offline or s.endpoint_error):
        return allowed
    known = _known(s.endpoint, s.hub_retry_s)
    if use_cache and known is not None:
        return known[0]
    parts = urlsplit(s.endpoint)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)

    def connect():
        with socket.create_connection((host, port), timeout=s.connect_timeout_s):
            return None

    try:
        call_within(connect, s.connect_timeout_s + 0.5)  # + DNS, which the socket timeout does not cover
        result = Reachability(True, t("network.host_answered", host=host, port=port))
    except DeadlineExceeded:
        result = Reachability(False, t("network.cannot_reach_timeout", host=host, port=port,
                                       seconds=number(s.connect_timeout_s, "g")))
    except OSError as exc:
        result = Reachability(False, t("network.cannot_reach", host=host, port=port, error=exc.__class__.__name__))
    _CACHE[s.endpoint] = (time.monotonic(), result)
    return result
