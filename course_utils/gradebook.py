"""Grades out: the gradebook CSVs, the roster join and the Canvas and Moodle import files.

Every CSV is safe to open in Excel or LibreOffice: a text cell starting with ``=``, ``+``, ``-``,
``@``, tab or CR gets a leading ``'`` (the OWASP CSV-injection rule); numbers stay numbers.
Percent and max are over the whole course: an exercise a learner did not hand in counts 0 and is
named in the ``missing`` column.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .answer_files import clean_text
from .answers import sanitize_learner
from .errors import AnswerError, InvalidInput
from .exercises import EXERCISES
from .grading import ClassResult, grade_dir, load_key
from .i18n import t

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text that could start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise InvalidInput(t("gradebook.target.folder", path=path, example=path / "grades.csv"))
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InvalidInput(t("gradebook.target.parent_file", path=path, parent=parent))
            break


def write_csv(path: str | os.PathLike, columns: Iterable[str], rows: Iterable[dict]) -> Path:
    """Write a CSV atomically (temporary file, then rename), every text cell neutralised."""
    path = Path(path)
    columns = list(columns)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(c, "")) for c in columns])
    _check_target(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="") as fh:
            fh.write(buf.getvalue())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:  # a full disk or a refused rename must not leave a hidden half-written file
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise InvalidInput(t("gradebook.cannot_write", path=path, error=exc.strerror)) from None
    return path


# --------------------------------------------------------------------------- the gradebook

def gradebook_rows(result: ClassResult) -> tuple[list[str], list[dict]]:
    """One row per learner: points per exercise, total, max and percent of the whole course."""
    exercises = [e for e, _ in result.course] or sorted({r.exercise for r in result.results})
    columns = ["learner", "name", *exercises, "total", "max", "percent", "missing", "conflicts"]
    rows = []
    for lt in result.learners():
        scores = dict(lt.scores)
        rows.append({"learner": lt.learner, "name": lt.display, **{e: scores.get(e, 0.0) for e in exercises},
                     "total": lt.total, "max": lt.max_points, "percent": lt.percent if lt.percent is not None else "",
                     "missing": " ".join(lt.missing), "conflicts": " ".join(lt.conflicts)})
    return columns, rows


QUESTION_COLUMNS = ["learner", "exercise", "question", "score", "max_points", "needs_review", "feedback"]


def question_rows(result: ClassResult) -> list[dict]:
    return [{"learner": r.learner, "exercise": r.exercise, "question": q.question, "score": q.score,
             "max_points": q.max_points, "needs_review": q.to_review, "feedback": clean_text(q.feedback, 2000)}
            for r in result.results for q in r.questions]


# --------------------------------------------------------------------------- roster and LMS files

ROSTER_ALIASES = {
    "name": ("name", "full name", "student", "student name"),
    "email": ("email", "email address", "e-mail", "mail"),
    "id": ("id", "id number", "sis id", "sis user id", "student id", "student number", "idnumber"),
    "login": ("login", "sis login id", "login id", "username"),
    "section": ("section",),
    "canvas_id": ("canvas id", "canvas_id", "canvas user id"),
}


@dataclass(frozen=True)
class RosterEntry:
    line: int
    name: str
    email: str
    id: str
    login: str = ""
    section: str = ""
    canvas_id: str = ""


@dataclass(frozen=True)
class RosterJoin:
    matched: tuple[tuple[RosterEntry, str | None], ...]  # every roster entry, with its learner (None: no files)
    unknown: tuple[str, ...]  # learners with files who are not on the roster
    ambiguous: tuple[str, ...]  # learners that match more than one roster entry (left unmatched)

    @property
    def no_submission(self) -> tuple[RosterEntry, ...]:
        return tuple(e for e, learner in self.matched if learner is None)

    def to_lines(self) -> list[str]:
        lines = ["  " + t("gradebook.roster.unknown", learner=learner) for learner in self.unknown]
        lines += ["  " + t("gradebook.roster.ambiguous", learner=learner) for learner in self.ambiguous]
        lines += ["  " + t("gradebook.roster.no_file", who=e.name or e.email or e.id, line=e.line)
                  for e in self.no_submission]
        return lines


def read_roster(path: str | os.PathLike) -> tuple[RosterEntry, ...]:
    """A roster CSV with a header: name, email, id (SIS or ID number); optional login, section, canvas id."""
    from .overrides import _read_text

    p = Path(path)
    text = _read_text(p, "roster")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        where = {}
        for field_name, aliases in ROSTER_ALIASES.items():
            where[field_name] = next((i for i, h in enumerate(header) if h in aliases), None)
        if where["name"] is None or (where["email"] is None and where["id"] is None):
            raise InvalidInput(t("gradebook.roster.header", name=p.name,
                                 found=", ".join(header)[:120] or t("gradebook.roster.nothing")))
        entries = []
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            get = {f: (row[i].strip() if i is not None and i < len(row) else "") for f, i in where.items()}
            if not (get["name"] or get["email"] or get["id"]):
                raise InvalidInput(t("gradebook.roster.empty_row", name=p.name, line=reader.line_num))
            entries.append(RosterEntry(reader.line_num, get["name"], get["email"], get["id"], get["login"],
                                       get["section"], get["canvas_id"]))
    except csv.Error as exc:
        raise InvalidInput(t("gradebook.roster.bad_csv", name=p.name, line=reader.line_num, error=exc)) from None
    return tuple(entries)


def _slug(name: str) -> str | None:
    try:
        return sanitize_learner(name)
    except AnswerError:
        return None


def join_roster(result: ClassResult, roster: Iterable[RosterEntry]) -> RosterJoin:
    """Match learners to roster entries by email, then ID number, then name."""
    roster = tuple(roster)
    claims: dict[int, list[str]] = {}
    unknown, ambiguous = [], []
    for lt in result.learners():
        hits = [i for i, e in enumerate(roster) if lt.email and e.email and lt.email.lower() == e.email.lower()]
        hits = hits or [i for i, e in enumerate(roster) if lt.student_id and e.id and lt.student_id == e.id]
        hits = hits or [i for i, e in enumerate(roster) if _slug(e.name) == lt.learner]
        if not hits:
            unknown.append(lt.learner)
        elif len(hits) > 1:
            ambiguous.append(lt.learner)
        else:
            claims.setdefault(hits[0], []).append(lt.learner)
    matched = []
    for i, entry in enumerate(roster):
        learners = claims.get(i, [])
        if len(learners) > 1:  # two learners' files point at one person: the instructor decides
            ambiguous.extend(learners)
            learners = []
        matched.append((entry, learners[0] if learners else None))
    return RosterJoin(tuple(matched), tuple(sorted(unknown)), tuple(sorted(set(ambiguous))))


def _title(exercise: str) -> str:
    ex = EXERCISES.get(exercise)
    return f"{ex.title} ({exercise})" if ex else exercise


def lms_rows(result: ClassResult, join: RosterJoin) -> list[tuple[RosterEntry, dict[str, float]]]:
    """Per roster entry: points per exercise (0 when not handed in) and the total."""
    totals = {t.learner: t for t in result.learners()}
    exercises = [e for e, _ in result.course]
    out = []
    for entry, learner in join.matched:
        t = totals.get(learner) if learner else None
        scores = dict(t.scores) if t else {}
        points = {e: scores.get(e, 0.0) for e in exercises}
        points["total"] = t.total if t else 0.0
        out.append((entry, points))
    return out


def write_canvas(path: str | os.PathLike, result: ClassResult, join: RosterJoin) -> Path:
    """Canvas Gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, one column per exercise,
    with the "Points Possible" row Canvas's own export has."""
    course = list(result.course)
    columns = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *[_title(e) for e, _ in course]]
    rows = [{"Student": "Points Possible", **{_title(e): m for e, m in course}}]
    for entry, points in lms_rows(result, join):
        rows.append({"Student": entry.name, "ID": entry.canvas_id, "SIS User ID": entry.id,
                     "SIS Login ID": entry.login or entry.email, "Section": entry.section,
                     **{_title(e): points[e] for e, _ in course}})
    return write_csv(path, columns, rows)


