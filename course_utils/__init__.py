"""course_utils: the helper library behind the open-LLMs course notebooks.

Importing the package is cheap: pandas, matplotlib, ipywidgets and huggingface_hub
are imported only by the functions that need them.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "setup", "get_settings"]


def __getattr__(name: str):
    if name == "setup":
        from .environment import setup

        return setup
    if name == "get_settings":
        from .settings import get_settings

        return get_settings
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")
