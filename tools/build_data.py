"""Rebuild data/ from the researched reference files in ../shared/reference/.

Facts and figures carry over with their sources; the reference files' free-text
`notes` columns do not (they are somebody else's sentences). Structured facts that the
reference keeps inside notes (leaderboard precision, size, Hub license) become columns.

    python tools/build_data.py [--reference ../shared/reference]

The course's own researched facts live beside this script in ``tools/reference_additions/``:
``<file>.csv`` holds rows added to the reference file of that name (same columns, each with its
source), and ``corrections.csv`` changes single cells of reference rows (file, key, column,
value, source_url, reason, sources); its source is appended to the row's sources, or replaces them
(`sources=replace`) when the corrected cell is the row's one fact.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
ADDITIONS = Path(__file__).resolve().parent / "reference_additions"
SNAPSHOT_DATE = "2026-11-27"  # the day the reference catalog was compiled
QUANTIZE_README = ("https://github.com/ggml-org/llama.cpp/blob/c392e5094deaf2d1a7c18683214f007fad3fe42b/"
                   "examples/quantize/README.md")
GGML_COMMON = ("https://github.com/ggml-org/llama.cpp/blob/c392e5094deaf2d1a7c18683214f007fad3fe42b/"
               "ggml/src/ggml-common.h")

# license_name as written in models.csv -> key of the `other:<name>` row in licenses.csv
OTHER_LICENSE_KEYS = {  # most specific first: "qwen-research" must not match "qwen"
    "qwen-research": "qwen-research",
    "falcon-llm-license": "falcon-llm-license",
    "opt-175b": "opt-175b",
    "microsoft-research-license": "microsoft-research-license",
    "qwen": "qwen",
    "deepseek": "deepseek",
    "stability ai non-commercial": "stability-ai-non-commercial-research-community",
}


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _source_column(row: dict) -> str:
    return "source_urls" if "source_urls" in row else "source_url"


def read_ref(ref: Path, name: str) -> list[dict]:
    """A reference file with the course's corrections applied and its added rows appended."""
    rows = read(ref / name)
    key = next(iter(rows[0]))
    fixes = [c for c in read(ADDITIONS / "corrections.csv") if c["file"] == name] \
        if (ADDITIONS / "corrections.csv").exists() else []
    by_key = {r[key]: r for r in rows}
    for c in fixes:
        row = by_key.get(c["key"])
        if row is None:
            raise SystemExit(f"corrections.csv: {name} has no row {c['key']!r}")
        row[c["column"]] = c["value"]
        src = _source_column(row)
        urls = [] if c.get("sources") == "replace" else [u.strip() for u in row[src].split(" ; ") if u.strip()]
        urls += [u.strip() for u in c["source_url"].split(" ; ") if u.strip()]
        row[src] = " ; ".join(dict.fromkeys(urls))
    if (ADDITIONS / name).exists():
        added = read(ADDITIONS / name)
        clash = sorted({r[key] for r in added} & set(by_key))
        if clash:
            raise SystemExit(f"reference_additions/{name}: already in the reference: {', '.join(clash)}")
        rows += added
    return rows


def write(name: str, rows: list[dict], columns: list[str]) -> None:
    with (DATA / name).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    print(f"data/{name}: {len(rows)} rows")


def drop(rows: list[dict], *columns: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in columns} for r in rows]


def license_key(row: dict) -> str:
    lid = row["license_id"]
    if lid != "other":
        return lid
    name = row["license_name"].lower()
    for needle, key in OTHER_LICENSE_KEYS.items():
        if needle in name:
            return f"other:{key}"
    return "other"


def languages(raw: str) -> tuple[list[str], str]:
    """(explicit language codes, count) from 'en;de' or 'multilingual (48)'."""
    raw = raw.strip()
    if not raw:
        return [], ""
    m = re.match(r"multilingual \((\d+)", raw)
    if m:
        return ["multilingual"], m.group(1)
    codes = [c.strip() for c in re.sub(r"\(.*?\)", "", raw).split(";") if c.strip()]
    return codes, str(len(codes))


def canonical_key(key: str) -> str:
    """The clause-table key for another Hub spelling of a licence ('other:llama4' -> 'llama4'), from the
    aliases in data/licenses.csv (the same rule as course_utils.clauses.canonical_key)."""
    if not key:
        return key
    for row in read(DATA / "licenses.csv"):
        if key == row["license_id"] or key in (a.strip().lower() for a in row.get("aliases", "").split(";")):
            return row["license_id"]
    return key


