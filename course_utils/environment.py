"""`course_utils.setup()`: what environment is this notebook running in?"""
from __future__ import annotations

import html
import platform
import sys
from dataclasses import dataclass
from typing import Literal

from . import __version__
from .i18n import t
from .network import hub_reachability
from .settings import get_settings, in_colab


Where = Literal["colab", "local"]
HubStatus = Literal["online", "offline", "not_checked"]
NOT_INSTALLED = "not installed"


@dataclass(frozen=True)
class EnvironmentInfo:
    """Statuses are codes (``where``, ``hub_status``); the words are chosen when shown, in the language in force."""
    where: Where
    python: str
    ipywidgets: str  # its version, or "not installed"
    ipywidgets_major: int | None
    hub_status: HubStatus
    package_version: str
    answers_dir: str
    hub_reason: str = ""  # why the Hub is not used ('' when online or not checked)
    engine_ready: bool = False  # llama.cpp's server (xllamacpp) loads here: exercises 4 and 6 run a real model
    engine_status: str = ""  # engine.status()'s line: its version and the course model, or what to do

    @property
    def hub(self) -> str:
        """The Hub line as a learner reads it."""
        return t(f"env.hub.{self.hub_status}", reason=self.hub_reason)

    def rows(self) -> list[tuple[str, str]]:
        if self.ipywidgets == NOT_INSTALLED:
            widgets = t("env.ipywidgets.missing")
        elif self.ipywidgets_major:
            widgets = t("env.ipywidgets.version", version=self.ipywidgets, major=self.ipywidgets_major)
        else:
            widgets = self.ipywidgets
        return [
            (t("env.row.where"), t(f"env.where.{self.where}")),
            ("Python", self.python),
            ("ipywidgets", widgets),
            ("Hugging Face Hub", self.hub),
            ("course_utils", self.package_version),
            (t("env.row.answers"), self.answers_dir),
        ] + ([(t("env.row.engine"), self.engine_status)] if self.engine_status else [])

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                       f"{html.escape(v)}</td></tr>" for k, v in self.rows())
        return f"<table>{body}</table>"

    def __str__(self) -> str:
        from .text_table import label_rows

        return label_rows(self.rows())


def environment_info(probe_network: bool = True) -> EnvironmentInfo:
    try:
        import ipywidgets

        version = ipywidgets.__version__
        major = int(version.split(".")[0])
    except Exception:  # noqa: BLE001 - a broken ipywidgets install is reported, not raised
        version, major = NOT_INSTALLED, None
    status: HubStatus = "not_checked"
    reason = ""
    from .engine import status as engine_status

    engine_ready, engine_line = engine_status()
    if probe_network:
        reach = hub_reachability()
        status, reason = ("online", "") if reach.online else ("offline", reach.reason)
    return EnvironmentInfo(
        where="colab" if in_colab() else "local",
        python=platform.python_version(),
        ipywidgets=version,
        ipywidgets_major=major,
        hub_status=status,
        hub_reason=reason,
        package_version=__version__,
        answers_dir=str(get_settings().answers_dir),
        engine_ready=engine_ready,
        engine_status=engine_line,
    )


def setup(show: bool = True, lang: str | None = None) -> EnvironmentInfo:
    """Check the environment once at the top of a notebook and show a small table.

    ``lang`` (the notebook's language, written in by the notebook build) sets the language of every
    message in this kernel."""
    if lang:
        from .i18n import set_language

        set_language(lang)
    info = environment_info()
    if show:
        try:
            from IPython.display import display

            display(info)
        except ImportError:
            print(info, file=sys.stdout)
    return info
