"""Licence facts and a SaaS verdict, from the sourced knowledge base in ``data/licenses.csv``.

``license_report`` answers "what does this licence allow?" for a licence id or a model id.
``saas_verdict`` answers "may my product use this model?" from a few product facts; every
reason names the licence clause it rests on. Licences the knowledge base does not know are
reported as unknown, with a pointer to the text, never guessed.
"""
from __future__ import annotations

import difflib
import html
from dataclasses import dataclass
from typing import Any, Iterable

from . import data
from .errors import InvalidInput
from .feedback import Check

COMMERCIAL_VALUES = ("yes", "conditional", "no")
ALLOWED, WITH_CONDITIONS, NOT_ALLOWED = "allowed", "allowed_with_conditions", "not_allowed"
_ALIASES = {
    "apache 2.0": "apache-2.0", "apache2": "apache-2.0", "apache-2": "apache-2.0", "apache license 2.0": "apache-2.0",
    "mit license": "mit", "llama 2": "llama2", "llama-2": "llama2", "llama 3": "llama3", "llama-3": "llama3",
    "llama 3.1": "llama3.1", "llama 3.2": "llama3.2", "bloom": "bigscience-bloom-rail-1.0",
    "opt-175b": "other:opt-175b", "qwen": "other:qwen", "deepseek": "other:deepseek",
}


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(";") if p.strip())


@dataclass(frozen=True)
class LicenseReport:
    license_id: str
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

    def to_dict(self) -> dict[str, Any]:
        return {"license_id": self.license_id, "gated": self.gated, "name": self.name, "known": self.known,
                "commercial_use": self.commercial_use, "conditions": list(self.conditions),
                "limitations": list(self.limitations), "osi_approved": self.osi_approved,
                "license_text_url": self.text_url, "sources": list(self.sources), "note": self.note,
                "repo_id": self.repo_id, "model_source": self.model_source}

    def to_text(self) -> str:
        lines = [f"licence         {self.license_id} ({self.name})"]
        if self.repo_id:
            lines.insert(0, f"model           {self.repo_id}  [{self.model_source}]")
            lines.insert(1, f"gated           {_gated_text(self.gated)}")
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
        return (f"<div class='course-license'>{head}<b>{html.escape(self.license_id)}</b> "
                f"({html.escape(self.name)})<br>Commercial use: <b style='color:{colour}'>"
                f"{html.escape(self.commercial_use)}</b> · {link}"
                + (f" · gated: {html.escape(_gated_text(self.gated))}" if self.repo_id else "")
                + (f" · model facts from {html.escape(self.model_source)}" if self.model_source else "")
                + f"<br>Conditions:<ul>{items(self.conditions)}</ul>Limitations:<ul>{items(self.limitations)}</ul>"
                + (f"<i>{html.escape(self.note)}</i>" if self.note else "") + "</div>")


def _gated_text(gated: bool | None) -> str:
    return {True: "yes (accept the terms on the model page first)", False: "no", None: "unknown"}[gated]


def knowledge_base() -> dict[str, dict]:
    return data.index("licenses")


def resolve_license_id(text: str) -> str | None:
    """A licence id from what a user typed ('Apache 2.0' -> 'apache-2.0'); None when unknown."""
    key = " ".join(text.strip().lower().split())
    kb = knowledge_base()
    if key in kb:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    if f"other:{key}" in kb:
        return f"other:{key}"
    return None


