"""The subcommands of `course-utils` (thin: parse arguments, call a library function)."""
from __future__ import annotations

from .cli import arguments, command


@command("info", "show the environment: Colab or local, Python, ipywidgets, Hub reachability")
def _info(args):
    from .environment import environment_info

    info = environment_info()
    return dict(info.rows()) if not args.json else info


@command("data", "validate every shipped data file and print its row count")
def _data(args):
    from .data import load_all

    return load_all()
