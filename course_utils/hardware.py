"""Memory bandwidth of known hardware and the decode-efficiency of each hardware class.

Decode (token generation) in llama.cpp is memory-bound: every new token reads all the
weights once, plus the KV cache. So ``time per token = bytes / (efficiency x bandwidth) +
overhead``, the overhead growing with the layer count. The constants below say where each number comes from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import data
from .errors import InvalidInput
from .i18n import t


# Every calibration row is Llama 2 7B, whose 32 layers the fitted overheads below are for.
REFERENCE_LAYERS = 32


@dataclass(frozen=True)
class HardwareClass:
    name: str
    efficiency: float  # share of the memory bandwidth a decode step achieves
    overhead_ms: float  # time per token beyond reading, for a 32-layer model (kernel launches, synchronisation)

    def overhead_s(self, n_layers: int | None = None) -> float:
        """Seconds per token beyond reading for a model of ``n_layers`` layers (unknown: 32).

        llama.cpp launches the same few kernels for every layer, and each launch costs time even when
        it reads little, so this time grows with the layer count: on one M1 Pro and one build (PR
        #10491) Llama 3.2 1B (16 layers) and Llama 2 13B (40 layers) spent 0.20 and 0.16 ms per layer
        beyond reading, 3.2 and 6.5 ms per token. Over 6 published tables of one chip, one build and
        several models (data/llamacpp_other_models.csv), predicting each model from the others'
        overhead misses by a median 6.9 % taken per layer, 17.2 % taken per token (bench/fit_accuracy.py).
        """
        return self.overhead_ms / 1000 * (REFERENCE_LAYERS if n_layers is None else n_layers) / REFERENCE_LAYERS

    @property
    def why(self) -> str:
        """Where the two constants come from, in the language in force (catalog hardware.class.<name>)."""
        return t(f"hardware.class.{self.name}")


# The speed model, per backend (llama.cpp decode is memory-bound):
#     seconds per token = bytes read per token / (efficiency x bandwidth) + overhead x layers / 32
# "bytes read per token" = the weights a token touches (all of them for a dense model, the
# active experts for a MoE) plus the KV cache at the current context. Each backend's two
# constants are a least-squares fit (on relative error) of that line to the llama-bench tg128
# rows of data/llamacpp_speed_calibration.csv with a bandwidth; bench/fit_accuracy.py re-derives
# them and prints in-sample, leave-one-backend-out and leave-one-chip-family-out errors.
# With two or more model sizes per chip (Apple: F16, Q8_0 and Q4_0 of one 7B model) the slope
# gives the efficiency and the intercept the overhead, which is why both are physical. The overhead is
# for Llama 2 7B's 32 layers; other models pay it per layer (HardwareClass.overhead_s).
CLASSES: dict[str, HardwareClass] = {
    # 5 NVIDIA rows with a bandwidth (discussion #15013): residuals within 7 %.
    "cuda": HardwareClass("cuda", 0.844, 1.04),
    # 4 NVIDIA rows (discussion #10879): residuals within 11 %.
    "vulkan": HardwareClass("vulkan", 0.874, 1.30),
    # ROCm: no calibration rows; the discrete-GPU (CUDA) constants are assumed.
    "rocm": HardwareClass("rocm", 0.844, 1.04),
    # 29 rows, 10 Apple chips x F16/Q8_0/Q4_0 of Llama 2 7B (discussion #4167, whose table grew from a
    # 2023 build to M4 chips of late 2024; the builds of the rows were not checked one by one):
    # the slope says Metal reads at 90 % of the nominal bandwidth; the ~5 ms per token (32 layers) is
    # launch and synchronisation cost, which is why the 800 GB/s Ultras gain little.
    "metal": HardwareClass("metal", 0.900, 5.42),
    # One calibration row (Radeon 8060S iGPU, LPDDR5X 256 GB/s, Vulkan): 52.22 t/s, no overhead fitted.
    "igpu": HardwareClass("igpu", 0.772, 0.0),
    # CPU against a *spec* bandwidth (named hardware): peers use 0.55 (llmfit) to 0.70 (caniarun).
    "cpu": HardwareClass("cpu", 0.55, 0.0),
    # CPU against *this machine's measured* read bandwidth with llama.cpp's thread count
    # (system.measure_memory_bandwidth, numpy reads). What llama.cpp reads, over that measurement,
    # on the two course VMs where reading set the pace (2 threads):
    #   AMD EPYC (2 vCPU): TinyLlama-1.1B Q4_K_M, 0.63 GB per token at 37-39 tokens/s vs 17-19 GB/s: ~1.3
    #   Intel Xeon (2 vCPU, 2026-12-02): random-weight 16x1024 models in F32 and F16 (bench/cpu_overhead.py),
    #   0.78 / 0.42 GB per token: 1.13 / 1.02 on 1 thread, 1.03 / 0.93 on 2 threads
    # 1.1 lies between them (about -15 % on the AMD VM, -2 % to +19 % here); it depends on the CPU.
    # Computing is the other ceiling: where llama.cpp is installed, its multiply-add rate and its cost
    # per matrix row are measured on the course's two probe models (compute_probe) and the slower of
    # the two ceilings sets the time (fit.seconds_per_token). On both VMs (generic wheel, no AVX-512
    # kernels) Q4 models were compute-bound: memory-only estimates +75..+230 % vs llama.cpp; with
    # the compute ceiling (rate and rows) `course-utils run` on the real SmolLM2-135M was +7..+15 %
    # on the AMD VM and -12..+20 % on an Intel VM (nine runs, 7 within 15 %; that VM's own speed moved
    # ~15 % between minutes).
    "cpu_measured": HardwareClass("cpu_measured", 1.1, 0.0),
}

# NVIDIA generations before Ampere (2020) in the hardware table: against llama-bench results never
# used for fitting (bench/fit_accuracy.py, "out of sample") the CUDA constants over-predict them
# by 26 % (Turing) to 267 % (Kepler K80); Ampere and later stay within 12 %. Colab's Tesla T4 is Turing.
OLDER_NVIDIA = re.compile(r"\bTesla [KMPT]\d|\bV100\b|\bQuadro RTX|\bGTX \d{3,4}|\bRTX 20\d0", re.IGNORECASE)

BACKENDS = ("cuda", "rocm", "vulkan", "metal", "cpu", "igpu")
GPU_BACKENDS = ("cuda", "rocm", "vulkan", "metal", "igpu")
# Assumed CPU bandwidth of a PC when only its GPU is named (for the layers that do not fit in
# VRAM): dual-channel DDR4-3200 = 2 channels x 8 bytes x 3200 MT/s = 51.2 GB/s (JEDEC arithmetic).
DEFAULT_PC_CPU_BANDWIDTH_GBS = 51.2


@dataclass(frozen=True)
class Hardware:
    name: str
    backend: str
    bandwidth_gbs: float
    source: str
    hw_class: str
    memory_gb: float | None = None  # VRAM, or the unified memory a GPU may use; None = unknown
    # measured on this machine by llama.cpp on a probe model (compute_probe): billions of
    # multiply-accumulates per second with ``threads`` threads; None = not measured (memory-bound)
    compute_gmacs: float | None = None
    threads: int | None = None
    # measured with it: the fixed cost of each matrix row a decode step computes (the dot product's
    # setup and reduction), in nanoseconds; short rows make many of them per multiply-add
    compute_row_ns: float | None = None
    # measured with it: the time of one multiply-add of attention over the KV cache (q.k and the sum of v, in
    # f16 floating point, a softmax step per cached token), in nanoseconds; on the course's VM 4-5 times a
    # weight's, whose kernels are integer (compute_probe: a probe with the model's heads after 512 and 1,536
    # cached tokens); None = as a weight's
    compute_attn_ns: float | None = None

    @property
    def row_macs(self) -> float:
        """One matrix row's fixed cost in multiply-add time (0 when not measured)."""
        return (self.compute_row_ns or 0.0) * (self.compute_gmacs or 0.0)

    @property
    def attn_mac_cost(self) -> float:
        """One multiply-add of attention over the cache in weights' multiply-add time (1 when not measured)."""
        return self.compute_attn_ns * self.compute_gmacs if self.compute_attn_ns and self.compute_gmacs else 1.0

    @property
    def klass(self) -> HardwareClass:
        return CLASSES[self.hw_class]

    @property
    def older_nvidia(self) -> bool:
        """An NVIDIA GPU from before Ampere (2020): the estimate is an upper bound there."""
        return self.backend == "cuda" and bool(OLDER_NVIDIA.search(self.name))

    @property
    def is_gpu(self) -> bool:
        return self.backend in GPU_BACKENDS

    @property
    def unified(self) -> bool:
        """The GPU shares the CPU's memory (Apple Silicon, an iGPU such as the Radeon 8060S under Vulkan)."""
        return self.backend in ("metal", "igpu") or self.hw_class == "igpu"


def _class_for(name: str, backend: str) -> str:
    if backend == "vulkan" and "igpu" in name.lower():
        return "igpu"
    return backend if backend in CLASSES else "cpu"


def known_hardware() -> list[Hardware]:
    return [Hardware(r["hardware"], r["backend"], r["memory_bandwidth_gbs"], r["source_url"],
                     _class_for(r["hardware"], r["backend"]), r.get("memory_gb")) for r in data.load("hardware_bandwidth")]


def _norm(text: str) -> str:
    text = text.lower().replace("geforce", "").replace("nvidia", "").replace("apple", "").replace("amd", "")
    return re.sub(r"[^a-z0-9+]+", " ", text).strip()


def base_name(name: str) -> str:
    """A chip's name without its variant, as short forms are matched: 'Apple M1 Max (32-core GPU)' -> 'm1 max'."""
    return _norm(re.sub(r"\(.*?\)", "", name))


def find_hardware(name: str) -> Hardware:
    """A row of the bandwidth table by full name or a common short form ('M1 Pro', 'RTX 4090').

    A short form that matches several rows with the same bandwidth (e.g. the two GPU variants of
    one Apple chip) is accepted; different bandwidths make it ambiguous.
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(t("hardware.name.empty"))
    rows = known_hardware()
    exact = [h for h in rows if h.name.lower() == name.strip().lower()]
    if exact:
        return exact[0]
    key = _norm(name)
    base = [h for h in rows if base_name(h.name) == key]
    if not base:
        base = [h for h in rows if _norm(h.name).startswith(key + " ") or _norm(h.name) == key]
    if base:
        bandwidths = {h.bandwidth_gbs for h in base}
        if len(bandwidths) == 1:
            return base[0]
        raise InvalidInput(t("hardware.name.ambiguous", name=repr(name)),
                           suggestions=tuple(h.name for h in base))
    from .model_ids import CUTOFF_SHORT, did_you_mean

    raise InvalidInput(t("hardware.name.unknown", name=repr(name)),
                       suggestions=did_you_mean(name, [h.name for h in rows], n=3, cutoff=CUTOFF_SHORT, fold=_norm))


def custom_hardware(bandwidth_gbs: float, backend: str, name: str | None = None, memory_gb: float | None = None,
                    measured: bool = False, compute_gmacs: float | None = None, threads: int | None = None,
                    compute_row_ns: float | None = None, compute_attn_ns: float | None = None) -> Hardware:
    """Hardware from a bandwidth you give; ``measured`` marks a CPU figure from this machine's measurement."""
    if isinstance(bandwidth_gbs, bool) or not isinstance(bandwidth_gbs, (int, float)) or not bandwidth_gbs > 0:
        raise InvalidInput(t("hardware.bandwidth.bad", value=repr(bandwidth_gbs)))
    if backend not in BACKENDS:
        raise InvalidInput(t("hardware.backend.bad", choices=", ".join(BACKENDS), value=repr(backend)))
    if memory_gb is not None and not (isinstance(memory_gb, (int, float)) and memory_gb > 0):
        raise InvalidInput(t("hardware.memory.bad", value=repr(memory_gb)))
    klass = "cpu_measured" if measured and backend == "cpu" else backend
    source = t("hardware.source.measured" if measured else "hardware.source.given")
    if compute_gmacs is not None and (isinstance(compute_gmacs, bool) or not isinstance(compute_gmacs, (int, float))
                                      or not compute_gmacs > 0):
        raise InvalidInput(t("hardware.compute.bad", value=repr(compute_gmacs)))
    if compute_row_ns is not None and (isinstance(compute_row_ns, bool) or not isinstance(compute_row_ns, (int, float))
                                       or not compute_row_ns >= 0):
        raise InvalidInput(t("hardware.row_cost.bad", value=repr(compute_row_ns)))
    if compute_attn_ns is not None and (isinstance(compute_attn_ns, bool) or not isinstance(compute_attn_ns, (int, float))
                                        or not compute_attn_ns >= 0):
        raise InvalidInput(t("hardware.attn_cost.bad", value=repr(compute_attn_ns)))
    return Hardware(t("hardware.custom") if name is None else name, backend, float(bandwidth_gbs), source, klass,
                    memory_gb, None if compute_gmacs is None else float(compute_gmacs), threads,
                    None if not compute_row_ns else float(compute_row_ns),
                    None if not compute_attn_ns else float(compute_attn_ns))


def with_memory(hw: Hardware, memory_gb: float | None) -> Hardware:
    """The same hardware with a memory size you give (``--vram``)."""
    if memory_gb is None:
        return hw
    if isinstance(memory_gb, bool) or not isinstance(memory_gb, (int, float)) or not memory_gb > 0:
        raise InvalidInput(t("hardware.vram.bad", value=repr(memory_gb)))
    return replace(hw, memory_gb=float(memory_gb))


def llama_cpp_threads() -> int:
    """The thread count llama.cpp uses by default: the physical cores (common.cpp cpu_get_num_math)."""
    import os

    try:
        import psutil

        n = psutil.cpu_count(logical=False)
    except Exception:  # noqa: BLE001
        n = None
    return max(1, n or os.cpu_count() or 1)


def this_machine(threads: int | None = None, bandwidth_gbs: float | None = None, seconds: float = 1.0,
                 compute_gmacs: float | None = None, compute_row_ns: float | None = None,
                 compute_attn_ns: float | None = None) -> Hardware:
    """This machine's CPU as llama.cpp would use it: bandwidth measured with llama.cpp's thread count.

    ``compute_gmacs``, ``compute_row_ns`` and ``compute_attn_ns``: the multiply-add rate, the cost per matrix
    row and per multiply-add of attention llama.cpp showed here (compute_probe.measure_compute_rate with the
    same threads); without them the estimate assumes memory sets the pace.
    """
    threads = int(threads or llama_cpp_threads())
    if bandwidth_gbs is None:
        from .system import measure_memory_bandwidth

        bandwidth_gbs = measure_memory_bandwidth(seconds, threads=threads).gbs
    return custom_hardware(bandwidth_gbs, "cpu", t("hardware.this_machine"), measured=True,
                           compute_gmacs=compute_gmacs, threads=threads, compute_row_ns=compute_row_ns,
                           compute_attn_ns=compute_attn_ns)
