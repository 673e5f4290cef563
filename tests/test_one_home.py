"""Each question is declared once: its id appears in at most two source files (its exercise module and,
where a widget needs it, the exercise's ui module) of course_utils/, tools/ and data/*.json."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_utils.exercises import EXERCISES

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*(ROOT / "course_utils").rglob("*.py"), *(ROOT / "tools").rglob("*.py"), *(ROOT / "data").glob("*.json")]


def files_naming(question_id: str) -> list[str]:
    pattern = re.compile(rf"[\"']{re.escape(question_id)}[\"']")  # the id as a string literal
    return sorted(p.relative_to(ROOT).as_posix() for p in SOURCES
                  if "__pycache__" not in p.parts and pattern.search(p.read_text(encoding="utf-8")))


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_each_question_id_lives_in_at_most_two_files(exercise):
    spread = {q.id: files_naming(q.id) for q in EXERCISES[exercise].questions}
    too_many = {qid: files for qid, files in spread.items() if len(files) > 2}
    assert not too_many, f"question ids named in more than two files: {too_many}"
    assert all(f"course_utils/exercises/{exercise}.py" in files for files in spread.values())
