"""Does a model meet a team's needs? One check per need, each with the measured value and the need.

The teams themselves (who they are, their limits) are exercise constants declared in
:mod:`course_utils.exercises.ex03`; this module only knows what a need is and how to measure it
from the course's facts (the Hub or its snapshot, the fit estimator, the leaderboard scores).
Every text a learner reads comes from the ``matchmaker`` catalog at the moment it is made.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .hub import ModelSummary, card_facts, commercial_license_ids, gguf_builds_of, maths_scores, model_summary
from .i18n import number, t, tn

NeedId = Literal["task", "size", "cpu", "maths", "languages", "licence"]
CPU_QUANT = "Q4_K_M"  # the 4-bit build the CPU rule sizes (llama.cpp's usual default)
CPU_CONTEXT = 4096  # tokens of context the CPU rule leaves room for


@dataclass(frozen=True)
class MathsNeed:
    """Good enough at maths: a leaderboard score at or above one of these (v1 GSM8K raw %, v2 MATH Lvl 5)."""
    min_gsm8k: float
    min_math_lvl5: float


@dataclass(frozen=True)
class Team:
    """A team's needs; its name and brief are the catalog entries ``ex03.team.<id>.name`` / ``.brief``."""
    id: str
    task: str | None = "text-generation"
    max_params_b: float | None = None
    cpu_ram_gb: float | None = None  # runs on CPU: a GGUF build whose Q4_K_M needs at most this much RAM
    maths: MathsNeed | None = None
    min_languages: int | None = None
    commercial: bool = True

    @property
    def name(self) -> str:
        return t(f"ex03.team.{self.id}.name")

    @property
    def brief(self) -> str:
        return t(f"ex03.team.{self.id}.brief")


@dataclass(frozen=True)
class NeedCheck:
    need: NeedId
    ok: bool | None  # None = cannot tell from the facts available (counts as not met)
    why: str
    measured: str = ""  # what the model has, e.g. "needs ~4.6 GB of RAM at Q4_K_M"
    wanted: str = ""  # the team's need, e.g. "at most 6 GB"

    @property
    def label(self) -> str:
        return t(f"matchmaker.need.{self.need}")

    @property
    def text(self) -> str:
        """One line a learner reads: the need, what the model has, and what the team needs."""
        return t("matchmaker.row", mark="✅" if self.ok else "❌", label=self.label, measured=self.measured,
                 wanted=self.wanted)


@dataclass(frozen=True)
class PickFeedback:
    team: str
    repo_id: str
    checks: tuple[NeedCheck, ...]
    source: str

    @property
    def fits(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"team": self.team, "repo_id": self.repo_id, "fits": self.fits, "source": self.source,
                "checks": [{"need": c.need, "ok": c.ok, "why": c.why, "measured": c.measured, "wanted": c.wanted}
                           for c in self.checks]}


def _gb(value: float) -> str:
    return number(value, ".1f")  # 4.6 in English, 4,6 in French


def _task(team: Team, m: ModelSummary) -> NeedCheck:
    tag = m.pipeline_tag
    ok = None if not tag else tag == team.task
    measured = tag or t("matchmaker.not_stated")
    why = t("matchmaker.task.ok" if ok else "matchmaker.task.unknown" if ok is None else "matchmaker.task.bad",
            task=team.task)
    return NeedCheck("task", ok, why, measured, team.task or "")


def _size(team: Team, m: ModelSummary) -> NeedCheck:
    wanted = t("matchmaker.size.wanted", limit=number(team.max_params_b, "g"))
    if m.params_b is None:
        return NeedCheck("size", None, t("matchmaker.size.unknown"), t("matchmaker.unknown"), wanted)
    ok = m.params_b <= team.max_params_b
    return NeedCheck("size", ok, t("matchmaker.size.ok" if ok else "matchmaker.size.bad"),
                     tn("matchmaker.size.measured", m.params_b, params=number(m.params_b, "g")), wanted)


