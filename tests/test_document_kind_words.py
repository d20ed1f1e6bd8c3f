"""Answers name the document a thing comes from by its kind, read from its title ("规划",
"方案", "办法"…): the indicator table's rows keep their document's title, and counts, labels
and background figures take it from their passages. No answer's wording says 规划 in code."""

from __future__ import annotations

from pathlib import Path

from corpus.normalize import normalize_question
from corpus.parse import parse_document
from corpus.records import Indicator
from service.qa.answering import wording
from service.qa.reading.fields import Asked
from service.qa.reading.understand import Qualifier
from service.qa.table.compute import interpret
from service.qa.table.facts import Facts
from tests.test_no_plan_in_code import strings_in

ROOT = Path(__file__).resolve().parents[1]
KIND = "规划"  # the plan's kind: a word only the data may say, never the answers' code

# A made-up document of another kind with an indicator-style table and two 专栏.
SCHEME = """某某市知识产权强市建设实施方案（示例）

一、工作目标

本方案的主线：以保护促发展。

主要指标

指标\t2022年\t2027年\t累计增加值
1 某某专利拥有量 (件)\t10\t16\t6
2 某某登记金额 (亿元)\t—\t300\t—
3 某某满意度 (分)\t80\t85\t5

二、重点任务

专栏1 某某保护工程

建设一批保护中心。

专栏2 某某运用工程

培育一批示范企业。
"""


def _scheme():
    return parse_document(SCHEME, doc="scheme")


def _ask(question: str, rows) -> str:
    done = interpret(normalize_question(question), rows, [])
    assert done is not None, question
    return done.text


def kind_words_in_code(root: Path = ROOT / "service" / "qa") -> list[str]:
    """Each string (docstrings aside) under root that names the plan's kind of document."""
    return [
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{line}"
        for path in sorted(root.rglob("*.py"))
        for line, text in strings_in(path)
        if KIND in text
    ]


def test_no_string_in_the_answers_code_names_the_plans_kind():
    assert kind_words_in_code() == []


def test_the_check_fails_on_a_string_and_not_on_a_docstring_or_comment(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        f'"""A {KIND} docstring."""\n\n\ndef f(row):\n    # the {KIND} in a comment\n'
        f'    """{KIND}中…"""\n    return f"{KIND}中{{row}}"\n',
        encoding="utf-8",
    )
    assert kind_words_in_code(tmp_path) == ["m.py:7"]


def test_a_row_keeps_its_documents_title_and_an_old_row_falls_back():
    rows = _scheme().indicators
    assert {r.doc_title for r in rows} == {"某某市知识产权强市建设实施方案（示例）"}
    assert wording.kind_of(rows[0]) == "方案"
    assert Indicator(**rows[0].to_dict()) == rows[0]  # the index's indicators.json round trip
    old = {k: v for k, v in rows[0].to_dict().items() if k != "doc_title"}  # an older index
    assert wording.kind_of(Indicator(**old)) == "文件"


def test_the_table_answers_name_the_scheme_not_a_plan():
    rows = _scheme().indicators
    checked = _ask("某某专利拥有量2027年是20件吗", rows)
    assert checked.startswith("不对，方案中某某专利拥有量2027年的目标是16件"), checked
    missing = _ask("某某登记金额2022年是200亿元吗", rows)
    assert "方案的指标表没有给出某某登记金额的2022年数值" in missing, missing
    assert "不是方案中的数字" in missing
    binding = _ask("哪些是约束性指标，哪些是预期性指标？", rows)
    assert binding.startswith("方案的指标表只列出各项指标的2022年数值、2027年目标和累计增加值")
    judged = _ask("这几个指标里哪个最重要", rows)
    assert judged.startswith("方案没有比较这些指标的重要程度"), judged
    for text in (checked, missing, binding, judged):
        assert KIND not in text


def test_the_sentences_and_related_answers_name_the_scheme():
    rows = _scheme().indicators
    lacking = wording.indicator_sentence(rows[1], Asked.BASE)
    assert lacking.startswith("方案的指标表没有给出某某登记金额的2022年数值")
    scope = wording.scope_of([rows[0].doc_title])
    place = wording.related((Qualifier("place", ("福州市",)),), rows[:1], None, Asked.NONE, scope)
    assert place.startswith("方案只给出全国的指标，没有福州市的数据。方案中的全国数据：")
    year = wording.related((Qualifier("period", ("2030年",)),), rows[:1], None, Asked.NONE, scope)
    assert year.startswith("方案的指标表只给出2022年的数值和2027年的目标，没有2030年的数据。")
    fee = wording.related((Qualifier("fee", ("费用",)),), rows[:1], None, Asked.TARGET, scope)
    assert fee.startswith("方案中没有写到费用、补贴或资金数额。方案中的相关指标：")
    for text in (lacking, place, year, fee):
        assert KIND not in text


def test_counts_and_labels_name_the_document_their_passages_come_from():
    parsed = _scheme()
    facts = Facts(parsed.passages, parsed.indicators, {1: "某某保护工程", 2: "某某运用工程"})
    count = facts.answer("一共有几个专栏")
    assert count is not None and count.text.startswith("方案共有2个专栏（重点工程）"), count
    claimed = facts.answer("一共有3个专栏，对吧？")
    assert claimed is not None and claimed.text == "不对，方案共有2个专栏，不是3个。"
    label = facts.answer("主线是以保护促发展，对吧？")
    assert label is not None and label.text == "没错，方案的主线是以保护促发展。"
