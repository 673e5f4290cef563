"""The course's exercises: ids, titles and notebook files, in one place."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    notebook: str


EXERCISES: dict[str, Exercise] = {
    e.id: e
    for e in (
        Exercise("ex01", "Open-source levels", "01_open_source_levels.ipynb"),
        Exercise("ex02", "License check for SaaS use", "02_license_check.ipynb"),
        Exercise("ex03", "LLM matchmaker", "03_llm_matchmaker.ipynb"),
        Exercise("ex04", "Local readiness audit", "04_readiness_audit.ipynb"),
        Exercise("ex05", "Benchmark explorer", "05_benchmark_explorer.ipynb"),
        Exercise("ex06", "Cloud vs local plan", "06_cloud_vs_local.ipynb"),
    )
}
