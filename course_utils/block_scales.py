"""How widely a GGUF's block scales spread, so that the compute probes can be written the same way.

A quantized block of weights carries an f16 scale. The xllamacpp wheel's x86 build converts those f16
values through a 256 KB lookup table (ggml_table_f32_f16: its dot products have no F16C instruction),
so the cost of a dot product depends on how many of the table's cache lines the scales touch: on the
course's VM, a random-weight copy of SmolLM2-135M (every block scale within one octave) decoded 20 % faster
than the real model, and the same copy with scales spread over several octaves 30 % slower
(bench/run_gap.py). The probes (compute_probe) are written with the spread of the model they predict:
the mean and the standard deviation of ln(scale) over a sample of its blocks, per role (the layers' main
type, the output matrix). The weights' values stay random; only their magnitude per block follows the model.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .ggml_quant import block_bytes, block_size  # a block's weights share its f16 scale

# where a block's f16 scale d lies (bytes from the block's start) and how many weights share it, per ggml
# type (ggml-common.h: block_q4_0 ... block_q8_0; block_q2_K ... block_q6_K; block_iq4_nl, block_iq4_xs)
SCALE_AT = {"Q4_0": 0, "Q4_1": 0, "Q5_0": 0, "Q5_1": 0, "Q8_0": 0, "IQ4_NL": 0,
            "Q2_K": 80, "Q3_K": 108, "Q4_K": 0, "Q5_K": 0, "Q6_K": 208, "IQ4_XS": 0}
SAMPLE_ROWS = 64  # rows read per tensor, evenly spaced (a row's blocks lie side by side)


@dataclass(frozen=True)
class ScaleSpread:
    """ln(|scale|) of one role's matrices, from whole sampled rows of each: the mean over all their blocks,
    and how it spreads inside one matrix (pooled over the matrices: the spread one matrix product meets),
    split into the spread of the rows' means (``row_sd``) and of the blocks around their row's (``block_sd``)."""
    qtype: str
    log_mean: float
    row_sd: float
    block_sd: float
    blocks: int

    @property
    def log_sd(self) -> float:
        return round(math.hypot(self.row_sd, self.block_sd), 3)

    @property
    def tag(self) -> str:
        """A short name for probe files written with this spread (rounded: nearby spreads share a probe)."""
        return f"{self.log_mean:+.1f}_{self.row_sd:.2f}_{self.block_sd:.2f}".replace("+", "p").replace("-", "m")


def _spread(qtype: str, rows: list[np.ndarray]) -> ScaleSpread | None:
    """From each matrix's sampled rows (an array of rows x blocks of scales)."""
    logs, between, within, n = [], 0.0, 0.0, 0
    for scales in rows:
        if scales.size == 0 or not np.all(np.isfinite(scales)) or np.any(scales == 0):
            continue  # a matrix with zero (or broken) scales tells nothing about the spread
        lg = np.log(np.abs(scales.astype(np.float64)))
        row_means = lg.mean(axis=1, keepdims=True) if lg.shape[1] > 1 else np.full_like(lg, lg.mean())  # one block
        # per row (a K-quant row of 256): no split to be read, the spread is taken as the blocks' own
        between += float(((row_means - lg.mean()) ** 2).sum()) * lg.shape[1]
        within += float(((lg - row_means) ** 2).sum())
        n += lg.size
        logs.append(lg.ravel())
    if n < 16:
        return None
    mean = float(np.concatenate(logs).mean())
    return ScaleSpread(qtype, round(mean, 3), round(math.sqrt(between / n), 3), round(math.sqrt(within / n), 3), n)


