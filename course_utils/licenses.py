"""Licence facts and a SaaS verdict, computed from the clause table (see :mod:`course_utils.clauses`).

``license_report`` answers "what does this licence allow?" for a licence id or a model id.
``saas_verdict`` answers "may my product use this model?" from a few product facts; every
reason names and quotes the licence clause it rests on. A model is judged under the licence
that governs it: a re-upload or fine-tune of a model whose terms travel with copies (Gemma,
Llama, RAIL, ...) stays under those terms whatever its Hub tag says. Licences without clause
rows are reported as unknown, with a pointer to the text, never guessed.

Results keep ids for answers, JSON and grading (licence keys, ``conditional``, ``not_allowed``,
restriction ids); what a learner reads is made from the catalogs (``licenses.*``, ``clauses.*``)
in the language in force when the result is made. Quotes of licence text stay as written.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import clauses as cl
from . import data
from .errors import CourseError, InvalidInput
from .model_ids import CUTOFF_WORDS, did_you_mean
from .feedback import Check
from .i18n import language, t
from .i18n import number as i18n_number
from .text_table import label_rows

COMMERCIAL_VALUES = ("yes", "conditional", "no")
ALLOWED, WITH_CONDITIONS, NOT_ALLOWED = "allowed", "allowed_with_conditions", "not_allowed"
MULTIMODAL_TASKS = ("image-text-to-text", "any-to-any", "visual-question-answering", "image-to-text")
_LINEAGE_DEPTH = 3


def number(value: int) -> str:
    """A whole number for prose: 700,000,000 in English, 700 000 000 (narrow spaces) in French."""
    return i18n_number(value, ",")


def commercial_label(value: str | None) -> str:
    """What a commercial-use value (yes / conditional / no / unknown) reads as."""
    return t(f"licenses.commercial.{value}") if value in (*COMMERCIAL_VALUES, "unknown") else (value or "—")


def verdict_label(verdict: str) -> str:
    """What a verdict id (allowed / allowed_with_conditions / not_allowed) reads as."""
    return t(f"licenses.verdict.{verdict}")


def source_text(source: str | None) -> str:
    """Where model facts came from, in words: the Hub's source labels ('live Hub', 'course facts
    researched DAY (sources listed)', 'Hub, DAY') in the language in force; any other text as it is."""
    if not source:
        return ""
    if source == "live Hub":
        return t("licenses.source.live")
    found = re.fullmatch(r"course facts researched (\S+) \(sources listed\)", source)
    if found:
        return t("licenses.source.researched", day=found.group(1))
    found = re.fullmatch(r"Hub, (\S+)", source)
    if found:
        return t("licenses.source.hub", day=found.group(1))
    return source


def _yes_no_unknown(value: bool | None) -> str:
    return t("licenses.unknown_value") if value is None else t("common.yes" if value else "common.no")


