"""Model ids: one normaliser for whatever a learner types or pastes, one "did you mean" for every list.

:func:`normalise_repo_id` turns a Hub address or a sloppy paste into the bare id every lookup uses
(``https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.3/tree/main`` ->
``mistralai/Mistral-7B-Instruct-v0.3``) or raises :class:`~course_utils.errors.InvalidInput` saying
what is wrong. Accepted forms (as the Hub writes them): ``org/name``, ``name`` (legacy ids such as
``gpt2``), ``huggingface.co/…`` and ``hf.co/…`` addresses with or without ``https://``, ``www.``,
``/models/``, a page after the id (``/tree/main``, ``/blob/main/README.md``, ``/discussions/3``), a query
or ``#anchor``, a trailing slash; ``hf://org/name`` (huggingface_hub's file-system URLs);
``org/name@revision`` and ``/tree/<revision>`` (the course reads facts of the main revision, so the
revision is dropped, with a note); quotes, backticks, spaces around the id or around its ``/``, and
the invisible characters that copying from web pages adds. Id rules follow huggingface_hub's
``validate_repo_id``: letters, digits, ``-``, ``_``, ``.``; no ``--`` or ``..``; at most 96 characters
per part.

:func:`did_you_mean` is the one fuzzy matcher (difflib's ratio, case-folded, originals returned);
the cutoffs for the kinds of words the course matches are named here, once.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .errors import InvalidInput
from .i18n import t

# Similarity cutoffs (difflib ratio, 0..1) for did_you_mean, by what is being matched:
CUTOFF_IDS = 0.75  # model ids: thousands of near-identical 'org/name-7b-v0.1' ids, so only close ones
CUTOFF_WORDS = 0.6  # names and keys (licences, tasks, exercises, learners, leaderboard columns): difflib's default
CUTOFF_SHORT = 0.5  # short codes where one letter is a large part (Q4_K_M, hardware names)
CUTOFF_BOARD = 0.7  # leaderboard ids: one board, fewer look-alikes than all known ids

_ID_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9._\-]{0,94}[A-Za-z0-9_])?"  # as validate_repo_id: \b[\w\-.]+\b
_REPO_ID = re.compile(rf"^(?:{_ID_PART}/)?{_ID_PART}$")
_URL = re.compile(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)(?:/+(?P<path>[^?#]*))?(?:[?#].*)?$", re.I)
_HF_SCHEME = re.compile(r"^hf://(?:models/)?(?P<path>[^?#]*)", re.I)
_HUB_PAGES = {"tree", "blob", "resolve", "discussions", "commits", "commit", "raw", "edit", "settings"}
_NOT_MODELS = {"datasets", "spaces", "collections", "papers", "docs", "blog", "organizations", "settings",
               "join", "login", "pricing", "posts", "learn", "chat", "api"}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None) | {0xA0: " ", 0x202F: " "}
MAX_ID_LENGTH = 96 * 2 + 1  # org and name of up to 96 characters each (huggingface_hub validate_repo_id)
EXAMPLE = "mistralai/Mistral-7B-Instruct-v0.3"


@dataclass(frozen=True)
class IdCheck:
    """A normalised id and the notes worth showing (an address or a revision was dropped)."""
    repo_id: str
    notes: tuple[str, ...] = ()


def did_you_mean(word: Any, candidates: Iterable[str], n: int = 3, cutoff: float = CUTOFF_WORDS,
                 fold: Callable[[str], str] = str.casefold) -> tuple[str, ...]:
    """The candidates closest to ``word`` (best first, at most ``n``), compared after ``fold``.

    Returns the candidates as given (first spelling wins when two fold alike); an empty tuple when
    nothing is close or ``word`` is not text."""
    if not isinstance(word, str) or not word.strip() or n <= 0:
        return ()
    folded: dict[str, str] = {}
    for c in candidates:
        if isinstance(c, str):
            folded.setdefault(fold(c), c)
    close = difflib.get_close_matches(fold(word.strip()), list(folded), n=n, cutoff=cutoff)
    return tuple(folded[c] for c in close)


def _known_suggestions(text: str) -> tuple[str, ...]:
    """Known model ids close to ``text`` (hub.suggest); none when the course data cannot be read."""
    try:
        from .hub import _known_ids, suggest

        exact = known_spelling(text, _known_ids())  # the id once the slip is fixed ('bloom 7b1' -> 'bloom-7b1')
        return tuple(dict.fromkeys([*([exact] if exact else []), *suggest(text)]))[:5]
    except Exception:  # noqa: BLE001 - a suggestion never turns a clear message into a traceback
        return ()


def _cleaned(raw: str) -> str:
    text = raw.translate(_INVISIBLE).strip()
    while len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"`":
        text = text[1:-1].strip()
    text = text.strip("'\"`").strip()
    return re.sub(r"\s*/\s*", "/", text)


def parse_repo_id(raw: Any) -> IdCheck:
    """:func:`normalise_repo_id` with the notes to show (e.g. "you pasted an address")."""
    if not isinstance(raw, str) or not raw.strip(" \t\r\n\u200b\ufeff\xa0"):
        raise InvalidInput(t("ids.empty", example=EXAMPLE))
    text = _cleaned(raw)
    shown = text if len(text) <= 80 else text[:77] + "..."
    if len(text) > MAX_ID_LENGTH + 200:  # room for an address around a long id
        raise InvalidInput(t("ids.too_long", length=len(text), max=MAX_ID_LENGTH))
    notes: list[str] = []
    revision = ""
    m = _URL.match(text) or _HF_SCHEME.match(text)
    if m:
        parts = [p for p in (m.group("path") or "").split("/") if p]
        if parts and parts[0].lower() == "models":
            parts = parts[1:]
        if parts and parts[0].lower() in _NOT_MODELS:
            raise InvalidInput(t("ids.not_a_model_page", text=shown, page=parts[0].lower(), example=EXAMPLE))
        cut = next((i for i, p in enumerate(parts) if p in _HUB_PAGES), len(parts))
        if cut < len(parts) and parts[cut] == "tree" and cut + 1 < len(parts):
            revision = parts[cut + 1]
        parts = parts[:min(cut, 2)]
        if not parts:
            raise InvalidInput(t("ids.address_without_model", text=shown, example=EXAMPLE))
        text = "/".join(parts)
        notes.append(t("ids.note.address", repo_id=text))
    elif re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I) or text.lower().startswith("www."):
        raise InvalidInput(t("ids.not_hub_address", text=shown))
    if "@" in text:
        text, _, rev = text.partition("@")
        revision = revision or rev
        if not text or not rev or "@" in rev:
            raise InvalidInput(t("ids.bad_revision", text=shown))
    text = text.rstrip("/")
    if revision and revision != "main":
        notes.append(t("ids.note.revision", revision=revision))
    if len(text) > MAX_ID_LENGTH:
        raise InvalidInput(t("ids.too_long", length=len(text), max=MAX_ID_LENGTH))
    if any(ch.isspace() for ch in text):
        raise InvalidInput(t("ids.spaces", text=shown),
                           suggestions=_known_suggestions(re.sub(r"\s+", "-", text)))
    if text.count("/") > 1:
        raise InvalidInput(t("ids.slashes", text=shown),
                           suggestions=_known_suggestions("/".join(text.split("/")[:2])))
    if not _REPO_ID.match(text) or ".." in text or "--" in text:
        raise InvalidInput(t("ids.invalid", text=shown), suggestions=_known_suggestions(text))
    return IdCheck(text, tuple(notes))


def normalise_repo_id(text: Any) -> str:
    """The bare Hub id in what a learner typed or pasted (see the module docstring for the forms);
    :class:`InvalidInput` with a message naming the problem when there is none."""
    return parse_repo_id(text).repo_id


def known_spelling(repo_id: str, known: Iterable[str]) -> str | None:
    """``repo_id`` as ``known`` spells it (Hub ids are case-sensitive, learners' typing is not); None if absent."""
    if repo_id in known:
        return repo_id
    key = repo_id.casefold()
    return next((k for k in known if k.casefold() == key), None)
