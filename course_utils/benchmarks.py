"""Open LLM Leaderboard scores (v1 and v2) with licence and size, charts, and a claim checker.

v1 (ARC, HellaSwag, MMLU, TruthfulQA, Winogrande, GSM8K) are raw accuracies in percent; v2
(IFEval, BBH, MATH Lvl 5, GPQA, MuSR, MMLU-Pro) are normalised so that random guessing is 0.
The two scales are never mixed: every table and chart is for one version and says which.
Data: data/leaderboard_v1.csv and _v2.csv, derived from the fboulnois/llm-leaderboard-csv dump
(MPL-2.0) of the Hugging Face Open LLM Leaderboard.
"""
from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import data
from .errors import InvalidInput
from .i18n import number, t, tn
from .model_ids import CUTOFF_BOARD, did_you_mean, normalise_repo_id
from .palette import HATCHES, MARKERS, PALETTE  # the course's colours (Okabe-Ito) and second cues

BENCHMARKS = {
    1: ("arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k"),
    2: ("ifeval", "bbh", "math_lvl5", "gpqa", "musr", "mmlu_pro"),
}
# Benchmark names are proper names, the same in every language (what a column or claim is matched by);
# what a learner reads about them (``bench_label``, ``about``) comes from the catalogs.
LABELS = {"arc": "ARC", "hellaswag": "HellaSwag", "mmlu": "MMLU", "truthfulqa": "TruthfulQA",
          "winogrande": "Winogrande", "gsm8k": "GSM8K", "ifeval": "IFEval", "bbh": "BBH", "math_lvl5": "MATH Lvl 5",
          "gpqa": "GPQA", "musr": "MuSR", "mmlu_pro": "MMLU-Pro", "average": "Average"}


class _Scales(Mapping):
    """``SCALE[version]``: what one version's numbers mean, in the language in force."""

    def __getitem__(self, version):
        if version not in BENCHMARKS:
            raise KeyError(version)
        return t(f"benchmarks.scale.v{version}")

    def __iter__(self):
        return iter(BENCHMARKS)

    def __len__(self):
        return len(BENCHMARKS)


SCALE = _Scales()
# points: claims are rounded, and a model's runs differ slightly by precision; the research compared
# the sheet's 78.0 with the leaderboard's 78.55 for Llama-2-7b-chat HellaSwag and called it right.
CLAIM_TOLERANCE = 1.0


def _check_version(version: Any) -> int:
    try:
        v = int(version)
    except (TypeError, ValueError):
        v = None
    if v not in BENCHMARKS:
        raise InvalidInput(t("benchmarks.version.bad", value=repr(version)))
    return v


def bench_label(bench: str) -> str:
    """What a learner reads for a benchmark column: its name, or 'Average' in their language."""
    return t("benchmarks.average") if bench == "average" else LABELS.get(bench, bench)


def about(bench: str) -> str:
    """One line on what a benchmark measures and how the leaderboard ran it (catalog text)."""
    return t(f"benchmarks.about.{bench}")


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
    message = t("benchmarks.row.not_found", repo=repr(repo_id), version=version)
    if key in _lower_index(other):
        message += " " + t("benchmarks.row.on_other", other=other)
    raise InvalidInput(message,
                       suggestions=tuple(index[c]["repo_id"] for c in close))


_ID_SHAPE = re.compile(r"^[\w.-]+/[\w.-]+$")


@lru_cache(maxsize=1)
def publishers() -> frozenset[str]:
    """Organisations that publish original models (lower case): the author of every catalog model that
    has no base model, and the organisation of every catalog model's base model. TheBloke or unsloth
    re-upload others' models, so they are not among them."""
    orgs = set()
    for row in data.load("models"):
        base = (row["base_model"] or "").strip()
        if not base:
            orgs.add(row["author"].lower())
        elif _ID_SHAPE.match(base):
            orgs.add(base.split("/")[0].lower())
    return frozenset(orgs)


