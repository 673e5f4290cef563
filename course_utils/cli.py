"""`course-utils`: the library's main answers from a terminal.

Every subcommand prints a readable table by default and one JSON document with
``--json``. Bad input exits with status 2 and a one-line reason on stderr (with
"did you mean: ..." where it applies), never a traceback: besides the course's own
errors, :func:`main` turns an unreadable or unwritable path, a file that is not UTF-8,
input nested too deeply and unparsable values into one line too. Anything else is a bug:
one line of apology and exit 1 (the traceback with ``COURSE_UTILS_DEBUG=1``). Output that
the terminal's encoding cannot show (a cp1252 console or redirect) falls back to plain
words ("OK", "WARNING", "PROBLEM") instead of emoji.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import sys
import unicodedata
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable

from . import __version__, json_errors
from .cli_args import language
from .errors import CourseError, DataFileError, InvalidInput
from .i18n import DEFAULT as DEFAULT_LANGUAGE, LANGUAGES, normalise_language, t

EXIT_BAD_INPUT = 2
_COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], Any], str]] = {}


def command(name: str, help: str | None = None):
    """Register a subcommand: the decorated function takes the parsed args and returns a result
    (a dict, or an object with ``to_dict()``/``__str__``).

    ``help`` is the id of its one-line help in the catalogs (default ``cli.help.<name>``), looked up
    when the parser is built, so in the run's language. The setup function given with
    :func:`arguments` words its options' ``help=`` with ``t("cli.help.<name>.<option>")`` too."""

    def wrap(fn):
        _COMMANDS[name] = (getattr(fn, "_arguments", lambda p: None), fn, help or f"cli.help.{name}")
        return fn

    return wrap


def arguments(setup: Callable[[argparse.ArgumentParser], None]):
    def wrap(fn):
        fn._arguments = setup
        return fn

    return wrap


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter with the "usage: " prefix from the catalog, and section headings as the language
    writes them before argparse's colon (French puts a no-break space there: "options :")."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, t("cli.help.usage") if prefix is None else prefix)

    def start_section(self, heading):
        super().start_section(t("cli.help.heading", title=heading) if heading else heading)


# argparse's own error words (its msgids, Python 3.10-3.13) -> catalog ids; the English catalog holds the
# msgids themselves, so English output is argparse's. Words not listed stay argparse's English.
_ARGPARSE_WORDS = ("required", "invalid_choice", "unrecognized", "expected_one", "expected_at_most_one",
                   "expected_at_least_one", "expected_n", "expected_n_many", "one_of_required", "not_allowed_with",
                   "ambiguous", "argument", "invalid_type", "ignored_explicit")


@contextlib.contextmanager
def _argparse_in_course_language():
    """argparse's gettext, for the duration of a parse, reads the course catalog in the language in force."""
    from .i18n import t

    words = {t(f"cli.argparse.{k}", lang="en"): f"cli.argparse.{k}" for k in _ARGPARSE_WORDS}
    old, old_n = argparse._, argparse.ngettext

    def tr(message: str) -> str:
        key = words.get(message)
        return t(key) if key else old(message)

    argparse._ = tr
    argparse.ngettext = lambda one, many, n: tr(one if n == 1 else many)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = old, old_n


