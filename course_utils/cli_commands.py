"""The subcommands of `course-utils` (thin: parse arguments, call a library function)."""
from __future__ import annotations

from . import cli_args as check
from .cli import arguments, command
from .i18n import t


@command("info", "show the environment: Colab or local, Python, ipywidgets, Hub reachability")
def _info(args):
    from .environment import environment_info

    info = environment_info()
    return dict(info.rows()) if not args.json else info


@command("data", "validate every shipped data file and print its row count")
def _data(args):
    from .data import load_all

    return load_all()


def _model_args(p):
    p.add_argument("repo_id", type=check.model_id,
                   help="Hub model id, e.g. mistralai/Mistral-7B-Instruct-v0.3")


@command("model", "facts about one Hub model (live Hub, or the shipped snapshot offline)")
@arguments(_model_args)
def _model(args):
    from .hub import model_summary

    return model_summary(args.repo_id)


def _license_args(p):
    p.add_argument("id", metavar="REPO_ID_OR_LICENSE_ID", type=check.text("model or licence id", 300),
                   help="a model id (org/name) or a licence id (apache-2.0)")


@command("license", "what a licence allows: commercial use, conditions, limitations")
@arguments(_license_args)
def _license(args):
    from .licenses import license_report

    return license_report(args.id)


def _saas_args(p):
    p.add_argument("repo_id", type=check.model_id)
    p.add_argument("--mau", type=check.non_negative_int, default=None, help="monthly active users of the product")
    p.add_argument("--mau-at-release", type=check.non_negative_int, default=None,
                   help="your (and affiliates') monthly active users in the month before the licence version's "
                        "release date (Llama's 700M clause counts these)")
    p.add_argument("--non-commercial", action="store_true", help="the product is not commercial")
    p.add_argument("--trains-on-outputs", action="store_true", help="outputs are used to train another model")
    p.add_argument("--redistributes-weights", action="store_true", help="the product ships the weights")


@command("saas", "may a SaaS product use this model? verdict with reasons tied to licence clauses")
@arguments(_saas_args)
def _saas(args):
    from .licenses import saas_verdict

    return saas_verdict(args.repo_id, commercial=not args.non_commercial, monthly_active_users=args.mau,
                        trains_other_models_on_outputs=args.trains_on_outputs,
                        redistributes_weights=args.redistributes_weights,
                        licensee_mau_at_release=args.mau_at_release)


def _search_args(p):
    p.add_argument("--task", type=check.text("task", 100), help="pipeline tag, e.g. text-generation")
    p.add_argument("--tag", action="append", default=[], type=check.text("tag", 100), help="Hub tag (repeatable)")
    p.add_argument("--max-params", type=check.number(0, 100_000, "billion"), help="maximum parameters, in billions")
    p.add_argument("--quantized", action="store_true", help="only quantized builds (e.g. GGUF)")
    p.add_argument("--min-languages", type=check.whole_number(0, 10_000))
    p.add_argument("--commercial-only", action="store_true", help="licences that allow commercial use")
    p.add_argument("--text", type=check.text("search text", 200), help="text the repo id must contain")
    p.add_argument("--sort", choices=["downloads", "params", "id"], default="downloads")
    p.add_argument("--limit", type=check.whole_number(1, 200, "results"), default=20)


@command("search", "search models with the course's filters (live Hub, or the snapshot offline)")
@arguments(_search_args)
def _search(args):
    from .hub import search_models

    return search_models(task=args.task, tags=args.tag, max_params_b=args.max_params,
                         quantized=True if args.quantized else None, min_languages=args.min_languages,
                         commercial_only=args.commercial_only, sort=args.sort, limit=args.limit, text=args.text)


def _refresh_args(p):
    p.add_argument("--out", type=check.output_file, help="write the snapshot here instead of the data folder")


@command("refresh-data", "rebuild the Hub snapshot from the live Hub (online only)")
@arguments(_refresh_args)
def _refresh(args):
    from .refresh import refresh_snapshot

    return refresh_snapshot(out=args.out, progress=not args.json)


def _audit_args(p):
    p.add_argument("--model", help="a catalog model id: adds readiness rows for it")
    p.add_argument("--params", type=check.number(0, 100_000, "billion"),
                   help="instead of --model: parameters in billions")
    p.add_argument("--quant", default="Q4_K_M", help="llama.cpp type, e.g. Q4_K_M (default)")
    p.add_argument("--ctx", type=check.whole_number(1, check.MAX_CONTEXT, "tokens"), default=4096,
                   help="context length in tokens (default 4096)")
    p.add_argument("--disk-path", default=None, type=check.existing_folder,
                   help="where the model would be stored (default: here)")
    p.add_argument("--no-bandwidth", action="store_true", help="skip the one-second bandwidth measurement")
    p.add_argument("--vram", type=check.positive_float,
                   help="your GPU's memory in GB, if the audit misses or misreads it")


