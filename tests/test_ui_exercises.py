"""Exercise widgets driven kernel-side: set values, click, read the Output widget."""
import pytest

from course_utils import answers
from course_utils.ui import ex01, ex02, ex03, ex04
from course_utils.ui.common import UNEXPECTED_CLASS
from langs import each_language  # noqa: F401 - the lang fixture


def texts(out):
    return " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/html", "")) for o in out.outputs)


@pytest.fixture(autouse=True)
def clean_store(answers_dir, monkeypatch):
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())


def test_matrix_quiz_records_and_gives_per_cell_feedback():
    quiz = ex01.matrix_quiz()
    first_row = quiz.children[1].children  # 'use directly' row: label + 3 dropdowns
    first_row[1].value = "yes"
    first_row[3].value = "yes"  # architecture only: wrong
    quiz.children[-2].click()
    html = texts(quiz.children[-1])
    assert "1 of 12 checks right" in html
    recorded = answers.store().get("ex01", "matrix")
    assert recorded["fully_open"]["use_directly"] == "yes" and recorded["architecture_only"]["use_directly"] == "yes"
    assert "No weights" in html  # the reason for the wrong architecture-only cell


def test_classify_models_widget():
    box = ex01.classify_models()
    pickers = [c for c in box.children if hasattr(c, "options")]
    pickers[0].value = "fully_open"  # OLMo-7B
    box.children[-2].click()
    assert "1 of 5 checks right" in texts(box.children[-1])
    assert answers.store().get("ex01", "classify")["allenai/OLMo-7B"] == "fully_open"


def test_both_scales_quiz_records_restores_and_checks():
    box = ex01.both_scales_quiz()
    assert "Llama 3.1 Community License Agreement" in box.children[0].value  # the facts table
    rows = {r.children[0].value: r.children[1:] for r in box.children[2:-2]}
    level, osaid, reason = rows["meta-llama/Llama-3.1-8B-Instruct"]
    level.value, osaid.value, reason.value = "weights_only", "no", "licence_restricts_use"
    pythia = rows["EleutherAI/pythia-6.9b"]
    pythia[0].value, pythia[1].value, pythia[2].value = "fully_open", "no", "no_training_code"  # wrong verdict
    box.children[-2].click()
    html = texts(box.children[-1])
    assert "3 of 12 checks right" in html and "weights, complete training code and data information" in html
    saved = answers.store().get("ex01", "open_source_ai")
    assert saved["meta-llama/Llama-3.1-8B-Instruct"] == {"level": "weights_only", "osaid": "no",
                                                          "reason": "licence_restricts_use"}
    again = ex01.both_scales_quiz()  # a rebuilt widget shows what was recorded
    restored = {r.children[0].value: r.children[1:] for r in again.children[2:-2]}
    assert [d.value for d in restored["meta-llama/Llama-3.1-8B-Instruct"]] == ["weights_only", "no",
                                                                               "licence_restricts_use"]


def test_both_scales_quiz_ignores_a_saved_value_it_does_not_offer():
    answers.record("ex01", "open_source_ai", {"openai/gpt-oss-20b": {"level": "??", "osaid": "maybe"}})
    box = ex01.both_scales_quiz()
    rows = {r.children[0].value: r.children[1:] for r in box.children[2:-2]}
    assert [d.value for d in rows["openai/gpt-oss-20b"]] == ["", "", ""]


def test_free_text_is_recorded_as_typed():
    box = ex01.comparison_box()
    box.children[1].value = "Fully open models publish data and code."
    assert answers.store().get("ex01", "comparison") == "Fully open models publish data and code."
    assert "7 words" in box.children[2].value


def test_license_card_lookup_and_bad_id():
    card = ex02.license_card()
    repo, button = card.children[0].children
    repo.value = "bigscience/bloom-7b1"
    button.click()
    html = texts(card.children[-1])
    assert "bigscience-bloom-rail-1.0" in html and "course facts researched" in html and "SaaS use" in html
    repo.value = "mistralai/Mistral-7B-Instruct"
    button.click()
    html = texts(card.children[-1])
    assert "did you mean" in html and "Traceback" not in html and UNEXPECTED_CLASS not in html


