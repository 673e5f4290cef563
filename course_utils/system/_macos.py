"""macOS backend: one `sysctl` call (hw.optional.* on Apple Silicon, machdep.cpu.* on Intel)."""
from __future__ import annotations

from . import _probe
from .parsers import CpuInfo, macos_cpu, parse_sysctl

KEYS = ["machdep.cpu", "hw.optional", "hw.memsize", "hw.logicalcpu", "hw.physicalcpu", "hw.ncpu",
        "sysctl.proc_translated"]


def sysctl_values() -> tuple[dict[str, str], str]:
    r = _probe.run(["sysctl", *KEYS])
    if not r.text:
        return {}, r.reason or "sysctl printed nothing"
    return parse_sysctl(r.text), ""


def cpu() -> tuple[CpuInfo | None, str, dict[str, str]]:
    values, reason = sysctl_values()
    if not values:
        return None, reason, values
    return macos_cpu(values), "", values


def flavour(values: dict[str, str], machine: str) -> tuple[str, str]:
    if values.get("sysctl.proc_translated") == "1":
        return "macos-rosetta", "macOS on Apple Silicon, but this Python runs under Rosetta 2 (x86_64)"
    if machine == "arm64" or values.get("hw.optional.arm64") == "1":
        return "macos-arm64", "macOS on Apple Silicon"
    return "macos-x86_64", "macOS on an Intel Mac"
