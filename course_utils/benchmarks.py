"""Open LLM Leaderboard scores (v1 and v2) with licence and size, charts, and a claim checker.

v1 (ARC, HellaSwag, MMLU, TruthfulQA, Winogrande, GSM8K) are raw accuracies in percent; v2
(IFEval, BBH, MATH Lvl 5, GPQA, MuSR, MMLU-Pro) are normalised so that random guessing is 0.
The two scales are never mixed: every table and chart is for one version and says which.
Data: data/leaderboard_v1.csv and _v2.csv, derived from the fboulnois/llm-leaderboard-csv dump
(MPL-2.0) of the Hugging Face Open LLM Leaderboard.
"""
from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from . import data
from .errors import InvalidInput
from .model_ids import CUTOFF_BOARD, did_you_mean, normalise_repo_id

BENCHMARKS = {
    1: ("arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k"),
    2: ("ifeval", "bbh", "math_lvl5", "gpqa", "musr", "mmlu_pro"),
}
LABELS = {"arc": "ARC", "hellaswag": "HellaSwag", "mmlu": "MMLU", "truthfulqa": "TruthfulQA",
          "winogrande": "Winogrande", "gsm8k": "GSM8K", "ifeval": "IFEval", "bbh": "BBH", "math_lvl5": "MATH Lvl 5",
          "gpqa": "GPQA", "musr": "MuSR", "mmlu_pro": "MMLU-Pro", "average": "Average"}
SCALE = {1: "Open LLM Leaderboard v1: raw accuracy, %",
         2: "Open LLM Leaderboard v2: normalised score (random = 0, perfect = 100)"}
# points: claims are rounded, and a model's runs differ slightly by precision; the research compared
# the sheet's 78.0 with the leaderboard's 78.55 for Llama-2-7b-chat HellaSwag and called it right.
CLAIM_TOLERANCE = 1.0


def _check_version(version: Any) -> int:
    try:
        v = int(version)
    except (TypeError, ValueError):
        v = None
    if v not in BENCHMARKS:
        raise InvalidInput(f"Leaderboard version must be 1 or 2, not {version!r}.")
    return v


def board(version: int = 1) -> tuple[dict, ...]:
    """All rows of one leaderboard version (cached; a few thousand rows)."""
    return data.load(f"leaderboard_v{_check_version(version)}")


@lru_cache(maxsize=4)
def _lower_index(version: int) -> dict[str, dict]:
    return {r["repo_id"].lower(): r for r in board(version)}


def find_row(repo_id: str, version: int = 1) -> dict:
    """A leaderboard row by repo id (case-insensitive), or InvalidInput with suggestions."""
    version = _check_version(version)
    repo_id = normalise_repo_id(repo_id)  # an address, a revision, quotes: the bare id
    key = repo_id.lower()
    index = _lower_index(version)
    if key in index:
        return index[key]
    from .hub import _id_fixes

    fix = _id_fixes().get(key)
    if fix:
        for candidate in fix["correct_ids"].split(";"):
            if candidate.lower() in index:
                return index[candidate.lower()]
    close = did_you_mean(key, index, n=4, cutoff=CUTOFF_BOARD)
    other = 2 if version == 1 else 1
    also = f" It is on the v{other} leaderboard." if key in _lower_index(other) else ""
    raise InvalidInput(f"{repo_id!r} is not on the Open LLM Leaderboard v{version} data.{also}",
                       suggestions=tuple(index[c]["repo_id"] for c in close))


def search_ids(text: str, version: int = 1, limit: int = 25) -> list[str]:
    """Leaderboard ids containing ``text`` (case-insensitive), shortest first: for search-as-you-type."""
    text = (text or "").strip().lower()
    if not text:
        return []
    hits = [r["repo_id"] for r in board(version) if text in r["repo_id"].lower()]
    hits.sort(key=lambda rid: (not rid.lower().split("/")[-1].startswith(text), not rid.lower().startswith(text),
                               len(rid), rid.lower()))
    return hits[:limit]


