"""Every knob of the package in one place, read from environment variables.

| variable | meaning | default |
| --- | --- | --- |
| ``COURSE_UTILS_OFFLINE`` or ``HF_HUB_OFFLINE`` | never touch the network | off |
| ``COURSE_UTILS_TIMEOUT`` | wall-clock seconds for one whole Hub lookup (retries, redirects, body) | 4 |
| ``COURSE_UTILS_CONNECT_TIMEOUT`` | seconds for the reachability probe | 1.5 |
| ``COURSE_UTILS_HUB_RETRY`` | after a Hub timeout or refusal, seconds before the Hub is tried again | 120 |
| ``COURSE_UTILS_DATA_DIR`` | folder with the shipped data files | the package's own |
| ``COURSE_UTILS_ANSWERS_DIR`` | where answers are saved | ``/content/answers`` on Colab, else ``./answers`` |
| ``HF_ENDPOINT`` | Hub address (tests point it at a local fake) | https://huggingface.co |
| ``COURSE_UTILS_DEBUG`` | the CLI prints a traceback for an unexpected error | off |
| ``COURSE_UTILS_MODELS_DIR`` | where GGUF models for ``course-utils run`` are cached | the user cache, ``course-utils/models`` |

Call :func:`get_settings` each time: it reads the environment afresh, so tests
and notebooks can change a variable without re-importing anything. A value that
cannot be used is never fatal: a :class:`~course_utils.errors.CourseWarning` says so
(once per value) and the default is used; a malformed ``HF_ENDPOINT`` keeps the
course on the shipped snapshot.
"""
from __future__ import annotations

import math
import os
import sys
import warnings
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

_TRUE = {"1", "true", "yes", "on"}
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ENDPOINT = "https://huggingface.co"
HUB_MAX_BODY_BYTES = 16 * 2**20  # a model record is ~10 KB; a 500-model search answer ~2 MB
MAX_SECONDS = 600.0
_WARNED: set[str] = set()  # messages already shown in this session


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def warn_once(message: str) -> None:
    """Show a :class:`CourseWarning` the first time ``message`` comes up in this process."""
    if message not in _WARNED:
        from .errors import CourseWarning

        _WARNED.add(message)  # shown as one line: no source line of this module under it
        warnings.warn_explicit(message, CourseWarning, filename="course_utils", lineno=0, module="course_utils")


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (0 < value <= MAX_SECONDS):
        warn_once(f"{name}={raw!r} is not a number of seconds between 0 and {MAX_SECONDS:g}: "
                  f"using the default, {default:g} s.")
        return default
    return value


def endpoint_problem(raw: str) -> str:
    """Why ``raw`` cannot be used as the Hub address ("" when it can)."""
    try:
        parts = urlsplit(raw)
    except ValueError:  # urllib's only complaint here: an unclosed IPv6 bracket
        return "an IPv6 address must be in closed brackets, e.g. http://[::1]:8080"
    try:
        port = parts.port
    except ValueError:
        return "the port must be a whole number from 1 to 65535"
    if parts.scheme not in ("http", "https"):
        return "it must start with http:// or https://"
    if not parts.hostname:
        return "it has no host name"
    if port == 0:
        return "the port must be a whole number from 1 to 65535"
    return ""


def in_colab() -> bool:
    """True inside a Google Colab kernel."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def _default_data_dir() -> Path:
    shipped = PACKAGE_DIR / "_shipped_data"  # inside an installed wheel
    if shipped.is_dir():
        return shipped
    return PACKAGE_DIR.parent / "data"  # a source checkout or an editable install


def _default_models_dir() -> Path:
    if in_colab():
        return Path("/content/models")
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "course-utils" / "models"


def _default_answers_dir() -> Path:
    if in_colab():
        return Path("/content/answers")
    here = Path.cwd()
    if here.name in ("fr",):  # a language edition's folder (notebooks/fr): the same answers as notebooks/
        return here.parent / "answers"
    return here / "answers"


@dataclass(frozen=True)
class Settings:
    offline: bool
    offline_reason: str
    hub_timeout_s: float
    connect_timeout_s: float
    endpoint: str
    data_dir: Path
    answers_dir: Path
    endpoint_error: str = ""  # why HF_ENDPOINT cannot be used (the snapshot answers then)
    hub_retry_s: float = 120.0
    hub_max_bytes: int = HUB_MAX_BODY_BYTES
    models_dir: Path = Path()


_SNAPSHOT_ONLY: ContextVar[str] = ContextVar("course_utils_snapshot_only", default="")


@contextmanager
def snapshot_only(reason: str = "grading uses the shipped snapshot") -> Iterator[None]:
    """Within this block (this thread or task only), every lookup answers from the shipped snapshot.

    The grader and the Check buttons use it so a grade never depends on the network; the
    process environment is left alone."""
    token = _SNAPSHOT_ONLY.set(reason)
    try:
        yield
    finally:
        _SNAPSHOT_ONLY.reset(token)


def get_settings() -> Settings:
    """The settings in force now (environment read on every call)."""
    reason = _SNAPSHOT_ONLY.get()
    if reason:
        pass
    elif _flag("COURSE_UTILS_OFFLINE"):
        reason = "COURSE_UTILS_OFFLINE is set"
    elif _flag("HF_HUB_OFFLINE"):
        reason = "HF_HUB_OFFLINE is set"
    data_dir = os.environ.get("COURSE_UTILS_DATA_DIR")
    answers_dir = os.environ.get("COURSE_UTILS_ANSWERS_DIR")
    endpoint = (os.environ.get("HF_ENDPOINT") or "").strip() or DEFAULT_ENDPOINT
    problem = endpoint_problem(endpoint)
    if problem:
        problem = f"HF_ENDPOINT={endpoint!r} is not a usable address ({problem})"
        warn_once(f"{problem}: the course uses its shipped snapshot. Set HF_ENDPOINT like "
                  f"{DEFAULT_ENDPOINT}, or unset it.")
    models_dir = os.environ.get("COURSE_UTILS_MODELS_DIR", "").strip()
    return Settings(
        offline=bool(reason),
        offline_reason=reason,
        hub_timeout_s=_seconds("COURSE_UTILS_TIMEOUT", 4.0),
        connect_timeout_s=_seconds("COURSE_UTILS_CONNECT_TIMEOUT", 1.5),
        endpoint=endpoint.rstrip("/"),
        data_dir=Path(data_dir).expanduser() if data_dir else _default_data_dir(),
        answers_dir=Path(answers_dir).expanduser() if answers_dir else _default_answers_dir(),
        endpoint_error=problem,
        hub_retry_s=_seconds("COURSE_UTILS_HUB_RETRY", 120.0),
        models_dir=Path(models_dir).expanduser() if models_dir else _default_models_dir(),
    )
