"""Find, load and validate the data files the course ships (``data/`` in the repo).

Every table is a CSV with a declared schema: required columns, a type per column and
the column that holds each row's source. Loading uses only the standard library so
that it stays fast; :func:`frame` gives a pandas DataFrame when one is wanted.

    >>> rows = load("licenses")            # tuple of dicts, values typed
    >>> source_of("licenses", "mit")       # where that row's facts come from
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from . import i18n, json_errors
from .errors import DataFileError
from .settings import get_settings

_BOOL = {"true": True, "false": False, "yes": True, "no": False}


def _text(v: str) -> str:
    return v


def _float(v: str) -> float | None:
    return float(v) if v != "" else None


def _int(v: str) -> int | None:
    return int(float(v)) if v != "" else None


def _bool(v: str) -> bool | None:
    if v == "":
        return None
    try:
        return _BOOL[v.strip().lower()]
    except KeyError:
        raise ValueError(i18n.t("data.expected_bool", value=repr(v))) from None


TYPES: dict[str, Callable[[str], Any]] = {"str": _text, "float": _float, "int": _int, "bool": _bool}


@dataclass(frozen=True)
class TableSpec:
    """What a shipped CSV must look like."""

    file: str
    columns: dict[str, str]  # column -> type name in TYPES
    key: str  # column that identifies a row
    source: str  # column holding the row's source URL(s)
    required: tuple[str, ...] = ()  # columns that may not be empty
    unique_key: bool = True
    facts: bool = True  # False for exercise material that is not a fact (the sheet's claims)


_SCORES1 = ("arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k")
_SCORES2 = ("ifeval", "bbh", "math_lvl5", "gpqa", "musr", "mmlu_pro")
_BOARD_TAIL = {"average": "float", "params_b": "float", "hub_license": "str", "precision": "str",
               "model_type": "str", "architecture": "str", "source_url": "str"}

TABLES: dict[str, TableSpec] = {
    "models": TableSpec(
        "models.csv",
        {"repo_id": "str", "author": "str", "family": "str", "params_billion": "float",
         "active_params_billion": "float", "pipeline_tag": "str",
         "license_id": "str", "license_name": "str", "license_key": "str", "gated": "bool", "languages": "str",
         "language_codes": "str", "language_count": "int", "base_model": "str", "weights_released": "str",
         "training_code_released": "str", "training_data_released": "str", "data_information": "str",
         "openness_level": "str",
         "quantization": "str", "release_date": "str", "context_length": "int", "source_urls": "str"},
        key="repo_id", source="source_urls", required=("repo_id", "source_urls", "weights_released")),
    "licenses": TableSpec(  # per-licence metadata; what a licence says lives in license_clauses
        "licenses.csv",
        {"license_id": "str", "name": "str", "osi_approved": "bool", "license_text_url": "str", "aliases": "str",
         "gated_on_hub_typically": "str", "source_urls": "str"},
        key="license_id", source="source_urls", required=("license_id", "name", "source_urls")),
    "license_clauses": TableSpec(  # one row per clause: the only place licence rules live
        "license_clauses.csv",
        {"license_key": "str", "clause": "str", "params": "str", "quote": "str", "section": "str",
         "source_url": "str"},
        key="license_key", source="source_url", required=("license_key", "clause", "quote", "section", "source_url"),
        unique_key=False),
    "model_architectures": TableSpec(
        "model_architectures.csv",
        {"repo_id": "str", "architecture": "str", "num_hidden_layers": "int", "hidden_size": "int",
         "intermediate_size": "int", "num_attention_heads": "int", "num_key_value_heads": "int", "head_dim": "int",
         "vocab_size": "int", "max_position_embeddings": "int", "tie_word_embeddings": "bool",
         "total_params_billion": "float", "num_experts": "int", "experts_per_token": "int", "num_shared_experts": "int",
         "moe_intermediate_size": "int", "first_dense_layers": "int", "sliding_window": "int",
         "sliding_window_pattern": "int", "kv_lora_rank": "int", "q_lora_rank": "int", "qk_rope_head_dim": "int",
         "qk_nope_head_dim": "int", "v_head_dim": "int", "moe_layer_step": "int", "source_urls": "str"},
        key="repo_id", source="source_urls", required=("repo_id", "num_hidden_layers", "hidden_size", "source_urls")),
    "leaderboard_v1": TableSpec(
        "leaderboard_v1.csv", {"repo_id": "str", **{s: "float" for s in _SCORES1}, **_BOARD_TAIL},
        key="repo_id", source="source_url", required=("repo_id", "source_url")),
    "leaderboard_v2": TableSpec(
        "leaderboard_v2.csv", {"repo_id": "str", **{s: "float" for s in _SCORES2}, **_BOARD_TAIL},
        key="repo_id", source="source_url", required=("repo_id", "source_url")),
    "gguf_sizes_calibration": TableSpec(
        "gguf_sizes_calibration.csv",
        {"repo_id": "str", "file_name": "str", "quant_method": "str", "bits": "int", "params_billions": "float",
         "file_size_gb": "float", "max_ram_gb": "float", "base_model": "str", "source_url": "str"},
        key="file_name", source="source_url", required=("quant_method", "file_size_gb", "source_url"),
        unique_key=False),
    "llamacpp_speed_calibration": TableSpec(
        "llamacpp_speed_calibration.csv",
        {"hardware": "str", "backend": "str", "memory_bandwidth_gbs": "float", "model": "str", "quant": "str",
         "pp512_tps": "float", "tg128_tps": "float", "source_url": "str"},
        key="hardware", source="source_url", required=("hardware", "tg128_tps", "source_url"), unique_key=False),
    "llamacpp_cpu_results": TableSpec(
        "llamacpp_cpu_results.csv",
        {"cpu": "str", "arch": "str", "memory_config": "str", "bandwidth_gbs": "float", "bandwidth_basis": "str",
         "threads": "int", "model": "str", "params_b": "float", "quant": "str", "model_size_gib": "float",
         "tg_tps": "float", "tg_test": "str", "core": "str", "clock_ghz": "float", "clock_source_url": "str",
         "build": "str", "quote": "str", "source_url": "str"},
        key="cpu", source="source_url",
        required=("cpu", "bandwidth_gbs", "bandwidth_basis", "model_size_gib", "tg_tps", "quote", "source_url"),
        unique_key=False),
    "cpu_compute_reference": TableSpec(
        "cpu_compute_reference.csv",
        {"cpu": "str", "core": "str", "isa": "str", "engine": "str", "threads": "int", "layer_type": "str",
         "output_type": "str", "gmacs": "float", "row_ns": "float", "clock_ghz": "float", "measured": "str",
         "source_url": "str"},
        key="core", source="source_url",
        required=("cpu", "core", "engine", "threads", "layer_type", "output_type", "gmacs", "row_ns", "clock_ghz",
                  "measured", "source_url"),
        unique_key=False),
    "llamacpp_other_models": TableSpec(
        "llamacpp_other_models.csv",
        {"hardware": "str", "backend": "str", "host": "str", "model_repo": "str", "gguf_file": "str", "quant": "str",
         "model_size": "str", "test": "str", "tg_tps": "float", "build": "str", "quote": "str", "source_url": "str",
         "note": "str"},
        key="hardware", source="source_url",
        required=("hardware", "backend", "model_repo", "quant", "test", "tg_tps", "build", "quote", "source_url"),
        unique_key=False),
    "hardware_bandwidth": TableSpec(
        "hardware_bandwidth.csv",
        {"hardware": "str", "backend": "str", "memory_bandwidth_gbs": "float", "memory_gb": "float", "source_url": "str"},
        key="hardware", source="source_url", required=("hardware", "memory_bandwidth_gbs", "source_url")),
    "deployment_prices": TableSpec(
        "deployment_prices.csv",
        {"category": "str", "item": "str", "provider": "str", "unit": "str", "value": "float",
         "value_output": "float", "region": "str", "observed": "str", "source_url": "str"},
        key="item", source="source_url", required=("category", "item", "unit", "source_url"),
        unique_key=False),
    "quant_types": TableSpec(
        "quant_types.csv",
        {"quant": "str", "base_type": "str", "block_weights": "int", "block_bytes": "int", "base_bpw": "float",
         "measured_bpw_llama2_7b": "float", "source_url": "str"},
        key="quant", source="source_url", required=("quant", "measured_bpw_llama2_7b", "source_url")),
    "repo_ids": TableSpec(
        "repo_ids.csv", {"asked_id": "str", "kind": "str", "correct_ids": "str", "source_url": "str"},
        key="asked_id", source="source_url", required=("asked_id", "kind", "correct_ids", "source_url")),
    # what a model card says a model is made for (search words "code", "math"), quoted from the card
    "card_facts": TableSpec(
        "card_facts.csv", {"repo_id": "str", "strengths": "str", "quote": "str", "source_url": "str"},
        key="repo_id", source="source_url", required=("repo_id", "strengths", "quote", "source_url")),
    "sheet_claims": TableSpec(
        "sheet_claims.csv", {"model": "str", "hellaswag": "float", "mmlu": "float", "license": "str", "source": "str"},
        key="model", source="source", required=("model", "source"), facts=False),
}

JSON_FILES = ("hub_snapshot.json",)


def data_dir() -> Path:
    """The data folder; a COURSE_UTILS_DATA_DIR that is not a folder is refused in one clear line."""
    folder = get_settings().data_dir
    if os.environ.get("COURSE_UTILS_DATA_DIR") and not folder.is_dir():
        what = i18n.t("data.dir.is_file" if folder.exists() else "data.dir.missing")
        raise DataFileError(i18n.t("data.dir.bad", folder=repr(str(folder)), what=what))
    return folder


def _missing(file: str, path: Path) -> DataFileError:
    if os.environ.get("COURSE_UTILS_DATA_DIR"):
        return DataFileError(i18n.t("data.missing.env", file=file, folder=repr(str(path.parent))))
    return DataFileError(i18n.t("data.missing.shipped", file=file, folder=str(path.parent)))


def path_of(name_or_file: str) -> Path:
    file = TABLES[name_or_file].file if name_or_file in TABLES else name_or_file
    return data_dir() / file


@lru_cache(maxsize=None)
def _load_cached(name: str, path: Path, mtime_ns: int) -> tuple[dict, ...]:
    spec = TABLES[name]
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in spec.columns if c not in header]
            if missing:
                raise DataFileError(i18n.t("data.csv.missing_columns", file=path.name, missing=', '.join(missing),
                                           expected=', '.join(spec.columns)))
            converters = [(c, TYPES[t]) for c, t in spec.columns.items()]
            rows = []
            seen: set[str] = set()
            for lineno, raw in enumerate(reader, start=2):
                row = {}
                for col, conv in converters:
                    value = (raw.get(col) or "").strip()
                    if value == "" and col in spec.required:
                        raise DataFileError(i18n.t("data.csv.empty", file=path.name, line=lineno, column=repr(col)))
                    try:
                        row[col] = conv(value)
                    except ValueError as exc:
                        raise DataFileError(i18n.t("data.csv.bad_value", file=path.name, line=lineno, column=repr(col),
                                                   value=repr(value), type=spec.columns[col], error=exc)) from None
                key = row[spec.key]
                if spec.unique_key and key in seen:
                    raise DataFileError(i18n.t("data.csv.duplicate", file=path.name, line=lineno, column=spec.key,
                                               key=repr(key)))
                seen.add(key)
                rows.append(row)
    except FileNotFoundError:
        raise _missing(path.name, path) from None
    except IsADirectoryError:
        raise DataFileError(i18n.t("data.is_folder", path=str(path), file=path.name)) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataFileError(i18n.t("data.csv.unreadable", file=path.name, error=exc)) from None
    if not rows:
        raise DataFileError(i18n.t("data.csv.no_rows", file=path.name))
    return tuple(rows)


def load(name: str) -> tuple[dict, ...]:
    """All rows of a shipped table, typed and validated (cached until the file changes)."""
    if name not in TABLES:
        raise DataFileError(i18n.t("data.unknown_table", name=repr(name), known=', '.join(sorted(TABLES))))
    path = path_of(name)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        mtime = -1
    return _load_cached(name, path, mtime)


def index(name: str) -> dict[str, dict]:
    """Rows of a table keyed by its key column (first row wins for non-unique keys)."""
    out: dict[str, dict] = {}
    for row in load(name):
        out.setdefault(row[TABLES[name].key], row)
    return out


def source_of(name: str, key: str) -> str:
    """The source URL(s) of the row whose key is ``key``."""
    row = index(name).get(key)
    if row is None:
        raise KeyError(f"{key!r} is not in {TABLES[name].file}")
    return row[TABLES[name].source]


def load_json(file: str) -> dict:
    """A shipped JSON document, e.g. ``hub_snapshot.json``."""
    path = path_of(file)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _missing(file, path) from None
    except IsADirectoryError:
        raise DataFileError(i18n.t("data.is_folder", path=str(path), file=file)) from None
    except json.JSONDecodeError as exc:
        raise DataFileError(i18n.t("data.json.invalid", file=file, error=json_errors.describe(exc))) from None
    except UnicodeDecodeError as exc:
        raise DataFileError(i18n.t("data.json.invalid", file=file, error=exc)) from None
    except RecursionError:
        raise DataFileError(i18n.t("data.json.too_deep", file=file)) from None
    if not isinstance(doc, dict):
        raise DataFileError(i18n.t("data.json.not_object", file=file, kind=type(doc).__name__))
    return doc


def frame(name: str):
    """A table as a pandas DataFrame (imports pandas on first use)."""
    import pandas as pd

    return pd.DataFrame(list(load(name)), columns=list(TABLES[name].columns))


def load_all() -> dict[str, int]:
    """Load and validate every shipped file; returns row counts (used by tests and `course-utils`)."""
    counts = {name: len(load(name)) for name in TABLES}
    for file in JSON_FILES:
        doc = load_json(file)
        counts[file] = len(doc.get("models", doc.get("exercises", ())))
    return counts
