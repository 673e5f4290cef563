"""macOS backend: one `sysctl` call (hw.optional.* on Apple Silicon, machdep.cpu.* on Intel)."""
from __future__ import annotations

import platform

from . import _probe
from ._probe import Flavour, PlatformProbe
from .parsers import CpuInfo, macos_cpu, parse_sysctl

KEYS = ["machdep.cpu", "hw.optional", "hw.memsize", "hw.logicalcpu", "hw.physicalcpu", "hw.ncpu",
        "sysctl.proc_translated"]
UNREPORTED: tuple[str, ...] = ()  # sysctl's hw.optional.* and machdep.cpu.* name every feature the course checks


def sysctl_values() -> tuple[dict[str, str], str]:
    r = _probe.run(["sysctl", *KEYS])
    if not r.text:
        return {}, r.reason or "sysctl printed nothing"
    return parse_sysctl(r.text), ""


def _cpu(values: dict[str, str], reason: str) -> tuple[CpuInfo | None, str]:
    return (macos_cpu(values), "") if values else (None, reason)


def cpu() -> tuple[CpuInfo | None, str]:
    return _cpu(*sysctl_values())


def flavour(values: dict[str, str], machine: str) -> tuple[Flavour, str]:
    if values.get("sysctl.proc_translated") == "1":
        return "macos-rosetta", "macOS on Apple Silicon, but this Python runs under Rosetta 2 (x86_64)"
    if machine == "arm64" or values.get("hw.optional.arm64") == "1":
        return "macos-arm64", "macOS on Apple Silicon"
    return "macos-x86_64", "macOS on an Intel Mac"


def probe(machine: str) -> PlatformProbe:
    values, reason = sysctl_values()  # one sysctl call for the CPU and the flavour
    info, reason = _cpu(values, reason)
    kind, text = flavour(values, machine)
    return PlatformProbe("macOS", platform.mac_ver()[0] or platform.release(), kind, text, info, reason, UNREPORTED,
                         {"sysctl_keys": len(values)})
