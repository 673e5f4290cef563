"""Audit *this* machine for running llama.cpp-style local models.

One front (:func:`audit`) over a small backend per OS, as psutil does: the backend is chosen
once, at import (:data:`BACKEND`), and every backend module (``_linux``, ``_macos``, ``_windows``)
implements the same two functions: ``probe(machine) -> PlatformProbe`` (OS name and version,
flavour, CPU, the CPU features it cannot report) and ``cpu() -> (CpuInfo | None, reason)``.
/proc/cpuinfo on Linux (and WSL, Colab), sysctl on macOS, IsProcessorFeaturePresent on Windows;
psutil for memory and disk; nvidia-smi, rocm-smi and sysfs for GPUs. Every probe that fails (missing tool, permission, odd output, timeout)
becomes "unknown" with its reason; :func:`audit` itself never raises. Tools are probed in
parallel so the whole audit stays well under half a second.
"""
from __future__ import annotations

import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from ..i18n import label, number, t, tn
from ..text_table import label_rows
from . import _probe
from ._probe import Flavour, PlatformProbe
from .parsers import (ARM_FEATURES, X86_FEATURES, Gpu, parse_drm_card, parse_nvidia_smi_query,
                      parse_nvidia_smi_table, parse_rocm_smi, parse_tool_version)

GpuKind = Literal["nvidia", "amd", "intel", "apple_metal", "manual", "none", "unknown"]  # "manual": --vram
BACKEND_FUNCTIONS = ("probe", "cpu")  # what every OS backend module implements, with the same signatures


def backend_for(system: str) -> ModuleType:
    """The backend module for ``platform.system()``'s answer (Linux's for any other Unix)."""
    if system == "Darwin":
        from . import _macos as backend
    elif system == "Windows":
        from . import _windows as backend
    else:
        from . import _linux as backend
    return backend


BACKEND = backend_for(platform.system())

TOOLS = ("gcc", "clang", "cl", "make", "cmake", "git")


@dataclass(frozen=True)
class Tool:
    name: str
    found: bool
    version: str | None
    reason: str = ""


@dataclass(frozen=True)
class GpuReport:
    kind: GpuKind
    name: str | None
    vram_gb: float | None
    unified_memory: bool
    detail: str


