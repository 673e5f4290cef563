"""Answers in, grades out: one set of checks for the notebooks' Check buttons and the instructor.

The grader only *reads JSON*: it never imports, evaluates, unpickles or executes anything from an
answer file, never follows a path written inside one, skips symlinks and caps file sizes. Every
answer value is treated as plain data; a value of the wrong shape scores 0 with a message. Library
warnings are silenced while grading so they can never change a score. Objective facts come from
the shipped snapshot (offline), so grading is reproducible.

Key format (data/answer_key.json): per exercise a list of questions, each with ``id``, ``points``
and a ``kind``: ``exact`` (``expected``), ``set`` (``expected`` list), ``numeric`` (``expected``,
``tolerance``), ``function`` (a named check below, partial credit = right/total), ``rubric`` (free
text: ``concepts`` as lists of alternatives, ``min_words``; provisional points flagged for review),
``min_items`` and ``completion``.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from . import data
from .answers import SCHEMA_VERSION, sanitize_learner
from .errors import AnswerError, CourseError, InvalidInput
from .exercises import EXERCISES
from .feedback import Check

MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class QuestionResult:
    question: str
    score: float
    max_points: float
    checks: tuple[Check, ...] = ()
    feedback: str = ""
    needs_review: bool = False
    answered: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "score": self.score, "max_points": self.max_points,
                "feedback": self.feedback, "needs_review": self.needs_review, "answered": self.answered,
                "checks": [c.to_dict() for c in self.checks]}

    def _repr_html_(self) -> str:
        from .feedback import checks_html

        head = f"<p><b>{self.score:g}/{self.max_points:g} points</b>" + \
               (" <i>(provisional: your instructor reviews this answer)</i>" if self.needs_review else "") + "</p>"
        body = checks_html(self.checks) if self.checks else ""
        import html

        return f"<div class='course-grade'>{head}{body}<p>{html.escape(self.feedback)}</p></div>"


@dataclass(frozen=True)
class LearnerResult:
    learner: str
    display: str
    exercise: str
    file: str
    questions: tuple[QuestionResult, ...]

    @property
    def score(self) -> float:
        return round(sum(q.score for q in self.questions), 2)

    @property
    def max_points(self) -> float:
        return round(sum(q.max_points for q in self.questions), 2)


@dataclass(frozen=True)
class Failure:
    file: str
    reason: str


@dataclass(frozen=True)
class ClassResult:
    results: tuple[LearnerResult, ...]
    failures: tuple[Failure, ...]

    @property
    def mean_percent(self) -> float | None:
        pct = [r.score / r.max_points * 100 for r in self.results if r.max_points]
        return round(sum(pct) / len(pct), 1) if pct else None

    def summary(self) -> dict[str, Any]:
        return {"graded": len(self.results), "failed": len(self.failures), "mean": self.mean_percent,
                "failures": [{"file": f.file, "reason": f.reason} for f in self.failures],
                "needs_review": sum(q.needs_review for r in self.results for q in r.questions)}

    def to_dict(self) -> dict[str, Any]:
        return self.summary()

    def to_text(self) -> str:
        s = self.summary()
        lines = [f"graded {s['graded']} file(s); could not grade {s['failed']}; mean {s['mean']}%; "
                 f"{s['needs_review']} free-text answer(s) to review"]
        lines += [f"  not graded: {f.file}: {f.reason}" for f in self.failures]
        return "\n".join(lines)


# --------------------------------------------------------------------------- the key

def load_key(path: str | os.PathLike | None = None) -> dict:
    """The shipped answer key, or an instructor's private key file (same format)."""
    if path is None:
        key = data.load_json("answer_key.json")
    else:
        p = Path(path)
        try:
            key = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InvalidInput(f"No key file at {p}.") from None
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidInput(f"The key file {p.name} is not valid JSON ({exc}).") from None
    validate_key(key)
    return key


