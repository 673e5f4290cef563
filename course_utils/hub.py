"""Model facts from the Hugging Face Hub: live with short timeouts, the shipped snapshot otherwise.

Both paths go through one parser: the snapshot (``data/hub_snapshot.json``) stores
Hub-API-shaped records, which are turned into ``huggingface_hub.ModelInfo`` objects exactly
like a live answer, and :func:`summary_from_info` reads either. Every result says which
source answered: ``"live Hub"``, or offline ``"course facts researched YYYY-MM-DD (sources
listed)"`` (the shipped snapshot built from researched sources) or ``"Hub, YYYY-MM-DD"`` (a
snapshot that `refresh-data` wrote from the live Hub that day).

Timeouts: every live lookup is one GET through :mod:`course_utils.hubhttp` under one
wall-clock deadline (4 s, body included) and its answer is parsed with huggingface_hub's
own ``ModelInfo`` class, as ``HfApi.model_info`` does (whose timeout applies per read, so
a trickling Hub could hold it for minutes, and ``list_models`` retries for ~20 s). After a
timeout or refusal the session answers from the snapshot at once for a while
(:func:`course_utils.network.live_allowed`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from . import data, hubhttp
from .clauses import canonical_key
from .errors import DataFileError, GatedModel, HubUnavailable, InvalidInput, ModelNotFound
from .i18n import number, t, tn
from .model_ids import CUTOFF_IDS, CUTOFF_WORDS, did_you_mean, parse_repo_id
from .network import live_allowed

LIVE = "live Hub"
QUANT_TAGS = ("gguf", "gptq", "awq", "exl2", "4-bit", "8-bit", "bitsandbytes", "mlx")
# The Hub's pipeline tags (the keys of PIPELINE_DATA), source:
# https://github.com/huggingface/huggingface.js/blob/0057f4042b57b833d296ed4cf1c76cfd6619d00d/packages/tasks/src/pipelines.ts
PIPELINE_TAGS = (
    "biology", "text-classification", "token-classification", "table-question-answering", "question-answering",
    "zero-shot-classification", "translation", "summarization", "feature-extraction", "text-generation",
    "text2text-generation", "fill-mask", "sentence-similarity", "text-to-speech", "text-to-audio",
    "automatic-speech-recognition", "audio-to-audio", "audio-classification", "audio-text-to-text",
    "voice-activity-detection", "depth-estimation", "image-classification", "object-detection",
    "image-segmentation", "text-to-image", "image-to-text", "image-to-image", "image-to-video",
    "unconditional-image-generation", "video-classification", "reinforcement-learning", "robotics",
    "tabular-classification", "tabular-regression", "tabular-to-text", "table-to-text", "multiple-choice",
    "text-ranking", "text-retrieval", "time-series-forecasting", "text-to-video", "image-text-to-text",
    "visual-question-answering", "document-question-answering", "zero-shot-image-classification", "graph-ml",
    "mask-generation", "zero-shot-object-detection", "text-to-3d", "image-to-3d", "image-feature-extraction",
    "video-text-to-text", "keypoint-detection", "visual-document-retrieval", "any-to-any", "other",
)


@dataclass(frozen=True)
class ModelSummary:
    """What the course needs to know about one model repo."""

    repo_id: str
    author: str | None
    license_id: str | None  # the licence id as the Hub gives it (e.g. "other")
    gated: bool | None  # None = unknown
    pipeline_tag: str | None
    params_b: float | None
    languages: tuple[str, ...]
    language_count: int | None
    base_model: tuple[str, ...]
    quantization: str | None  # "gguf", "gptq", ... or None
    tags: tuple[str, ...]
    downloads: int | None  # last 30 days, live answers only
    last_modified: str | None
    source: str  # "live Hub", "course facts researched YYYY-MM-DD (sources listed)" or "Hub, YYYY-MM-DD"
    notes: tuple[str, ...] = ()
    asked_id: str | None = None  # what the user typed, when it differs from repo_id
    license_name: str | None = None  # the Hub's license_name for custom licences (e.g. "qwen")
    license_key: str | None = None  # the course's clause-table key: Hub id, or "other:<license_name>"

    @property
    def live(self) -> bool:
        return self.source == LIVE

    def to_dict(self) -> dict[str, Any]:
        return {
            "repo_id": self.repo_id, "author": self.author, "license_id": self.license_id,
            "license_name": self.license_name, "license_key": self.license_key, "gated": self.gated,
            "params_b": self.params_b, "pipeline_tag": self.pipeline_tag,
            "languages": list(self.languages), "language_count": self.language_count,
            "base_model": list(self.base_model), "quantization": self.quantization, "tags": list(self.tags),
            "downloads": self.downloads, "last_modified": self.last_modified, "source": self.source,
            "notes": list(self.notes), "asked_id": self.asked_id,
        }

    def fact_rows(self) -> list[tuple[str, str]]:
        """The model's facts as (label, value) rows in the language in force (catalog ``model_facts.*``):
        what the notebook's table and the CLI's text show."""
        from .i18n import number as decimal, t
        from .licenses import number, source_text  # licenses reads hub lazily too

        not_stated = t("model_facts.not_stated")
        return [(t("model_facts.model"), self.repo_id), (t("model_facts.licence"), self.license_key or not_stated),
                (t("model_facts.gated"), t({True: "model_facts.gated_yes", False: "common.no",
                                           None: "model_facts.unknown"}[self.gated])),
                (t("model_facts.task"), self.pipeline_tag or not_stated),
                (t("model_facts.parameters"), tn("model_facts.billions", self.params_b, value=decimal(self.params_b)) if self.params_b
                 else t("model_facts.unknown")),
                (t("model_facts.languages"), ", ".join(self.languages) or (f"{self.language_count}"
                                                                          if self.language_count else not_stated)),
                (t("model_facts.base_model"), ", ".join(self.base_model) or "—"),
                (t("model_facts.quantized"), self.quantization or t("common.no")),
                (t("model_facts.downloads"), number(self.downloads) if self.downloads is not None
                 else t("model_facts.not_in_snapshot")),
                (t("model_facts.source"), source_text(self.source))]

    def to_text(self) -> str:
        """The facts and the lookup's notes, one per line (the JSON keeps every field)."""
        from .text_table import label_rows

        return label_rows(self.fact_rows() + [(t("model_facts.note"), n) for n in self.notes])

    def _repr_html_(self) -> str:
        """The model's facts as a table, in the language in force; the notes are shown as the lookup wrote them."""
        import html

        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                       f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>" for k, v in self.fact_rows())
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return f"<table class='course-model'>{body}</table>" + (f"<ul>{notes}</ul>" if notes else "")


