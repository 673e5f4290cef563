"""A real model in another quantization type, for the benches: every layer matrix (and, with --output, the
output matrix) of a GGUF dequantized by gguf-py and quantized again by the course's writer (gguf-py, else
llama.cpp's own quantizer), every other tensor and field as it was.

The values are the real model's, rounded twice (so its outputs differ a little from a direct conversion),
and their block scales keep the real model's spread: a second real model for bench/run_gap.py.

    .venv-test/bin/python bench/requantize.py OUT.gguf --type Q8_0 [--output Q8_0] [--source PATH]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def requantize(source: Path, out: Path, qtype: str, output_type: str | None = None) -> Path:
    import gguf
    import numpy as np

    from course_utils.gguf_writer import quantize_for_probe

    reader = gguf.GGUFReader(str(source))
    arch = reader.fields["general.architecture"].contents()
    writer = gguf.GGUFWriter(str(out), arch)
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture":
            continue
        vtype = field.types[0]
        sub = field.types[1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), vtype, sub)
    names = {t.name for t in reader.tensors}
    output_name = "output.weight" if "output.weight" in names else "token_embd.weight"
    for t in reader.tensors:
        kind = t.tensor_type.name
        target = output_type if t.name == output_name else qtype if t.name.startswith("blk.") and len(t.shape) >= 2 \
            else None
        rows, cols = (int(t.shape[1]), int(t.shape[0])) if len(t.shape) >= 2 else (1, int(t.shape[0]))
        if target and target != kind:
            data = gguf.quants.dequantize(np.asarray(t.data), t.tensor_type).astype(np.float32).reshape(rows, cols)
            writer.add_tensor(t.name, quantize_for_probe(data, target), raw_dtype=gguf.GGMLQuantizationType[target])
        else:
            raw = np.asarray(t.data)
            writer.add_tensor(t.name, raw, raw_shape=raw.shape, raw_dtype=t.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def main() -> None:
    from course_utils.gguf_models import resolve_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--type", required=True, help="the layers' new type, e.g. Q8_0, Q4_0, Q5_1")
    ap.add_argument("--output", default=None, help="the output matrix's new type (default: as it was)")
    ap.add_argument("--source", default=None, help="the GGUF to convert (default: the bundled SmolLM2-135M)")
    a = ap.parse_args()
    path = requantize(Path(a.source) if a.source else resolve_model(None), Path(a.out), a.type, a.output)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
