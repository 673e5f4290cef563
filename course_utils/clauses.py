"""The licence clause table (``data/license_clauses.csv``): the one place licence rules live.

Each row is one clause of one licence: its kind (below), parameters (``k=v;k=v``), a short
verbatim quote, the section and the URL the quote was read from. Everything the course says
about a licence is computed from these rows: commercial use, the licence card's conditions and
limitations, the SaaS verdict, the exercise-2 checklist options and their answer key, and the
set of licences that allow commercial use. Adding a licence is adding rows (and its name in
``data/licenses.csv``); a licence with no rows is unknown and always needs a human review.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import data
from .i18n import label, t


@dataclass(frozen=True)
class Kind:
    option: str = ""  # the checklist option it belongs to ("" = not a checklist item)
    conditional: bool = False  # does it make commercial use conditional?
    limitation: bool = False  # a limitation (else a condition) on the licence card


# What each kind means for the licence card is the catalog's ``clauses.kind.<kind>`` (see kind_label).
KINDS: dict[str, Kind] = {
    "commercial_use": Kind(),
    "non_commercial_only": Kind("non_commercial", limitation=True),
    "research_only": Kind("non_commercial", limitation=True),
    "mau_threshold": Kind("user_threshold", conditional=True, limitation=True),
    "attribution_notice": Kind("attribution"),
    "derivative_naming": Kind("derivative_naming", conditional=True),
    "use_policy": Kind("use_restrictions", conditional=True, limitation=True),
    "outputs_may_not_train_other_models": Kind("no_training_other_models", conditional=True, limitation=True),
    "derivatives_carry_restrictions": Kind(conditional=True, limitation=True),
    "terms_bind_derivatives": Kind(),
    "hosted_service_is_distribution": Kind(),
    "share_alike": Kind("share_alike"),
    "trademark": Kind("trademark", limitation=True),
    "export_control": Kind("export_control", limitation=True),
    "region_exclusion": Kind("export_control", conditional=True, limitation=True),
    "remote_restriction": Kind(conditional=True, limitation=True),
    "revocable": Kind(limitation=True),
}

# The exercise-2 checklist options, in this order; each one's label is ``clauses.option.<id>``.
OPTIONS: tuple[str, ...] = ("non_commercial", "user_threshold", "use_restrictions", "attribution",
                            "derivative_naming", "no_training_other_models", "share_alike", "trademark",
                            "export_control")


def kind_label(kind: str) -> str:
    """What a clause kind means, in the language in force (e.g. 'Non-commercial use only')."""
    return t(f"clauses.kind.{kind}")


def option_label(option: str) -> str:
    """A checklist option's label in the language in force; the id itself for an option the course lacks."""
    return label(f"clauses.option.{option}", option)


def section_label(section: str) -> str:
    """A clause's section as cited: the licence's own numbering ('§4(a)', 'Attachment A') stays as written;
    the few names the course gave to unnumbered parts ('grant') are translated."""
    return label(f"clauses.section.{section}", section)


def region_label(region: str) -> str:
    """A region id of the clause table ('EU') in words."""
    return label(f"clauses.region.{region}", region)


@dataclass(frozen=True)
class Clause:
    license_key: str
    kind: str
    params: dict
    quote: str
    section: str
    source_url: str

    @property
    def label(self) -> str:
        return kind_label(self.kind)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "params": dict(self.params), "quote": self.quote,
                "section": self.section, "source_url": self.source_url}


def _params(text: str) -> dict:
    out = {}
    for part in text.split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def spelling(text: str) -> str:
    """How a licence name or alias is compared: lower case, single spaces."""
    return " ".join(text.strip().lower().split())


def aliases() -> dict[str, str]:
    """Every other spelling of a licence in licenses.csv's aliases column (see ``spelling``) -> its key."""
    out: dict[str, str] = {}
    for key, row in data.index("licenses").items():
        for alias in row["aliases"].split(";"):
            if alias.strip():
                out.setdefault(spelling(alias), key)
    return out


def canonical_key(key: str | None) -> str | None:
    """The licence's own key for another spelling of it on the Hub ('other:llama4' -> 'llama4'), via the
    aliases in licenses.csv; any other key unchanged."""
    if not key or key in data.index("licenses"):
        return key
    return aliases().get(spelling(key), key)


_PARSED: list = [None, (), {}]  # the loaded rows object, its clauses, clauses by key: rebuilt when the file changes


def _parsed() -> tuple[tuple[Clause, ...], dict[str, tuple[Clause, ...]]]:
    rows = data.load("license_clauses")
    if _PARSED[0] is not rows:
        parsed = tuple(Clause(r["license_key"], r["clause"], _params(r["params"]), r["quote"], r["section"],
                              r["source_url"]) for r in rows)
        by_key: dict[str, list[Clause]] = {}
        for c in parsed:
            by_key.setdefault(c.license_key, []).append(c)
        _PARSED[:] = [rows, parsed, {k: tuple(v) for k, v in by_key.items()}]
    return _PARSED[1], _PARSED[2]


def all_clauses() -> tuple[Clause, ...]:
    return _parsed()[0]


def clauses_of(key: str | None) -> tuple[Clause, ...]:
    """The clause rows of one licence key (empty for an unknown licence)."""
    return _parsed()[1].get(key or "", ())


def known_keys() -> set[str]:
    """Licence keys that have clause rows."""
    return set(_parsed()[1])


def has(clauses: tuple[Clause, ...], kind: str) -> bool:
    return any(c.kind == kind for c in clauses)


def commercial_use(key: str | None, rows: tuple[Clause, ...] | None = None) -> str:
    """'yes', 'conditional', 'no', or 'unknown' (no clause decides it), computed from the clauses."""
    rows = clauses_of(key) if rows is None else rows
    if has(rows, "non_commercial_only") or has(rows, "research_only"):
        return "no"
    if not has(rows, "commercial_use"):
        return "unknown"
    return "conditional" if any(KINDS[c.kind].conditional for c in rows) else "yes"


def expected_options(key: str | None) -> set[str] | None:
    """The checklist answer key for a licence: the options its clauses belong to (None when unknown)."""
    if commercial_use(key) == "unknown":
        return None
    return {KINDS[c.kind].option for c in clauses_of(key) if KINDS[c.kind].option}


def commercial_keys() -> set[str]:
    """Licence keys whose clauses allow commercial use (possibly with conditions)."""
    return {k for k, rows in _parsed()[1].items() if commercial_use(k, rows) in ("yes", "conditional")}


USE_LIMITING = ("non_commercial_only", "research_only", "mau_threshold", "use_policy",
                "outputs_may_not_train_other_models", "derivative_naming", "region_exclusion", "remote_restriction",
                "revocable")


def use_limits(key: str | None) -> tuple[Clause, ...] | None:
    """The clauses that limit who may use the model or for what (the OSI Open Source AI Definition's
    freedom to use "for any purpose and without having to ask for permission"); () when none, None when
    the licence is unknown."""
    if commercial_use(key) == "unknown":
        return None
    return tuple(c for c in clauses_of(key) if c.kind in USE_LIMITING)
