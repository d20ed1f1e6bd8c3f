"""The code reads documents; it does not know one plan by heart. No string in `index/` or
`service/` names the plan's periods or its title (docstrings aside): those are data beside the
document (corpus/lexicon/*.toml, service/api_examples.json) or read from its text."""

from __future__ import annotations

import ast
from pathlib import Path

from corpus.load import DEFAULT_CORPUS_DIR
from corpus.markers import document_title

ROOT = Path(__file__).resolve().parents[1]
PERIODS = ("十二五", "十三五", "十四五", "十五五")


def _plan_title() -> str:
    lines = (DEFAULT_CORPUS_DIR / "plan.txt").read_text(encoding="utf-8").splitlines()
    title = document_title([line.strip() for line in lines if line.strip()])
    assert title, "the plan's title is read from its text"
    return title


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def strings_in(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string constant in a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def plan_words_in_code(roots=("index", "service")) -> list[str]:
    title = _plan_title()
    core = title.strip("“”《》").split("”")[-1]  # the title less its period: 国家知识产权…规划
    banned = (*PERIODS, title, core)
    found = []
    for root in roots:
        for path in sorted((ROOT / root).rglob("*.py")):
            for line, text in strings_in(path):
                hit = next((b for b in banned if b and b in text), None)
                if hit:
                    found.append(f"{path.relative_to(ROOT)}:{line}: {hit}")
    return found


def test_no_period_or_plan_title_is_a_string_in_the_code():
    assert plan_words_in_code() == []


def test_the_check_sees_a_string_and_not_a_docstring(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        '"""About the 十四五 plan."""\n\ndef f():\n    """十三五 too."""\n    return "十三五期间"\n',
        encoding="utf-8",
    )
    assert [text for _, text in strings_in(module)] == ["十三五期间"]


def test_the_widget_and_staff_pages_name_no_period_or_title():
    """What a citizen or staff member reads around the answers (the widget, the staff pages'
    templates, the reader) is written for any document; the demo page (index.html) is a page
    about the plan and may name it."""
    title = _plan_title()
    core = title.strip("“”《》").split("”")[-1]
    found = []
    for folder in ("service/static", "service/office/templates", "service/reader"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".js", ".html", ".css") or path.name == "index.html":
                continue
            text = path.read_text(encoding="utf-8")
            found += [
                f"{path.relative_to(ROOT)}: {b}" for b in (*PERIODS, title, core) if b in text
            ]
    assert found == []