def _report_for_key(key: str | None, repo_id: str | None = None, model_source: str | None = None,
                    gated: bool | None = None) -> LicenseReport:
    kb = knowledge_base()
    row = kb.get(key or "")
    if row is None or not row["commercial_use"]:
        generic = kb.get("other", {})
        url = (row or {}).get("license_text_url") or (f"https://huggingface.co/{repo_id}" if repo_id else "") \
            or generic.get("license_text_url", "")
        what = "The model states no licence" if not key else f"The course has no verified facts for {key!r}"
        return LicenseReport(
            license_id=key or "none", name=(row or {}).get("name") or ("no licence stated" if not key else key),
            known=False, commercial_use="unknown", conditions=(), limitations=(), osi_approved=None,
            text_url=url, sources=_split((row or {}).get("source_urls", "").replace(" ; ", ";")),
            note=f"{what}: read the licence text before any use (and ask a lawyer for a product).",
            repo_id=repo_id, model_source=model_source, gated=gated)
    return LicenseReport(
        license_id=key, name=row["name"], known=True, commercial_use=row["commercial_use"],
        conditions=_split(row["conditions"]), limitations=_split(row["limitations"]),
        osi_approved=row["osi_approved"], text_url=row["license_text_url"],
        sources=tuple(u.strip() for u in row["source_urls"].split(" ; ") if u.strip()),
        repo_id=repo_id, model_source=model_source, gated=gated)


def license_report(license_or_repo_id: str) -> LicenseReport:
    """Facts about a licence, given a licence id ('apache-2.0') or a model id ('org/name')."""
    if not isinstance(license_or_repo_id, str) or not license_or_repo_id.strip():
        raise InvalidInput("Type a licence id (e.g. 'apache-2.0') or a model id (e.g. 'facebook/opt-6.7b').")
    text = license_or_repo_id.strip()
    if "/" not in text:
        key = resolve_license_id(text)
        if key is not None:
            return _report_for_key(key)
        close = difflib.get_close_matches(text.lower(), [*knowledge_base(), *_ALIASES], n=3, cutoff=0.6)
        if close:
            raise InvalidInput(f"{text!r} is not a licence id the course knows.",
                               suggestions=tuple(dict.fromkeys(_ALIASES.get(c, c) for c in close)))
    # anything else is a model id (some have no org, like 'gpt2')
    from .hub import model_summary

    summary = model_summary(text)
    return _report_for_key(summary.license_id, summary.repo_id, summary.source, summary.gated)


# --------------------------------------------------------------------------- SaaS verdict

@dataclass(frozen=True)
class Reason:
    text: str
    clause: str  # the licence clause the reason rests on

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "clause": self.clause}


@dataclass(frozen=True)
class SaasVerdict:
    verdict: str  # allowed / allowed_with_conditions / not_allowed
    license_id: str
    reasons: tuple[Reason, ...]
    repo_id: str | None
    model_source: str | None
    needs_review: bool
    text_url: str

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "license_id": self.license_id,
                "reasons": [r.to_dict() for r in self.reasons], "repo_id": self.repo_id,
                "model_source": self.model_source, "needs_review": self.needs_review,
                "license_text_url": self.text_url}

    def to_text(self) -> str:
        lines = [f"verdict   {self.verdict}" + ("  (needs a human review of the licence)" if self.needs_review else ""),
                 f"licence   {self.license_id}" + (f"  (model {self.repo_id}, {self.model_source})" if self.repo_id else "")]
        lines += [f"- {r.text} [{r.clause}]" for r in self.reasons]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        label = {ALLOWED: ("✅", "#1b6e20", "allowed"), WITH_CONDITIONS: ("⚠️", "#8a5a00", "allowed with conditions"),
                 NOT_ALLOWED: ("❌", "#a01010", "not allowed")}[self.verdict]
        items = "".join(f"<li>{html.escape(r.text)} <i>({html.escape(r.clause)})</i></li>" for r in self.reasons)
        return (f"<div class='course-saas'><b style='color:{label[1]}'>{label[0]} SaaS use: {label[2]}</b>"
                f"<ul>{items}</ul></div>")


