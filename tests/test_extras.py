"""The install hints name the packages of pyproject.toml's extras, since the course itself is not on PyPI."""
import re
from pathlib import Path

import pytest

from course_utils import engine, extras, hf_engine, i18n

tomllib = pytest.importorskip("tomllib")
ROOT = Path(__file__).resolve().parents[1]


def test_the_lists_are_pyprojects_extras():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras.RUN == tuple(declared["run"])
    assert extras.TRANSFORMERS == tuple(declared["transformers"])
    assert set(extras.GGUF_FOR_TRANSFORMERS) <= set(extras.TRANSFORMERS)
    assert extras.pip_install(extras.RUN) == "pip install xllamacpp gguf"


def test_no_message_asks_pip_for_the_course_by_name():
    """`pip install 'course-utils[...]'` finds nothing on PyPI: every catalog names the packages instead."""
    for path in (ROOT / "course_utils" / "locales").glob("*/*.json"):
        assert not re.search(r"pip install\s+['\"]?course-utils\[", path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_without_the_engine_the_hint_installs_its_packages(monkeypatch, lang):
    import sys

    monkeypatch.setitem(sys.modules, "xllamacpp", None)
    monkeypatch.setattr(engine.platform, "system", lambda: "Linux")
    monkeypatch.setattr(engine.platform, "machine", lambda: "x86_64")
    i18n.set_language(lang)
    try:
        state, hint = engine.availability()
    finally:
        i18n.set_language(None)
    assert state == "not_installed" and "pip install xllamacpp gguf" in hint


def test_reading_a_gguf_with_transformers_names_what_is_missing(monkeypatch):
    import sys

    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    monkeypatch.setitem(sys.modules, "accelerate", None)  # import fails, as where it is not installed
    ok, why = hf_engine.transformers_available(gguf=True)
    assert not ok and "accelerate" in why and "pip install gguf accelerate" in why
    assert hf_engine.transformers_available() == (True, "")  # a Hub id does not need them