def license_of(row: dict) -> tuple[str, str]:
    """(licence id, where it comes from): the course catalog when it has the model, else the leaderboard."""
    cat = data.index("models").get(row["repo_id"])
    if cat and cat["license_key"]:
        return cat["license_key"], "course catalog"
    return (row["hub_license"] or "unknown"), "leaderboard dump (Hub licence at scrape time)"


def size_of(row: dict, version: int) -> tuple[float | None, str]:
    """Parameters in billions: exact from the course data when known (v1's own sizes are floored)."""
    arch = data.index("model_architectures").get(row["repo_id"])
    if arch and arch["total_params_billion"]:
        return arch["total_params_billion"], "model config (course data)"
    cat = data.index("models").get(row["repo_id"])
    if cat and cat["params_billion"]:
        return cat["params_billion"], "course catalog"
    return row["params_b"], "leaderboard" + (" (floored to whole billions)" if version == 1 else "")


def compare(repo_ids: Iterable[str], version: int = 1):
    """A DataFrame: one row per model with the version's scores, average, size, licence and source."""
    import pandas as pd

    version = _check_version(version)
    ids = [r for r in dict.fromkeys(x.strip() for x in repo_ids if isinstance(x, str) and x.strip())]
    if not ids:
        raise InvalidInput("Pick at least one model to compare.")
    records = []
    for rid in ids:
        row = find_row(rid, version)
        lic, lic_source = license_of(row)
        rec = {"repo_id": row["repo_id"]}
        rec.update({b: row[b] for b in BENCHMARKS[version]})
        params, params_source = size_of(row, version)
        note = ""
        if row["average"] is None:
            others = [i for i in search_ids(row["repo_id"].split("/")[-1], version, 5) if i != row["repo_id"]]
            note = f"no v{version} score under this id" + (f"; try {', '.join(others[:2])}" if others else "")
        rec.update(average=row["average"], params_b=params, params_source=params_source, license_id=lic,
                   license_source=lic_source, note=note, source=row["source_url"])
        records.append(rec)
    df = pd.DataFrame(records)
    df.attrs["version"] = version
    df.attrs["scale"] = SCALE[version]
    return df


def _missing(value) -> bool:
    return value is None or value != value  # None or NaN


def _version_of(df) -> int:
    return int(df.attrs.get("version", 1))


