import json
import os

import pytest

from course_utils import answers
from course_utils.answers import SCHEMA_VERSION, sanitize_learner
from course_utils.errors import AnswerError

FIXTURES = __import__('pathlib').Path(__file__).parent / 'fixtures' / 'answers'


@pytest.mark.parametrize("raw, slug", [
    ("Ada Lovelace", "ada-lovelace"),
    ("  José  Núñez ", "jose-nunez"),
    ("../../etc/passwd", "etc-passwd"),
    ("..", None),
    ("", None),
    ("   ", None),
    ("🙂🙂", None),
    ("a/b\\c", "a-b-c"),
    ("x" * 300, "x" * 64),
    (".hidden", "hidden"),
    ("李雷", "李雷"),
    ("Дмитрий Иванов", "дмитрий-иванов"),
    ("محمد علي", "محمد-علي"),
    ("Søren Ørsted", "søren-ørsted"),
    ("Ana María", "ana-maria"),
    ("Müller-Lüdenscheidt", "muller-ludenscheidt"),
    ("देवनागरी नाम", "देवनागरी-नाम"),  # vowel signs (combining marks) stay on their letters
    ("CON", "con-learner"),
    ("nul", "nul-learner"),
    ("a<b>c:d\"e|f?g*h", "a-b-c-d-e-f-g-h"),
    ("ｆｕｌｌ　ｗｉｄｔｈ", "full-width"),
])
def test_sanitize_learner(raw, slug):
    if slug is None:
        with pytest.raises(AnswerError, match="no letters or digits"):
            sanitize_learner(raw)
    else:
        assert sanitize_learner(raw) == slug


def test_record_and_save_round_trip(fresh_store, answers_dir):
    fresh_store.record("ex02", "q1", "apache-2.0")
    fresh_store.record("ex02", "q2", ["a", "b"])
    result = fresh_store.save("ex02", learner="Ada Lovelace", offer_download=False)
    assert result.path == answers_dir / "ex02_ada-lovelace.json"
    doc = json.loads(result.path.read_text())
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["exercise"] == "ex02" and doc["learner"] == "ada-lovelace"
    assert doc["learner_display"] == "Ada Lovelace"
    assert doc["answers"] == {"q1": "apache-2.0", "q2": ["a", "b"]}
    assert doc["package_version"] and doc["saved_at"].endswith("+00:00")
    assert str(result.path) in result.message


def test_save_merges_with_what_is_on_disk(answers_dir):
    first = answers.AnswerStore()
    first.record("ex01", "q1", 1)
    first.save("ex01", learner="ada", offer_download=False)
    second = answers.AnswerStore()  # a restarted kernel
    second.record("ex01", "q2", 2)
    second.save("ex01", learner="ada", offer_download=False)
    doc = json.loads((answers_dir / "ex01_ada.json").read_text())
    assert doc["answers"] == {"q1": 1, "q2": 2}