@dataclass(frozen=True)
class LicenseReport:
    license_key: str  # the course's key of the licence that governs (Hub id, or other:<license_name>)
    name: str
    known: bool
    commercial_use: str  # yes / conditional / no / unknown
    conditions: tuple[str, ...]
    limitations: tuple[str, ...]
    osi_approved: bool | None
    text_url: str
    sources: tuple[str, ...]
    note: str = ""
    repo_id: str | None = None
    model_source: str | None = None  # where the model's licence id came from (live Hub / snapshot)
    gated: bool | None = None  # for a model: must you accept terms on the Hub before downloading?
    license_id: str | None = None  # as the Hub gives it (e.g. "other")
    license_name: str | None = None  # the Hub's license_name (e.g. "qwen"), for custom licences
    hub_license_key: str | None = None  # the course key of the Hub tag (differs when a base model governs)
    governed_by: str | None = None  # the base model whose licence governs this one
    pipeline_tag: str | None = None
    clauses: tuple[cl.Clause, ...] = field(default=(), repr=False)

    @property
    def tag_disagrees(self) -> bool:
        return self.governed_by is not None

    @property
    def shown_name(self) -> str:
        """The licence's name as a learner reads it: the table's name with its details in English (they are
        English notes: 'version release date July 18, 2023'), the licence's own name alone otherwise."""
        if language() == "en" or not self.known:
            return self.name
        return short_name(self.license_key)

    def to_dict(self) -> dict[str, Any]:
        return {"license_id": self.license_id, "license_name": self.license_name, "license_key": self.license_key,
                "hub_license_key": self.hub_license_key, "governed_by": self.governed_by, "gated": self.gated,
                "name": self.name, "known": self.known, "needs_review": not self.known,
                "commercial_use": self.commercial_use, "conditions": list(self.conditions),
                "limitations": list(self.limitations), "clauses": [c.to_dict() for c in self.clauses],
                "osi_approved": self.osi_approved, "license_text_url": self.text_url, "sources": list(self.sources),
                "note": self.note, "repo_id": self.repo_id, "model_source": self.model_source}

    def to_text(self) -> str:
        rows = []
        if self.repo_id:
            rows += [(t("licenses.text.model"), f"{self.repo_id}  [{source_text(self.model_source)}]"),
                     (t("licenses.text.gated"), _gated_text(self.gated))]
        rows.append((t("licenses.text.licence"), f"{self.license_key} ({self.shown_name})"))
        if self.repo_id and self.tag_disagrees:
            rows.append((t("licenses.text.hub_tag"), t("licenses.text.hub_tag_disagrees", key=self.hub_license_key)))
        rows += [(t("licenses.text.commercial_use"), commercial_label(self.commercial_use)),
                 (t("licenses.text.osi_approved"), _yes_no_unknown(self.osi_approved))]
        rows += [(t("licenses.text.condition"), c) for c in self.conditions]
        rows += [(t("licenses.text.limitation"), x) for x in self.limitations]
        rows.append((t("licenses.text.text"), self.text_url or t("licenses.no_public_text")))
        if self.note:
            rows.append((t("licenses.text.note"), self.note))
        return label_rows(rows)

    def _repr_html_(self) -> str:
        colour = {"yes": "#1b6e20", "conditional": "#8a5a00", "no": "#a01010"}.get(self.commercial_use, "#555")
        none = f"<li>{html.escape(t('licenses.html.none_listed'))}</li>"
        items = lambda xs: "".join(f"<li>{html.escape(x)}</li>" for x in xs) or none  # noqa: E731
        head = f"<b>{html.escape(self.repo_id)}</b> — " if self.repo_id else ""
        link = (f"<a href='{html.escape(self.text_url)}' target='_blank'>{html.escape(t('licenses.html.text_link'))}"
                f"</a>" if self.text_url else html.escape(t("licenses.no_public_text")))
        gated = t("licenses.html.gated", value=_gated_text(self.gated))
        facts = t("licenses.html.facts_from", source=source_text(self.model_source))
        return (f"<div class='course-license'>{head}<b>{html.escape(self.license_key)}</b> "
                f"(<cite>{html.escape(self.shown_name)}</cite>)<br>{html.escape(t('licenses.html.commercial_use'))} "
                f"<b style='color:{colour}'>{html.escape(commercial_label(self.commercial_use))}</b> · {link}"
                + (f" · {html.escape(gated)}" if self.repo_id else "")
                + (f" · {html.escape(facts)}" if self.model_source else "")
                + f"<br>{html.escape(t('licenses.html.conditions'))}<ul>{items(self.conditions)}</ul>"
                + f"{html.escape(t('licenses.html.limitations'))}<ul>{items(self.limitations)}</ul>"
                + (f"<i>{html.escape(self.note)}</i>" if self.note else "") + "</div>")


def _gated_text(gated: bool | None) -> str:
    return t({True: "licenses.gated.yes", False: "common.no", None: "licenses.unknown_value"}[gated])


def knowledge_base() -> dict[str, dict]:
    """Per-licence metadata (name, text URL, OSI approval, aliases) by licence key."""
    return data.index("licenses")


_aliases = cl.aliases  # the one alias table (clauses), also used for did-you-mean below


def resolve_license_id(text: str) -> str | None:
    """A licence key from what a user typed ('Apache 2.0' -> 'apache-2.0'); None when unknown."""
    key = cl.spelling(text)
    keys = set(knowledge_base()) | cl.known_keys()
    if key in keys:
        return key
    aliases = _aliases()
    if key in aliases:
        return aliases[key]
    if f"other:{key}" in keys:
        return f"other:{key}"
    return None