def test_checklist_widget():
    box = ex02.checklist("model_1", "meta-llama/Llama-2-7b-chat-hf")
    box.children[1].children[0].value = "llama2"
    box.children[1].children[1].value = "conditional"
    box.children[1].children[2].value = "yes"
    box.children[-2].click()
    html = texts(box.children[-1])
    assert "2.25/3 points" in html and "✅" in html  # licence, commercial use, gated right; restrictions missing
    saved = answers.store().get("ex02", "checklist_model_1")
    assert saved["license_id"] == "llama2" and saved["gated"] is True


def test_search_and_team_pick():
    from course_utils.exercises.ex03 import SEARCHES

    SEARCHES.clear()
    panel = ex03.search_panel()
    assert "cu-ex03-search" in panel.children[3].children[2]._dom_classes
    assert "cu-ex03-results" in panel.children[-1]._dom_classes
    panel.children[1].children[1].value = "math"
    panel.children[3].children[2].click()
    html = texts(panel.children[-1])
    assert "source: course facts researched" in html and "https://huggingface.co/microsoft/Phi-3-mini-4k-instruct" in html
    assert "https://huggingface.co/models?pipeline_tag=text-generation&amp;other=math" in html
    pick = ex03.team_pick("legaltech")
    assert "cu-ex03-pick-legaltech" in pick.children[1].children[0]._dom_classes
    pick.children[1].children[0].value = "Intel/neural-chat-7b-v3-1"
    pick.children[1].children[1].click()
    html = texts(pick.children[2])
    assert "1.5/2 points" in html and "GGUF" in html  # 3 of 4 needs met: no GGUF build
    assert "at most 16 GB of RAM" in html  # the need, beside the measured value
    assert "Search recorded with this pick:" in html and "other=math" in html
    saved = answers.store().get("ex03", "pick_legaltech")
    assert saved["repo_id"] == "Intel/neural-chat-7b-v3-1" and "other=math" in saved["search"]["url"]
    SEARCHES.clear()


def tagged(box, name):
    """The widget inside box marked with ui.common.tag(name) (browser tests use the same class)."""
    if f"cu-{name}" in getattr(box, "_dom_classes", ()):
        return box
    for child in getattr(box, "children", ()):
        found = tagged(child, name)
        if found is not None:
            return found
    return None


def test_audit_readiness_and_own_table():
    a = ex04.audit_panel()
    tagged(a, "ex04-audit").click()
    assert "CPU features" in texts(tagged(a, "ex04-audit-out")) and "course-audit" in texts(a.children[1])
    r = ex04.readiness_panel()
    tagged(r, "ex04-measure").value = False  # no bandwidth measurement in tests
    assert tagged(r, "ex04-compute").value is False  # timing llama.cpp's compute (~10 s) is the learner's choice
    tagged(r, "ex04-readiness").click()
    out = tagged(r, "ex04-readiness-out").outputs
    assert any("course-readiness" in str(o.get("data", {}).get("text/html", "")) for o in out)
    assert any("data:image/png" in o.get("data", {}).get("text/html", "") for o in out)  # the memory chart, with alt
    assert "Chart in words" in texts(tagged(r, "ex04-readiness-out"))
    tagged(r, "ex04-model").value = "nobody/nothing"
    tagged(r, "ex04-readiness").click()
    assert "no architecture or size for nobody/nothing" in texts(tagged(r, "ex04-readiness-out"))
    own = ex04.own_table()
    assert "Mistral-7B-Instruct-v0.3 at Q4_K_M" in own.children[0].value  # the verdict names its model
    tagged(own, "ex04-table-ram_gb").value = 1.0
    tagged(own, "check-ex04-own_readiness").click()
    html = texts(tagged(own, "out-ex04-own_readiness"))
    assert "0/3 points" in html and "Operating system" in html  # 1 GB of RAM and nothing else filled in
    recorded = answers.store().get("ex04", "own_readiness")
    assert recorded["ram_gb"] == 1.0 and {"os", "compiler", "make", "cmake"} <= set(recorded)
    for field in ("disk_free_gb", "avx2", "os", "compiler", "make", "cmake", "verdict"):
        assert tagged(own, f"ex04-table-{field}") is not None


