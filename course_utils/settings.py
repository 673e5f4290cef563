"""Every knob of the package in one place, read from environment variables.

| variable | meaning | default |
| --- | --- | --- |
| ``COURSE_UTILS_OFFLINE`` or ``HF_HUB_OFFLINE`` | never touch the network | off |
| ``COURSE_UTILS_TIMEOUT`` | seconds for one Hub request | 4 |
| ``COURSE_UTILS_CONNECT_TIMEOUT`` | seconds for the reachability probe | 1.5 |
| ``COURSE_UTILS_DATA_DIR`` | folder with the shipped data files | the package's own |
| ``COURSE_UTILS_ANSWERS_DIR`` | where answers are saved | ``/content/answers`` on Colab, else ``./answers`` |
| ``HF_ENDPOINT`` | Hub address (tests point it at a local fake) | https://huggingface.co |
| ``COURSE_UTILS_MODELS_DIR`` | where GGUF models for ``course-utils run`` are cached | the user cache, ``course-utils/models`` |

Call :func:`get_settings` each time: it reads the environment afresh, so tests
and notebooks can change a variable without re-importing anything.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ENDPOINT = "https://huggingface.co"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 else default


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
    return Path.cwd() / "answers"


@dataclass(frozen=True)
class Settings:
    offline: bool
    offline_reason: str
    hub_timeout_s: float
    connect_timeout_s: float
    endpoint: str
    data_dir: Path
    answers_dir: Path
    models_dir: Path = Path()


def get_settings() -> Settings:
    """The settings in force now (environment read on every call)."""
    reason = ""
    if _flag("COURSE_UTILS_OFFLINE"):
        reason = "COURSE_UTILS_OFFLINE is set"
    elif _flag("HF_HUB_OFFLINE"):
        reason = "HF_HUB_OFFLINE is set"
    data_dir = os.environ.get("COURSE_UTILS_DATA_DIR")
    answers_dir = os.environ.get("COURSE_UTILS_ANSWERS_DIR")
    models_dir = os.environ.get("COURSE_UTILS_MODELS_DIR", "").strip()
    return Settings(
        offline=bool(reason),
        offline_reason=reason,
        hub_timeout_s=_seconds("COURSE_UTILS_TIMEOUT", 4.0),
        connect_timeout_s=_seconds("COURSE_UTILS_CONNECT_TIMEOUT", 1.5),
        endpoint=(os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/"),
        data_dir=Path(data_dir).expanduser() if data_dir else _default_data_dir(),
        answers_dir=Path(answers_dir).expanduser() if answers_dir else _default_answers_dir(),
        models_dir=Path(models_dir).expanduser() if models_dir else _default_models_dir(),
    )
