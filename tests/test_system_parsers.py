"""Each OS backend's parser against real recorded command outputs (tests/fixtures/os_outputs)."""
from pathlib import Path

import pytest

from course_utils.system import parsers as p

FIX = Path(__file__).parent / "fixtures" / "os_outputs"


def text(name):
    return (FIX / name).read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("name, brand_part, has, lacks", [
    ("linux_x86_64_cpuinfo_intel_xeon_gold6148_avx512.txt", "Gold 6148", {"avx2", "avx512f", "fma", "f16c"}, set()),
    ("linux_x86_64_cpuinfo_intel_xeon_platinum8480_sapphirerapids_vmxflags.txt", "8480", {"avx512f", "amx", "avx_vnni"}, set()),
    ("linux_x86_64_cpuinfo_amd_ryzen9_5950x_zen3.txt", "5950X", {"avx2", "fma"}, {"avx512f"}),
    ("linux_x86_64_cpuinfo_amd_epyc9654_zen4.txt", "9654", {"avx512f", "avx2"}, set()),
    ("linux_x86_64_cpuinfo_colab_xeon_2.20ghz_whitespace_collapsed.txt", "2.20GHz", {"avx2", "fma", "f16c"}, {"avx512f"}),
    ("linux_x86_64_cpuinfo_intel_i7_10700k_vm_avx_masked_spaces.txt", "10700K", set(), {"avx", "avx2"}),
    ("linux_x86_64_cpuinfo_intel_i7_2720qm_virtualbox_no_avx_spaces.txt", "2720QM", set(), {"avx", "sse4_2"}),
    ("linux_x86_64_cpuinfo_intel_xeon_e5620_westmere_no_avx.txt", "E5620", {"sse4_2"}, {"avx", "avx2"}),
    ("linux_x86_64_cpuinfo_intel_xeon_e5_2670v2_ivybridge_avx_no_avx2.txt", "2670 v2", {"avx", "f16c"}, {"avx2", "fma"}),
    ("linux_x86_64_cpuinfo_intel_xeon_platinum8272cl_azure_vm_avx512.txt", "8272CL", {"avx512f"}, set()),
])
def test_linux_x86_cpuinfo(name, brand_part, has, lacks):
    cpu = p.parse_proc_cpuinfo(text(name))
    assert cpu.arch == "x86" and brand_part in cpu.brand
    assert has <= cpu.features and not (lacks & cpu.features)


def test_vmx_flags_line_is_not_the_flags_line():
    cpu = p.parse_proc_cpuinfo(text("linux_x86_64_cpuinfo_intel_xeon_platinum8480_sapphirerapids_vmxflags.txt"))
    assert "avx2" in cpu.features  # from 'flags', not from 'vmx flags'


def test_hypervisor_flag():
    assert p.parse_proc_cpuinfo(text("linux_x86_64_cpuinfo_intel_xeon_platinum8272cl_azure_vm_avx512.txt")).hypervisor


@pytest.mark.parametrize("name, brand_part, has, lacks", [
    ("linux_aarch64_cpuinfo_apple_m1_asahi.txt", "Apple", {"neon", "dotprod"}, {"sve"}),
    ("linux_aarch64_cpuinfo_graviton2_neoverse_n1_spaces.txt", "Neoverse-N1", {"neon", "dotprod"}, set()),
    ("linux_aarch64_cpuinfo_graviton3_neoverse_v1.txt", "Neoverse-V1", {"neon", "dotprod", "sve"}, set()),
    ("linux_aarch64_cpuinfo_neoverse_n1_server_tabs.txt", "Neoverse-N1", {"neon"}, set()),
    ("linux_aarch64_cpuinfo_rpi4_model_b_rev1.5.txt", "Raspberry Pi 4", {"neon"}, {"dotprod"}),
    ("linux_aarch64_cpuinfo_rpi5_model_b_rev1.0.txt", "Raspberry Pi 5", {"neon", "dotprod"}, set()),
    ("linux_armv7l_cpuinfo_rpi4_32bit_raspbian.txt", "", {"neon"}, {"dotprod"}),
])
def test_linux_arm_cpuinfo(name, brand_part, has, lacks):
    cpu = p.parse_proc_cpuinfo(text(name))
    assert cpu.arch == "arm" and brand_part in (cpu.brand or "")
    assert has <= cpu.features and not (lacks & cpu.features)


def test_cpuinfo_garbage():
    with pytest.raises(ValueError):
        p.parse_proc_cpuinfo("")
    with pytest.raises(ValueError, match="no 'flags'"):
        p.parse_proc_cpuinfo("processor : 0\nsomething : else\n")


