"""Exercise 4's home: the learner's own table against the audit (old and new shapes), the reference
model named in the verdict, labels instead of ids, both languages, and the session the widgets use."""

import html
import re
import importlib.abc
import sys

import pytest

from course_utils import i18n, system
from course_utils.exercises import ex04
from course_utils.grading import check_question, grade_answers
from course_utils.errors import InvalidInput
from course_utils.system import Tool

from audits import machine


@pytest.fixture
def french():
    i18n.set_language("fr")
    yield
    i18n.set_language(None)


def table(**fields):
    value = {"ram_gb": 16.0, "disk_free_gb": 100.0, "avx2": "yes", "verdict": "warn", "os": "linux",
             "compiler": "gcc", "make": "yes", "cmake": "no"}
    value.update(fields)
    return {**value, "audit": ex04.audit_snapshot(machine(), cpu_bandwidth_gbs=30)}


def checks(value):
    return {c.item: c for c in ex04._own_readiness(value, {})}


def test_the_snapshot_records_the_new_fields_and_the_reference_model():
    snap = ex04.audit_snapshot(machine(), cpu_bandwidth_gbs=30)
    assert snap["os"] == "linux" and snap["compilers"] == ["gcc"] and snap["make"] == "yes" and snap["cmake"] == "no"
    assert snap["reference_model"] == list(ex04.REFERENCE_MODEL)
    assert snap["verdict"] == "warn"  # no cmake: a prebuilt build or install cmake
    mac = machine(flavour="macos-arm64", cpu_arch="arm", cpu_flags=("neon",),
                  tools={n: Tool(n, n in ("clang", "make", "cmake", "git"), "15") for n in system.TOOLS})
    snap = ex04.audit_snapshot(mac, cpu_bandwidth_gbs=60)
    assert snap["os"] == "macos_arm" and snap["avx2"] == "arm" and snap["compilers"] == ["clang"]
    win = machine(flavour="windows", tools={n: Tool(n, n == "cl", "19") for n in system.TOOLS})
    assert ex04.audit_snapshot(win, cpu_bandwidth_gbs=30)["compilers"] == ["msvc"]


def test_a_right_table_scores_every_check():
    got = checks(table())
    assert all(c.correct for c in got.values()) and len(got) == 8
    verdict = next(c for item, c in got.items() if item.startswith("Verdict for"))
    assert "mistralai/Mistral-7B-Instruct-v0.3 at Q4_K_M with a 4,096-token context" in verdict.item
    assert verdict.shown_given == "⚠️ ready with changes"


def test_wrong_fields_show_labels_not_ids():
    got = checks(table(os="macos_arm", compiler="msvc", cmake="yes", avx2="arm", ram_gb=8.0))
    assert not got["Operating system"].correct
    assert got["Operating system"].shown_given == "macOS, Apple Silicon" and got["Operating system"].shown_expected == "Linux"
    assert got["C/C++ compiler"].shown_given == "MSVC (Visual Studio)" and got["C/C++ compiler"].shown_expected == "gcc"
    assert got["cmake installed"].shown_expected == "no" and got["AVX2"].shown_given == "not x86 (ARM)"
    assert got["RAM (GB)"].shown_given == "8 GB" and got["RAM (GB)"].shown_expected == "16 GB"
    assert "10%" in got["RAM (GB)"].why
    assert not any("macos_arm" in c.shown_given or "msvc" == c.shown_given for c in got.values())


def test_any_compiler_the_audit_found_is_right_and_none_when_there_is_none():
    value = table(compiler="clang")
    value["audit"]["compilers"] = ["gcc", "clang"]
    assert checks(value)["C/C++ compiler"].correct
    value = table(compiler="none")
    value["audit"]["compilers"] = []
    got = checks(value)["C/C++ compiler"]
    assert got.correct and got.shown_expected == "none"