def search_ids(text: str, version: int = 1, limit: int = 25) -> list[str]:
    """Leaderboard ids containing ``text`` (case-insensitive), for search-as-you-type.

    Order: repos of the organisations that publish original models (:func:`publishers`) first, so
    ``meta-llama/Llama-2-7b-chat-hf`` comes before ``TheBloke/Llama-2-7b-Chat-AWQ``; then, in each
    group, names that start with the text, ids that start with it, shorter ids, alphabetical."""
    text = (text or "").strip().lower()
    if not text:
        return []
    official = publishers()
    hits = [r["repo_id"] for r in board(version) if text in r["repo_id"].lower()]
    hits.sort(key=lambda rid: (rid.split("/")[0].lower() not in official,
                               not rid.lower().split("/")[-1].startswith(text), not rid.lower().startswith(text),
                               len(rid), rid.lower()))
    return hits[:limit]


def _catalog_licence(row: dict) -> str:
    cat = data.index("models").get(row["repo_id"])
    return cat["license_key"] if cat and cat["license_key"] else ""


UNKNOWN_LICENCE = "unknown"  # the licence id of a leaderboard row that names none (a data value, not a text)


def license_of(row: dict) -> tuple[str, str]:
    """(licence id, where it comes from): the course catalog when it has the model, else the leaderboard."""
    lic = _catalog_licence(row)
    if lic:
        return lic, t("benchmarks.source.catalog")
    return (row["hub_license"] or UNKNOWN_LICENCE), t("benchmarks.source.leaderboard_licence")


def licence_label(licence_id: object) -> str:
    """A comparison's licence cell as a reader sees it: the id, or 'unknown' in their language."""
    return t("benchmarks.licence.unknown") if licence_id == UNKNOWN_LICENCE else str(licence_id)


def size_of(row: dict, version: int) -> tuple[float | None, str]:
    """Parameters in billions: exact from the course data when known (v1's own sizes are floored)."""
    arch = data.index("model_architectures").get(row["repo_id"])
    if arch and arch["total_params_billion"]:
        return arch["total_params_billion"], t("benchmarks.source.config")
    cat = data.index("models").get(row["repo_id"])
    if cat and cat["params_billion"]:
        return cat["params_billion"], t("benchmarks.source.catalog")
    return row["params_b"], t("benchmarks.source.leaderboard_floored" if version == 1 else "benchmarks.source.leaderboard")


def _unscored(row: dict, version: int) -> bool:
    return all(row[b] is None for b in BENCHMARKS[version]) and row["average"] is None


def _others(row: dict, version: int) -> list[str]:
    """Other ids of the same name that have scores on this version (OLMo-7B -> OLMo-7B-hf)."""
    return [i for i in search_ids(row["repo_id"].split("/")[-1], version, 8)
            if i != row["repo_id"] and not _unscored(find_row(i, version), version)][:2]


def _skip_reason(rid: str, version: int) -> tuple[str, str] | None:
    """(id as the data spells it, what to try) when a model has no scores on this version, else None."""
    try:
        row = find_row(rid, version)
    except InvalidInput:
        other = 2 if version == 1 else 1
        try:
            row = find_row(rid, other)  # on the other version only: skipped with a note, not an error
        except InvalidInput:
            raise  # on neither: a typo, answered with suggestions
        return row["repo_id"], t("benchmarks.skipped.try_other", other=other)
    if _unscored(row, version):
        others = _others(row, version)
        if others:
            return row["repo_id"], t("benchmarks.skipped.try_ids", ids=", ".join(others))
        other = 2 if version == 1 else 1
        scored_there = row["repo_id"].lower() in _lower_index(other) and \
            not _unscored(find_row(row["repo_id"], other), other)
        return row["repo_id"], (t("benchmarks.skipped.try_other", other=other) if scored_there else "")
    return None