@pytest.mark.parametrize("name, arch, brand, has, lacks", [
    ("macos_arm64_m3max_sysctl_hw_machdep_sequoia.txt", "arm", None, {"neon", "dotprod", "i8mm"}, set()),
    ("macos_arm64_m3_sysctl_hw_optional_sonoma.txt", "arm", None, {"neon", "dotprod"}, set()),
    ("macos_arm64_m1pro_sysctl_hw_machdep_monterey.txt", "arm", None, {"neon", "dotprod"}, set()),
    ("macos_arm64_m1_bigsur_sysctl_machdep_hw_optional_legacy.txt", "arm", "Apple processor", {"neon"}, set()),
    ("macos_x86_64_sysctl_machdep_cpu_features_leaf7_avx2.txt", "x86", None, {"avx", "avx2", "fma", "f16c", "sse4_2"}, set()),
    ("macos_x86_64_sysctl_hw_optional_avx_keys.txt", "x86", None, {"avx", "avx2"}, {"avx512f"}),
    ("macos_x86_64_sysctl_a_grep_machdep_cpu_i9_8950hk.txt", "x86", "i9-8950HK", {"avx2", "fma"}, set()),
])
def test_macos_sysctl(name, arch, brand, has, lacks):
    cpu = p.macos_cpu(p.parse_sysctl(text(name)))
    assert cpu.arch == arch
    if brand:
        assert brand in (cpu.brand or "")
    assert has <= cpu.features and not (lacks & cpu.features)


def test_macos_rosetta_is_seen_as_arm():
    values = p.parse_sysctl(text("macos_arm64_m1pro_rosetta2_sysctl_session.txt"))
    assert "machdep.cpu.model" not in values  # 'unknown oid' lines are skipped
    values["sysctl.proc_translated"] = "1"
    cpu = p.macos_cpu(values)
    assert cpu.arch == "arm" and cpu.features == frozenset({"neon"})


def test_macos_vmm_flag():
    cpu = p.macos_cpu(p.parse_sysctl(text("macos_x86_64_sysctl_machdep_cpu_features_ci_vm_vmm.txt")))
    assert cpu.hypervisor


def test_windows_coreinfo_and_wmic():
    cpu = p.parse_coreinfo(text("windows_coreinfo_intel_core_ultra7_165u_avx2.txt"))
    assert cpu.brand == "Intel(R) Core(TM) Ultra 7 165U"
    assert {"avx", "avx2", "fma", "f16c", "sse4_2"} <= cpu.features and "avx512f" not in cpu.features
    wmic = p.parse_wmic_cpu(text("windows_wmic_cpu_get_name_cores_logical_ryzen3_3100.txt"))
    assert wmic["Name"] == "AMD Ryzen 3 3100 4-Core Processor" and wmic["NumberOfLogicalProcessors"] == "8"
    lst = p.parse_wmic_cpu(text("windows_wmic_path_win32_processor_format_list_xeon_e5506.txt"))
    assert lst["Name"].startswith("Intel(R) Xeon(R) CPU E5506") and lst["NumberOfCores"] == "4"
    reported = p.coreinfo_reported(text("windows_coreinfo_intel_core_ultra7_165u_avx2.txt"))
    assert {"avx", "avx2", "fma", "f16c", "avx512f"} <= reported  # listed, present or not


def test_windows_arm_coreinfo():
    cpu = p.parse_coreinfo(text("windows_arm64_coreinfo_cobalt100_partial.txt"))
    assert cpu.brand is None or isinstance(cpu.brand, str)


@pytest.mark.parametrize("name, kind", [
    ("wsl2_proc_version_4.19.67_microsoft_standard.txt", "wsl2"),
    ("wsl2_proc_version_5.4.72_microsoft_standard_wsl2.txt", "wsl2"),
    ("wsl2_uname_a_4.19.104_microsoft_standard_no_wsl2_suffix.txt", "wsl2"),
    ("wsl2_uname_a_5.10.16.3_microsoft_standard_wsl2.txt", "wsl2"),
    ("wsl2_uname_a_5.15.133.1_microsoft_standard_wsl2.txt", "wsl2"),
    ("wsl2_uname_a_5.4.72_microsoft_standard_wsl2.txt", "wsl2"),
    ("wsl1_proc_version_4.4.0_18985_microsoft.txt", "wsl1"),
    ("wsl1_uname_a_4.4.0_17763_microsoft.txt", "wsl1"),
    ("wsl1_early_2016_proc_version_3.4.0_microsoft.txt", "wsl1"),
    ("wsl1_early_2016_uname_a_3.4.0_plus_no_microsoft.txt", None),  # only /proc/version tells
    ("macos_x86_64_uname_a_monterey.txt", None),
])
def test_wsl_detection(name, kind):
    assert p.detect_wsl(text(name)) == kind


