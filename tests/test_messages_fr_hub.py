"""The messages of the Hub, network, settings, data, model-file and system modules read French when the
language is French (and the English wording the other tests match is unchanged)."""
from __future__ import annotations

import warnings

import pytest

from course_utils import data, gguf_models, hf_engine, hub, hubhttp, i18n, network, settings, system
from course_utils.errors import DataFileError, EngineUnavailable, InvalidInput, ModelNotFound
from course_utils.refresh import RefreshResult
from course_utils.system import _probe


@pytest.fixture
def french(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("COURSE_UTILS_OFFLINE", raising=False)
    network._CACHE.clear()
    i18n.set_language("fr")
    try:
        yield
    finally:
        i18n.set_language(None)
        network._CACHE.clear()


def test_offline_reasons_and_hub_notes_in_french(french):
    assert settings.get_settings().offline_reason == "HF_HUB_OFFLINE est défini"
    assert network.live_allowed().reason == "mode hors ligne (HF_HUB_OFFLINE est défini)"
    s = hub.model_summary("facebook/opt-6.7b")
    assert "Hub non utilisé : mode hors ligne (HF_HUB_OFFLINE est défini)." in s.notes
    assert s.source.startswith("course facts researched")  # the source value is data, kept in English
    assert hub.source_words(s.source).startswith("faits vérifiés par le cours le ")
    with settings.snapshot_only():
        assert settings.get_settings().offline_reason == "la notation utilise l'instantané fourni"


def test_the_same_reasons_stay_in_english(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    i18n.set_language("en")
    try:
        assert network.live_allowed().reason == "offline mode (HF_HUB_OFFLINE is set)"
        with settings.snapshot_only():
            assert settings.get_settings().offline_reason == "grading uses the shipped snapshot"
        with settings.snapshot_only("instructor's own reason"):
            assert settings.get_settings().offline_reason == "instructor's own reason"
    finally:
        i18n.set_language(None)


def test_model_and_task_errors_in_french(french):
    with pytest.raises(ModelNotFound) as err:
        hub.model_summary("no-such-org/no-such-model-xyz")
    assert "n'est pas dans l'instantané fourni (faits vérifiés par le cours le" in str(err.value)
    assert "le Hub est injoignable" in str(err.value)
    with pytest.raises(InvalidInput, match="n'est pas une tâche du Hub"):
        hub.check_task("translate-poems")
    found = hub.search_models(tags=["gguf"], limit=2)
    assert "résultat" in found.to_text() and "source : faits vérifiés par le cours" in found.to_text()
    assert "faits vérifiés par le cours" in found.notes[0]  # the note names the source in French too


def test_network_failures_in_french(french):
    assert hubhttp._network_failure(ConnectionRefusedError("refused"), 4) == "le Hub a refusé la connexion"
    assert hubhttp._network_failure(TimeoutError("timed out"), 4) == "le Hub n'a pas répondu en 4 s"
    with pytest.raises(network.DeadlineExceeded, match="pas de réponse en 0.01 s"):
        network.call_within(lambda: __import__("time").sleep(0.2), 0.01)


def test_settings_warnings_in_french(french, monkeypatch):
    settings._WARNED.clear()
    monkeypatch.setenv("COURSE_UTILS_TIMEOUT", "abc")
    monkeypatch.setenv("HF_ENDPOINT", "htp:/x")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            s = settings.get_settings()
        said = [str(w.message) for w in caught]
        assert any("n'est pas un nombre de secondes" in m for m in said), said
        assert any("n'est pas une adresse utilisable (elle doit commencer par http://" in m for m in said), said
        assert s.endpoint_error.startswith("HF_ENDPOINT='htp:/x' n'est pas une adresse utilisable")
    finally:
        settings._WARNED.clear()


def test_data_errors_in_french(french, monkeypatch, tmp_path):
    with pytest.raises(DataFileError, match="table de données 'nope' inconnue"):
        data.load("nope")
    monkeypatch.setenv("COURSE_UTILS_DATA_DIR", str(tmp_path / "none"))
    with pytest.raises(DataFileError, match="n'existe pas : indiquez un dossier"):
        data.data_dir()


def test_model_file_errors_in_french(french, tmp_path):
    with pytest.raises(InvalidInput, match="est un dossier : indiquez le fichier .gguf"):
        gguf_models.resolve_model(str(tmp_path))
    with pytest.raises(InvalidInput, match="n'est ni un fichier .gguf ni un identifiant"):
        gguf_models.resolve_model("justaname")
    with pytest.raises(InvalidInput, match="n'a pas de fichier .gguf"):
        gguf_models.pick_gguf(["README.md"], None)
    with pytest.raises(EngineUnavailable, match="nécessite le Hub, mais HF_HUB_OFFLINE est défini"):
        gguf_models.download_from_hub("org/model-GGUF")
    with pytest.raises(InvalidInput, match="Indiquez un identifiant de modèle du Hub"):
        hf_engine.transformers_generate("  ")


def test_system_probes_and_rows_in_french(french, monkeypatch):
    monkeypatch.setattr(_probe.shutil, "which", lambda name: None)
    assert _probe.run(["nvidia-smi"]).reason == "nvidia-smi introuvable dans le PATH"
    assert _probe.run(["nvidia-smi"]).missing
    assert _probe.read("/no/such/file").reason == "/no/such/file n'existe pas"
    a = system.audit()
    assert a.gpu.kind != "none" or a.gpu.detail.startswith("aucun GPU NVIDIA, AMD ou Intel trouvé")
    text = a.to_text()
    assert "Jeux d'instructions du CPU" in text and "Outils de compilation" in text and "Durée de l'audit" in text
    manual = system.with_vram(a, 8)
    assert manual.gpu.detail.endswith("8 Go indiqués avec --vram")


def test_refresh_result_in_french(french):
    text = RefreshResult("/tmp/x.json", "2026-01-01", 3, ("a/b",)).to_text()
    assert text.startswith("/tmp/x.json écrit (Hub, 2026-01-01) : 3 modèles mis à jour.")
    assert "Fiche précédente conservée pour 1 : a/b" in text


def test_quoted_values_take_guillemets_in_french():
    """French messages quote what the learner typed in « », as their examples are, not in Python's quotes."""
    from course_utils import i18n
    from course_utils.errors import InvalidInput
    from course_utils.model_ids import parse_repo_id

    i18n.set_language("fr")
    try:
        with pytest.raises(InvalidInput) as exc:
            parse_repo_id("mon org/mon modèle")
        assert str(exc.value).startswith("« mon org/mon modèle » contient des espaces")
        note = parse_repo_id("https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct").notes[0]
        assert note.endswith("l'identifiant utilisé est « HuggingFaceTB/SmolLM2-135M-Instruct ».")
    finally:
        i18n.set_language(None)
