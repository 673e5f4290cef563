"""The fit estimator, the hardware table, the Gradescope results and the CLI's text speak French when the
language is French: errors, notes, offload sentences, the largest context, chart labels (English is
tested by test_fit*.py, test_gradescope.py and test_cli_*.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course_utils import benchmarks, deploy, fit, hardware, i18n
from course_utils.cli import main
from course_utils.errors import InvalidInput

MISTRAL = "mistralai/Mistral-7B-Instruct-v0.3"
FIXTURES = Path(__file__).parent / "fixtures" / "answers"


@pytest.fixture
def french():
    i18n.set_language("fr")
    try:
        yield
    finally:
        i18n.set_language(None)


def refused(call) -> str:
    with pytest.raises(InvalidInput) as exc:
        call()
    return str(exc.value)


def test_fit_errors_in_french(french):
    assert refused(lambda: fit.check_quant("Q4")).startswith("Quantification inconnue : 'Q4'")
    assert "de 1 à 1\u202f048\u202f576, pas 0" in refused(lambda: fit.check_context(0))
    assert "Le type de cache KV doit être" in refused(lambda: fit.check_kv_type("q5"))
    assert refused(lambda: fit.resolve_shape()).startswith("Donnez exactement une seule")
    assert "nombre positif de milliards" in refused(lambda: fit.shape_from_params(-1))
    assert "ni l'architecture ni la taille" in refused(lambda: fit.shape_for("nobody/nothing-at-all-7b", online=False))
    assert "n'est pas un modèle à mélange d'experts" in refused(lambda: fit.estimate(MISTRAL, n_cpu_moe=2))
    assert "La mémoire doit être un nombre positif de Go" in refused(lambda: fit.max_context(MISTRAL, memory_gb=-1))


def test_a_bad_gguf_file_is_named_in_french_with_the_readers_detail(french, tmp_path):
    pytest.importorskip("gguf")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf header at all")
    text = refused(lambda: fit.estimate(gguf_path=str(bad)))
    assert text.startswith("bad.gguf n'est pas un fichier GGUF lisible (HeaderError:")
    assert refused(lambda: fit.estimate(gguf_path=str(tmp_path / "none.gguf"))).startswith("Aucun fichier GGUF")


def test_estimate_text_notes_and_offload_in_french(french):
    e = fit.estimate("meta-llama/Llama-3.3-70B-Instruct", "Q4_K_M", 4096, hardware="RTX 4090")
    assert e.offload.text.startswith("ne tient pas (") and "déchargement partiel" in e.offload.text
    assert "-ngl" in e.offload.text and "Go de VRAM" in e.offload.text
    text = e.to_text()
    assert "taille du fichier" in text and "RAM nécessaire" in text and "vitesse de génération" in text
    assert "4\u202f096 tokens" in text and "Go" in text and " GB" not in text
    assert any(n.startswith("Déchargement partiel : ") and "DDR4-3200 double canal" in n for n in e.notes)
    assert any("ajusté sur les mesures llama-bench" in n for n in e.notes)  # the CUDA class, in French
    assert any(f"({e.offload.gpu_layers} couches x 0,033 ms)" in n for n in e.notes)  # the GPU's layers' overhead
    moe = fit.estimate("Qwen/Qwen3-30B-A3B", "Q4_K_M", 4096, hardware="RTX 4090", n_cpu_moe=10)
    assert moe.offload.text.startswith("tient avec les experts de 10 couches")
    assert any(n.startswith("Mélange d'experts : ") for n in moe.notes)
    mac = fit.estimate("meta-llama/Llama-3.3-70B-Instruct", "Q4_K_M", hardware="M1 Pro", vram_gb=16)
    assert "que macOS laisse au GPU" in mac.offload.text
    assert "Fenêtre glissante" in " ".join(fit.estimate("google/gemma-3-27b-it", "Q4_K_M", 8192).notes)
    given = fit.estimate(params_b=7.5, quant="Q4_0", bandwidth_gbs=50)
    assert given.model == "modèle de 7,5 milliards de paramètres" and given.shape_source == "nombre de paramètres donné par vous"
    assert given.hardware == "matériel personnalisé"
    assert any(n.startswith("Architecture inconnue") for n in given.notes)
    assert any("(32 couches supposées)" in n for n in given.notes)


def test_numbers_in_french_but_the_results_keep_their_values(french):
    fr = fit.estimate(MISTRAL, "Q4_K_M", 4096)
    i18n.set_language("en")
    en = fit.estimate(MISTRAL, "Q4_K_M", 4096)
    assert fr.file_size_gb == en.file_size_gb and fr.ram_needed_gb == en.ram_needed_gb
    assert f"{en.file_size_gb:.2f} GB" in en.to_text()


def test_max_context_text_and_chart_in_french(french):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    r = fit.max_context(MISTRAL, "Q4_K_M", 80.0)
    assert r.to_text().startswith("Plus grand contexte qui tient : 32\u202f768 tokens (la limite du modèle")
    assert "dans 80,0 Go (valeur donnée)" in r.to_text()
    tiny = fit.max_context(MISTRAL, "Q4_K_M", 1.0)
    assert "ne tient pas dans 1,0 Go" in tiny.to_text() and "les poids seuls font" in tiny.to_text()
    ax = fit.plot_context(r)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("mémoire nécessaire") and labels[1] == "budget 80,0 Go"
    assert ax.get_xlabel() == "contexte (tokens)" and ax.get_ylabel() == "Go"
    assert ax.get_title() == f"{MISTRAL} en Q4_K_M"


def test_hardware_messages_and_class_descriptions_in_french(french):
    assert refused(lambda: hardware.find_hardware("")).startswith("Donnez un nom de matériel")
    assert "n'est pas dans la table des bandes passantes" in refused(lambda: hardware.find_hardware("RTX 4060"))
    assert "La bande passante doit être" in refused(lambda: hardware.custom_hardware(0, "cpu"))
    assert "Le backend doit être l'un de" in refused(lambda: hardware.custom_hardware(10, "tpu"))
    assert "La VRAM doit être" in refused(lambda: hardware.with_memory(hardware.find_hardware("RTX 4090"), -1))
    assert hardware.CLASSES["metal"].why.startswith("ajusté sur les mesures llama-bench tg128 de 10 puces Apple")
    assert all(i18n.has(f"hardware.class.{name}", "fr") for name in hardware.CLASSES)
    assert hardware.custom_hardware(10, "cpu").source == "donnée par vous"
    assert hardware.this_machine(bandwidth_gbs=20).name == "le CPU de cette machine (mesuré)"


def test_benchmarks_and_deploy_leftovers_in_french(french):
    text = refused(lambda: benchmarks.find_row("meta-llama/Llama-3.1-8B-Instruct", 1))
    assert "n'est pas dans les données de l'Open LLM Leaderboard v1" in text
    assert "Il figure dans celles du classement v2." in text
    with pytest.raises(LookupError, match="Aucun prix cloud_gpu de data/deployment_prices.csv ne correspond"):
        deploy.pick_price("cloud_gpu", "no such provider anywhere")


def test_gradescope_results_in_french(french, tmp_path):
    from course_utils import gradescope, grading

    for p in FIXTURES.glob("ex0[12]_ada-lovelace.json"):
        shutil.copy(p, tmp_path / p.name)
    (tmp_path / "ex03_broken.json").write_text('{"schema_version": 1, ', encoding="utf-8")
    doc = gradescope.results_for(tmp_path, grading.load_key(), ["ex02", "ex03"])
    assert doc["output"].startswith("Noté pour Ada Lovelace.")
    assert "Ne fait pas partie de ce devoir (ex02, ex03) : ex01_ada-lovelace.json" in doc["output"]
    assert "Non noté : ex03_broken.json" in doc["output"]
    ex03 = [t for t in doc["tests"] if t["name"].startswith("ex03")]
    assert ex03 and ex03[0]["output"].startswith("Aucun fichier de réponses ex03")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "Aucun fichier de réponses n'a pu être noté." in gradescope.results_for(
        empty, grading.load_key(), ["ex02"])["output"]


def test_cli_fit_and_compare_text_in_french(capsys):
    def run(*argv):
        try:
            code = main(["--lang", "fr", *argv])
        except SystemExit as exc:
            code = exc.code
        return (code, *capsys.readouterr())

    try:
        code, out, _ = run("fit", "--model", MISTRAL, "--quant", "Q4_K_M", "--hardware", "RTX 4090", "--vram", "8")
        assert code == 0 and "mémoire GPU" in out and ("ne tient pas" in out or "tient :" in out)
        code, out, err = run("fit", "--params", "7", "--quant", "Q4_0", "--backend", "cpu")
        assert code == 2 and "--backend demande --bandwidth" in err
        code, out, _ = run("fit", "--model", MISTRAL, "--quant", "Q4_K_M", "--max-context", "--vram", "8")
        assert code == 0 and "Plus grand contexte qui tient" in out and "(--vram)" in out
        code, out, _ = run("compare", "facebook/opt-6.7b", "bigscience/bloom-7b1")
        head = out.splitlines()[1]
        assert code == 0 and "modèle" in head and "Moyenne" in head and "repo_id" not in head
    finally:
        i18n.set_language(None)


def test_counts_of_one_take_the_singular_in_french(french):
    """French takes the singular for 0 and 1 (i18n.plural_form): gpt-oss alternates its layers, DeepSeek-V3
    has one shared expert, and an RTX 3060 holds one of DeepSeek-V3's 61 layers."""
    gpt = " ".join(fit.estimate("openai/gpt-oss-20b", "Q4_K_M", hardware="RTX 3060 12GB").notes)
    assert "1 couche sur 2 ne garde en cache que 128" in gpt and "1 couches" not in gpt
    deepseek = fit.estimate("deepseek-ai/DeepSeek-V3", "Q4_K_M", hardware="RTX 3060 12GB")
    notes = " ".join(deepseek.notes)
    assert "+ 1 partagé (" in notes and "partagés" not in notes
    assert deepseek.offload.gpu_layers == 1 and "1 couche sur 61 sur le GPU" in deepseek.offload.text
    assert "couches sur le GPU (1, à 360 Go/s) et sur le CPU (60," in notes
    gemma = " ".join(fit.estimate("google/gemma-2-2b-it", "Q4_K_M").notes)
    assert "1 couche sur 2 ne garde" in gemma


