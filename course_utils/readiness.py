"""Can *this* machine run model X at quantization Y with context N, and how fast?

Requirements come from the fit estimator for that model, quantization and context, never from
fixed thresholds. Each row has a status (:class:`Status`: ok / warn / bad), what the model needs,
what this machine has, and advice that is actually right for llama.cpp: macOS is a first-class
platform (Metal on Apple Silicon), a CPU without AVX2 means a slower build rather than no build,
and WSL2 runs the Linux build. The emoji (always beside a word, so colour is never the only
signal) is chosen only when a row is rendered. Every sentence comes from the ``readiness`` catalog.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from enum import Enum
from typing import Any

from . import data, published_runs
from .errors import InvalidInput
from .fit import IQUANTS, QUANTS, FitEstimate, estimate, published_note
from .hardware import Hardware, custom_hardware, find_hardware, known_hardware
from .i18n import t, tn
from .system import SystemAudit
from .text_table import label_rows


class Status(str, Enum):
    """A row's or a verdict's status; its value is what JSON holds."""
    OK = "ok"
    WARN = "warn"
    BAD = "bad"

    def __str__(self) -> str:
        return self.value


OK, WARN, BAD = Status.OK, Status.WARN, Status.BAD
ICONS = {Status.OK: "✅", Status.WARN: "⚠️", Status.BAD: "❌"}  # rendering only, always with a word

DISK_MARGIN_GB = 1.0  # room for the download's temporary copy and logs (a course choice)
APPLE_GPU_SHARE = 0.75  # peers' assumption for the RAM macOS lets the GPU wire; adjustable there
SPEED_OK = 8.0  # tokens/s: a course choice for "comfortable in a chat"; below 2 feels very slow
SPEED_SLOW = 2.0
X86_BASELINE = ("avx2", "fma", "f16c")  # what llama.cpp's prebuilt x86 CPU builds assume


def status_word(status: Status | str) -> str:
    """The word for a row's status ("OK", "caution", "blocker"), in the language in force."""
    return t(f"readiness.status.{Status(status).value}")


def status_text(status: Status | str) -> str:
    """Emoji and word: what a table cell shows."""
    return f"{ICONS[Status(status)]} {status_word(status)}"


def verdict_text(status: Status | str) -> str:
    """Emoji and verdict ("✅ ready", "⚠️ ready with changes", "❌ not ready")."""
    return f"{ICONS[Status(status)]} {t(f'readiness.verdict.{Status(status).value}')}"


@dataclass(frozen=True)
class Row:
    id: str  # ram, disk, cpu, platform, gpu, speed
    check: str  # its label, in the language in force when made
    status: Status
    need: str  # what the model (or llama.cpp) needs
    have: str  # what this machine has
    advice: str = ""

    @property
    def detail(self) -> str:
        return t("readiness.detail", need=self.need, have=self.have) if self.need else self.have

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "check": self.check, "status": self.status.value, "need": self.need,
                "have": self.have, "detail": self.detail, "advice": self.advice}


def _row(row_id: str, status: Status, need: str, have: str, advice: str = "") -> Row:
    return Row(row_id, t(f"readiness.check.{row_id}"), status, need, have, advice)


