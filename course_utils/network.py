"""Is the Hub reachable? A short, bounded probe used before any live call."""
from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .settings import get_settings

_CACHE: dict[str, tuple[float, "Reachability"]] = {}
_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class Reachability:
    online: bool
    reason: str  # why we think so, shown to the user


def hub_reachability(use_cache: bool = True) -> Reachability:
    """Online unless forced offline or a TCP connect to the Hub endpoint fails within the timeout."""
    s = get_settings()
    if s.offline:
        return Reachability(False, f"offline mode ({s.offline_reason})")
    now = time.monotonic()
    hit = _CACHE.get(s.endpoint)
    if use_cache and hit and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    parts = urlsplit(s.endpoint)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=s.connect_timeout_s):
            result = Reachability(True, f"{host}:{port} answered")
    except OSError as exc:
        result = Reachability(False, f"cannot reach {host}:{port} ({exc.__class__.__name__})")
    _CACHE[s.endpoint] = (now, result)
    return result