def validate_key(key: Any) -> None:
    if not isinstance(key, dict) or not isinstance(key.get("exercises"), dict):
        raise InvalidInput("An answer key needs an 'exercises' object.")
    for ex, spec in key["exercises"].items():
        questions = spec.get("questions") if isinstance(spec, dict) else None
        if not isinstance(questions, list):
            raise InvalidInput(f"Key exercise {ex!r} needs a 'questions' list.")
        for q in questions:
            if not isinstance(q, dict) or "id" not in q or "kind" not in q:
                raise InvalidInput(f"Key exercise {ex!r}: every question needs 'id' and 'kind'.")
            if q["kind"] not in KINDS:
                raise InvalidInput(f"Key question {ex}/{q['id']}: unknown kind {q['kind']!r}; "
                                   f"use one of {', '.join(KINDS)}.")
            if q["kind"] == "function" and q.get("function") not in FUNCTIONS:
                raise InvalidInput(f"Key question {ex}/{q['id']}: unknown function {q.get('function')!r}; "
                                   f"use one of {', '.join(FUNCTIONS)}.")
            points = q.get("points", 1)
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
                raise InvalidInput(f"Key question {ex}/{q['id']}: points must be a number ≥ 0.")


def question_spec(key: dict, exercise: str, question: str) -> dict:
    for q in key["exercises"].get(exercise, {}).get("questions", []):
        if q["id"] == question:
            return q
    raise InvalidInput(f"The key has no question {exercise}/{question}.")


# --------------------------------------------------------------------------- named checks (objective)

@contextlib.contextmanager
def _snapshot_only():
    """Objective facts from the shipped snapshot: reproducible grades, no network."""
    old = os.environ.get("COURSE_UTILS_OFFLINE")
    os.environ["COURSE_UTILS_OFFLINE"] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COURSE_UTILS_OFFLINE", None)
        else:
            os.environ["COURSE_UTILS_OFFLINE"] = old


def _f_matrix(value, spec):
    from .openness import check_matrix

    return check_matrix(value)


def _f_classification(value, spec):
    from .openness import check_classification

    return check_classification(value)


def _f_both_scales(value, spec):
    from .openness import check_both_scales

    return check_both_scales(value)


def _f_checklist(value, spec):
    from .licenses import check_checklist

    if not isinstance(value, dict) or not isinstance(value.get("repo_id"), str) or not value["repo_id"].strip():
        raise InvalidInput("The checklist names no model.")
    restrictions = value.get("restrictions") if isinstance(value.get("restrictions"), list) else []
    gated = value.get("gated") if isinstance(value.get("gated"), bool) else None
    return check_checklist(value["repo_id"], str(value.get("license_id") or ""), value.get("commercial_use") or None,
                           [str(r) for r in restrictions], gated)


def _f_team_pick(value, spec):
    from .matchmaker import check_pick

    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("No model was picked.")
    fb = check_pick(spec["team"], value)
    return tuple(Check(c.need, value, "meets the need", bool(c.ok), c.why) for c in fb.checks)


def _f_own_readiness(value, spec):
    """The learner's table against the audit snapshot recorded with it."""
    if not isinstance(value, dict) or not isinstance(value.get("audit"), dict):
        raise InvalidInput("No audit was recorded with this table: click 'Compare with the audit' in notebook 04.")
    audit = value["audit"]
    checks = []

    def num(x):
        return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None

    ram, true_ram = num(value.get("ram_gb")), num(audit.get("ram_total_gb"))
    if true_ram is not None:
        ok = ram is not None and abs(ram - true_ram) <= max(1.0, 0.1 * true_ram)
        checks.append(Check("RAM (GB)", ram, true_ram, ok, "within 10 % of the audit"))
    disk, true_disk = num(value.get("disk_free_gb")), num(audit.get("disk_free_gb"))
    if true_disk is not None:
        ok = disk is not None and abs(disk - true_disk) <= max(2.0, 0.15 * true_disk)
        checks.append(Check("Free disk (GB)", disk, true_disk, ok, "within 15 % of the audit"))
    for item, truth_key in (("AVX2", "avx2"), ("Verdict", "verdict")):
        truth = audit.get(truth_key)
        if truth is not None:
            checks.append(Check(item, value.get(truth_key), truth, value.get(truth_key) == truth,
                                "as the audit found"))
    if not checks:
        raise InvalidInput("The recorded audit has no values to compare with.")
    return tuple(checks)


def _f_spotted(value, spec):
    from .benchmarks import check_spotted

    return check_spotted([str(v) for v in value] if isinstance(value, list) else [])


def _f_pros_cons(value, spec):
    from .deploy import check_pros_cons

    return check_pros_cons(value)


FUNCTIONS: dict[str, Callable[[Any, dict], tuple[Check, ...]]] = {
    "openness_matrix": _f_matrix, "openness_classification": _f_classification, "license_checklist": _f_checklist,
    "openness_both_scales": _f_both_scales,
    "team_pick": _f_team_pick, "own_readiness": _f_own_readiness, "spotted_errors": _f_spotted,
    "pros_cons": _f_pros_cons,
}