def test_ex04_widgets_in_french():
    from course_utils import i18n

    i18n.set_language("fr")
    try:
        r = ex04.readiness_panel()
        assert tagged(r, "ex04-readiness").description == "Vérifier"
        tagged(r, "ex04-measure").value = False
        tagged(r, "ex04-readiness").click()
        html = texts(tagged(r, "ex04-readiness-out"))
        assert "Mémoire vive (RAM)" in html and "Le graphique en mots" in html
        own = ex04.own_table()
        assert tagged(own, "ex04-table-os").options[1][0] == "Linux"
        assert tagged(own, "ex04-table-make").options[1][0] == "oui"
        assert "en Q4_K_M avec un contexte de 4\u202f096 tokens" in own.children[0].value
        tagged(own, "check-ex04-own_readiness").click()
        import html as markup

        assert "Système d'exploitation" in markup.unescape(texts(tagged(own, "out-ex04-own_readiness")))
        run = ex04.predict_measure_panel()
        assert tagged(run, "ex04-predict").description == "1. Prédire"
        assert tagged(run, "ex04-run").description == "2. Le lancer pour de vrai"
    finally:
        i18n.set_language(None)


def test_save_row_saves(answers_dir):
    from course_utils.ui.common import save_row

    answers.remember_learner("Ada")
    answers.record("ex01", "q", 1)
    row = save_row("ex01")
    row.children[0].click()
    assert "Saved 1 answer to" in texts(row.children[1])
    assert (answers_dir / "ex01_ada.json").exists()


def test_benchmark_explorer_flow(lang):
    from course_utils.ui import ex05

    box = ex05.explorer()
    version, query, hits, buttons, chosen, compare, out = box.children[:7]
    assert "meta-llama/Llama-2-7b-chat-hf" in chosen.value  # starts from the sheet's three models
    buttons.children[1].click()  # Clear
    query.value = "llama-2-7b-chat"
    assert hits.options[0] == "meta-llama/Llama-2-7b-chat-hf"  # the official repo before re-uploads
    query.value = "opt-6.7b"
    assert "facebook/opt-6.7b" in hits.options
    hits.value = ("facebook/opt-6.7b",)
    buttons.children[0].click()
    assert "facebook/opt-6.7b" in chosen.value and "Llama" not in chosen.value
    compare.click()
    shown = texts(out)
    assert "table" in shown and shown.count("<img src='data:image/png;base64,") == 2
    assert shown.count(" alt='") == 2 and ("Bar chart" if lang == "en" else "Diagramme en barres") in shown
    assert ("What each benchmark measures" if lang == "en" else "Ce que mesure chaque benchmark") in shown
    assert "cu-ex05-chart" in out._dom_classes and "cu-ex05-search" in query._dom_classes
    cases = box.children[8].children
    assert len(cases) == 1 and cases[0].description == "opt-6.7b"
    cases[0].value = "Baseline for research comparisons"
    assert answers.store().get("ex05", "use_cases") == {"facebook/opt-6.7b": "Baseline for research comparisons"}
    box.children[9].click()
    checked = texts(box.children[10])
    half = "0.5/1" if lang == "en" else "0,5/1"  # French writes its decimals with a comma
    assert half in checked and "1/2" in checked  # 1 model and 1 use case, of 2 wanted
    query.value = "llama-2-7b-chat-hf"
    hits.value = ("meta-llama/Llama-2-7b-chat-hf",)
    buttons.children[0].click()
    version.value = 2
    compare.click()
    shown = texts(out)
    assert UNEXPECTED_CLASS not in shown and "IFEval" in shown
    assert "facebook/opt-6.7b" in shown and ("no v2 scores" if lang == "en" else "pas de score v2") in shown
    assert [c.description for c in box.children[8].children] == ["Llama-2-7b-chat-hf"]
    query.value = "zzzz-no-such-model"
    assert hits.options == ()


def test_spot_the_errors_widget(lang):
    from course_utils.ui import ex05

    box = ex05.spot_the_errors()
    checkboxes = [c for c in box.children if hasattr(c, "value") and isinstance(c.value, bool)]
    assert len(checkboxes) == 9 and all("cu-ex05-cell" in c._dom_classes for c in checkboxes)
    for cb in checkboxes:
        if "Llama-2-7b-chat-hf — HellaSwag" not in cb.description:
            cb.value = True
    box.children[-2].click()
    shown = texts(box.children[-1])
    from course_utils.i18n import tn

    assert tn("grading.checks_right", 9, lang, total=9) in shown  # the one cell that is right is left unticked
    assert (">wrong<" if lang == "en" else ">fausse<") in shown and ("licence" in shown.lower())
    assert "True" not in shown and "|" not in shown  # labels, not stored values


