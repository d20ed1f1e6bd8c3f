"""An indicator table is read from its header: each value column keeps its header as printed
and gets its role (base, target, change) from it; answers name the years the header names."""

from __future__ import annotations

import pytest

from corpus.normalize import normalize_question
from corpus.parse import parse_document
from corpus.records import table_years
from corpus.table_header import columns
from service.qa.answering import wording
from service.qa.reading.fields import Asked, detect_field, field_phrase
from service.qa.table.compute import interpret

# A made-up plan of another period: the target column first, the change between, the base last.
LATER = """某某发展规划

主要指标

指标\t2030年\t累计增加值\t2025年
1 某某专利拥有量 (件)\t20\t8\t12
2 某某满意度 (分)\t90\t—\t85
3 某某登记金额 (亿元)\t500\t150\t350
"""

# Ten years and no change column.
DECADE = """另一份规划

十年指标

指标\t2020年\t2030年
1 甲项数量 (万件)\t4\t9
2 乙项比重 (%)\t10.0\t12.5
"""


def rows_of(text: str):
    return parse_document(text, doc="made-up").indicators


def ask(question: str, rows) -> str:
    done = interpret(normalize_question(question), rows, [])
    assert done is not None, question
    return done.text


def test_the_roles_come_from_the_header_in_any_order():
    rows = rows_of(LATER)
    assert [(c.header, c.role, c.year) for c in rows[0].columns] == [
        ("2030年", "target", "2030"),
        ("累计增加值", "change", ""),
        ("2025年", "base", "2025"),
    ]
    first = rows[0]
    assert (first.value("base"), first.value("target"), first.value("change")) == (12, 20, 8)
    assert rows[1].text("change") is None and rows[1].text("base") == "85"
    assert first.span == 5 and table_years(rows) == {"2030": "target", "2025": "base"}
    # the passage says the columns as the header prints them, in its order
    parsed = parse_document(LATER, doc="made-up").passages
    said = next(p.text for p in parsed if p.kind == "indicator")
    assert said == "某某专利拥有量（件）：2030年 20；累计增加值 8；2025年 12"


def test_a_header_without_a_change_column_and_ten_years():
    rows = rows_of(DECADE)
    assert [c.role for c in rows[0].columns] == ["base", "target"]
    assert rows[0].span == 10 and rows[0].text("change") is None


def test_a_year_in_a_question_is_the_column_whose_header_has_it():
    years = table_years(rows_of(LATER))
    assert detect_field("某某专利拥有量2025年是多少", years) is Asked.BASE
    assert detect_field("到2030年某某专利拥有量要达到多少", years) is Asked.TARGET
    # a year no column has is not mapped to one
    assert detect_field("某某专利拥有量2020年是多少", years) is Asked.NONE
    assert field_phrase(Asked.BASE, years) == "2025年是多少"
    assert field_phrase(Asked.TARGET, years) == "2030年目标是多少"


def test_the_sentences_name_the_tables_years():
    first = rows_of(LATER)[0]
    years = table_years([first])
    asked = detect_field("某某专利拥有量2025年是多少", years)
    assert wording.indicator_sentence(first, asked) == (
        "2025年，某某专利拥有量为12件；2030年目标为20件。"
    )
    assert wording.indicator_sentence(first, Asked.TARGET) == (
        "到2030年，某某专利拥有量的目标为20件（2025年为12件）。"
    )
    listed = wording.all_indicators(rows_of(LATER))
    assert "1. 某某专利拥有量：2025年12件，2030年20件" in listed


@pytest.mark.parametrize(
    "question, says",
    [
        (
            "某某专利拥有量2030年目标是2025年的几倍",
            "某某专利拥有量2030年目标20件是2025年12件的1.67倍",
        ),
        ("某某登记金额年均增长率是多少", "从2025年的350亿元到2030年的500亿元，年均增长约"),
        ("某某专利拥有量年均增加多少", "五年累计增加8件，平均每年增加1.6件（8 ÷ 5 = 1.6）"),
        ("哪个指标增长率最高", "按2025年到2030年的增长率"),
        ("某某登记金额2030年是500亿元吗", "没错，规划中某某登记金额2030年的目标是500亿元"),
        ("某某登记金额2025年是400亿元吗", "不对，规划中某某登记金额2025年为350亿元，不是400亿元"),
    ],
)
def test_the_table_answerer_answers_with_the_tables_years(question, says):
    text = ask(question, rows_of(LATER))
    assert says in text, text
    assert "2020" not in text


def test_a_year_the_table_lacks_is_left_to_the_ordinary_answer():
    rows = rows_of(LATER)
    assert interpret(normalize_question("2020年哪个指标最高"), rows, []) is None


def test_ten_years_divide_by_ten_and_a_missing_change_is_worked_out():
    rows = rows_of(DECADE)
    assert "十年累计增加5万件，平均每年增加0.5万件（5 ÷ 10 = 0.5）" in ask(
        "甲项数量年均增加多少", rows
    )
    assert "甲项数量2030年目标比2020年多5万件（9 − 4 = 5）" in ask("甲项数量差多少", rows)
    assert wording.indicator_sentence(rows[1], Asked.NONE) == (
        "乙项比重：2020年为10.0%，2030年目标为12.5%。"
    )


def test_a_header_with_one_year_is_its_target_and_other_columns_have_no_role():
    assert [(c.role, c.year) for c in columns(["2030年", "备注"])] == [
        ("target", "2030"),
        ("", ""),
    ]
