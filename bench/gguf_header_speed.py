"""Reading a GGUF header for the estimate: the course's reader vs gguf.GGUFReader, side by side.

    python bench/gguf_header_speed.py PATH.gguf     (default: the cached SmolLM2-135M model)

Prints both times and checks that both give the same tensor bytes, parameter count and vocabulary.
"""
from __future__ import annotations

import sys
import time


def main() -> int:
    from gguf import GGUFReader

    from course_utils.gguf_header import read_header

    if len(sys.argv) > 1:
        path = sys.argv[1]
    else:
        from course_utils.gguf_models import cached_default_model

        path = str(cached_default_model())
    t0 = time.perf_counter()
    header = read_header(path)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    reader = GGUFReader(path)
    theirs_bytes = sum(int(t.n_bytes) for t in reader.tensors)
    theirs_params = sum(int(t.n_elements) for t in reader.tensors)
    theirs_vocab = len(reader.fields["tokenizer.ggml.tokens"].data)
    theirs = time.perf_counter() - t0
    same = (sum(t.n_bytes for t in header.tensors) == theirs_bytes
            and sum(t.n_elements for t in header.tensors) == theirs_params
            and header.metadata["tokenizer.ggml.tokens"][2] == theirs_vocab)
    print(f"{path}\ncourse_utils.gguf_header: {ours:.3f} s\ngguf.GGUFReader:          {theirs:.3f} s "
          f"({theirs / ours:.0f}x)\nsame bytes, parameters and vocabulary: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