# --------------------------------------------------------------------------- question kinds

def _words(value: Any) -> list[str]:
    return re.findall(r"[\w'$%/.-]+", value) if isinstance(value, str) else []


def _grade_rubric(value, spec, points) -> QuestionResult:
    text = value if isinstance(value, str) else ""
    words = len(_words(text))
    low = text.lower()
    groups = spec.get("concepts", [])
    checks = []
    for group in groups:
        alternatives = [str(a) for a in (group if isinstance(group, list) else [group])]
        found = next((a for a in alternatives if a.lower() in low), None)
        checks.append(Check(f"mentions {alternatives[0]}", found, " / ".join(alternatives), found is not None,
                            "concept found" if found else "concept not found"))
    min_words = int(spec.get("min_words", 0))
    long_enough = words >= min_words
    share = (sum(c.correct for c in checks) / len(checks)) if checks else 1.0
    score = round(points * share, 2) if long_enough else 0.0
    note = (f"{words} words (minimum {min_words}). Provisional rubric points; your instructor reviews this answer."
            if long_enough else f"Only {words} words: write at least {min_words} to earn points.")
    return QuestionResult(spec["id"], score, points, tuple(checks), note, needs_review=True, answered=bool(text))


def _grade_question(spec: dict, answers: dict) -> QuestionResult:
    qid, kind, points = spec["id"], spec["kind"], float(spec.get("points", 1))
    value = answers.get(qid)
    # an empty list or object is an answer for a checked question ("nothing is wrong"), not for the others
    if value is None or value == "" or (value in ([], {}) and kind != "function"):
        return QuestionResult(qid, 0.0, points, (), "Not answered.", needs_review=False, answered=False)
    if kind == "rubric":
        return _grade_rubric(value, spec, points)
    if kind == "completion":
        return QuestionResult(qid, points, points, (), "Done.")
    if kind == "min_items":
        items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
        each = int(spec.get("min_words_each", 0))
        good = [i for i in items if (len(_words(i)) >= each if each else i not in (None, ""))]
        need = int(spec.get("min_items", 1))
        score = round(points * min(1.0, len(good) / need), 2)
        return QuestionResult(qid, score, points, (), f"{len(good)} item(s) of at least {need}.")
    if kind == "exact":
        ok = value == spec.get("expected")
        return QuestionResult(qid, points if ok else 0.0, points,
                              (Check(qid, value, spec.get("expected"), ok, spec.get("why", "")),))
    if kind == "set":
        ok = isinstance(value, list) and {json.dumps(v, sort_keys=True) for v in value} == \
            {json.dumps(v, sort_keys=True) for v in spec.get("expected", [])}
        return QuestionResult(qid, points if ok else 0.0, points,
                              (Check(qid, value, spec.get("expected"), ok, spec.get("why", "")),))
    if kind == "numeric":
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        ok = number is not None and abs(number - float(spec["expected"])) <= float(spec.get("tolerance", 0))
        return QuestionResult(qid, points if ok else 0.0, points,
                              (Check(qid, value, spec["expected"], ok, f"tolerance ±{spec.get('tolerance', 0)}"),))
    # function: partial credit
    with _snapshot_only():
        checks = FUNCTIONS[spec["function"]](value, spec)
    right = sum(c.correct for c in checks)
    score = round(points * right / len(checks), 2) if checks else 0.0
    return QuestionResult(qid, score, points, tuple(checks), f"{right}/{len(checks)} right.")


def grade_answers(exercise: str, answers: dict, key: dict | None = None) -> tuple[QuestionResult, ...]:
    """Grade one exercise's answers (a dict of question id -> value) against the key."""
    key = key or load_key()
    spec = key["exercises"].get(exercise)
    if spec is None:
        raise InvalidInput(f"The key has no exercise {exercise!r}.")
    out = []
    for q in spec["questions"]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(_grade_question(q, answers))
        except CourseError as exc:
            out.append(QuestionResult(q["id"], 0.0, float(q.get("points", 1)), (), f"Could not check: {exc}"))
        except Exception as exc:  # noqa: BLE001 - an answer of an odd shape must never stop grading
            out.append(QuestionResult(q["id"], 0.0, float(q.get("points", 1)), (),
                                      f"The answer has an unexpected shape ({type(exc).__name__})."))
    return tuple(out)