def split_key(key: str | None) -> tuple[str | None, str | None]:
    """(Hub license id, Hub license_name) for a course key: 'other:qwen' -> ('other', 'qwen')."""
    if not key:
        return None, None
    if key.startswith("other:"):
        return "other", key.split(":", 1)[1]
    return key, None


def short_name(key: str) -> str:
    """The licence's name without its parenthesised details, for clause citations."""
    name = knowledge_base().get(key, {}).get("name") or key
    return name.split(" (")[0]


def _clause_text(c: cl.Clause) -> str:
    return t("licenses.clause_text", label=c.label, quote=c.quote, section=cl.section_label(c.section))


def _report_for_key(key: str | None, repo_id: str | None = None, model_source: str | None = None,
                    gated: bool | None = None, **model: Any) -> LicenseReport:
    meta = knowledge_base().get(key or "")
    rows = cl.clauses_of(key)
    commercial = cl.commercial_use(key)
    hub_id, hub_name = split_key(key)
    common = dict(repo_id=repo_id, model_source=model_source, gated=gated, license_id=model.get("license_id", hub_id),
                  license_name=model.get("license_name", hub_name), hub_license_key=model.get("hub_license_key", key),
                  governed_by=model.get("governed_by"), pipeline_tag=model.get("pipeline_tag"))
    note = model.get("note", "")
    sources = tuple(u.strip() for u in (meta or {}).get("source_urls", "").split(" ; ") if u.strip())
    if commercial == "unknown":
        generic = knowledge_base().get("other", {})
        url = (meta or {}).get("license_text_url") or (f"https://huggingface.co/{repo_id}" if repo_id else "") \
            or generic.get("license_text_url", "")
        what = t("licenses.unknown.no_licence") if not key else t("licenses.unknown.no_clauses", key=key)
        return LicenseReport(
            license_key=key or "none", name=(meta or {}).get("name") or (t("licenses.no_licence_stated") if not key
                                                                          else key),
            known=False, commercial_use="unknown", conditions=(), limitations=(), osi_approved=None, text_url=url,
            sources=sources, clauses=rows, note=" ".join(x for x in (note, what) if x), **common)
    conditions = tuple(_clause_text(c) for c in rows if c.kind != "commercial_use" and not cl.KINDS[c.kind].limitation)
    limitations = tuple(_clause_text(c) for c in rows if cl.KINDS[c.kind].limitation)
    return LicenseReport(
        license_key=key, name=(meta or {}).get("name") or key, known=True, commercial_use=commercial,
        conditions=conditions, limitations=limitations, osi_approved=(meta or {}).get("osi_approved"),
        text_url=(meta or {}).get("license_text_url", ""),
        sources=tuple(dict.fromkeys([*sources, *(c.source_url for c in rows)])), clauses=rows, note=note, **common)


def governing_license(summary) -> tuple[str | None, str | None]:
    """(licence key, base model) that governs a model: a base whose terms travel with copies wins.

    Follows ``base_model`` (Hub card data, else the catalog) up to a few steps; returns the
    model's own key and None when no base overrides it.
    """
    from .hub import catalog, model_summary

    own = summary.license_key
    seen = {summary.repo_id}
    current = summary
    for _ in range(_LINEAGE_DEPTH):
        bases = list(current.base_model)
        if not bases:
            cat = (catalog().get(current.repo_id) or {}).get("base_model", "")
            first = cat.split(" ")[0] if cat else ""
            bases = [first] if "/" in first else []
        if not bases or bases[0] in seen:
            break
        seen.add(bases[0])
        try:
            current = model_summary(bases[0])
        except CourseError:
            break
        key = current.license_key
        if key and key != own and cl.has(cl.clauses_of(key), "terms_bind_derivatives"):
            return key, current.repo_id
    return own, None


def _lineage_note(summary, key: str, base: str) -> str:
    binding = next(c for c in cl.clauses_of(key) if c.kind == "terms_bind_derivatives")
    tag = summary.license_key or t("licenses.lineage.no_tag")
    return t("licenses.lineage.note", repo=summary.repo_id, tag=tag, base=base, name=short_name(key),
             section=cl.section_label(binding.section), quote=binding.quote)


