"""The packages of pyproject.toml's optional extras, for the install hints in messages.

The course is installed from its Git tag, not from PyPI, so ``pip install 'course-utils[run]'`` finds
nothing by that name (or, were the name ever taken there, someone else's package): a hint names the
packages themselves. tests/test_extras.py checks these lists against pyproject.toml.
"""
from __future__ import annotations

RUN = ("xllamacpp", "gguf")  # llama.cpp's server as a prebuilt wheel; gguf reads and writes model files
TRANSFORMERS = ("torch", "transformers", "accelerate", "gguf")  # exercise 6's transformers path outside Colab
GGUF_FOR_TRANSFORMERS = ("gguf", "accelerate")  # what transformers needs besides itself to read a .gguf


def pip_install(packages: tuple[str, ...]) -> str:
    """The command that installs ``packages``: ``pip install xllamacpp gguf``."""
    return "pip install " + " ".join(packages)