class _Parser(argparse.ArgumentParser):
    """One-line errors, and argparse's own words (usage, group titles, -h) in the language in force
    when the parser is built (a literal % in a catalog help must be written %%)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = t("cli.help.positionals")
        self._optionals.title = t("cli.help.options")
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = t("cli.help.help")

    def parse_known_args(self, args=None, namespace=None):
        with _argparse_in_course_language():
            return super().parse_known_args(args, namespace)

    def parse_args(self, args=None, namespace=None):  # "unrecognized arguments" is said here
        with _argparse_in_course_language():
            return super().parse_args(args, namespace)

    def error(self, message: str):  # one line, exit 2 (argparse's own code), no usage dump
        emit(f"course-utils: {one_line(message)}", sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)

    def _print_message(self, message, file=None):  # --help and --version, in any console encoding
        if message:
            emit(message.rstrip("\n"), file or sys.stdout)


# --------------------------------------------------------------------------- output in any encoding

_PLAIN = {"✅": "OK", "⚠️": "WARNING", "⚠": "WARNING", "❌": "PROBLEM", "≥": ">=", "≤": "<=", "→": "->",
          "←": "<-", "—": "-", "–": "-", "…": "...", "×": "x", "±": "+/-", "‘": "'", "’": "'", "“": '"',
          "”": '"', "·": "-", "§": "section ",
          # French: quotes, ligatures and the no-break spaces before ':' and in numbers ("options :", 4 096)
          "« ": '"', " »": '"', "«\u00a0": '"', "\u00a0»": '"', "«": '"', "»": '"', "œ": "oe", "Œ": "OE",
          "\u00a0": " ", "\u202f": " "}


def plain_text(text: str, encoding: str) -> str:
    """``text`` with what ``encoding`` cannot show replaced by plain words, then by '?'.

    A status emoji already followed by its word ("✅ OK", "⚠️ caution") is dropped rather than doubled."""
    from .i18n import LANGUAGES, t

    words = "|".join(re.escape(t(f"readiness.status.{s}", lang)) for s in ("ok", "warn", "bad") for lang in LANGUAGES)
    for symbol in ("✅", "⚠️", "⚠", "❌"):
        if symbol in text:
            try:
                symbol.encode(encoding)
            except UnicodeEncodeError:
                text = re.sub(re.escape(symbol) + rf" (?=({words})\b)", "", text)
    for symbol, word in _PLAIN.items():
        if symbol in text:
            try:
                symbol.encode(encoding)
            except UnicodeEncodeError:
                text = text.replace(symbol, word)
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        return "".join(_plain_letter(ch, encoding) for ch in text)


def _plain_letter(ch: str, encoding: str) -> str:
    """``ch``, or its letter without accents ('é' -> 'e'), or '?' when ``encoding`` has neither."""
    try:
        ch.encode(encoding)
        return ch
    except UnicodeEncodeError:
        bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        return bare.encode(encoding, errors="replace").decode(encoding) if bare else "?"


def _encoding_of(stream) -> str | None:
    enc = getattr(stream, "encoding", None)
    try:
        return __import__("codecs").lookup(enc).name if enc else None
    except LookupError:
        return None


def emit(text: str, stream=None) -> None:
    """Print ``text`` on ``stream`` (stdout), falling back to plain text the stream can encode."""
    stream = stream or sys.stdout
    enc = _encoding_of(stream)
    if enc:
        try:
            text.encode(enc)
        except UnicodeEncodeError:
            text = plain_text(text, enc)
    print(text, file=stream)


def one_line(text: Any, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


@contextmanager
def _one_line_warnings():
    """Warnings (e.g. an unusable setting) as one line on stderr during a command."""
    original = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        emit(f"course-utils: {t('cli.warning')}: {one_line(message)}", sys.stderr)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = original


def to_jsonable(obj: Any) -> Any:
    if hasattr(obj, "to_dict"):
        return to_jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, float) and obj != obj:  # NaN
        return None
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)


def _render(result: Any) -> str:
    if hasattr(result, "to_text"):
        return result.to_text()
    if isinstance(result, dict):
        from .text_table import label_rows

        return label_rows(result.items())
    return str(result)


def build_parser() -> argparse.ArgumentParser:
    _load_commands()
    parser = _Parser(prog="course-utils", description=t("cli.help.program"))
    parser.add_argument("--version", action="version", version=f"course-utils {__version__}",
                        help=t("cli.help.version"))
    parser.add_argument("--lang", type=language, default=None, metavar="|".join(LANGUAGES),
                        help=t("cli.help.lang"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (setup, _fn, help_id) in _COMMANDS.items():
        help_text = t(help_id)
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help=t("cli.help.json"))
        p.add_argument("--lang", type=language, default=argparse.SUPPRESS, metavar="|".join(LANGUAGES),
                       help=t("cli.help.lang.command"))
        setup(p)
    return parser


def _load_commands() -> None:
    # Importing the modules registers their subcommands.
    from . import cli_commands  # noqa: F401


def _language_of_the_help(argv: list[str]) -> str:
    """The language to word the parser in, read from ``argv`` before it is parsed: the last
    ``--lang X`` / ``--lang=X`` (before a ``--``), else COURSE_UTILS_LANG, else English. A value
    that is not a course language is skipped here: parsing (or :func:`_language_for_the_run`)
    then stops the run with its one line, as before."""
    chosen = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            chosen = normalise_language(argv[i + 1]) or chosen
        elif arg.startswith("--lang="):
            chosen = normalise_language(arg[len("--lang="):]) or chosen
    return chosen or normalise_language(os.environ.get("COURSE_UTILS_LANG")) or DEFAULT_LANGUAGE


def _language_for_the_run(chosen: str | None) -> str:
    """``--lang``, else COURSE_UTILS_LANG (a value that is not a course language stops the run), else
    English: a terminal run does not follow the language a learner picked in notebook 00."""
    if chosen:
        return chosen
    env = os.environ.get("COURSE_UTILS_LANG", "").strip()
    if env:
        try:
            return language(env)
        except argparse.ArgumentTypeError as exc:
            emit(f"course-utils: COURSE_UTILS_LANG: {one_line(exc)}", sys.stderr)
            raise SystemExit(EXIT_BAD_INPUT) from None
    return DEFAULT_LANGUAGE


def main(argv: list[str] | None = None) -> int:
    from . import i18n

    previous = i18n._current
    try:
        with _one_line_warnings():
            i18n.set_language(_language_of_the_help(sys.argv[1:] if argv is None else list(argv)))
            parser = build_parser()
            args = parser.parse_args(argv)
            i18n.set_language(_language_for_the_run(args.lang))
            if not args.command:
                parser.print_help()
                return EXIT_BAD_INPUT
            return _run(args)
    except BrokenPipeError:  # `course-utils --help | head`
        return _reader_left()
    finally:
        i18n._current = previous  # main() called from Python (tests, scripts) leaves the caller's language


def _reader_left() -> int:
    """The pipe's reader closed it (``| head``): nothing more to say, and nothing for Python to flush at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (tests capture it): nothing will be flushed
        pass
    return 0