def license_report(license_or_repo_id: str, summary=None) -> LicenseReport:
    """Facts about a licence, given a licence id ('apache-2.0') or a model id ('org/name').

    ``summary``: the model's :class:`~course_utils.hub.ModelSummary` when the caller already fetched it
    (the licence card does), so the model is not looked up again; only its base models are."""
    if summary is not None:
        return _report_for_model(summary)
    if not isinstance(license_or_repo_id, str) or not license_or_repo_id.strip():
        raise InvalidInput(t("licenses.error.empty"))
    text = license_or_repo_id.strip()
    if "/" not in text:
        key = resolve_license_id(text)
        if key is not None:
            return _report_for_key(key)
        names = [*knowledge_base(), *_aliases()]
        close = did_you_mean(text, names, n=3, cutoff=CUTOFF_WORDS)
        if close:
            raise InvalidInput(t("licenses.error.unknown_licence", text=text),
                               suggestions=tuple(dict.fromkeys(_aliases().get(c, c) for c in close)))
    # anything else is a model id (some have no org, like 'gpt2')
    from .hub import model_summary

    return _report_for_model(model_summary(text))


def _report_for_model(summary) -> LicenseReport:
    key, base = governing_license(summary)
    return _report_for_key(key, summary.repo_id, summary.source, summary.gated, license_id=summary.license_id,
                           license_name=summary.license_name, hub_license_key=summary.license_key, governed_by=base,
                           pipeline_tag=summary.pipeline_tag,
                           note=_lineage_note(summary, key, base) if base else "")


# --------------------------------------------------------------------------- SaaS verdict

REASON_KINDS = ("clause", "lineage", "unknown_licence", "gating")


@dataclass(frozen=True)
class Reason:
    text: str
    clause: str  # what the reason rests on, as cited ("Llama 2 Community License §2", "Hub gating")
    quote: str = ""  # the clause's words (as the licence writes them)
    kind: str = "clause"  # one of REASON_KINDS: a licence clause, the base model's licence, no clauses, gating

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "clause": self.clause, "quote": self.quote, "kind": self.kind}


@dataclass(frozen=True)
class SaasVerdict:
    verdict: str  # allowed / allowed_with_conditions / not_allowed
    license_key: str
    reasons: tuple[Reason, ...]
    repo_id: str | None
    model_source: str | None
    needs_review: bool
    text_url: str
    license_id: str | None = None
    license_name: str | None = None
    hub_license_key: str | None = None
    governed_by: str | None = None
    checks: tuple[str, ...] = ()  # what the product's facts could not decide: check these yourself

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "license_id": self.license_id, "license_name": self.license_name,
                "license_key": self.license_key, "hub_license_key": self.hub_license_key,
                "governed_by": self.governed_by, "reasons": [r.to_dict() for r in self.reasons],
                "checks": list(self.checks), "repo_id": self.repo_id, "model_source": self.model_source,
                "needs_review": self.needs_review, "license_text_url": self.text_url}

    def to_text(self) -> str:
        verdict, licence, check = t("licenses.text.verdict"), t("licenses.text.licence"), t("licenses.text.check")
        width = max(10, max(map(len, (verdict, licence, check))) + 2)
        lines = [f"{verdict:<{width}}{verdict_label(self.verdict)}"
                 + (f"  {t('licenses.text.needs_review')}" if self.needs_review else ""),
                 f"{licence:<{width}}{self.license_key}"
                 + (f"  {t('licenses.text.model_source', repo=self.repo_id, source=source_text(self.model_source))}"
                    if self.repo_id else "")]
        lines += [f"- {r.text} [{r.clause}]" for r in self.reasons]
        lines += [f"{check:<{width}}{c}" for c in self.checks]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        icon, colour = {ALLOWED: ("✅", "#1b6e20"), WITH_CONDITIONS: ("⚠️", "#8a5a00"),
                        NOT_ALLOWED: ("❌", "#a01010")}[self.verdict]
        # the clause a reason rests on, cited by the licence's own (English) name: <cite>, the title of a work
        items = "".join(f"<li>{html.escape(r.text)} (<cite>{html.escape(r.clause)}</cite>)</li>" for r in self.reasons)
        checks = "".join(f"<li>{html.escape(c)}</li>" for c in self.checks)
        head = html.escape(t("licenses.html.saas", verdict=verdict_label(self.verdict)))
        return (f"<div class='course-saas'><b style='color:{colour}'>{icon} {head}</b>"
                f"<ul>{items}</ul>" + (f"{html.escape(t('licenses.html.check_yourself'))}<ul>{checks}</ul>"
                                       if checks else "") + "</div>")