def test_cost_planner_and_pros_cons_and_timing():
    from course_utils.ui import ex06

    planner = ex06.cost_planner()
    out = planner.children[-1]
    assert "cu-ex06-chart" in out._dom_classes and "cu-ex06-costs" in planner._dom_classes
    chart = texts(out)
    assert "data:image/png;base64," in chart and "alt='Line chart of the monthly cost" in chart
    sliders = [c for c in planner.children if hasattr(c, "min")]
    hours = [s for s in sliders if "hours" in s.description][0]
    hours.value = 12
    assert "hours_per_day" in answers.store().get("ex06", "cost_inputs") and \
        answers.store().get("ex06", "cost_inputs")["hours_per_day"] == 12
    speed_row = planner.children[-3]
    assert "cu-ex06-hardware" in speed_row.children[1]._dom_classes
    speed_row.children[1].value = "Apple M4 (10-core GPU)"  # choosing it is enough
    assert "tokens/s" in texts(planner.children[-2]) and "Mac mini" in texts(planner.children[-2])
    price = [s for s in sliders if s.description == "hardware price ($)"][0]
    power = [s for s in sliders if s.description == "power draw (W)"][0]
    assert price.value == 599 and power.value == 65  # the chosen hardware's own dated price and power
    assert answers.store().get("ex06", "cost_inputs")["hardware_price_usd"] == 599
    pc = ex06.pros_cons()
    pc.children[-2].click()
    assert "0/3 points" in texts(pc.children[-1]) and "Not answered" in texts(pc.children[-1])
    assert "2 of them are myths" in pc.children[0].value
    myth = [p for p in pc.children if "cu-ex06-statement-myth_local_faster" in getattr(p, "_dom_classes", ())][0]
    assert myth.description == "Local is always faster than the cloud"
    myth.value = "local_pro"
    own = [p for p in pc.children if "cu-ex06-own" in getattr(p, "_dom_classes", ())][0]
    own.value = "cloud con: our data may not leave the EU"
    pc.children[-2].click()
    shown = texts(pc.children[-1])
    assert "local: pro" in shown and "not true (a myth)" in shown and "local_pro" not in shown
    assert answers.store().get("ex06", "pros_cons") == {"myth_local_faster": "local_pro",
                                                        "own": "cloud con: our data may not leave the EU"}


def test_ex06_widgets_read_french():
    from course_utils import i18n
    from course_utils.ui import ex06

    i18n.set_language("fr")
    try:
        planner = ex06.cost_planner()
        assert "Prix de départ" in planner.children[0].value
        assert "seuil de rentabilité" in texts(planner.children[-1]) and "alt='Graphique" in texts(planner.children[-1])
        pc = ex06.pros_cons()
        assert "idées reçues" in pc.children[0].value and pc.children[-2].description == "Vérifier"
        assert ex06.timing_panel().children[3].description == "Mesurer"
    finally:
        i18n.set_language(None)


def test_speed_slider_follows_the_estimator():
    from course_utils import deploy
    from course_utils.ui import ex06

    assert ex06.speed_slider_max([120]) == 300  # never below the old range
    assert ex06.speed_slider_max([556]) == 650  # 556 x 1.1 = 611.6, up to a multiple of 50
    fastest = deploy.latency("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "Q4_K_M", hardware="NVIDIA GeForce RTX 4090")
    planner = ex06.cost_planner()
    speed = [c for c in planner.children if getattr(c, "description", "").startswith("local decode")][0]
    assert speed.max >= fastest.tokens_per_s  # the fastest menu choice is not clamped
    row = planner.children[-3]
    row.children[0].value, row.children[1].value = "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "NVIDIA GeForce RTX 4090"
    row.children[2].click()
    assert speed.value == round(fastest.tokens_per_s)
    timing = ex06.timing_panel()
    timing.children[0].value = "http://127.0.0.1:9/v1"
    timing.children[3].click()
    msg = texts(timing.children[-1])
    assert "Could not reach" in msg and "llama-server" in msg and UNEXPECTED_CLASS not in msg