def build_models(ref: Path) -> None:
    rows = read_ref(ref, "models.csv")
    out = []
    for r in rows:
        codes, count = languages(r["languages"])
        r = dict(r, license_key=canonical_key(r.get("license_key") or license_key(r)), language_codes=";".join(codes),
                 language_count=count)
        out.append(r)
    cols = ["repo_id", "author", "family", "params_billion", "active_params_billion", "pipeline_tag", "license_id",
            "license_name", "license_key", "gated", "languages", "language_codes", "language_count", "base_model",
            "weights_released", "training_code_released", "training_data_released", "data_information",
            "openness_level", "quantization", "release_date", "context_length", "source_urls"]
    write("models.csv", out, cols)
    build_snapshot(out)


def build_snapshot(models: list[dict]) -> None:
    """Hub-API-shaped records (GET /api/models/{id}) for the offline path."""
    records = []
    for m in models:
        card: dict = {}
        tags: list[str] = []
        if m["license_id"]:
            card["license"] = m["license_id"]
            tags.append(f"license:{m['license_id']}")
            if m["license_id"] == "other" and m["license_key"].startswith("other:"):
                card["license_name"] = m["license_key"].split(":", 1)[1]
            elif m["license_id"] == "other" and re.fullmatch(r"[a-z0-9.\-]+", m["license_name"]):
                card["license_name"] = m["license_name"]  # the Hub's own name, e.g. llama4
        codes = [c for c in m["language_codes"].split(";") if c and c != "multilingual"]
        if codes:
            card["language"] = codes
            tags.extend(codes)
        base = m["base_model"].split(" ")[0] if "/" in m["base_model"].split(" ")[0] else ""
        if base:
            card["base_model"] = base
            tags.append(f"base_model:{base}")
        if m["quantization"].startswith("gguf"):
            tags.append("gguf")
        rec = {"id": m["repo_id"], "author": m["author"] or m["repo_id"].split("/")[0], "tags": tags,
               "cardData": card}
        if m["pipeline_tag"]:
            rec["pipeline_tag"] = m["pipeline_tag"]
            tags.append(m["pipeline_tag"])
        if m["gated"] in ("true", "false"):
            rec["gated"] = m["gated"] == "true"
        records.append(rec)
    doc = {"snapshot_date": SNAPSHOT_DATE, "kind": "researched",
           "source": "built by tools/build_data.py from data/models.csv (researched Hub pages, see its "
                     "source_urls); `course-utils refresh-data` rewrites it from the live Hub API",
           "models": records}
    (DATA / "hub_snapshot.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"data/hub_snapshot.json: {len(records)} records")


LICENSE_COLUMNS = ["license_id", "name", "osi_approved", "license_text_url", "aliases", "gated_on_hub_typically",
                   "source_urls"]


def build_licenses(ref: Path) -> None:
    """Per-licence metadata only; what licences say lives in data/license_clauses.csv, which is curated
    by hand (every row quotes the licence text) and never rebuilt here.

    Rows already in data/licenses.csv are kept as they are (they are curated too); a reference row
    the file lacks is added with its sources (the licence text plus the URLs cited in its notes).
    A row with no source at all is left out (and listed in data/README.md)."""
    current = read(DATA / "licenses.csv") if (DATA / "licenses.csv").exists() else []
    have = {r["license_id"] for r in current}
    rows = list(current)
    for r in read(ref / "licenses.csv"):
        if r["license_id"] in have:
            continue
        urls = [r["license_text_url"]] if r["license_text_url"] else []
        urls += [u.rstrip(".,;)") for u in re.findall(r"https?://[^\s,;)]+", r["notes"])]
        urls = list(dict.fromkeys(urls))
        if not urls:
            print(f"licenses.csv: left out {r['license_id']} (no source)")
            continue
        rows.append(dict(r, source_urls=" ; ".join(urls)))
    write("licenses.csv", rows, LICENSE_COLUMNS)


def parse_notes(notes: str) -> dict:
    out = {}
    for part in notes.split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def build_leaderboards(ref: Path) -> None:
    for version, scores, size_key in (
        (1, ["arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k"], "params_b_floor"),
        (2, ["ifeval", "bbh", "math_lvl5", "gpqa", "musr", "mmlu_pro"], "params_b"),
    ):
        rows = []
        for r in read(ref / f"open_llm_leaderboard_v{version}.csv"):
            extra = parse_notes(r["notes"])
            lic = extra.get("hub_license", "")
            rows.append(dict(r, params_b=extra.get(size_key, ""), hub_license="" if lic == "n/a" else lic,
                             precision=extra.get("precision", ""), model_type=extra.get("type", ""),
                             architecture=extra.get("arch", "")))
        cols = ["repo_id", *scores, "average", "params_b", "hub_license", "precision", "model_type",
                "architecture", "source_url"]
        write(f"leaderboard_v{version}.csv", rows, cols)


def build_quant_types() -> None:
    # bits per weight of llama.cpp file types, measured on Llama-2 7B (quantize README) and
    # the block layout of the base type (ggml-common.h static_asserts).
    measured = {"Q2_K": 3.35, "Q3_K_S": 3.50, "Q3_K_M": 3.91, "Q3_K_L": 4.27, "Q4_K_S": 4.58, "Q4_K_M": 4.84,
                "Q5_K_S": 5.52, "Q5_K_M": 5.68, "Q6_K": 6.56, "Q4_0": 4.5, "Q5_0": 5.5, "Q8_0": 8.5, "F16": 16.0}
    base = {"Q2_K": ("Q2_K", 256, 84), "Q3_K_S": ("Q3_K", 256, 110), "Q3_K_M": ("Q3_K", 256, 110),
            "Q3_K_L": ("Q3_K", 256, 110), "Q4_K_S": ("Q4_K", 256, 144), "Q4_K_M": ("Q4_K", 256, 144),
            "Q5_K_S": ("Q5_K", 256, 176), "Q5_K_M": ("Q5_K", 256, 176), "Q6_K": ("Q6_K", 256, 210),
            "Q4_0": ("Q4_0", 32, 18), "Q5_0": ("Q5_0", 32, 22), "Q8_0": ("Q8_0", 32, 34), "F16": ("F16", 1, 2)}
    order = ["F16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_0", "Q4_K_M", "Q4_K_S", "Q4_0", "Q3_K_L",
             "Q3_K_M", "Q3_K_S", "Q2_K"]
    rows = []
    for q in order:
        btype, block, nbytes = base[q]
        rows.append({"quant": q, "base_type": btype, "block_weights": block, "block_bytes": nbytes,
                     "base_bpw": round(nbytes * 8 / block, 4), "measured_bpw_llama2_7b": measured[q],
                     "source_url": f"{QUANTIZE_README} ; {GGML_COMMON}"})
    write("quant_types.csv", rows, list(rows[0]))


def keep_added(name: str, rows: list[dict], key: tuple[str, ...]) -> None:
    """Write reference rows, then the rows (and columns) the project added to data/NAME since, each with its source."""
    columns = list(rows[0])
    current = read(DATA / name) if (DATA / name).exists() else []
    if current:
        columns += [c for c in current[0] if c not in columns]
        by_key = {tuple(r.get(k, "") for k in key): r for r in current}
        for r in rows:  # project-added columns of reference rows (e.g. memory sizes) survive too
            extra = by_key.get(tuple(r.get(k, "") for k in key), {})
            r.update({c: v for c, v in extra.items() if c not in r or not r[c]})
        seen = {tuple(r.get(k, "") for k in key) for r in rows}
        rows = rows + [r for r in current if tuple(r.get(k, "") for k in key) not in seen]
    source = "source_urls" if "source_urls" in columns else "source_url"
    write(name, rows, [c for c in columns if c != source] + [source])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "reference")
    ref = ap.parse_args().reference
    DATA.mkdir(exist_ok=True)
    build_models(ref)
    build_licenses(ref)
    keep_added("model_architectures.csv", drop(read(ref / "model_architectures.csv"), "notes"), ("repo_id",))
    build_leaderboards(ref)
    rows = read_ref(ref, "gguf_sizes_calibration.csv")
    columns = list(dict.fromkeys(c for r in rows for c in r))  # the added rows' base_model too, source last
    write("gguf_sizes_calibration.csv", rows, [c for c in columns if c != "source_url"] + ["source_url"])
    for name in ("llamacpp_speed_calibration.csv", "hardware_bandwidth.csv"):
        keep_added(name, read_ref(ref, name), ("hardware", "backend", "model", "quant"))
    cpu = read(ADDITIONS / "llamacpp_cpu_results.csv")  # the course's own research: no reference file
    write("llamacpp_cpu_results.csv", cpu, list(cpu[0]))
    other = read(ADDITIONS / "llamacpp_other_models.csv")  # the course's own research too
    write("llamacpp_other_models.csv", other, list(other[0]))
    prices = drop(read(ref / "deployment_prices.csv"), "notes")
    write("deployment_prices.csv", prices, list(prices[0]))
    build_quant_types()


if __name__ == "__main__":
    main()
