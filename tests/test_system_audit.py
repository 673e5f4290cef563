"""The real audit of this machine, and every failing-probe path (each becomes 'unknown' + reason)."""
import json
import subprocess
from pathlib import Path

import pytest


from course_utils import system
from course_utils.system import _probe, _linux, _macos, parsers


def test_real_audit_of_this_machine():
    a = system.audit()
    assert a.os and a.machine and a.cpu_arch in ("x86", "arm")
    assert a.ram_total_gb and a.ram_available_gb and 0 < a.ram_available_gb <= a.ram_total_gb
    assert a.disk_free_gb is not None and a.cores_logical >= 1
    assert set(a.tools) == set(system.TOOLS)
    assert a.gpu.kind in ("nvidia", "none", "apple_metal", "unknown")
    json.dumps(a.to_dict())  # JSON-safe
    assert "CPU features" in a.to_text() and "<table" in a._repr_html_()
    keys = {"os", "cpu", "cpu_flags", "cores", "ram_total_gb", "ram_available_gb", "disk_free_gb", "tools", "gpu"}
    assert keys <= set(a.to_dict())


def test_missing_tools_and_missing_cpuinfo(monkeypatch):
    monkeypatch.setattr(_probe.shutil, "which", lambda name: None)
    real_read = _probe.read
    monkeypatch.setattr(_linux._probe, "read", lambda path: _probe.ProbeResult(False, "", f"{path} does not exist")
                        if path == "/proc/cpuinfo" else real_read(path))
    a = system.audit()
    assert a.cpu is None and a.cpu_flags == () and a.has("avx2") is None
    assert any("/proc/cpuinfo does not exist" in p for p in a.problems)
    assert all(not t.found and "not found on PATH" in t.reason for n, t in a.tools.items() if n != "cl")
    assert a.gpu.kind == "none" and "nvidia-smi not found" in a.gpu.detail


def test_probe_timeout_permission_and_odd_output(monkeypatch, tmp_path):
    def timeout(*a, **k):
        raise subprocess.TimeoutExpired(cmd="x", timeout=2)

    monkeypatch.setattr(_probe.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(_probe.subprocess, "run", timeout)
    r = _probe.run(["gcc", "--version"])
    assert not r.ok and "did not answer within" in r.reason

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_probe.subprocess, "run", denied)
    assert "could not run" in _probe.run(["gcc"]).reason
    locked = tmp_path / "cpuinfo"
    locked.write_text("x")
    locked.chmod(0)
    result = _probe.read(str(locked))
    if not result.ok:  # root can read anything
        assert "permission denied" in result.reason
    monkeypatch.setattr(_probe.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout="weird banner\n", stderr=""))
    tool = system._tool("cmake")
    assert tool.found and tool.version is None and "not recognised" in tool.reason


def test_unparseable_cpuinfo_is_reported(monkeypatch):
    monkeypatch.setattr(_linux._probe, "read", lambda path: _probe.ProbeResult(True, "garbage without colons", ""))
    cpu, reason = _linux.cpu()
    assert cpu is None and "/proc/cpuinfo" in reason


def test_memory_and_disk_failures_do_not_raise(monkeypatch):
    import psutil

    def broken(*a, **k):
        raise OSError("nope")

    monkeypatch.setattr(psutil, "virtual_memory", broken)
    monkeypatch.setattr(psutil, "disk_usage", broken)
    a = system.audit()
    assert a.ram_total_gb is None and a.disk_free_gb is None
    assert any("memory probe failed" in p for p in a.problems)
    assert any("free-disk probe failed" in p for p in a.problems)


def test_nvidia_gpu_from_smi(monkeypatch):
    monkeypatch.setattr(system, "_nvidia", lambda: ([parsers.Gpu("Tesla T4", 16.1, "535")], ""))
    a = system.audit()
    assert a.gpu.kind == "nvidia" and a.gpu.vram_gb == 16.1 and "driver 535" in a.gpu.detail


def test_colab_and_wsl_flavours(monkeypatch):
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab_20261101")
    assert _linux.flavour()[0] == "colab"
    monkeypatch.delenv("COLAB_RELEASE_TAG")
    monkeypatch.setattr(_linux._probe, "read", lambda path: _probe.ProbeResult(
        True, "Linux version 5.15.133.1-microsoft-standard-WSL2 (root@1c602f52c2e4)", ""))
    assert _linux.flavour() == ("wsl2", "WSL2 (Linux on Windows)")


