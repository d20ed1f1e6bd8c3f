"""Documents as trees, read as docs-tuning-tree asks them (eleventh session): the Nth item of a
list the best passages hold, the part before or after one named by its heading's words, a
part's children without their list colons, FAQs, procedures and tables (no model)."""

from __future__ import annotations

from types import SimpleNamespace

from corpus.parse import parse_document
from service.qa.structure.nth import nth_item
from service.qa.structure.patterns import ARTICLE, NEIGHBOR

GUIDE = """某某登记办事指南（示例）

一、适用范围

本指南适用于某某登记。

二、申请材料

申请登记，应当提交以下材料：

（一）登记申请表；

（二）身份证明复印件；

（三）权属证明；

（四）委托书。

三、办理流程

登记分三步办理。
"""


def _sections(passages):
    by = {}
    for p in passages:
        by.setdefault((p.doc, *p.section), []).append(p)
    return lambda p: by.get((p.doc, *p.section), [p])


def _hits(passages, *texts):
    return [SimpleNamespace(passage=p, score=1.0) for t in texts for p in passages if t in p.text]


def test_the_nth_item_is_read_from_the_list_of_the_best_passages_section():
    passages = parse_document(GUIDE, doc="guide").passages
    hits = _hits(passages, "（三）权属证明")
    item, where = nth_item("申请材料第四样是啥", hits, _sections(passages))
    assert "委托书" in item and "委托书" in where.text
    assert "委托书" in nth_item("材料里最后一种是什么", hits, _sections(passages))[0]
    assert nth_item("材料里第五样是什么", hits, _sections(passages)) is None  # there are four
    assert nth_item("第二部分讲什么", hits, _sections(passages)) is None  # a part, not an item


def test_a_list_of_as_many_as_the_question_says_may_be_written_with_enumeration_commas():
    passages = parse_document(
        "某指南（示例）\n\n一、条件\n\n属于本市重点发展的四类产业，即甲产业、乙产业、丙产业、丁产业。\n",
        doc="g",
    ).passages
    hits = _hits(passages, "四类产业")
    assert nth_item("四类产业里排第三个的是哪个", hits, _sections(passages))[0] == "丙产业"


def test_an_article_is_not_an_item_of_a_list_named_after_it():
    assert ARTICLE.search("第十二条讲的什么")
    assert not ARTICLE.search("基本原则里列的第三条原则是什么")


def test_the_part_before_or_after_one_named_by_its_words_or_quoted():
    m = NEIGHBOR.search("四、知识产权保护那部分，嗯，它后面紧接着的那一部分是讲什么")
    assert m and m["part"] == "四" and m["dir"] == "后面"
    m = NEIGHBOR.search("指南第二部分“适用范围与申请条件”后面的下一部分是什么")
    assert m and m["n"] == "二" and m["kind"] == "部分"
    m = NEIGHBOR.search("(七) 加强知识产权协同保护 (八)的上一节是讲什么的")
    assert m and m["sub"] == "八"  # the part nearest the direction, not an earlier one


def test_a_parts_overview_lists_its_children_without_their_list_colons():
    text = (
        "某指南（示例）\n\n一、申请材料\n\n材料清单：\n\n1. 申请表。\n\n材料要求：\n\n1. 原件。\n"
    )
    overview = [p for p in parse_document(text, doc="g").passages if p.kind == "overview"]
    assert overview and "：；" not in overview[0].text and not overview[0].text.endswith("：")


FAQ = """某某业务常见问题解答（示例）

一、商标

问：什么是商标？
答：商标是区分商品来源的标志。

问：商标注册要多久？
答：一般需要12个月。

二、专利

问：专利分为哪几种？
答：发明、实用新型和外观设计。

问：夜里找不到人怎么办？
答：拨打值班电话0100-1234。

问：专利年费怎么交？
答：网上缴纳。
"""


def test_an_faqs_questions_are_counted_and_found_by_place_or_by_the_one_quoted():
    from service.qa.structure.faqs import Faqs

    faqs = Faqs(parse_document(FAQ, doc="faq").passages + parse_document(GUIDE, doc="g").passages)
    assert "共有5个问题" in faqs.answer("常见问题解答一共收录了多少个问答？").text
    assert "共有3个问题" in faqs.answer("专利那块有几个问题").text
    last = faqs.answer("商标部分最后一个问题是什么")
    assert "商标注册要多久" in last.text and "12个月" in last.text
    assert "专利分为哪几种" in faqs.answer("问答里第三个问题问的啥").text
    before = faqs.answer("问夜里找不到人的那个，它前面一个问题是什么")
    assert "专利分为哪几种" in before.text
    assert not faqs.answer("问答里第九个问题问的啥").answered  # there are five
    assert faqs.answer("我想问几个问题：商标注册要多久") is None  # asks, counts nothing


