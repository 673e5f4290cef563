"""Run one probe (a command or a file read) with a timeout; never raise."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..i18n import number, t
from .parsers import CpuInfo

TIMEOUT_S = 2.0


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    text: str
    reason: str  # why it failed ('' when ok), in the language in force
    missing: bool = False  # the command is not on PATH


def run(cmd: list[str], timeout: float = TIMEOUT_S) -> ProbeResult:
    exe = shutil.which(cmd[0])
    if exe is None:
        return ProbeResult(False, "", t("system.probe.not_found", cmd=cmd[0]), missing=True)
    try:
        proc = subprocess.run([exe, *cmd[1:]], capture_output=True, text=True, timeout=timeout,
                              errors="replace", stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return ProbeResult(False, "", t("system.probe.timeout", cmd=cmd[0], seconds=number(timeout, "g")))
    except OSError as exc:
        return ProbeResult(False, "", t("system.probe.could_not_run", cmd=cmd[0], error=exc.strerror or exc))
    text = proc.stdout or proc.stderr
    if proc.returncode != 0 and not proc.stdout:
        return ProbeResult(False, text, t("system.probe.exit_status", cmd=cmd[0], status=proc.returncode))
    return ProbeResult(True, text, "")


def read(path: str) -> ProbeResult:
    try:
        return ProbeResult(True, Path(path).read_text(errors="replace"), "")
    except FileNotFoundError:
        return ProbeResult(False, "", t("system.probe.no_file", path=path))
    except PermissionError:
        return ProbeResult(False, "", t("system.probe.permission", path=path))
    except OSError as exc:
        return ProbeResult(False, "", t("system.probe.cannot_read", path=path, error=exc.strerror or exc))


Flavour = Literal["linux", "wsl1", "wsl2", "colab", "macos-arm64", "macos-x86_64", "macos-rosetta", "windows"]


@dataclass(frozen=True)
class PlatformProbe:
    """What one OS backend found: the same shape from every backend (``backend.probe(machine)``)."""
    os_name: str  # Linux / macOS / Windows (as the course shows it)
    os_version: str
    flavour: Flavour
    flavour_text: str
    cpu: CpuInfo | None
    cpu_reason: str = ""  # why ``cpu`` is None, or a note on how it was found ('' when nothing to say)
    unreported: tuple[str, ...] = ()  # CPU features this OS cannot report (neither present nor absent)
    extra: dict[str, Any] = field(default_factory=dict)
