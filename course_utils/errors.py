"""Every exception course_utils raises. Each message says what was wrong and what to do.

As in huggingface_hub, each error also has the builtin base a caller would catch anyway
(``InvalidInput`` is a ``ValueError``, ``HubUnavailable`` a ``ConnectionError``), and carries
structured fields (``repo_id``, ``suggestions``) besides its message."""
from __future__ import annotations


class CourseError(Exception):
    """Base class: a problem a learner or instructor can act on (no traceback needed)."""


class DataFileError(CourseError):
    """A shipped data file is missing or malformed."""


class AnswerError(CourseError):
    """An answer could not be recorded or saved."""


class InvalidInput(CourseError, ValueError):
    """Input that cannot be used as given (bad id, bad number, unknown name)."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = (), repo_id: str | None = None):
        super().__init__(message)
        self.suggestions = tuple(suggestions)
        self.repo_id = repo_id

    def __str__(self) -> str:
        text = super().__str__()
        if self.suggestions:
            from .i18n import t  # looked up when shown, in the language in force

            text += " " + t("errors.did_you_mean", suggestions=", ".join(self.suggestions))
        return text


class ModelNotFound(InvalidInput):
    """No such model on the Hub nor in the snapshot."""


class _RepoError(CourseError):
    """A problem with one model repo: the message, and the repo's id in ``repo_id``."""

    def __init__(self, message: str, repo_id: str | None = None):
        super().__init__(message)
        self.repo_id = repo_id

    def __str__(self) -> str:  # the message only, whatever builtin (OSError...) comes next in the MRO
        return str(self.args[0]) if self.args else ""


class GatedModel(_RepoError, PermissionError):
    """The Hub refused metadata for a gated repo (401/403)."""


class HubUnavailable(_RepoError, ConnectionError):
    """The Hub could not answer (offline, timeout, 429, 5xx, bad body)."""


class CourseWarning(UserWarning):
    """A setting or input the course could not use as given; it carried on with a safe default."""


class EngineUnavailable(CourseError, RuntimeError):
    """The local engine (llama.cpp's server) or its model cannot be used here."""


class TimingError(CourseError, RuntimeError):
    """A generation could not be measured (server down, HTTP error, bad stream)."""