STEPS = """某某应对指引（示例）

一、平台投诉的应对步骤

第一步：核实通知（当日）。 确认通知真假。

第二步：初步评估（2个工作日内）。 判断是否侵权。

第三步：提交申诉。 准备材料后提交。

二、办理流程

1. 申请提交（即时）：在线提交。2. 受理（1个工作日）：核对材料。3. 结果送达：送达结果。
"""


def test_a_procedures_steps_are_counted_found_and_followed():
    from service.qa.structure.procedure import Procedure

    steps = Procedure(parse_document(STEPS, doc="g").passages)
    counted = steps.answer("平台投诉应对一共分几步？最后一步是什么")
    assert "共3步" in counted.text and "提交申诉" in counted.text
    assert "受理" in steps.answer("办理流程第2步是什么").text
    assert not steps.answer("办理流程第5步是什么").answered  # three steps
    # a follow-up after an answer that gave a step: that procedure, the next step
    said = ["平台投诉第一步干啥", "第一步：核实通知（当日），确认通知真假。"]
    assert steps.follow("那下一步是啥", said) == "一、平台投诉的应对步骤 第2步是什么"
    assert steps.follow("第三步呢", said) == "一、平台投诉的应对步骤 第三步是什么"
    assert steps.follow("那下一步是啥", []) is None


def test_a_sound_alike_correction_brings_in_no_negation():
    from service.qa.reading.spelling import Speller

    speller = Speller(["不是", "商标注册"])
    assert speller.correct("第2步是什么") == "第2步是什么"  # not 第2不是什么
    assert speller.correct("商标注侧") == "商标注册"


TABLES = """某某指南（示例）

一、办理流程

各环节时限及责任部门如下表：

| 办理环节 | 办理时限 | 责任部门 |
| --- | --- | --- |
| 受理 | 1个工作日 | 受理窗口 |
| 审查 | 5个工作日 | 运营服务部 |
| 送达 | 2个工作日 | 受理窗口 |
| 合计 | 8个工作日 | — |

附件1：评价指标如下表：

评价指标\t分值
管理体系\t15
专利数量\t20
"""


def test_a_tables_rows_are_counted_and_found_by_place_leaving_the_totals_out():
    from service.qa.structure.tables import Tables

    tables = Tables(parse_document(TABLES, doc="g").passages)
    counted = tables.answer("各环节时限那张表一共有几行")
    assert "共3行" in counted.text and "送达" in counted.text  # 合计 is no row
    assert "运营服务部" in tables.answer("办理环节表的第二行是哪个环节").text
    assert "送达" in tables.answer("时限那个表最后一行是啥").text
    # a follow-up glued to its question: the place it asks is its own, the last one said
    assert "专利数量" in tables.answer("评价指标表第一项多少分 第二项呢").text
    # a place the table has no row for is said so (it raised an IndexError)
    beyond = tables.answer("办理环节表的第九行是什么")
    assert not beyond.answered and "没有第九行" in beyond.text


GUIDE_WITH_FAQ = """某某应对指引（示例）

一、适用范围

本指引适用于本市企业。

二、办理

到工作站办理。

三、常见问题

问：工作站收费吗？
答：不收费。

问：多久能拿到建议？
答：2个工作日。
"""

INTERPRETATION = """某某措施政策解读（示例）

一、为什么出台？

近年来纠纷增多。

二、主要目标是什么？

到2027年基本建成快速处理体系。

三、提出了哪些举措？

措施共5个部分，围绕以下方面发力：

1. 畅通受理入口。设立统一窗口。
"""


def test_a_part_asked_after_another_is_the_one_asked_last_and_said_by_its_paragraphs():
    from service.qa.structure.parts import Structure

    tree = Structure(parse_document(INTERPRETATION, doc="i").passages)
    third = tree.answer("解读第二部分讲啥 第三部分")  # a follow-up glued to its question
    assert third.text.startswith("三、提出了哪些举措？")
    assert "5个部分" in third.text and "畅通受理入口" in third.text  # no sub-parts: its text


def test_an_faq_part_named_by_its_number_is_that_of_the_document_that_has_it():
    from service.qa.structure.faqs import Faqs

    passages = (
        parse_document(FAQ, doc="faq").passages + parse_document(GUIDE_WITH_FAQ, doc="g").passages
    )
    counted = Faqs(passages).answer("第三部分里面一共有几个问题")  # the FAQ has two parts
    assert counted is not None and "三、常见问题共有2个问题" in counted.text


