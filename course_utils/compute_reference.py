"""llama.cpp's compute rate on a CPU that is not this one, carried over from a core of the same design.

On few threads (or with slow kernels: the i-quants) a CPU's decode speed is set by the multiply-adds,
not the memory (compute_probe). That rate can be measured only where llama.cpp runs, so for a named
CPU there is none. But a core of the same design runs the same kernels in the same number of clock
cycles: what one Zen 4 core does per cycle, another does, at its own clock. ``data/cpu_compute_reference.csv``
holds the probes' rates on the course VM (an AMD EPYC, Zen 4) with the clock it ran at, measured
together by ``bench/cpu_compute_table.py``; ``transferred_rate`` scales them to another core's clock.

What it leaves out: another build of llama.cpp may have other kernels (the published Ryzen rows are of
December 2024, the table of the xllamacpp wheel of 2026), and a maker's boost clock is the most a core
reaches, so the rate it gives is an upper bound. Checked only on published rows (bench/fit_accuracy.py):
the estimator uses it nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import data, quant_mix

# llama-quantize's main type for the matrices of each file type (llama-quant.cpp's
# llama_ftype_get_default_type); some layers' attn_v and ffn_down take more bits, left out here.
FILE_TYPE_LAYERS = quant_mix.DEFAULT_TYPE


def file_type_matrices(file_type: str) -> tuple[str, str] | None:
    """(main layer type, output matrix type) llama-quantize writes for ``file_type`` (e.g. "Q4_K_M",
    "IQ2_XXS"); None for a file type it does not write."""
    layers = FILE_TYPE_LAYERS.get(file_type.upper())
    if layers is None:
        return None
    # output.weight's rule (quant_mix.output_type), for rows of whole blocks: the bench's published models have them
    return layers, quant_mix.output_type(file_type.upper())


@dataclass(frozen=True)
class TransferredRate:
    gmacs: float  # billions of multiply-adds per second at ``threads`` (Hardware.compute_gmacs)
    row_ns: float  # each matrix row's fixed cost, in ns (Hardware.compute_row_ns)
    threads: int
    clock_ghz: float  # the clock it was scaled to
    reference_cpu: str  # the reference row it was scaled from: its CPU, clock, threads and engine
    reference_clock_ghz: float
    reference_threads: int
    engine: str
    layer_type: str
    output_type: str


def reference_rows(core: str) -> list[dict]:
    """The table's rows measured on a core of design ``core`` (e.g. "Zen 4")."""
    return [r for r in data.load("cpu_compute_reference") if r["core"].lower() == core.strip().lower()]


def transferred_rate(core: str, clock_ghz: float, threads: int, layer_type: str,
                     output_type: str) -> TransferredRate | None:
    """The compute rate of ``threads`` cores of design ``core`` at ``clock_ghz``, for matrices in
    ``layer_type`` and an output matrix in ``output_type``: the reference's cycles per multiply-add and per
    matrix row, at this clock. The reference with the same thread count is taken; else the one nearest
    below it, scaled linearly with the threads (as if the cores did not share the memory's traffic). None when the table has
    no row for that core and those types."""
    if not clock_ghz or clock_ghz <= 0 or not threads or threads <= 0:
        return None
    rows = [r for r in reference_rows(core) if r["layer_type"] == layer_type and r["output_type"] == output_type]
    if not rows:
        return None
    below = [r for r in rows if r["threads"] <= threads]
    ref = max(below or rows, key=lambda r: (r["threads"] == threads, r["threads"] if below else -r["threads"]))
    scale = clock_ghz / ref["clock_ghz"] * threads / ref["threads"]
    return TransferredRate(round(ref["gmacs"] * scale, 3), round(ref["row_ns"] / scale, 3), int(threads),
                           float(clock_ghz), ref["cpu"], ref["clock_ghz"], ref["threads"], ref["engine"],
                           layer_type, output_type)
