"""A GGUF file's header, read fast: metadata values and tensor infos, long arrays skipped.

``gguf.GGUFReader`` maps every element of every metadata array (a 49k-token vocabulary, its merges)
into NumPy views, which takes 7–20 s on a small model; the estimate needs a few numbers, the
vocabulary's length and each tensor's type and shape, and short numeric arrays (a value per layer,
such as Gemma 4's sliding-window layers and KV heads). This reads the header as the GGUF spec lays
it out (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md): little-endian, version 2 or 3.
Tensor byte sizes use the block sizes of the ``gguf`` package (``GGML_QUANT_SIZES``).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"GGUF"
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
STRING, ARRAY = 8, 9
MAX_STRING = 1 << 26  # 64 MiB: no header string is near this; a larger length means a corrupt file
MAX_KEPT_ARRAY = 4096  # numeric arrays up to this length are kept (Header.arrays): one value per layer


class HeaderError(ValueError):
    """The bytes are not a GGUF header this reader understands."""


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int = 0  # where its data starts in the file, in bytes (the data section's start + its own offset)

    @property
    def n_elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def n_bytes(self) -> int:
        from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

        block, size = GGML_QUANT_SIZES[GGMLQuantizationType(self.ggml_type)]
        return self.n_elements // block * size


@dataclass(frozen=True)
class Header:
    version: int
    metadata: dict[str, Any]  # scalars and strings as values; an array as ("array", item type, length)
    tensors: tuple[TensorInfo, ...]
    arrays: dict[str, tuple] = field(default_factory=dict)  # the values of short numeric arrays
    data_start: int = 0  # where the tensor data begins: the header's own bytes (metadata, tensor list, padding)


def _read(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise HeaderError("the file ends inside its header")
    return data


def _scalar(f: BinaryIO, kind: int):
    fmt = _SCALARS.get(kind)
    if fmt is None:
        raise HeaderError(f"unknown metadata value type {kind}")
    return struct.unpack(fmt, _read(f, struct.calcsize(fmt)))[0]


def _string(f: BinaryIO) -> str:
    (n,) = struct.unpack("<Q", _read(f, 8))
    if n > MAX_STRING:
        raise HeaderError("a header string is impossibly long")
    return _read(f, n).decode("utf-8", "replace")


def _skip_strings(f: BinaryIO, count: int) -> None:
    for _ in range(count):
        (n,) = struct.unpack("<Q", _read(f, 8))
        if n > MAX_STRING:
            raise HeaderError("a header string is impossibly long")
        f.seek(n, 1)


def _value(f: BinaryIO, kind: int, kept: list | None = None):
    """The value at f; for a short numeric array, ("array", item, count) with its values appended to ``kept``."""
    if kind == STRING:
        return _string(f)
    if kind == ARRAY:
        item, count = struct.unpack("<IQ", _read(f, 12))
        if item == STRING:
            _skip_strings(f, count)
        elif item == ARRAY:
            for _ in range(count):
                _value(f, ARRAY)
        else:
            fmt = _SCALARS.get(item)
            if fmt is None:
                raise HeaderError(f"unknown array item type {item}")
            size = struct.calcsize(fmt) * count
            if kept is not None and count <= MAX_KEPT_ARRAY:
                kept.append(struct.unpack(f"<{count}{fmt[1]}", _read(f, size)))
            else:
                f.seek(size, 1)
        return ("array", item, count)
    return _scalar(f, kind)


def read_header(path: str | Path) -> Header:
    """The header of the GGUF file at path (HeaderError when it is not one)."""
    with open(path, "rb", buffering=1 << 20) as f:
        if _read(f, 4) != MAGIC:
            raise HeaderError("GGUF magic invalid")
        (version,) = struct.unpack("<I", _read(f, 4))
        if version not in (2, 3):
            raise HeaderError(f"GGUF version {version} (big-endian or too old) is not supported here")
        n_tensors, n_kv = struct.unpack("<QQ", _read(f, 16))
        metadata: dict[str, Any] = {}
        arrays: dict[str, tuple] = {}
        for _ in range(n_kv):
            key = _string(f)
            (kind,) = struct.unpack("<I", _read(f, 4))
            kept: list = []
            metadata[key] = _value(f, kind, kept)
            if kept:
                arrays[key] = kept[0]
        entries = []
        for _ in range(n_tensors):
            name = _string(f)
            (n_dims,) = struct.unpack("<I", _read(f, 4))
            shape = struct.unpack(f"<{n_dims}Q", _read(f, 8 * n_dims))
            ggml_type, offset = struct.unpack("<IQ", _read(f, 12))
            entries.append((name, tuple(shape), ggml_type, offset))
        align = metadata.get("general.alignment")
        align = align if isinstance(align, int) and align > 0 else 32
        data_start = -(-f.tell() // align) * align  # the tensor data begins at the next multiple of the alignment
    return Header(version, metadata, tuple(TensorInfo(n, s, k, data_start + o) for n, s, k, o in entries), arrays,
                  data_start)
