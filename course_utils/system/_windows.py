"""Windows backend: IsProcessorFeaturePresent for CPU features, the registry for the CPU name."""
from __future__ import annotations

from .parsers import CpuInfo

# PROCESSOR_FEATURE_ID values (processthreadsapi.h; learn.microsoft.com IsProcessorFeaturePresent)
PF = {"sse4_2": 38, "avx": 39, "avx2": 40, "avx512f": 41}
PF_ARM = {"neon": 19, "dotprod": 43}
PF_ARM_V8 = 29


def cpu() -> tuple[CpuInfo | None, str]:
    try:
        import ctypes
        import winreg  # type: ignore[import-not-found]

        present = ctypes.windll.kernel32.IsProcessorFeaturePresent  # type: ignore[attr-defined]
        arm = bool(present(PF_ARM_V8))
        table = PF_ARM if arm else PF
        features = frozenset(name for name, pf in table.items() if present(pf))
        if arm:
            features |= {"neon"}
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"HARDWARE\DESCRIPTION\System\CentralProcessor\0")
        brand = str(winreg.QueryValueEx(key, "ProcessorNameString")[0]).strip()
    except Exception as exc:  # noqa: BLE001 - any failure becomes 'unknown' with its reason
        return None, f"Windows CPU probe failed ({type(exc).__name__})"
    return CpuInfo(brand, "arm" if arm else "x86", features, None, None), ""


UNREPORTED = ("fma", "f16c", "avx_vnni", "amx")  # IsProcessorFeaturePresent has no constant for these
