"""The browser tests find widgets by test class, role or id, never by the text they show (which
differs per language), and every tag they use exists in the ui modules."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_TESTS = sorted((ROOT / "tests" / "ui").glob("*.py"))
BY_TEXT = re.compile(r"has-text|:text\(|text-is|text-matches|get_by_text|get_by_label|get_by_placeholder|"
                     r"\[placeholder|text=", re.I)


def test_no_selector_reads_text():
    found = [f"{p.name}:{n}: {line.strip()}" for p in UI_TESTS
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if BY_TEXT.search(line)]
    assert not found, "find widgets by their cu-* class (ui.common.tag), not by text:\n" + "\n".join(found)


def test_every_tag_the_tests_use_is_set_somewhere():
    tests = "\n".join(p.read_text(encoding="utf-8") for p in UI_TESTS)
    used = set(re.findall(r"""(?:tagged|click|fill|wait_match|wait_changed)\(page, ["']([\w-]+)["']""", tests))
    used |= set(re.findall(r"\.cu-([\w-]+)", tests))
    literal, patterns = set(), []
    for path in (ROOT / "course_utils" / "ui").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "tag"):
                continue
            for arg in node.args[1:]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    literal.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):  # f"ex03-pick-{team}": any word where a field is
                    parts = [re.escape(v.value) if isinstance(v, ast.Constant) else r"[\w.-]+" for v in arg.values]
                    patterns.append(re.compile("^" + "".join(parts) + "$"))
    missing = sorted(u for u in used if u not in literal and not any(p.match(u) for p in patterns))
    assert not missing, f"no ui module tags these: {missing}"