_PERMISSIVE = {
    "apache-2.0": ("Apache-2.0 §2 grants a perpetual, royalty-free licence to use, reproduce and distribute, "
                   "commercially too", "Apache-2.0 §2 (copyright licence)",
                   "If you ship the weights, include the licence, keep notices and mark changes", "Apache-2.0 §4"),
    "mit": ("MIT lets anyone use, copy, modify and sell the software", "MIT licence grant",
            "If you ship the weights, include the copyright and licence notice", "MIT notice condition"),
    "bsd-3-clause": ("BSD-3-Clause allows commercial use", "BSD-3-Clause grant",
                     "Keep the copyright notice when redistributing; do not use the authors' names to promote "
                     "your product", "BSD-3-Clause conditions 1-3"),
}
_ATTRIBUTION = {
    "cc-by-4.0": ("CC BY 4.0 allows commercial use if you give credit", "CC BY 4.0 §2(a), §3(a) attribution"),
    "cc-by-sa-4.0": ("CC BY-SA 4.0 allows commercial use with credit; adaptations you share must use the same "
                     "licence", "CC BY-SA 4.0 §3(a) attribution, §3(b) ShareAlike"),
}
_NON_COMMERCIAL = {
    "cc-by-nc-4.0": "CC BY-NC 4.0 §2(a)(1): the licence covers NonCommercial purposes only",
    "cc-by-nc-sa-4.0": "CC BY-NC-SA 4.0 §2(a)(1): the licence covers NonCommercial purposes only",
    "other:opt-175b": "OPT-175B licence grant: solely for non-commercial research purposes",
    "other:stability-ai-non-commercial-research-community": "Stability AI Non-Commercial Research Community "
                                                            "License: non-commercial research use only",
}
_RAIL = {
    "openrail": "OpenRAIL use-based restrictions (Attachment A of the specific licence)",
    "bigscience-openrail-m": "BigScience OpenRAIL-M para 4(a) and Attachment A",
    "bigscience-bloom-rail-1.0": "BigScience RAIL v1.0 paras 4.a and 5, Attachment A",
    "creativeml-openrail-m": "CreativeML OpenRAIL-M para 5 and Attachment A",
    "openrail++": "Open RAIL++-M paras 4 and 5, Attachment A",
    "other:deepseek": "DeepSeek licence para 5 and Attachment A",
}
_LLAMA = {
    # key: (name, outputs may improve other LLMs?, attribution shown to users, naming rule)
    "llama2": ("Llama 2 Community License", False, None, None),
    "llama3": ("Meta Llama 3 Community License", False, "Built with Meta Llama 3", "Llama 3"),
    "llama3.1": ("Llama 3.1 Community License", True, "Built with Llama", "Llama"),
    "llama3.2": ("Llama 3.2 Community License", True, "Built with Llama", "Llama"),
}
MAU_LIMIT = 700_000_000


