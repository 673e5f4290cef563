"""The subcommands of `course-utils` (thin: parse arguments, call a library function)."""
from __future__ import annotations

from . import cli_args as check
from .cli import arguments, command
from .i18n import t


@command("info")
def _info(args):
    from .environment import environment_info

    info = environment_info()
    return dict(info.rows()) if not args.json else info


@command("data")
def _data(args):
    from .data import load_all

    return load_all()


def _model_args(p):
    p.add_argument("repo_id", type=check.model_id,
                   help=t("cli.help.model.repo_id"))


@command("model")
@arguments(_model_args)
def _model(args):
    from .hub import model_summary

    return model_summary(args.repo_id)


def _license_args(p):
    p.add_argument("id", metavar="REPO_ID_OR_LICENSE_ID", type=check.text("id", 300),
                   help=t("cli.help.license.id"))


@command("license")
@arguments(_license_args)
def _license(args):
    from .licenses import license_report

    return license_report(args.id)


def _saas_args(p):
    p.add_argument("repo_id", type=check.model_id, help=t("cli.help.saas.repo_id"))
    p.add_argument("--mau", type=check.non_negative_int, default=None, help=t("cli.help.saas.mau"))
    p.add_argument("--mau-at-release", type=check.non_negative_int, default=None,
                   help=t("cli.help.saas.mau-at-release"))
    p.add_argument("--non-commercial", action="store_true", help=t("cli.help.saas.non-commercial"))
    p.add_argument("--trains-on-outputs", action="store_true", help=t("cli.help.saas.trains-on-outputs"))
    p.add_argument("--redistributes-weights", action="store_true", help=t("cli.help.saas.redistributes-weights"))


@command("saas")
@arguments(_saas_args)
def _saas(args):
    from .licenses import saas_verdict

    return saas_verdict(args.repo_id, commercial=not args.non_commercial, monthly_active_users=args.mau,
                        trains_other_models_on_outputs=args.trains_on_outputs,
                        redistributes_weights=args.redistributes_weights,
                        licensee_mau_at_release=args.mau_at_release)


def _search_args(p):
    p.add_argument("--task", type=check.text("task", 100), help=t("cli.help.search.task"))
    p.add_argument("--tag", action="append", default=[], type=check.text("tag", 100), help=t("cli.help.search.tag"))
    p.add_argument("--max-params", type=check.number(0, 100_000, "billion"), help=t("cli.help.search.max-params"))
    p.add_argument("--quantized", action="store_true", help=t("cli.help.search.quantized"))
    p.add_argument("--min-languages", type=check.whole_number(0, 10_000), help=t("cli.help.search.min-languages"))
    p.add_argument("--commercial-only", action="store_true", help=t("cli.help.search.commercial-only"))
    p.add_argument("--text", type=check.text("search", 200), help=t("cli.help.search.text"))
    p.add_argument("--sort", choices=["downloads", "params", "id"], default="downloads", help=t("cli.help.search.sort"))
    p.add_argument("--limit", type=check.whole_number(1, 200, "results"), default=20, help=t("cli.help.search.limit"))


@command("search")
@arguments(_search_args)
def _search(args):
    from .hub import search_models

    return search_models(task=args.task, tags=args.tag, max_params_b=args.max_params,
                         quantized=True if args.quantized else None, min_languages=args.min_languages,
                         commercial_only=args.commercial_only, sort=args.sort, limit=args.limit, text=args.text)


def _refresh_args(p):
    p.add_argument("--out", type=check.output_file, help=t("cli.help.refresh-data.out"))


@command("refresh-data")
@arguments(_refresh_args)
def _refresh(args):
    from .refresh import refresh_snapshot

    return refresh_snapshot(out=args.out, progress=not args.json)


def _audit_args(p):
    p.add_argument("--model", help=t("cli.help.audit.model"))
    p.add_argument("--params", type=check.number(0, 100_000, "billion"),
                   help=t("cli.help.audit.params"))
    p.add_argument("--quant", default="Q4_K_M", help=t("cli.help.audit.quant"))
    p.add_argument("--ctx", "--context", dest="ctx", type=check.whole_number(1, check.MAX_CONTEXT, "tokens"),
                   default=4096, help=t("cli.help.audit.ctx"))
    p.add_argument("--disk-path", default=None, type=check.existing_folder,
                   help=t("cli.help.audit.disk-path"))
    p.add_argument("--no-bandwidth", action="store_true", help=t("cli.help.audit.no-bandwidth"))
    p.add_argument("--compute", action="store_true", help=t("cli.help.audit.compute"))
    p.add_argument("--vram", type=check.positive_float,
                   help=t("cli.help.audit.vram"))


