"""A machine audit made by hand (a 4-core Linux box with 16 GB), for the readiness tests."""
from __future__ import annotations

import dataclasses

from course_utils import system
from course_utils.system import GpuReport, SystemAudit, Tool


def machine(tools_found=("gcc", "make", "git"), **over) -> SystemAudit:
    """The audit with ``over`` replaced; ``tools_found`` are the tools present (the others missing)."""
    tools = {n: Tool(n, n in tools_found, "1.0") for n in system.TOOLS}
    base = SystemAudit(os="Linux", os_version="6.1", flavour="linux", flavour_text="Linux", machine="x86_64",
                       cpu="Test CPU", cpu_arch="x86", cpu_flags=("sse4_2", "avx", "avx2", "fma", "f16c"),
                       cpu_flags_unknown=(), cores_physical=4, cores_logical=8, ram_total_gb=16.0,
                       ram_available_gb=12.0, disk_path="/data", disk_free_gb=100.0, tools=tools,
                       gpu=GpuReport("none", None, None, False, "no NVIDIA GPU found"), problems=(), duration_s=0.1)
    return dataclasses.replace(base, **over)