@dataclass(frozen=True)
class Readiness:
    model: str
    quant: str
    context: int
    estimate: FitEstimate
    rows: tuple[Row, ...]
    tokens_per_s: float | None
    speed_basis: str
    suggestion: str

    @property
    def verdict(self) -> Status:
        statuses = {r.status for r in self.rows}
        return BAD if BAD in statuses else WARN if WARN in statuses else OK

    def row(self, row_id: str) -> Row:
        return next(r for r in self.rows if r.id == row_id)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "quant": self.quant, "context": self.context, "verdict": self.verdict.value,
                "rows": [r.to_dict() for r in self.rows], "tokens_per_s": self.tokens_per_s,
                "speed_basis": self.speed_basis, "suggestion": self.suggestion,
                "estimate": self.estimate.to_dict()}

    def title(self) -> str:
        return t("readiness.report.title", model=self.model, quant=self.quant, context=self.context,
                 verdict=verdict_text(self.verdict))

    def to_text(self) -> str:
        lines = [self.title()]
        width = max(len(r.check) for r in self.rows)
        for r in self.rows:
            lines.append(f"{status_text(r.status):<14} {r.check:<{width}} {r.detail}")
            if r.advice:
                lines.append(f"{'':<14} {'':<{width}} -> {r.advice}")
        if self.suggestion:
            lines.append(t("readiness.report.suggestion", text=self.suggestion))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        def cell(text: str, tag: str = "td", extra: str = "") -> str:
            return f"<{tag} style='text-align:left'{extra}>{text}</{tag}>"

        head = "".join(cell(html.escape(t(f"readiness.column.{c}")), "th")
                       for c in ("status", "check", "need", "have", "advice"))
        body = "".join(
            f"<tr class='cu-row-{r.id} cu-status-{r.status.value}'>{cell(html.escape(status_text(r.status)))}"
            f"{cell(html.escape(r.check), 'th')}{cell(html.escape(r.need))}{cell(html.escape(r.have))}"
            f"{cell('<i>' + html.escape(r.advice) + '</i>' if r.advice else '')}</tr>" for r in self.rows)
        tail = (f"<p><b>{html.escape(t('readiness.report.suggestion_label'))}</b> {html.escape(self.suggestion)}</p>"
                if self.suggestion else "")
        return (f"<p><b>{html.escape(self.title())}</b></p>"
                f"<table class='course-readiness'><tr>{head}</tr>{body}</table>{tail}")


# --------------------------------------------------------------------------- rows

def _ram_row(est: FitEstimate, a: SystemAudit) -> Row:
    need = est.ram_needed_gb
    needs = t("readiness.ram.need", need=need, weights=est.file_size_gb, kv=est.kv_cache_gb,
              overhead=est.overhead_gb)
    if a.ram_total_gb is None:
        return _row("ram", WARN, needs, t("readiness.ram.unknown"), t("readiness.ram.advice.unknown"))
    have = t("readiness.ram.have", free=a.ram_available_gb or 0, total=a.ram_total_gb)
    if a.ram_available_gb is not None and need <= a.ram_available_gb:
        return _row("ram", OK, needs, have)
    if need <= a.ram_total_gb:
        return _row("ram", WARN, needs, have, t("readiness.ram.advice.close"))
    return _row("ram", BAD, needs, have, t("readiness.ram.advice.too_big"))


def _disk_row(est: FitEstimate, a: SystemAudit) -> Row:
    needs = t("readiness.disk.need", size=est.file_size_gb, margin=DISK_MARGIN_GB)
    if a.disk_free_gb is None:
        return _row("disk", WARN, needs, t("readiness.disk.unknown"), t("readiness.disk.advice.unknown"))
    have = t("readiness.disk.have", free=a.disk_free_gb, path=a.disk_path)
    if a.disk_free_gb >= est.file_size_gb + DISK_MARGIN_GB:
        return _row("disk", OK, needs, have)
    if a.disk_free_gb >= est.file_size_gb:
        return _row("disk", WARN, needs, have, t("readiness.disk.advice.tight"))
    return _row("disk", BAD, needs, have,
                t("readiness.disk.advice.free", gb=est.file_size_gb + DISK_MARGIN_GB - a.disk_free_gb))


