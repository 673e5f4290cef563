"""Exercise 2 (licence check for SaaS use): one Hub request per Look-up, labels not ids, both languages.

The plain functions are called directly; the widgets are built kernel-side to check what they read."""
import pytest

from course_utils import answers, clauses, i18n, licenses
from course_utils.errors import InvalidInput
from course_utils.exercises import ex02
from course_utils.ui import ex02 as ui
from fakehub import record
from langs import one_language  # noqa: F401 - the lang fixture

LLAMA2 = "meta-llama/Llama-2-7b-chat-hf"


@pytest.fixture(autouse=True)
def clean_store(answers_dir, monkeypatch):
    monkeypatch.setattr(answers, "_STORE", answers.AnswerStore())


def by_item(checks):
    ids = {licenses.item_label(i): i for i in licenses.CHECKLIST_ITEMS}
    return {ids[c.item]: c for c in checks}


def model_requests(fake, repo_id):
    return [r for r in fake.requests if r.split("?")[0].rstrip("/").startswith(f"/api/models/{repo_id}")]


# --------------------------------------------------------------------------- one Look-up, one Hub request

def test_one_look_up_asks_the_hub_once(live_hub):
    repo = "someorg/plain-7b"
    fake = live_hub({repo: record(repo, license="apache-2.0")})
    summary, report, verdict = ex02.lookup(repo, mau=5_000)
    assert summary.source == "live Hub" and report.license_key == verdict.license_key == "apache-2.0"
    assert verdict.verdict == "allowed"
    assert len(model_requests(fake, repo)) == 1, fake.requests
    assert len(fake.requests) == 1, fake.requests  # nothing else either (no search, no file)


def test_a_reupload_asks_for_itself_and_its_base_once_each(live_hub):
    # the re-upload is judged under its base's licence (Gemma's terms travel with copies): the base is
    # looked up once to find that, and the report is reused by the verdict
    base, copy = "google/gemma-2b-it", "someorg/gemma-2b-it-copy"
    fake = live_hub({base: record(base, license="gemma"),
                     copy: record(copy, license="apache-2.0", cardData={"license": "apache-2.0", "base_model": base})})
    _, report, verdict = ex02.lookup(copy)
    assert report.governed_by == base and verdict.license_key == "gemma"
    assert len(model_requests(fake, copy)) == 1 and len(model_requests(fake, base)) == 1, fake.requests


def test_the_old_signatures_still_look_the_model_up(live_hub):
    repo = "someorg/plain-7b"
    fake = live_hub({repo: record(repo, license="mit")})
    assert licenses.license_report(repo).license_key == "mit"
    assert licenses.saas_verdict(repo, monthly_active_users=10).verdict == "allowed"
    assert len(model_requests(fake, repo)) == 2  # one each: nothing was handed to them
    from course_utils.hub import model_summary

    summary = model_summary(repo)
    report = licenses.license_report(repo, summary=summary)
    licenses.saas_verdict(repo, summary=summary)
    licenses.saas_verdict(repo, report=report)
    assert len(model_requests(fake, repo)) == 3  # only model_summary asked


# --------------------------------------------------------------------------- ids in results, words for learners