@command("audit")
@arguments(_audit_args)
def _audit(args):
    from .errors import InvalidInput
    from .system import audit, with_vram

    a = audit(args.disk_path)
    if args.vram:
        a = with_vram(a, args.vram)
    if not (args.model or args.params):
        return _AuditOnly(a)
    from .readiness import readiness

    if args.compute and args.no_bandwidth:
        raise InvalidInput(t("cli.audit.compute_needs_bandwidth"))
    r = readiness(args.model, args.quant, args.ctx, params_b=args.params, machine=a,
                  measure_bandwidth=not args.no_bandwidth, compute=args.compute)
    return _AuditWithReadiness(a, r)


class _AuditOnly:
    def __init__(self, a):
        self.a = a

    def to_dict(self):
        return self.a.to_dict()

    def to_text(self):
        return self.a.to_text()


class _AuditWithReadiness(_AuditOnly):
    def __init__(self, a, r):
        super().__init__(a)
        self.r = r

    def to_dict(self):
        d = self.a.to_dict()
        d["readiness"] = self.r.to_dict()
        return d

    def to_text(self):
        return self.a.to_text() + "\n\n" + self.r.to_text()


def _fit_args(p):
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--model", help=t("cli.help.fit.model"))
    g.add_argument("--params", type=check.number(0, 100_000, "billion"), help=t("cli.help.fit.params"))
    p.add_argument("--quant", required=True, help=t("cli.help.fit.quant"))
    p.add_argument("--ctx", "--context", dest="ctx", type=check.whole_number(1, check.MAX_CONTEXT, "tokens"),
                   default=4096, help=t("cli.help.fit.ctx"))
    h = p.add_mutually_exclusive_group()
    h.add_argument("--hardware", help=t("cli.help.fit.hardware"))
    h.add_argument("--bandwidth", type=check.number(0, 100_000, "gbs"),
                   help=t("cli.help.fit.bandwidth"))
    p.add_argument("--backend", choices=["cpu", "cuda", "vulkan", "rocm", "metal", "igpu"], default=None,
                   help=t("cli.help.fit.backend"))
    p.add_argument("--vram", type=check.positive_float,
                   help=t("cli.help.fit.vram"))
    p.add_argument("--cpu-bandwidth", type=check.positive_float,
                   help=t("cli.help.fit.cpu-bandwidth"))
    p.add_argument("--n-cpu-moe", type=check.non_negative_int, default=0,
                   help=t("cli.help.fit.n-cpu-moe"))
    p.add_argument("--kv-type", default="f16", help=t("cli.help.fit.kv-type"))
    p.add_argument("--max-context", action="store_true",
                   help=t("cli.help.fit.max-context"))


@command("fit")
@arguments(_fit_args)
def _fit(args):
    from .errors import InvalidInput
    from .fit import estimate, max_context

    if args.backend and args.bandwidth is None:
        raise InvalidInput(t("cli.fit.backend_needs_bandwidth"))
    if args.max_context:
        return max_context(args.model, args.quant, args.vram, params_b=args.params, kv_cache_type=args.kv_type,
                           memory_basis="--vram")
    return estimate(args.model, args.quant, args.ctx, params_b=args.params, hardware=args.hardware,
                    bandwidth_gbs=args.bandwidth, backend=args.backend, kv_cache_type=args.kv_type,
                    vram_gb=args.vram, n_cpu_moe=args.n_cpu_moe, cpu_bandwidth_gbs=args.cpu_bandwidth)


def _compare_args(p):
    p.add_argument("repo_ids", nargs="+", metavar="ID", type=check.model_id, help=t("cli.help.compare.repo_ids"))
    p.add_argument("--version", type=int, choices=[1, 2], default=1, help=t("cli.help.compare.version"))


@command("compare")
@arguments(_compare_args)
def _compare(args):
    from .benchmarks import SCALE, compare

    df = compare(args.repo_ids, args.version)
    return _Table(df, SCALE[args.version])


