"""A broken JSON file is described in the reader's language: the place, and what the parser expected there."""
import json
import sys

import pytest
from langs import both, one_language  # noqa: F401 - the fixture

from course_utils import data, grading, i18n, json_errors
from course_utils.answer_files import parse_answer_document
from course_utils.errors import AnswerError, DataFileError, InvalidInput

# one document per message this Python's parser has (the C scanner answers json.loads)
BROKEN = {
    "": "value",
    "{1: 2}": "property_name",
    "{'a': 1}": "property_name",
    '{"a" 1}': "colon",
    "[1 2]": "comma",
    '{"a": "x': "unterminated_string",
    '{"a": "x\ny"}': "control_character",
    r'{"a": "\q"}': "escape",
    r'{"a": "\u12"}': "unicode_escape",
    '{"a": 1} x': "extra_data",
}


def _error(text):
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(text)
    return caught.value


@pytest.mark.parametrize("text, key", BROKEN.items())
def test_each_parser_message_has_its_catalog_text(text, key):
    exc = _error(text)
    assert json_errors.what(exc) == i18n.t(f"json_errors.{key}", "en") != exc.msg


@pytest.mark.parametrize("text", ['{"schema_version": 1, "answers": {', "[1, 2", '{"a" ', '{"a": 1,\n\n'])
def test_a_text_cut_short_is_said_to_be(text):
    exc = _error(text)
    assert exc.msg.startswith("Expecting")  # Python asks for more at the very end
    assert json_errors.what(exc) == i18n.t("json_errors.ends_early", "en")


def test_the_pure_python_scanner_says_the_same_things():
    # json.decoder's Python fallback words two messages its own way ("Invalid control character '\n' at")
    from json import decoder, scanner

    plain = decoder.JSONDecoder()
    plain.parse_string = decoder.py_scanstring
    plain.scan_once = scanner.py_make_scanner(plain)
    for text, key in BROKEN.items():
        with pytest.raises(json.JSONDecodeError) as caught:
            plain.decode(text)
        assert json_errors.what(caught.value) == i18n.t(f"json_errors.{key}", "en"), (text, caught.value.msg)


def test_a_trailing_comma_is_named_by_the_pythons_that_name_it():
    newer = sys.version_info >= (3, 13)  # python/cpython#113149
    for text, key, older in (('{"a": 1,}', "trailing_comma_object", "property_name"),
                             ("[1,]", "trailing_comma_array", "value")):
        assert json_errors.what(_error(text)) == i18n.t(f"json_errors.{key if newer else older}", "en")
    # built by hand, so that the 3.13 messages are checked on any Python
    for msg, key in (("Illegal trailing comma before end of object", "trailing_comma_object"),
                     ("Illegal trailing comma before end of array", "trailing_comma_array")):
        exc = json.JSONDecodeError(msg, '{"a": 1,}', 7)
        assert json_errors.what(exc) == i18n.t(f"json_errors.{key}", "en")
    assert json_errors.what(json.JSONDecodeError("A message no Python has yet", "x", 0)) == "A message no Python has yet"


@both
def test_the_place_is_given_as_line_and_column(lang):
    text = json_errors.describe(_error('{\n  "answers": {"q1" "a"}\n}'))
    if lang == "fr":
        assert text == "ligne 2, colonne 20 : un « : » était attendu après le nom"
    else:
        assert text == "line 2, column 20: a ':' was expected after the name"
    text = json_errors.describe(_error("{'q1': 1}"))
    assert text.endswith("}") and "}}" not in text  # the catalog's doubled brace is written once


@both
def test_french_and_english_differ_on_every_message(lang):
    keys = set(BROKEN.values()) | {"trailing_comma_object", "trailing_comma_array", "where"}
    for key in keys:
        assert i18n.t(f"json_errors.{key}", "fr", line=1, column=1, what="x") != i18n.t(
            f"json_errors.{key}", "en", line=1, column=1, what="x")


@pytest.mark.parametrize("lang", ["fr"], indirect=True)
def test_the_graders_french_report_has_no_english_parser_words(lang, klass):
    (klass / "ex05_broken.json").write_text('{"schema_version": 1,\n "exercise" "ex05"}', encoding="utf-8")
    reasons = {f.file: f.reason for f in grading.grade_dir(klass).failures}
    reason = reasons["ex05_broken.json"]
    assert reason == "n'est pas du JSON valide (ligne 2, colonne 13 : un « : » était attendu après le nom)"
    assert "Expecting" not in reason and "delimiter" not in reason


@pytest.mark.parametrize("lang", ["fr"], indirect=True)
def test_an_answer_file_a_key_file_and_a_data_file_say_it_in_french(lang, tmp_path, monkeypatch):
    with pytest.raises(AnswerError, match="ligne 1, colonne 10 : du texte suit"):
        parse_answer_document(b'{"a": 1} x')
    key = tmp_path / "key.json"
    key.write_text("[1 2]", encoding="utf-8")
    with pytest.raises(InvalidInput, match="ligne 1, colonne 4 : une « , » était attendue"):
        grading.load_key(key)
    monkeypatch.setenv("COURSE_UTILS_DATA_DIR", str(tmp_path))
    (tmp_path / "hub_snapshot.json").write_text('{"models": [}', encoding="utf-8")
    with pytest.raises(DataFileError, match="ligne 1, colonne 13 : une valeur était attendue"):
        data.load_json("hub_snapshot.json")