def scales_of(raw: bytes | np.ndarray, qtype: str) -> np.ndarray:
    """The f16 scale of every block in ``raw`` (a tensor's bytes) as float32."""
    size, at = block_bytes(qtype), SCALE_AT[qtype]
    blocks = np.frombuffer(raw, dtype=np.uint8) if isinstance(raw, (bytes, bytearray)) else raw.view(np.uint8)
    blocks = blocks[: blocks.size // size * size].reshape(-1, size)
    return blocks[:, at:at + 2].copy().view(np.float16).ravel().astype(np.float32)


def file_spreads(path: str | Path, layer_type: str | None, output_type: str | None
                 ) -> tuple[ScaleSpread | None, ScaleSpread | None]:
    """(the layers' spread, the output matrix's) of a GGUF file, from a sample of each tensor's blocks:
    the layers' matrices in ``layer_type``, and the output matrix (else the tied embedding) in ``output_type``.
    None where the type has no f16 block scale this module knows (F16, F32, most i-quants) or the file
    cannot be read."""
    from .gguf_header import read_header

    try:
        return _file_spreads(read_header(path), np.memmap(path, dtype=np.uint8, mode="r"), layer_type, output_type)
    except (OSError, ValueError, KeyError, IndexError, ImportError):  # unreadable: the probes as random weights
        return None, None


def _file_spreads(header, data: np.ndarray, layer_type: str | None, output_type: str | None) -> tuple:
    from gguf.constants import GGMLQuantizationType

    names = {t.name for t in header.tensors}
    output_name = "output.weight" if "output.weight" in names else "token_embd.weight"
    found: dict[str, list[np.ndarray]] = {"layers": [], "output": []}
    for tensor in header.tensors:
        kind = GGMLQuantizationType(tensor.ggml_type).name
        role = "output" if tensor.name == output_name else "layers" if tensor.name.startswith("blk.") else None
        wanted = output_type if role == "output" else layer_type
        if role is None or kind != wanted or kind not in SCALE_AT or len(tensor.shape) < 2:
            continue
        size, per_row = block_bytes(kind), tensor.shape[0] // block_size(kind)
        n_rows = tensor.n_bytes // size // per_row if per_row else 0
        if not n_rows or tensor.offset + tensor.n_bytes > data.size:
            continue
        picks = np.unique(np.linspace(0, n_rows - 1, min(n_rows, SAMPLE_ROWS)).astype(np.int64))
        starts = (tensor.offset + (picks[:, None] * per_row + np.arange(per_row)[None, :]) * size
                  + SCALE_AT[kind]).ravel()
        pairs = np.stack([data[starts], data[starts + 1]], axis=1)
        found[role].append(pairs.copy().view(np.float16).astype(np.float32).reshape(len(picks), per_row))
    return tuple(_spread(qtype, found[role]) if qtype in SCALE_AT else None
                 for role, qtype in (("layers", layer_type), ("output", output_type)))


@lru_cache(maxsize=None)
def natural_spread(qtype: str) -> ScaleSpread | None:
    """The spread of the probes' random weights (0.02 x normal) once quantized to ``qtype``: what a
    target spread is reached from (block_factors)."""
    if qtype not in SCALE_AT:
        return None
    from .gguf_writer import quantize_for_probe

    cols = 16 * block_size(qtype)
    data = np.random.default_rng(12345).standard_normal((256, cols), dtype=np.float32) * 0.02
    return _spread(qtype, [scales_of(quantize_for_probe(data, qtype), qtype).reshape(256, -1)])


def block_factors(rng: np.random.Generator, rows: int, blocks_per_row: int, qtype: str,
                  target: ScaleSpread) -> np.ndarray | None:
    """A (rows x blocks) array of factors that takes the natural spread of ``qtype`` to ``target``'s: ln-normal,
    the means' difference, one draw per row for the rows' spread and one per block for the blocks' (each
    never below the natural one). None if ``qtype`` has no known scale."""
    base = natural_spread(qtype)
    if base is None:
        return None
    row = math.sqrt(max(0.0, target.row_sd ** 2 - base.row_sd ** 2))
    block = math.sqrt(max(0.0, target.block_sd ** 2 - base.block_sd ** 2))
    logs = target.log_mean - base.log_mean + row * rng.standard_normal((rows, 1)) \
        + block * rng.standard_normal((rows, blocks_per_row))
    return np.exp(logs).astype(np.float32)
