"""`course_utils.setup()`: what environment is this notebook running in?"""
from __future__ import annotations

import html
import platform
import sys
from dataclasses import dataclass

from . import __version__
from .network import hub_reachability
from .settings import get_settings, in_colab


@dataclass(frozen=True)
class EnvironmentInfo:
    where: str  # "Google Colab" or "local"
    python: str
    ipywidgets: str
    ipywidgets_major: int | None
    hub: str  # "online" / "offline (...)"
    package_version: str
    answers_dir: str
    hub_state: str = ""  # "online", "offline" or "not_checked" (``hub`` is the English line, for JSON)
    hub_reason: str = ""

    def rows(self) -> list[tuple[str, str]]:
        """The table a learner reads, in the course language."""
        from .i18n import t

        where = t("environment.where.colab") if self.where == "Google Colab" else t("environment.where.local")
        if self.hub_state == "online":
            hub = t("environment.hub.online")
        elif self.hub_state == "offline":
            hub = t("environment.hub.offline", reason=self.hub_reason)
        elif self.hub_state == "not_checked":
            hub = t("environment.hub.not_checked")
        else:
            hub = self.hub
        widgets = (t("environment.ipywidgets", version=self.ipywidgets, major=self.ipywidgets_major)
                   if self.ipywidgets_major else
                   t("environment.not_installed") if self.ipywidgets == "not installed" else self.ipywidgets)
        return [
            (t("environment.row.where"), where),
            ("Python", self.python),
            ("ipywidgets", widgets),
            ("Hugging Face Hub", hub),
            ("course_utils", self.package_version),
            (t("environment.row.answers"), self.answers_dir),
        ]

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                       f"{html.escape(v)}</td></tr>" for k, v in self.rows())
        return f"<table>{body}</table>"

    def __str__(self) -> str:
        width = max(len(k) for k, _ in self.rows())
        return "\n".join(f"{k:<{width}}  {v}" for k, v in self.rows())


def environment_info(probe_network: bool = True) -> EnvironmentInfo:
    try:
        import ipywidgets

        version = ipywidgets.__version__
        major = int(version.split(".")[0])
    except Exception:  # noqa: BLE001 - a broken ipywidgets install is reported, not raised
        version, major = "not installed", None
    if probe_network:
        reach = hub_reachability()
        hub = "online" if reach.online else f"offline: {reach.reason}; answers come from the shipped snapshot"
        state, reason = ("online", "") if reach.online else ("offline", str(reach.reason))
    else:
        hub, state, reason = "not checked", "not_checked", ""
    return EnvironmentInfo(
        where="Google Colab" if in_colab() else "local",
        python=platform.python_version(),
        ipywidgets=version,
        ipywidgets_major=major,
        hub=hub,
        package_version=__version__,
        answers_dir=str(get_settings().answers_dir),
        hub_state=state,
        hub_reason=reason,
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
