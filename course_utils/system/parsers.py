"""Pure parsers for the text that OS commands print. Each takes a string and returns plain data,
so every format quirk is tested against recorded real outputs (tests/fixtures/os_outputs/)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..i18n import t

# The CPU features that matter to llama.cpp, with the names each source uses for them.
X86_FEATURES = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx_vnni", "amx")
ARM_FEATURES = ("neon", "dotprod", "i8mm", "sve")
_LINUX_X86 = {"sse4_2": "sse4_2", "avx": "avx", "avx2": "avx2", "fma": "fma", "f16c": "f16c",
              "avx512f": "avx512f", "avx_vnni": "avx_vnni", "amx_int8": "amx", "amx_tile": "amx"}
_LINUX_ARM = {"asimd": "neon", "neon": "neon", "asimddp": "dotprod", "i8mm": "i8mm", "sve": "sve"}
_MAC_X86 = {"SSE4.2": "sse4_2", "AVX1.0": "avx", "AVX2": "avx2", "FMA": "fma", "F16C": "f16c",
            "AVX512F": "avx512f", "AVX_VNNI": "avx_vnni", "AVXVNNI": "avx_vnni", "AMX_INT8": "amx"}
_MAC_OPTIONAL = {"hw.optional.avx1_0": "avx", "hw.optional.avx2_0": "avx2", "hw.optional.avx512f": "avx512f",
                 "hw.optional.sse4_2": "sse4_2", "hw.optional.AdvSIMD": "neon", "hw.optional.arm.AdvSIMD": "neon",
                 "hw.optional.neon": "neon", "hw.optional.arm.FEAT_DotProd": "dotprod",
                 "hw.optional.arm.FEAT_I8MM": "i8mm", "hw.optional.arm.FEAT_SME": "sme"}
_COREINFO = {"SSE4.2": "sse4_2", "AVX": "avx", "AVX2": "avx2", "FMA": "fma", "F16C": "f16c",
             "AVX-512-F": "avx512f", "AVX-VNNI": "avx_vnni"}
ARM_PARTS = {"0xd03": "Cortex-A53", "0xd07": "Cortex-A57", "0xd08": "Cortex-A72", "0xd0b": "Cortex-A76",
             "0xd0c": "Neoverse-N1", "0xd40": "Neoverse-V1", "0xd4f": "Neoverse-V2"}
ARM_IMPLEMENTERS = {"0x41": "Arm", "0x61": "Apple", "0x51": "Qualcomm", "0xc0": "Ampere"}


@dataclass(frozen=True)
class CpuInfo:
    brand: str | None
    arch: str  # "x86" or "arm"
    features: frozenset[str]  # subset of X86_FEATURES / ARM_FEATURES found
    logical_cpus: int | None
    physical_cores: int | None
    hypervisor: bool = False


def _key_values(block: str) -> dict[str, str]:
    """'key<spaces or tabs>: value' lines; the first ':' splits (values may contain ':')."""
    out: dict[str, str] = {}
    for line in block.splitlines():
        if ":" not in line:
            continue
        key, value = line.split(":", 1)
        out.setdefault(key.strip().lower(), value.strip())
    return out


def parse_proc_cpuinfo(text: str) -> CpuInfo:
    """Linux /proc/cpuinfo, x86 or ARM, any padding; uses the first processor block."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    if not blocks:
        raise ValueError(t("system.parse.empty_cpuinfo"))
    first = _key_values(blocks[0])
    processors = sum(1 for b in blocks if re.search(r"^processor\s*:", b, re.M | re.I))
    if "flags" in first:  # x86 ('vmx flags' is a different key, so exact match matters)
        words = set(first["flags"].split())
        features = frozenset(_LINUX_X86[w] for w in words if w in _LINUX_X86)
        siblings, cores = first.get("siblings"), first.get("cpu cores")
        physical = None
        if cores and cores.isdigit():
            ids = {(_key_values(b).get("physical id"), _key_values(b).get("core id")) for b in blocks}
            physical = len(ids) if len(ids) > 1 else int(cores)
        return CpuInfo(first.get("model name"), "x86", features, processors or (int(siblings) if siblings else None),
                       physical, "hypervisor" in words)
    if "features" in first:
        words = set(first["features"].split())
        features = {_LINUX_ARM[w] for w in words if w in _LINUX_ARM}
        brand = first.get("model name")
        part, implementer = first.get("cpu part", "").lower(), first.get("cpu implementer", "").lower()
        if not brand or brand.lower().startswith("armv"):
            name = " ".join(x for x in (ARM_IMPLEMENTERS.get(implementer), ARM_PARTS.get(part)) if x)
            brand = name or brand
        hardware = _key_values(text).get("model")  # Raspberry Pi: 'Model : Raspberry Pi 4 ...' at the end
        if hardware and "raspberry" in hardware.lower():
            brand = f"{hardware} ({brand})" if brand else hardware
        return CpuInfo(brand, "arm", frozenset(features), processors or None, None, False)
    raise ValueError(t("system.parse.no_flags"))