@dataclass(frozen=True)
class Product:
    """The product facts a SaaS verdict is asked about."""

    commercial: bool = True
    monthly_active_users: int | None = None  # the product's users now
    licensee_mau_at_release: int | None = None  # yours + affiliates', month before the version's release date
    trains_other_models_on_outputs: bool = False
    redistributes_weights: bool = False


class _Verdict:
    """Collects reasons and keeps the worst verdict."""

    ORDER = (ALLOWED, WITH_CONDITIONS, NOT_ALLOWED)

    def __init__(self, key: str):
        self.key, self.name = key, short_name(key)
        self.verdict, self.reasons, self.checks = ALLOWED, [], []

    def add(self, verdict: str, message: str, c: cl.Clause, **fields: Any) -> None:
        """Add the reason ``licenses.reason.<message>`` (formatted with fields) resting on clause c."""
        self.verdict = max(self.verdict, verdict, key=self.ORDER.index)
        text = t(f"licenses.reason.{message}", **fields)
        section = cl.section_label(c.section)
        same = next((i for i, r in enumerate(self.reasons) if r.text == text), None)
        if same is None:
            self.reasons.append(Reason(text, f"{self.name} {section}", c.quote))
        else:  # one reason resting on several clauses
            r = self.reasons[same]
            self.reasons[same] = Reason(text, f"{r.clause}, {section}", f"{r.quote} … {c.quote}")

    def check(self, message: str, **fields: Any) -> None:
        """Something the product's facts could not decide: ``licenses.check.<message>``."""
        self.checks.append(t(f"licenses.check.{message}", **fields))


def _mau(v: _Verdict, c: cl.Clause, p: Product) -> None:
    limit = int(c.params["limit"])
    if c.params.get("measured") == "licensee_before_release":
        date = c.params.get("release_date")
        when = t("licenses.mau.when_dated", date=date) if date else t("licenses.mau.when_undated")
        measured = t("licenses.mau.measured", when=when) + (" " + t("licenses.mau.is_release_date") if date else "")
        at_release = p.licensee_mau_at_release
        if at_release is not None and at_release > limit:
            v.add(NOT_ALLOWED, "mau_release_over", c, users=number(at_release), when=when, limit=number(limit))
        elif at_release is not None:
            v.add(WITH_CONDITIONS, "mau_release_under", c, users=number(at_release), when=when, limit=number(limit))
        else:
            note = ("" if p.monthly_active_users is None else
                    " " + t("licenses.mau.not_what_it_counts", users=number(p.monthly_active_users)))
            v.add(WITH_CONDITIONS, "mau_release_unknown", c, limit=number(limit), measured=measured, note=note)
            v.check("mau_release", limit=number(limit), when=when)
        return
    if not p.commercial:
        v.add(ALLOWED, "mau_non_commercial", c)
    elif p.monthly_active_users is not None and p.monthly_active_users > limit:
        v.add(NOT_ALLOWED, "mau_product_over", c, users=number(p.monthly_active_users), limit=number(limit))
    elif p.monthly_active_users is not None:
        v.add(WITH_CONDITIONS, "mau_product_under", c, users=number(p.monthly_active_users), limit=number(limit))
    else:
        v.add(WITH_CONDITIONS, "mau_product_unknown", c, limit=number(limit))
        v.check("mau_product", limit=number(limit))


def _attribution(v: _Verdict, c: cl.Clause, p: Product, hosted_is_distribution: bool) -> None:
    when = c.params.get("when", "redistribution")
    credit = c.params.get("text") or t("licenses.attribution.the_credit")  # the licence's own words
    if when == "product":
        v.add(WITH_CONDITIONS, "attribution_product", c, credit=credit)
    elif when == "derived_model":
        if p.trains_other_models_on_outputs:
            v.add(WITH_CONDITIONS, "attribution_derived_model", c, credit=credit)
    elif p.redistributes_weights:
        v.add(WITH_CONDITIONS, "attribution_redistributes", c)
    elif hosted_is_distribution and when == "redistribution":
        v.add(WITH_CONDITIONS, "attribution_hosted", c)
    elif when == "redistribution":
        v.add(ALLOWED, "attribution_only_if_shipped", c)


