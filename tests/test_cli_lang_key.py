"""`--lang` for a run of course-utils, and `course-utils key` (the answer key a private --key starts from)."""
import json
import shutil
from pathlib import Path

import pytest

from course_utils import grading, i18n
from course_utils.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "answers"


def exit_code(argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


@pytest.fixture(autouse=True)
def no_language(monkeypatch):
    monkeypatch.delenv("COURSE_UTILS_LANG", raising=False)
    i18n.set_language(None)
    yield
    i18n.set_language(None)


@pytest.mark.parametrize("argv", [["--lang", "fr", "grade", "DIR"], ["grade", "DIR", "--lang", "fr"]])
def test_lang_sets_the_messages_of_the_run(tmp_path, capsys, argv):
    folder = tmp_path / "class"
    shutil.copytree(FIXTURES, folder)
    assert main([str(folder) if a == "DIR" else a for a in argv]) == 0
    out = capsys.readouterr().out
    assert "13 fichiers notés, de 4 apprenants ; 8 non notés" in out and "non noté : ex02_empty.json : est vide" in out
    assert i18n.language() == "en"  # the caller's language is left as it was


def test_json_keys_stay_english_ids(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_UTILS_LANG", "fr")
    folder = tmp_path / "class"
    shutil.copytree(FIXTURES, folder)
    assert main(["grade", str(folder), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"graded", "failed", "mean", "needs_review", "failures"} <= set(doc)
    assert {"file": "ex02_empty.json", "reason": "est vide"} in doc["failures"]


@pytest.mark.parametrize("argv, env", [(["--lang", "de", "key"], None), (["key", "--lang", "klingon"], None),
                                       (["key"], "xx")])
def test_a_language_that_is_not_the_course_s_exits_2_with_one_line(capsys, monkeypatch, argv, env):
    if env:
        monkeypatch.setenv("COURSE_UTILS_LANG", env)
    assert exit_code(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expected a course language (en, fr)" in err[0] and "Traceback" not in err[0]


def test_key_prints_the_course_key(capsys):
    assert main(["key"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == grading.load_key()
    assert main(["key", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == printed


def test_key_out_writes_a_file_grade_accepts_as_key(tmp_path, capsys):
    target = tmp_path / "private_key.json"
    assert main(["--lang", "fr", "key", "--out", str(target)]) == 0
    assert "le corrigé du cours, 21 questions dans 6 exercices" in capsys.readouterr().out
    key = grading.load_key(target)  # read back as a private key
    assert key["exercises"].keys() == grading.load_key()["exercises"].keys()
    key["exercises"]["ex01"]["questions"][0]["points"] = 8  # an instructor's change
    target.write_text(json.dumps(key), encoding="utf-8")
    folder = tmp_path / "class"
    shutil.copytree(FIXTURES, folder)
    assert main(["grade", str(folder), "--key", str(target), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["graded"] == 13
    result = grading.grade_dir(folder, grading.load_key(target))
    ada = next(r for r in result.results if r.learner == "ada-lovelace" and r.exercise == "ex01")
    assert ada.questions[0].max_points == 8


def test_key_out_to_a_folder_exits_2(tmp_path, capsys):
    assert exit_code(["key", "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def help_text(argv, capsys):
    assert exit_code(argv) == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines: compare words


@pytest.mark.parametrize("argv", [["--lang", "fr", "fit", "--help"], ["fit", "--lang=fr", "--help"],
                                  ["fit", "--help", "--lang", "fr"]])
def test_lang_words_the_help_of_a_command(capsys, argv):
    text = help_text(argv, capsys)
    assert i18n.t("cli.help.fit.max-context", "fr") in text and i18n.t("cli.help.fit", "fr") in text
    assert "afficher ce message d'aide et quitter" in text and text.startswith("utilisation : course-utils fit")
    assert "--max-context" in text and "{cpu,cuda,vulkan,rocm,metal,igpu}" in text  # names and choices stay
    assert i18n.t("cli.help.fit.max-context", "en") not in text
    assert i18n.language() == "en"


def test_lang_words_the_top_level_help(capsys, monkeypatch):
    text = help_text(["--lang", "fr", "--help"], capsys)
    assert i18n.t("cli.help.grade", "fr") in text and i18n.t("cli.help.lang", "fr") in text
    assert "arguments positionnels" in text and "gradescope-autograder" in text
    assert exit_code(["--lang", "fr", "--help"]) == 0  # French puts a no-break space before a heading's colon
    raw = capsys.readouterr().out
    assert "\narguments positionnels\u00a0:\n" in raw and "\noptions\u00a0:\n" in raw
    monkeypatch.setenv("COURSE_UTILS_LANG", "fr")  # the environment words the help too
    assert i18n.t("cli.help.key.out", "fr") in help_text(["key", "--help"], capsys)


def test_english_help_is_unchanged(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_UTILS_LANG", "xx")  # not a course language: the help stays English, exit 0
    text = help_text(["--help"], capsys)
    assert text.startswith("usage: course-utils [-h] [--version] [--lang en|fr] COMMAND ...")
    assert "`course-utils`: the library's main answers from a terminal." in text
    assert "positional arguments: COMMAND" in text and "options: -h, --help" in text
    assert "show this help message and exit" in text
    assert "language of the messages (default: COURSE_UTILS_LANG, else English); JSON keys stay the same" in text
    monkeypatch.delenv("COURSE_UTILS_LANG")
    text = help_text(["fit", "--help"], capsys)
    assert "file size, KV cache, RAM needed and decode tokens/s for a model and quantization" in text
    assert "--max-context print the largest context that fits (in --vram GB, else this machine's free RAM)" in text
    assert "--json print one JSON document on stdout" in text
    assert "--lang en|fr language of the messages (as before the command)" in text


def test_every_help_of_every_command_is_in_both_languages(capsys):
    from course_utils import cli

    for lang in i18n.LANGUAGES:
        parser = (i18n.set_language(lang), cli.build_parser())[1]
        sub = next(a for a in parser._actions if isinstance(a, cli.argparse._SubParsersAction))
        for name, p in sub.choices.items():
            p.format_help()  # a stray % in a catalog help would fail here
            for action in p._actions:
                assert action.help, (lang, name, action.dest)  # every option says what it is for
                if action.help is not cli.argparse.SUPPRESS:
                    assert action.help in i18n.catalog(lang).values(), (lang, name, action.dest)
    i18n.set_language(None)


@pytest.mark.parametrize("argv, french, english", [
    (["fit"], "arguments obligatoires manquants : --quant", "the following arguments are required: --quant"),
    (["nope"], "choix invalide : 'nope' (choisissez parmi", "invalid choice: 'nope' (choose from"),
    (["fit", "x", "--quant"], "argument --quant : une valeur attendue", "argument --quant: expected one argument"),
    (["fit", "x", "--ctx", "abc"], "un nombre entier de 1 à 10 000 000 tokens est attendu, reçu 'abc'",
     "expected a whole number from 1 to 10,000,000 tokens, got 'abc'"),
    (["search", "--task", " "], "la tâche est vide : donnez une valeur", "the task is empty: give one"),
    (["fit", "x", "--bandwidth", "-3"], "un nombre supérieur à 0 et au plus 100000 Go/s est attendu",
     "expected a number more than 0 and at most 100000 GB/s"),
    (["info", "--bogus"], "arguments non reconnus : --bogus", "unrecognized arguments: --bogus"),
])
def test_argument_errors_in_the_language_of_the_run(capsys, argv, french, english):
    """argparse's own words and the course's argument checks both follow --lang; one line, exit 2."""
    assert exit_code(["--lang", "fr", *argv]) == 2
    err = capsys.readouterr().err.replace("\u202f", " ")  # a console without it shows a plain space
    assert french in err and len(err.strip().splitlines()) == 1, err
    assert exit_code(argv) == 2
    err = capsys.readouterr().err
    assert english in err, err
    import argparse

    assert argparse._("expected one argument") == "expected one argument"  # argparse itself is left as it was


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_instead_of_read_forever(tmp_path, capsys):
    import os

    fifo = tmp_path / "answers.json"
    os.mkfifo(fifo)
    assert exit_code(["check-claims", str(fifo)]) == 2
    assert "is not a regular file" in capsys.readouterr().err