@dataclass(frozen=True)
class SystemAudit:
    os: str  # Linux / macOS / Windows
    os_version: str
    flavour: Flavour
    flavour_text: str
    machine: str
    cpu: str | None
    cpu_arch: str | None  # x86 / arm
    cpu_flags: tuple[str, ...]
    cpu_flags_unknown: tuple[str, ...]  # features this OS cannot report
    cores_physical: int | None
    cores_logical: int | None
    ram_total_gb: float | None
    ram_available_gb: float | None
    disk_path: str
    disk_free_gb: float | None
    tools: dict[str, Tool]
    gpu: GpuReport
    problems: tuple[str, ...]  # probes that failed, with reasons
    duration_s: float
    hypervisor: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def has(self, feature: str) -> bool | None:
        if feature in self.cpu_flags:
            return True
        if feature in self.cpu_flags_unknown or self.cpu is None:
            return None
        return False

    def to_dict(self) -> dict[str, Any]:
        return {
            "os": self.os, "os_version": self.os_version, "flavour": self.flavour, "machine": self.machine,
            "cpu": self.cpu, "cpu_arch": self.cpu_arch, "cpu_flags": list(self.cpu_flags),
            "cpu_flags_unknown": list(self.cpu_flags_unknown),
            "cores": {"physical": self.cores_physical, "logical": self.cores_logical},
            "ram_total_gb": self.ram_total_gb, "ram_available_gb": self.ram_available_gb,
            "disk_path": self.disk_path, "disk_free_gb": self.disk_free_gb,
            "tools": {k: {"found": t.found, "version": t.version, "reason": t.reason} for k, t in self.tools.items()},
            "gpu": {"kind": self.gpu.kind, "name": self.gpu.name, "vram_gb": self.gpu.vram_gb,
                    "unified_memory": self.gpu.unified_memory, "detail": self.gpu.detail},
            "hypervisor": self.hypervisor, "problems": list(self.problems), "duration_s": self.duration_s,
        }

    def rows(self) -> list[tuple[str, str]]:
        """The audit as (label, value) rows in the language in force (``course-utils audit``)."""
        def gb(x):
            return t("system.rows.unknown") if x is None else t("system.rows.gb", gb=number(x, ".1f"))
        tools = ", ".join(f"{x.name} {x.version or ''}".strip() for x in self.tools.values() if x.found) \
            or t("system.rows.none")
        missing = ", ".join(x.name for x in self.tools.values() if not x.found and x.name != "cl")
        flags = ", ".join(self.cpu_flags) or t("system.rows.no_flags")
        if self.cpu_flags_unknown:
            flags += t("system.rows.flags_unreported", flags=', '.join(self.cpu_flags_unknown))
        gpu = self.gpu.name or label(f"system.gpu_kind.{self.gpu.kind}", self.gpu.kind)
        if self.gpu.vram_gb:
            gpu += t("system.rows.unified" if self.gpu.unified_memory else "system.rows.vram",
                     gb=number(self.gpu.vram_gb, ".1f"))
        return [(t("system.rows.system"), f"{self.flavour_text} — {self.os} {self.os_version} ({self.machine})"),
                ("CPU", self.cpu or t("system.rows.unknown")),
                (t("system.rows.cores"), t("system.rows.cores_value", physical=self.cores_physical or '?',
                                           logical=self.cores_logical or '?')),
                (t("system.rows.cpu_features"), flags),
                ("RAM", t("system.rows.ram_value", total=gb(self.ram_total_gb), available=gb(self.ram_available_gb))),
                (t("system.rows.disk"), t("system.rows.disk_value", free=gb(self.disk_free_gb), path=self.disk_path)),
                (t("system.rows.tools"), tools + (t("system.rows.missing", tools=missing) if missing else "")),
                ("GPU", f"{gpu} — {self.gpu.detail}")]

    def to_text(self) -> str:
        rows = self.rows() + [(t("system.rows.problems"), p) for p in self.problems] + \
            [(t("system.rows.took"), t("system.rows.seconds", s=number(self.duration_s, ".2f")))]
        return label_rows(rows, gap=1, min_width=13)

    def _repr_html_(self) -> str:
        import html

        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                       f"{html.escape(v)}</td></tr>" for k, v in self.rows())
        notes = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
        return f"<table class='course-audit'>{body}</table>" + (f"<ul>{notes}</ul>" if notes else "")


def _tool(name: str) -> Tool:
    if name == "cl" and os.name != "nt":
        return Tool("cl", False, None, t("system.tool.msvc"))
    r = _probe.run([name] if name == "cl" else [name, "--version"], timeout=_probe.TIMEOUT_S)
    if not r.ok and not r.text:
        return Tool(name, False, None, r.reason)
    version = parse_tool_version(name, r.text)
    if version is None:
        return Tool(name, True, None, t("system.tool.no_version"))
    return Tool(name, True, version)


def _nvidia() -> tuple[list[Gpu], str]:
    r = _probe.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader,nounits"])
    gpus = parse_nvidia_smi_query(r.text) if r.ok else []
    if not gpus and not r.missing:
        table = _probe.run(["nvidia-smi"])  # its default table, for drivers whose query form fails
        gpus = parse_nvidia_smi_table(table.text) if table.ok else []
    if gpus:
        return gpus, ""
    return [], r.reason or t("system.gpu.none_listed", tool="nvidia-smi")


def _amd() -> tuple[list[Gpu], str]:
    r = _probe.run(["rocm-smi", "--showproductname", "--showmeminfo", "vram", "--json"])
    if not r.ok:
        return [], r.reason
    gpus = parse_rocm_smi(r.text)
    return gpus, "" if gpus else t("system.gpu.none_listed", tool="rocm-smi")


DRM = Path("/sys/class/drm")


def _drm_gpus(root: Path | None = None) -> list[tuple[str, str, float | None]]:
    """(kind, name, VRAM GB) of the AMD/Intel/NVIDIA display devices the Linux kernel lists in sysfs."""
    root = root or DRM
    out = []
    try:
        cards = sorted(p for p in root.glob("card*") if p.name[4:].isdigit())
    except OSError:
        return []
    for card in cards:
        dev = card / "device"
        try:
            vendor = (dev / "vendor").read_text()
        except OSError:
            continue
        try:
            vram = (dev / "mem_info_vram_total").read_text()
        except OSError:
            vram = None
        kind, gb = parse_drm_card(vendor, vram)
        if kind is None:
            continue
        try:
            device = (dev / "device").read_text().strip()
        except OSError:
            device = "?"
        out.append((kind, t("system.gpu.pci_name", kind=kind.upper() if kind == 'amd' else kind.capitalize(),
                            device=device), gb))
    return out