def test_macos_backend_from_recorded_sysctl(monkeypatch):
    from pathlib import Path

    fixture = Path(__file__).parent / "fixtures" / "os_outputs" / "macos_arm64_m3max_sysctl_hw_machdep_sequoia.txt"
    monkeypatch.setattr(_macos._probe, "run", lambda cmd, **k: _probe.ProbeResult(True, fixture.read_text(), ""))
    cpu, reason = _macos.cpu()
    assert reason == "" and cpu.arch == "arm" and {"neon", "dotprod", "i8mm"} <= cpu.features
    found = _macos.probe("arm64")
    assert found.cpu == cpu and found.flavour == "macos-arm64" and found.os_name == "macOS" and found.extra["sysctl_keys"]
    assert _macos.flavour({"sysctl.proc_translated": "1"}, "x86_64")[0] == "macos-rosetta"
    assert _macos.flavour({}, "x86_64")[0] == "macos-x86_64"
    monkeypatch.setattr(_macos._probe, "run", lambda cmd, **k: _probe.ProbeResult(False, "", "sysctl not found on PATH"))
    assert _macos.cpu() == (None, "sysctl not found on PATH")
    assert _macos.probe("arm64").cpu_reason == "sysctl not found on PATH"


def test_whole_audit_on_a_mac_is_simulated(monkeypatch):
    from pathlib import Path

    fixture = Path(__file__).parent / "fixtures" / "os_outputs" / "macos_arm64_m1pro_sysctl_hw_machdep_monterey.txt"
    monkeypatch.setattr(system, "BACKEND", system.backend_for("Darwin"))  # chosen once, at import, on a real Mac
    monkeypatch.setattr(system.platform, "machine", lambda: "arm64")
    monkeypatch.setattr(_macos._probe, "run", lambda cmd, **k: _probe.ProbeResult(True, fixture.read_text(), ""))
    a = system.audit()
    assert a.os == "macOS" and a.flavour == "macos-arm64" and a.gpu.kind == "apple_metal"
    assert a.gpu.unified_memory and "first-class" in a.gpu.detail


def test_windows_backend_failure_is_unknown(monkeypatch):
    from course_utils.system import _windows

    cpu, reason = _windows.cpu()  # no windll here
    assert cpu is None and "Windows CPU probe failed" in reason


def test_bandwidth_measurement_is_short_and_positive():
    m = system.measure_memory_bandwidth(seconds=0.2, buffer_mb=32)
    assert m.gbs > 0 and m.median_gbs <= m.gbs and m.runs >= 3 and "numpy reads" in m.method
    from course_utils.hardware import llama_cpp_threads

    assert m.threads == llama_cpp_threads() and "default" in m.method  # llama.cpp's thread count
    one = system.measure_memory_bandwidth(seconds=0.1, buffer_mb=16, threads=1)
    assert one.threads == 1 and "default" not in one.method


def test_bandwidth_counts_only_the_bytes_it_read():
    # a thread's share is rarely a whole number of 1 MB slices: its tail must be read, not just counted
    import numpy as np

    from course_utils.system import _CHUNK, _read

    for n in (10, _CHUNK, 3 * _CHUNK + 7):
        assert _read(np.ones(n)) == n * 8


def test_amd_and_intel_gpus_from_sysfs(monkeypatch, tmp_path):
    # A stand-in for /sys/class/drm (the layout the kernel exposes; no AMD GPU here to read)
    def card(n, vendor, device, vram=None):
        d = tmp_path / f"card{n}" / "device"
        d.mkdir(parents=True)
        (d / "vendor").write_text(vendor + "\n")
        (d / "device").write_text(device + "\n")
        if vram is not None:
            (d / "mem_info_vram_total").write_text(f"{vram}\n")
    card(0, "0x8086", "0x46a6")  # an Intel iGPU: no VRAM file
    card(1, "0x1002", "0x744c", 21458059264)
    (tmp_path / "card1-DP-1").mkdir()  # connector entries are skipped
    monkeypatch.setattr(system, "DRM", tmp_path)
    monkeypatch.setattr(system, "_nvidia", lambda: ([], "nvidia-smi not found"))
    monkeypatch.setattr(system, "_amd", lambda: ([], "rocm-smi not found"))
    monkeypatch.setattr(system.platform, "system", lambda: "Linux")
    a = system.audit()
    assert a.gpu.kind == "amd" and a.gpu.vram_gb == pytest.approx(21.458, abs=0.001) and "0x744c" in a.gpu.name
    (tmp_path / "card1" / "device" / "vendor").write_text("0x1af4\n")
    a = system.audit()
    assert a.gpu.kind == "intel" and a.gpu.vram_gb is None and "--vram" in a.gpu.detail
    b = system.with_vram(a, 8)
    assert b.gpu.vram_gb == 8 and "--vram" in b.gpu.detail