@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_results_keep_ids_and_read_in_the_language(lang):
    report = licenses.license_report("facebook/opt-6.7b")
    assert report.license_key == "other:opt-175b" and report.commercial_use == "no"  # ids, whatever the language
    verdict = licenses.saas_verdict(LLAMA2, monthly_active_users=800_000_000)
    assert verdict.verdict == "allowed_with_conditions"
    assert {r.kind for r in verdict.reasons} == {"clause", "gating"}
    html = report._repr_html_() + verdict._repr_html_()
    words = {"en": ("Commercial use:", "SaaS use: allowed with conditions", "Check yourself:", "800,000,000"),
             "fr": ("Usage commercial :", "Usage en SaaS : autorisé sous conditions", "À vérifier vous-même :",
                    "800\u202f000\u202f000", "citations de la licence, en anglais")}[lang]
    for w in words:
        assert w in html or w in verdict.to_text(), w
    # quotes of the licence stay as the licence writes them
    assert any("solely for your non-commercial research purposes" in c for c in report.limitations)
    d = verdict.to_dict()
    assert d["verdict"] == "allowed_with_conditions" and d["license_key"] == "llama2"


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_french_has_no_english_reason(lang):
    """Every reason and check the verdicts can give comes from the catalog of the language in force."""
    english = {text for key, text in i18n.catalog("en").items() if key.startswith("licenses.reason.")}
    for key in set(licenses.knowledge_base()) | clauses.known_keys():
        for facts in ({}, {"commercial": False}, {"monthly_active_users": 10}, {"licensee_mau_at_release": 10},
                      {"trains_other_models_on_outputs": True, "redistributes_weights": True}):
            v = licenses.saas_verdict(key, **facts)
            assert v.reasons and all(r.text and r.clause for r in v.reasons)
            if lang == "fr":
                assert not {r.text for r in v.reasons} & english, key


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_checklist_feedback_shows_labels_not_ids(lang):
    checks = licenses.check_checklist("facebook/opt-6.7b", "mit", "yes", ["attribution"], True)
    items = [c.item for c in checks]
    assert items == [licenses.item_label(i) for i in licenses.CHECKLIST_ITEMS]
    assert items[0] == {"en": "Licence id", "fr": "Identifiant de licence"}[lang]
    c = by_item(checks)
    assert c["commercial_use"].given == "yes" and c["commercial_use"].expected == "no"  # ids for grading
    assert c["commercial_use"].shown_given == {"en": "yes", "fr": "oui"}[lang]
    assert c["restrictions"].shown_given == clauses.option_label("attribution")
    assert "non_commercial" not in c["restrictions"].shown_expected
    assert clauses.option_label("non_commercial") in c["restrictions"].shown_expected
    assert c["gated"].shown_given == {"en": "yes", "fr": "oui"}[lang] and c["gated"].given is True
    assert not c["gated"].correct and not c["license_id"].correct
    from course_utils.feedback import checks_html

    html = checks_html(checks)
    assert "license_id" not in html and "non_commercial" not in html and "True" not in html


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_bad_input_reads_in_the_language(lang):
    with pytest.raises(InvalidInput) as err:
        licenses.license_report("apachee-2.0")
    assert err.value.suggestions == ("apache-2.0",)
    assert {"en": "is not a licence id the course knows", "fr": "n'est pas un identifiant de licence"}[lang] \
        in str(err.value)
    assert {"en": "(did you mean: apache-2.0?)", "fr": "(vouliez-vous dire : apache-2.0 ?)"}[lang] in str(err.value)
    with pytest.raises(InvalidInput, match={"en": "whole number", "fr": "nombre entier"}[lang]):
        licenses.saas_verdict("llama2", monthly_active_users=-1)
    with pytest.raises(InvalidInput, match={"en": "whole number", "fr": "nombre entier"}[lang]):
        ex02.lookup(LLAMA2, mau_at_release="lots")
    with pytest.raises(InvalidInput, match={"en": "Type a model id first", "fr": "Saisissez d'abord"}[lang]):
        ex02.lookup("  ")
    with pytest.raises(InvalidInput, match={"en": "names no model", "fr": "aucun modèle"}[lang]):
        ex02.EXERCISE.checks["license_checklist"]({"repo_id": " "}, {})


def test_exercise_constants_and_answer_shape():
    assert list(ex02.SLOTS.values()) == [q.id for q in ex02.EXERCISE.questions]
    assert [v for _, v in ex02.commercial_options()] == ["", *ex02.COMMERCIAL_CHOICES]
    assert set(ex02.COMMERCIAL_CHOICES) == {*licenses.COMMERCIAL_VALUES, "unknown"}
    assert ex02.checklist_answer(" org/m ", " llama2", "conditional", "yes", ["attribution"]) == {
        "repo_id": "org/m", "license_id": "llama2", "commercial_use": "conditional", "gated": True,
        "restrictions": ["attribution"]}
    assert set(ex02.checklist_answer("", "", "", "", [])) == set(ex02.CHECKLIST_FIELDS)
    assert ex02.gated_choice(False) == "no" and ex02.gated_choice(None) == "" and ex02.gated_choice("yes") == ""
    assert ex02.optional_count("700 000 000", "n") == ex02.optional_count("700,000,000", "n") == 700_000_000
    assert ex02.optional_count("  ", "n") is None
    with pytest.raises(InvalidInput):
        ex02.question_id("model_3")


# --------------------------------------------------------------------------- the widgets