@dataclass(frozen=True)
class SearchResult:
    results: tuple[ModelSummary, ...]
    source: str
    notes: tuple[str, ...] = ()
    filters: dict = field(default_factory=dict)
    url: str = ""  # the same search on the Hub's website (https://huggingface.co/models?...)
    why: dict = field(default_factory=dict)  # repo id -> why it matched the search words

    def to_dict(self) -> dict[str, Any]:
        return {"results": [{"repo_id": r.repo_id, "params_b": r.params_b, "license_id": r.license_id,
                             "license_name": r.license_name, "license_key": r.license_key,
                             "downloads": r.downloads, "pipeline_tag": r.pipeline_tag,
                             "quantization": r.quantization, "language_count": r.language_count,
                             "url": model_url(r.repo_id), "why": list(self.why.get(r.repo_id, ()))}
                            for r in self.results],
                "source": self.source, "notes": list(self.notes), "filters": self.filters, "url": self.url}

    def to_text(self) -> str:
        """The results as a table (labels and numbers in the language in force), the count, the notes and
        the same search on the Hub's website."""
        from .text_table import text_table

        # exercise 3's search table's labels (its "model" names a link there: the CLI's compare label here)
        heads = [t("cli.compare.col.repo_id"),
                 *(t(f"ex03.results.col.{c}") for c in ("params", "licence", "downloads"))]
        rows = [[r.repo_id, number(r.params_b, "g") if r.params_b is not None else "?", r.license_key or "?",
                 number(r.downloads, ",d") if r.downloads is not None else "-"] for r in self.results]
        return "\n".join([text_table(heads, rows, right=(1, 3)),
                          tn("hub.search.count", len(self.results), source=source_words(self.source)),
                          *self.notes, *([self.url] if self.url else [])])


# --------------------------------------------------------------------------- parsing (both paths)

def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value if v)


def license_key(license_id: str | None, license_name: str | None) -> str | None:
    """The knowledge-base key: Hub id, or ``other:<license_name>`` for custom licences."""
    if not license_id:
        return None
    license_id = license_id.strip().lower()
    if license_id == "other" and license_name:
        return f"other:{license_name.strip().lower()}"
    return license_id