def _cpu_row(a: SystemAudit) -> Row:
    if a.cpu_arch is None:
        return _row("cpu", WARN, t("readiness.cpu.need.any"), t("readiness.cpu.unknown"),
                    t("readiness.cpu.advice.unknown"))
    flags = set(a.cpu_flags)
    vm = t("readiness.cpu.vm") if a.hypervisor else ""
    if a.cpu_arch == "arm":
        needs = t("readiness.cpu.need.arm")
        if "neon" not in flags:
            return _row("cpu", WARN, needs, t("readiness.cpu.arm.no_neon", cpu=a.cpu or "ARM"),
                        t("readiness.cpu.advice.arm32"))
        extra = [f for f in ("dotprod", "i8mm") if f in flags]
        have = t("readiness.cpu.arm.neon_plus", extra=", ".join(extra)) if extra else t("readiness.cpu.arm.neon")
        return _row("cpu", OK, needs, have)
    needs = t("readiness.cpu.need.x86")
    base = set(X86_BASELINE)
    unknown = set(a.cpu_flags_unknown)
    extra = [f for f in ("avx512f", "avx_vnni", "amx") if f in flags]
    if base <= flags or ("avx2" in flags and base - flags <= unknown):
        have = t("readiness.cpu.x86.baseline")
        if base - flags:
            have += t("readiness.cpu.x86.windows_note")
        if extra:
            have += t("readiness.cpu.x86.bonus", extra=", ".join(extra))
        return _row("cpu", OK, needs, have)
    if "avx" in flags:
        return _row("cpu", WARN, needs, t("readiness.cpu.x86.avx_only", vm=vm), t("readiness.cpu.advice.avx_only"))
    return _row("cpu", WARN, needs, t("readiness.cpu.x86.no_avx", vm=vm), t("readiness.cpu.advice.no_avx"))


GPU_KINDS = ("nvidia", "amd", "intel", "apple_metal", "manual", "unknown")
FLAVOURS = ("linux", "colab", "wsl2", "wsl1", "macos-arm64", "macos-rosetta", "macos-x86_64", "windows")


def compilers_found(a: SystemAudit) -> tuple[str, ...]:
    """The C/C++ compilers the audit found: gcc, clang, cl (MSVC)."""
    return tuple(n for n in ("gcc", "clang", "cl") if a.tools.get(n) and a.tools[n].found)


def tool_found(a: SystemAudit, name: str) -> bool:
    return bool(a.tools.get(name) and a.tools[name].found)


def _platform_row(a: SystemAudit) -> Row:
    compilers = compilers_found(a)
    build_ok = bool(compilers) and tool_found(a, "cmake") and tool_found(a, "git")
    flavour = a.flavour if a.flavour in FLAVOURS else "other"
    where = t(f"readiness.platform.where.{flavour}", os=a.os)

    def yes_no(found: bool) -> str:
        return t("common.yes") if found else t("common.no")

    tools = t("readiness.platform.tools", compilers=", ".join(compilers) or t("readiness.platform.none"),
              make=yes_no(tool_found(a, "make")), cmake=yes_no(tool_found(a, "cmake")),
              git=yes_no(tool_found(a, "git")))
    have = t("readiness.platform.have", where=where, tools=tools)
    needs = t("readiness.platform.need")
    if build_ok:
        return _row("platform", OK, needs, have)
    family = {"macos-arm64": "macos", "macos-x86_64": "macos", "macos-rosetta": "macos",
              "windows": "windows"}.get(a.flavour, "other")
    return _row("platform", WARN, needs, have, t(f"readiness.platform.install.{family}"))


