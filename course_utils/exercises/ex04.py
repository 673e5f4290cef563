"""Exercise 4: local readiness audit.

The learner audits this machine, checks models against it (``readiness`` holds the rules), fills in
their own table (RAM, free disk, AVX2, OS, compiler, make, cmake and a verdict for the reference
model), which is checked against the audit recorded with it, writes upgrade advice, and predicts
then measures a real generation on llama.cpp. :class:`Session` keeps this kernel's audit and
prediction, so the widgets hold no state.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import Concept, Exercise, Question

EX = "ex04"

# The model the learner's verdict is graded against: a 7B chat model at llama.cpp's usual 4-bit
# quantization and a 4k context, the case the original sheet's fixed thresholds were about.
REFERENCE_MODEL = ("mistralai/Mistral-7B-Instruct-v0.3", "Q4_K_M", 4096)
# The readiness panel's model picker (any catalog id can be typed too) and its contexts.
MODELS = ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "microsoft/Phi-3-mini-4k-instruct",
          "mistralai/Mistral-7B-Instruct-v0.3", "meta-llama/Llama-3.1-8B-Instruct",
          "meta-llama/Llama-2-13b-chat-hf")
CONTEXTS = (512, 2048, 4096, 8192, 16384, 32768)

# The learner's own table: its fields and the choices of each (ids; labels from the ex04 catalog).
AVX2 = ("yes", "no", "arm")
OS = ("linux", "wsl", "macos_arm", "macos_intel", "windows", "colab")
COMPILERS = ("gcc", "clang", "msvc", "none")
YES_NO = ("yes", "no")
VERDICTS = ("ready", "warn", "no")  # the readiness verdict ok / warn / bad, as saved answers hold it
CHOICES = {"avx2": AVX2, "os": OS, "compiler": COMPILERS, "make": YES_NO, "cmake": YES_NO, "verdict": VERDICTS}
# Fields added later (issue 13): a table saved without them is graded on the others.
NEW_FIELDS = ("os", "compiler", "make", "cmake")
RAM_TOLERANCE = (1.0, 0.10)  # GB, share: the learner's RAM is right within the larger of the two
DISK_TOLERANCE = (2.0, 0.15)  # free space moves while the learner works


def os_family(flavour: str | None) -> str | None:
    """The table's OS choice for an audit's flavour (linux, wsl2, macos-arm64, ...)."""
    return {"linux": "linux", "wsl1": "wsl", "wsl2": "wsl", "macos-arm64": "macos_arm",
            "macos-rosetta": "macos_arm", "macos-x86_64": "macos_intel", "windows": "windows",
            "colab": "colab"}.get(flavour or "")


def reference_text(reference=None) -> str:
    """The reference model in words; ``reference`` is (repo id, quant, context) as a snapshot saved it."""
    from ..i18n import t

    ok = isinstance(reference, (list, tuple)) and len(reference) == 3 and isinstance(reference[2], int) \
        and not isinstance(reference[2], bool)
    model, quant, context = reference if ok else REFERENCE_MODEL
    return t("ex04.reference", model=model, quant=quant, context=context)


def choice_label(field: str, value: Any) -> str:
    """What the learner reads for a stored choice ("—" for none, the value itself if unknown)."""
    from ..i18n import label

    if value is None or value == "":
        return "—"
    if field == "verdict" and value in VERDICTS:
        from ..readiness import verdict_text

        return verdict_text(("ok", "warn", "bad")[VERDICTS.index(value)])
    return label(f"ex04.choice.{field}.{value}", str(value))


# --------------------------------------------------------------------------- what the grader compares with

def audit_snapshot(machine, cpu_bandwidth_gbs: float | None = None) -> dict:
    """What the grader compares a learner's own table with (saved in the answer, as plain JSON)."""
    from ..readiness import compilers_found, readiness, tool_found

    avx2 = None
    if machine.cpu_arch is not None:
        avx2 = "arm" if machine.cpu_arch == "arm" else ("yes" if "avx2" in machine.cpu_flags else "no")
    model, quant, context = REFERENCE_MODEL
    r = readiness(model, quant, context, machine=machine, cpu_bandwidth_gbs=cpu_bandwidth_gbs)
    compilers = [{"cl": "msvc"}.get(c, c) for c in compilers_found(machine)]
    return {"ram_total_gb": None if machine.ram_total_gb is None else round(machine.ram_total_gb, 1),
            "disk_free_gb": None if machine.disk_free_gb is None else round(machine.disk_free_gb, 1),
            "avx2": avx2, "verdict": VERDICTS[("ok", "warn", "bad").index(r.verdict.value)],
            "reference": f"{model} at {quant}, {context} tokens", "reference_model": list(REFERENCE_MODEL),
            "flavour": machine.flavour, "os": os_family(machine.flavour),
            "compilers": compilers, "make": "yes" if tool_found(machine, "make") else "no",
            "cmake": "yes" if tool_found(machine, "cmake") else "no"}


