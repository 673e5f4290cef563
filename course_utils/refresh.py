"""`course-utils refresh-data`: rebuild data/hub_snapshot.json from the live Hub.

Only the Hub-API fields are refreshed; the sourced facts the Hub does not provide (training
code and data released, openness, sources) stay in data/models.csv untouched. Offline, it says
so and changes nothing. A model the Hub cannot answer for keeps its previous record and the
label of where that record came from; a refresh in which every request failed changes nothing,
so the snapshot's date never claims a refresh that did not happen.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import data, hubhttp
from .errors import CourseError
from .i18n import t, tn
from .network import hub_reachability, live_allowed

KEEP_KEYS = ("id", "author", "pipeline_tag", "tags", "cardData", "gated", "downloads", "lastModified",
             "safetensors", "library_name", "gguf")


@dataclass(frozen=True)
class RefreshResult:
    path: str
    snapshot_date: str
    refreshed: int
    kept_old: tuple[str, ...]

    def to_text(self) -> str:
        text = tn("hub.refresh.wrote", self.refreshed, path=self.path, day=self.snapshot_date)
        if self.kept_old:
            text += "\n" + t("hub.refresh.kept", n=len(self.kept_old), ids=", ".join(self.kept_old))
        return text


def _fetch(repo_id: str) -> dict:
    """One model record, within the lookup deadline (raises when the Hub does not answer with one)."""
    reply = hubhttp.get(f"/api/models/{repo_id}")
    if reply.status != 200:
        raise ValueError(f"HTTP {reply.status}")
    body = reply.json()
    if not isinstance(body, dict) or "id" not in body:
        raise ValueError("not a model record")
    return {k: body[k] for k in KEEP_KEYS if k in body}


def refresh_snapshot(out: str | None = None, progress: bool = True) -> RefreshResult:
    reach = hub_reachability(use_cache=False)
    if not reach.online:
        raise CourseError(t("hub.refresh.needs_hub", reason=reach.reason))
    current = data.load_json("hub_snapshot.json")
    old = {r["id"]: r for r in current.get("models", [])}
    ids = [row["repo_id"] for row in data.load("models")]
    records, kept = [], []
    bar = None
    if progress:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(ids), desc=t("hub.refresh.progress"), unit="model", disable=None)  # as grading's
        except ImportError:
            bar = None
    for repo_id in ids:
        try:
            if not live_allowed().online:  # the Hub just timed out or refused: do not wait again per model
                raise ConnectionError(live_allowed().reason)
            records.append(_fetch(repo_id))
        except Exception:  # noqa: BLE001 - one failing model must not stop the refresh
            kept.append(repo_id)
            if repo_id in old:
                records.append(old[repo_id])
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if len(kept) == len(ids):
        raise CourseError(t("hub.refresh.nothing", n=len(ids),
                            day=current.get('snapshot_date') or t("hub.refresh.unknown_day")))
    from .hub import HUB_REFRESH, snapshot_source

    today = date.today().isoformat()
    previous = {rid: snapshot_source(rid) for rid in kept if rid in old}
    doc = {"snapshot_date": today, "kind": HUB_REFRESH,
           "source": "live Hub API (GET /api/models/{id}) via course-utils refresh-data",
           "kept_previous": previous, "models": records}
    path = Path(out) if out else data.path_of("hub_snapshot.json")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".snapshot.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(doc, indent=1) + "\n")
    os.replace(tmp, path)
    return RefreshResult(str(path), today, len(ids) - len(kept), tuple(kept))