def _card(info: Any, name: str) -> Any:
    card = getattr(info, "card_data", None)
    if card is None:
        return None
    return getattr(card, name, None) if not isinstance(card, dict) else card.get(name)


def summary_from_info(info: Any, source: str, catalog: dict | None = None, notes: Iterable[str] = (),
                      asked_id: str | None = None) -> ModelSummary:
    """The one parser: a ``ModelInfo`` (live or built from the snapshot) plus our sourced catalog row."""
    tags = tuple(getattr(info, "tags", None) or ())
    lic = _card(info, "license")
    if isinstance(lic, list):
        lic = lic[0] if lic else None
    if not lic:
        lic = next((t.split(":", 1)[1] for t in tags if t.startswith("license:")), None)
    lic_name = _card(info, "license_name")
    lic_name = str(lic_name).strip() if lic_name else None
    gated_raw = getattr(info, "gated", None)
    gated = None if gated_raw is None else bool(gated_raw)
    params = None
    st = getattr(info, "safetensors", None)
    if st is not None and getattr(st, "total", None):
        params = round(st.total / 1e9, 3)
    gguf = getattr(info, "gguf", None)
    if params is None and isinstance(gguf, dict) and gguf.get("total"):
        params = round(gguf["total"] / 1e9, 3)
    if params is None and catalog and catalog.get("params_billion"):
        params = catalog["params_billion"]
    languages = _as_tuple(_card(info, "language"))
    count = len(languages) or None
    if catalog and catalog.get("language_count"):
        count = max(count or 0, catalog["language_count"])
    quant = next((q for q in QUANT_TAGS if q in tags), None)
    if quant is None and catalog and str(catalog.get("quantization", "")).startswith("gguf"):
        quant = "gguf"
    last = getattr(info, "last_modified", None)
    return ModelSummary(
        repo_id=info.id,
        author=getattr(info, "author", None) or (info.id.split("/")[0] if "/" in info.id else None),
        license_id=str(lic).strip().lower() if lic else None,
        license_name=lic_name,
        license_key=canonical_key(license_key(lic, lic_name)),
        gated=gated,
        pipeline_tag=getattr(info, "pipeline_tag", None) or (catalog or {}).get("pipeline_tag") or None,
        params_b=params,
        languages=languages,
        language_count=count,
        base_model=_as_tuple(_card(info, "base_model")),
        quantization=quant,
        tags=tags,
        downloads=getattr(info, "downloads", None),
        last_modified=last.date().isoformat() if hasattr(last, "date") else (str(last) if last else None),
        source=source,
        notes=tuple(notes),
        asked_id=asked_id if asked_id and asked_id != info.id else None,
    )


def _model_info_class():
    return hubhttp.hf_module("huggingface_hub.hf_api").ModelInfo


# --------------------------------------------------------------------------- snapshot

RESEARCHED, HUB_REFRESH = "researched", "hub"


def source_label(kind: str, day: str) -> str:
    """How an offline answer names its source: researched course facts, or a dated live-Hub refresh."""
    if kind == HUB_REFRESH:
        return f"Hub, {day}"
    return f"course facts researched {day} (sources listed)"


def source_words(source: str) -> str:
    """A source label (data, always English: 'live Hub', 'course facts researched DAY (sources listed)',
    'Hub, DAY') as a learner reads it, in the language in force."""
    from .licenses import source_text  # licenses imports hub

    return source_text(source)


def snapshot_kind(doc: dict) -> str:
    """'hub' when `refresh-data` wrote the snapshot from the live Hub, else 'researched'."""
    kind = doc.get("kind")
    if kind in (RESEARCHED, HUB_REFRESH):
        return kind
    return HUB_REFRESH if str(doc.get("source", "")).startswith("live Hub") else RESEARCHED


@lru_cache(maxsize=4)
def _snapshot_cached(path: str, mtime: float) -> tuple[str, dict[str, dict], str, dict[str, str]]:
    doc = data.load_json("hub_snapshot.json")
    fix = t("hub.snapshot.fix")
    if not isinstance(doc, dict) or not isinstance(doc.get("models", []), list):
        raise DataFileError(t("hub.snapshot.not_a_snapshot", folder=path.rsplit('/', 1)[0] or '.', fix=fix))
    records = {}
    for n, r in enumerate(doc.get("models", []), start=1):
        if not isinstance(r, dict) or not isinstance(r.get("id"), str) or not r["id"]:
            raise DataFileError(t("hub.snapshot.no_id", n=n, fix=fix))
        records[r["id"]] = r
    day = str(doc.get("snapshot_date") or "unknown date")
    kept = doc.get("kept_previous") if isinstance(doc.get("kept_previous"), dict) else {}
    return day, records, source_label(snapshot_kind(doc), day), kept