def test_crash_mid_save_keeps_last_good_file(fresh_store, answers_dir, monkeypatch):
    # Fake: a rename failing with ENOSPC after the temp file was written (a real full disk is
    # in test_full_disk_gives_clear_message; this one checks the clean-up at the last step).
    fresh_store.record("ex01", "q1", "good")
    path = fresh_store.save("ex01", learner="ada", offer_download=False).path
    good = path.read_text()
    fresh_store.record("ex01", "q1", "newer")

    def boom(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(AnswerError, match="disk holding .* is full.*still in this session"):
        fresh_store.save("ex01", learner="ada", offer_download=False)
    assert path.read_text() == good
    assert sorted(p.name for p in answers_dir.iterdir()) == [answers.LOCK_FILE, path.name]  # no temp file left
    assert fresh_store.get("ex01", "q1") == "newer"


def test_bad_values_and_ids(fresh_store):
    with pytest.raises(AnswerError, match="cannot be saved"):
        fresh_store.record("ex01", "q1", object())
    with pytest.raises(AnswerError, match="cannot be saved"):
        fresh_store.record("ex01", "q1", float("nan"))
    with pytest.raises(AnswerError, match="Unknown exercise 'ex99'"):
        fresh_store.record("ex99", "q1", 1)
    with pytest.raises(AnswerError, match="question id"):
        fresh_store.record("ex01", " ", 1)
    with pytest.raises(AnswerError, match="30,000 characters long; the limit is 20,000. It was NOT recorded"):
        fresh_store.record("ex01", "q1", "x" * 30_000)


def test_save_without_learner_name_explains(fresh_store):
    fresh_store.record("ex01", "q1", 1)
    with pytest.raises(AnswerError, match="No learner name yet: run notebook 00"):
        fresh_store.save("ex01")


def test_remembered_learner_is_used(fresh_store, answers_dir):
    msg = answers.remember_learner("Grace Hopper")
    assert "grace-hopper" in msg
    assert answers.current_learner() == ("Grace Hopper", "grace-hopper")
    fresh_store.record("ex03", "q1", "x")
    assert fresh_store.save("ex03", offer_download=False).path.name == "ex03_grace-hopper.json"


def test_corrupt_learner_file_is_ignored(answers_dir):
    answers_dir.mkdir()
    (answers_dir / answers.LEARNER_FILE).write_text("{broken")
    assert answers.current_learner() is None


def test_corrupt_previous_answer_file_is_replaced(fresh_store, answers_dir):
    answers_dir.mkdir()
    (answers_dir / "ex01_ada.json").write_text("{broken")
    fresh_store.record("ex01", "q1", "x")
    path = fresh_store.save("ex01", learner="ada", offer_download=False).path
    assert json.loads(path.read_text())["answers"] == {"q1": "x"}


def test_colab_download_offered_and_fallback(fresh_store, answers_dir, monkeypatch):
    import sys
    import types

    calls = []
    colab = types.ModuleType("google.colab")
    files = types.ModuleType("google.colab.files")
    files.download = lambda p: calls.append(p)
    colab.files = files
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.files", files)
    fresh_store.record("ex01", "q1", 1)
    result = fresh_store.save("ex01", learner="ada")
    assert result.downloaded and calls == [str(result.path)]

    def broken(_p):
        raise RuntimeError("no browser session")

    files.download = broken
    result = fresh_store.save("ex01", learner="ada")
    assert not result.downloaded
    assert "did not start (RuntimeError)" in result.message and "Files panel" in result.message


# ---------------------------------------------------------------- names (issue 10.5)

NAMES = ["李雷", "Дмитрий Иванов", "محمد علي", "Søren Ørsted", "Ana María"]
WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_script_save_with_display_kept(fresh_store, answers_dir, name):
    msg = answers.remember_learner(name)
    assert f"Hello {name}!" in msg
    display, slug = answers.current_learner()
    assert display == name and slug == sanitize_learner(slug)  # idempotent
    assert not set(slug) & WINDOWS_FORBIDDEN and not slug.endswith((".", " "))
    assert len(f"ex01_{slug}.json".encode()) < 255
    fresh_store.record("ex01", "comparison", "text")
    path = fresh_store.save("ex01", offer_download=False).path
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["learner_display"] == name and doc["learner"] == slug
    assert path.name == f"ex01_{slug}.json"


def test_long_names_fit_a_file_name():
    slug = sanitize_learner("李" * 300)
    assert len(slug.encode("utf-8")) <= answers.MAX_SLUG_BYTES
    with pytest.raises(AnswerError, match="limit is 200"):
        answers.remember_learner("a" * 201)


def test_same_slug_other_learner_is_refused_not_replaced(answers_dir):
    first = answers.AnswerStore()
    first.record("ex01", "q1", "María's answer")
    path = first.save("ex01", learner="Ana María", offer_download=False).path
    other = answers.AnswerStore()
    other.record("ex01", "q1", "Maria's answer")
    with pytest.raises(AnswerError, match=r"ex01_ana-maria.json already holds the answers of 'Ana María'.*"
                                          r"'Ana Maria'.*middle initial"):
        other.save("ex01", learner="Ana Maria", offer_download=False)
    assert json.loads(path.read_text())["answers"] == {"q1": "María's answer"}
    # the same person with other capitals or spacing is not a conflict
    other.save("ex01", learner="  ana   MARÍA ", offer_download=False)
    # notebook 00 says so as soon as the name is typed
    assert "already holds the answers of 'ana   MARÍA'" in answers.remember_learner("Ana Maria")
    assert answers.store().saved("ex01") == {}  # and never shows the other learner's answers


def test_remembering_the_same_name_keeps_the_old_file_name(answers_dir):
    answers_dir.mkdir()
    (answers_dir / answers.LEARNER_FILE).write_text(json.dumps({"display": "Søren Ørsted", "slug": "sren-rsted"}))
    answers.remember_learner("Søren Ørsted")
    assert answers.current_learner() == ("Søren Ørsted", "sren-rsted")  # files saved by an older version stay his


# ---------------------------------------------------------------- restore and the merge rule (10.1, 10.2)


def test_restored_comes_from_the_remembered_learners_file(answers_dir, monkeypatch):
    import shutil

    answers_dir.mkdir()
    shutil.copy(FIXTURES / "ex03_ada-lovelace.json", answers_dir)
    restarted = answers.AnswerStore()  # a new kernel: nothing recorded
    assert restarted.restored("ex03", "pick_ngo", "") == ""  # nobody remembered yet
    answers.remember_learner("Ada Lovelace")
    assert restarted.restored("ex03", "pick_ngo", "") == "bigscience/bloomz-3b"
    restarted.record("ex03", "pick_ngo", "bigscience/bloomz-7b1")
    assert restarted.restored("ex03", "pick_ngo", "") == "bigscience/bloomz-7b1"  # this kernel's answer wins
    restarted.record("ex03", "pick_ngo", "")
    assert restarted.restored("ex03", "pick_ngo", "") == "bigscience/bloomz-7b1"  # a blank does not


@pytest.mark.parametrize("blank", ["", "   ", None, [], {}, {"a": "", "b": None}])
def test_a_blank_never_overwrites_a_saved_answer(answers_dir, blank):
    first = answers.AnswerStore()
    first.record("ex01", "q", {"a": "yes", "b": "no"})
    first.record("ex01", "t", "my text")
    first.save("ex01", learner="ada", offer_download=False)
    restarted = answers.AnswerStore()
    restarted.record("ex01", "q", blank)
    restarted.record("ex01", "t", blank)
    path = restarted.save("ex01", learner="ada", offer_download=False).path
    assert json.loads(path.read_text())["answers"] == {"q": {"a": "yes", "b": "no"}, "t": "my text"}


def test_dict_answers_merge_key_by_key():
    assert answers.merge_answer({"a": "yes", "b": "no"}, {"a": "", "b": "yes", "c": "x"}) == \
        {"a": "yes", "b": "yes", "c": "x"}
    assert answers.merge_answer([1, 2], [3]) == [3]  # a real change replaces
    assert answers.merge_answer("old", 0) == 0 and answers.merge_answer("old", False) is False


def test_clear_is_the_explicit_way_to_remove_an_answer(answers_dir):
    answers.remember_learner("Ada")
    first = answers.AnswerStore()
    first.record("ex01", "q", "keep")
    first.record("ex01", "gone", "remove me")
    path = first.save("ex01", offer_download=False).path
    restarted = answers.AnswerStore()
    assert "Cleared your answer to 'gone' and saved" in restarted.clear("ex01", "gone")
    assert json.loads(path.read_text())["answers"] == {"q": "keep"}
    assert restarted.restored("ex01", "gone", "") == ""
    restarted.save("ex01", offer_download=False)
    assert json.loads(path.read_text())["answers"] == {"q": "keep"}


def test_clear_before_any_save_needs_no_file(fresh_store, answers_dir):
    fresh_store.record("ex01", "q", "x")
    assert fresh_store.clear("ex01", "q").startswith("Cleared your answer to 'q'.")
    assert fresh_store.answers("ex01") == {}


# ---------------------------------------------------------------- too long (10.4)


def test_text_over_the_limit_is_never_reported_as_saved(fresh_store, answers_dir):
    fresh_store.record("ex01", "comparison", "short and kept")
    with pytest.raises(AnswerError, match="NOT recorded"):
        fresh_store.record("ex01", "comparison", "word " * 5000)
    result = fresh_store.save("ex01", learner="ada", offer_download=False)
    assert result.kind == "warn" and "but NOT these" in result.message and "'comparison'" in result.message
    assert json.loads(result.path.read_text())["answers"] == {"comparison": "short and kept"}
    fresh_store.record("ex01", "comparison", "shortened")  # fixed: the next save is a plain success
    result = fresh_store.save("ex01", learner="ada", offer_download=False)
    assert result.kind == "ok" and result.problems == ()


# ---------------------------------------------------------------- two processes (10.3)

RACE = '''
import sys
from course_utils import answers as a
for i in range(300):
    a.record("ex02", f"q{sys.argv[1]}_{i}", i)
    a.save("ex02", "Race Test")
'''


def test_two_processes_saving_at_once_lose_nothing(answers_dir):
    import subprocess
    import sys
    import time

    env = {**os.environ, "COURSE_UTILS_ANSWERS_DIR": str(answers_dir)}
    start = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-c", RACE, t], env=env, stderr=subprocess.PIPE, text=True)
             for t in "ab"]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    saved = json.loads((answers_dir / "ex02_race-test.json").read_text())["answers"]
    assert len(saved) == 600 and all(saved[f"q{t}_{i}"] == i for t in "ab" for i in range(300))
    assert not list(answers_dir.glob(".*.tmp"))
    print(f"600 saves from 2 processes in {time.monotonic() - start:.1f} s")


