import json

from cli_run import run


def test_fit_contract(capsys):
    code, out, _ = run(capsys, "fit", "--model", "mistralai/Mistral-7B-Instruct-v0.3", "--quant", "Q4_K_M",
                       "--ctx", "8192", "--hardware", "Apple M1 Pro (14-core GPU)", "--json")
    doc = json.loads(out)
    assert code == 0 and {"file_size_gb", "kv_cache_gb", "ram_needed_gb", "tokens_per_s"} <= set(doc)
    assert doc["context"] == 8192 and doc["tokens_per_s"] > 0
    # --context is the same option, for learners who spell it out (fit and audit)
    code, out, _ = run(capsys, "fit", "--model", "mistralai/Mistral-7B-Instruct-v0.3", "--quant", "Q4_K_M",
                       "--context", "8192", "--hardware", "Apple M1 Pro (14-core GPU)", "--json")
    assert code == 0 and json.loads(out) == doc
    code, out, _ = run(capsys, "fit", "--params", "7", "--quant", "Q4_0", "--bandwidth", "50", "--backend", "cpu")
    assert code == 0 and "decode speed" in out
    code, out, _ = run(capsys, "fit", "--params", "7", "--quant", "Q4_0")
    assert code == 0 and "RAM needed" in out


def test_fit_bad_input_exit_2(capsys):
    for argv in (["--params", "7", "--quant", "Q7"], ["--model", "nobody/nothing", "--quant", "Q4_0"],
                 ["--params", "7", "--quant", "Q4_0", "--hardware", "M4 Max"],
                 ["--params", "7", "--quant", "Q4_0", "--backend", "cuda"], ["--quant", "Q4_0"],
                 ["--params", "0", "--quant", "Q4_0"]):
        code, out, err = run(capsys, "fit", *argv)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, (argv, err)
        assert "Traceback" not in err


def test_audit_contract(capsys):
    code, out, _ = run(capsys, "audit", "--json")
    doc = json.loads(out)
    keys = {"os", "cpu", "cpu_flags", "cores", "ram_total_gb", "ram_available_gb", "disk_free_gb", "tools", "gpu"}
    assert code == 0 and keys <= set(doc) and "readiness" not in doc
    code, out, _ = run(capsys, "audit", "--model", "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "--quant", "Q4_K_M",
                       "--ctx", "2048", "--no-bandwidth", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["readiness"]["rows"] and doc["readiness"]["context"] == 2048
    code, out, _ = run(capsys, "audit", "--model", "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "--context", "1024",
                       "--no-bandwidth", "--json")
    assert code == 0 and json.loads(out)["readiness"]["context"] == 1024
    code, out, _ = run(capsys, "audit")
    assert code == 0 and "CPU features" in out


def test_fit_vram_offload_moe_and_kv_type(capsys):
    code, out, _ = run(capsys, "fit", "--model", "meta-llama/Llama-3.3-70B-Instruct", "--quant", "Q4_K_M",
                       "--hardware", "RTX 3060 12GB")
    assert code == 0 and "does not fit" in out and "partial offload" in out and "-ngl" in out
    code, out, _ = run(capsys, "fit", "--model", "mistralai/Mistral-7B-v0.1", "--quant", "Q4_K_M",
                       "--hardware", "RTX 4070", "--vram", "4", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["offload"]["fits"] is False and doc["offload"]["memory_gb"] == 4
    code, out, _ = run(capsys, "fit", "--model", "Qwen/Qwen3-30B-A3B", "--quant", "Q4_K_M",
                       "--hardware", "RTX 3060 12GB", "--n-cpu-moe", "48", "--kv-type", "q8_0", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["offload"]["fits"] and doc["kv_cache_type"] == "Q8_0" and doc["active_params_b"] < 4
    code, out, err = run(capsys, "fit", "--model", "mistralai/Mistral-7B-v0.1", "--quant", "Q4_K_M",
                         "--n-cpu-moe", "2")
    assert code == 2 and "not a mixture-of-experts" in err
    code, out, err = run(capsys, "fit", "--params", "7", "--quant", "Q4_0", "--kv-type", "q5")
    assert code == 2 and "KV cache type" in err
    # the same refusal from `run`, before any download or server start (no engine needed to say it)
    code, out, err = run(capsys, "run", "--kv-type", "q5")
    assert code == 2 and "KV cache type" in err and "Traceback" not in err


def test_fit_max_context(capsys):
    code, out, _ = run(capsys, "fit", "--model", "mistralai/Mistral-7B-Instruct-v0.3", "--quant", "Q4_K_M",
                       "--max-context", "--vram", "8")
    assert code == 0 and "Largest context that fits" in out and "8.0 GB" in out
    code, out, _ = run(capsys, "fit", "--model", "mistralai/Mistral-7B-Instruct-v0.3", "--quant", "Q4_K_M",
                       "--max-context", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["memory_basis"] == "available RAM on this machine" and doc["points"]


def test_audit_vram_override(capsys):
    code, out, _ = run(capsys, "audit", "--vram", "12", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["gpu"]["vram_gb"] == 12