def _snapshot_doc() -> tuple[str, dict[str, dict], str, dict[str, str]]:
    path = data.path_of("hub_snapshot.json")
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0
    return _snapshot_cached(str(path), mtime)


def snapshot() -> tuple[str, dict[str, dict]]:
    """(snapshot date, records by repo id)."""
    day, records, _label, _kept = _snapshot_doc()
    return day, records


def snapshot_source(repo_id: str | None = None) -> str:
    """The offline source label: 'course facts researched DATE (sources listed)' or 'Hub, DATE'.

    A record that a partial refresh could not renew keeps the label of where it came from.
    """
    _day, _records, label, kept = _snapshot_doc()
    return kept.get(repo_id, label) if repo_id else label


def catalog() -> dict[str, dict]:
    return data.index("models")


def _from_snapshot(repo_id: str, notes: Iterable[str] = (), asked_id: str | None = None) -> ModelSummary | None:
    _date, records = snapshot()
    rec = records.get(repo_id)
    if rec is None:
        return None
    return summary_from_info(_snapshot_info(rec), snapshot_source(repo_id), catalog().get(repo_id), notes, asked_id)


def _snapshot_info(rec: dict):
    try:
        return _model_info_class()(**rec)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataFileError(t("hub.snapshot.bad_record", repo_id=rec.get('id'), error=type(exc).__name__)) from None


# --------------------------------------------------------------------------- ids and suggestions

@lru_cache(maxsize=1)
def _known_ids() -> tuple[str, ...]:
    ids = set(catalog()) | set(snapshot()[1])
    for name in ("leaderboard_v1", "leaderboard_v2"):
        ids.update(r["repo_id"] for r in data.load(name))
    return tuple(sorted(ids))


def _id_fixes() -> dict[str, dict]:
    return {r["asked_id"].lower(): r for r in data.load("repo_ids")}


def suggest(text: str, n: int = 5) -> tuple[str, ...]:
    """Known ids close to ``text`` (catalog, snapshot and leaderboard ids; case-insensitive)."""
    fix = _id_fixes().get(text.lower())
    if fix:
        return tuple(fix["correct_ids"].split(";"))
    ids = _known_ids()
    lower = {i.lower(): i for i in ids}
    key = text.lower()
    out: list[str] = []
    if key in lower:
        out.append(lower[key])
    # same name in another org, or the name as a prefix (e.g. versions of a model)
    name = key.split("/")[-1]
    out += [i for lk, i in lower.items() if lk.split("/")[-1] == name]
    out += [i for lk, i in lower.items() if lk.startswith(key) and len(lk) - len(key) <= 8]
    out += did_you_mean(key, ids, n=n, cutoff=CUTOFF_IDS)
    return tuple(dict.fromkeys(o for o in out if o != text))[:n]


# --------------------------------------------------------------------------- live path