def _region(v: _Verdict, c: cl.Clause, multimodal: bool | None) -> None:
    region = cl.region_label(c.params["region"]) if c.params.get("region") else t("licenses.region.some")
    if multimodal is False:
        v.add(ALLOWED, "region_text_model", c, region=region)
        return
    v.add(WITH_CONDITIONS, "region_multimodal", c, region=region)
    v.check("region", region=region)


# Clause kinds whose reason does not depend on the product's facts: (verdict, message).
_FIXED = {
    "commercial_use": (ALLOWED, "commercial_use"),
    "research_only": (NOT_ALLOWED, "research_only"),
    "hosted_service_is_distribution": (WITH_CONDITIONS, "hosted_service_is_distribution"),
    "trademark": (ALLOWED, "trademark"),
    "export_control": (ALLOWED, "export_control"),
    "remote_restriction": (WITH_CONDITIONS, "remote_restriction"),
    "revocable": (WITH_CONDITIONS, "revocable"),
}


def _verdict_from_clauses(key: str, rows: tuple[cl.Clause, ...], p: Product, multimodal: bool | None) -> _Verdict:
    v = _Verdict(key)
    hosted = cl.has(rows, "hosted_service_is_distribution")
    for c in rows:
        k = c.kind
        if k in _FIXED:
            v.add(*_FIXED[k], c)
        elif k == "non_commercial_only":
            if p.commercial:
                v.add(NOT_ALLOWED, "non_commercial_product", c)
            else:
                v.add(WITH_CONDITIONS, "non_commercial_use", c)
        elif k == "mau_threshold":
            _mau(v, c, p)
        elif k == "attribution_notice":
            _attribution(v, c, p, hosted)
        elif k == "derivative_naming":
            if p.trains_other_models_on_outputs and c.params.get("via") == "materials_or_outputs":
                v.add(WITH_CONDITIONS, "derivative_naming", c, prefix=c.params.get("prefix"))
        elif k == "use_policy":
            v.add(WITH_CONDITIONS, "use_policy_pass_on" if c.params.get("pass_on") == "yes" else "use_policy", c)
        elif k == "outputs_may_not_train_other_models":
            if p.trains_other_models_on_outputs:
                v.add(NOT_ALLOWED, "outputs_may_not_train_other_models", c)
        elif k == "derivatives_carry_restrictions":
            if p.trains_other_models_on_outputs:
                v.add(WITH_CONDITIONS, "derivatives_carry_restrictions", c)
        elif k == "share_alike":
            if p.redistributes_weights:
                v.add(WITH_CONDITIONS, "share_alike", c)
        elif k == "region_exclusion":
            _region(v, c, multimodal)
    return v