def _own_readiness(value, spec):
    """The learner's table against the audit snapshot recorded with it.

    RAM, free disk, AVX2 and the verdict are always checked; OS, compiler, make and cmake only when
    the table has them (tables saved before those fields existed are graded on the others)."""
    from ..errors import InvalidInput
    from ..feedback import Check
    from ..i18n import t

    if not isinstance(value, dict) or not isinstance(value.get("audit"), dict):
        raise InvalidInput(t("ex04.error.no_audit"))
    audit = value["audit"]
    checks = []

    def num(x):
        return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None

    def gb(x):
        return "—" if x is None else t("ex04.gb", gb=x)

    for field, truth_key, (floor, share) in (("ram_gb", "ram_total_gb", RAM_TOLERANCE),
                                             ("disk_free_gb", "disk_free_gb", DISK_TOLERANCE)):
        given, truth = num(value.get(field)), num(audit.get(truth_key))
        if truth is not None:
            ok = given is not None and abs(given - truth) <= max(floor, share * truth)
            checks.append(Check(t(f"ex04.field.{field}"), given, truth, ok,
                                t("ex04.why.within", share=share, floor=floor),
                                given_label=gb(given), expected_label=gb(truth)))
    for field in ("avx2", "os", "compiler", "make", "cmake", "verdict"):
        if field in NEW_FIELDS and field not in value:
            continue
        given = value.get(field)
        if field == "compiler":
            found = audit.get("compilers")
            if not isinstance(found, list):
                continue
            truth = found or ["none"]
            ok = given in truth
            expected = ", ".join(choice_label("compiler", c) for c in truth)
            why = t("ex04.why.compiler")
        else:
            truth = audit.get(field)
            if truth is None:
                continue
            ok = given == truth
            expected = choice_label(field, truth)
            why = t("ex04.why.audit")
        item = t("ex04.field.verdict_for", reference=reference_text(audit.get("reference_model"))) \
            if field == "verdict" \
            else t(f"ex04.field.{field}")
        checks.append(Check(item, given, truth, ok, why, given_label=choice_label(field, given),
                            expected_label=expected))
    if not checks:
        raise InvalidInput(t("ex04.error.empty_audit"))
    return tuple(checks)


EXERCISE = Exercise(
    EX, "04_readiness_audit.ipynb",
    questions=(
        Question("own_readiness", "function", 3, check="own_readiness"),
        Question("upgrade_plan", "rubric", 2, min_words=25, concepts=(
            Concept("quantization", {"en": ("quantiz", "q4", "q5", "q8"),
                                     "fr": ("quantif", "q4", "q5", "q8")}),
            Concept("memory", {"en": ("ram", "memory"), "fr": ("ram", "memoire")}),
            Concept("context", {"en": ("context", "kv"), "fr": ("contexte", "kv")}),
            Concept("speed", {"en": ("speed", "tokens/s", "bandwidth", "gpu"),
                              "fr": ("vitesse", "tokens/s", "bande passante", "debit", "gpu")}),
        )),
    ),
    checks={"own_readiness": _own_readiness},
)
OWN_TABLE = EXERCISE.questions[0].id
UPGRADE_PLAN = EXERCISE.questions[1].id
MEASURED_RUN = "measured_run"  # recorded, not graded: the figures of the learner's real run
GAP_EXPLAINED = "gap_explained"  # recorded, not graded: why prediction and run differ


