"""Exceptions raised by course_utils. Each message says what was wrong and what to do."""
from __future__ import annotations


class CourseError(Exception):
    """Base class: a problem a learner or instructor can act on (no traceback needed)."""


class DataFileError(CourseError):
    """A shipped data file is missing or malformed."""


class AnswerError(CourseError):
    """An answer could not be recorded or saved."""


class InvalidInput(CourseError):
    """Input that cannot be used as given (bad id, bad number, unknown name)."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()):
        super().__init__(message)
        self.suggestions = tuple(suggestions)

    def __str__(self) -> str:
        text = super().__str__()
        if self.suggestions:
            text += " (did you mean: " + ", ".join(self.suggestions) + "?)"
        return text


class ModelNotFound(InvalidInput):
    """No such model on the Hub nor in the snapshot."""


class GatedModel(CourseError):
    """The Hub refused metadata for a gated repo (401/403)."""


class HubUnavailable(CourseError):
    """The Hub could not answer (offline, timeout, 429, 5xx, bad body)."""


class CourseWarning(UserWarning):
    """A setting or input the course could not use as given; it carried on with a safe default."""


class EngineUnavailable(CourseError):
    """The local engine (llama.cpp's server) or its model cannot be used here."""
