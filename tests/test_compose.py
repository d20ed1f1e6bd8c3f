"""Items picked from a list passage by what the question says (service/qa/answering/compose.py)."""

from __future__ import annotations

from service.qa.answering.compose import _item_by_position, _item_other_than

COLUMN = "专栏2 数据知识产权保护工程：构建数据知识产权保护规则；促进数据资源利用和安全保护"


def test_the_other_item_than_one_quoted_in_part():
    out = _item_other_than("除了构建保护规则那一条，专栏2的另一条是什么", COLUMN)
    assert out == "专栏2 数据知识产权保护工程：促进数据资源利用和安全保护"


def test_no_other_item_when_the_quote_matches_nothing():
    assert _item_other_than("除了商标那一条，另一条是什么", COLUMN) is None


def test_the_last_item_by_position():
    assert _item_by_position("最后一条是什么", COLUMN).endswith("：促进数据资源利用和安全保护")