@command("audit", "audit this machine (RAM, disk, CPU features, tools, GPU) and, with --model, its readiness")
@arguments(_audit_args)
def _audit(args):
    from .system import audit, with_vram

    a = audit(args.disk_path)
    if args.vram:
        a = with_vram(a, args.vram)
    if not (args.model or args.params):
        return _AuditOnly(a)
    from .readiness import readiness

    r = readiness(args.model, args.quant, args.ctx, params_b=args.params, machine=a,
                  measure_bandwidth=not args.no_bandwidth)
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
    g.add_argument("--model", help="a catalog model id, or a local .gguf file")
    g.add_argument("--params", type=check.number(0, 100_000, "billion"), help="parameters in billions")
    p.add_argument("--quant", required=True, help="F16, Q8_0, Q6_K, Q5_K_M, ... Q2_K")
    p.add_argument("--ctx", type=check.whole_number(1, check.MAX_CONTEXT, "tokens"), default=4096)
    h = p.add_mutually_exclusive_group()
    h.add_argument("--hardware", help="a name from the bandwidth table, e.g. 'M1 Pro' or 'RTX 4090'")
    h.add_argument("--bandwidth", type=check.number(0, 100_000, "GB/s"),
                   help="memory bandwidth in GB/s (with --backend)")
    p.add_argument("--backend", choices=["cpu", "cuda", "vulkan", "rocm", "metal", "igpu"], default=None)
    p.add_argument("--vram", type=check.positive_float,
                   help="GPU memory in GB (checks the fit; partial offload if not)")
    p.add_argument("--cpu-bandwidth", type=check.positive_float,
                   help="CPU RAM bandwidth in GB/s for layers that do not fit on the GPU (default 51.2)")
    p.add_argument("--n-cpu-moe", type=check.non_negative_int, default=0,
                   help="MoE: keep the experts of the first N layers in CPU RAM (llama.cpp --n-cpu-moe)")
    p.add_argument("--kv-type", default="f16", help="KV cache type: f16 (default), q8_0 or q4_0")
    p.add_argument("--max-context", action="store_true",
                   help="print the largest context that fits (in --vram GB, else this machine's free RAM)")


@command("fit", "file size, KV cache, RAM needed and decode tokens/s for a model and quantization")
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
    p.add_argument("repo_ids", nargs="+", metavar="ID", type=check.model_id)
    p.add_argument("--version", type=int, choices=[1, 2], default=1, help="leaderboard version (default 1)")


@command("compare", "Open LLM Leaderboard scores with licence and size (v1 or v2, never mixed)")
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
        from .benchmarks import LABELS, bench_label
        from .i18n import label

        cols = [c for c in self.df.columns if c not in ("source", "license_source", "params_source")]
        shown = {c: bench_label(c) if c in LABELS else label(f"cli.compare.col.{c}", c) for c in cols}
        notes = "".join(f"\n{note}" for note in self.df.attrs.get("notes", []))
        return self.title + "\n" + self.df[cols].rename(columns=shown).to_string(index=False) + notes


def _claims_args(p):
    p.add_argument("file", metavar="FILE.csv", help="columns: model, then benchmark columns and/or license "
                                                   "(or long form: model, benchmark, value)")
    p.add_argument("--version", type=int, choices=[1, 2], default=1)


@command("check-claims", "check a claimed table of scores and licences against the leaderboard data")
@arguments(_claims_args)
def _check_claims(args):
    from .benchmarks import check_claims

    return check_claims(args.file, args.version)


def _grade_args(p):
    p.add_argument("dir", metavar="DIR", help="folder of answer files (*.json)")
    p.add_argument("--key", help="a private answer key (default: the course's, built from the exercises; "
                                 "`course-utils key --out FILE` writes it to start one from)")
    p.add_argument("--overrides", help="CSV of manual scores: learner,exercise,question,score,comment")
    p.add_argument("--out", help="gradebook CSV (a per-question CSV is written beside it)")
    p.add_argument("--roster", help="CSV of learners (name, email, id): also writes grades_canvas.csv and "
                                    "grades_moodle.csv beside --out")


@command("grade", "grade a folder of answer files; bad files are listed, never fatal")
@arguments(_grade_args)
def _grade(args):
    from .gradebook import grade

    return grade(args.dir, args.key, args.overrides, args.out, args.roster, progress=not args.json)


def _key_args(p):
    p.add_argument("--out", type=check.output_file, metavar="FILE",
                   help="write the key to FILE (default: print it) to start a private key from")


@command("key", "the course's answer key, built from the exercises' declarations (the --key file format)")
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
    p.add_argument("--key", help="a private answer key (default: the course's, built from the exercises)")
    p.add_argument("--out", default="autograder.zip", help="where to write the zip (default: autograder.zip)")
    p.add_argument("--exercise", action="append", metavar="EX",
                   help="the exercise(s) this Gradescope assignment covers (default: all of them)")


@command("gradescope-autograder", "write autograder.zip for a Gradescope programming assignment")
@arguments(_autograder_args)
def _gradescope_autograder(args):
    from .gradescope import build_autograder

    return build_autograder(args.out, args.key, args.exercise)


def _run_args(p):
    p.add_argument("--model", metavar="PATH_OR_REPO",
                   help="a .gguf file, or a Hub GGUF repo (org/name[/file.gguf]); default: SmolLM2-135M-Instruct")
    p.add_argument("--quant", default=None, help="with a Hub repo: which file, e.g. Q4_K_M (the default)")
    p.add_argument("--max-tokens", type=check.positive_int, default=64, help="tokens to generate (default 64)")
    p.add_argument("--prompt", default=None, help="the prompt (default: a short question)")
    p.add_argument("--runs", type=check.positive_int, default=1, help="generations to time (median; default 1)")
    p.add_argument("--threads", type=check.positive_int, default=None,
                   help="llama.cpp threads (default: the physical cores, as llama.cpp picks)")


@command("run", "run a real model on llama.cpp here and put the course's speed prediction beside it")
@arguments(_run_args)
def _run(args):
    from .local_run import DEFAULT_PROMPT, measure_local

    return measure_local(args.model, args.quant, max_tokens=args.max_tokens, prompt=args.prompt or DEFAULT_PROMPT,
                         runs=args.runs, threads=args.threads, progress=not args.json)
