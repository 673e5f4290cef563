"""Exercise 3: three teams, their needs, and a check of the model a learner picks for each."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .hub import ModelSummary, commercial_license_ids, model_summary


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    brief: str
    max_params_b: float | None = None
    max_ram_gb: float | None = None  # RAM the model may need at Q4_K_M, 4k context (fit estimator)
    needs_quantized: bool = False  # a CPU-friendly quantized build (GGUF)
    min_languages: int | None = None
    task: str | None = "text-generation"
    commercial: bool = True


TEAMS: dict[str, Team] = {t.id: t for t in (
    Team("legaltech", "LegalTech", "A chatbot that reasons over contracts, served on CPU-only machines.",
         max_params_b=8, needs_quantized=True),
    # 8 GB laptops: leave ~2 GB for the OS and a browser (a course choice), so the model gets 6 GB
    Team("edtech", "EdTech", "A maths tutor that runs offline on low-end laptops (8 GB RAM, no GPU).",
         max_ram_gb=6.0),
    Team("ngo", "Global NGO", "An assistant that must work well in five or more languages.",
         max_params_b=8, min_languages=5),
)}


@dataclass(frozen=True)
class NeedCheck:
    need: str
    ok: bool | None  # None = cannot tell from the facts available
    why: str


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
                "checks": [{"need": c.need, "ok": c.ok, "why": c.why} for c in self.checks]}


def _checks(team: Team, m: ModelSummary) -> list[NeedCheck]:
    out = []
    if team.task:
        out.append(NeedCheck("task", m.pipeline_tag == team.task if m.pipeline_tag else None,
                             f"pipeline tag: {m.pipeline_tag or 'not stated'} (needed: {team.task})"))
    if team.max_params_b is not None:
        out.append(NeedCheck("size", None if m.params_b is None else m.params_b <= team.max_params_b,
                             f"{m.params_b if m.params_b is not None else 'unknown'} B parameters "
                             f"(limit {team.max_params_b:g} B)"))
    if team.max_ram_gb is not None:
        from .errors import InvalidInput
        from .fit import estimate

        try:
            need = estimate(m.repo_id, "Q4_K_M", 4096).ram_needed_gb
        except InvalidInput:  # not in the course data: fall back to the parameter count
            need = estimate(params_b=m.params_b).ram_needed_gb if m.params_b else None
        out.append(NeedCheck("fits the laptop", None if need is None else need <= team.max_ram_gb,
                             f"needs ~{need:.1f} GB at Q4_K_M with a 4k context (budget {team.max_ram_gb:g} GB)"
                             if need is not None else "size unknown: cannot tell"))
    if team.needs_quantized:
        out.append(NeedCheck("runs on CPU", m.quantization == "gguf",
                             "a GGUF build runs on CPU with llama.cpp" if m.quantization == "gguf" else
                             f"no GGUF build in this repo ({m.quantization or 'not quantized'}): pick a GGUF repo"))
    if team.min_languages:
        n = m.language_count or 0
        out.append(NeedCheck("languages", n >= team.min_languages if n else None,
                             f"{n or 'unknown number of'} language(s) tagged (needed: {team.min_languages}+)"))
    if team.commercial:
        ok = m.license_key in commercial_license_ids()
        out.append(NeedCheck("licence", ok, f"{m.license_key or 'no licence'}: "
                                            + ("commercial use allowed (check its conditions)" if ok else
                                               "commercial use not allowed or not confirmed")))
    return out


def check_pick(team_id: str, repo_id: str) -> PickFeedback:
    """Does this model meet the team's needs? One check per need, each with its reason."""
    team = TEAMS[team_id]
    m = model_summary(repo_id)
    return PickFeedback(team.name, m.repo_id, tuple(_checks(team, m)), m.source)