class _LiveFailure(Exception):
    """Internal: the live call failed; kind in {not_found, gated, refused, unavailable}."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _hub_get(path: str, params: Any = None) -> hubhttp.HubReply:
    try:
        return hubhttp.get(path, params)
    except hubhttp.HubDown as exc:
        raise _LiveFailure("unavailable", str(exc)) from None


def _live_model_info(repo_id: str):
    model_info = _model_info_class()  # imported before the Hub's deadline starts
    reply = _hub_get(f"/api/models/{repo_id}")
    status = reply.status
    if reply.headers.get("x-error-code") == "GatedRepo":
        raise _LiveFailure("gated", t("hub.live.gated", repo_id=repo_id, status=status))
    if status == 404:
        raise _LiveFailure("not_found", t("hub.live.not_found", repo_id=repr(repo_id)))
    if status == 403:
        raise _LiveFailure("gated", t("hub.live.forbidden", repo_id=repo_id))
    if status == 401:  # the Hub answers 401 for gated, private and missing repos alike
        raise _LiveFailure("refused", t("hub.live.no_token", repo_id=repo_id))
    if status == 429:
        raise _LiveFailure("unavailable", t("hub.live.rate_limited"))
    if status >= 500:
        raise _LiveFailure("unavailable", t("hub.live.server_error", status=status))
    if status != 200:
        raise _LiveFailure("unavailable", t("hub.live.error", status=status))
    try:
        doc = reply.json()
        if not isinstance(doc, dict):
            raise TypeError("not an object")
        return model_info(**doc)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _LiveFailure("unavailable", t("hub.live.invalid", error=type(exc).__name__)) from None


def _use_live() -> tuple[bool, str]:
    allowed = live_allowed()
    return allowed.online, allowed.reason


def _gated_how(repo_id: str) -> str:
    return t("hub.gated.how", repo_id=repo_id)


def _gated_help(repo_id: str) -> str:
    return t("hub.gated.help", repo_id=repo_id, how=_gated_how(repo_id))


# --------------------------------------------------------------------------- public API

def model_summary(repo_id: str) -> ModelSummary:
    """Facts about one model: live Hub when reachable, else the shipped snapshot (always labelled)."""
    check = parse_repo_id(repo_id)
    rid, notes = check.repo_id, list(check.notes)
    fix = _id_fixes().get(rid.lower())
    online, reason = _use_live()
    if online:
        try:
            info = _live_model_info(rid)
        except _LiveFailure as failure:
            if failure.kind == "not_found":
                raise ModelNotFound(t("hub.model.not_on_hub", repo_id=repr(rid)),
                                    suggestions=_suggest_live(rid)) from None
            target = fix["correct_ids"].split(";")[0] if fix and fix["kind"] == "renamed" else rid
            same_case = _snapshot_case(target)
            if same_case and same_case != target:
                target, notes = same_case, [*notes, t("hub.model.case", repo_id=same_case)]
            if failure.kind in ("gated", "refused"):
                snap = _from_snapshot(target, [*notes, _gated_help(target), t("hub.model.showing_snapshot")], rid)
                if snap:
                    return snap
                if failure.kind == "refused":
                    raise GatedModel(t("hub.model.refused", repo_id=repr(rid), how=_gated_how(target))) from None
                raise GatedModel(_gated_help(target)) from None
            snap = _from_snapshot(target, [*notes, t("hub.model.live_failed", failure=str(failure),
                                                     source=source_words(snapshot_source()))], rid)
            if snap:
                return snap
            raise HubUnavailable(t("hub.model.unavailable", repo_id=rid, failure=str(failure),
                                   source=source_words(snapshot_source()))) from None
        if info.id != rid:
            notes.append(t("hub.model.moved", repo_id=rid, new_id=info.id))
        return summary_from_info(info, LIVE, catalog().get(info.id), notes, rid)
    # offline: the snapshot, following known renames and case differences
    notes.append(t("hub.model.hub_not_used", reason=reason))
    snap = _from_snapshot(rid, notes)
    if snap:
        return snap
    if fix and fix["kind"] == "renamed":
        new = fix["correct_ids"]
        snap = _from_snapshot(new, [*notes, t("hub.model.renamed", repo_id=rid, new_id=new, url=fix['source_url'])],
                              rid)
        if snap:
            return snap
    if fix and fix["kind"] == "no_such_repo":
        raise ModelNotFound(t("hub.model.no_such_repo", repo_id=repr(rid), url=fix['source_url']),
                            suggestions=tuple(fix["correct_ids"].split(";")))
    same_case = _snapshot_case(rid)
    if same_case:
        return _from_snapshot(same_case, [*notes, t("hub.model.case", repo_id=same_case)], rid)
    raise ModelNotFound(t("hub.model.not_in_snapshot", repo_id=repr(rid), source=source_words(snapshot_source()),
                          n=len(snapshot()[1])), suggestions=suggest(rid))


def _snapshot_case(rid: str) -> str | None:
    """The snapshot's spelling of ``rid`` when the two differ only in letter case."""
    return {k.lower(): k for k in snapshot()[1]}.get(rid.lower())


def _suggest_live(rid: str) -> tuple[str, ...]:
    """Offline suggestions first (sourced fixes), then a live Hub search on the name."""
    offline = suggest(rid)
    fix = _id_fixes().get(rid.lower())
    if fix:
        return offline
    try:
        found = _live_search({"search": rid.split("/")[-1], "limit": 5})
    except _LiveFailure:
        return offline
    return tuple(dict.fromkeys([*offline, *(r.repo_id for r in found)]))[:6]


_EXPAND = ("author", "cardData", "downloads", "gated", "lastModified", "pipeline_tag", "safetensors", "tags",
           "gguf")


