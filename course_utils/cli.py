"""`course-utils`: the library's main answers from a terminal.

Every subcommand prints a readable table by default and one JSON document with
``--json``. Bad input exits with status 2 and a one-line reason on stderr (with
"did you mean: ..." where it applies), never a traceback.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .errors import CourseError, InvalidInput

EXIT_BAD_INPUT = 2
_COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], Any], str]] = {}


def command(name: str, help: str):
    """Register a subcommand: the decorated function takes the parsed args and returns a result
    (a dict, or an object with ``to_dict()``/``__str__``)."""

    def wrap(fn):
        _COMMANDS[name] = (getattr(fn, "_arguments", lambda p: None), fn, help)
        return fn

    return wrap


def arguments(setup: Callable[[argparse.ArgumentParser], None]):
    def wrap(fn):
        fn._arguments = setup
        return fn

    return wrap


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse's own code), no usage dump
        print(f"course-utils: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


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
        width = max((len(str(k)) for k in result), default=0)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in result.items())
    return str(result)


def build_parser() -> argparse.ArgumentParser:
    _load_commands()
    parser = _Parser(prog="course-utils", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"course-utils {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (setup, _fn, help_text) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        setup(p)
    return parser


def _load_commands() -> None:
    # Importing the modules registers their subcommands.
    from . import cli_commands  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_BAD_INPUT
    _setup, fn, _help = _COMMANDS[args.command]
    try:
        result = fn(args)
    except InvalidInput as exc:
        print(f"course-utils {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CourseError as exc:
        print(f"course-utils {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("course-utils: interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(to_jsonable(result), indent=2, ensure_ascii=False))
    else:
        print(_render(result))
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m course_utils.cli`
    from course_utils.cli import main as _main  # the registered module, not __main__

    sys.exit(_main())
