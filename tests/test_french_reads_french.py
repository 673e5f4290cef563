"""A French notebook reads French in every cell and widget.

Each French notebook's code cells run in this process (offline, answers in a temporary folder) with
the language the notebook's setup cell sets; every widget a cell shows is walked (labels, options,
placeholders, HTML) and every button except the real-model runs is clicked, so the feedback is read
too. A text is flagged when it reads as English: it holds several common English words that are not
French words. Quotes (of a licence, of the original sheet) are in English on purpose: inside « », "",
<q> or <blockquote> they are not counted, nor are code, links and repo ids.
"""
from __future__ import annotations

import ast
import html
import json
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRENCH = sorted((ROOT / "notebooks" / "fr").rglob("*.ipynb")) if (ROOT / "notebooks" / "fr").is_dir() else []
ENGLISH_WORDS = {"the", "and", "your", "you", "with", "this", "that", "is", "are", "of", "for", "not", "click",
                 "check", "answer", "answers", "here", "which", "what", "when", "there", "should", "would",
                 "will", "from", "have", "has", "it", "its", "be", "by", "or", "no", "yes", "right", "wrong",
                 "save", "saved", "type", "name", "users", "monthly", "only", "about", "than", "then", "can", "cannot"}
FRENCH_TOO = {"a", "on", "en", "est"}  # words both languages use (kept out of the count)
SKIP_BUTTONS = ("run", "measure")  # real llama.cpp runs: the engine tests cover them
QUOTE = re.compile(r"<(q|blockquote|code|pre)\b.*?</\1>", re.S | re.I)


def english_words(text: str) -> list[str]:
    text = QUOTE.sub(" ", text)
    text = re.sub(r"«[^»]*»|\"[^\"]*\"", " ", text)  # quoted words (a licence's or the original sheet's)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"`[^`]*`|https?://\S+|\b[\w.-]+/[\w.-]+\b", " ", html.unescape(text))  # code, links, repo ids
    words = re.findall(r"[A-Za-z']+", text)
    return [w for w in words if w.lower() in ENGLISH_WORDS - FRENCH_TOO]


def reads_english(text: str) -> bool:
    found = english_words(text)
    return len(found) >= 3 or (len(found) >= 1 and len(text.split()) <= 3)


def widget_texts(w, seen=None) -> list[str]:
    seen = seen if seen is not None else set()
    if id(w) in seen:
        return []
    seen.add(id(w))
    out = []
    for trait in ("description", "placeholder", "tooltip", "description_tooltip"):
        with warnings.catch_warnings():  # description_tooltip is ipywidgets 7's name, deprecated in 8
            warnings.simplefilter("ignore")
            value = getattr(w, trait, None)
        if isinstance(value, str) and value.strip():
            out.append(value)
    if type(w).__name__ in ("HTML", "Label", "HTMLMath") and isinstance(getattr(w, "value", None), str):
        out.append(w.value)
    labels = getattr(w, "_options_labels", None)
    if labels:
        out += [str(x) for x in labels]
    for o in getattr(w, "outputs", ()) or ():
        data = o.get("data", {}) if isinstance(o, dict) else {}
        out += [str(data.get("text/html") or data.get("text/plain") or "")]
        if isinstance(o, dict) and o.get("text"):
            out.append(str(o["text"]))
    for child in getattr(w, "children", ()) or ():
        out += widget_texts(child, seen)
    return out


def buttons(w, seen=None):
    seen = seen if seen is not None else set()
    if id(w) in seen:
        return
    seen.add(id(w))
    if type(w).__name__ == "Button":
        yield w
    for child in getattr(w, "children", ()) or ():
        yield from buttons(child, seen)


def run_cell(source: str, namespace: dict):
    """Run a cell; the value of its last expression (what Jupyter would show)."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None


@pytest.mark.parametrize("path", FRENCH, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix())
def test_french_notebook_reads_french(path, tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    import course_utils
    from course_utils import i18n

    monkeypatch.setenv("COURSE_UTILS_ANSWERS_DIR", str(tmp_path / "answers"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(path.parent)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    problems = []
    for i, cell in enumerate(cells):
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for para in source.split("\n\n"):
                if "colab-badge" not in para and reads_english(para):
                    problems.append(f"markdown cell {i}: {para[:120]!r}")
    try:
        course_utils.setup(show=False, lang="fr")
        namespace: dict = {"course_utils": course_utils}  # what the setup cell imports
        for i, cell in enumerate(cells):
            if cell["cell_type"] != "code" or i == 1:  # cell 1 is the setup cell (installs in Colab)
                continue
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            shown = run_cell(source, namespace)
            if shown is None or not hasattr(shown, "keys") and not hasattr(shown, "children"):
                continue
            for b in buttons(shown):
                if not any(s in " ".join(b._dom_classes) for s in SKIP_BUTTONS):
                    b.click()
            for b in buttons(shown):  # ipywidgets' default button width (~148 px) cuts longer labels short
                if len(b.description) > 16 and not (b.layout.width or "").strip():
                    problems.append(f"code cell {i}: button {b.description!r} is cut short (give it width='auto')")
            for text in widget_texts(shown):
                if reads_english(text):
                    problems.append(f"code cell {i} widget: {re.sub(r'<[^>]+>', ' ', text)[:160]!r} "
                                    f"(English words: {english_words(text)[:6]})")
    finally:
        i18n.set_language(None)
    assert not problems, "\n".join(problems[:40])