def _gpu_row(est: FitEstimate, a: SystemAudit) -> Row:
    g = a.gpu
    need = est.ram_needed_gb
    needs = t("readiness.gpu.need", need=need)
    if g.kind in ("nvidia", "amd", "intel", "manual"):
        api = t(f"readiness.gpu.api.{g.kind}")
        name = g.name or t("readiness.gpu.your_gpu")
        if g.vram_gb is None and g.kind == "nvidia":
            return _row("gpu", OK, needs, t("readiness.gpu.nvidia_shared", name=name))
        if g.vram_gb is None:
            return _row("gpu", WARN, needs, t("readiness.gpu.memory_unknown", name=name),
                        t("readiness.gpu.advice.give_vram"))
        have = t("readiness.gpu.vram", name=name, vram=g.vram_gb, api=api)
        if need <= g.vram_gb:
            return _row("gpu", OK, needs, have)
        return _row("gpu", WARN, needs, have, t("readiness.gpu.advice.offload"))
    if g.kind == "apple_metal":
        usable = (a.ram_total_gb or 0) * APPLE_GPU_SHARE
        have = t("readiness.gpu.metal", usable=usable, share=APPLE_GPU_SHARE)
        if need <= usable:
            return _row("gpu", OK, needs, have)
        return _row("gpu", WARN, needs, have, t("readiness.gpu.advice.metal_limit"))
    if g.kind == "unknown":
        return _row("gpu", WARN, needs, t("readiness.gpu.unknown"), t("readiness.gpu.advice.unknown"))
    return _row("gpu", OK, t("readiness.gpu.need_optional"), t("readiness.gpu.none"))


# --------------------------------------------------------------------------- speed

def _hardware_for_speed(a: SystemAudit, cpu_bandwidth_gbs: float | None) -> tuple[Hardware | None, str]:
    """The backend that would run the model, and where its bandwidth comes from."""
    if a.gpu.kind == "nvidia" and a.gpu.name:
        try:
            hw = find_hardware(a.gpu.name)
            return hw, t("readiness.speed.basis.table", name=hw.name, bw=hw.bandwidth_gbs)
        except InvalidInput:
            pass
    if a.gpu.kind == "apple_metal" and a.cpu:
        try:
            hw = find_hardware(a.cpu)
            return hw, t("readiness.speed.basis.table", name=hw.name, bw=hw.bandwidth_gbs)
        except InvalidInput:
            variants = [h for h in known_hardware() if h.name.lower().startswith(a.cpu.lower() + " (")]
            if variants:
                hw = min(variants, key=lambda h: h.bandwidth_gbs)
                return hw, t("readiness.speed.basis.variant", name=hw.name, bw=hw.bandwidth_gbs)
    if cpu_bandwidth_gbs:
        backend = "metal" if a.gpu.kind == "apple_metal" else "cpu"
        name = t("hardware.this_mac" if backend == "metal" else "hardware.this_machine")
        return custom_hardware(cpu_bandwidth_gbs, backend, name, measured=backend == "cpu"), \
            t("readiness.speed.basis.measured", bw=cpu_bandwidth_gbs)
    return None, t("readiness.speed.basis.unknown")


def _with_compute(model: str | None, quant: str, params_b: float | None, bandwidth_gbs: float):
    """This CPU with llama.cpp's compute rate timed on probes in the file's main types and on the model's
    attention heads (local_run.measured_cpu), or None (no llama.cpp, or a probe failed)."""
    from . import quant_mix
    from .compute_probe import attention_layout
    from .fit import resolve_shape
    from .local_run import measured_cpu

    shape = resolve_shape(model, params_b)
    types = quant_mix.main_types(shape, quant) if shape.known else (None, None)
    return measured_cpu(bandwidth_gbs, types, attention_layout(shape) if shape.known else None)


def _offload_text(o) -> str:
    """Why the speed is lower when the model does not fit on the GPU (from the estimator's figures)."""
    if o.gpu_layers == 0:
        return t("readiness.speed.offload.none", memory=o.memory_gb)
    return tn("readiness.speed.offload.partial", o.gpu_layers, ngl=o.gpu_layers, layers=o.n_layers)


def _speed_row(tps: float | None, basis: str) -> Row:
    needs = t("readiness.speed.need", ok=SPEED_OK, slow=SPEED_SLOW)
    if tps is None:
        return _row("speed", WARN, needs, t("readiness.speed.unknown"), t("readiness.speed.advice.measure"))
    have = t("readiness.speed.have", tps=tps, basis=basis)
    if tps >= SPEED_OK:
        return _row("speed", OK, needs, have)
    if tps >= SPEED_SLOW:
        return _row("speed", WARN, needs, have, t("readiness.speed.advice.slow"))
    return _row("speed", BAD, needs, have, t("readiness.speed.advice.very_slow"))