def _described(widget):
    """Every widget under `widget` (itself included)."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _described(child)


def _shown_text(box) -> list[str]:
    out = []
    for w in _described(box):
        for attr in ("description", "placeholder"):
            if getattr(w, attr, ""):
                out.append(getattr(w, attr))
        if type(w).__name__ == "Dropdown":
            out += [label for label, _ in w.options]
        if type(w).__name__ == "HTML":
            out.append(w.value)
    return [s for s in out if any(ch.isalpha() for ch in s)]


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_widgets_read_the_language_and_are_tagged(lang):
    card, box = ui.license_card(), ui.checklist("model_1")
    classes = {c for w in [*_described(card), *_described(box)] for c in w._dom_classes}
    assert {"cu-ex02-repo", "cu-ex02-lookup", "cu-ex02-card-out", "cu-ex02-mau", "cu-ex02-at-release",
            "cu-ex02-model_1-repo", "cu-ex02-model_1-license-id", "cu-ex02-model_1-commercial",
            "cu-ex02-model_1-gated", "cu-ex02-model_1-restriction-attribution",
            "cu-check-ex02-checklist_model_1", "cu-out-ex02-checklist_model_1"} <= classes
    for w in [*_described(card), *_described(box)]:
        if getattr(w, "description", "") and hasattr(w, "style") and hasattr(w.style, "description_width"):
            assert w.style.description_width == "initial", w.description  # labels are never cut
    shown = _shown_text(card) + _shown_text(box)
    if lang == "fr":
        i18n.set_language("en")
        english = set(_shown_text(ui.license_card()) + _shown_text(ui.checklist("model_2")))
        i18n.set_language("fr")
        assert not set(shown) & english, set(shown) & english
        assert "Consulter" in shown and "Identifiant de licence" in shown


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_checklist_widget_records_ids_and_shows_labels(lang):
    box = ui.checklist("model_2", LLAMA2)
    license_id, commercial, gated = box.children[1].children
    license_id.value, commercial.value, gated.value = "llama2", "conditional", "yes"
    [cb for cb in box.children if "cu-ex02-model_2-restriction-user_threshold" in cb._dom_classes][0].value = True
    box.children[-2].click()
    saved = answers.store().get("ex02", ex02.question_id("model_2"))
    assert saved == {"repo_id": LLAMA2, "license_id": "llama2", "commercial_use": "conditional", "gated": True,
                     "restrictions": ["user_threshold"]}
    html = " ".join(str(o.get("data", {}).get("text/html", "")) for o in box.children[-1].outputs)
    assert licenses.item_label("license_id") in html and ">license_id<" not in html
    assert {"en": "conditional", "fr": "sous conditions"}[lang] in html
    # a rebuilt widget starts from the saved answer
    again = ui.checklist("model_2")
    assert [w.value for w in again.children[1].children] == ["llama2", "conditional", "yes"]


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_card_bad_id_is_a_message(lang):
    from course_utils.ui.common import UNEXPECTED_CLASS

    card = ui.license_card()
    repo, button = card.children[0].children
    out = card.children[-1]
    card.children[3].value = "beaucoup"
    repo.value = LLAMA2
    button.click()
    html = " ".join(str(o.get("data", {}).get("text/html", "")) for o in out.outputs)
    assert {"en": "whole number", "fr": "nombre entier"}[lang] in html and UNEXPECTED_CLASS not in html


def test_the_card_calls_ui_lookup_at_click_time(monkeypatch):
    """The browser suite breaks ``ui.ex02.lookup`` on purpose and expects the card to show the apology."""
    from course_utils.ui.common import UNEXPECTED_CLASS

    card = ui.license_card()
    monkeypatch.setattr(ui, "lookup", lambda *a, **k: 1 / 0)
    card.children[0].children[1].click()
    assert UNEXPECTED_CLASS in " ".join(str(o.get("data", {}).get("text/html", "")) for o in card.children[-1].outputs)


@pytest.mark.parametrize("lang", ["en", "fr"], indirect=True)
def test_the_cards_model_facts_read_in_the_language(lang):
    summary = ex02.lookup("facebook/opt-6.7b")[0]
    html = summary._repr_html_()
    for words in {"en": ("Downloads (30 days)", "6.7 B", "course facts researched"),
                  "fr": ("Téléchargements (30 jours)", "6,7 milliards", "faits vérifiés par le cours")}[lang]:
        assert words in html, words
    assert summary.source.startswith("course facts researched")  # the value itself is unchanged