def write_moodle(path: str | os.PathLike, result: ClassResult, join: RosterJoin) -> Path:
    """Moodle "Import grades from CSV": map users from "Email address" or "ID number", then pick the grade
    columns. Roster entries with neither are left out (Moodle would stop at them)."""
    course = [e for e, _ in result.course]
    columns = ["Email address", "ID number", "Full name", *[_title(e) for e in course], "Course total (points)"]
    rows = [{"Email address": entry.email, "ID number": entry.id, "Full name": entry.name,
             **{_title(e): points[e] for e in course}, "Course total (points)": points["total"]}
            for entry, points in lms_rows(result, join) if entry.email or entry.id]
    return write_csv(path, columns, rows)


# --------------------------------------------------------------------------- the `grade` command

@dataclass(frozen=True)
class GradeRun:
    """What `course-utils grade` did: the class result, the files written and the roster join."""

    result: ClassResult
    written: tuple[str, ...] = ()
    roster: RosterJoin | None = None

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.result.summary(), written=list(self.written))
        if self.roster is not None:
            out["roster"] = {"not_on_roster": list(self.roster.unknown), "ambiguous": list(self.roster.ambiguous),
                             "no_submission": [{"name": e.name, "email": e.email, "id": e.id, "line": e.line}
                                               for e in self.roster.no_submission]}
        return out

    def to_text(self) -> str:
        lines = [self.result.to_text()]
        if self.roster is not None:
            lines += self.roster.to_lines()
        lines += ["  " + t("gradebook.wrote", path=w) for w in self.written]
        return "\n".join(lines)

    def __getattr__(self, name):  # a GradeRun reads like the ClassResult it wraps
        if name.startswith("__") or name == "result":
            raise AttributeError(name)
        return getattr(self.result, name)


def grade(folder: str | os.PathLike, key_file: str | None = None, overrides_file: str | None = None,
          out_csv: str | None = None, roster_file: str | None = None, progress: bool = False) -> GradeRun:
    """The CLI's `grade`: load key, overrides and roster, grade the folder, write the requested files.

    With a roster, grades_canvas.csv and grades_moodle.csv are written beside ``out_csv`` (or in the
    current folder)."""
    from .overrides import read_overrides

    targets = [Path(out_csv)] if out_csv else []
    if out_csv:
        targets.append(Path(out_csv).with_name(Path(out_csv).stem + "_questions.csv"))
    if roster_file:
        base = Path(out_csv).parent if out_csv else Path(".")
        targets += [base / "grades_canvas.csv", base / "grades_moodle.csv"]
    for target in targets:  # bad output paths are found before any grading work
        _check_target(target)
    key = load_key(key_file)
    overrides = read_overrides(overrides_file)
    roster = read_roster(roster_file) if roster_file else None
    skip = [p for p in (overrides_file, roster_file) if p] + targets
    result = grade_dir(folder, key, overrides, progress=progress, skip=skip)
    written = []
    if out_csv:
        columns, rows = gradebook_rows(result)
        written.append(write_csv(targets[0], columns, rows))
        written.append(write_csv(targets[1], QUESTION_COLUMNS, question_rows(result)))
    join = None
    if roster is not None:
        join = join_roster(result, roster)
        written.append(write_canvas(targets[-2], result, join))
        written.append(write_moodle(targets[-1], result, join))
    return GradeRun(result, tuple(str(w) for w in written), join)