def compare(repo_ids: Iterable[str], version: int = 1):
    """A DataFrame: one row per model with the version's scores, average, size, licence and source.

    Models this version never scored are left out and named in ``df.attrs["skipped"]`` (id -> what to
    try instead) and ``df.attrs["notes"]``; only when none is left is it an error."""
    import pandas as pd

    version = _check_version(version)
    ids = [r for r in dict.fromkeys(x.strip() for x in repo_ids if isinstance(x, str) and x.strip())]
    if not ids:
        raise InvalidInput(t("benchmarks.compare.none"))
    records, skipped = [], {}
    for rid in ids:
        reason = _skip_reason(rid, version)
        if reason is not None:
            skipped[reason[0]] = reason[1]
            continue
        row = find_row(rid, version)
        lic, lic_source = license_of(row)
        rec = {"repo_id": row["repo_id"]}
        rec.update({b: row[b] for b in BENCHMARKS[version]})
        params, params_source = size_of(row, version)
        note = t("benchmarks.note.partial", version=version) if row["average"] is None else ""
        rec.update(average=row["average"], params_b=params, params_source=params_source, license_id=lic,
                   license_source=lic_source, note=note, source=row["source_url"])
        records.append(rec)
    notes = [skipped_note(skipped, version)] if skipped else []
    if not records:
        raise InvalidInput(" ".join([t("benchmarks.compare.nothing_left", version=version)] + notes))
    df = pd.DataFrame(records)
    df.attrs.update(version=version, scale=SCALE[version], skipped=skipped, notes=notes)
    return df


def skipped_note(skipped: Mapping[str, str], version: int) -> str:
    """One sentence naming the models left out of a comparison, with what to try for each."""
    parts = [rid + (f" ({hint})" if hint else "") for rid, hint in skipped.items()]
    return tn("benchmarks.skipped.note", len(parts), version=version, ids=t("common.list_sep").join(parts))


def _missing(value) -> bool:
    return value is None or value != value  # None or NaN


def _version_of(df) -> int:
    return int(df.attrs.get("version", 1))


def _num(value: float) -> str:
    return number(value, "g")


SIZE_TICKS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
FINE_SIZE_TICKS = (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 30, 40, 50, 70, 100, 200, 500, 1000)


def _short(repo_id: str) -> str:
    return repo_id.split("/")[-1]


def plot_scores(df, title: str | None = None):
    """Grouped bars of every benchmark for the compared models (one version per chart); each model has
    its own colour and hatch, and a score is written above each bar."""
    import matplotlib.pyplot as plt

    version = _version_of(df)
    benches = list(BENCHMARKS[version]) + ["average"]
    fig, ax = plt.subplots(figsize=(9, 4.2))
    width = 0.8 / max(1, len(df))
    for i, (_, row) in enumerate(df.iterrows()):
        xs = [j + i * width for j in range(len(benches))]
        values = [0.0 if _missing(row[b]) else row[b] for b in benches]
        bars = ax.bar(xs, values, width, label=_short(row["repo_id"]), color=PALETTE[i % len(PALETTE)],
                      hatch=HATCHES[i % len(HATCHES)], edgecolor="#333333", linewidth=0.5)
        if len(df) <= 4:
            ax.bar_label(bars, labels=[("—" if _missing(row[b]) else f"{row[b]:.0f}") for b in benches],
                         fontsize=6, padding=1)
    ax.set_xticks([j + width * (len(df) - 1) / 2 for j in range(len(benches))])
    ax.set_xticklabels([bench_label(b) for b in benches])
    ax.set_ylabel(t("benchmarks.chart.score"))
    ax.set_title(title or t("benchmarks.chart.bars_title", scale=SCALE[version]), fontsize=10)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def size_ticks(low: float, high: float) -> list[float]:
    """Round ticks for a log axis of sizes in billions (1, 2, 5, 10, 20, 50...), covering low..high."""
    below = [v for v in SIZE_TICKS if v <= low / 1.2] or [SIZE_TICKS[0]]
    above = [v for v in SIZE_TICKS if v >= high * 1.2] or [SIZE_TICKS[-1]]
    ticks = [v for v in SIZE_TICKS if below[-1] <= v <= above[0]]
    if len(ticks) < 3:  # models of similar size (6.7 B and 7.1 B): 5, 6, 7, 8, 10 rather than 5, 10
        ticks = [v for v in FINE_SIZE_TICKS if below[-1] <= v <= above[0]]
    return ticks