def cpu_need(m: ModelSummary, ram_gb: float) -> NeedCheck:
    """The one CPU rule: a GGUF build exists (this repo, or one the course knows) and at Q4_K_M with a
    4k context it needs at most ``ram_gb`` of RAM (the fit estimator)."""
    from .errors import CourseError
    from .fit import estimate

    wanted = t("matchmaker.cpu.wanted", ram=number(ram_gb, "g"))
    build = m.repo_id if m.quantization == "gguf" else next(iter(gguf_builds_of(m.repo_id)), None)
    try:
        need = estimate(m.repo_id, CPU_QUANT, CPU_CONTEXT).ram_needed_gb
    except CourseError:  # not in the course data: size it from the parameter count
        need = estimate(params_b=m.params_b, quant=CPU_QUANT, context=CPU_CONTEXT).ram_needed_gb if m.params_b \
            else None
    if build is None:
        where = t("matchmaker.cpu.no_build", quant=m.quantization or t("matchmaker.cpu.not_quantized"))
    elif build == m.repo_id:
        where = t("matchmaker.cpu.this_build")
    else:
        where = t("matchmaker.cpu.other_build", build=build)
    if need is None:
        return NeedCheck("cpu", None, t("matchmaker.cpu.size_unknown"), where, wanted)
    measured = t("matchmaker.cpu.measured", ram=_gb(need), quant=CPU_QUANT, where=where)
    if build is None:
        return NeedCheck("cpu", False, t("matchmaker.cpu.find_build"), measured, wanted)
    ok = need <= ram_gb
    return NeedCheck("cpu", ok, t("matchmaker.cpu.ok" if ok else "matchmaker.cpu.too_big", ram=number(ram_gb, "g")),
                     measured, wanted)


def _maths(need: MathsNeed, m: ModelSummary) -> NeedCheck:
    wanted = t("matchmaker.maths.wanted", gsm8k=number(need.min_gsm8k, "g"), math=number(need.min_math_lvl5, "g"))
    scores = maths_scores(m)
    parts = []
    if "gsm8k" in scores:
        parts.append(t("matchmaker.maths.gsm8k", score=number(scores["gsm8k"], "g")))
    if "math_lvl5" in scores:
        parts.append(t("matchmaker.maths.math", score=number(scores["math_lvl5"], "g")))
    if parts:
        ok = scores.get("gsm8k", -1) >= need.min_gsm8k or scores.get("math_lvl5", -1) >= need.min_math_lvl5
        via = scores.get("via")
        why = t("matchmaker.maths.ok" if ok else "matchmaker.maths.bad")
        if via and via != m.repo_id:
            why += " " + t("matchmaker.maths.via", base=via)
        return NeedCheck("maths", ok, why, t("matchmaker.list_sep").join(parts), wanted)
    quoted = card_facts(m).get("maths")
    if quoted:
        return NeedCheck("maths", True, t("matchmaker.maths.card_quote", quote=quoted[0], source=quoted[1]),
                         t("matchmaker.maths.card_measured"), wanted)
    if {"math", "mathematics"} & {tag.lower() for tag in m.tags}:
        return NeedCheck("maths", True, t("matchmaker.maths.card"), t("matchmaker.maths.card_measured"), wanted)
    return NeedCheck("maths", None, t("matchmaker.maths.unknown"), t("matchmaker.maths.no_score"), wanted)


def _languages(team: Team, m: ModelSummary) -> NeedCheck:
    n = m.language_count or 0
    wanted = t("matchmaker.languages.wanted", n=team.min_languages)
    if not n:
        return NeedCheck("languages", None, t("matchmaker.languages.unknown"), t("matchmaker.not_stated"), wanted)
    ok = n >= team.min_languages
    from .i18n import tn

    return NeedCheck("languages", ok, t("matchmaker.languages.ok" if ok else "matchmaker.languages.bad"),
                     tn("matchmaker.languages.measured", n), wanted)


def _licence(m: ModelSummary) -> NeedCheck:
    ok = m.license_key in commercial_license_ids()
    measured = m.license_key or t("matchmaker.licence.none")
    return NeedCheck("licence", ok, t("matchmaker.licence.ok" if ok else "matchmaker.licence.bad"), measured,
                     t("matchmaker.licence.wanted"))


def needs_checks(team: Team, m: ModelSummary) -> list[NeedCheck]:
    """Every need of the team, measured on one model."""
    out = []
    if team.task:
        out.append(_task(team, m))
    if team.max_params_b is not None:
        out.append(_size(team, m))
    if team.cpu_ram_gb is not None:
        out.append(cpu_need(m, team.cpu_ram_gb))
    if team.maths is not None:
        out.append(_maths(team.maths, m))
    if team.min_languages:
        out.append(_languages(team, m))
    if team.commercial:
        out.append(_licence(m))
    return out


def check_pick(team: Team, repo_id: str) -> PickFeedback:
    """Does this model meet the team's needs? One check per need, each with its measured value and reason."""
    m = model_summary(repo_id)
    return PickFeedback(team.name, m.repo_id, tuple(needs_checks(team, m)), m.source)