def _live_search(params: dict) -> list[ModelSummary]:
    query = [(k, v) for k, v in params.items() if not isinstance(v, (list, tuple))]
    for k, v in params.items():
        if isinstance(v, (list, tuple)):
            query += [(k, item) for item in v]
    query += [("expand", e) for e in _EXPAND]
    ModelInfo = _model_info_class()
    reply = _hub_get("/api/models", query)
    if reply.status != 200:
        what = "429 Too Many Requests" if reply.status == 429 else f"HTTP {reply.status}"
        raise _LiveFailure("unavailable", t("hub.search.failed", what=what))
    try:
        items = reply.json()
        if not isinstance(items, list):
            raise ValueError("expected a list")
        cat = catalog()
        return [summary_from_info(ModelInfo(**item), LIVE, cat.get(item.get("id"))) for item in items]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _LiveFailure("unavailable", t("hub.search.invalid", error=type(exc).__name__)) from None


def check_task(task: str | None) -> str | None:
    """A known Hub pipeline tag (lower-cased), None for no filter; an unknown one is refused with suggestions."""
    if task is None or not str(task).strip():
        return None
    key = str(task).strip().lower().replace("_", "-").replace(" ", "-")
    known = set(PIPELINE_TAGS) | {r.get("pipeline_tag") for r in snapshot()[1].values() if r.get("pipeline_tag")}
    if key in known:
        return key
    close = list(did_you_mean(key, sorted(known), n=3, cutoff=CUTOFF_WORDS))
    close += [t for t in sorted(known) if key and key in t and t not in close][:3]
    raise InvalidInput(t("hub.search.bad_task", task=repr(str(task)[:60])), suggestions=tuple(close[:4]))


def commercial_license_ids() -> set[str]:
    """Licence keys whose clauses allow commercial use ('yes' or 'conditional'), from the clause table."""
    from .clauses import commercial_keys

    return commercial_keys()


# --------------------------------------------------------------------------- search: words, facts, URLs

HUB_WEB = "https://huggingface.co"
# What a search word can mean beyond the Hub's own tags (the snapshot's records carry few tags): each
# group is matched against the course's facts. The bars are course choices, not Hub rules.
WORD_GROUPS: dict[str, tuple[str, ...]] = {
    "maths": ("math", "maths", "mathematics", "gsm8k", "reasoning", "mathematiques", "mathématiques", "raisonnement"),
    "multilingual": ("multilingual", "multilingue", "languages", "langues"),
    "code": ("code", "coding", "coder", "programming", "programmation"),
}
MATHS_BAR = {"gsm8k": 50.0, "math_lvl5": 10.0}  # v1 GSM8K (raw %) or v2 MATH Lvl 5 (normalised) at least this
MULTILINGUAL_MIN = 5  # languages on the card for "multilingual"
CODE_NAMES = ("code", "coder")  # names that say a model is made for code (e.g. Qwen2.5-Coder)
# beyond these, data/card_facts.csv quotes what model cards say a model is made for (code, maths)


def model_url(repo_id: str) -> str:
    """The model's page on the Hub."""
    return f"{HUB_WEB}/{repo_id}"


def hub_search_url(task: str | None = None, tags: Iterable[str] = (), max_params_b: float | None = None,
                   quantized: bool | None = None, text: str | None = None) -> str:
    """The Hub's own model search page with the same filters (sorted by downloads), as the exercise sheet
    records it. The page has no filter for a number of languages or for commercial licences."""
    from urllib.parse import urlencode

    tags = [t.strip() for t in tags if t and t.strip()]
    query: list[tuple[str, str]] = []
    if task:
        query.append(("pipeline_tag", task))
    if quantized or any(t.lower() == "gguf" for t in tags):
        query.append(("library", "gguf"))
    other = [t for t in tags if t.lower() != "gguf"]
    if other:
        query.append(("other", ",".join(other)))
    if max_params_b:
        query.append(("num_parameters", f"min:0,max:{max_params_b:g}B"))
    if text:
        query.append(("search", text))
    query.append(("sort", "downloads"))
    return f"{HUB_WEB}/models?" + urlencode(query, safe=":,")


@lru_cache(maxsize=2)
def _board_lower(version: int) -> dict[str, dict]:
    return {r["repo_id"].lower(): r for r in data.load(f"leaderboard_v{version}")}


def _scores_of(repo_id: str) -> dict[str, float]:
    out = {}
    for version, column in ((1, "gsm8k"), (2, "math_lvl5")):
        row = _board_lower(version).get(repo_id.lower())
        if row is not None and isinstance(row.get(column), (int, float)):
            out[column] = float(row[column])
    return out


