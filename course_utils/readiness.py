"""Can *this* machine run model X at quantization Y with context N, and how fast?

Requirements come from the fit estimator for that model, quantization and context, never from
fixed thresholds. Each row is ✅ / ⚠️ / ❌ with advice that is actually right for llama.cpp:
macOS is a first-class platform (Metal on Apple Silicon), a CPU without AVX2 means a slower
build rather than no build, and WSL2 runs the Linux build.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from . import data
from .errors import InvalidInput
from .fit import QUANTS, FitEstimate, estimate
from .hardware import Hardware, custom_hardware, find_hardware, known_hardware
from .system import SystemAudit

OK, WARN, BAD = "✅", "⚠️", "❌"
DISK_MARGIN_GB = 1.0  # room for the download's temporary copy and logs (a course choice)
APPLE_GPU_SHARE = 0.75  # peers' assumption for the RAM macOS lets the GPU wire; adjustable there
SPEED_OK = 8.0  # tokens/s: a course choice for "comfortable in a chat"; below 2 feels very slow
SPEED_SLOW = 2.0


@dataclass(frozen=True)
class Row:
    check: str
    status: str
    detail: str
    advice: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status, "detail": self.detail, "advice": self.advice}


@dataclass(frozen=True)
class Readiness:
    model: str
    quant: str
    context: int
    estimate: FitEstimate
    rows: tuple[Row, ...]
    tokens_per_s: float | None
    speed_basis: str
    suggestion: str

    @property
    def verdict(self) -> str:
        statuses = {r.status for r in self.rows}
        return BAD if BAD in statuses else WARN if WARN in statuses else OK

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "quant": self.quant, "context": self.context, "verdict": self.verdict,
                "rows": [r.to_dict() for r in self.rows], "tokens_per_s": self.tokens_per_s,
                "speed_basis": self.speed_basis, "suggestion": self.suggestion,
                "estimate": self.estimate.to_dict()}

    def to_text(self) -> str:
        lines = [f"{self.model} at {self.quant}, {self.context:,}-token context: {self.verdict}"]
        for r in self.rows:
            lines.append(f"{r.status} {r.check:<14} {r.detail}")
            if r.advice:
                lines.append(f"   {'':<14} -> {r.advice}")
        if self.suggestion:
            lines.append(f"Suggestion: {self.suggestion}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><td>{r.status}</td><th style='text-align:left'>{html.escape(r.check)}</th>"
                       f"<td style='text-align:left'>{html.escape(r.detail)}</td>"
                       f"<td style='text-align:left'><i>{html.escape(r.advice)}</i></td></tr>" for r in self.rows)
        tail = f"<p><b>Suggestion:</b> {html.escape(self.suggestion)}</p>" if self.suggestion else ""
        return (f"<p><b>{html.escape(self.model)}</b> at {self.quant}, {self.context:,} tokens: {self.verdict}</p>"
                f"<table class='course-readiness'>{body}</table>{tail}")


# --------------------------------------------------------------------------- rows

def _ram_row(est: FitEstimate, a: SystemAudit) -> Row:
    need = est.ram_needed_gb
    detail = (f"needs ~{need:.1f} GB (weights {est.file_size_gb:.1f} + KV cache {est.kv_cache_gb:.1f} + "
              f"overhead {est.overhead_gb:.1f}); ")
    if a.ram_total_gb is None:
        return Row("RAM", WARN, detail + "this machine's RAM is unknown", "check your RAM by hand")
    detail += f"{a.ram_available_gb or 0:.1f} GB free of {a.ram_total_gb:.1f} GB"
    if a.ram_available_gb is not None and need <= a.ram_available_gb:
        return Row("RAM", OK, detail)
    if need <= a.ram_total_gb:
        return Row("RAM", WARN, detail, "close other programs first, or pick a smaller quantization or context")
    return Row("RAM", BAD, detail, "too big for this machine: pick a smaller quantization, context or model "
                                   "(see the suggestion)")


def _disk_row(est: FitEstimate, a: SystemAudit) -> Row:
    detail = f"the GGUF file is ~{est.file_size_gb:.1f} GB; "
    if a.disk_free_gb is None:
        return Row("Disk", WARN, detail + "free space unknown", "check the free space by hand")
    detail += f"{a.disk_free_gb:.1f} GB free at {a.disk_path}"
    if a.disk_free_gb >= est.file_size_gb + DISK_MARGIN_GB:
        return Row("Disk", OK, detail)
    if a.disk_free_gb >= est.file_size_gb:
        return Row("Disk", WARN, detail, "it fits, only just: free a little space first")
    return Row("Disk", BAD, detail, f"free {est.file_size_gb + DISK_MARGIN_GB - a.disk_free_gb:.1f} GB, or "
                                    f"download to another drive")


def _cpu_row(a: SystemAudit) -> Row:
    if a.cpu_arch is None:
        return Row("CPU features", WARN, "CPU features could not be read", "llama.cpp still runs; a build "
                                                                            "from source picks what the CPU has")
    flags = set(a.cpu_flags)
    if a.cpu_arch == "arm":
        if "neon" not in flags:
            return Row("CPU features", WARN, f"{a.cpu or 'ARM CPU'}: no NEON/ASIMD reported (32-bit ARM?)",
                       "llama.cpp runs, slowly; a 64-bit OS is much faster")
        extra = [f for f in ("dotprod", "i8mm") if f in flags]
        return Row("CPU features", OK, f"NEON{' + ' + ', '.join(extra) if extra else ''}: what llama.cpp uses on ARM")
    base = {"avx2", "fma", "f16c"}
    unknown = set(a.cpu_flags_unknown)
    extra = [f for f in ("avx512f", "avx_vnni", "amx") if f in flags]
    bonus = f"; speed-ups: {', '.join(extra)}" if extra else ""
    if base <= flags or ("avx2" in flags and base - flags <= unknown):
        note = " (FMA/F16C not reported by Windows; every AVX2 CPU we know of has them)" if base - flags else ""
        return Row("CPU features", OK, f"AVX2 + FMA + F16C: the baseline of llama.cpp's prebuilt CPU builds"
                                       f"{note}{bonus}")
    if "avx" in flags:
        return Row("CPU features", WARN, "AVX but no AVX2" + (" (a VM may hide it)" if a.hypervisor else ""),
                   "slower, not impossible: build llama.cpp from source on this machine (GGML_NATIVE, the default) "
                   "or use the CPU_ALL_VARIANTS build, which loads an AVX-only variant")
    return Row("CPU features", WARN, "no AVX reported" + (" (a VM may hide it)" if a.hypervisor else ""),
               "llama.cpp still runs, but much slower: build from source on this machine so it uses what the CPU has")


def _platform_row(a: SystemAudit) -> Row:
    compilers = [t for t in ("gcc", "clang", "cl") if a.tools.get(t) and a.tools[t].found]
    build_ok = compilers and a.tools.get("cmake") and a.tools["cmake"].found and a.tools.get("git") \
        and a.tools["git"].found
    where = {"colab": "Google Colab: this audit describes the Colab VM, not your own computer",
             "wsl2": "WSL2: llama.cpp's Linux build runs as on Linux",
             "wsl1": "WSL1: the Linux build runs; WSL2 is the usual choice today",
             "macos-arm64": "macOS on Apple Silicon: a first-class llama.cpp platform (Metal, NEON, Accelerate)",
             "macos-rosetta": "this Python runs under Rosetta 2: use native arm64 tools for llama.cpp",
             "macos-x86_64": "macOS on Intel: llama.cpp publishes a macOS x64 build",
             "windows": "Windows: llama.cpp publishes Windows builds (CPU, CUDA, Vulkan)"}.get(
        a.flavour, f"{a.os}: supported by llama.cpp")
    tools = f"compilers: {', '.join(compilers) or 'none'}; cmake: " \
            f"{'yes' if a.tools.get('cmake') and a.tools['cmake'].found else 'no'}; git: " \
            f"{'yes' if a.tools.get('git') and a.tools['git'].found else 'no'}"
    if build_ok:
        return Row("OS and tools", OK, f"{where}; {tools}")
    install = {"macos-arm64": "`brew install llama.cpp`, or Xcode Command Line Tools + cmake to build",
               "macos-x86_64": "`brew install llama.cpp`, or Xcode Command Line Tools + cmake to build",
               "windows": "a prebuilt release from llama.cpp's GitHub page, or Visual Studio Build Tools + CMake"}.get(
        a.flavour, "a prebuilt release or `brew install llama.cpp`, or install gcc/clang, cmake and git to build")
    return Row("OS and tools", WARN, f"{where}; {tools}", f"no full build toolchain: use {install}")


def _gpu_row(est: FitEstimate, a: SystemAudit) -> Row:
    g = a.gpu
    need = est.ram_needed_gb
    if g.kind in ("nvidia", "amd", "intel", "manual"):
        api = {"nvidia": "CUDA", "amd": "ROCm or Vulkan", "intel": "Vulkan or SYCL", "manual": "GPU"}[g.kind]
        if g.vram_gb is None and g.kind == "nvidia":
            return Row("GPU", OK, f"{g.name}: memory shared with the CPU (not reported by nvidia-smi)")
        if g.vram_gb is None:
            return Row("GPU", WARN, f"{g.name}: memory not reported", "give its memory with --vram GB to check the fit")
        if need <= g.vram_gb:
            return Row("GPU", OK, f"{g.name}, {g.vram_gb:.1f} GB VRAM: the whole model fits ({api})")
        return Row("GPU", WARN, f"{g.name}, {g.vram_gb:.1f} GB VRAM < {need:.1f} GB needed",
                   "offload only some layers (-ngl) and keep the rest on the CPU, or pick a smaller quantization")
    if g.kind == "apple_metal":
        usable = (a.ram_total_gb or 0) * APPLE_GPU_SHARE
        if need <= usable:
            return Row("GPU", OK, f"Apple GPU via Metal, unified memory: ~{usable:.1f} GB usable "
                                  f"(assumed {APPLE_GPU_SHARE:.0%} of RAM)")
        return Row("GPU", WARN, f"needs {need:.1f} GB, more than the ~{usable:.1f} GB macOS usually lets the GPU use",
                   "pick a smaller quantization, or raise the limit (sysctl iogpu.wired_limit_mb) at your own risk")
    if g.kind == "unknown":
        return Row("GPU", WARN, g.detail, "the CPU build works; GPU use was not checked")
    return Row("GPU", OK, "no supported GPU: llama.cpp runs on the CPU (see the speed row)")


# --------------------------------------------------------------------------- speed

def _hardware_for_speed(a: SystemAudit, cpu_bandwidth_gbs: float | None) -> tuple[Hardware | None, str]:
    """The backend that would run the model, and where its bandwidth comes from."""
    if a.gpu.kind == "nvidia" and a.gpu.name:
        try:
            hw = find_hardware(a.gpu.name)
            return hw, f"{hw.name}, {hw.bandwidth_gbs:g} GB/s (table)"
        except InvalidInput:
            pass
    if a.gpu.kind == "apple_metal" and a.cpu:
        try:
            hw = find_hardware(a.cpu)
            return hw, f"{hw.name}, {hw.bandwidth_gbs:g} GB/s (table)"
        except InvalidInput:
            variants = [h for h in known_hardware() if h.name.lower().startswith(a.cpu.lower() + " (")]
            if variants:
                hw = min(variants, key=lambda h: h.bandwidth_gbs)
                return hw, f"{hw.name}, {hw.bandwidth_gbs:g} GB/s (table; the slower variant of your chip)"
    if cpu_bandwidth_gbs:
        backend = "metal" if a.gpu.kind == "apple_metal" else "cpu"
        return custom_hardware(cpu_bandwidth_gbs, backend, "this machine (measured)", measured=backend == "cpu"), \
            f"measured memory bandwidth {cpu_bandwidth_gbs:g} GB/s with llama.cpp's thread count"
    return None, "bandwidth unknown"


def _speed_row(tps: float | None, basis: str) -> Row:
    if tps is None:
        return Row("Speed", WARN, "could not estimate (no bandwidth figure)", "run the bandwidth measurement")
    detail = f"~{tps:.1f} tokens/s decode ({basis})"
    if tps >= SPEED_OK:
        return Row("Speed", OK, detail)
    if tps >= SPEED_SLOW:
        return Row("Speed", WARN, detail, "usable but slow: a smaller quantization or model decodes faster")
    return Row("Speed", BAD, detail, "very slow: pick a smaller quantization or model")


# --------------------------------------------------------------------------- suggestion

def suggest_smaller(model: str | None, quant: str, context: int, budget_gb: float, params_b: float | None = None
                    ) -> str:
    """The largest quantization of this model under the budget; else a smaller catalog model at Q4_K_M."""
    start = QUANTS.index(quant)
    for q in QUANTS[start + 1:]:
        e = estimate(model, q, context, params_b=params_b)
        if e.ram_needed_gb <= budget_gb:
            return f"{q} needs ~{e.ram_needed_gb:.1f} GB: it fits ({e.file_size_gb:.1f} GB file)."
    fits = []
    for row in data.load("model_architectures"):
        try:
            e = estimate(row["repo_id"], "Q4_K_M", context)
        except InvalidInput:
            continue
        if e.ram_needed_gb <= budget_gb:
            fits.append((e.params_b, row["repo_id"], e.ram_needed_gb))
    if fits:
        p, rid, need = max(fits)
        return (f"no quantization of this model fits in {budget_gb:.1f} GB; {rid} ({p:.1f} B) at Q4_K_M "
                f"needs ~{need:.1f} GB.")
    return f"nothing in the course catalog fits in {budget_gb:.1f} GB at this context; try a shorter context."


def readiness(model: str | None = None, quant: str = "Q4_K_M", context: int = 4096, *,
              params_b: float | None = None, machine: SystemAudit | None = None,
              cpu_bandwidth_gbs: float | None = None, measure_bandwidth: bool = False) -> Readiness:
    """Readiness rows for running a model on this machine (or on a given audit)."""
    from .system import audit, measure_memory_bandwidth

    a = machine or audit()
    est = estimate(model, quant, context, params_b=params_b)
    if cpu_bandwidth_gbs is None and measure_bandwidth:
        cpu_bandwidth_gbs = measure_memory_bandwidth().gbs
    hw, basis = _hardware_for_speed(a, cpu_bandwidth_gbs)
    tps = None
    if hw is not None:
        gpu_vram = a.gpu.vram_gb if hw.is_gpu and hw.backend != "metal" else None
        cpu = custom_hardware(cpu_bandwidth_gbs, "cpu", "this machine's CPU (measured)", measured=True) \
            if cpu_bandwidth_gbs else None
        speed = estimate(model, quant, context, params_b=params_b, hardware=hw, vram_gb=gpu_vram, cpu_hardware=cpu)
        tps = speed.tokens_per_s
        if speed.offload is not None and not speed.offload.fits:
            basis += f"; {speed.offload.text}"
    rows = (_ram_row(est, a), _disk_row(est, a), _cpu_row(a), _platform_row(a), _gpu_row(est, a),
            _speed_row(tps, basis))
    suggestion = ""
    budget = a.ram_available_gb or a.ram_total_gb
    if budget is not None and est.ram_needed_gb > budget:
        suggestion = suggest_smaller(model, est.quant, context, budget, params_b)
    return Readiness(est.model, est.quant, est.context, est, rows, tps, basis, suggestion)


# --------------------------------------------------------------------------- the learner's own table (exercise 4)

REFERENCE_MODEL = ("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 4096)
_VERDICTS = {OK: "ready", WARN: "warn", BAD: "no"}


def audit_snapshot(machine: SystemAudit, cpu_bandwidth_gbs: float | None = None) -> dict:
    """What the grader compares a learner's own table with (saved in the answer, as plain JSON)."""
    avx2 = None
    if machine.cpu_arch is not None:
        avx2 = "arm" if machine.cpu_arch == "arm" else ("yes" if "avx2" in machine.cpu_flags else "no")
    r = readiness(REFERENCE_MODEL[0], REFERENCE_MODEL[1], REFERENCE_MODEL[2], machine=machine,
                  cpu_bandwidth_gbs=cpu_bandwidth_gbs)
    return {"ram_total_gb": None if machine.ram_total_gb is None else round(machine.ram_total_gb, 1),
            "disk_free_gb": None if machine.disk_free_gb is None else round(machine.disk_free_gb, 1),
            "avx2": avx2, "verdict": _VERDICTS[r.verdict],
            "reference": f"{REFERENCE_MODEL[0]} at {REFERENCE_MODEL[1]}, {REFERENCE_MODEL[2]} tokens",
            "flavour": machine.flavour}