def parse_sysctl(text: str) -> dict[str, str]:
    """`sysctl key ...` output ('key: value' lines); error lines are skipped."""
    out = {}
    for line in text.splitlines():
        if line.startswith(("sysctl:", ">")) or ":" not in line:
            continue
        key, value = line.split(":", 1)
        out[key.strip()] = value.strip()
    return out


def macos_cpu(values: dict[str, str]) -> CpuInfo:
    """CPU facts from sysctl values (Apple Silicon: hw.optional.*; Intel: machdep.cpu.*)."""
    brand = values.get("machdep.cpu.brand_string")
    arm = values.get("hw.optional.arm64") == "1" or any(k.startswith("hw.optional.arm.") for k in values) \
        or (brand or "").startswith("Apple")
    if values.get("sysctl.proc_translated") == "1":
        arm = True  # Rosetta 2: an x86 process on an Apple Silicon Mac
    features = set()
    for key, name in _MAC_OPTIONAL.items():
        if values.get(key) == "1":
            features.add(name)
    if not arm:
        words = (values.get("machdep.cpu.features", "") + " " + values.get("machdep.cpu.leaf7_features", "")).split()
        features |= {_MAC_X86[w] for w in words if w in _MAC_X86}
    else:
        features = {f for f in features if f in ARM_FEATURES}
        features.add("neon")  # every arm64 Mac has Advanced SIMD
    logical = values.get("hw.logicalcpu") or values.get("hw.ncpu") or values.get("machdep.cpu.thread_count")
    physical = values.get("hw.physicalcpu") or values.get("machdep.cpu.core_count")
    return CpuInfo(brand, "arm" if arm else "x86", frozenset(features),
                   int(logical) if logical and logical.isdigit() else None,
                   int(physical) if physical and physical.isdigit() else None,
                   "VMM" in values.get("machdep.cpu.features", "").split())


def parse_coreinfo(text: str) -> CpuInfo:
    """Sysinternals coreinfo: 'NAME  *|-  description' lines; the CPU name comes first."""
    features = set()
    brand = None
    for line in text.splitlines():
        m = re.match(r"^(\S+)\s+([*-])\s", line)
        if m and m.group(1) in _COREINFO and m.group(2) == "*":
            features.add(_COREINFO[m.group(1)])
        elif brand is None and re.search(r"(Intel|AMD|Qualcomm|Microsoft|Ampere)", line) and "Family" not in line \
                and "Copyright" not in line and "Sysinternals" not in line:
            brand = line.strip()
    arm = bool(brand and re.search(r"Qualcomm|Cobalt|ARM|Snapdragon", brand, re.I))
    return CpuInfo(brand, "arm" if arm else "x86", frozenset(features), None, None)


def coreinfo_reported(text: str) -> frozenset[str]:
    """The course's features that Coreinfo's output lists at all (present '*' or absent '-')."""
    return frozenset(_COREINFO[m.group(1)] for m in re.finditer(r"^(\S+)\s+[*-]\s", text, re.M)
                     if m.group(1) in _COREINFO)


def parse_wmic_cpu(text: str) -> dict[str, str]:
    """`wmic cpu get ...` as a table (alphabetical columns) or `/format:list` (Key=Value)."""
    lines = [ln.rstrip() for ln in text.replace("\r", "").splitlines() if ln.strip()]
    if any("=" in ln for ln in lines):
        return {k.strip(): v.strip() for k, v in (ln.split("=", 1) for ln in lines if "=" in ln)}
    if len(lines) < 2:
        return {}
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    names = header.split()
    row = lines[1]
    out = {}
    for i, name in enumerate(names):
        end = starts[i + 1] if i + 1 < len(starts) else None
        out[name] = row[starts[i]:end].strip()
    return out


def detect_wsl(proc_version: str) -> str | None:
    """'wsl2', 'wsl1' or None from /proc/version or `uname -a`/`uname -r` text."""
    low = proc_version.lower()
    if "microsoft" not in low:
        return None
    if "wsl2" in low or "microsoft-standard" in low:
        return "wsl2"
    return "wsl1"