def _other_gpu(system: str, amd: list[Gpu], amd_reason: str) -> GpuReport | None:
    """An AMD GPU from rocm-smi, else an AMD or Intel GPU from sysfs (Linux)."""
    if amd:
        g = amd[0]
        return GpuReport("amd", g.name, g.vram_gb, False, tn("system.gpu.amd_rocm", len(amd)))
    if system != "Linux":
        return None
    cards = [c for c in _drm_gpus() if c[0] in ("amd", "intel")]
    if not cards:
        return None
    discrete = [c for c in cards if c[2]] or cards
    kind, name, gb = discrete[0]
    how = t("system.gpu.sysfs_vram" if gb else "system.gpu.sysfs_no_vram")
    return GpuReport(kind, name, gb, gb is None and kind == "intel",
                     t("system.gpu.sysfs_detail", how=how, api="ROCm" if kind == "amd" else "SYCL",
                       reason=amd_reason or t("system.gpu.rocm_not_used")))


def with_vram(a: "SystemAudit", vram_gb: float) -> "SystemAudit":
    """The audit with the GPU memory you give (``--vram``): for GPUs the audit misses or misreads."""
    from dataclasses import replace

    g = a.gpu
    if g.kind in ("none", "unknown"):
        gpu = GpuReport("manual", t("system.gpu.yours"), float(vram_gb), False,
                        t("system.gpu.given", gb=number(vram_gb, "g")))
    else:
        gpu = replace(g, vram_gb=float(vram_gb), detail=g.detail + "; " + t("system.gpu.given", gb=number(vram_gb, "g")))
    return replace(a, gpu=gpu)


def _memory() -> tuple[float | None, float | None, str]:
    try:
        import psutil

        vm = psutil.virtual_memory()
        return vm.total / 1e9, vm.available / 1e9, ""
    except Exception as exc:  # noqa: BLE001
        return None, None, t("system.probe.memory", error=type(exc).__name__)


def _disk(path: Path) -> tuple[float | None, str]:
    try:
        import psutil

        return psutil.disk_usage(str(path)).free / 1e9, ""
    except Exception as exc:  # noqa: BLE001
        return None, t("system.probe.disk", path=str(path), error=type(exc).__name__)


def _cores() -> tuple[int | None, int | None]:
    try:
        import psutil

        return psutil.cpu_count(logical=False), psutil.cpu_count(logical=True)
    except Exception:  # noqa: BLE001
        return None, os.cpu_count()