def test_an_old_table_without_the_new_fields_restores_and_grades_on_the_others():
    old = {"ram_gb": 16.0, "disk_free_gb": 120.0, "avx2": "yes", "verdict": "ready",
           "audit": {"ram_total_gb": 16.4, "disk_free_gb": 118.2, "avx2": "yes", "verdict": "ready"}}
    got = checks(old)
    assert len(got) == 4 and all(c.correct for c in got.values())
    # a new table checked against an old snapshot (no os/compilers/make/cmake recorded): those are skipped
    new_fields = {**old, "os": "linux", "compiler": "gcc", "make": "yes", "cmake": "yes"}
    assert len(checks(new_fields)) == 4
    (result,) = grade_answers("ex04", {"own_readiness": old}, offline=True)[:1]
    assert result.score == result.max_points == 3


def test_a_blank_new_field_is_checked_and_wrong():
    got = checks(table(os=""))
    assert not got["Operating system"].correct and got["Operating system"].shown_given == "—"


def test_bad_shapes_are_clear_messages():
    from course_utils.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Compare with the audit"):
        ex04._own_readiness({"ram_gb": 4}, {})
    with pytest.raises(InvalidInput, match="no values"):
        ex04._own_readiness({"audit": {}}, {})
    result = check_question("ex04", "own_readiness", {"ram_gb": 4})
    assert result.score == 0 and "Compare with the audit" in result.feedback


def test_the_table_in_french(french):
    got = checks(table(os="windows", make="no"))
    assert got["Système d'exploitation"].shown_given == "Windows" and not got["Système d'exploitation"].correct
    assert got["make installé"].shown_given == "non" and got["make installé"].shown_expected == "oui"
    verdict = next(c for item, c in got.items() if item.startswith("Verdict pour"))
    assert "contexte de 4\u202f096 tokens" in verdict.item and verdict.shown_expected == "⚠️ prête avec des ajustements"
    assert got["RAM (Go)"].shown_expected == "16 Go" and "de l'audit" in got["RAM (Go)"].why
    from course_utils.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Comparer avec l'audit"):
        ex04._own_readiness({}, {})


def test_upgrade_plan_rubric_in_both_languages(french):
    fr = ("Je garderais le modèle 7B mais en quantification Q4_K_M : il demande environ 5 Go de mémoire avec "
          "un contexte de 4\u202f096 tokens. Pour un contexte plus long, le cache KV grossit. Un GPU augmenterait la "
          "vitesse, car la bande passante limite la génération.")
    result = check_question("ex04", "upgrade_plan", fr)
    assert result.score == result.max_points
    labels = [c.item for c in result.checks]
    assert "parle de quantification (par ex. Q4_K_M)" in labels and "parle de vitesse (tokens/s, bande passante ou GPU)" in labels
    i18n.set_language("en")
    en = check_question("ex04", "upgrade_plan", "Keep the 7B at Q4_K_M quantization: it needs 5 GB of RAM with a "
                        "4k context; a longer context grows the KV cache, and a GPU would raise the speed because "
                        "bandwidth limits decoding, so that is what I would change first on this laptop.")
    assert en.score == en.max_points and "mentions RAM or memory" in [c.item for c in en.checks]