def _sized(df):
    sub = df[df["params_b"].notna() & df["average"].notna()]
    return sub[sub["params_b"].astype(float) > 0]


def plot_score_vs_size(df, title: str | None = None):
    """Average score against parameters (log axis with round ticks), a marker shape per licence."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    version = _version_of(df)
    fig, ax = plt.subplots(figsize=(7, 4.4))
    sized = _sized(df)
    for k, lic in enumerate(sorted(set(sized["license_id"]))):
        sub = sized[sized["license_id"] == lic]
        ax.scatter(sub["params_b"], sub["average"], label=lic, color=PALETTE[k % len(PALETTE)],
                   marker=MARKERS[k % len(MARKERS)], s=50, edgecolors="#333333", linewidths=0.5)
        for _, row in sub.iterrows():
            ax.annotate(_short(row["repo_id"]), (row["params_b"], row["average"]), fontsize=7,
                        xytext=(4, 4), textcoords="offset points")
    ax.set_xscale("log")
    ax.margins(y=0.15)  # room for the names above the highest and lowest points
    if len(sized):
        ticks = size_ticks(float(sized["params_b"].min()), float(sized["params_b"].max()))
        ax.set_xlim(ticks[0], ticks[-1])
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: t("benchmarks.chart.billions", value=_num(v))))
        ax.xaxis.set_minor_locator(NullLocator())
    floored = version == 1 and (sized["params_source"] == t("benchmarks.source.leaderboard_floored")).any()
    ax.set_xlabel(t("benchmarks.chart.size_axis") + (t("benchmarks.chart.floored") if floored else ""))
    ax.set_ylabel(t("benchmarks.chart.average_axis"))
    ax.set_title(title or t("benchmarks.chart.scatter_title", scale=SCALE[version]), fontsize=10)
    if len(sized):
        ax.legend(fontsize=7, title=t("benchmarks.chart.licence"))
    fig.tight_layout()
    return fig


def describe_scores(df) -> str:
    """The bar chart in words (its alt text): every model's score on every benchmark."""
    version = _version_of(df)
    benches = list(BENCHMARKS[version]) + ["average"]
    models = [t("benchmarks.alt.model_scores", model=_short(row["repo_id"]), scores=t("benchmarks.alt.sep").join(
        f"{bench_label(b)} {'—' if _missing(row[b]) else _num(round(float(row[b]), 2))}" for b in benches))
        for _, row in df.iterrows()]
    return t("benchmarks.alt.bars", scale=SCALE[version], models=". ".join(models))


def describe_score_vs_size(df) -> str:
    """The scatter in words (its alt text): each model's size, average and licence."""
    version = _version_of(df)
    sized = _sized(df)
    points = [tn("benchmarks.alt.point", round(float(row["params_b"]), 2), model=_short(row["repo_id"]),
                 size=_num(round(float(row["params_b"]), 2)),
                 average=_num(round(float(row["average"]), 2)), licence=row["license_id"])
              for _, row in sized.iterrows()]
    left = [_short(r) for r in df["repo_id"] if r not in set(sized["repo_id"])]
    text = t("benchmarks.alt.scatter", scale=SCALE[version], points=". ".join(points) or "—")
    return text + (" " + t("benchmarks.alt.not_plotted", models=", ".join(left)) if left else "")


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
            lines = [tn("benchmarks.claims.all_right", self.checked, version=self.version)]
        else:
            lines = [tn("benchmarks.claims.wrong", len(self.errors), checked=self.checked)]
            lines += [t("benchmarks.claims.line", model=e.repo_id, field=field_label(e.field), claimed=e.claimed,
                        actual="—" if e.actual is None else e.actual, source=e.source) for e in self.errors]
        if self.ignored_columns:
            lines.append(t("benchmarks.claims.ignored", version=self.version, columns=", ".join(self.ignored_columns)))
        return "\n".join(lines)