def test_a_structure_answer_for_a_place_no_passage_of_it_mentions_is_left_to_the_evidence():
    from service.qa.answerers import FromFound, first_reply
    from service.qa.reading.fields import Asked
    from service.qa.reading.understand import Qualifier, Query
    from service.qa.structure.items import Items

    chain = [FromFound(Items(parse_document(GUIDE, doc="guide").passages))]
    asked = "申请材料第三项是什么"
    assert "权属证明" in first_reply(chain, Query(asked, (), Asked.NONE), None).text
    elsewhere = Query("北京的" + asked, (), Asked.NONE, (Qualifier("place", ("北京",)),))
    assert first_reply(chain, elsewhere, None) is None  # another city's list: not this one


def test_the_nth_item_of_a_list_named_by_what_it_lists_and_of_numbered_sub_parts():
    from corpus.records import Passage

    guiding = Passage(
        "a",
        "p",
        "(一) 指导思想：主题：推动发展；主线：加强保护；目标：建设强国；根本动力：改革",
        ["二、总体要求", "(一) 指导思想"],
        "overview",
    )
    goals = Passage(
        "b",
        "p",
        "(三) 主要目标：1. 保护迈上新台阶；2. 运用取得新成效；3. 服务达到新水平；4. 合作取得新突破",
        ["二、总体要求", "(三) 主要目标"],
        "overview",
    )
    hits = [SimpleNamespace(passage=guiding, score=1.0), SimpleNamespace(passage=goals, score=0.9)]
    item, where = nth_item("主要目标里第四个目标是啥", hits, lambda p: [p])
    assert "合作取得新突破" in item and where is goals  # the list headed 目标, not the first's
    assert nth_item("指导思想第四个是啥", hits[:1], lambda p: [p]) is None  # not numbered parts
    assert not ARTICLE.search("要同时符合的第四个条件是啥")  # 条件 holds no article


def test_an_item_asked_by_place_right_after_a_list_was_asked_is_of_that_list():
    from service.qa.structure.nth import follow_item

    asked = [("user", "质押登记申请材料一共几项"), ("assistant", "一共8项，第一项是申请表。")]
    assert follow_item("最后一项是啥", asked) == "质押登记申请材料一共几项 最后一项是啥"
    assert follow_item("第二个呢", asked) == "质押登记申请材料一共几项 第二个呢"
    other = [("user", "质押登记要多久"), ("assistant", "10个工作日。")]
    assert follow_item("最后一项是啥", other) is None  # no list was asked
    assert (
        follow_item("那材料里第二项要原件吗还是复印件就行", asked) is None
    )  # a question of its own


def test_a_table_label_no_document_has_is_said_to_be_missing():
    from service.qa.structure.tables import Tables

    text = "某白皮书（示例）\n\n一、概况\n\n表1  主要指标\n\n| 指标 | 2025年 |\n| --- | --- |\n| 申请量 | 10 |\n| 授权量 | 5 |\n"
    tables = Tables(parse_document(text, doc="w").passages)
    assert "授权量" in tables.answer("白皮书表1第二行是什么").text
    missing = tables.answer("白皮书表9第一行是什么")
    assert not missing.answered and "没有表9" in missing.text


CHECKLIST = """某某登记须知（示例）

【申请材料】
办理设立登记，请对照清单准备，已备齐的可将“□”涂成“■”：
□ 登记申请表（原件2份）
  说明：由双方签章，表格可在网站下载，签章处不得涂改，涂改的应当重新填写并签章。
□ 质押合同（原件1份）
  说明：写明被担保债权数额、债务履行期限以及质押专利的专利号和名称。
□ 主合同复印件1份，加盖质权人公章
□ 出质人身份证明复印件1份
□ 经办人身份证复印件1份
  说明：委托他人办理的，另交授权委托书。
办理注销登记，提交以下材料：
□ 注销申请表（原件2份）
□ 解除质押证明（原件1份）
□ 原登记通知书原件1份
  说明：通知书遗失的，由质权人出具书面情况说明。
所有材料使用A4纸。

【注意事项】
请核对以下三点：一是专利号一致；二是名称一致；三是数额精确到元。
◆ 关于共有专利
全体共有人均应签章。
◆ 关于委托办理
委托代理机构的，应当已经备案。
"""


def test_a_checklist_is_one_list_with_its_notes_and_its_items_are_found_by_place():
    passages = parse_document(CHECKLIST, doc="notice").passages
    lists = [p for p in passages if p.kind == "heading" and "□" in p.text]
    assert lists[0].text.startswith("办理设立登记") and "原件2份） 说明：由双方" in lists[0].text
    # a note after the last item, starting as the notes between items did, is that item's
    cancel = next(p for p in passages if p.text.startswith("办理注销登记"))
    assert cancel.text.endswith("说明：通知书遗失的，由质权人出具书面情况说明。")
    assert any(p.text == "所有材料使用A4纸。" for p in passages)
    assert any(p.section == ["【注意事项】", "◆ 关于委托办理"] for p in passages)
    # the list cut into pieces is still one list; a quoted mark ("□") is no item
    hits = _hits(passages, "办理设立登记")
    item, _ = nth_item("设立登记材料清单里的第3项是什么", hits, _sections(passages))
    assert item.startswith("□ 主合同")
    assert nth_item("设立登记清单第5项", hits, _sections(passages))[0].startswith("□ 经办人")
    assert (
        "注销申请表"
        in nth_item("注销材料第一项", _hits(passages, "办理注销"), _sections(passages))[0]
    )