def test_the_session_keeps_the_audit_so_widgets_hold_none(monkeypatch):
    made, measured = [], []
    monkeypatch.setattr(system, "audit", lambda: made.append(1) or machine())
    from types import SimpleNamespace

    monkeypatch.setattr(system, "measure_memory_bandwidth", lambda: measured.append(1) or SimpleNamespace(gbs=30.0))
    session = ex04.Session()
    assert session.machine() is session.machine() and len(made) == 1
    session.run_audit()
    assert len(made) == 2
    r = session.readiness(" mistralai/Mistral-7B-Instruct-v0.3 ", "Q4_K_M", 4096)
    assert r.model == "mistralai/Mistral-7B-Instruct-v0.3" and len(made) == 2
    own = session.own_table({"ram_gb": 16.0})
    assert own["ram_gb"] == 16.0 and own["audit"]["os"] == "linux"
    session.readiness("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 4096, measure_bandwidth=True)
    assert len(measured) == 1  # measured once for the table and the panel
    assert session.readiness("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 4096,
                             measure_bandwidth=True).tokens_per_s is not None
    from course_utils.errors import InvalidInput

    with pytest.raises(InvalidInput, match="model id"):
        session.readiness("  ", "Q4_K_M", 4096)
    with pytest.raises(InvalidInput, match="no architecture or size for mistralai/Mistral-7B-Instruct:") as exc:
        session.readiness("mistralai/Mistral-7B-Instruct", "Q4_K_M", 4096)
    assert exc.value.repo_id == "mistralai/Mistral-7B-Instruct" and "mistralai/Mistral-7B-Instruct-v0.3" in exc.value.suggestions
    i18n.set_language("fr")
    try:
        with pytest.raises(InvalidInput, match="ni l'architecture ni la taille"):
            session.readiness("nobody/nothing", "Q4_K_M", 4096)
    finally:
        i18n.set_language(None)


def test_engine_status_says_how_to_install_in_each_language(monkeypatch):
    from course_utils import engine

    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # import fails, as without the extra
    monkeypatch.setattr("platform.system", lambda: "Linux")
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    ready, text = ex04.engine_status()
    assert not ready and "pip install xllamacpp gguf" in text
    i18n.set_language("fr")
    try:
        assert "n'est pas installé" in ex04.engine_status()[1]
    finally:
        i18n.set_language(None)


def test_a_wheel_that_does_not_load_is_said_as_such_in_french_too(monkeypatch):
    """A broken native wheel is not "not installed" in either language (it was told apart by English words).
    Faked: the real wheel loads on this machine, so the import is made to fail as a broken one does."""
    class Broken(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "xllamacpp":
                raise OSError("libggml.so: cannot open shared object file")
            return None

    monkeypatch.delitem(sys.modules, "xllamacpp", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Broken(), *sys.meta_path])
    for lang, words in (("en", "does not load"), ("fr", "ne se charge pas")):
        i18n.set_language(lang)
        try:
            ready, text = ex04.engine_status()
        finally:
            i18n.set_language(None)
        assert not ready and words in text and "libggml.so" in text and "pip install" not in text


def test_choices_have_labels_in_both_languages():
    for field, values in ex04.CHOICES.items():
        for v in values:
            for lang in ("en", "fr"):
                i18n.set_language(lang)
                try:
                    assert i18n.has(f"ex04.choice.{field}.{v}") or field == "verdict", (field, v, lang)
                    assert ex04.choice_label(field, v) not in ("", "—")
                finally:
                    i18n.set_language(None)


def test_running_without_the_engine_says_so_in_the_learners_language(monkeypatch, answers_dir):
    from course_utils import answers, engine
    from course_utils.errors import EngineUnavailable

    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())
    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # import fails, as without the extra
    monkeypatch.setattr("platform.system", lambda: "Linux")
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    i18n.set_language("fr")
    try:
        with pytest.raises(EngineUnavailable, match="n'est pas installé"):
            ex04.Session().measure()
    finally:
        i18n.set_language(None)
    assert answers.store().get("ex04", ex04.MEASURED_RUN) is None


def test_local_run_texts_in_french(monkeypatch):
    from course_utils import local_run

    i18n.set_language("fr")
    try:
        assert "dépasse la mesure" in local_run.gap_notes(120, 60)[0] and "sous la mesure" in local_run.gap_notes(20, 40)[0]
        monkeypatch.setattr(local_run.os, "getloadavg", lambda: (9.0, 8.0, 7.0))
        monkeypatch.setattr(local_run.os, "cpu_count", lambda: 2)
        assert "charge 9,0 sur 2 cœurs" in local_run.busy_note(2)[0]
        from course_utils.errors import InvalidInput

        with pytest.raises(InvalidInput, match="prompt est vide"):
            local_run.measure_local(prompt="  ")
    finally:
        i18n.set_language(None)