# --------------------------------------------------------------------------- suggestion

def suggest_smaller(model: str | None, quant: str, context: int, budget_gb: float, params_b: float | None = None
                    ) -> str:
    """The largest quantization of this model under the budget (of the same family: K-quants after a
    K-quant, i-quants after an i-quant); else a smaller catalog model at Q4_K_M."""
    family = IQUANTS if quant in IQUANTS else QUANTS
    # the list runs from large to small, but not strictly for every model (a 576-wide model's Q4_K_M, whose rows
    # fall back to Q5_0, is larger than its Q5_0): the largest file that fits, of those after this one
    later = family[family.index(quant) + 1:] if quant in family else family  # BF16, Q5_1, Q4_1: any of the list
    fitting = [e for e in (estimate(model, q, context, params_b=params_b) for q in later) if e.ram_needed_gb <= budget_gb]
    if fitting:
        e = max(fitting, key=lambda e: e.file_size_gb)
        return t("readiness.suggest.quant", quant=e.quant, need=e.ram_needed_gb, file=e.file_size_gb)
    fits = []
    for row in data.load("model_architectures"):
        try:
            e = estimate(row["repo_id"], "Q4_K_M", context)
        except InvalidInput:
            continue
        if e.ram_needed_gb <= budget_gb:
            fits.append((e.params_b, row["repo_id"], e.ram_needed_gb))
    if fits:
        p, rid, need = max(fits)
        return tn("readiness.suggest.model", round(p, 1), budget=budget_gb, model=rid, params=p, need=need)
    return t("readiness.suggest.nothing", budget=budget_gb)


def readiness(model: str | None = None, quant: str = "Q4_K_M", context: int = 4096, *,
              params_b: float | None = None, machine: SystemAudit | None = None,
              cpu_bandwidth_gbs: float | None = None, measure_bandwidth: bool = False,
              compute: bool = False) -> Readiness:
    """Readiness rows for running a model on this machine (or on a given audit). ``compute`` (on a CPU, with
    llama.cpp installed) also times llama.cpp's compute rate here on the course's probe models in the types
    this file would have (about ten seconds; half a minute the first time for a type, whose probes are written
    once): the speed row is then the slower of reading and computing, as `course-utils run` predicts it,
    instead of reading alone."""
    from .system import audit, measure_memory_bandwidth

    a = machine or audit()
    est = estimate(model, quant, context, params_b=params_b)
    if cpu_bandwidth_gbs is None and (measure_bandwidth or compute):
        cpu_bandwidth_gbs = measure_memory_bandwidth().gbs
    hw, basis = _hardware_for_speed(a, cpu_bandwidth_gbs)
    if compute and hw is not None and hw.backend == "cpu":
        hw, basis = _with_compute(model, est.quant, params_b, cpu_bandwidth_gbs) or (hw, basis)
    tps = None
    if hw is not None:
        gpu_vram = a.gpu.vram_gb if hw.is_gpu and hw.backend != "metal" else None
        cpu = custom_hardware(cpu_bandwidth_gbs, "cpu", t("hardware.this_machine"), measured=True) \
            if cpu_bandwidth_gbs else None
        speed = estimate(model, quant, context, params_b=params_b, hardware=hw, vram_gb=gpu_vram, cpu_hardware=cpu)
        tps = speed.tokens_per_s
        if speed.offload is not None and not speed.offload.fits:
            basis = t("readiness.speed.basis.with_offload", basis=basis, offload=_offload_text(speed.offload))
        if hw.older_nvidia:  # e.g. Colab's Tesla T4: say the figure is an upper bound, as fit does
            basis = t("readiness.speed.basis.with_note", basis=basis, note=t("fit.note.older_gpu", name=hw.name))
        published = published_runs.gap(hw.name, hw.backend)
        if published is not None and published.upper_bound:  # e.g. an M1 Max: its published runs were slower
            basis = t("readiness.speed.basis.with_note", basis=basis, note=published_note(published))
    rows = (_ram_row(est, a), _disk_row(est, a), _cpu_row(a), _platform_row(a), _gpu_row(est, a),
            _speed_row(tps, basis))
    suggestion = ""
    budget = a.ram_available_gb or a.ram_total_gb
    if budget is not None and est.ram_needed_gb > budget:
        suggestion = suggest_smaller(model, est.quant, context, budget, params_b)
    return Readiness(est.model, est.quant, est.context, est, rows, tps, basis, suggestion)


