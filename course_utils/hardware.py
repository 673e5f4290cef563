"""Memory bandwidth of known hardware and the decode-efficiency of each hardware class.

Decode (token generation) in llama.cpp is memory-bound: every new token reads all the
weights once, plus the KV cache. So ``time per token = bytes / (efficiency x bandwidth) +
fixed overhead``. The constants below say where each number comes from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import data
from .errors import InvalidInput


@dataclass(frozen=True)
class HardwareClass:
    name: str
    efficiency: float  # share of the nominal bandwidth a decode step achieves
    overhead_ms: float  # fixed time per token (kernel launches, sampling)
    why: str


CLASSES: dict[str, HardwareClass] = {
    # Least-squares fit of 1/tg128 = overhead + bytes/(eff x BW) over the nine discrete-GPU rows of
    # data/llamacpp_speed_calibration.csv that state a bandwidth (Llama 2 7B Q4_0, 3.83 GB of weights;
    # CUDA and Vulkan). Residuals are within +-10 %. bench/fit_accuracy.py re-derives it.
    "discrete_gpu": HardwareClass("discrete_gpu", 0.874, 1.19,
                                  "fitted on llama-bench tg128 of 9 NVIDIA GPUs (CUDA and Vulkan)"),
    # One calibration row (Radeon 8060S iGPU, LPDDR5X 256 GB/s, Vulkan): 52.22 t/s -> 0.78 with no overhead.
    "integrated_gpu": HardwareClass("integrated_gpu", 0.78, 0.0,
                                    "one llama-bench row of an AMD Strix Halo iGPU (Vulkan)"),
    # No Apple rows with token speeds in the calibration data; peers use 0.65 (caniarun) to 0.70.
    # Unified memory is shared with the CPU and the display, so we take the lower figure.
    "apple_silicon": HardwareClass("apple_silicon", 0.65, 0.0,
                                   "not calibrated here; the lower of the peers' figures (0.65-0.70)"),
    # CPU decode: peers use 0.55 (llmfit) to 0.70 (caniarun); gpu_poor 1/1.6 = 0.63. Not calibrated
    # here (no CPU rows). CPUs rarely reach their nominal DRAM bandwidth with few cores, so 0.55.
    "cpu": HardwareClass("cpu", 0.55, 0.0, "not calibrated here; the lowest of the peers' figures (0.55-0.70)"),
}

BACKEND_CLASS = {"cuda": "discrete_gpu", "rocm": "discrete_gpu", "vulkan": "discrete_gpu", "metal": "apple_silicon",
                 "cpu": "cpu", "igpu": "integrated_gpu"}


@dataclass(frozen=True)
class Hardware:
    name: str
    backend: str
    bandwidth_gbs: float
    source: str
    hw_class: str

    @property
    def klass(self) -> HardwareClass:
        return CLASSES[self.hw_class]


def _class_for(name: str, backend: str) -> str:
    if backend == "vulkan" and "igpu" in name.lower():
        return "integrated_gpu"
    return BACKEND_CLASS.get(backend, "cpu")


def known_hardware() -> list[Hardware]:
    return [Hardware(r["hardware"], r["backend"], r["memory_bandwidth_gbs"], r["source_url"],
                     _class_for(r["hardware"], r["backend"])) for r in data.load("hardware_bandwidth")]


def _norm(text: str) -> str:
    text = text.lower().replace("geforce", "").replace("nvidia", "").replace("apple", "").replace("amd", "")
    return re.sub(r"[^a-z0-9+]+", " ", text).strip()


def find_hardware(name: str) -> Hardware:
    """A row of the bandwidth table by full name or a common short form ('M1 Pro', 'RTX 4090').

    A short form that matches several rows with the same bandwidth (e.g. the two GPU variants of
    one Apple chip) is accepted; different bandwidths make it ambiguous.
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("Give a hardware name, e.g. 'Apple M1 Pro (14-core GPU)' or 'RTX 4090'.")
    rows = known_hardware()
    exact = [h for h in rows if h.name.lower() == name.strip().lower()]
    if exact:
        return exact[0]
    key = _norm(name)
    base = [h for h in rows if _norm(re.sub(r"\(.*?\)", "", h.name)) == key]
    if not base:
        base = [h for h in rows if _norm(h.name).startswith(key + " ") or _norm(h.name) == key]
    if base:
        bandwidths = {h.bandwidth_gbs for h in base}
        if len(bandwidths) == 1:
            return base[0]
        raise InvalidInput(f"{name!r} matches hardware with different bandwidths; be specific.",
                           suggestions=tuple(h.name for h in base))
    import difflib

    close = difflib.get_close_matches(key, [_norm(h.name) for h in rows], n=3, cutoff=0.5)
    names = {_norm(h.name): h.name for h in rows}
    raise InvalidInput(f"{name!r} is not in the bandwidth table; pass --bandwidth GBS --backend B instead.",
                       suggestions=tuple(names[c] for c in close))


def custom_hardware(bandwidth_gbs: float, backend: str, name: str = "custom") -> Hardware:
    if not isinstance(bandwidth_gbs, (int, float)) or not bandwidth_gbs > 0:
        raise InvalidInput(f"Bandwidth must be a positive number of GB/s, not {bandwidth_gbs!r}.")
    if backend not in BACKEND_CLASS:
        raise InvalidInput(f"Backend must be one of {', '.join(BACKEND_CLASS)}, not {backend!r}.")
    return Hardware(name, backend, float(bandwidth_gbs), "given by you", BACKEND_CLASS[backend])