def _validate_users(value: Any, what: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidInput(t("licenses.error.users", what=t(f"licenses.users.{what}"), value=value))


def saas_verdict(repo_or_license_id: str, commercial: bool = True, monthly_active_users: int | None = None,
                 trains_other_models_on_outputs: bool = False, redistributes_weights: bool = False,
                 licensee_mau_at_release: int | None = None, *, summary=None,
                 report: LicenseReport | None = None) -> SaasVerdict:
    """May a SaaS product with these facts use this model? Every reason cites and quotes a clause.

    ``summary`` (the model's ModelSummary) or ``report`` (its :func:`license_report`) when the caller
    already has them: the model (and its base models) are then not looked up again."""
    _validate_users(monthly_active_users, "now")
    _validate_users(licensee_mau_at_release, "at_release")
    product = Product(bool(commercial), monthly_active_users, licensee_mau_at_release,
                      bool(trains_other_models_on_outputs), bool(redistributes_weights))
    if report is None:
        report = license_report(repo_or_license_id, summary=summary)
    key = report.license_key
    ids = dict(license_id=report.license_id, license_name=report.license_name, hub_license_key=report.hub_license_key,
               governed_by=report.governed_by)
    lineage = [Reason(report.note, t("licenses.cite.lineage"), kind="lineage")] if report.governed_by else []
    if not report.known:
        reason = Reason(t("licenses.reason.unknown_licence", note=report.note,
                          url=report.text_url or t("licenses.not_found")),
                        t("licenses.cite.unknown_licence"), kind="unknown_licence")
        return SaasVerdict(NOT_ALLOWED, key, (reason,), report.repo_id, report.model_source, True, report.text_url,
                           **ids)
    multimodal = None if not report.repo_id else (report.pipeline_tag in MULTIMODAL_TASKS)
    v = _verdict_from_clauses(key, report.clauses, product, multimodal)
    reasons = [*lineage, *v.reasons]
    if report.gated:
        reasons.append(Reason(t("licenses.reason.gated"), t("licenses.cite.gating"), kind="gating"))
    return SaasVerdict(v.verdict, key, tuple(reasons), report.repo_id, report.model_source, False, report.text_url,
                       checks=tuple(v.checks), **ids)


# --------------------------------------------------------------------------- the learner's checklist (exercise 2)

CHECKLIST_ITEMS = ("license_id", "commercial_use", "restrictions", "gated")  # Check.item reads licenses.check_item.<id>


def checklist_options() -> dict[str, str]:
    """The checklist's options (id -> label, in the language in force): those the clause table's kinds
    belong to, in the clause module's order."""
    used = {cl.KINDS[c.kind].option for c in cl.all_clauses()}
    return {k: cl.option_label(k) for k in cl.OPTIONS if k in used}


def expected_restrictions(key: str | None) -> set[str] | None:
    """The checklist answer key for a licence key (None when the licence is unknown)."""
    return cl.expected_options(key)


def item_label(item: str) -> str:
    """What a checklist item (one of CHECKLIST_ITEMS) reads as in feedback ('license_id' -> 'Licence id')."""
    return t(f"licenses.check_item.{item}")


def _options_text(options: Iterable[str]) -> str | None:
    labels = [cl.option_label(o) for o in options]
    return t("licenses.list_separator").join(labels) if labels else None


def check_checklist(repo_id: str, license_id: str | None, commercial_use: str | None,
                    restrictions: Iterable[str] = (), gated: bool | None = None) -> tuple[Check, ...]:
    """Compare a learner's licence checklist for one model with the licence that governs it.

    Each Check's ``item`` is the item's label in the language in force (see :func:`item_label`); given
    and expected keep the ids, their ``*_label`` the words."""
    report = license_report(repo_id)
    given_key = resolve_license_id(license_id) if license_id else None
    source = source_text(report.model_source)
    if report.governed_by:
        why = t("licenses.why.license_id_lineage", note=report.note, source=source)
    else:
        why = t("licenses.why.license_id", repo=report.repo_id, key=report.license_key, name=report.shown_name,
                source=source)
    out = [Check(item_label("license_id"), license_id, report.license_key, given_key == report.license_key, why,
                 expected_label=f"{report.license_key} ({report.shown_name})" if report.name != report.license_key
                 else None)]
    given_commercial = commercial_label(commercial_use) if commercial_use else None
    expected_commercial = report.commercial_use if report.known else "unknown"
    if report.known:
        why = t("licenses.why.commercial_use", name=short_name(report.license_key),
                value=commercial_label(report.commercial_use))
    else:
        why = t("licenses.why.commercial_use_unknown", key=report.license_key, unknown=commercial_label("unknown"),
                url=report.text_url or t("licenses.the_licence_text"))
    out.append(Check(item_label("commercial_use"), commercial_use, expected_commercial,
                     commercial_use == expected_commercial, why, given_label=given_commercial,
                     expected_label=commercial_label(expected_commercial)))
    expected = expected_restrictions(report.license_key) if report.known else None
    if expected is not None:
        given = {r for r in restrictions if r in cl.OPTIONS}
        missing, extra = sorted(expected - given, key=cl.OPTIONS.index), sorted(given - expected, key=cl.OPTIONS.index)
        if not (missing or extra):
            text = t("licenses.why.restrictions_right")
        else:
            text = " ".join(([t("licenses.why.restrictions_missing", items=_options_text(missing))] if missing else [])
                            + ([t("licenses.why.restrictions_extra", items=_options_text(extra))] if extra else []))
        order = lambda xs: sorted(xs, key=cl.OPTIONS.index)  # noqa: E731
        out.append(Check(item_label("restrictions"), sorted(given), sorted(expected), not (missing or extra), text,
                         given_label=_options_text(order(given)), expected_label=_options_text(order(expected))))
    if gated is not None and report.gated is not None:
        out.append(Check(item_label("gated"), gated, report.gated, gated == report.gated,
                         t("licenses.why.gated_yes" if report.gated else "licenses.why.gated_no")))
    return tuple(out)
