import json

from course_utils.cli import main


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_fit_contract(capsys):
    code, out, _ = run(capsys, "fit", "--model", "mistralai/Mistral-7B-Instruct-v0.3", "--quant", "Q4_K_M",
                       "--ctx", "8192", "--hardware", "Apple M1 Pro (14-core GPU)", "--json")
    doc = json.loads(out)
    assert code == 0 and {"file_size_gb", "kv_cache_gb", "ram_needed_gb", "tokens_per_s"} <= set(doc)
    assert doc["context"] == 8192 and doc["tokens_per_s"] > 0
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
    code, out, _ = run(capsys, "audit")
    assert code == 0 and "CPU features" in out
