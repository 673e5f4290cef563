"""The translation check: every message exists in every language, with the same placeholders, and a
French message is not left in English (unless listed as the same word in both, in fr/_identical.json)."""
from __future__ import annotations

import json
import string
from importlib import resources

import pytest

from course_utils import i18n

LOCALES = resources.files("course_utils") / "locales"


def areas(lang: str) -> set[str]:
    return {p.name for p in (LOCALES / lang).iterdir() if p.name.endswith(".json") and not p.name.startswith("_")}


def identical_ok(lang: str) -> set[str]:
    path = LOCALES / lang / "_identical.json"
    return set(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else set()


def _specs(text: str) -> dict[str, str]:
    return {name: spec for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", [code for code in i18n.LANGUAGES if code != i18n.DEFAULT])
def test_every_message_is_translated_with_the_same_placeholders(lang):
    assert areas(lang) == areas(i18n.DEFAULT), "each catalog file exists in every language"
    en, other = i18n.catalog(i18n.DEFAULT), i18n.catalog(lang)
    missing = sorted(set(en) - set(other))
    extra = sorted(set(other) - set(en))
    assert not missing, f"missing in {lang}: {missing[:20]}"
    assert not extra, f"only in {lang} (not in English): {extra[:20]}"
    wrong = [k for k in en if i18n.placeholders(en[k]) != i18n.placeholders(other[k])]
    assert not wrong, f"placeholders differ: {wrong[:20]}"
    # and the same formats: {context:,} writes 4,096 / 4 096 where a bare {context} writes 4096 in both
    wrong = [k for k in en if _specs(en[k]) != _specs(other[k])]
    assert not wrong, f"number formats differ: {[(k, _specs(en[k]), _specs(other[k])) for k in wrong[:10]]}"
    same = [k for k in en if en[k] == other[k] and any(ch.isalpha() for ch in en[k]) and k not in identical_ok(lang)]
    assert not same, f"left identical to English in {lang} (translate, or list in {lang}/_identical.json): {same[:20]}"


def test_messages_format_and_plurals():
    assert i18n.t("grading.rubric.too_short", "fr", words=3, min_words=15).startswith("Seulement 3 mots")
    assert i18n.plural_form(0, "fr") == "one" and i18n.plural_form(0, "en") == "other"
    assert i18n.normalise_language("fr_FR.UTF-8") == "fr" and i18n.normalise_language("Français") == "fr"
    assert i18n.normalise_language("de") is None
    with pytest.raises(i18n.MissingMessage):
        i18n.t("no.such.message")


def test_language_follows_the_kernel_choice_then_the_environment(monkeypatch):
    monkeypatch.delenv("COURSE_UTILS_LANG", raising=False)
    try:
        i18n.set_language("fr")
        assert i18n.language() == "fr"
        i18n.set_language(None)
        monkeypatch.setenv("COURSE_UTILS_LANG", "fr")
        assert i18n.language() == "fr"
        monkeypatch.setenv("COURSE_UTILS_LANG", "en")
        assert i18n.language() == "en"
        with pytest.raises(ValueError):
            i18n.set_language("klingon")
    finally:
        i18n.set_language(None)


def test_the_language_chosen_in_notebook_00_is_remembered(tmp_path, monkeypatch):
    from course_utils import answers

    monkeypatch.setenv("COURSE_UTILS_ANSWERS_DIR", str(tmp_path))
    monkeypatch.delenv("COURSE_UTILS_LANG", raising=False)
    try:
        answers.remember_learner("Ada Lovelace")
        answers.remember_language("fr")
        i18n.set_language(None)  # a new kernel
        assert i18n.language() == "fr"
        answers.remember_learner("Ada Lovelace")  # renaming keeps the language
        assert answers.remembered_language() == "fr" and answers.current_learner()[0] == "Ada Lovelace"
        # another notebook switches to English (same file size): the next message here follows it
        answers.remember_language("en")
        i18n.set_language(None)
        assert i18n.language() == "en"
        (tmp_path / answers.LEARNER_FILE).unlink()
        assert i18n.language() == "en" and answers.remembered_language() is None
    finally:
        i18n.set_language(None)


def test_a_french_message_writes_its_numbers_the_french_way():
    # every number placeholder of a French message, whatever its format, as i18n.number writes it; strings (a model
    # id such as Mistral-7B-Instruct-v0.3, a version) and booleans as they are; English as str.format gives it
    french = i18n._FRENCH_NUMBERS.format("{a:.1f} Go, {b:,} tokens, {c}, {d} ; {e} {f}", a=4.56, b=4096, c=0.5, d=12,
                                         e="Mistral-7B-Instruct-v0.3", f=True)
    assert french == "4,6 Go, 4\u202f096 tokens, 0,5, 12 ; Mistral-7B-Instruct-v0.3 True"
    # a percent sign takes its space in French (course-utils run wrote "+10%"), and i18n.number says the same
    assert i18n._FRENCH_NUMBERS.format("{g:+.0%} et {s:.1%}", g=0.104, s=0.5) == "+10\u202f% et 50,0\u202f%"
    assert i18n.t("local_run.report.gap.server", "fr", gap=-0.12).startswith("-12\u202f% ")
    assert i18n.t("local_run.report.gap.server", "en", gap=-0.12).startswith("-12% ")
    assert "12,0 Go" in i18n.t("readiness.audit.gb", "fr", gb=12.0) and "12.0 GB" in i18n.t("readiness.audit.gb", "en", gb=12.0)
    assert i18n.t("ex04.errata.memory", "en", model="m", quant="Q4_K_M", context=4096, file=4.371, ram=5.48) \
        .startswith("RAM and disk: m at Q4_K_M is a 4.37 GB file and needs 5.48 GB of RAM with a 4,096-token context")
    assert "4,37 Go" in i18n.t("ex04.errata.memory", "fr", model="m", quant="Q4_K_M", context=4096, file=4.371, ram=5.48)


def test_numbers_callers_format_themselves_are_french_too():
    # the timing harness's result and the answers store's limits pass numbers they format: in French with commas
    # and narrow spaces as well (English as before)
    from course_utils.timing import FROM_USAGE, TimingResult

    r = TimingResult(ttft_s=0.1234, tokens_per_s=115.63, total_s=1.5, tokens=40, runs=(), method="llama.cpp",
                     tokens_from=FROM_USAGE, approximate=False, server_tokens_per_s=116.41)
    english = r.to_text()
    assert "0.123" in english and "115.6" in english and "116.4" in english and "1.50" in english
    i18n.set_language("fr")
    try:
        french = r.to_text()
    finally:
        i18n.set_language(None)
    assert "0,123" in french and "115,6" in french and "116,4" in french and "1,50" in french
    assert "115.6" not in french
