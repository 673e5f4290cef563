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
_BUSY: list[bool] = []  # a warning is being worded (the catalog lookup may read the settings again)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def warn_once(message: str) -> None:
    """Show a :class:`CourseWarning` the first time ``message`` comes up in this process."""
    if message not in _WARNED:
        from .errors import CourseWarning

        _WARNED.add(message)  # shown as one line: no source line of this module under it
        warnings.warn_explicit(message, CourseWarning, filename="course_utils", lineno=0, module="course_utils")


def _t(message_id: str, **fields) -> str:
    """A message of the ``settings`` catalog in the language in force (imported late: i18n reads
    the learner's remembered language from the answers folder, which these settings name)."""
    from .i18n import t

    return t(message_id, **fields)


def _warn(message_id: str, worded: dict[str, str] | None = None, **fields) -> None:
    """Word a warning in the language in force and show it once (``worded``: fields that are message ids
    themselves); a call made while a warning is being worded (the language lookup reads the settings)
    shows nothing, so the lookup cannot loop."""
    if _BUSY:
        return
    _BUSY.append(True)
    try:
        fields.update({k: _t(v) for k, v in (worded or {}).items()})
        warn_once(_t(message_id, **fields))
    finally:
        _BUSY.pop()


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (0 < value <= MAX_SECONDS):
        _warn("settings.bad_seconds", name=name, raw=repr(raw), max=f"{MAX_SECONDS:g}", default=f"{default:g}")
        return default
    return value


def endpoint_problem_code(raw: str) -> str:
    """Why ``raw`` cannot be used as the Hub address, as a code ("" when it can): ipv6, port, scheme, host."""
    try:
        parts = urlsplit(raw)
    except ValueError:  # urllib's only complaint here: an unclosed IPv6 bracket
        return "ipv6"
    try:
        port = parts.port
    except ValueError:
        return "port"
    if parts.scheme not in ("http", "https"):
        return "scheme"
    if not parts.hostname:
        return "host"
    if port == 0:
        return "port"
    return ""


def endpoint_problem(raw: str) -> str:
    """Why ``raw`` cannot be used as the Hub address, in words ("" when it can)."""
    code = endpoint_problem_code(raw)
    return _t(f"settings.endpoint.{code}") if code else ""


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
    """The settings in force. Reasons are kept as codes and worded when read (``offline_reason``,
    ``endpoint_error``), in the language in force then."""
    offline: bool
    offline_cause: str  # "COURSE_UTILS_OFFLINE", "HF_HUB_OFFLINE", "snapshot" (snapshot_only) or ""
    hub_timeout_s: float
    connect_timeout_s: float
    endpoint: str
    data_dir: Path
    answers_dir: Path
    endpoint_problem: str = ""  # code of why HF_ENDPOINT cannot be used (the snapshot answers then)
    hub_retry_s: float = 120.0
    hub_max_bytes: int = HUB_MAX_BODY_BYTES
    models_dir: Path = Path()
    snapshot_reason: str = ""  # the reason given to snapshot_only ('' for its default reason)
    raw_endpoint: str = ""  # HF_ENDPOINT as set, when it cannot be used

    @property
    def offline_reason(self) -> str:
        """Why the course is offline, in words ('' when it is not)."""
        if self.offline_cause == "snapshot":
            return self.snapshot_reason or _t("settings.offline.grading")
        if self.offline_cause:
            return _t("settings.offline.env", name=self.offline_cause)
        return ""

    @property
    def endpoint_error(self) -> str:
        """Why HF_ENDPOINT cannot be used, in words ('' when it can)."""
        if not self.endpoint_problem:
            return ""
        return _t("settings.endpoint.unusable", value=repr(self.raw_endpoint),
                  problem=_t(f"settings.endpoint.{self.endpoint_problem}"))


_SNAPSHOT_ONLY: ContextVar[str | None] = ContextVar("course_utils_snapshot_only", default=None)


@contextmanager
def snapshot_only(reason: str = "") -> Iterator[None]:
    """Within this block (this thread or task only), every lookup answers from the shipped snapshot.

    The grader and the Check buttons use it so a grade never depends on the network; the
    process environment is left alone. ``reason`` is shown as given; by default "grading uses the
    shipped snapshot", in the language in force when it is shown."""
    token = _SNAPSHOT_ONLY.set(reason or "")
    try:
        yield
    finally:
        _SNAPSHOT_ONLY.reset(token)


def get_settings() -> Settings:
    """The settings in force now (environment read on every call)."""
    snapshot_reason = _SNAPSHOT_ONLY.get()
    if snapshot_reason is not None:
        cause = "snapshot"
    elif _flag("COURSE_UTILS_OFFLINE"):
        cause = "COURSE_UTILS_OFFLINE"
    elif _flag("HF_HUB_OFFLINE"):
        cause = "HF_HUB_OFFLINE"
    else:
        cause = ""
    data_dir = os.environ.get("COURSE_UTILS_DATA_DIR")
    answers_dir = os.environ.get("COURSE_UTILS_ANSWERS_DIR")
    endpoint = (os.environ.get("HF_ENDPOINT") or "").strip() or DEFAULT_ENDPOINT
    problem = endpoint_problem_code(endpoint)
    if problem:
        _warn("settings.endpoint.warning", {"problem": f"settings.endpoint.{problem}"}, value=repr(endpoint),
              default=DEFAULT_ENDPOINT)
    models_dir = os.environ.get("COURSE_UTILS_MODELS_DIR", "").strip()
    return Settings(
        offline=bool(cause),
        offline_cause=cause,
        hub_timeout_s=_seconds("COURSE_UTILS_TIMEOUT", 4.0),
        connect_timeout_s=_seconds("COURSE_UTILS_CONNECT_TIMEOUT", 1.5),
        endpoint=endpoint.rstrip("/"),
        data_dir=Path(data_dir).expanduser() if data_dir else _default_data_dir(),
        answers_dir=Path(answers_dir).expanduser() if answers_dir else _default_answers_dir(),
        endpoint_problem=problem,
        raw_endpoint=endpoint if problem else "",
        snapshot_reason=snapshot_reason or "",
        hub_retry_s=_seconds("COURSE_UTILS_HUB_RETRY", 120.0),
        models_dir=Path(models_dir).expanduser() if models_dir else _default_models_dir(),
    )
