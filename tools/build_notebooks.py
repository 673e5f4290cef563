"""Write notebooks/*.ipynb from the cell lists below: the single source of the notebooks.

Every notebook gets the same head (title + Open-in-Colab badge, the setup cell) and the
same metadata; nothing Colab- or widget-specific is stored. Cells tagged
`nbval-check-output` are golden cells: run `python tools/build_notebooks.py --golden`
to execute the notebooks offline and keep the outputs of those cells only.

    python tools/build_notebooks.py            # rewrite sources (keeps existing golden outputs)
    python tools/build_notebooks.py --check    # exit 1 if a notebook differs from this file
    python tools/build_notebooks.py --golden   # also refresh golden outputs (needs nbclient)
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT))


def _pyproject() -> str:
    return (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def repo_slug() -> str:
    m = re.search(r'Repository\s*=\s*"https://github\.com/([^"]+?)/?"', _pyproject())
    if not m:
        raise SystemExit("pyproject.toml has no [project.urls] Repository on github.com")
    return m.group(1)


def repo_url() -> str:
    """The one address of the published course (pyproject.toml, [project.urls] Repository)."""
    return f"https://github.com/{repo_slug()}"


def release_tag() -> str:
    """The git tag the notebooks and the Colab install point at: v + the project version."""
    return "v" + re.search(r'^version\s*=\s*"([^"]+)"', _pyproject(), re.M).group(1)


def runtime_dependencies() -> list[str]:
    block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", _pyproject(), re.M | re.S).group(1)
    return re.findall(r'"([^"]+)"', block)


def colab_url(path: str) -> str:
    return f"https://colab.research.google.com/github/{repo_slug()}/blob/{release_tag()}/notebooks/{path}"


def badge(path: str) -> str:
    return (f'<a href="{colab_url(path)}" target="_parent"><img '
            f'src="https://colab.research.google.com/assets/colab-badge.svg" alt="Open In Colab"/></a>')


SETUP_MARK = "# Setup: in Google Colab this installs the course package"
# Runtime dependencies Colab already ships (googlecolab/backend-info, pip-freeze.txt). The setup
# cell installs the course with --no-deps (Colab's ipywidgets 7.7.1 must never be upgraded) plus
# exactly the runtime dependencies of pyproject.toml that are not in this list.
COLAB_PREINSTALLED = frozenset({"ipywidgets", "pandas", "matplotlib", "huggingface-hub", "psutil", "filelock"})


def _dist_name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.\-]+", requirement).group(0).lower().replace("_", "-")


def colab_missing() -> list[str]:
    """Runtime dependencies Colab lacks: the setup cell installs these, and only these."""
    return [d for d in runtime_dependencies() if _dist_name(d) not in COLAB_PREINSTALLED]


def pip_source() -> str:
    return f"course-utils @ git+{repo_url()}@{release_tag()}"


def setup_source() -> str:
    tag, wheel = release_tag(), f"course_utils-{release_tag()[1:]}-py3-none-any.whl"
    missing = colab_missing()
    deps = ("\n    subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', "
            + ", ".join(repr(d) for d in missing) + "])") if missing else ""
    return f'''{SETUP_MARK} (locally it is already installed):
# an uploaded {wheel} if there is one, else the release {tag} from GitHub.
# --no-deps: Colab already has pandas, matplotlib, huggingface_hub, psutil and ipywidgets 7;
# upgrading ipywidgets there breaks its widgets, so nothing else is touched.
import glob, importlib.util, os, subprocess, sys
class CourseSetupError(Exception):
    def _render_traceback_(self):  # IPython shows this one line instead of a traceback
        return [f"CourseSetupError: {{self}}"]
if "google.colab" in sys.modules and importlib.util.find_spec("course_utils") is None:{deps}
    uploads = sorted(glob.glob("/content/course_utils-*.whl") + glob.glob("course_utils-*.whl"), key=os.path.getmtime)
    for source in uploads[-1:] + ["{pip_source()}"]:
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", source]
        if subprocess.run(pip, capture_output=True).returncode == 0:
            break
    else:
        raise CourseSetupError("could not install the course (no internet, or no release {tag} at "
                               "{repo_url()}). Ask your instructor for the file {wheel}, "
                               "drag it into the Files panel on the left, then run this cell again.")
    importlib.invalidate_caches()
if importlib.util.find_spec("course_utils") is None:
    raise CourseSetupError("the course package is not installed in this Jupyter. On your computer, run "
                           "python3 tasks.py lab in the course folder (Windows: py tasks.py lab); "
                           "on a JupyterHub, ask its admin to install it (see the README).")
import course_utils
course_utils.setup();'''


def md(text: str, tags: tuple[str, ...] = ()) -> dict:
    return {"cell_type": "markdown", "metadata": {"tags": list(tags)} if tags else {}, "source": text.strip()}


def code(text: str, tags: tuple[str, ...] = ()) -> dict:
    return {"cell_type": "code", "metadata": {"tags": list(tags)} if tags else {}, "source": text.strip(),
            "outputs": [], "execution_count": None}


GOLDEN = ("nbval-check-output",)


def head(path: str, title: str, intro: str) -> list[dict]:
    return [md(f"{badge(path)}\n\n# {title}\n\n{intro.strip()}"), code(setup_source())]


def save_cells(exercise: str) -> list[dict]:
    return [md("## Save your answers\nClick the button whenever you like: saving again keeps "
               "everything you saved before and adds what is new."),
            code(f"from course_utils.ui.common import save_row\nsave_row({exercise!r})")]


def nb_00() -> list[dict]:
    return head("00_start_here.ipynb", "Start here: choosing and running open LLMs", """
