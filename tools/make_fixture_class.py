"""Write tests/fixtures/answers/: a realistic class of answer files, good and bad.

    python tools/make_fixture_class.py [--out DIR]

Learners: a complete and right one, a partial one, a wrong one (the original sheet's answers),
plus files that cannot be graded (corrupt JSON, empty, wrong schema version, unknown exercise,
oversized, two files with different answers for one learner and exercise: a conflict)
and malicious ones (Python code and path traversal as answer values).
The same builders make the 1,000-file class for bench/grade_throughput.py.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a clone: the course_utils next to this file
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "answers"
SAVED_AT = "2026-11-27T09:00:00+00:00"

LEVELS = ("fully_open", "weights_only", "architecture_only")
RIGHT_MATRIX = {
    "fully_open": {"use_directly": "yes", "fine_tune": "yes", "retrain": "with_resources", "training_transparent": "yes"},
    "weights_only": {"use_directly": "yes", "fine_tune": "yes", "retrain": "no", "training_transparent": "no"},
    "architecture_only": {"use_directly": "no", "fine_tune": "no", "retrain": "with_resources",
                          "training_transparent": "no"},
}
RIGHT_CLASSIFY = {"allenai/OLMo-7B": "fully_open", "EleutherAI/pythia-6.9b": "fully_open",
                  "mistralai/Mistral-7B-v0.1": "weights_only", "meta-llama/Llama-2-7b-hf": "weights_only",
                  "bigscience/bloom-7b1": "weights_only"}
RIGHT_BOTH_SCALES = {
    "allenai/OLMo-2-1124-7B": {"level": "fully_open", "osaid": "yes", "reason": "meets_definition"},
    "EleutherAI/pythia-6.9b": {"level": "fully_open", "osaid": "yes", "reason": "meets_definition"},
    "meta-llama/Llama-3.1-8B-Instruct": {"level": "weights_only", "osaid": "no", "reason": "licence_restricts_use"},
    "google/gemma-3-4b-it": {"level": "weights_only", "osaid": "no", "reason": "licence_restricts_use"},
    "bigscience/bloom-7b1": {"level": "weights_only", "osaid": "no", "reason": "licence_restricts_use"},
    "openai/gpt-oss-20b": {"level": "weights_only", "osaid": "no", "reason": "no_data_information"},
}
COMPARISON = ("Fully open models release the weights, the training code and the training data, so anyone can "
              "fine-tune them, retrain or reproduce them and inspect the data for bias: the training is "
              "transparent. Weights-only models give you the trained weights, enough to run and fine-tune them, "
              "but the recipe and data stay hidden, so you cannot audit or reproduce the training. "
              "Architecture-only releases describe the design and code but ship no weights, so you must train "
              "from scratch with a lot of compute before anything runs.")
HEALTHCARE = ("Fine-tuning an assistant on clinical notes needs released weights and a licence that allows "
              "medical and commercial use; retraining it from scratch would also need the training code and data, "
              "which only a fully open release gives. We keep the clinical data confidential on our own servers "
              "for patient privacy and audit what the model learned.")
PLAN = ("For our support assistant we will start with an API: at about 4 hours of generation a day it costs a "
        "few dollars a month, far below a local RTX 4090 at about $54 per month or a cloud GPU at $97. The "
        "break-even against a cloud GPU is 2 hours a day, and local hardware only wins if we generate most of "
        "the day. Latency is fine: first token in well under a second, and the local speed estimate is about "
        "150 tokens/s. The main risk is data control and privacy: customer messages would leave our servers, "
        "so we will move to local inference if a client requires it, and prices can change.")


def document(exercise: str, learner: str, answers: dict, display: str | None = None) -> dict:
    return {"schema_version": 1, "exercise": exercise, "learner": learner, "learner_display": display or learner,
            "package_version": "0.1.0", "saved_at": SAVED_AT, "answers": answers}


# --------------------------------------------------------------------------- from the registry
# A learner's answers are given per exercise as a pool: values by the question's check name (kind
# "function"; "check:team" for a team's pick), else by its kind ("function" too where a check is named
# like its question), in the order the exercise declares its questions. Free texts (kind "rubric") go to the question whose rubric concepts they mention
# most. Question ids come from the declarations (course_utils.exercises), never from this file.

_MISSING = object()


def _role(q) -> str:
    return q.check if q.kind == "function" else q.kind


def _hits(q, text) -> int:
    """How many of a rubric question's concepts a text mentions (as the grader matches them)."""
    from course_utils.checking import concept_terms, fold

    if not isinstance(text, str):
        return 0
    low = fold(text)
    return sum(any(fold(term) in low for term in concept_terms(c.spec())[2]) for c in q.concepts)


def _place_texts(questions, texts) -> dict:
    """{question id: text}: each text to the rubric question it fits best (ties keep declaration order)."""
    from itertools import permutations

    texts = list(texts)[:len(questions)]
    best, best_score = None, -1
    for chosen in permutations(range(len(questions)), len(texts)):  # text i goes to question chosen[i]
        total = sum(_hits(questions[qi], texts[i]) for i, qi in enumerate(chosen))
        if total > best_score:
            best, best_score = chosen, total
    return {questions[qi].id: texts[i] for i, qi in enumerate(best or ())}