def check_question(exercise: str, question: str, value: Any, key: dict | None = None) -> QuestionResult:
    """What a notebook's Check button shows: the grader's own result for one answer."""
    key = key or load_key()
    spec = question_spec(key, exercise, question)
    return next(r for r in grade_answers(exercise, {question: value}, {"exercises": {exercise: {"questions": [spec]}}}))


# --------------------------------------------------------------------------- files and folders

def read_answer_document(path: Path) -> dict:
    """Read and validate one answer file; raises AnswerError with the reason it cannot be graded."""
    if path.is_symlink():
        raise AnswerError("is a symbolic link (not followed)")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AnswerError(f"cannot be read ({exc.strerror})") from None
    if size == 0:
        raise AnswerError("is empty")
    if size > MAX_FILE_BYTES:
        raise AnswerError(f"is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise AnswerError("is not UTF-8 text") from None
    except ValueError as exc:
        raise AnswerError(f"is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(doc, dict):
        raise AnswerError("is JSON but not an answer file (no object at the top)")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise AnswerError(f"has schema version {doc.get('schema_version')!r}; this grader reads {SCHEMA_VERSION}")
    if doc.get("exercise") not in EXERCISES:
        raise AnswerError(f"names an unknown exercise {str(doc.get('exercise'))[:40]!r}")
    if not isinstance(doc.get("answers"), dict):
        raise AnswerError("has no 'answers' object")
    try:
        doc["learner"] = sanitize_learner(str(doc.get("learner", "")))
    except AnswerError:
        raise AnswerError("has no usable learner name") from None
    return doc


def grade_dir(folder: str | os.PathLike, key: dict | None = None, overrides: dict | None = None,
              progress: bool = False) -> ClassResult:
    """Grade every *.json file in a folder (not following links); bad files are reported, not fatal."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder of answer files.")
    key = key or load_key()
    files = sorted(p for p in folder.rglob("*.json") if not p.name.startswith("."))
    failures: list[Failure] = []
    docs: dict[tuple[str, str], list[tuple[str, Path, dict]]] = {}
    bar = _progress(len(files)) if progress else None
    for path in files:
        rel = str(path.relative_to(folder))
        try:
            doc = read_answer_document(path)
        except AnswerError as exc:
            failures.append(Failure(rel, str(exc)))
        else:
            docs.setdefault((doc["learner"], doc["exercise"]), []).append((str(doc.get("saved_at", "")), path, doc))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    results = []
    for (learner, exercise), found in sorted(docs.items()):
        found.sort(key=lambda t: (t[0], str(t[1])))
        *older, (_, path, doc) = found
        for _saved, old_path, _d in older:
            failures.append(Failure(str(old_path.relative_to(folder)),
                                    f"two files for {learner}/{exercise}: graded the newer {path.name} instead"))
        if exercise not in key["exercises"]:
            failures.append(Failure(str(path.relative_to(folder)), f"the key has no exercise {exercise}"))
            continue
        questions = grade_answers(exercise, doc["answers"], key)
        questions = _apply_overrides(questions, learner, exercise, overrides or {})
        display = str(doc.get("learner_display") or learner)[:200]
        results.append(LearnerResult(learner, display, exercise, str(path.relative_to(folder)), questions))
    return ClassResult(tuple(results), tuple(sorted(failures, key=lambda f: f.file)))


def _progress(total: int):
    try:
        from tqdm.auto import tqdm

        return tqdm(total=total, desc="grading", unit="file", leave=False)
    except ImportError:
        return None


# --------------------------------------------------------------------------- overrides (manual review)

OVERRIDE_COLUMNS = ("learner", "exercise", "question", "score", "comment")


def read_overrides(path: str | os.PathLike | None) -> dict:
    if not path:
        return {}
    p = Path(path)
    if not p.exists():
        raise InvalidInput(f"No overrides file at {p}.")
    out = {}
    with p.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in OVERRIDE_COLUMNS[:4] if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(f"{p.name} needs the columns {', '.join(OVERRIDE_COLUMNS)}; missing {', '.join(missing)}.")
        for n, row in enumerate(reader, start=2):
            try:
                score = float(row["score"])
            except (TypeError, ValueError):
                raise InvalidInput(f"{p.name}, line {n}: score {row['score']!r} is not a number.") from None
            out[(sanitize_learner(row["learner"]), row["exercise"].strip(), row["question"].strip())] = \
                (score, (row.get("comment") or "").strip())
    return out


def _apply_overrides(questions, learner, exercise, overrides) -> tuple[QuestionResult, ...]:
    out = []
    for q in questions:
        hit = overrides.get((learner, exercise, q.question))
        if hit is not None:
            score, comment = hit
            score = max(0.0, min(q.max_points, score))
            q = QuestionResult(q.question, score, q.max_points, q.checks,
                               f"Reviewed by the instructor: {comment}" if comment else "Reviewed by the instructor.",
                               needs_review=False, answered=q.answered)
        out.append(q)
    return tuple(out)


def save_override(path: str | os.PathLike, learner: str, exercise: str, question: str, score: float,
                  comment: str = "") -> Path:
    """Add or replace one manual score in the overrides CSV (atomic write)."""
    p = Path(path)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or score < 0:
        raise InvalidInput(f"The score must be a number ≥ 0, not {score!r}.")
    rows = {}
    if p.exists():
        with p.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                rows[(row["learner"], row["exercise"], row["question"])] = row
    rows[(learner, exercise, question)] = {"learner": learner, "exercise": exercise, "question": question,
                                           "score": f"{score:g}", "comment": comment.replace("\n", " ")}
    _write_csv(p, OVERRIDE_COLUMNS, [rows[k] for k in sorted(rows)])
    return p


# --------------------------------------------------------------------------- exports

def _write_csv(path: Path, columns: Iterable[str], rows: Iterable[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    os.replace(tmp, path)


def gradebook_rows(result: ClassResult) -> tuple[list[str], list[dict]]:
    """One row per learner: a total per exercise, the overall total and percent (LMS import)."""
    learners: dict[str, dict] = {}
    for r in result.results:
        row = learners.setdefault(r.learner, {"learner": r.learner, "name": r.display})
        row[r.exercise] = r.score
        row[f"{r.exercise}_max"] = r.max_points
    exercises = sorted({r.exercise for r in result.results})
    columns = ["learner", "name", *exercises, "total", "max", "percent"]
    rows = []
    for learner in sorted(learners):
        row = learners[learner]
        total = round(sum(row.get(e, 0) for e in exercises), 2)
        maximum = round(sum(row.get(f"{e}_max", 0) for e in exercises), 2)
        out = {c: row.get(c, "") for c in ["learner", "name", *exercises]}
        out.update(total=total, max=maximum, percent=round(total / maximum * 100, 1) if maximum else "")
        rows.append(out)
    return columns, rows


def question_rows(result: ClassResult) -> list[dict]:
    return [{"learner": r.learner, "exercise": r.exercise, "question": q.question, "score": q.score,
             "max_points": q.max_points, "needs_review": q.needs_review, "feedback": q.feedback}
            for r in result.results for q in r.questions]


def gradescope_results(result: ClassResult) -> dict:
    """Gradescope-shaped results: per submission, tests with score, max_score and output."""
    subs = []
    for r in result.results:
        tests = [{"name": f"{r.exercise}/{q.question}", "score": q.score, "max_score": q.max_points,
                  "output": q.feedback + (" [needs review]" if q.needs_review else ""), "visibility": "visible"}
                 for q in r.questions]
        subs.append({"learner": r.learner, "exercise": r.exercise, "file": r.file, "score": r.score,
                     "max_score": r.max_points, "tests": tests})
    return {"submissions": subs, "not_graded": [{"file": f.file, "reason": f.reason} for f in result.failures]}


def write_outputs(result: ClassResult, out_csv: str | os.PathLike | None = None,
                  results_json: str | os.PathLike | None = None) -> list[Path]:
    written = []
    if out_csv:
        columns, rows = gradebook_rows(result)
        p = Path(out_csv)
        _write_csv(p, columns, rows)
        q = p.with_name(p.stem + "_questions.csv")
        _write_csv(q, ["learner", "exercise", "question", "score", "max_points", "needs_review", "feedback"],
                   question_rows(result))
        written += [p, q]
    if results_json:
        p = Path(results_json)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(gradescope_results(result), fh, indent=1, sort_keys=True)
        os.replace(tmp, p)
        written.append(p)
    return written


def grade(folder: str | os.PathLike, key_file: str | None = None, overrides_file: str | None = None,
          out_csv: str | None = None, results_json: str | None = None, progress: bool = False) -> ClassResult:
    """The CLI's `grade`: load the key and overrides, grade the folder, write the requested files."""
    key = load_key(key_file)
    result = grade_dir(folder, key, read_overrides(overrides_file), progress=progress)
    write_outputs(result, out_csv, results_json)
    return result


KINDS = ("exact", "set", "numeric", "function", "rubric", "min_items", "completion")
