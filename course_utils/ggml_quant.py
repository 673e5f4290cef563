"""Quantize float32 matrices into any ggml type with llama.cpp's own code (the xllamacpp wheel).

gguf-py quantizes only a few types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, BF16); the K-quants, the
i-quants and MXFP4 raise NotImplementedError there. llama.cpp's ``ggml_quantize_chunk`` does them
all, and the xllamacpp wheel links it in and exports it, so the compute probes can be written in
the type of the model they predict (Q4_K for a Q4_K_M file, IQ2_XXS for an IQ2_XXS file...).
The bytes are exactly llama.cpp's block layout, which gguf-py then stores with ``raw_dtype``.
"""
from __future__ import annotations

import ctypes
import functools
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from . import extras
from .errors import EngineUnavailable
from .i18n import t


@functools.lru_cache(maxsize=1)
def _library() -> ctypes.CDLL:
    """llama.cpp's library as the xllamacpp wheel ships it (its quantizer is an exported C function)."""
    try:
        import xllamacpp  # the `run` extra

        folder = Path(xllamacpp.__file__).parent
        lib = ctypes.CDLL(str(next(p for ext in ("so", "pyd") for p in folder.glob(f"xllamacpp*.{ext}"))))
        lib.ggml_quantize_chunk.restype = ctypes.c_size_t
    except (ImportError, StopIteration, OSError, AttributeError) as exc:
        raise EngineUnavailable(t("local_run.probe.no_quantizer", error=repr(exc),
                                  pip=extras.pip_install(extras.RUN))) from exc
    lib.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                                        ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]
    lib.ggml_quantize_requires_imatrix.restype = ctypes.c_bool
    lib.ggml_quantize_requires_imatrix.argtypes = [ctypes.c_int]
    return lib


def available() -> bool:
    """Whether llama.cpp's quantizer can be loaded here (the xllamacpp wheel is installed)."""
    try:
        _library()
    except EngineUnavailable:
        return False
    return True


def block_size(qtype: str) -> int:
    """Weights per block of a ggml type (a matrix row's length must be a multiple of it)."""
    import gguf

    return gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[qtype]][0]


def block_bytes(qtype: str) -> int:
    """Bytes per block of a ggml type."""
    import gguf

    return gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[qtype]][1]


def quantize(data: np.ndarray, qtype: str) -> np.ndarray:
    """``data`` (float32, last axis a row) quantized to ``qtype`` as llama.cpp stores it: uint8, one
    row of blocks per input row. Types that llama.cpp quantizes only with an importance matrix
    (IQ2_XXS, IQ2_XS, IQ1_S...) get a flat one: every weight equally important."""
    import gguf

    kind = gguf.GGMLQuantizationType[qtype]
    per_block, block_bytes = gguf.GGML_QUANT_SIZES[kind]
    x = np.ascontiguousarray(data, dtype=np.float32)
    n_per_row = x.shape[-1]
    if n_per_row % per_block:
        raise ValueError(f"rows of {n_per_row} weights cannot be cut into {qtype} blocks of {per_block}")
    rows = x.size // n_per_row
    out = np.empty(x.shape[:-1] + (n_per_row // per_block * block_bytes,), dtype=np.uint8)
    lib = _library()
    imatrix = np.ones(n_per_row, dtype=np.float32) if lib.ggml_quantize_requires_imatrix(int(kind)) else None
    im = imatrix.ctypes.data if imatrix is not None else None

    def chunk(first_row: int, n: int) -> int:  # llama.cpp offsets both buffers by the first row itself
        return lib.ggml_quantize_chunk(int(kind), x.ctypes.data, out.ctypes.data, first_row * n_per_row, n,
                                       n_per_row, im)

    # ctypes lets go of the GIL during the call, so row blocks quantize in parallel (the i-quants are slow)
    step = max(1, -(-rows // (4 * (os.cpu_count() or 1))))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        written = sum(pool.map(chunk, range(0, rows, step), [min(step, rows - r) for r in range(0, rows, step)]))
    if written != out.size:
        raise ValueError(f"llama.cpp wrote {written} bytes of {qtype}, {out.size} expected")
    return out