def answers_for(exercise: str, pool: dict[str, list]) -> dict:
    """One exercise's answers: the pool's values placed on the declared questions (see above)."""
    from course_utils.exercises import EXERCISES

    questions = EXERCISES[exercise].questions
    texts = _place_texts([q for q in questions if q.kind == "rubric"], pool.get("rubric", []))
    taken: dict[str, int] = {}
    answers = {}
    for q in questions:
        if q.kind == "rubric":
            value = texts.get(q.id, _MISSING)
        else:
            role = next((r for r in (f"{_role(q)}:{q.extra.get('team')}", _role(q)) if r in pool), q.kind)
            values = pool.get(role, [])
            i = taken.get(role, 0)
            taken[role] = i + 1
            value = values[i] if i < len(values) else _MISSING
        if value is not _MISSING:
            answers[q.id] = value
    return answers


def class_answers(pools: dict[str, dict[str, list]]) -> dict[str, dict]:
    return {ex: answers_for(ex, pool) for ex, pool in pools.items()}


LLAMA2_CHECKLIST = {"repo_id": "meta-llama/Llama-2-7b-chat-hf", "license_id": "llama2", "commercial_use": "conditional",
                    "gated": True, "restrictions": ["user_threshold", "use_restrictions", "attribution",
                                                    "no_training_other_models", "trademark", "export_control"]}
MISTRAL_CHECKLIST = {"repo_id": "mistralai/Mistral-7B-Instruct-v0.3", "license_id": "apache-2.0",
                     "commercial_use": "yes", "gated": True, "restrictions": ["attribution", "trademark"]}
OPT_CHECKLIST = {"repo_id": "facebook/opt-6.7b", "license_id": "other:opt-175b", "commercial_use": "no",
                 "restrictions": ["non_commercial", "use_restrictions", "attribution", "trademark", "export_control"],
                 "gated": False}
PROS_CONS = {"Prompts and outputs never leave your own machines": "local pro",
             "You pay for the hardware up front, before any use": "local con",
             "No hardware to buy: you pay per hour or per token": "cloud pro",
             "Every request crosses the network, adding round-trip time": "cloud con",
             "Capacity grows or shrinks with demand within minutes": "cloud pro",
             "Speed is limited by your machine's memory bandwidth": "local con",
             "Prices and models can change under you (provider decisions)": "cloud con",
             "Local is always faster than the cloud": "not true",
             "Open models cannot run in the cloud": "not true"}


def complete_answers() -> dict[str, dict]:
    return class_answers({
        "ex01": {"openness_matrix": [RIGHT_MATRIX], "openness_classification": [RIGHT_CLASSIFY],
                 "openness_both_scales": [RIGHT_BOTH_SCALES], "rubric": [COMPARISON, HEALTHCARE]},
        "ex02": {"license_checklist": [LLAMA2_CHECKLIST, MISTRAL_CHECKLIST]},
        "ex03": {"team_pick:legaltech": ["TheBloke/Mistral-7B-Instruct-v0.1-GGUF"],
                 "team_pick:edtech": ["microsoft/Phi-3-mini-4k-instruct"],
                 "team_pick:ngo": ["bigscience/bloomz-3b"],
                 "rubric": ["A GGUF quantized build runs on CPU with llama.cpp and the Apache licence allows commercial use.",
                            "Phi-3 mini needs about 4.5 GB of RAM at Q4_K_M, so it fits an 8 GB laptop, and it is good at math reasoning.",
                            "BLOOMZ covers 46 languages and its RAIL licence allows commercial use with use restrictions passed on."]},
        "ex04": {"function": [{"ram_gb": 16.0, "disk_free_gb": 120.0, "avx2": "yes", "verdict": "ready",
                                    "audit": {"ram_total_gb": 16.4, "disk_free_gb": 118.2, "avx2": "yes",
                                              "verdict": "ready"}}],
                 "rubric": ["Keep the 7B model at Q4_K_M quantization: it needs 5.5 GB of RAM with a 4k context. "
                            "For longer context the KV cache grows, so add memory; a GPU would raise the speed "
                            "from 5 to 100 tokens/s because bandwidth limits decoding."]},
        "ex05": {"min_items": [["facebook/opt-6.7b", "bigscience/bloom-7b1", "meta-llama/Llama-2-7b-chat-hf"],
                               {"facebook/opt-6.7b": "research baseline for comparisons only",
                                "bigscience/bloom-7b1": "multilingual text drafting with disclosure",
                                "meta-llama/Llama-2-7b-chat-hf": "general English chat assistant"}],
                 "function": [["facebook/opt-6.7b|hellaswag", "facebook/opt-6.7b|mmlu", "facebook/opt-6.7b|license",
                                     "bigscience/bloom-7b1|hellaswag", "bigscience/bloom-7b1|mmlu",
                                     "bigscience/bloom-7b1|license", "meta-llama/Llama-2-7b-chat-hf|mmlu",
                                     "meta-llama/Llama-2-7b-chat-hf|license"]]},
        "ex06": {"completion": [{"hours_per_day": 4}], "rubric": [PLAN], "function": [PROS_CONS]},
    })