def test_amd_gpu_from_rocm_smi(monkeypatch):
    from course_utils.system import _probe

    recorded = (Path(__file__).parent / "fixtures" / "os_outputs" /
                "rocm_smi_productname_use_meminfo_json_rx7900xt.txt").read_text()
    real_run = _probe.run

    def run(cmd, timeout=_probe.TIMEOUT_S):
        if cmd[0] == "rocm-smi":
            return _probe.ProbeResult(True, recorded, "")
        if cmd[0] == "nvidia-smi":
            return _probe.ProbeResult(False, "", "nvidia-smi not found")
        return real_run(cmd, timeout)
    monkeypatch.setattr(_probe, "run", run)
    a = system.audit()
    assert a.gpu.kind == "amd" and a.gpu.name == "Radeon RX 7900 XT" and a.gpu.vram_gb == pytest.approx(21.458, abs=0.01)


def test_no_gpu_then_vram_given():
    a = system.audit()
    if a.gpu.kind in ("none", "unknown"):
        b = system.with_vram(a, 12)
        assert b.gpu.kind == "manual" and b.gpu.vram_gb == 12


def test_every_backend_has_the_same_interface():
    import inspect

    from course_utils.system import _windows

    assert system.BACKEND is system.backend_for(system.platform.system())
    assert system.backend_for("Linux") is _linux and system.backend_for("FreeBSD") is _linux
    shapes = {name: [str(inspect.signature(getattr(b, name))) for b in (_linux, _macos, _windows)]
              for name in system.BACKEND_FUNCTIONS}
    assert all(len(set(sigs)) == 1 for sigs in shapes.values()), shapes
    for b in (_linux, _macos, _windows):
        assert isinstance(b.UNREPORTED, tuple)


def test_whole_audit_on_windows_is_simulated_with_recorded_coreinfo_and_wmic(monkeypatch):
    from course_utils.system import _windows

    fix = Path(__file__).parent / "fixtures" / "os_outputs"
    coreinfo = (fix / "windows_coreinfo_intel_core_ultra7_165u_avx2.txt").read_text()
    wmic = (fix / "windows_wmic_cpu_get_name_cores_logical_ryzen3_3100.txt").read_text()
    monkeypatch.setattr(_windows, "_features", lambda: ("x86", frozenset({"sse4_2", "avx", "avx2"})))
    monkeypatch.setattr(_windows, "_registry_brand", lambda: 1 / 0)  # unreadable registry: wmic names the CPU
    monkeypatch.setattr(_windows._probe, "run", lambda cmd, **k: _probe.ProbeResult(
        True, coreinfo if cmd[0].startswith("coreinfo") else wmic if cmd[0] == "wmic" else "", ""))
    monkeypatch.setattr(system, "BACKEND", _windows)
    a = system.audit()
    assert a.os == "Windows" and a.flavour == "windows" and a.cpu == "AMD Ryzen 3 3100 4-Core Processor"
    assert {"fma", "f16c"} <= set(a.cpu_flags) and a.has("avx512f") is False
    assert a.cpu_flags_unknown == ("avx_vnni", "amx")  # this Coreinfo lists FMA and F16C, not AVX-VNNI or AMX
    monkeypatch.setattr(_windows._probe, "run", lambda cmd, **k: _probe.ProbeResult(False, "", f"{cmd[0]} not found"))
    a = system.audit()
    assert a.cpu is None and a.cpu_flags_unknown == _windows.UNREPORTED  # neither Coreinfo nor wmic answered
    monkeypatch.setattr(_windows, "_registry_brand", lambda: "Intel(R) Core(TM) Ultra 7 165U")
    a = system.audit()
    assert a.has("avx2") is True and a.has("fma") is None and a.cpu_flags_unknown == _windows.UNREPORTED


def test_nvidia_table_when_the_query_form_fails(monkeypatch):
    table = (Path(__file__).parent / "fixtures" / "os_outputs" / "nvidia_smi_default_tesla_t4_colab_style_418.txt")
    monkeypatch.setattr(system._probe, "run", lambda cmd, **k: _probe.ProbeResult(True, table.read_text(), "")
                        if cmd == ["nvidia-smi"] else _probe.ProbeResult(False, "", "nvidia-smi exited with status 2"))
    gpus, reason = system._nvidia()
    assert gpus and "Tesla T4" in gpus[0].name and reason == ""
    monkeypatch.setattr(system._probe, "run", lambda cmd, **k: _probe.ProbeResult(False, "", "nvidia-smi not found on PATH"))
    assert system._nvidia() == ([], "nvidia-smi not found on PATH")