# --------------------------------------------------------------------------- this kernel's audit and prediction

@dataclass
class Prediction:
    """A prediction made in this kernel: the model file and the estimator's figures."""
    path: Any
    result: Any  # local_run.Prediction


class Session:
    """What notebook 04 remembers between clicks: the last audit and the last prediction."""

    def __init__(self):
        self._audit = None
        self._bandwidth: float | None = None
        self.prediction: Prediction | None = None

    def run_audit(self):
        """Audit this machine now (the audit button) and keep it (the bandwidth is measured again later)."""
        from ..system import audit

        self._audit = audit()
        self._bandwidth = None
        return self._audit

    def bandwidth(self) -> float | None:
        """This machine's memory bandwidth (GB/s), measured once (about a second) and kept."""
        if self._bandwidth is None:
            from ..system import measure_memory_bandwidth

            self._bandwidth = measure_memory_bandwidth().gbs
        return self._bandwidth

    def machine(self):
        """The kept audit, made now if there is none yet."""
        return self._audit if self._audit is not None else self.run_audit()

    def audit_view(self):
        from ..readiness import audit_view

        return audit_view(self.run_audit())

    def readiness(self, model: str, quant: str, context: int, measure_bandwidth: bool = False, compute: bool = False):
        """The readiness rows for a model here; ``compute`` also times llama.cpp's compute on the course's probes
        (readiness.readiness's option: ~10 s, with the bandwidth measured, which it needs)."""
        from ..errors import InvalidInput
        from ..i18n import t
        from ..readiness import readiness

        from ..fit import QUANTS

        model = (model or "").strip()
        if not model:
            raise InvalidInput(t("ex04.error.no_model"))
        try:
            return readiness(model, quant, context, machine=self.machine(), compute=compute,
                             cpu_bandwidth_gbs=self.bandwidth() if measure_bandwidth or compute else None)
        except InvalidInput as exc:
            if quant not in QUANTS or context not in CONTEXTS:
                raise
            # the pickers only offer valid quantizations and contexts: what failed is the typed model
            raise InvalidInput(t("ex04.error.unknown_model", model=model), suggestions=exc.suggestions,
                               repo_id=model) from None

    def own_table(self, fields: dict) -> dict:
        """The learner's table as it is recorded: their fields and the audit they are checked against
        (with the measured bandwidth, so the reference verdict includes the speed row)."""
        return {**fields, "audit": audit_snapshot(self.machine(), cpu_bandwidth_gbs=self.bandwidth())}

    def predict(self, model: str = ""):
        """The course's decode estimate for a GGUF on this machine (default: SmolLM2-135M, fetched once)."""
        from ..gguf_models import resolve_model
        from ..local_run import predict_speed

        path = resolve_model((model or "").strip() or None)
        self.prediction = Prediction(path, predict_speed(path, context=128))
        return self.prediction

    def measure(self, model: str = "", max_tokens: int = 32, server=None):
        """Run the model for real on llama.cpp, with the prediction beside it; the figures are recorded."""
        from pathlib import Path

        from .. import answers
        from ..local_run import measure_local

        if server is None:
            ready, why = engine_status()
            if not ready:
                from ..errors import EngineUnavailable

                raise EngineUnavailable(why)  # said in the learner's language, before anything starts
        bandwidth = self.prediction.result.bandwidth_gbs if self.prediction else None
        report = measure_local((model or "").strip() or None, max_tokens=max_tokens, bandwidth_gbs=bandwidth,
                               server=server)
        answers.record(EX, MEASURED_RUN, {
            "model": Path(report.model_path).name, "tokens": report.tokens,
            "ttft_s": report.measured_ttft_s, "measured_tokens_per_s": report.measured_tokens_per_s,
            "server_tokens_per_s": report.server_tokens_per_s, "predicted_tokens_per_s": report.predicted_tokens_per_s,
            "prediction_error": report.prediction_error, "threads": report.threads})
        return report


