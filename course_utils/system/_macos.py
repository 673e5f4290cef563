"""macOS backend: one `sysctl` call (hw.optional.* on Apple Silicon, machdep.cpu.* on Intel)."""
from __future__ import annotations

import platform

from ..i18n import t
from . import _probe
from ._probe import Flavour, PlatformProbe
from .parsers import CpuInfo, macos_cpu, parse_sysctl

KEYS = ["machdep.cpu", "hw.optional", "hw.memsize", "hw.logicalcpu", "hw.physicalcpu", "hw.ncpu",
        "sysctl.proc_translated"]
UNREPORTED: tuple[str, ...] = ()  # sysctl's hw.optional.* and machdep.cpu.* name every feature the course checks


def sysctl_values() -> tuple[dict[str, str], str]:
    r = _probe.run(["sysctl", *KEYS])
    if not r.text:
        return {}, r.reason or t("system.probe.sysctl_empty")
    return parse_sysctl(r.text), ""


def _cpu(values: dict[str, str], reason: str) -> tuple[CpuInfo | None, str]:
    return (macos_cpu(values), "") if values else (None, reason)


def cpu() -> tuple[CpuInfo | None, str]:
    return _cpu(*sysctl_values())


def flavour(values: dict[str, str], machine: str) -> tuple[Flavour, str]:
    if values.get("sysctl.proc_translated") == "1":
        return "macos-rosetta", t("system.flavour.macos_rosetta")
    if machine == "arm64" or values.get("hw.optional.arm64") == "1":
        return "macos-arm64", t("system.flavour.macos_arm64")
    return "macos-x86_64", t("system.flavour.macos_x86_64")


def probe(machine: str) -> PlatformProbe:
    values, reason = sysctl_values()  # one sysctl call for the CPU and the flavour
    info, reason = _cpu(values, reason)
    kind, text = flavour(values, machine)
    return PlatformProbe("macOS", platform.mac_ver()[0] or platform.release(), kind, text, info, reason, UNREPORTED,
                         {"sysctl_keys": len(values)})
