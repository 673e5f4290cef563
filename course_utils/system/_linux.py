"""Linux backend (also WSL and Colab): /proc/cpuinfo and /proc/version."""
from __future__ import annotations

import os
import platform

from ..i18n import t
from . import _probe
from ._probe import Flavour, PlatformProbe
from .parsers import CpuInfo, detect_wsl, parse_proc_cpuinfo

UNREPORTED: tuple[str, ...] = ()  # /proc/cpuinfo lists every flag the kernel knows


def cpu() -> tuple[CpuInfo | None, str]:
    r = _probe.read("/proc/cpuinfo")
    if not r.ok:
        return None, r.reason
    try:
        return parse_proc_cpuinfo(r.text), ""
    except ValueError as exc:
        return None, f"/proc/cpuinfo: {exc}"


def flavour() -> tuple[Flavour, str]:
    """('linux' | 'wsl1' | 'wsl2' | 'colab', a description)."""
    if "COLAB_RELEASE_TAG" in os.environ or os.path.isdir("/content") and "COLAB_GPU" in os.environ:
        return "colab", t("system.flavour.colab")
    r = _probe.read("/proc/version")
    wsl = detect_wsl(r.text) if r.ok else None
    if wsl:
        return wsl, t(f"system.flavour.{wsl}")
    return "linux", "Linux"


def probe(machine: str) -> PlatformProbe:
    info, reason = cpu()
    kind, text = flavour()
    return PlatformProbe(platform.system() or "unknown", platform.release(), kind, text, info, reason, UNREPORTED)