def field_label(field: str) -> str:
    """What a learner reads for a claim's field: a benchmark's name, 'Average' or 'Licence'."""
    return t("benchmarks.licence") if field == "license" else bench_label(field)


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
    raise InvalidInput(t("benchmarks.claims.unknown_field", name=repr(name), version=version,
                         benchmarks=", ".join(LABELS[b] for b in BENCHMARKS[version])))


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
        raise InvalidInput(t("benchmarks.claims.other_version", name=repr(name), other=other)) from None


def _claims_from(table, version: int = 1) -> tuple[list[dict], tuple[str, ...]]:
    """Claims from a CSV path, a DataFrame, or a list of dicts in long form (model, benchmark, value) or wide
    form; returns (claims, ignored column names)."""
    if isinstance(table, (str, Path)):
        path = Path(table)
        if path.is_dir():
            raise InvalidInput(t("benchmarks.claims.folder", path=path))
        try:
            with path.open(newline="", encoding="utf-8-sig") as fh:  # -sig: Excel's "CSV UTF-8" starts with a BOM
                rows = list(csv.DictReader(fh))
        except FileNotFoundError:
            raise InvalidInput(t("benchmarks.claims.no_file", path=path)) from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInput(t("benchmarks.claims.unreadable", name=path.name, error=exc)) from None
    elif hasattr(table, "to_dict"):
        rows = table.to_dict(orient="records")
    else:
        rows = list(table)
    if not rows:
        raise InvalidInput(t("benchmarks.claims.empty"))
    out, ignored, fields = [], {}, {}
    for row in rows:
        if not isinstance(row, dict):
            raise InvalidInput(t("benchmarks.claims.row_shape"))
        row = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
        model = row.get("model") or row.get("repo_id") or row.get("model name")
        if not model:
            raise InvalidInput(t("benchmarks.claims.no_model"))
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
        raise InvalidInput(t("benchmarks.claims.nothing", fields=", ".join(ignored), version=version,
                             benchmarks=", ".join(LABELS[b] for b in BENCHMARKS[version])))
    return out, tuple(ignored)


def _same_license(claimed: str, actual: str) -> bool:
    from .licenses import resolve_license_id

    return resolve_license_id(str(claimed)) == actual


def check_claims(table, version: int = 1, tolerance: float = CLAIM_TOLERANCE) -> ClaimReport:
    """Compare a claimed table with the leaderboard data; each error gives the true value and its source.
    A claimed score within ``tolerance`` points of the leaderboard's counts as right (claims are rounded)."""
    version = _check_version(version)
    errors: list[ClaimError] = []
    claims, ignored = _claims_from(table, version)
    for claim in claims:
        row = find_row(claim["model"], version)
        field = _field(claim["field"], version)
        if field == "license":
            actual, _src = license_of(row)
            if not _same_license(claim["value"], actual):
                source = data.source_of("models", row["repo_id"]).split(" ; ")[0] if _catalog_licence(row) \
                    else row["source_url"]
                errors.append(ClaimError(row["repo_id"], "license", claim["value"], actual, source))
            continue
        actual = row[field]
        try:
            claimed = float(str(claim["value"]).replace(",", "."))
        except ValueError:
            raise InvalidInput(t("benchmarks.claims.not_number", model=claim["model"], field=claim["field"],
                                 value=repr(claim["value"]))) from None
        if actual is None or abs(claimed - actual) > tolerance:
            errors.append(ClaimError(row["repo_id"], field, claimed, actual, row["source_url"]))
    return ClaimReport(tuple(errors), len(claims), version, ignored)