def audit(disk_path: str | os.PathLike | None = None) -> SystemAudit:
    """Audit this machine (never raises; failed probes are listed in ``problems``)."""
    start = time.perf_counter()
    problems: list[str] = []
    machine = platform.machine() or "unknown"
    path = Path(disk_path or Path.cwd()).expanduser()
    with ThreadPoolExecutor(max_workers=len(TOOLS) + 1) as pool:
        tool_futures = {name: pool.submit(_tool, name) for name in TOOLS}
        gpu_future = pool.submit(_nvidia)
        amd_future = pool.submit(_amd)
        found: PlatformProbe = BACKEND.probe(machine)
        cpu, reason, flavour = found.cpu, found.cpu_reason, found.flavour
        if reason:
            problems.append(t("system.probe.cpu", reason=reason))
        tools = {name: f.result() for name, f in tool_futures.items()}
        nvidia, nvidia_reason = gpu_future.result()
        amd, amd_reason = amd_future.result()
    total, available, mem_reason = _memory()
    free, disk_reason = _disk(path)
    problems += [p for p in (mem_reason, disk_reason) if p]
    physical, logical = _cores()
    if cpu is not None:
        physical = physical or cpu.physical_cores
        logical = logical or cpu.logical_cpus
    if nvidia:
        g = nvidia[0]
        gpu = GpuReport("nvidia", g.name, g.vram_gb, g.vram_gb is None,
                        tn("system.gpu.nvidia", len(nvidia), driver=g.driver or '?')
                        + ("; " + t("system.gpu.nvidia_unified") if g.vram_gb is None else ""))
    elif flavour in ("macos-arm64", "macos-rosetta"):
        gpu = GpuReport("apple_metal", (cpu.brand if cpu else None) or t("system.gpu.apple_name"), total, True,
                        t("system.gpu.metal"))
    elif flavour == "macos-x86_64":
        gpu = GpuReport("unknown", None, None, False, t("system.gpu.intel_mac"))
    else:
        gpu = _other_gpu(found.os_name, amd, amd_reason) or GpuReport(
            "none", None, None, False, t("system.gpu.none", reason=nvidia_reason))
    flags: tuple[str, ...] = ()
    if cpu is not None:
        order = X86_FEATURES if cpu.arch == "x86" else ARM_FEATURES
        flags = tuple(f for f in order if f in cpu.features)
    return SystemAudit(
        os=found.os_name, os_version=found.os_version, flavour=flavour, flavour_text=found.flavour_text,
        machine=machine,
        cpu=cpu.brand if cpu else None, cpu_arch=cpu.arch if cpu else None, cpu_flags=flags,
        cpu_flags_unknown=found.unreported if cpu is not None else (), cores_physical=physical, cores_logical=logical,
        ram_total_gb=round(total, 2) if total else None, ram_available_gb=round(available, 2) if available else None,
        disk_path=str(path), disk_free_gb=round(free, 1) if free is not None else None, tools=tools, gpu=gpu,
        problems=tuple(problems), duration_s=round(time.perf_counter() - start, 3),
        hypervisor=bool(cpu and cpu.hypervisor), extra=dict(found.extra))


# --------------------------------------------------------------------------- memory bandwidth

@dataclass(frozen=True)
class BandwidthMeasurement:
    gbs: float  # best observed read bandwidth over all threads (bytes read per second / 1e9)
    median_gbs: float
    runs: int
    buffer_mb: int
    seconds: float
    method: str
    threads: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)



_CHUNK = 1 << 17  # float64 items per read: 1 MB, a buffer that stays in the L2 cache


def _read(part) -> int:
    """Read ``part`` slice by slice into a small buffer (the last slice may be shorter); the bytes read."""
    import numpy as np

    buf = np.empty(min(_CHUNK, len(part)))
    for i in range(0, len(part), len(buf)):
        piece = part[i:i + len(buf)]
        np.copyto(buf[:len(piece)], piece)  # numpy releases the GIL: threads read in parallel
    return part.nbytes


def measure_memory_bandwidth(seconds: float = 1.0, buffer_mb: int = 256, threads: int | None = None
                             ) -> BandwidthMeasurement:
    """Read a buffer much larger than the CPU caches with llama.cpp's thread count, for about ``seconds``.

    Method: ``threads`` threads (default: the physical cores, as llama.cpp uses) each read their
    share of a ``buffer_mb`` MB array in 1 MB slices into a small buffer that stays in cache, so the
    DRAM traffic is reads, as in a decode step. The best run is reported (the machine may be
    shared; slower runs measure interference), with the median. Uncertainty: numpy adds a copy
    per slice, so this is a lower bound of what llama.cpp's SIMD kernels reach; the CPU efficiency
    in hardware.CLASSES["cpu_measured"] is calibrated against this very measurement.
    """
    import numpy as np
    from concurrent.futures import ThreadPoolExecutor as Pool

    from ..hardware import llama_cpp_threads

    default = threads is None
    threads = max(1, int(threads or llama_cpp_threads()))
    n = max(1, buffer_mb) * 1_000_000 // 8
    src = np.ones(n, dtype=np.float64)  # writing the ones touches every page once
    step = -(-n // threads)
    parts = [src[i:i + step] for i in range(0, n, step)]
    rates = []
    start = time.perf_counter()
    with Pool(max_workers=len(parts)) as pool:
        while time.perf_counter() - start < seconds or len(rates) < 3:
            t0 = time.perf_counter()
            read = sum(pool.map(_read, parts))
            rates.append(read / (time.perf_counter() - t0) / 1e9)
    rates.sort()
    return BandwidthMeasurement(round(rates[-1], 1), round(rates[len(rates) // 2], 1), len(rates), buffer_mb,
                                round(time.perf_counter() - start, 2),
                                tn("system.bandwidth.default" if default else "system.bandwidth.method",
                                   len(parts)), len(parts))