def test_the_memory_chart_in_words():
    text = ex04.chart_alt_text("mistralai/Mistral-7B-Instruct-v0.3", 4096, 6.0)
    assert "Q4_K_M" in text and "F16" not in text and "6.0 GB available" in text
    assert ex04.chart_alt_text("mistralai/Mistral-7B-Instruct-v0.3", 4096, 0.1).endswith("these fit: none.")
    i18n.set_language("fr")
    try:
        assert "tiennent : aucune" in ex04.chart_alt_text("mistralai/Mistral-7B-Instruct-v0.3", 4096, 0.1)
    finally:
        i18n.set_language(None)


def test_the_verdict_names_the_reference_the_snapshot_was_made_with():
    value = table()
    value["audit"]["reference_model"] = ["TinyLlama/TinyLlama-1.1B-Chat-v1.0", "Q8_0", 2048]
    assert any(item == "Verdict for TinyLlama/TinyLlama-1.1B-Chat-v1.0 at Q8_0 with a 2,048-token context"
               for item in checks(value))
    value["audit"]["reference_model"] = "tampered"
    assert any("Mistral-7B-Instruct-v0.3" in item for item in checks(value))


def test_the_largest_context_here_in_words_and_in_a_chart(monkeypatch):
    """Notebook 04's context panel: this machine's free RAM (12 GB in the hand-made audit) as the budget."""
    from course_utils import fit, system
    from course_utils.ui import ex04 as ui

    monkeypatch.setattr(system, "audit", lambda *a, **k: machine())
    shown = ui.context_here("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", "F16").data
    expected = fit.max_context("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 12.0, memory_basis="this_machine")
    # 12 GB allow more than the model's own 32,768 tokens: the text gives the model's limit and the memory's
    assert expected.max_context == 32768 < expected.memory_context
    assert html.escape(expected.to_text()) in shown and "available RAM on this machine" in shown
    assert "<img src='data:image/png" in shown and "alt='Largest context" in shown
    # a q4_0 KV cache holds more tokens in the same memory (18/32 bytes per element instead of 2)
    small = fit.max_context("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 5.0, kv_cache_type="q4_0")
    assert small.memory_context > fit.max_context("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 5.0).memory_context
    with pytest.raises(InvalidInput):
        ui.context_here("no-such/model-at-all")


def test_the_context_chart_marks_the_model_limit_the_text_gives(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils import fit

    r = fit.max_context("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 40.0)
    ax = fit.plot_context(r)
    labels = [line.get_label() for line in ax.get_lines()]
    assert any("32,768" in lab for lab in labels) and any(f"{r.memory_context:,}" in lab for lab in labels)
    plt.close(ax.figure)


def test_the_sheet_errata_write_numbers_as_each_language_does():
    # the memory line is computed (fit.estimate); in French its decimals take a comma and 4096 a narrow space
    from course_utils.fit import estimate

    model, quant, context = ex04.REFERENCE_MODEL
    e = estimate(model, quant, context)
    english = ex04.sheet_errata().splitlines()[0]
    assert f"{e.file_size_gb:.2f} GB file" in english and f"{e.ram_needed_gb:.2f} GB of RAM" in english
    assert "4,096-token" in english
    i18n.set_language("fr")
    try:
        french = ex04.sheet_errata().splitlines()[0]
    finally:
        i18n.set_language(None)
    assert f"{e.file_size_gb:.2f} Go".replace(".", ",") in french and f"{e.ram_needed_gb:.2f} Go".replace(".", ",") in french
    assert "4\u202f096 tokens" in french and not re.search(r"\d\.\d+ Go", french)
