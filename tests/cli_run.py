"""Run the `course-utils` command in this process, as the CLI tests do."""
from __future__ import annotations

from course_utils.cli import main


def run(capsys, *argv):
    """(exit status, stdout, stderr) of ``course-utils *argv``; argparse's own exits count too."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