def test_with_no_layer_on_the_gpu_the_notes_say_cpu_only(french):
    est = fit.estimate(MISTRAL, "Q4_K_M", hardware="RTX 3060 12GB", vram_gb=0.7)
    assert est.offload.gpu_layers == 0
    notes = " ".join(est.notes)
    assert "Sur le CPU seul : vitesse calculée avec les 32 couches à 51,2 Go/s" in notes
    assert "Déchargement partiel" not in notes and "0 couche" not in notes
    speed = next(line for line in est.to_text().splitlines() if line.startswith(i18n.t("fit.row.speed")))
    assert "lus en RAM CPU" in speed and "aucune couche" in speed and "lus sur le GPU" not in speed


def test_under_two_billion_is_singular_in_french(french):
    """« 0,13 milliard », « 1,4 milliard actif » (French takes the singular under 2), « 7,00 milliards »."""
    smol = fit.estimate("HuggingFaceTB/SmolLM2-135M-Instruct", "Q4_K_M").to_text()
    assert "0,13 milliard de paramètres" in smol and "milliards" not in smol
    olmoe = fit.estimate("allenai/OLMoE-1B-7B-0924", "Q4_K_M")
    text = olmoe.to_text()
    assert "7,00 milliards de paramètres, 1,36 milliard actif par token" in text
    assert any("(1,4 milliard actif)" in n for n in olmoe.notes)
    assert fit.shape_from_params(1.5).name == "modèle de 1,5 milliard de paramètres"
    assert fit.shape_from_params(7).name == "modèle de 7 milliards de paramètres"
