"""Linux backend (also WSL and Colab): /proc/cpuinfo and /proc/version."""
from __future__ import annotations

import os

from . import _probe
from .parsers import CpuInfo, detect_wsl, parse_proc_cpuinfo


def cpu() -> tuple[CpuInfo | None, str]:
    r = _probe.read("/proc/cpuinfo")
    if not r.ok:
        return None, r.reason
    try:
        return parse_proc_cpuinfo(r.text), ""
    except ValueError as exc:
        return None, f"/proc/cpuinfo: {exc}"


def flavour() -> tuple[str, str]:
    """('linux' | 'wsl1' | 'wsl2' | 'colab', a description)."""
    if "COLAB_RELEASE_TAG" in os.environ or os.path.isdir("/content") and "COLAB_GPU" in os.environ:
        return "colab", "Google Colab (a Linux VM)"
    r = _probe.read("/proc/version")
    wsl = detect_wsl(r.text) if r.ok else None
    if wsl:
        return wsl, {"wsl2": "WSL2 (Linux on Windows)", "wsl1": "WSL1 (Linux on Windows)"}[wsl]
    return "linux", "Linux"