@dataclass(frozen=True)
class Gpu:
    name: str
    vram_gb: float | None
    driver: str | None


def parse_nvidia_smi_table(text: str) -> list[Gpu]:
    """The default `nvidia-smi` table (old and new layouts, Driver/KMD version headers)."""
    driver = None
    m = re.search(r"(?:Driver|KMD) Version:\s*([\d.]+)", text)
    if m:
        driver = m.group(1)
    gpus = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\|\s+(\d+)\s+(.+?)\s+(?:On|Off|WDDM|TCC)\s*\|", line)
        if not m:
            continue
        name = m.group(2).strip()
        vram = None
        if i + 1 < len(lines):
            mm = re.search(r"(\d+)MiB\s*/\s*(\d+)MiB", lines[i + 1])
            if mm:
                vram = int(mm.group(2)) * 1024 * 1024 / 1e9
        gpus.append(Gpu(name, vram, driver))
    return gpus


def parse_nvidia_smi_query(text: str) -> list[Gpu]:
    """`nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits`."""
    gpus = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 2 or not parts[0] or parts[0].startswith(("name", "index")):
            continue
        mem = parts[1].replace("MiB", "").strip()
        vram = int(mem) * 1024 * 1024 / 1e9 if mem.isdigit() else None  # '[N/A]' on unified-memory GB10
        gpus.append(Gpu(parts[0], vram, parts[2] if len(parts) > 2 and parts[2] not in ("", "[N/A]") else None))
    return gpus


_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?)")


def parse_tool_version(tool: str, text: str) -> str | None:
    """The version number in the first line of `TOOL --version` (gcc, clang, make, cmake, git, cl)."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if tool == "cl":  # MSVC prints 'Microsoft (R) C/C++ Optimizing Compiler Version 19.38.33130 for x64'
            m = re.search(r"Version\s+([\d.]+)", line)
            if m:
                return m.group(1)
            continue
        if tool == "gcc" and ")" in line:
            line = line.rsplit(")", 1)[1]  # skip '(Ubuntu 9.2.1-9ubuntu2)' before the real version
        m = _VERSION.search(line)
        return m.group(1) if m else None
    return None


def parse_rocm_smi(text: str) -> list[Gpu]:
    """`rocm-smi --showproductname --showmeminfo vram` as --json, --csv or the plain text layout."""
    text = text.strip()
    if text.startswith("{"):
        import json

        try:
            cards = json.loads(text)
        except ValueError:
            return []
        out = []
        for card in (cards.values() if isinstance(cards, dict) else []):
            if not isinstance(card, dict) or "VRAM Total Memory (B)" not in card:
                continue
            total = str(card.get("VRAM Total Memory (B)", "")).strip()
            out.append(Gpu(card.get("Card Series") or card.get("Card series") or "AMD GPU",
                           int(total) / 1e9 if total.isdigit() else None, None))
        return out
    lines = text.splitlines()
    if lines and lines[0].startswith("device,"):
        import csv

        return [Gpu(r.get("Card Series") or "AMD GPU",
                    int(r["VRAM Total Memory (B)"]) / 1e9 if (r.get("VRAM Total Memory (B)") or "").isdigit() else None,
                    None) for r in csv.DictReader(lines)]
    vram: dict[str, float] = {}
    names: dict[str, str] = {}
    for line in lines:
        m = re.match(r"\s*GPU\[(\d+)\]\s*:\s*(.+?):\s*(.+?)\s*$", line)
        if not m:
            continue
        idx, key, value = m.groups()
        if key.lower() == "vram total memory (b)" and value.isdigit():
            vram[idx] = int(value) / 1e9
        elif key.lower() == "card series":
            names[idx] = value
    return [Gpu(names.get(i, "AMD GPU"), vram.get(i), None) for i in sorted(set(vram) | set(names), key=int)]


PCI_VENDORS = {"0x1002": "amd", "0x8086": "intel", "0x10de": "nvidia"}


def parse_drm_card(vendor: str, vram_total: str | None) -> tuple[str | None, float | None]:
    """(kind, VRAM GB) from /sys/class/drm/cardN/device/{vendor, mem_info_vram_total} (amdgpu reports bytes)."""
    kind = PCI_VENDORS.get(vendor.strip().lower())
    vram = vram_total.strip() if vram_total else ""
    return kind, int(vram) / 1e9 if vram.isdigit() and int(vram) > 0 else None
