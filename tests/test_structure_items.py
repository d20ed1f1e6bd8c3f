"""One numbered item asked of the part that holds it (service/qa/structure/items.py), and an
article number several documents have. The documents are written here, not the eval's."""

from __future__ import annotations

from corpus.parse import parse_document
from service.qa.structure.items import Items
from service.qa.structure.parts import Structure
from service.qa.structure.tables import Tables

RULES = """某某区调解工作规则（示例）

第一章 总则

第一条 为规范调解工作，制定本规则。

第二条 调解员不得有下列行为：
（一）偏袒一方当事人；
（二）收受财物；
（三）泄露当事人隐私。
"""

NOTICE = """某某区品牌项目申报通知（示例）

一、申报材料

1. 申报书原件1份；2. 营业执照复印件1份；3. 商标注册证复印件1份。

二、评审

第二条 专家评审在10个工作日内完成。

附件2：申报材料清单

1. 申报书；2. 营业执照；3. 商标注册证；4. 财务报告。
"""


def _passages():
    return [
        *parse_document(RULES, doc="rules").passages,
        *parse_document(NOTICE, doc="notice").passages,
    ]


def test_an_item_of_an_article_a_heading_or_an_annex_by_its_number():
    items = Items(_passages())
    found = items.answer("第二条列出的行为中，第二个是什么")
    assert found is not None and "（二）收受财物" in found.text and "专家评审" not in found.text
    assert "第一条" not in found.text
    found = items.answer("申报材料里第3项要交啥")
    assert found is not None and "商标注册证复印件1份" in found.text
    found = items.answer("附件2第4项是什么")
    assert found is not None and "财务报告" in found.text
    assert found.passages[0].section[-1].startswith("附件2")
    found = items.answer("第二条第（三）项")
    assert found is not None and "泄露当事人隐私" in found.text
    found = items.answer("附件2最后一项是什么")
    assert found is not None and "财务报告" in found.text


def test_an_item_numbered_with_a_circled_number():
    text = (
        "某某服务清单（示例）\n\n一、服务对象说明\n\n对不同服务对象，分别提供以下支持："
        "① 中小微企业：可以优先预约；② 高校和科研院所：可以申请团体培训，不少于20人；"
        "③ 个人：可以预约咨询。"
    )
    items = Items(parse_document(text, doc="list").passages)
    found = items.answer("服务对象说明里的②是针对谁的")
    assert found is not None and "高校和科研院所" in found.text and "中小微企业" not in found.text


def test_the_item_after_or_before_the_one_a_follow_up_points_from():
    items = Items(_passages())
    found = items.answer("申报材料第2项 后面项")
    assert found is not None and "商标注册证" in found.text and "第3项" in found.text
    found = items.answer("申报材料第2项 前一项")
    assert found is not None and "申报书原件" in found.text


def test_no_part_named_or_no_such_item_is_no_item_answer():
    items = Items(_passages())
    assert items.answer("第一个五年规划是哪一年") is None  # no part of a document named
    assert items.answer("附件2第9项是什么") is None  # it has four
    assert items.answer("申报材料要交几份") is None  # no item asked


def test_an_article_number_two_documents_have_is_shown_from_each():
    found = Structure(_passages()).answer("第二条讲的是什么")
    assert found is not None and found.text.startswith("已收录的文件中有2份有第二条")
    assert "调解员不得有下列行为" in found.text and "专家评审" in found.text
    assert {p.doc for p in found.passages} == {"rules", "notice"}


GUIDE = """# 某某事项办事指南（示例）

## 一、办理条件

### （一）申请主体

本区企业。

### （二）材料要求

材料须加盖公章。

## 二、办理时限

5个工作日。
"""

OTHER_RULES = """某某区奖励办法（示例）

第一章 总则

第一条 为鼓励创新，制定本办法。

第二条 本办法由区局负责解释。

第三条 本办法适用于本区企业。

第二章 奖励

第四条 获奖企业奖励5万元。
"""


def test_a_part_inside_a_numbered_one_in_each_document_that_has_it():
    one = Structure(parse_document(OTHER_RULES, doc="other").passages)
    found = one.answer("第二章的第一条讲什么")
    assert found is not None and "第四条 获奖企业奖励5万元" in found.text
    both = Structure([*_passages(), *parse_document(OTHER_RULES, doc="other").passages])
    found = both.answer("第一章第二条说的是啥")  # the rules' 第二条 and the other's
    assert found is not None and found.text.startswith("已收录的文件中有2份有第一章")
    assert "调解员不得有下列行为" in found.text and "区局负责解释" in found.text
    guide = Structure(parse_document(GUIDE, doc="guide").passages)
    found = guide.answer("第一部分底下分了哪几个小节？")
    assert found is not None and "（一）申请主体；（二）材料要求" in found.text
    found = guide.answer("第一部分最后一个小节讲的是什么")
    assert found is not None and "材料须加盖公章" in found.text


