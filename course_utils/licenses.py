"""Licence facts and a SaaS verdict, computed from the clause table (see :mod:`course_utils.clauses`).

``license_report`` answers "what does this licence allow?" for a licence id or a model id.
``saas_verdict`` answers "may my product use this model?" from a few product facts; every
reason names and quotes the licence clause it rests on. A model is judged under the licence
that governs it: a re-upload or fine-tune of a model whose terms travel with copies (Gemma,
Llama, RAIL, ...) stays under those terms whatever its Hub tag says. Licences without clause
rows are reported as unknown, with a pointer to the text, never guessed.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import clauses as cl
from . import data
from .errors import CourseError, InvalidInput
from .model_ids import CUTOFF_WORDS, did_you_mean
from .feedback import Check

COMMERCIAL_VALUES = ("yes", "conditional", "no")
ALLOWED, WITH_CONDITIONS, NOT_ALLOWED = "allowed", "allowed_with_conditions", "not_allowed"
MULTIMODAL_TASKS = ("image-text-to-text", "any-to-any", "visual-question-answering", "image-to-text")
_LINEAGE_DEPTH = 3


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

    def to_dict(self) -> dict[str, Any]:
        return {"license_id": self.license_id, "license_name": self.license_name, "license_key": self.license_key,
                "hub_license_key": self.hub_license_key, "governed_by": self.governed_by, "gated": self.gated,
                "name": self.name, "known": self.known, "needs_review": not self.known,
                "commercial_use": self.commercial_use, "conditions": list(self.conditions),
                "limitations": list(self.limitations), "clauses": [c.to_dict() for c in self.clauses],
                "osi_approved": self.osi_approved, "license_text_url": self.text_url, "sources": list(self.sources),
                "note": self.note, "repo_id": self.repo_id, "model_source": self.model_source}

    def to_text(self) -> str:
        lines = [f"licence         {self.license_key} ({self.name})"]
        if self.repo_id:
            lines.insert(0, f"model           {self.repo_id}  [{self.model_source}]")
            lines.insert(1, f"gated           {_gated_text(self.gated)}")
            if self.tag_disagrees:
                lines.append(f"Hub tag         {self.hub_license_key} (disagrees: see the note)")
        lines += [f"commercial use  {self.commercial_use}",
                  f"OSI approved    {'unknown' if self.osi_approved is None else ('yes' if self.osi_approved else 'no')}"]
        lines += [f"condition       {c}" for c in self.conditions]
        lines += [f"limitation      {x}" for x in self.limitations]
        lines += [f"text            {self.text_url or 'no public text found'}"]
        if self.note:
            lines.append(f"note            {self.note}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {"yes": "#1b6e20", "conditional": "#8a5a00", "no": "#a01010"}.get(self.commercial_use, "#555")
        items = lambda xs: "".join(f"<li>{html.escape(x)}</li>" for x in xs) or "<li>none listed</li>"  # noqa: E731
        head = f"<b>{html.escape(self.repo_id)}</b> — " if self.repo_id else ""
        link = (f"<a href='{html.escape(self.text_url)}' target='_blank'>licence text</a>" if self.text_url
                else "no public text found")
        return (f"<div class='course-license'>{head}<b>{html.escape(self.license_key)}</b> "
                f"({html.escape(self.name)})<br>Commercial use: <b style='color:{colour}'>"
                f"{html.escape(self.commercial_use)}</b> · {link}"
                + (f" · gated: {html.escape(_gated_text(self.gated))}" if self.repo_id else "")
                + (f" · model facts from {html.escape(self.model_source)}" if self.model_source else "")
                + f"<br>Conditions:<ul>{items(self.conditions)}</ul>Limitations:<ul>{items(self.limitations)}</ul>"
                + (f"<i>{html.escape(self.note)}</i>" if self.note else "") + "</div>")


def _gated_text(gated: bool | None) -> str:
    return {True: "yes (accept the terms on the model page first)", False: "no", None: "unknown"}[gated]


def knowledge_base() -> dict[str, dict]:
    """Per-licence metadata (name, text URL, OSI approval, aliases) by licence key."""
    return data.index("licenses")


def _aliases() -> dict[str, str]:
    out = {}
    for key, row in knowledge_base().items():
        for alias in row["aliases"].split(";"):
            if alias.strip():
                out[" ".join(alias.strip().lower().split())] = key
    return out


def resolve_license_id(text: str) -> str | None:
    """A licence key from what a user typed ('Apache 2.0' -> 'apache-2.0'); None when unknown."""
    key = " ".join(text.strip().lower().split())
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
    return f"{c.label}: “{c.quote}” ({c.section})"


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
        what = "The model states no licence" if not key else f"The course has no verified clauses for {key!r}"
        return LicenseReport(
            license_key=key or "none", name=(meta or {}).get("name") or ("no licence stated" if not key else key),
            known=False, commercial_use="unknown", conditions=(), limitations=(), osi_approved=None, text_url=url,
            sources=sources, clauses=rows,
            note=" ".join(x for x in (note, f"{what}: read the licence text before any use (and ask a lawyer for "
                                            f"a product).") if x), **common)
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
    return (f"The Hub tags {summary.repo_id} {summary.license_key or 'with no licence'}, but it derives from {base}, "
            f"so its licence governs: {short_name(key)} {binding.section}: “{binding.quote}” The Hub tag "
            f"disagrees with the licence that applies.")


def license_report(license_or_repo_id: str) -> LicenseReport:
    """Facts about a licence, given a licence id ('apache-2.0') or a model id ('org/name')."""
    if not isinstance(license_or_repo_id, str) or not license_or_repo_id.strip():
        raise InvalidInput("Type a licence id (e.g. 'apache-2.0') or a model id (e.g. 'facebook/opt-6.7b').")
    text = license_or_repo_id.strip()
    if "/" not in text:
        key = resolve_license_id(text)
        if key is not None:
            return _report_for_key(key)
        names = [*knowledge_base(), *_aliases()]
        close = did_you_mean(text, names, n=3, cutoff=CUTOFF_WORDS)
        if close:
            raise InvalidInput(f"{text!r} is not a licence id the course knows.",
                               suggestions=tuple(dict.fromkeys(_aliases().get(c, c) for c in close)))
    # anything else is a model id (some have no org, like 'gpt2')
    from .hub import model_summary

    summary = model_summary(text)
    key, base = governing_license(summary)
    return _report_for_key(key, summary.repo_id, summary.source, summary.gated, license_id=summary.license_id,
                           license_name=summary.license_name, hub_license_key=summary.license_key, governed_by=base,
                           pipeline_tag=summary.pipeline_tag,
                           note=_lineage_note(summary, key, base) if base else "")


# --------------------------------------------------------------------------- SaaS verdict

@dataclass(frozen=True)
class Reason:
    text: str
    clause: str  # the licence clause the reason rests on
    quote: str = ""  # the clause's words

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "clause": self.clause, "quote": self.quote}


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
        lines = [f"verdict   {self.verdict}" + ("  (needs a human review of the licence)" if self.needs_review else ""),
                 f"licence   {self.license_key}" + (f"  (model {self.repo_id}, {self.model_source})" if self.repo_id else "")]
        lines += [f"- {r.text} [{r.clause}]" for r in self.reasons]
        lines += [f"check     {c}" for c in self.checks]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        label = {ALLOWED: ("✅", "#1b6e20", "allowed"), WITH_CONDITIONS: ("⚠️", "#8a5a00", "allowed with conditions"),
                 NOT_ALLOWED: ("❌", "#a01010", "not allowed")}[self.verdict]
        items = "".join(f"<li>{html.escape(r.text)} <i>({html.escape(r.clause)})</i></li>" for r in self.reasons)
        checks = "".join(f"<li>{html.escape(c)}</li>" for c in self.checks)
        return (f"<div class='course-saas'><b style='color:{label[1]}'>{label[0]} SaaS use: {label[2]}</b>"
                f"<ul>{items}</ul>" + (f"Check yourself:<ul>{checks}</ul>" if checks else "") + "</div>")


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

    def add(self, verdict: str, text: str, c: cl.Clause) -> None:
        self.verdict = max(self.verdict, verdict, key=self.ORDER.index)
        same = next((i for i, r in enumerate(self.reasons) if r.text == text), None)
        if same is None:
            self.reasons.append(Reason(text, f"{self.name} {c.section}", c.quote))
        else:  # one reason resting on several clauses
            r = self.reasons[same]
            self.reasons[same] = Reason(text, f"{r.clause}, {c.section}", f"{r.quote} … {c.quote}")


def _mau(v: _Verdict, c: cl.Clause, p: Product) -> None:
    limit = int(c.params["limit"])
    if c.params.get("measured") == "licensee_before_release":
        date = c.params.get("release_date")
        when = date or "the version's release date"
        measured = (f"the monthly active users of all products and services of you and your affiliates in the "
                    f"calendar month before {when}" + (" (the version's release date)" if date else ""))
        if p.licensee_mau_at_release is not None and p.licensee_mau_at_release > limit:
            v.add(NOT_ALLOWED, f"You had {p.licensee_mau_at_release:,} monthly active users (with affiliates) before "
                               f"{when}, over {limit:,}: you need a licence from the licensor first.", c)
        elif p.licensee_mau_at_release is not None:
            v.add(WITH_CONDITIONS, f"You had {p.licensee_mau_at_release:,} monthly active users before {when}: under "
                                   f"the {limit:,} limit.", c)
        else:
            note = ""
            if p.monthly_active_users is not None:
                note = (f" The {p.monthly_active_users:,} users you gave are this product's users now, which is not "
                        f"what the clause counts.")
            v.add(WITH_CONDITIONS, f"The {limit:,} limit counts {measured}; above it you need a separate licence."
                                   + note, c)
            v.checks.append(f"Did you and your affiliates have more than {limit:,} monthly active users in the "
                            f"calendar month before {when}?")
        return
    if not p.commercial:
        v.add(ALLOWED, "The monthly-user limit applies to commercial use only.", c)
    elif p.monthly_active_users is not None and p.monthly_active_users > limit:
        v.add(NOT_ALLOWED, f"{p.monthly_active_users:,} monthly active users is over {limit:,}: request a licence "
                           f"before you use it.", c)
    elif p.monthly_active_users is not None:
        v.add(WITH_CONDITIONS, f"{p.monthly_active_users:,} monthly active users is within the {limit:,} limit; "
                               f"above it you must request a licence.", c)
    else:
        v.add(WITH_CONDITIONS, f"Above {limit:,} monthly active users of your product you must request a licence.", c)
        v.checks.append(f"Will your product have more than {limit:,} monthly active users?")


def _attribution(v: _Verdict, c: cl.Clause, p: Product, hosted_is_distribution: bool) -> None:
    when = c.params.get("when", "redistribution")
    if when == "product":
        v.add(WITH_CONDITIONS, f"Show '{c.params.get('text', 'the credit')}' on your product's website, UI or "
                               f"documentation.", c)
    elif when == "derived_model":
        if p.trains_other_models_on_outputs:
            v.add(WITH_CONDITIONS, f"A model you train with its outputs and make available must display "
                                   f"'{c.params.get('text', 'the credit')}' in its documentation.", c)
    elif p.redistributes_weights or (hosted_is_distribution and when == "redistribution"):
        why = "" if p.redistributes_weights else " (a hosted service counts as distribution under this licence)"
        v.add(WITH_CONDITIONS, f"Give the licence and keep its notices{why}.", c)
    elif when == "redistribution":
        v.add(ALLOWED, "Only if you ship the weights: give the licence and keep its notices (serving the model over "
                       "an API does not distribute it).", c)


def _use_policy(v: _Verdict, c: cl.Clause, p: Product) -> None:
    if c.params.get("pass_on") == "yes":
        v.add(WITH_CONDITIONS, "Follow the use restrictions yourself and make them binding on your users in your "
                               "terms.", c)
    else:
        v.add(WITH_CONDITIONS, "Follow the use restrictions (acceptable use policy) and do not let your users break "
                               "them.", c)


def _region(v: _Verdict, c: cl.Clause, multimodal: bool | None) -> None:
    region = c.params.get("region", "some regions")
    if multimodal is False:
        v.add(ALLOWED, f"The {region} exclusion covers multimodal models only; this is a text model.", c)
        return
    v.add(WITH_CONDITIONS, f"For multimodal models the licence is not granted to individuals domiciled in, or "
                           f"companies with their principal place of business in, the {region} (end users of a "
                           f"product are not affected).", c)
    v.checks.append(f"Is the model multimodal, and are you (or your company) based in the {region}?")


def _verdict_from_clauses(key: str, rows: tuple[cl.Clause, ...], p: Product, multimodal: bool | None) -> _Verdict:
    v = _Verdict(key)
    hosted = cl.has(rows, "hosted_service_is_distribution")
    for c in rows:
        k = c.kind
        if k == "commercial_use":
            v.add(ALLOWED, "The licence grants use, copying and distribution, commercial use included.", c)
        elif k == "non_commercial_only":
            if p.commercial:
                v.add(NOT_ALLOWED, "A commercial product may not use this model.", c)
            else:
                v.add(WITH_CONDITIONS, "Non-commercial use is allowed; keep the attribution and notices.", c)
        elif k == "research_only":
            v.add(NOT_ALLOWED, "Only research (or evaluation) use is allowed: a product or production service is "
                               "not, even a non-commercial one.", c)
        elif k == "mau_threshold":
            _mau(v, c, p)
        elif k == "attribution_notice":
            _attribution(v, c, p, hosted)
        elif k == "derivative_naming":
            via_outputs = c.params.get("via") == "materials_or_outputs"
            if p.trains_other_models_on_outputs and via_outputs:
                v.add(WITH_CONDITIONS, f"A model you train on its outputs and make available must have a name "
                                       f"starting with '{c.params.get('prefix')}'.", c)
        elif k == "use_policy":
            _use_policy(v, c, p)
        elif k == "outputs_may_not_train_other_models":
            if p.trains_other_models_on_outputs:
                v.add(NOT_ALLOWED, "You may not use its outputs to improve any other large language model.", c)
        elif k == "derivatives_carry_restrictions":
            if p.trains_other_models_on_outputs:
                v.add(WITH_CONDITIONS, "A model trained on its outputs is a derivative: it carries the same use "
                                       "restrictions, which you must pass on.", c)
        elif k == "hosted_service_is_distribution":
            v.add(WITH_CONDITIONS, "Offering the model as a hosted service counts as distribution: the "
                                   "distribution conditions apply to your SaaS.", c)
        elif k == "share_alike":
            if p.redistributes_weights:
                v.add(WITH_CONDITIONS, "Adaptations you share must use the same (or a compatible) licence.", c)
        elif k == "trademark":
            v.add(ALLOWED, "Do not use the licensor's names or trademarks to promote your product.", c)
        elif k == "export_control":
            v.add(ALLOWED, "Comply with export-control and trade laws where you offer the product.", c)
        elif k == "region_exclusion":
            _region(v, c, multimodal)
        elif k == "remote_restriction":
            v.add(WITH_CONDITIONS, "The licensor may restrict use it believes breaches the terms.", c)
        elif k == "revocable":
            v.add(WITH_CONDITIONS, "The licensor may end the licence at any time on notice.", c)
    return v


def _validate_users(value: Any, what: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidInput(f"{what} must be a whole number ≥ 0, not {value!r}.")


def saas_verdict(repo_or_license_id: str, commercial: bool = True, monthly_active_users: int | None = None,
                 trains_other_models_on_outputs: bool = False, redistributes_weights: bool = False,
                 licensee_mau_at_release: int | None = None) -> SaasVerdict:
    """May a SaaS product with these facts use this model? Every reason cites and quotes a clause."""
    _validate_users(monthly_active_users, "Monthly active users")
    _validate_users(licensee_mau_at_release, "Monthly active users at the release date")
    product = Product(bool(commercial), monthly_active_users, licensee_mau_at_release,
                      bool(trains_other_models_on_outputs), bool(redistributes_weights))
    report = license_report(repo_or_license_id)
    key = report.license_key
    ids = dict(license_id=report.license_id, license_name=report.license_name, hub_license_key=report.hub_license_key,
               governed_by=report.governed_by)
    lineage = [Reason(report.note, "base model lineage")] if report.governed_by else []
    if not report.known:
        reason = Reason(f"{report.note} Text: {report.text_url or 'not found'}.",
                        "licence not in the course's clause table")
        return SaasVerdict(NOT_ALLOWED, key, (reason,), report.repo_id, report.model_source, True, report.text_url,
                           **ids)
    multimodal = None if not report.repo_id else (report.pipeline_tag in MULTIMODAL_TASKS)
    v = _verdict_from_clauses(key, report.clauses, product, multimodal)
    reasons = [*lineage, *v.reasons]
    if report.gated:
        reasons.append(Reason("The repo is gated: accept its terms on the Hub (logged in) before you can download "
                              "it; gating is an access step, not a different licence.", "Hub gating"))
    return SaasVerdict(v.verdict, key, tuple(reasons), report.repo_id, report.model_source, False, report.text_url,
                       checks=tuple(v.checks), **ids)


# --------------------------------------------------------------------------- the learner's checklist (exercise 2)

def checklist_options() -> dict[str, str]:
    """The checklist's options (id -> label): those the clause table's kinds belong to."""
    used = {cl.KINDS[c.kind].option for c in cl.all_clauses()}
    return {k: label for k, label in cl.OPTIONS.items() if k in used}


def expected_restrictions(key: str | None) -> set[str] | None:
    """The checklist answer key for a licence key (None when the licence is unknown)."""
    return cl.expected_options(key)


def check_checklist(repo_id: str, license_id: str | None, commercial_use: str | None,
                    restrictions: Iterable[str] = (), gated: bool | None = None) -> tuple[Check, ...]:
    """Compare a learner's licence checklist for one model with the licence that governs it."""
    report = license_report(repo_id)
    given_key = resolve_license_id(license_id) if license_id else None
    if report.governed_by:
        why = report.note + f" Source: {report.model_source}."
    else:
        why = f"The Hub tags {report.repo_id} with {report.license_key} ({report.name}); source: {report.model_source}."
    out = [Check("license_id", license_id, report.license_key, given_key == report.license_key, why)]
    expected = expected_restrictions(report.license_key) if report.known else None
    if report.known:
        out.append(Check("commercial_use", commercial_use, report.commercial_use,
                         commercial_use == report.commercial_use,
                         f"{short_name(report.license_key)}: commercial use is '{report.commercial_use}'."))
    else:
        out.append(Check("commercial_use", commercial_use, "unknown", commercial_use == "unknown",
                         f"The course has no verified terms for {report.license_key}: 'unknown' is the honest "
                         f"answer until someone reads {report.text_url or 'the licence text'}."))
    if expected is not None:
        options = cl.OPTIONS
        given = {r for r in restrictions if r in options}
        missing, extra = sorted(expected - given), sorted(given - expected)
        text = "All restrictions right." if not (missing or extra) else (
            ("Missing: " + "; ".join(options[m] for m in missing) + ". " if missing else "")
            + ("Not in this licence: " + "; ".join(options[e] for e in extra) + "." if extra else ""))
        out.append(Check("restrictions", sorted(given), sorted(expected), not (missing or extra), text.strip()))
    if gated is not None and report.gated is not None:
        out.append(Check("gated", gated, report.gated, gated == report.gated,
                         "Gated repos ask you to accept terms before downloading." if report.gated else
                         "No gating was found for this repo."))
    return tuple(out)