def saas_verdict(repo_or_license_id: str, commercial: bool = True, monthly_active_users: int | None = None,
                 trains_other_models_on_outputs: bool = False, redistributes_weights: bool = False) -> SaasVerdict:
    """May a SaaS product with these facts use this model? Every reason cites a licence clause."""
    if monthly_active_users is not None:
        if isinstance(monthly_active_users, bool) or not isinstance(monthly_active_users, int) \
                or monthly_active_users < 0:
            raise InvalidInput(f"Monthly active users must be a whole number ≥ 0, not {monthly_active_users!r}.")
    report = license_report(repo_or_license_id)
    key = report.license_id
    reasons: list[Reason] = []
    verdict = ALLOWED

    def worst(v: str) -> None:
        nonlocal verdict
        order = [ALLOWED, WITH_CONDITIONS, NOT_ALLOWED]
        verdict = max(verdict, v, key=order.index)

    if not report.known:
        reasons.append(Reason(f"{report.note} Text: {report.text_url or 'not found'}.",
                              "licence not in the course's knowledge base"))
        return SaasVerdict(NOT_ALLOWED, key, tuple(reasons), report.repo_id, report.model_source, True,
                           report.text_url)
    if key in _PERMISSIVE:
        grant, clause, cond, cond_clause = _PERMISSIVE[key]
        reasons.append(Reason(grant + ".", clause))
        if redistributes_weights:
            worst(WITH_CONDITIONS)
            reasons.append(Reason(cond + ".", cond_clause))
        else:
            reasons.append(Reason(cond + " (serving the model over an API does not distribute it).", cond_clause))
        if trains_other_models_on_outputs:
            reasons.append(Reason("Using outputs to train another model is not restricted.", clause))
    elif key in _ATTRIBUTION:
        text, clause = _ATTRIBUTION[key]
        worst(WITH_CONDITIONS)
        reasons.append(Reason(text + ".", clause))
    elif key in _NON_COMMERCIAL:
        clause = _NON_COMMERCIAL[key]
        if commercial:
            worst(NOT_ALLOWED)
            reasons.append(Reason("A commercial product may not use this model.", clause))
        else:
            worst(WITH_CONDITIONS)
            reasons.append(Reason("Non-commercial use is allowed; keep the attribution and notices.", clause))
        if trains_other_models_on_outputs and key.startswith("other:stability"):
            reasons.append(Reason("Models trained on its outputs count as derivative works under the same terms.",
                                  "Stability licence definition of 'Derivative Works'"))
    elif key in _RAIL:
        worst(WITH_CONDITIONS)
        reasons.append(Reason("Commercial use is allowed, but you must pass the use restrictions on to your "
                              "users as enforceable terms and follow them yourself.", _RAIL[key]))
        if key == "bigscience-bloom-rail-1.0":
            reasons.append(Reason("Among the restricted uses: medical advice and results interpretation, and "
                                  "machine-generated content not disclosed as such.", "BigScience RAIL v1.0 Attachment A"))
    elif key in _LLAMA:
        name, outputs_ok, attribution, naming = _LLAMA[key]
        worst(WITH_CONDITIONS)
        reasons.append(Reason(f"Commercial use is allowed under the {name}, subject to Meta's Acceptable Use "
                              f"Policy.", f"{name}, licence grant and Acceptable Use Policy"))
        if monthly_active_users is not None and monthly_active_users > MAU_LIMIT:
            worst(NOT_ALLOWED)
            reasons.append(Reason(f"{monthly_active_users:,} monthly active users is over 700 million: you need a "
                                  f"separate licence from Meta.", f"{name}, Additional Commercial Terms"))
        elif monthly_active_users is None:
            reasons.append(Reason("Above 700 million monthly active users a separate licence from Meta is needed.",
                                  f"{name}, Additional Commercial Terms"))
        if trains_other_models_on_outputs:
            if outputs_ok:
                reasons.append(Reason(f"Training another model on its outputs is allowed, but that model's name "
                                      f"must start with '{naming}'.", f"{name}, redistribution and use (naming)"))
            else:
                worst(NOT_ALLOWED)
                reasons.append(Reason("You may not use Llama outputs to improve any other large language model "
                                      "(only Llama derivatives).", f"{name}, use of outputs restriction"))
        if attribution:
            reasons.append(Reason(f"Show '{attribution}' in your product's website, UI or documentation.",
                                  f"{name}, attribution requirement"))
        if key == "llama3.2":
            reasons.append(Reason("The EU exclusion in the Acceptable Use Policy covers the multimodal Llama 3.2 "
                                  "models only, not the 1B/3B text models.", f"{name}, Acceptable Use Policy"))
    elif key == "gemma":
        worst(WITH_CONDITIONS)
        reasons.append(Reason("Commercial use is allowed if you respect the Prohibited Use Policy, which Google may "
                              "update, and bind your users to it.", "Gemma Terms of Use §3.1, §3.2"))
        reasons.append(Reason("Google may restrict usage it believes breaches the terms.", "Gemma Terms of Use §3.2"))
        if trains_other_models_on_outputs:
            reasons.append(Reason("A model trained on Gemma's outputs is a 'Model Derivative' and falls under the "
                                  "same terms.", "Gemma Terms of Use §1 (definition of Model Derivatives)"))
    else:  # known row with a commercial_use value but no specific rule
        mapping = {"yes": ALLOWED, "conditional": WITH_CONDITIONS, "no": NOT_ALLOWED}
        worst(mapping[report.commercial_use] if commercial else WITH_CONDITIONS)
        reasons.append(Reason(f"Commercial use: {report.commercial_use}.", f"{report.name}"))
    if report.gated:
        reasons.append(Reason("The repo is gated: accept its terms on the Hub (logged in) before you can download "
                              "it; gating is an access step, not a different licence.", "Hub gating"))
    return SaasVerdict(verdict, key, tuple(reasons), report.repo_id, report.model_source, False, report.text_url)


