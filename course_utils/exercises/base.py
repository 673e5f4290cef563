"""What an exercise declares: its questions (id, kind, points, check or rubric) and its notebook."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping

Kind = Literal["exact", "set", "numeric", "function", "rubric", "min_items", "completion"]
KINDS: tuple[str, ...] = ("exact", "set", "numeric", "function", "rubric", "min_items", "completion")


@dataclass(frozen=True)
class Concept:
    """One rubric item: found when the answer contains any of its terms (in the answer's language).

    Its label (what feedback says, e.g. "mentions fine-tuning") is the catalog entry
    ``<exercise>.concept.<id>``; terms are matched without accents or case, after elision (l', d')."""
    id: str
    terms: Mapping[str, tuple[str, ...]]  # language -> alternatives

    def spec(self) -> dict:
        return {"id": self.id, **{lang: list(words) for lang, words in self.terms.items()}}


@dataclass(frozen=True)
class Question:
    """One graded question. ``check`` names a function of the exercise (kind "function")."""
    id: str
    kind: Kind
    points: float
    check: str = ""
    concepts: tuple[Concept, ...] = ()
    min_words: int = 0
    min_items: int = 0
    min_words_each: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)  # passed to the check (e.g. the team)

    def spec(self) -> dict:
        """The question as an answer-key entry (the format a private key file uses)."""
        out: dict[str, Any] = {"id": self.id, "points": self.points, "kind": self.kind}
        if self.check:
            out["function"] = self.check
        if self.concepts:
            out["concepts"] = [c.spec() for c in self.concepts]
        for name in ("min_words", "min_items", "min_words_each"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class Exercise:
    """An exercise: id, notebook file, questions and the functions that check them."""
    id: str
    notebook: str
    questions: tuple[Question, ...]
    checks: Mapping[str, Callable[[Any, dict], tuple]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        from ..i18n import t

        return t(f"{self.id}.title")

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def key(self) -> dict:
        return {"title": self.title, "questions": [q.spec() for q in self.questions]}