SESSION = Session()


def chart_alt_text(model: str, context: int, available_gb: float | None) -> str:
    """The memory chart in words: which quantizations of the model fit in the RAM available now."""
    from ..fit import memory_by_quant
    from ..i18n import t

    if available_gb is None:
        return t("ex04.chart.alt_unknown", model=model)
    fit = [e.quant for e in memory_by_quant(model, context) if e.ram_needed_gb <= available_gb]
    return t("ex04.chart.alt", model=model, gb=available_gb, fits=", ".join(fit) or t("ex04.chart.none"))


def engine_status() -> tuple[bool, str]:
    """(ready, one line): is llama.cpp's engine here, and is the course's model downloaded already?"""
    from .. import engine, extras
    from ..gguf_models import SMOLLM2, cached_default_model
    from ..i18n import t

    state, detail = engine.availability()
    if state == "ready":
        key = "ex04.run.ready_cached" if cached_default_model() else "ex04.run.ready_download"
        return True, t(key, version=detail, model=SMOLLM2.name, mb=SMOLLM2.size / 1e6)
    if state == "not_installed":  # no wheel or a broken one: the reason says what to do instead
        return False, t("ex04.run.not_installed", pip=extras.pip_install(extras.RUN))
    return False, t("ex04.run.unavailable", reason=detail)


# --------------------------------------------------------------------------- what the original sheet got wrong

def _example_machine(**over):
    """A described (not audited) laptop for the errata: Linux x86-64, 16 GB, AVX2, gcc/make/cmake/git."""
    from dataclasses import replace

    from ..system import TOOLS, GpuReport, SystemAudit, Tool

    base = SystemAudit(os="Linux", os_version="6.8", flavour="linux", flavour_text="Linux", machine="x86_64",
                       cpu="example CPU", cpu_arch="x86", cpu_flags=("sse4_2", "avx", "avx2", "fma", "f16c"),
                       cpu_flags_unknown=(), cores_physical=4, cores_logical=8, ram_total_gb=16.0,
                       ram_available_gb=12.0, disk_path="/", disk_free_gb=100.0,
                       tools={n: Tool(n, n in ("gcc", "make", "cmake", "git"), "1") for n in TOOLS},
                       gpu=GpuReport("none", None, None, False, ""), problems=(), duration_s=0.0)
    return replace(base, **over)


def sheet_errata() -> str:
    """Three lines that correct the original sheet with the course's own rules: the memory a 4-bit 7B
    really needs (not 16 GB of RAM and 40 GB of disk), a CPU without AVX2 (slower, not impossible),
    and macOS on Apple Silicon (a first-class llama.cpp platform)."""
    from ..fit import estimate
    from ..i18n import t
    from ..readiness import readiness, status_text
    from ..system import TOOLS, GpuReport, Tool

    model, quant, context = REFERENCE_MODEL
    e = estimate(model, quant, context)
    old_cpu = _example_machine(cpu_flags=("sse4_2", "avx"))
    cpu = readiness(model, quant, context, machine=old_cpu, cpu_bandwidth_gbs=20).row("cpu")
    mac = _example_machine(os="macOS", os_version="15", flavour="macos-arm64", machine="arm64", cpu="Apple M2",
                           cpu_arch="arm", cpu_flags=("neon", "dotprod"),
                           tools={n: Tool(n, n in ("clang", "make", "cmake", "git"), "1") for n in TOOLS},
                           gpu=GpuReport("apple_metal", "Apple M2", 16.0, True, ""))
    platform = readiness(model, quant, context, machine=mac).row("platform")
    return "\n".join((
        t("ex04.errata.memory", model=model.split("/")[-1], quant=quant, context=context, file=e.file_size_gb,
          ram=e.ram_needed_gb),
        t("ex04.errata.avx", status=status_text(cpu.status), advice=cpu.advice),
        t("ex04.errata.macos", status=status_text(platform.status), where=t("readiness.platform.where.macos-arm64"))))