def maths_scores(summary: ModelSummary) -> dict[str, Any]:
    """The model's maths scores in the course's leaderboard data: ``gsm8k`` (v1) and ``math_lvl5`` (v2),
    and ``via``, the repo they were measured on: a quantized re-upload has its base model's weights, so it
    is given its base model's scores; a fine-tune is a different model and gets none of its base's."""
    own = _scores_of(summary.repo_id)
    if own:
        return {**own, "via": summary.repo_id}
    if summary.quantization:
        for base in summary.base_model:
            found = _scores_of(base)
            if found:
                return {**found, "via": base}
    return {}


def card_facts(summary: ModelSummary) -> dict[str, tuple[str, str]]:
    """What the model card says the model is made for (data/card_facts.csv): strength -> (quote, source).
    A quantized re-upload is its base model, so it gets its base model's card facts."""
    table = data.index("card_facts")
    for rid in (summary.repo_id, *(summary.base_model if summary.quantization else ())):
        row = table.get(rid)
        if row is not None:
            return {s.strip(): (row["quote"], row["source_url"]) for s in row["strengths"].split(";") if s.strip()}
    return {}


def gguf_builds_of(repo_id: str) -> tuple[str, ...]:
    """GGUF repos in the shipped snapshot whose card names this model as their base model."""
    _date, records = snapshot()
    out = []
    for rid, rec in records.items():
        card = rec.get("cardData") or {}
        bases = card.get("base_model") or ()
        bases = (bases,) if isinstance(bases, str) else tuple(bases)
        if "gguf" in (rec.get("tags") or ()) and repo_id.lower() in {b.lower() for b in bases}:
            out.append(rid)
    return tuple(sorted(out))


def _group_of(word: str) -> str | None:
    return next((g for g, words in WORD_GROUPS.items() if word in words), None)


def word_match(summary: ModelSummary, word: str) -> str | None:
    """Why a model matches one search word (a tag, its task, a language, its name, or the course's
    facts for maths, several languages and code), or None."""
    w = word.strip().lower()
    if not w:
        return None
    if w in {x.lower() for x in summary.tags} or w == (summary.pipeline_tag or "") or \
            w in {x.lower() for x in summary.languages}:
        return t("matchmaker.search.why_tag", tag=w)
    name = summary.repo_id.lower()
    if len(w) >= 3 and w in name:
        return t("matchmaker.search.why_name", word=w)
    group = _group_of(w)
    if group == "maths":
        scores = maths_scores(summary)
        if scores.get("gsm8k", -1) >= MATHS_BAR["gsm8k"]:
            return t("matchmaker.search.why_gsm8k", score=number(scores['gsm8k'], "g"))
        if scores.get("math_lvl5", -1) >= MATHS_BAR["math_lvl5"]:
            return t("matchmaker.search.why_math", score=number(scores['math_lvl5'], "g"))
        if "math" in name:
            return t("matchmaker.search.why_name", word="math")
        if "maths" in card_facts(summary):
            return t("matchmaker.search.why_card", strength=t(f"matchmaker.strength.{group}"))
    elif group == "multilingual":
        if (summary.language_count or 0) >= MULTILINGUAL_MIN:
            return tn("matchmaker.search.why_languages", summary.language_count)
    elif group == "code":
        hit = next((c for c in CODE_NAMES if c in name), None)
        if hit:
            return t("matchmaker.search.why_name", word=hit)
        if "code" in {x.lower() for x in summary.tags}:
            return t("matchmaker.search.why_tag", tag="code")
        if "code" in card_facts(summary):
            return t("matchmaker.search.why_card", strength=t(f"matchmaker.strength.{group}"))
    return None


def matches(summary: ModelSummary, task: str | None = None, tags: Iterable[str] = (),
            max_params_b: float | None = None, quantized: bool | None = None, min_languages: int | None = None,
            commercial_only: bool = False) -> bool:
    """The search filters, applied the same way to live and snapshot results (every word must match)."""
    if task and summary.pipeline_tag != task:
        return False
    if any(word_match(summary, w) is None for w in tags if w):
        return False
    if max_params_b is not None and (summary.params_b is None or summary.params_b > max_params_b):
        return False
    if quantized is True and summary.quantization is None:
        return False
    if quantized is False and summary.quantization is not None:
        return False
    if min_languages and (summary.language_count or 0) < min_languages:
        return False
    if commercial_only and summary.license_key not in commercial_license_ids():
        return False
    return True