# --------------------------------------------------------------------------- the audit, as a learner reads it

@dataclass(frozen=True)
class AuditView:
    """This machine's audit as labelled rows in the language in force (notebook 04's first panel)."""
    rows: tuple[tuple[str, str], ...]
    problems: tuple[str, ...]

    def to_text(self) -> str:
        lines = [label_rows(self.rows, gap=1)] if self.rows else []
        if self.problems:
            lines += [t("readiness.audit.problems"), *(f"- {p}" for p in self.problems)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                       f"{html.escape(v)}</td></tr>" for k, v in self.rows)
        notes = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
        head = f"<p>{html.escape(t('readiness.audit.problems'))}</p><ul>{notes}</ul>" if notes else ""
        return f"<table class='course-audit'>{body}</table>{head}"


def audit_view(a: SystemAudit) -> AuditView:
    """The audit's facts with catalog labels: system, CPU, cores, features, RAM, disk, tools, GPU."""
    def gb(x):
        return t("readiness.audit.unknown") if x is None else t("readiness.audit.gb", gb=x)

    flavour = a.flavour if a.flavour in FLAVOURS else "other"
    flags = ", ".join(a.cpu_flags) or t("readiness.audit.no_flags")
    if a.cpu_flags_unknown:
        flags += t("readiness.audit.flags_unreported", flags=", ".join(a.cpu_flags_unknown))
    found = ", ".join(f"{x.name} {x.version or ''}".strip() for x in a.tools.values() if x.found) \
        or t("readiness.platform.none")
    missing = ", ".join(x.name for x in a.tools.values() if not x.found and x.name != "cl")
    tools = found + (t("readiness.audit.missing", tools=missing) if missing else "")
    g = a.gpu
    if g.kind == "none":
        gpu = t("readiness.audit.gpu.none")
    else:
        gpu = t(f"readiness.audit.gpu.kind.{g.kind}") if g.kind in GPU_KINDS else g.kind
        if g.name:
            gpu = f"{g.name} ({gpu})"
        if g.vram_gb:
            gpu += t("readiness.audit.gpu.unified" if g.unified_memory else "readiness.audit.gpu.vram", gb=g.vram_gb)
    unknown = "?"
    rows = ((t("readiness.audit.system"), t("readiness.audit.system_value", kind=t(f"readiness.os.{flavour}") if flavour != "other" else a.os,
                                            os=a.os, version=a.os_version, machine=a.machine)),
            (t("readiness.audit.cpu"), a.cpu or t("readiness.audit.unknown")),
            (t("readiness.audit.cores"), t("readiness.audit.cores_value", physical=a.cores_physical or unknown,
                                           logical=a.cores_logical or unknown)),
            (t("readiness.check.cpu"), flags),
            (t("readiness.check.ram"), t("readiness.audit.ram_value", total=gb(a.ram_total_gb),
                                         available=gb(a.ram_available_gb))),
            (t("readiness.audit.disk"), t("readiness.audit.disk_value", free=gb(a.disk_free_gb), path=a.disk_path)),
            (t("readiness.audit.tools"), tools),
            (t("readiness.check.gpu"), gpu))
    return AuditView(rows, tuple(a.problems))
