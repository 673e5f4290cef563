"""Windows backend: IsProcessorFeaturePresent for CPU features, the registry for the CPU name.

Two tools fill what that API leaves out, when they answer: Sysinternals Coreinfo (if on PATH) reports
the features Windows has no constant for (FMA, F16C, AVX-VNNI); ``wmic`` names the CPU and counts its
cores when the registry cannot be read (wmic is gone from recent Windows 11 builds, so it is only a
fallback)."""
from __future__ import annotations

import platform

from ..i18n import t
from . import _probe
from ._probe import PlatformProbe
from .parsers import CpuInfo, coreinfo_reported, parse_coreinfo, parse_wmic_cpu

# PROCESSOR_FEATURE_ID values (processthreadsapi.h; learn.microsoft.com IsProcessorFeaturePresent)
PF = {"sse4_2": 38, "avx": 39, "avx2": 40, "avx512f": 41}
PF_ARM = {"neon": 19, "dotprod": 43}
PF_ARM_V8 = 29
UNREPORTED = ("fma", "f16c", "avx_vnni", "amx")  # IsProcessorFeaturePresent has no constant for these
COREINFO = ("coreinfo64", "coreinfo")
WMIC = ["wmic", "cpu", "get", "Name,NumberOfCores,NumberOfLogicalProcessors", "/format:list"]


def _features() -> tuple[str, frozenset[str]]:
    import ctypes

    present = ctypes.windll.kernel32.IsProcessorFeaturePresent  # type: ignore[attr-defined]
    arm = bool(present(PF_ARM_V8))
    features = frozenset(name for name, pf in (PF_ARM if arm else PF).items() if present(pf))
    return ("arm", features | {"neon"}) if arm else ("x86", features)


def _registry_brand() -> str:
    import winreg  # type: ignore[import-not-found]

    key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"HARDWARE\DESCRIPTION\System\CentralProcessor\0")
    return str(winreg.QueryValueEx(key, "ProcessorNameString")[0]).strip()


def _wmic_brand() -> str | None:
    """The CPU's name from wmic (cores too, but psutil counts those)."""
    r = _probe.run(WMIC)
    return (parse_wmic_cpu(r.text).get("Name") or None) if r.ok else None


def cpu() -> tuple[CpuInfo | None, str]:
    try:
        arch, features = _features()
    except Exception as exc:  # noqa: BLE001 - any failure becomes 'unknown' with its reason
        return None, t("system.probe.windows_cpu", error=type(exc).__name__)
    try:
        brand = _registry_brand()
    except Exception:  # noqa: BLE001 - the name is a nicety; wmic may still know it
        brand = _wmic_brand()
    return CpuInfo(brand, arch, features, None, None), ""


def _coreinfo() -> str:
    for exe in COREINFO:
        r = _probe.run([exe, "-accepteula", "-f"], timeout=_probe.TIMEOUT_S * 2)
        if r.ok and r.text:
            return r.text
    return ""


def with_coreinfo(info: CpuInfo, text: str) -> tuple[CpuInfo, tuple[str, ...]]:
    """The CPU with the features Coreinfo's output adds, and the features still unreported."""
    if not text or info.arch != "x86":
        return info, UNREPORTED if info.arch == "x86" else ()
    extra = parse_coreinfo(text).features
    reported = coreinfo_reported(text)
    from dataclasses import replace

    return replace(info, features=info.features | extra), tuple(f for f in UNREPORTED if f not in reported)


def probe(machine: str) -> PlatformProbe:
    info, reason = cpu()
    unreported: tuple[str, ...] = ()
    if info is not None:
        info, unreported = with_coreinfo(info, _coreinfo() if info.arch == "x86" else "")
    return PlatformProbe("Windows", platform.version(), "windows", "Windows", info, reason, unreported)