class _Table:
    def __init__(self, df, title):
        self.df, self.title = df, title

    def to_dict(self):
        rows = self.df.astype(object).where(self.df.notna(), None).to_dict(orient="records")
        return {"version": self.df.attrs.get("version"), "scale": self.title, "rows": rows,
                "skipped": list(self.df.attrs.get("skipped", [])), "notes": list(self.df.attrs.get("notes", []))}

    def to_text(self):
        from .benchmarks import LABELS, bench_label, licence_label
        from .i18n import label, number
        from .text_table import decimals, text_table

        cols = [c for c in self.df.columns if c not in ("source", "license_source", "params_source")
                and not (c == "note" and not self.df[c].astype(bool).any())]  # as the notebook: no empty notes
        heads = [bench_label(c) if c in LABELS else label(f"cli.compare.col.{c}", c) for c in cols]
        numeric = [i for i, c in enumerate(cols) if self.df[c].dtype.kind in "fi"]
        spec = {i: f".{decimals(self.df[cols[i]])}f" for i in numeric}

        def cell(i, v):  # a number as the language writes it (— when missing), a text as it is
            if i in spec:
                return "—" if v != v else number(v, spec[i])
            if v is None or v != v:
                return ""
            return licence_label(v) if cols[i] == "license_id" else str(v)

        rows = [[cell(i, v) for i, v in enumerate(row)] for row in self.df[cols].itertuples(index=False)]
        notes = "".join(f"\n{note}" for note in self.df.attrs.get("notes", []))
        return self.title + "\n" + text_table(heads, rows, right=numeric) + notes


def _claims_args(p):
    p.add_argument("file", metavar="FILE.csv", type=check.readable_path, help=t("cli.help.check-claims.file"))
    p.add_argument("--version", type=int, choices=[1, 2], default=1, help=t("cli.help.check-claims.version"))


@command("check-claims")
@arguments(_claims_args)
def _check_claims(args):
    from .benchmarks import check_claims

    return check_claims(args.file, args.version)


def _grade_args(p):
    p.add_argument("dir", metavar="DIR", help=t("cli.help.grade.dir"))
    p.add_argument("--key", type=check.readable_path, help=t("cli.help.grade.key"))
    p.add_argument("--overrides", type=check.readable_path, help=t("cli.help.grade.overrides"))
    p.add_argument("--out", help=t("cli.help.grade.out"))
    p.add_argument("--roster", type=check.readable_path, help=t("cli.help.grade.roster"))


@command("grade")
@arguments(_grade_args)
def _grade(args):
    from .gradebook import grade

    return grade(args.dir, args.key, args.overrides, args.out, args.roster, progress=not args.json)


def _key_args(p):
    p.add_argument("--out", type=check.output_file, metavar="FILE",
                   help=t("cli.help.key.out"))


@command("key")
@arguments(_key_args)
def _key(args):
    from .grading import write_key, load_key

    return write_key(args.out) if args.out else KeyDocument(load_key())


class KeyDocument:
    """The key itself: ``--json`` and the plain output are the same JSON document."""

    def __init__(self, key):
        self.key = key

    def to_dict(self):
        return self.key

    def to_text(self):
        import json

        return json.dumps(self.key, indent=2, ensure_ascii=False)


def _autograder_args(p):
    p.add_argument("--key", type=check.readable_path, help=t("cli.help.gradescope-autograder.key"))
    p.add_argument("--out", default="autograder.zip", help=t("cli.help.gradescope-autograder.out"))
    p.add_argument("--exercise", action="append", metavar="EX",
                   help=t("cli.help.gradescope-autograder.exercise"))


@command("gradescope-autograder")
@arguments(_autograder_args)
def _gradescope_autograder(args):
    from .gradescope import build_autograder

    return build_autograder(args.out, args.key, args.exercise)


def _run_args(p):
    p.add_argument("--model", metavar="PATH_OR_REPO",
                   help=t("cli.help.run.model"))
    p.add_argument("--quant", default=None, help=t("cli.help.run.quant"))
    p.add_argument("--max-tokens", type=check.positive_int, default=64, help=t("cli.help.run.max-tokens"))
    p.add_argument("--prompt", default=None, help=t("cli.help.run.prompt"))
    p.add_argument("--runs", type=check.positive_int, default=1, help=t("cli.help.run.runs"))
    p.add_argument("--threads", type=check.positive_int, default=None,
                   help=t("cli.help.run.threads"))
    p.add_argument("--kv-type", default="f16", help=t("cli.help.run.kv-type"))


@command("run")
@arguments(_run_args)
def _run(args):
    from .local_run import DEFAULT_PROMPT, measure_local

    return measure_local(args.model, args.quant, max_tokens=args.max_tokens, prompt=args.prompt or DEFAULT_PROMPT,
                         runs=args.runs, threads=args.threads, progress=not args.json, kv_type=args.kv_type)