def sheet_answers() -> dict[str, dict]:
    """The original exercise sheet's answers (several are wrong)."""
    matrix = {"fully_open": {"use_directly": "yes", "fine_tune": "yes", "retrain": "yes", "training_transparent": "yes"},
              "weights_only": {"use_directly": "yes", "fine_tune": "yes", "retrain": "no", "training_transparent": "no"},
              "architecture_only": {"use_directly": "no", "fine_tune": "no", "retrain": "with_resources",
                                    "training_transparent": "no"}}
    return class_answers({
        "ex01": {"openness_matrix": [matrix], "openness_classification": [{m: "fully_open" for m in RIGHT_CLASSIFY}],
                 "rubric": ["Fully open is best.", "Fully open access is essential."]},
        "ex02": {"license_checklist": [{"repo_id": "mistralai/Mistral-7B-Instruct", "license_id": "Apache 2.0",
                                        "commercial_use": "yes", "restrictions": ["attribution", "trademark"]},
                                       {"repo_id": "meta-llama/Llama-2-7b-chat-hf", "license_id": "Meta Commercial License",
                                        "commercial_use": "conditional",
                                        "restrictions": ["user_threshold", "export_control"]}]},
        "ex03": {"team_pick:legaltech": ["Intel/neural-chat-7b-v3-1"],
                 "team_pick:edtech": ["TheBloke/Mistral-7B-Instruct-v0.1-GGUF"],
                 "team_pick:ngo": ["bigscience/bloomz-3b"]},
        "ex05": {"min_items": [["facebook/opt-6.7b"]], "function": [[]]},
    })


def partial_answers() -> dict[str, dict]:
    return class_answers({"ex01": {"openness_matrix": [RIGHT_MATRIX]},
                          "ex06": {"function": [{"Local is always faster than the cloud": "local pro"}]}})


def malicious_answers() -> dict:
    return answers_for("ex01", {
        "openness_matrix": ["__import__('os').system('touch /tmp/pwned')"],
        "openness_classification": [{"../../etc/passwd": "fully_open", "allenai/OLMo-7B": "eval('1+1')"}],
        "openness_both_scales": [{"openai/gpt-oss-20b": {"level": "__import__('os')", "osaid": ["yes"], "reason": None}}],
        "rubric": ["open('/etc/passwd').read()  # " + "weights data code " * 20,
                   {"$type": "pickle", "payload": "gASVIAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg=="}]})


def write_class(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    def put(name: str, doc) -> None:
        text = doc if isinstance(doc, str) else json.dumps(doc, indent=1)
        (out / name).write_text(text, encoding="utf-8")

    for ex, answers in complete_answers().items():
        put(f"{ex}_ada-lovelace.json", document(ex, "ada-lovelace", answers, "Ada Lovelace"))
    for ex, answers in sheet_answers().items():
        put(f"{ex}_sheet-copy.json", document(ex, "sheet-copy", answers, "Sheet Copy"))
    for ex, answers in partial_answers().items():
        put(f"{ex}_grace-hopper.json", document(ex, "grace-hopper", answers, "Grace Hopper"))
    put("ex01_mallory.json", document("ex01", "../../etc/passwd", malicious_answers(), "<script>alert(1)</script>"))
    put("ex01_corrupt.json", '{"schema_version": 1, "exercise": "ex01", "answers": {')
    put("ex02_empty.json", "")
    put("ex03_old-schema.json", json.dumps({**document("ex03", "old", {}), "schema_version": 0}))
    put("ex99_unknown.json", json.dumps(document("ex99", "someone", {})))
    put("ex04_huge.json", json.dumps(document("ex04", "huge", answers_for("ex04", {"rubric": ["x" * 1_200_000]}))))
    older = document("ex02", "grace-hopper", answers_for("ex02", {"license_checklist": [{"repo_id": "facebook/opt-6.7b"}]}),
                     "Grace Hopper")
    older["saved_at"] = "2026-11-26T09:00:00+00:00"
    put("ex02_grace-hopper (1).json", older)
    put("ex02_grace-hopper.json", document("ex02", "grace-hopper", answers_for("ex02", {"license_checklist": [OPT_CHECKLIST]}),
                                           "Grace Hopper"))
    put("not_answers.json", json.dumps([1, 2, 3]))
    print(f"wrote {len(list(out.iterdir()))} files to {out}")


def write_big_class(out: Path, n: int) -> None:
    """n answer files (learners x exercises), for the throughput benchmark."""
    out.mkdir(parents=True, exist_ok=True)
    pools = [complete_answers(), sheet_answers()]
    exercises = sorted(complete_answers())
    for i in range(n):
        ex = exercises[i % len(exercises)]
        answers = pools[i % 2].get(ex, {})
        learner = f"learner-{i // len(exercises):04d}"
        (out / f"{ex}_{learner}.json").write_text(json.dumps(document(ex, learner, answers)), encoding="utf-8")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    write_class(ap.parse_args().out)