def plot_scores(df, title: str | None = None):
    """Grouped bars of every benchmark for the compared models (one version per chart)."""
    import matplotlib.pyplot as plt

    version = _version_of(df)
    benches = list(BENCHMARKS[version]) + ["average"]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    width = 0.8 / max(1, len(df))
    for i, (_, row) in enumerate(df.iterrows()):
        xs = [j + i * width for j in range(len(benches))]
        ax.bar(xs, [0.0 if _missing(row[b]) else row[b] for b in benches], width, label=row["repo_id"])
    ax.set_xticks([j + width * (len(df) - 1) / 2 for j in range(len(benches))])
    ax.set_xticklabels([LABELS[b] for b in benches])
    ax.set_ylabel("score")
    ax.set_title(title or SCALE[version])
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def plot_score_vs_size(df, title: str | None = None):
    """Average score against parameters (log scale), coloured by licence."""
    import matplotlib.pyplot as plt

    version = _version_of(df)
    fig, ax = plt.subplots(figsize=(7, 4))
    licences = sorted(set(df["license_id"]))
    cmap = plt.get_cmap("tab10")
    for k, lic in enumerate(licences):
        sub = df[(df["license_id"] == lic) & df["params_b"].notna() & df["average"].notna()]
        sub = sub[sub["params_b"].astype(float) > 0]
        ax.scatter(sub["params_b"], sub["average"], label=lic, color=cmap(k % 10), s=40)
        for _, row in sub.iterrows():
            ax.annotate(row["repo_id"].split("/")[-1], (row["params_b"], row["average"]), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("parameters (billions, log scale)" + (" — v1 sizes are floored" if version == 1 else ""))
    ax.set_ylabel("average")
    ax.set_title(title or SCALE[version])
    ax.legend(fontsize=7, title="licence")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- claim checking

@dataclass(frozen=True)
class ClaimError:
    repo_id: str
    field: str
    claimed: Any
    actual: Any
    source: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ClaimReport:
    errors: tuple[ClaimError, ...]
    checked: int
    version: int
    ignored_columns: tuple[str, ...] = ()  # columns that are neither a benchmark nor the licence (source, notes)

    def to_dict(self) -> dict[str, Any]:
        return {"errors": [e.to_dict() for e in self.errors], "checked": self.checked, "version": self.version,
                "ignored_columns": list(self.ignored_columns)}

    def to_text(self) -> str:
        if not self.errors:
            lines = [f"All {self.checked} claim(s) match the leaderboard v{self.version} data."]
        else:
            lines = [f"{len(self.errors)} of {self.checked} claim(s) are wrong:"]
            lines += [f"- {e.repo_id} {e.field}: claimed {e.claimed}, actual {e.actual} ({e.source})"
                      for e in self.errors]
        if self.ignored_columns:
            lines.append(f"Not checked (not a v{self.version} benchmark or the licence): "
                         + ", ".join(self.ignored_columns))
        return "\n".join(lines)


_FIELD_ALIASES = {"hellaswag score": "hellaswag", "mmlu score": "mmlu", "arc score": "arc", "license type": "license",
                  "licence": "license", "license_id": "license", "gsm8k score": "gsm8k"}


def _field(name: str, version: int) -> str:
    key = " ".join(str(name).strip().lower().replace("-", "").split())
    key = _FIELD_ALIASES.get(key, key).replace(" ", "")
    for b in BENCHMARKS[version] + ("average",):
        if key in (b, LABELS[b].lower().replace(" ", "").replace("-", "")):
            return b
    if key == "license":
        return "license"
    raise InvalidInput(f"Unknown field {name!r}: use a v{version} benchmark "
                       f"({', '.join(LABELS[b] for b in BENCHMARKS[version])}), 'average' or 'license'.")


_ID_COLUMNS = ("model", "repo_id", "model name")


def _is_field(name: str, version: int) -> bool:
    """A column to check; a benchmark of the other leaderboard version is an error, anything else is ignored."""
    try:
        _field(name, version)
        return True
    except InvalidInput:
        other = 2 if version == 1 else 1
        try:
            _field(name, other)
        except InvalidInput:
            return False
        raise InvalidInput(f"{name!r} is a leaderboard v{other} benchmark: check it with version {other} "
                           f"(--version {other}).") from None


def _claims_from(table, version: int = 1) -> tuple[list[dict], tuple[str, ...]]:
    """Claims from a CSV path, a DataFrame, or a list of dicts in long form (model, benchmark, value) or wide
    form; returns (claims, ignored column names)."""
    if isinstance(table, (str, Path)):
        path = Path(table)
        if path.is_dir():
            raise InvalidInput(f"{path} is a folder: give the path of a CSV file of claims.")
        try:
            with path.open(newline="", encoding="utf-8-sig") as fh:  # -sig: Excel's "CSV UTF-8" starts with a BOM
                rows = list(csv.DictReader(fh))
        except FileNotFoundError:
            raise InvalidInput(f"No claims file at {path}: check the path.") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInput(f"{path.name} is not a readable UTF-8 CSV file ({exc}): save it as CSV UTF-8.") \
                from None
    elif hasattr(table, "to_dict"):
        rows = table.to_dict(orient="records")
    else:
        rows = list(table)
    if not rows:
        raise InvalidInput("The claims table is empty: it needs a header (model, then benchmark columns and/or "
                           "license) and one row per model.")
    out, ignored, fields = [], {}, {}
    for row in rows:
        if not isinstance(row, dict):
            raise InvalidInput("Each claim must be a row of named values (model, benchmark columns, license).")
        row = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
        model = row.get("model") or row.get("repo_id") or row.get("model name")
        if not model:
            raise InvalidInput("Each claim needs a 'model' (or 'repo_id') column.")
        long_form = "benchmark" in row
        for k in row:
            if k in _ID_COLUMNS or (long_form and k in ("benchmark", "value", "license")):
                continue
            if long_form or not fields.setdefault(k, _is_field(k, version)):
                ignored.setdefault(k, None)
        if long_form:
            out.append({"model": str(model).strip(), "field": row["benchmark"], "value": row.get("value")})
            if row.get("license"):
                out.append({"model": str(model).strip(), "field": "license", "value": row["license"]})
        else:  # wide: one column per benchmark
            for k, v in row.items():
                if k in _ID_COLUMNS or k in ignored or v in (None, ""):
                    continue
                out.append({"model": str(model).strip(), "field": k, "value": v})
    if not out and ignored:
        raise InvalidInput(f"Unknown field(s) {', '.join(ignored)}: nothing to check. Use v{version} benchmark "
                           f"columns ({', '.join(LABELS[b] for b in BENCHMARKS[version])}) and/or 'license'.")
    return out, tuple(ignored)


def _same_license(claimed: str, actual: str) -> bool:
    from .licenses import resolve_license_id

    return resolve_license_id(str(claimed)) == actual


def check_claims(table, version: int = 1) -> ClaimReport:
    """Compare a claimed table with the leaderboard data; each error gives the true value and its source."""
    version = _check_version(version)
    errors: list[ClaimError] = []
    claims, ignored = _claims_from(table, version)
    for claim in claims:
        row = find_row(claim["model"], version)
        field = _field(claim["field"], version)
        if field == "license":
            actual, src = license_of(row)
            if not _same_license(claim["value"], actual):
                source = data.source_of("models", row["repo_id"]).split(" ; ")[0] if src == "course catalog" \
                    else row["source_url"]
                errors.append(ClaimError(row["repo_id"], "license", claim["value"], actual, source))
            continue
        actual = row[field]
        try:
            claimed = float(str(claim["value"]).replace(",", "."))
        except ValueError:
            raise InvalidInput(f"{claim['model']} {claim['field']}: {claim['value']!r} is not a number.") from None
        if actual is None or abs(claimed - actual) > CLAIM_TOLERANCE:
            errors.append(ClaimError(row["repo_id"], field, claimed, actual, row["source_url"]))
    return ClaimReport(tuple(errors), len(claims), version, ignored)


def sheet_claims() -> list[dict]:
    """The original exercise sheet's 'completed comparison table' (several values are wrong)."""
    return [dict(r) for r in data.load("sheet_claims")]


CLAIM_FIELDS = ("hellaswag", "mmlu", "license")


def check_spotted(ticked: list[str]):
    """Feedback on which of the sheet's claimed cells a learner marked wrong ('model|field' strings)."""
    from .feedback import Check

    claims = [{k: v for k, v in r.items() if k != "source"} for r in sheet_claims()]
    report = check_claims(claims)
    wrong = {f"{e.repo_id}|{e.field}": e for e in report.errors}
    ticked_set = set(ticked or [])
    checks = []
    for r in claims:
        for field in CLAIM_FIELDS:
            key = f"{r['model']}|{field}"
            err = wrong.get(key)
            truth = "wrong" if err else "right"
            given = "wrong" if key in ticked_set else "right"
            why = (f"Leaderboard: {err.actual} (source: {err.source})" if err else
                   f"Matches the data within {CLAIM_TOLERANCE:g} point(s)")
            checks.append(Check(f"{r['model']} {LABELS.get(field, field)}", given, truth, given == truth, why))
    return tuple(checks)