def _run(args: argparse.Namespace) -> int:
    name = args.command
    _setup, fn, _help = _COMMANDS[name]
    try:
        result = fn(args)
        if args.json:
            doc = to_jsonable(result)
            text = json.dumps(doc, indent=2, ensure_ascii=False)
            enc = _encoding_of(sys.stdout)
            if enc:
                try:
                    text.encode(enc)
                except UnicodeEncodeError:  # still valid JSON, escaped
                    text = json.dumps(doc, indent=2, ensure_ascii=True)
            emit(text)
        else:
            emit(_render(result))
        sys.stdout.flush()
        return 0
    except (InvalidInput, DataFileError) as exc:
        return _fail(name, str(exc), EXIT_BAD_INPUT)
    except CourseError as exc:
        return _fail(name, str(exc), 1)
    except KeyboardInterrupt:
        emit(f"course-utils: {t('cli.interrupted')}", sys.stderr)
        return 130
    except BrokenPipeError:  # `course-utils search | head`: the reader left; not an error of ours
        return _reader_left()
    except Exception as exc:  # noqa: BLE001 - the last-resort net: one line, never a traceback
        known = bad_input_message(exc)
        if known:
            return _fail(name, known, EXIT_BAD_INPUT)
        if os.environ.get("COURSE_UTILS_DEBUG", "").strip().lower() in ("1", "true", "yes", "on"):
            import traceback

            traceback.print_exc()
        return _fail(name, t("cli.bad.bug", error=f"{type(exc).__name__}: {exc}"), 1)


MAX_MESSAGE_LINES = 3  # a message with several problems (e.g. override typos) shows one per line, at most 3


def _fail(name: str, message: str, code: int) -> int:
    lines = [one_line(part) for part in str(message).splitlines() if part.strip()] or [""]
    if len(lines) > MAX_MESSAGE_LINES:
        lines = lines[:MAX_MESSAGE_LINES - 1] + [" ".join(lines[MAX_MESSAGE_LINES - 1:])]
    emit("\n".join(f"course-utils {name}: {line}" for line in lines), sys.stderr)
    return code


def bad_input_message(exc: BaseException) -> str | None:
    """One line "what — what to do" for errors that come from the input, not from a bug."""
    if isinstance(exc, OSError) and getattr(exc, "filename", None):
        path = exc.filename
        what = {IsADirectoryError: "cli.bad.folder", NotADirectoryError: "cli.bad.not_a_folder",
                FileNotFoundError: "cli.bad.missing", FileExistsError: "cli.bad.exists",
                PermissionError: "cli.bad.permission"}
        for cls, key in what.items():
            if isinstance(exc, cls):
                return t(key, path=path)
        if exc.errno == 28:  # ENOSPC
            return t("cli.bad.disk_full", path=path)
        return t("cli.bad.cannot_use", path=path, error=exc.strerror or exc)
    if isinstance(exc, UnicodeError):
        return t("cli.bad.not_utf8", error=getattr(exc, "reason", exc))
    if isinstance(exc, RecursionError):
        return t("cli.bad.too_deep")
    if isinstance(exc, MemoryError):
        return t("cli.bad.too_large")
    if isinstance(exc, json.JSONDecodeError):
        return t("cli.bad.unreadable", error=json_errors.describe(exc))
    if isinstance(exc, ValueError):  # csv and number parsing
        return t("cli.bad.unreadable", error=exc)
    return None


if __name__ == "__main__":  # pragma: no cover - `python -m course_utils.cli`
    from course_utils.cli import main as _main  # the registered module, not __main__

    sys.exit(_main())