def test_a_list_of_as_many_as_the_question_says_comes_before_a_longer_one_ranked_above():
    passages = parse_document(CHECKLIST, doc="notice").passages
    hits = _hits(passages, "办理设立登记") + _hits(passages, "请核对以下三点")  # five, then three
    item, _ = nth_item("注意事项要核对的三点里，第二点是什么", hits, _sections(passages))
    assert "名称一致" in item


def test_an_item_of_a_checklist_asked_with_the_word_list_is_answered(tmp_path):
    """ "清单" asks for a detailed list (a "detail" qualifier) where the documents may lack one;
    the item asked of a checklist the best passages hold is answered, not said missing."""
    from service.qa.answering.policy import Thresholds
    from tests.engines import fake_engine

    engine = fake_engine(tmp_path, {"notice.txt": CHECKLIST})
    engine.thresholds = Thresholds(min_score=-10.0)  # in scope: the fake model's cosines say little
    answer = engine.ask("设立登记材料清单里的第3项是什么", mode="bm25")
    assert answer.outcome == "answer" and "主合同" in answer.text, answer.text


def test_unnumbered_bracketed_sections_are_parts_in_the_order_read():
    from service.qa.structure.parts import Structure

    tree = Structure(parse_document(CHECKLIST, doc="notice").passages)
    assert "【注意事项】" in tree.answer("须知的第二个部分标题是什么").text
    assert "【注意事项】" in tree.answer("须知最后一个部分叫什么").text
    named = tree.answer("须知一共分了几个【】部分？分别叫什么？").text
    assert "共有2部分" in named and "【申请材料】、【注意事项】" in named
    after = tree.answer("须知里【申请材料】后面紧接着的是哪一部分")
    assert after.text.startswith("【注意事项】")
    first = tree.answer("【申请材料】前面是什么").text
    assert "第一部分" in first and "第一一" not in first
    missing = tree.answer("须知里【法律责任】那一部分是怎么规定的")
    assert not missing.answered and "没有【法律责任】" in missing.text
    assert (
        tree.answer("【注意事项】里第一个◆讲什么") is None
        or tree.answer("【注意事项】里第一个◆讲什么").answered
    )  # a mark the documents write is never said missing


SERVICE_LIST = """# 某某服务清单（示例）

## 一、事项一览表

| 序号 | 服务事项 | 服务对象 | 办理时限 |
|---|---|---|---|
| 1 | 专利信息检索咨询 | 企业、高校及个人 | 3个工作日 |
| 2 | 知识产权维权援助 | 本市中小微企业 | 10个工作日 |
| 3 | 知识产权公益培训 | 社会公众 | 按月度排期 |
"""


def test_a_numbered_tables_rows_go_by_name_and_the_only_table_needs_no_name():
    from service.qa.answering.evidence import cell_asked
    from service.qa.structure.tables import Tables

    passages = parse_document(SERVICE_LIST, doc="list").passages
    overview = next(p for p in passages if p.kind == "overview" and "检索咨询" in p.text)
    assert "1；2" not in overview.text  # its rows by their names, not by 序号
    tables = Tables(passages)
    counted = tables.answer("一览表一共有几行").text
    assert "专利信息检索咨询、知识产权维权援助" in counted
    assert "按月度排期" in tables.answer("表格第3行的办理时限是什么").text  # the only table
    row = next(p for p in passages if "维权援助" in p.text and p.kind == "row")
    assert cell_asked(row.text, "表里知识产权维权援助的服务对象是谁")
    assert not cell_asked(row.text, "专利快速预审的服务对象是谁")  # another row's


def test_an_item_named_as_the_text_numbers_it_and_a_glued_follow_ups_own_place():
    passages = parse_document(CHECKLIST, doc="notice").passages
    hits = _hits(passages, "请核对以下三点")
    item, _ = nth_item("注意事项里“三是”指的是什么", hits, _sections(passages))
    assert "数额精确到元" in item
    assert "名称一致" in nth_item("二是讲的什么", hits, _sections(passages))[0]
    glued = nth_item(
        "设立登记清单第一项是什么 第二个", _hits(passages, "办理设立登记"), _sections(passages)
    )
    assert glued[0].startswith("□ 质押合同")  # the follow-up's own place, not the first named