Welcome! Today you will learn how to pick an open large language model for a real job and how to
run it: what "open" really means, which licences allow what, how to search the Hugging Face Hub,
whether your own computer can run a model, how models score on public benchmarks, and what running
one costs in the cloud versus on your own hardware.

Each exercise is a notebook with small interactive tools. Your answers are recorded as you work;
the **Save answers** button at the end of each notebook writes them to a file for your instructor.
""") + [
        md("## 1. Your environment\nThe table above comes from `course_utils.setup()`. If the Hub is "
           "*offline*, every tool still works: it answers from a snapshot shipped with the course and "
           "tells you its date."),
        md("## 2. Who are you?\nType your name and click **Remember me**. The other notebooks use it "
           "to name your answer files."),
        code("from course_utils.ui.start import learner_box, links\nlearner_box()"),
        md("## 3. The exercises\nOpen them in order; each takes 30 to 60 minutes."),
        code("links()"),
        md("The course works the same in every notebook: read, try the tools, answer, click **Check** "
           "for feedback, and **Save answers** before you leave. Which version of the helper library "
           "is this?"),
        code("print(f'course_utils {course_utils.__version__}')", GOLDEN),
    ]


def nb_01() -> list[dict]:
    return head("01_open_source_levels.ipynb", "Exercise 1: how open is an open model?", """
"Open" covers very different releases. In this notebook you will sort them into three levels,
decide what each level lets you do, classify real models from the facts of what they released, and
check them against the OSI's Open Source AI Definition.
""") + [
        md("""## The three levels
- **Fully open**: the trained weights, the training code *and* the training data are public. You can
  run it, adapt it, redo its training and inspect what it learned from.
- **Weights only**: the trained weights are downloadable (under some licence), but the recipe or the
  data is not (fully) public. You can run and fine-tune it; you cannot check or reproduce its training.
- **Architecture only**: the design and code are public, but no trained weights. Nothing runs until
  somebody spends the compute to train it.

A licence is a separate question: a weights-only model can be Apache-2.0, and a fully open one could
still restrict use. Exercise 2 is about licences."""),
        md("""## A second scale: the Open Source AI Definition