@pytest.mark.parametrize("name, gpu, vram_gb, driver", [
    ("nvidia_smi_default_tesla_t4_colab_style_418.txt", "Tesla T4", 15.81, "418.67"),
    ("nvidia_smi_default_tesla_t4_under_load_418.txt", "Tesla T4", None, "418"),
    ("nvidia_smi_default_h100_590.txt", "H100", None, "590"),
    ("nvidia_smi_default_rtx2080super_610_kmd_version_header.txt", "NVIDIA GeForce RTX 2080 ...", 8.59, "610.57.04"),
    ("nvidia_smi_default_windows_wddm_gtx1650_581.txt", "NVIDIA GeForce GTX 1650 ...", 4.29, "581.80"),
    ("nvidia_smi_default_windows_wddm_rtx2080super_591.txt", "RTX 2080", None, "591"),
    ("nvidia_smi_default_colab_pro_v100_ERR.txt", "V100", None, None),
])
def test_nvidia_smi_tables(name, gpu, vram_gb, driver):
    gpus = p.parse_nvidia_smi_table(text(name))
    assert gpus and gpu in gpus[0].name
    if vram_gb:
        assert gpus[0].vram_gb == pytest.approx(vram_gb, abs=0.01)
    else:
        assert gpus[0].vram_gb and gpus[0].vram_gb > 1
    if driver:
        assert gpus[0].driver.startswith(driver)


def test_nvidia_query_formats():
    gpus = p.parse_nvidia_smi_query("Tesla T4, 15360, 535.104.05\n")
    assert gpus[0].name == "Tesla T4" and gpus[0].vram_gb == pytest.approx(16.106, abs=0.01)
    na = p.parse_nvidia_smi_query(text("nvidia_smi_query_gpu_memory_na_gb10_unified.txt"))
    assert na[0].vram_gb is None  # '[N/A]': unified memory on GB10
    assert p.parse_nvidia_smi_query(text("nvidia_smi_query_gpu_csv_with_units_header.txt"))[0].name == "0"


@pytest.mark.parametrize("tool, name, version", [
    ("gcc", "gcc_version_ubuntu22.04_11.4.0.txt", "11.4.0"),
    ("gcc", "gcc_version_ubuntu_gcc9_prefix.txt", "9.2.1"),
    ("gcc", "gcc_version_german_locale_14.2.1.txt", "14.2.1"),
    ("gcc", "gcc_version_arch_linux_9.3.0.txt", "9.3.0"),
    ("clang", "clang_version_apple_clang15_arm64.txt", "15.0.0"),
    ("clang", "clang_v_homebrew_clang17_arm64_trimmed.txt", "17.0"),
    ("cmake", "cmake_version_3.26.4_trimmed.txt", "3.26.4"),
    ("make", "make_version_gnu_make_3.81_macos.txt", "3.81"),
])
def test_tool_versions(tool, name, version):
    assert p.parse_tool_version(tool, text(name)).startswith(version)


def test_msvc_and_unknown_versions():
    assert p.parse_tool_version("cl", "Microsoft (R) C/C++ Optimizing Compiler Version 19.38.33130 for x64\n") == "19.38.33130"
    assert p.parse_tool_version("git", "") is None
    assert p.parse_tool_version("make", "no version here") is None


@pytest.mark.parametrize("name, gpu_name, vram_gb", [
    ("rocm_smi_showmeminfo_vram_4gb.txt", "AMD GPU", 4.278),  # text layout: no product name asked
    ("rocm_smi_productname_use_meminfo_json_rx7900xt.txt", "Radeon RX 7900 XT", 21.458),
    ("rocm_smi_productname_use_meminfo_csv_rx7900xt.txt", "Radeon RX 7900 XT", 21.458),
])
def test_rocm_smi_recorded_outputs(name, gpu_name, vram_gb):
    gpus = p.parse_rocm_smi(text(name))
    assert len(gpus) == 1 and gpus[0].name == gpu_name and gpus[0].vram_gb == pytest.approx(vram_gb, abs=0.001)


def test_rocm_smi_odd_output_is_no_gpu():
    assert p.parse_rocm_smi("") == [] and p.parse_rocm_smi("{ not json") == []
    assert p.parse_rocm_smi("ERROR: GPU[0] : Unable to get GPU memory use.") == []


def test_drm_card_vendor_and_vram():
    # amdgpu's mem_info_vram_total is bytes; i915 has no such file
    assert p.parse_drm_card("0x1002\n", "25753026560\n") == ("amd", pytest.approx(25.753, abs=0.001))
    assert p.parse_drm_card("0x8086\n", None) == ("intel", None)
    assert p.parse_drm_card("0x1af4\n", None) == (None, None)  # a virtio display: not a GPU for llama.cpp
