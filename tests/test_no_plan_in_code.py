"""The code reads documents; it does not know one plan by heart. No string in `index/` or
`service/` names the plan's periods or its title (docstrings aside): those are data beside the
document (corpus/lexicon/*.toml, service/api_examples.json) or read from its text."""

from __future__ import annotations

import ast
import re
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


# The indicator table's years are read from its header (corpus/table_header.py): no code in
# `index/` or `service/` names them. The files below are another helper's to change, and name
# the plan's years only in text shown to people, never in a rule the answers follow:
# the API's description (service/app.py) and its example question (service/routes/ask.py),
# the staff pages' label for the indicator category (service/office/quality_labels.py), and
# a tokenizer's self-test sentence (index/model/e5_tokenizer.py).
PLAN_YEARS = ("20" + "20", "20" + "25")  # spelled apart, so this file passes its own check
SHOWN_TEXT_ONLY = frozenset(
    {
        "service/app.py",
        "service/routes/ask.py",
        "service/office/quality_labels.py",
        "index/model/e5_tokenizer.py",
    }
)


def literals_in(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string or number constant in a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        (node.lineno, str(node.value))
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str | int | float)
        and not isinstance(node.value, bool)
        and id(node) not in skip
    ]


def plan_years_in_code(roots=("index", "service"), allowed=SHOWN_TEXT_ONLY) -> list[str]:
    year = re.compile(rf"(?<!\d)({'|'.join(PLAN_YEARS)})(?!\d)")
    found = []
    for root in roots:
        base = ROOT / root if not Path(root).is_absolute() else Path(root)
        for path in sorted(base.rglob("*.py")):
            name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
            if name in allowed:
                continue
            found += [
                f"{name}:{line}: {text}" for line, text in literals_in(path) if year.search(text)
            ]
    return found


def test_no_plan_year_is_a_literal_in_the_code():
    assert plan_years_in_code() == []


def test_the_year_check_fails_on_a_string_or_a_number_and_not_a_docstring(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        f'"""The {PLAN_YEARS[0]} plan."""\n\n'
        f"def f(x):\n    # {PLAN_YEARS[1]} in a comment\n"
        f'    return x == {PLAN_YEARS[1]} or x == "{PLAN_YEARS[0]}年为" or x == "value_{PLAN_YEARS[0]}"\n'
        "\n\ndef g():\n    return 12025, '20201'\n",
        encoding="utf-8",
    )
    found = plan_years_in_code(roots=(str(tmp_path),), allowed=frozenset())
    assert [f.split(": ", 1)[1] for f in found] == [
        PLAN_YEARS[1],
        f"{PLAN_YEARS[0]}年为",
        f"value_{PLAN_YEARS[0]}",
    ]