The three levels count *what was released*. The Open Source Initiative's
[Open Source AI Definition 1.0](https://opensource.org/ai/open-source-ai-definition) (October 2024) asks a
different question: do you get the freedoms of open source? It names four, taken from free software:

- **Use** the system "for any purpose and without having to ask for permission";
- **Study** how it works and inspect its components;
- **Modify** it for any purpose, including to change its output;
- **Share** it, changed or not, for any purpose.

To exercise them you need three things, each under OSI-approved terms: the **parameters** (weights),
the **code** ("the complete source code used to train and run the system") and **data information**:
"sufficiently detailed information about the data used to train the system so that a skilled person
can build a substantially equivalent system". Note the wording: a complete *description* of the data,
with where to get what is public, not necessarily the data itself (some data cannot be shared).

So the two scales can disagree:
- Llama, Gemma and the RAIL licences (BLOOM) let you download the weights, but they restrict *use*: an
  acceptable-use policy, a monthly-user threshold, or a list of forbidden uses. Asking permission or
  obeying a use list is exactly what the first freedom rules out, so these are **not** Open Source AI,
  whatever else is released. BLOOM documents its training data and code in detail; OSI's own review
  says it "would probably pass if they changed their licenses".
- An Apache-2.0 model with no training code and no data information (Mistral 7B, gpt-oss) has a fine
  licence but still fails: you cannot study or rebuild it.
- Pythia and OLMo passed the OSI's validation ([FAQ](https://opensource.org/ai/faq)).

**Where the original exercise sheet goes wrong.** It calls open source "open to the public, not hidden
behind closed doors or paywalls", and "fully open" the gold standard. A public download is not open
source: the terms decide. And "fully open" here means the data itself is out, while the OSI definition
asks for data *information* plus the freedom to use without permission. A release can be fully open
and still fail the definition because of its licence."""),
        md("## 1. The capability matrix\nFill in each cell, then click **Check matrix** for per-cell feedback."),
        code("from course_utils.ui import ex01\nex01.matrix_quiz()"),
        md("## 2. Classify real models\nThe table shows what each project released, from the course catalog. "
           "Pick a level for each model and check."),
        code("ex01.classify_models()"),
        md("## 3. Both scales\nFor each model pick its level, then say whether it is Open Source AI under the "
           "OSI definition and the main reason. The table gives the facts; the licence column matters now. "
           "A \"no\" counts with any requirement the model misses, and the feedback lists all of them."),
        code("ex01.both_scales_quiz()"),
        md("The same verdict as a plain function, with the facts it rests on:"),
        code("from course_utils.openness import osaid_verdict\nv = osaid_verdict('meta-llama/Llama-3.1-8B-Instruct')\n"
             "print(v.verdict, v.reasons)"),
        md("## 4. In your own words\nThese two answers are read by your instructor (a rubric gives provisional "
           "points)."),
        code("ex01.comparison_box()"),
        code("ex01.healthcare_box()"),
        md("The level of a catalog model, straight from the library (the same function the Check button uses):"),
        code("from course_utils.openness import classify_model\nprint(classify_model('allenai/OLMo-7B').level)",
             GOLDEN),
    ] + save_cells("ex01")


def nb_02() -> list[dict]:
    return head("02_license_check.ipynb", "Exercise 2: can we use this model in our SaaS?", """
Before a model goes into a product, someone must read its licence. Here you look up any Hub model,
see what its licence allows and get a verdict for a SaaS product, then fill in the checklist for
two models yourself.
""") + [
        md("""## 1. Licence card and SaaS verdict
Type a model id (try `facebook/opt-6.7b`, `bigscience/bloom-7b1`, `meta-llama/Llama-2-7b-chat-hf`,
`unsloth/gemma-2b-it`, or a wrong one such as `mistralai/Mistral-7B-Instruct`). The card says whether
the facts come from the live Hub or from the course's researched facts, and their date. Every
condition quotes its clause. A re-upload keeps its base model's licence when that licence travels
with copies, whatever the Hub tag says. Change the product facts and look again: Llama's 700M-user
clause counts *your* users in the month before the version's release, not the product's users today."""),
        code("from course_utils.ui import ex02\nex02.license_card()"),
        md("## 2. Your checklist\nPick two models you might use. For each, fill in the licence id, whether "
           "commercial use is allowed, whether the repo is gated and which restrictions apply, then **Check**."),
        code("ex02.checklist('model_1')"),
        code("ex02.checklist('model_2')"),
        md("The same facts from code: the licence the Hub gives OPT-6.7B is not MIT."),
        code("from course_utils.licenses import license_report\nr = license_report('facebook/opt-6.7b')\n"
             "print(r.license_key, '| commercial use:', r.commercial_use)", GOLDEN),
    ] + save_cells("ex02")


def nb_03() -> list[dict]:
    return head("03_llm_matchmaker.ipynb", "Exercise 3: LLM matchmaker", """
Three teams need a model. Search the Hub with filters that match each team's constraints, pick one
model per team, explain why, and check your pick against the team's needs.
""") + [
        md("""## The teams
- **LegalTech** wants a chatbot that reasons over contracts and runs on CPU-only servers.
- **EdTech** wants a maths tutor that runs offline on low-end laptops (8 GB of RAM, no GPU).
- **Global NGO** needs an assistant that works in five or more languages.

All three sell their product, so the licence must allow commercial use."""),
        md("## 1. Search\nOnline, this searches the live Hub sorted by downloads; offline, the course's "
           "snapshot (it says which)."),
        code("from course_utils.ui import ex03\nex03.search_panel()"),
        md("## 2. Your picks"),
        code("ex03.team_pick('legaltech')"),
        code("ex03.team_pick('edtech')"),
        code("ex03.team_pick('ngo')"),
        md("How the check works, for one pick (each need with its reason):"),
        code("from course_utils.matchmaker import check_pick\n"
             "fb = check_pick('ngo', 'bigscience/bloomz-3b')\n"
             "print(fb.fits, [c.need for c in fb.checks])", GOLDEN),
    ] + save_cells("ex03")


def nb_04() -> list[dict]:
    return head("04_readiness_audit.ipynb", "Exercise 4: can this machine run it?", """
Whether a model runs on a computer depends on the model, its quantization and the context length,
not on a fixed rule such as "16 GB of RAM". Audit this machine, then check real models against it.

**In Colab** the audit describes the Colab virtual machine, not your own laptop. Run this notebook
locally (`python3 tasks.py lab`) to audit your own computer.
""") + [
        md("## 1. Audit this machine"),
        code("from course_utils.ui import ex04\nex04.audit_panel()"),
        md("""## 2. Requirements for a model
Pick a model, a llama.cpp quantization and a context length. The table compares what the model
needs (weights + KV cache + overhead) with this machine, estimates the decode speed from memory
bandwidth, and gives advice. The chart shows every quantization against the RAM available now."""),
        code("ex04.readiness_panel()"),
        md("## 3. Your own table\nFill in what you believe about this machine and your verdict, then compare "
           "with the audit. Finish with your upgrade advice."),
        code("ex04.own_table()"),
        md("""## 4. Predict, then measure
An estimate is only useful if it holds. Here a real model runs on a real engine: SmolLM2-135M-Instruct
(Apache-2.0, 98 MB) on llama.cpp's own server, started on this machine and stopped again afterwards.
1. **Predict**: the estimator's decode speed for this machine (bytes read per token ÷ the memory bandwidth
   measured here). Write down your own guess too.
