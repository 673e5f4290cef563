"""Exercise 3: LLM matchmaker (a model per team, the search that found it, and why).

The teams are this exercise's constants: what each needs and the limits its checks use. Their names
and briefs are the catalog entries ``ex03.team.<id>.name`` / ``.brief``. A pick is saved as
``{"repo_id": ..., "search": {"filters": {...}, "url": "https://huggingface.co/models?..."}}``;
answers saved before the search was recorded (a plain model id) still restore and grade.
"""
from __future__ import annotations

from typing import Any

from ..matchmaker import MathsNeed, Team
from .base import Concept, Exercise, Question

TEAMS: dict[str, Team] = {team.id: team for team in (
    # CPU-only servers; 16 GB of RAM is the scenario's (a course choice), and the sheet's "size <= 7B" is
    # kept as at most 8 B so that 8B models (Llama 3.1 8B) are in reach
    Team("legaltech", max_params_b=8, cpu_ram_gb=16.0),
    # 8 GB laptops without a GPU: leave ~2 GB for the OS and a browser (a course choice), so the model
    # gets 6 GB. Good at maths: GSM8K >= 50 % (leaderboard v1) or MATH Lvl 5 >= 10 (v2), course choices
    Team("edtech", cpu_ram_gb=6.0, maths=MathsNeed(min_gsm8k=50.0, min_math_lvl5=10.0)),
    # five or more languages on the model card; the sheet's "<= 7B" again as at most 8 B
    Team("ngo", max_params_b=8, min_languages=5),
)}


def pick_parts(value: Any) -> tuple[str, dict | None]:
    """(model id, recorded search or None) of a saved pick: the current shape or an old plain id."""
    if isinstance(value, str):
        return value.strip(), None
    if isinstance(value, dict):
        repo = value.get("repo_id")
        search = value.get("search")
        return (repo.strip() if isinstance(repo, str) else ""), (search if isinstance(search, dict) else None)
    return "", None


class SearchLog:
    """The last search run for each team in this kernel (recorded with that team's pick)."""

    def __init__(self):
        self._by_team: dict[str, dict] = {}

    def record(self, team_id: str, result) -> dict:
        entry = {"filters": dict(result.filters), "url": result.url}
        self._by_team[team_id] = entry
        return entry

    def get(self, team_id: str) -> dict | None:
        return self._by_team.get(team_id)

    def clear(self) -> None:
        self._by_team.clear()


SEARCHES = SearchLog()


def pick_answer(team_id: str, repo_id: str, saved: Any = None) -> str | dict:
    """What a Check records for a team: the model and the last search run for that team in this kernel.

    Without a new search the pick keeps the shape it was saved in (``saved``, the answer kept so far): a
    plain id stays a plain id, and a recorded search stays recorded (a blank part never replaces it)."""
    repo = str(repo_id or "").strip()
    search = SEARCHES.get(team_id)
    if search is None and not isinstance(saved, dict):
        return repo
    return {"repo_id": repo, "search": search}


def search_for(team_id: str, **filters):
    """Run a Hub search for a team and remember it for the team's pick."""
    from ..hub import search_models

    if team_id not in TEAMS:
        from ..errors import InvalidInput
        from ..i18n import t

        raise InvalidInput(t("ex03.search.no_team"))
    result = search_models(**filters)
    SEARCHES.record(team_id, result)
    return result


def check_pick_needs(team_id: str, repo_id: str):
    """The team's needs measured on one model (what a pick's Check shows, one row per need)."""
    from ..matchmaker import check_pick

    return check_pick(TEAMS[team_id], repo_id).checks


def _team_pick(value, spec):
    from ..errors import InvalidInput
    from ..feedback import Check
    from ..i18n import t
    from ..matchmaker import check_pick

    repo, _search = pick_parts(value)
    if not repo:
        raise InvalidInput(t("ex03.pick.none"))
    fb = check_pick(TEAMS[spec["team"]], repo)
    return tuple(Check(c.label, c.measured, c.wanted, bool(c.ok), c.why, given_label=c.measured or None,
                       expected_label=c.wanted or None) for c in fb.checks)


EXERCISE = Exercise(
    "ex03", "03_llm_matchmaker.ipynb",
    questions=(
        Question("pick_legaltech", "function", 2, check="team_pick", extra={"team": "legaltech"}),
        Question("pick_edtech", "function", 2, check="team_pick", extra={"team": "edtech"}),
        Question("pick_ngo", "function", 2, check="team_pick", extra={"team": "ngo"}),
        Question("why_legaltech", "rubric", 1, min_words=15, concepts=(
            Concept("cpu", {"en": ("cpu", "gguf", "quantiz"),
                            "fr": ("cpu", "processeur", "gguf", "quantifi", "quantis")}),
            Concept("licence", {"en": ("licen", "apache", "mit", "commercial"),
                                "fr": ("licence", "apache", "commercia")}),
        )),
        Question("why_edtech", "rubric", 1, min_words=15, concepts=(
            Concept("memory", {"en": ("ram", "memory", "gb", "laptop"),
                               "fr": ("ram", "memoire", "gb", "portable", "ordinateur")}),
            Concept("maths", {"en": ("math", "gsm8k", "reason"),
                              "fr": ("math", "gsm8k", "raisonn", "calcul")}),
        )),
        Question("why_ngo", "rubric", 1, min_words=15, concepts=(
            Concept("languages", {"en": ("language", "multilingual"),
                                  "fr": ("langue", "multilingue", "language")}),
            Concept("licence", {"en": ("licen", "commercial"),
                                "fr": ("licence", "commercia")}),
        )),
    ),
    checks={"team_pick": _team_pick},
)