def test_the_articles_of_a_chapter_two_documents_have():
    both = Structure([*_passages(), *parse_document(OTHER_RULES, doc="other").passages])
    found = both.answer("第一章从第几条开始，到第几条结束？")
    assert found is not None and found.text.startswith("已收录的文件中有2份有第一章")
    assert "从第一条到第三条" in found.text and "从第一条到第二条" in found.text


TABLE_GUIDE = """# 某某登记办事指南（示例）

## 一、办理时限

### （一）各环节时限（以首次登记为例）

| 环节 | 时限 | 承办单位 |
| --- | --- | --- |
| 受理 | 1个工作日 | 窗口 |
| 审核 | 5个工作日 | 审查科 |
"""


def test_a_tables_columns_by_its_caption_or_heading():
    tables = Tables(parse_document(TABLE_GUIDE, doc="guide").passages)
    found = tables.answer("“各环节时限”那张表有哪几列？")
    assert found is not None and "环节、时限、承办单位" in found.text and "共3列" in found.text
    assert tables.answer("各环节时限的表头都有哪些") is not None
    assert tables.answer("收费标准那张表有哪几列") is None  # no table so named
    assert tables.answer("各环节时限有哪些") is None  # no columns asked


def test_what_a_chapter_says_lists_its_articles_openings_in_each_document():
    one = Structure(parse_document(OTHER_RULES, doc="other").passages)
    found = one.answer("第二章主要规定了什么")
    assert found is not None and found.text.startswith("第二章 奖励共1条：第四条 获奖企业奖励5万元")
    # two documents with a 第一章 and the question naming neither ("这份文件"): each one's
    both = Structure([*_passages(), *parse_document(OTHER_RULES, doc="other").passages])
    found = both.answer("这份文件第一章主要规定了什么？")
    assert found is not None and found.text.startswith("已收录的文件中有2份有第一章")
    # "这个办法": the one 办法 of the two
    assert both.answer("这个办法第一章主要规定了什么？").text.startswith("第一章 总则共3条")


def test_a_part_two_documents_have_is_taken_from_the_one_the_conversation_is_on():
    """ "它前面一条呢" is read "第二条讲的是什么"; two documents have a 第二条, and the
    conversation is on one of them: its article, not both."""
    from service.qa.answerers import FromTree, first_reply
    from service.qa.reading.understand import Reader

    passages = [*_passages(), *parse_document(OTHER_RULES, doc="other").passages]
    answerers = [FromTree(Structure(passages))]
    query = Reader([]).read("第二条讲的是什么")
    both = first_reply(answerers, query, None)
    assert both is not None and both.text.startswith("已收录的文件中有3份有第二条")
    assert "。；" not in both.text and not both.text.endswith("。。")
    on = first_reply(answerers, query, "other")
    assert on is not None and on.text.startswith("第二条 本办法由区局负责解释")
    assert {p.doc for p in on.passages} == {"other"}


PAPER = """某某区知识产权白皮书（示例）

七、存在的问题与不足

在肯定成绩的同时，也要看到短板：一是高价值专利占比不高；二是转化运用效率不够高；三是维权成本偏高。

八、日常防范建议

1. 出口前先做一次自由实施检索。
2. 在目标市场提前注册商标。
"""


def test_an_item_called_a_tiao_or_an_enumeration_in_a_heading_named_by_its_words():
    """ "日常防范建议第一条": the heading's first item, not an article (it has none); "一是…二是…"
    are items; "存在的问题里第二个" names 存在的问题与不足 by its opening words."""
    items = Items(parse_document(PAPER, "paper").passages + parse_document(RULES, "rules").passages)
    first = items.answer("日常防范建议第一条是啥")
    assert first is not None and "自由实施检索" in first.text
    second = items.answer("白皮书“存在的问题”里第二个问题是什么")
    assert second is not None and "转化运用效率不够高" in second.text
    article_item = items.answer("第二条第一项是什么")
    assert article_item is not None and "偏袒" in article_item.text
    assert items.answer("总则第一条是什么") is None  # a chapter of articles: 第一条 is an article