def _sort_key(sort: str):
    if sort == "downloads":
        return lambda r: (r.downloads is None, -(r.downloads or 0), r.repo_id.lower())
    if sort == "params":
        return lambda r: (r.params_b is None, r.params_b or 0, r.repo_id.lower())
    return lambda r: r.repo_id.lower()


def _split_words(tags: Iterable[str]) -> tuple[str, ...]:
    """Search words as typed: 'math, gguf' or ['math', 'gguf'] -> ('math', 'gguf')."""
    out = []
    for item in tags:
        out += [w.strip() for w in str(item or "").split(",") if w.strip()]
    return tuple(dict.fromkeys(out))


def search_models(task: str | None = None, tags: Iterable[str] = (), max_params_b: float | None = None,
                  quantized: bool | None = None, min_languages: int | None = None, commercial_only: bool = False,
                  sort: str = "downloads", limit: int = 20, text: str | None = None) -> SearchResult:
    """Search models with the course's filters; live when reachable, else the snapshot.

    Every result says why it matched the search words (``why``), and ``url`` is the same search on the
    Hub's website. Live results are sorted by downloads; the snapshot has no download counts."""

    if sort not in ("downloads", "params", "id"):
        raise InvalidInput(t("matchmaker.search.bad_sort", value=repr(sort)))
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 200:
        raise InvalidInput(t("matchmaker.search.bad_limit", value=repr(limit)))
    if max_params_b is not None and (isinstance(max_params_b, bool) or not isinstance(max_params_b, (int, float))
                                     or not 0 < max_params_b < 1e6):
        raise InvalidInput(t("matchmaker.search.bad_params", value=repr(max_params_b)))
    if min_languages is not None and (isinstance(min_languages, bool) or not isinstance(min_languages, int)
                                      or min_languages < 0):
        raise InvalidInput(t("matchmaker.search.bad_languages", value=repr(min_languages)))
    task = check_task(task)
    tags = _split_words(tags)
    text = str(text).strip() if text is not None and str(text).strip() else None
    filters = dict(task=task, tags=list(tags), max_params_b=max_params_b, quantized=quantized,
                   min_languages=min_languages, commercial_only=commercial_only, sort=sort, limit=limit,
                   text=text)
    keep = dict(task=task, tags=tags, max_params_b=max_params_b, quantized=quantized,
                min_languages=min_languages, commercial_only=commercial_only)
    url = hub_search_url(task, tags, max_params_b, quantized, text)
    notes: list[str] = []
    if min_languages or commercial_only:
        notes.append(t("matchmaker.search.url_lacks"))
    online, reason = _use_live()
    if online:
        params: dict[str, Any] = {"sort": "downloads" if sort == "downloads" else "likes", "direction": -1,
                                  "limit": min(500, max(limit * 5, 50))}
        if task:
            params["pipeline_tag"] = task
        hub_tags = list(tags) + (["gguf"] if quantized and "gguf" not in {w.lower() for w in tags} else [])
        if hub_tags:
            params["filter"] = hub_tags
        if text:
            params["search"] = text
        try:
            found = [r for r in _live_search(params) if matches(r, **keep)]
            found.sort(key=_sort_key(sort))
            found = found[:limit]
            why = {r.repo_id: tuple(word_match(r, w) for w in tags) for r in found}
            return SearchResult(tuple(found), LIVE, tuple(notes), filters, url, why)
        except _LiveFailure as failure:
            notes.insert(0, t("matchmaker.search.live_failed", failure=str(failure),
                              source=source_words(snapshot_source())))
    else:
        notes.insert(0, t("matchmaker.search.offline", reason=reason, source=source_words(snapshot_source()),
                          n=len(snapshot()[1])))
    _date, records = snapshot()
    cat = catalog()
    results = []
    for rid, rec in records.items():
        if text and text.lower() not in rid.lower():
            continue
        summary = summary_from_info(_snapshot_info(rec), snapshot_source(rid), cat.get(rid))
        if matches(summary, **keep):
            results.append(summary)
    results.sort(key=_sort_key(sort))
    results = results[:limit]
    if not results and any(_group_of(w.lower()) == "code" for w in tags):
        notes.append(t("matchmaker.search.no_code_facts", url=url))
    elif not results:
        notes.append(t("matchmaker.search.none", url=url))
    why = {r.repo_id: tuple(word_match(r, w) for w in tags) for r in results}
    return SearchResult(tuple(results), snapshot_source(), tuple(notes), filters, url, why)
