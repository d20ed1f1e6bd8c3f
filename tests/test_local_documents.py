"""A question about the city (本市, 全市) is asked of the documents that speak for it, not of
a national plan's indicator rows (index/local.py)."""

from __future__ import annotations

from types import SimpleNamespace

from corpus.records import Passage
from index.local import asks_locally, national_names, national_rows, without_rows


def _p(i: int, doc: str, text: str, kind: str = "text") -> Passage:
    return Passage(f"{doc}-{i}", doc, text, ["一、情况"], kind)


PLAN = [_p(0, "plan", "知识产权保护社会满意度（分）：2020年 80.05；2025年 82", "indicator")]
PAPER = [
    _p(1, "paper", "本市知识产权保护社会满意度为82.6分。"),
    _p(2, "paper", "全市专利授权55,950件。"),
    _p(3, "paper", "本市持续开展专项治理。"),
]


def test_the_rows_of_a_document_that_never_says_the_city_are_national_when_another_does():
    rows = {"知识产权保护社会满意度": 0}
    assert national_rows(PLAN + PAPER, rows) == frozenset({0})
    assert national_rows(PLAN, rows) == frozenset()  # the plan alone: nothing changes
    assert national_rows(PLAN + PAPER[:2], rows) == frozenset()  # two mentions say little


def test_a_question_about_the_city_drops_the_national_rows_it_matched():
    assert asks_locally("2025年本市知识产权保护社会满意度多少分")
    assert asks_locally("市里现在有多少专利代理师") and not asks_locally("全国满意度多少分")
    row = SimpleNamespace(name="知识产权保护社会满意度")
    rows = {"知识产权保护社会满意度": 0}
    assert without_rows([(row, 1.0)], rows, frozenset({0})) == []
    assert without_rows([(row, 1.0)], rows, ()) == [(row, 1.0)]


def test_a_turn_about_the_city_names_no_national_row_for_its_follow_ups():
    """ "全市发明专利授权多少件" with a white paper loaded: its follow-up ("比前年多了多少") is
    not about the plan's 海外发明专利授权量, whose words the matcher shares."""
    from service.qa.followups.turns import TurnReader

    row = SimpleNamespace(name="海外发明专利授权量", unit="万件")
    rows = {row.name: 0}  # as Searcher works them out
    searcher = SimpleNamespace(
        matcher=SimpleNamespace(match=lambda text: [(row, 1.0)]),
        columns_named=lambda text: [],
        column_titles={},
        indicators=[row],
        passages=PLAN + PAPER,
        national_indicators=national_names(rows, national_rows(PLAN + PAPER, rows)),
    )
    read = TurnReader(searcher, {})
    assert read("user", "白皮书说全市发明专利授权多少件").indicators == ()
    assert read("user", "发明专利授权多少件").indicators == ("海外发明专利授权量",)
