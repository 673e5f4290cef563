"""The course language for a test, shared by the test modules (import the fixture you need).

``one_language``: English, or the language a test is parametrized with (``@both``, or
``@pytest.mark.parametrize("lang", ["fr"], indirect=True)``); ``each_language``: every test of the
module that takes ``lang`` runs once per course language. Both forget the choice afterwards.
"""
from __future__ import annotations

import pytest

from course_utils import i18n

LANGS = list(i18n.LANGUAGES)
both = pytest.mark.parametrize("lang", LANGS, indirect=True)


def _switch(request, monkeypatch):
    monkeypatch.delenv("COURSE_UTILS_LANG", raising=False)
    code = i18n.set_language(getattr(request, "param", i18n.DEFAULT))
    yield code
    i18n.set_language(None)


@pytest.fixture(name="lang")
def one_language(request, monkeypatch):
    yield from _switch(request, monkeypatch)


@pytest.fixture(name="lang", params=LANGS)
def each_language(request, monkeypatch):
    yield from _switch(request, monkeypatch)