# --------------------------------------------------------------------------- the learner's checklist (exercise 2)

RESTRICTIONS = {
    "non_commercial": "Non-commercial use only",
    "user_threshold": "A limit on monthly active users (a separate licence above it)",
    "use_restrictions": "Use-based restrictions / acceptable use policy you must pass on",
    "attribution": "Keep the licence text, notices or a 'built with' credit",
    "no_training_other_models": "No using outputs to improve other models",
    "share_alike": "Adaptations must use the same licence",
}
# licence key -> the restriction categories above that its terms contain (from data/licenses.csv)
LICENSE_RESTRICTIONS = {
    "apache-2.0": {"attribution"}, "mit": {"attribution"}, "bsd-3-clause": {"attribution"},
    "cc-by-4.0": {"attribution"}, "cc-by-sa-4.0": {"attribution", "share_alike"},
    "cc-by-nc-4.0": {"attribution", "non_commercial"},
    "cc-by-nc-sa-4.0": {"attribution", "non_commercial", "share_alike"},
    "openrail": {"use_restrictions", "attribution"}, "bigscience-openrail-m": {"use_restrictions", "attribution"},
    "bigscience-bloom-rail-1.0": {"use_restrictions", "attribution"},
    "creativeml-openrail-m": {"use_restrictions", "attribution"}, "openrail++": {"use_restrictions", "attribution"},
    "llama2": {"user_threshold", "use_restrictions", "attribution", "no_training_other_models"},
    "llama3": {"user_threshold", "use_restrictions", "attribution", "no_training_other_models"},
    "llama3.1": {"user_threshold", "use_restrictions", "attribution"},
    "llama3.2": {"user_threshold", "use_restrictions", "attribution"},
    "gemma": {"use_restrictions", "attribution"},
    "other:opt-175b": {"non_commercial", "use_restrictions", "attribution"},
    "other:deepseek": {"use_restrictions"},
    "other:stability-ai-non-commercial-research-community": {"non_commercial", "use_restrictions"},
}


def check_checklist(repo_id: str, license_id: str | None, commercial_use: str | None,
                    restrictions: Iterable[str] = (), gated: bool | None = None) -> tuple[Check, ...]:
    """Compare a learner's licence checklist for one model with the knowledge base."""
    report = license_report(repo_id)
    given_key = resolve_license_id(license_id) if license_id else None
    out = [Check("license_id", license_id, report.license_id,
                         given_key == report.license_id,
                         f"The Hub tags {report.repo_id} with {report.license_id} ({report.name}); source: "
                         f"{report.model_source}.")]
    if report.known:
        out.append(Check("commercial_use", commercial_use, report.commercial_use,
                                 commercial_use == report.commercial_use,
                                 f"{report.name}: commercial use is '{report.commercial_use}'."))
        expected = LICENSE_RESTRICTIONS.get(report.license_id)
        if expected is not None:
            given = {r for r in restrictions if r in RESTRICTIONS}
            missing = sorted(expected - given)
            extra = sorted(given - expected)
            why = "All restrictions right." if not (missing or extra) else (
                ("Missing: " + "; ".join(RESTRICTIONS[m] for m in missing) + ". " if missing else "")
                + ("Not in this licence: " + "; ".join(RESTRICTIONS[e] for e in extra) + "." if extra else ""))
            out.append(Check("restrictions", sorted(given), sorted(expected), not (missing or extra),
                                     why.strip()))
    else:
        out.append(Check("commercial_use", commercial_use, "unknown", False,
                                 f"The course has no verified terms for {report.license_id}: read {report.text_url}."))
    if gated is not None and report.gated is not None:
        out.append(Check("gated", gated, report.gated, gated == report.gated,
                                 "Gated repos ask you to accept terms before downloading." if report.gated else
                                 "No gating was found for this repo."))
    return tuple(out)