def test_leftover_temp_files_are_cleaned_on_the_next_save(fresh_store, answers_dir):
    import signal
    import subprocess
    import sys

    answers_dir.mkdir()
    # a real save killed in the middle: the process stops (SIGKILL) while its temp file is open
    code = ("import os, time\nfrom course_utils import answers as a\n"
            "def stuck(fd):\n    print('writing', flush=True); time.sleep(60)\n"
            "os.fsync = stuck\na.record('ex01', 'q', 1)\na.save('ex01', 'ada')\n")
    env = {**os.environ, "COURSE_UTILS_ANSWERS_DIR": str(answers_dir)}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    leftovers = list(answers_dir.glob(".ex01_ada.json.*.tmp"))
    assert len(leftovers) == 1
    fresh_store.record("ex01", "q", 2)
    fresh_store.save("ex01", learner="ada", offer_download=False)  # the lock died with the process
    assert not leftovers[0].exists()
    assert json.loads((answers_dir / "ex01_ada.json").read_text())["answers"] == {"q": 2}


# ---------------------------------------------------------------- a folder that cannot be used (10.6)


def test_missing_folder_is_created(fresh_store, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_UTILS_ANSWERS_DIR", str(tmp_path / "not" / "yet" / "there"))
    assert "Hello Ada" in answers.remember_learner("Ada")
    fresh_store.record("ex01", "q", 1)
    assert fresh_store.save("ex01", offer_download=False).path.exists()


def test_folder_that_is_a_file(fresh_store, tmp_path, monkeypatch):
    (tmp_path / "answers").write_text("oops")
    monkeypatch.setenv("COURSE_UTILS_ANSWERS_DIR", str(tmp_path / "answers"))
    with pytest.raises(AnswerError, match="is a file, not a folder"):
        answers.remember_learner("Ada")
    fresh_store.record("ex01", "q", 1)
    with pytest.raises(AnswerError, match="is a file, not a folder.*still in this session"):
        fresh_store.save("ex01", learner="Ada", offer_download=False)
    monkeypatch.setenv("COURSE_UTILS_ANSWERS_DIR", str(tmp_path / "answers" / "sub"))
    with pytest.raises(AnswerError, match="part of .* is a file, not a folder"):
        fresh_store.save("ex01", learner="Ada", offer_download=False)


PROBE = '''
import json, sys
from course_utils import answers
from course_utils.errors import AnswerError
out = []
for step in ("remember", "save"):
    try:
        if step == "remember":
            answers.remember_learner("Ada")
        else:
            answers.record("ex01", "q", "x" * 2000)
            answers.save("ex01", "Ada")
        out.append("ok")
    except AnswerError as exc:
        out.append(str(exc))
print(json.dumps(out))
'''


def _run_probe(folder, prefix=()):
    import subprocess
    import sys

    env = {**os.environ, "COURSE_UTILS_ANSWERS_DIR": str(folder)}
    done = subprocess.run([*prefix, sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_read_only_folder_gives_clear_message(tmp_path):
    import shutil

    folder = tmp_path / "answers"
    folder.mkdir()
    folder.chmod(0o555)
    prefix = ()
    if os.geteuid() == 0:  # root writes anywhere: drop the capability that allows it
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot make a folder read-only for this test")
        prefix = ("setpriv", "--inh-caps=-dac_override,-dac_read_search",
                  "--bounding-set=-dac_override,-dac_read_search")
    try:
        remember, save = _run_probe(folder, prefix)
    finally:
        folder.chmod(0o755)
    assert "Could not remember your name" in remember and "is read-only for you" in remember
    assert "Could not save" in save and "read-only" in save and "still in this session" in save


def test_full_disk_gives_clear_message(tmp_path):
    """A real full file system: a 64 KiB tmpfs in a private mount namespace (needs unshare)."""
    import shlex
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "full"
    folder.mkdir()
    if not shutil.which("unshare"):
        pytest.skip("no unshare: a full disk is simulated by test_crash_mid_save_keeps_last_good_file")
    flags = ["-m"] if os.geteuid() == 0 else ["-rm"]
    probe = subprocess.run(["unshare", *flags, "true"], capture_output=True)
    if probe.returncode:
        pytest.skip("cannot make a mount namespace here: a full disk is simulated by "
                    "test_crash_mid_save_keeps_last_good_file")
    env = {**os.environ, "COURSE_UTILS_ANSWERS_DIR": str(folder)}
    script = (f"mount -t tmpfs -o size=64k tmpfs {shlex.quote(str(folder))} && "
              f"{shlex.quote(sys.executable)} -c 'import course_utils.answers as a; a.remember_learner(\"Ada\")' && "
              f"(dd if=/dev/zero of={shlex.quote(str(folder))}/filler bs=1k count=200 2>/dev/null; true) && "
              f"{shlex.quote(sys.executable)} -c {shlex.quote(PROBE)}")
    done = subprocess.run(["unshare", *flags, "sh", "-c", script], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    remember, save = json.loads(done.stdout.splitlines()[-1])
    assert "is full" in save and "still in this session" in save


def test_download_of_a_file_that_is_not_there():
    from pathlib import Path

    started, note = answers.offer_colab_download(Path("/nonexistent/ex01_ada.json"))
    assert not started and "save first" in note


def test_every_letter_gives_a_file_name():
    """No name with a letter in it is ever told it 'has no letters' (a third of all Unicode letters,
    plus every Arabic presentation form, whose compatibility forms are marks only)."""
    import unicodedata

    letters = [chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)).startswith("L")]
    sample = letters[::3] + [c for c in letters if 0xFB50 <= ord(c) <= 0xFEFF]
    for c in sample:
        slug = sanitize_learner(c)
        assert slug and sanitize_learner(slug) == slug and not set(slug) & WINDOWS_FORBIDDEN, hex(ord(c))


def test_file_system_without_flock_falls_back_to_a_soft_lock(fresh_store, answers_dir, monkeypatch):
    # Fake: filelock raises NotImplementedError where flock() is missing (some network drives);
    # no such file system can be mounted here.
    import filelock

    def no_flock(self, *a, **k):
        raise NotImplementedError("FileSystem does not appear to support flock")

    monkeypatch.setattr(filelock.FileLock, "acquire", no_flock)
    fresh_store.record("ex01", "q", 1)
    path = fresh_store.save("ex01", learner="ada", offer_download=False).path
    assert json.loads(path.read_text())["answers"] == {"q": 1}
    assert not (answers_dir / (answers.LOCK_FILE + ".soft")).exists()  # released


# ---------------------------------------------------------------- messages in both languages

from course_utils import i18n  # noqa: E402


@pytest.mark.parametrize("lang, hello, saved, cleared", [
    ("en", "Hello Ada Lovelace! Your answers will be saved as", "Saved 1 answer to", "Cleared your answer to 'q' and saved"),
    ("fr", "Bonjour Ada Lovelace ! Vos réponses seront enregistrées sous", "1 réponse enregistrée dans",
     "Votre réponse à 'q' est effacée et ex01_ada-lovelace.json est enregistré.")])
def test_learner_messages_in_the_course_language(answers_dir, monkeypatch, lang, hello, saved, cleared):
    monkeypatch.delenv("COURSE_UTILS_LANG", raising=False)
    try:
        i18n.set_language(lang)
        assert answers.remember_learner("Ada Lovelace").startswith(hello)
        store = answers.AnswerStore()
        store.record("ex01", "q", "x")
        assert store.save("ex01", offer_download=False).message.startswith(saved)
        assert store.clear("ex01", "q").startswith(cleared)
        with pytest.raises(AnswerError) as info:
            store.record("ex01", "q", "x" * 30_000)
        assert ("NOT recorded" if lang == "en" else "PAS été prise en compte") in str(info.value)
    finally:
        i18n.set_language(None)


def test_folder_problems_in_french(answers_dir, monkeypatch):
    monkeypatch.delenv("COURSE_UTILS_LANG", raising=False)
    answers_dir.write_text("a file where the folder should be")
    store = answers.AnswerStore()
    store.record("ex01", "q", "x")
    try:
        i18n.set_language("fr")
        with pytest.raises(AnswerError, match="Impossible d'enregistrer : .* est un fichier, pas un dossier.*"
                                              "toujours dans cette session"):
            store.save("ex01", learner="Ada", offer_download=False)
    finally:
        i18n.set_language(None)


def test_environment_table_in_both_languages(monkeypatch):
    from course_utils.environment import environment_info

    info = environment_info(probe_network=False)
    try:
        i18n.set_language("fr")
        rows = dict(info.rows())
        assert rows["Environnement"] in ("local (votre ordinateur)", "Google Colab")
        assert rows["Hugging Face Hub"] == "non vérifié"
        assert "Dossier des réponses" in rows
        i18n.set_language("en")
        rows = dict(info.rows())
        assert rows["Running in"] == "local" and rows["Hugging Face Hub"] == "not checked"
    finally:
        i18n.set_language(None)


def test_a_list_of_blanks_or_nan_never_replaces_a_saved_answer():
    """The store and the grader share one blank rule: what earns 0 is never saved over a real answer."""
    from course_utils import answers as a
    from course_utils import checking

    assert checking.is_blank is a.is_blank
    for blank in (["", " "], {"x": [None, ""]}, float("nan"), [float("inf")], ()):
        assert a.is_blank(blank), blank
        assert a.merge_answer(["pro: runs offline", "con: setup"], blank) == ["pro: runs offline", "con: setup"]
    assert not a.is_blank(0) and not a.is_blank(False) and not a.is_blank(["", "x"])
