"""Exercise 4: local readiness audit (the learner's own table against the audit)."""
from __future__ import annotations

from .base import Concept, Exercise, Question


def _own_readiness(value, spec):
    """The learner's table against the audit snapshot recorded with it."""
    from ..errors import InvalidInput
    from ..feedback import Check

    if not isinstance(value, dict) or not isinstance(value.get("audit"), dict):
        raise InvalidInput("No audit was recorded with this table: click 'Compare with the audit' in notebook 04.")
    audit = value["audit"]
    checks = []

    def num(x):
        return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None

    ram, true_ram = num(value.get("ram_gb")), num(audit.get("ram_total_gb"))
    if true_ram is not None:
        ok = ram is not None and abs(ram - true_ram) <= max(1.0, 0.1 * true_ram)
        checks.append(Check("RAM (GB)", ram, true_ram, ok, "within 10 % of the audit"))
    disk, true_disk = num(value.get("disk_free_gb")), num(audit.get("disk_free_gb"))
    if true_disk is not None:
        ok = disk is not None and abs(disk - true_disk) <= max(2.0, 0.15 * true_disk)
        checks.append(Check("Free disk (GB)", disk, true_disk, ok, "within 15 % of the audit"))
    for item, truth_key in (("AVX2", "avx2"), ("Verdict", "verdict")):
        truth = audit.get(truth_key)
        if truth is not None:
            checks.append(Check(item, value.get(truth_key), truth, value.get(truth_key) == truth,
                                "as the audit found"))
    if not checks:
        raise InvalidInput("The recorded audit has no values to compare with.")
    return tuple(checks)


EXERCISE = Exercise(
    "ex04", "04_readiness_audit.ipynb",
    questions=(
        Question("own_readiness", "function", 3, check="own_readiness"),
        Question("upgrade_plan", "rubric", 2, min_words=25, concepts=(
            Concept("quantization", {"en": ("quantiz", "q4", "q5", "q8")}),
            Concept("memory", {"en": ("ram", "memory")}),
            Concept("context", {"en": ("context", "kv")}),
            Concept("speed", {"en": ("speed", "tokens/s", "bandwidth", "gpu")}),
        )),
    ),
    checks={"own_readiness": _own_readiness},
)