2. **Run it for real**: time a generation through the same harness as any server. You see the time to the
   first token, the speed this notebook saw, and llama.cpp's own figure.
3. **Explain the gap**: is it the bandwidth (one thread copying vs llama.cpp's threads), the thread count,
   or the fixed cost of each token, which weighs most on a small model?

Without the engine the panel says how to install it (`pip install 'course-utils[run]'`)."""),
        code("ex04.predict_measure_panel()"),
        md("The estimator from code: Mistral 7B at Q4_K_M needs about 4.4 GB of weights, not 16 GB of RAM."),
        code("from course_utils.fit import estimate\ne = estimate('mistralai/Mistral-7B-Instruct-v0.3', 'Q4_K_M', 4096)\n"
             "print(f'{e.file_size_gb:.2f} GB file, {e.ram_needed_gb:.2f} GB RAM')", GOLDEN),
    ] + save_cells("ex04")


def nb_05() -> list[dict]:
    return head("05_benchmark_explorer.ipynb", "Exercise 5: what do the benchmarks say?", """
Public leaderboards are a quick first filter. Here you compare real Open LLM Leaderboard scores with
each model's licence and size, name a good use for each model, and catch the errors in a table that
somebody "completed" without checking.
""") + [
        md("""## Two leaderboards, two scales
- **v1** (archived in 2024): ARC, HellaSwag, MMLU, TruthfulQA, Winogrande and GSM8K, as raw accuracy in %.
- **v2** (retired in 2025): IFEval, BBH, MATH Lvl 5, GPQA, MuSR and MMLU-Pro, normalised so that
  random guessing scores 0.

A v1 number and a v2 number cannot be compared: every table and chart here shows one version only.
MMLU has four choices per question, so about 25 is what guessing gets."""),
        md("## 1. Explore\nType part of a model id, select matches, **Add** them, then **Compare**."),
        code("from course_utils.ui import ex05\nex05.explorer()"),
        md("## 2. Spot the errors\nThis table was handed in as finished work. Tick every value that is wrong, "
           "then check against the leaderboard data."),
        code("ex05.spot_the_errors()"),
        md("The same check from code, with the true values and their sources:"),
        code("from course_utils.benchmarks import check_claims, sheet_claims\n"
             "report = check_claims([{k: v for k, v in r.items() if k != 'source'} for r in sheet_claims()])\n"
             "print(len(report.errors), 'wrong values:', sorted({e.field for e in report.errors}))", GOLDEN),
    ] + save_cells("ex05")


def nb_06() -> list[dict]:
    return head("06_cloud_vs_local.ipynb", "Exercise 6: cloud or local?", """
Where should your model run: on hardware you buy, on a rented cloud GPU, or behind a pay-per-token
API? Use real, dated prices to find where each option is cheapest, weigh the other pros and cons,
time a real generation on this machine, and write your plan.
""") + [
        md("""## 1. The cost model
Move the sliders: the monthly cost of each option and the plot update. Local cost is the hardware
spread over its lifetime plus electricity; a cloud GPU is billed per hour; an API per token (the plot
assumes the same amount of generated text as the local setup would produce in those hours). Use
**Set speed from the estimator** to take the decode speed from the fit estimator of exercise 4."""),
        code("from course_utils.ui import ex06\nex06.cost_planner()"),
        md("## 2. Pros and cons\nSort each statement (one of them is a myth)."),
        code("ex06.pros_cons()"),
        md("""## 3. Time a real generation
**Measure** with the fields empty runs the course's small model (SmolLM2-135M) on llama.cpp right here and
stops it afterwards. To time something else instead:
- your own OpenAI-compatible server: fill in its base URL and model, e.g. llama.cpp's
  `llama-server -m your-model.gguf --port 8080` (`http://127.0.0.1:8080/v1`) or Ollama's `ollama serve`
  (`http://127.0.0.1:11434/v1`, model `llama3.2`);
- in Colab, a `transformers` model: type its id (e.g. `HuggingFaceTB/SmolLM2-135M-Instruct`) in the
  transformers box; Colab's GPU, if you picked one, is used.

Your measured speed is recorded with your answers: use it in the cost model above."""),
        code("ex06.timing_panel()"),
        md("## 4. Your plan"),
        code("ex06.plan_box()"),
        md("Break-even with the default prices, from code:"),
        code("from course_utils import deploy\ncosts = deploy.monthly_costs(deploy.default_inputs(hours_per_day=4))\n"
             "print(f'local ${costs.local_usd:.2f}, cloud GPU ${costs.cloud_gpu_usd:.2f} per month; '\n"
             "      f'break-even at {costs.break_even_hours_per_day:.1f} h/day')", GOLDEN),
    ] + save_cells("ex06")


def nb_dashboard() -> list[dict]:
    return head("instructor/grading_dashboard.ipynb", "Instructor: grading dashboard", """
Grade a folder of answer files, see how the class did, and review the free-text answers. The same
grading runs from a terminal: `course-utils grade answers/ --out grades.csv` (add `--roster roster.csv`
for Canvas and Moodle files).
""") + [
        md("""## 1. Load a folder
By default the dashboard grades `../answers` (where the notebooks save, seen from this folder). For a
class, put the learners' `exN_<name>.json` files in one folder (Colab downloads or LMS uploads) and
type its path. Every file that is not graded is listed with the reason; all the others are graded.
Percent is over the whole course: an exercise not handed in counts 0 and is named in `missing`."""),
        code("from course_utils.ui.dashboard import dashboard\n"
             "# in a clone of the repo, '../../tests/fixtures/answers' is a sample class\n"
             "dashboard()"),
        md("""## 2. Review
Free-text answers get provisional rubric points. Pick one in **To review**, read it, set the score and
save: the score goes into `<folder>/overrides.csv`, which the grader applies on the next run (and
`course-utils grade DIR --overrides DIR/overrides.csv` from a terminal). A row that does not fit (an
unknown learner or question, a score above the question's points) is refused with its line number."""),
        md("Points per exercise in the answer key (pass `--key` to the grader for a private key):"),
        code("from course_utils import grading\nkey = grading.load_key()\n"
             "print({ex: sum(q['points'] for q in spec['questions']) for ex, spec in key['exercises'].items()})",
             GOLDEN),
    ]


SPECS = {
    "00_start_here.ipynb": nb_00,
    "01_open_source_levels.ipynb": nb_01,
    "02_license_check.ipynb": nb_02,
    "03_llm_matchmaker.ipynb": nb_03,
    "04_readiness_audit.ipynb": nb_04,
    "05_benchmark_explorer.ipynb": nb_05,
    "06_cloud_vs_local.ipynb": nb_06,
    "instructor/grading_dashboard.ipynb": nb_dashboard,
}

METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def build(name: str) -> dict:
    cells = SPECS[name]()
    for i, cell in enumerate(cells):
        cell["id"] = f"{Path(name).stem[:2]}-{i:02d}"
    return {"cells": cells, "metadata": copy.deepcopy(METADATA), "nbformat": 4, "nbformat_minor": 5}


def is_golden(cell: dict) -> bool:
    return "nbval-check-output" in cell.get("metadata", {}).get("tags", [])


def carry_golden(new: dict, old: dict | None) -> dict:
    """Keep the stored outputs of golden cells whose source did not change."""
    if not old:
        return new
    previous = {c.get("id"): c for c in old.get("cells", [])}
    for cell in new["cells"]:
        prev = previous.get(cell["id"])
        if is_golden(cell) and prev and prev.get("source") == cell["source"]:
            cell["outputs"] = prev.get("outputs", [])
            cell["execution_count"] = prev.get("execution_count")
    return new


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def read(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def refresh_golden(nb: dict, path: Path) -> dict:
    """Execute the notebook offline and keep the outputs of golden cells only."""
    import nbformat
    from nbclient import NotebookClient

    env_backup = dict(os.environ)
    tmp = tempfile.mkdtemp()
    os.environ.update(HF_HUB_OFFLINE="1", HF_HOME=tmp, COURSE_UTILS_ANSWERS_DIR=tmp, MPLBACKEND="Agg")
    try:
        run = nbformat.reads(dumps(nb), as_version=4)
        NotebookClient(run, timeout=120, resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    for cell, done in zip(nb["cells"], run.cells):
        if is_golden(cell):
            cell["outputs"] = [dict(o) for o in done.outputs if o.get("output_type") == "stream"]
            cell["execution_count"] = 1
    return nb


def expected(name: str) -> dict:
    return carry_golden(build(name), read(NOTEBOOKS / name))


TITLES = {"00_start_here.ipynb": "Start here: environment check, your name, the map of the day",
          "instructor/grading_dashboard.ipynb": "Instructor: grading dashboard"}
README = ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- notebooks-table: written by tools/build_notebooks.py -->", "<!-- /notebooks-table -->"


def readme_with_table(text: str) -> str:
    """README.md with the notebook table (Colab badge per notebook) rebuilt from SPECS."""
    from course_utils.exercises import EXERCISES

    titles = dict(TITLES, **{e.notebook: f"{e.id[2:]}. {e.title}" for e in EXERCISES.values()})
    rows = "\n".join(f"| [{titles[n]}](notebooks/{n}) | [![Open In Colab]"
                     f"(https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(n)}) |" for n in SPECS)
    table = f"{TABLE_START}\n| notebook | open in Colab |\n| --- | --- |\n{rows}\n{TABLE_END}"
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    return text[:start] + table + text[end:]


LINKS_START, LINKS_END = "<!-- publish-links: written by tools/build_notebooks.py -->", "<!-- /publish-links -->"


def binder_url() -> str:
    return (f"https://mybinder.org/v2/gh/{repo_slug()}/{release_tag()}"
            "?urlpath=lab/tree/notebooks/00_start_here.ipynb")


def nbgitpuller_url(hub: str = "HUB") -> str:
    from urllib.parse import quote

    name = repo_slug().split("/")[1]
    return (f"https://{hub}/hub/user-redirect/git-pull?repo={quote(repo_url(), safe='')}&branch=main"
            f"&urlpath={quote(f'lab/tree/{name}/notebooks/00_start_here.ipynb', safe='')}")


def readme_with_links(text: str) -> str:
    """README.md with the Binder badge and the JupyterHub recipe rebuilt from pyproject.toml."""
    block = (f"{LINKS_START}\n[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url()}) "
             f"opens the release {release_tag()} in JupyterLab on mybinder.org.\n\n"
             "JupyterHub: the admin installs the course once in the users' image (no server extension, "
             "no `jupyter labextension`; the widgets' front end comes with ipywidgets' own packages):\n\n"
             f"```bash\npip install \"{pip_source()}\"\n```\n\n"
             "and shares an [nbgitpuller](https://nbgitpuller.readthedocs.io) link (the hub needs nbgitpuller; "
             "put its address in place of `HUB`) that copies the notebooks into each learner's home:\n\n"
             f"```text\n{nbgitpuller_url()}\n```\n{LINKS_END}")
    start, end = text.index(LINKS_START), text.index(LINKS_END) + len(LINKS_END)
    return text[:start] + block + text[end:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--golden", action="store_true")
    args = ap.parse_args()
    NOTEBOOKS.mkdir(exist_ok=True)
    stale = []
    for name in SPECS:
        path = NOTEBOOKS / name
        nb = expected(name)
        if args.golden:
            nb = refresh_golden(nb, path)
        text = dumps(nb)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote notebooks/{name}")
    readme = README.read_text(encoding="utf-8")
    new_readme = readme_with_links(readme_with_table(readme))
    if args.check and new_readme != readme:
        stale.append("README.md (notebook table or links)")
    elif not args.check and new_readme != readme:
        README.write_text(new_readme, encoding="utf-8")
        print("wrote the notebook table and links in README.md")
    if stale:
        print("out of date (run python tools/build_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
