"""Reading documents better (issue 21, tuning-set work): table rows by their first cell and
with every cell asked, FAQ pairs by their question, a document chosen by its title's words,
the part of a passage the asking clause is about, a 专栏 or a part the document has not, the parts a document is divided into, a kind of
IP as a follow-up's new subject. The documents are written here, not taken from the samples."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from corpus.parse import parse_document
from corpus.records import Passage
from corpus.tokens import tokenize
from index.boosts import ROW_NAME_FULL, Booster
from index.lexical import LexicalIndex, title_tokens
from service.qa.answerers import OnlyFigures, Reply
from service.qa.answering import wording
from service.qa.answering.compose import passage_answer
from service.qa.answering.extract import part_asked
from service.qa.followups.swap import swap_kind
from service.qa.reading.fields import Asked
from service.qa.reading.understand import Qualifier, Query, Reader
from service.qa.structure.parts import Structure

GUIDE = """# 某某事项办事指南（示例）

## 一、办理流程

各环节如下表：

| 环节 | 时限 | 部门 | 结果 |
|---|---|---|---|
| 受理 | 1个工作日 | 服务窗口 | 受理回执 |
| 审核决定 | 3个工作日 | 审查科 | 决定书 |

## 二、收费标准

### （一）登记费用

不收取费用。

### （二）其他费用

### （三）补助标准

| 对象 | 比例 | 单笔上限 | 年度上限 |
|---|---|---|---|
| 小微企业 | 50% | 2万元 | 4万元 |

## 三、常见退件原因

（1）申请表未签章；

（2）专利号填写错误；

（3）年费欠缴。

## 四、咨询

办理地点：服务窗口；咨询电话：0300-1111 2222；办公时间：9:00—17:00。
"""

FAQ = """版权登记常见问答（示例）

一、作品登记

问：作品登记要多久？
答：材料齐全的，20个工作日内办结。

问：作品登记收费吗？
答：个人登记免费。

二、咨询

问：咨询电话是多少？
答：请拨打 0100-1234 5678。
"""

BOXES = """某某发展规划

一、重点工程

专栏1 品牌培育工程

1. 培育品牌。

专栏2 人才工程

1. 培养人才。
"""


def _parse(text: str, doc: str) -> list[Passage]:
    return parse_document(text, doc=doc).passages


def _rows(passages: list[Passage]) -> list[Passage]:
    return [p for p in passages if p.kind == "row"]


def test_a_row_answers_with_every_cell_that_shows_what_is_asked():
    row = "对象：小微企业；比例：50%；单笔上限：2万元；年度上限：4万元"
    out = part_asked(row, ("fee",), ("小微企业", "一年", "最多"), "row")
    assert out.startswith("对象：小微企业；") and "2万元" in out and "4万元" in out


def test_a_row_named_by_its_first_cell_is_boosted_longest_name_first():
    passages = _parse(GUIDE, "guide")
    booster = Booster(passages)
    named = {i: (why, w) for i, why, w, _ in booster.plan("审核决定那一步要几天", False)}
    decided = next(i for i, p in enumerate(passages) if p.text.startswith("环节：审核决定"))
    assert decided in named and named[decided][1] == 1.0
    # a short name earns less: "受理" is also the start of "受理期"
    short = {i: w for i, why, w, _ in booster.plan("受理环节给什么", False) if "表格行名" in why}
    assert list(short.values()) == [2 / ROW_NAME_FULL]
    # the expansions searched with a question name no row
    expanded = booster.plan("一共要几天 受理", False, asked="一共要几天")
    assert not any("表格行名" in why for _, why, _, _ in expanded)


def test_a_row_is_named_without_the_remark_in_brackets_of_its_first_cell():
    table = "补助标准（示例）\n\n| 补助对象 | 年度上限 |\n| --- | --- |\n"
    table += "| 中型企业贴息 | 30万元 |\n| 评估费补助（各类主体） | 4万元 |\n"
    passages = _parse(table, "guide")
    booster = Booster(passages)
    plan = booster.plan("评估费补助一年最多补多少", False)
    named = {i: why for i, why, _, _ in plan if why.startswith("表格行名")}
    row = next(i for i, p in enumerate(passages) if "评估费补助（各类主体）" in p.text)
    assert named == {row: "表格行名匹配：评估费补助"}
    # named in full, it is matched by its full cell, once
    plan = booster.plan("评估费补助(各类主体)上限", False)
    full = [why for i, why, _, _ in plan if i == row and why.startswith("表格行名")]
    assert full == ["表格行名匹配：评估费补助各类主体"]


def test_an_faq_pair_whose_question_the_user_repeats_is_boosted():
    passages = _parse(FAQ, "faq")
    booster = Booster(passages)
    boosts = [
        (i, w)
        for i, why, w, _ in booster.plan("作品登记大概要多久办完", False)
        if "常见问题" in why
    ]
    assert boosts and passages[boosts[0][0]].text.startswith("问：作品登记要多久")
    assert not [w for _, why, w, _ in booster.plan("商标怎么注册", False) if "常见问题" in why]


def test_the_bm25_tokens_are_read_back_from_the_index():
    texts = ["专利权质押登记申请表", "商标注册证补发"]
    lexical = LexicalIndex.build(texts)
    assert lexical.document_tokens() == [frozenset(tokenize(t)) for t in texts]


def test_a_documents_title_words_count_for_its_passages_that_lack_them():
    passages = _parse(GUIDE, "guide") + _parse(FAQ, "faq")
    indexed = [frozenset(tokenize(p.search_text)) for p in passages]
    titled = title_tokens(passages, indexed)
    lacking = titled["版权"]  # the FAQ's title word, for its passages without it
    assert len(lacking) and all(passages[i].doc == "faq" for i in lacking)
    assert not any("版权" in indexed[i] for i in lacking)
    one = _parse(GUIDE, "guide")  # one document: its title chooses nothing
    assert title_tokens(one, indexed[: len(one)]) == {}
    assert isinstance(lacking, np.ndarray)


def test_the_clause_that_asks_chooses_the_item():
    text = "（二）相关服务费用：出具登记簿副本的，每份收取50元；高等学校免收。"
    hit = SimpleNamespace(passage=Passage("p", "d", text, ["二、收费标准"], "overview"))
    question = "银行要我们开一份登记簿副本，听说要收钱，我们学校也要交吗"
    out = passage_answer(question, [hit], lambda _: None, (), "我们学校也要交吗")
    assert "免收" in out and "50元" not in out


def test_a_box_the_document_has_not_is_said_so():
    tree = Structure(_parse(BOXES, "plan"))
    missing = tree.answer("专栏16讲的是什么")
    assert not missing.answered and "共有2个专栏，没有专栏16" in missing.text
    assert tree.answer("专栏2讲的是什么") is None  # it has one: answered elsewhere
    assert tree.answer("专栏 2025年的目标是多少") is None  # a year, not a 专栏


PAPER_BOXES = """某某知识产权白皮书（示例）

一、运用

全年质押融资86亿元。

━━━━━━━━━━
专栏1  “以智换贷”：一家企业的融资经历

企业以12件发明专利质押，获得贷款3,000万元。

从申请到放款共用时12个工作日。
━━━━━━━━━━

二、保护

全年受理行政裁决案件412件。
"""


def test_a_box_drawn_between_rules_holds_its_prose_and_a_named_document_its_own_boxes():
    """A white paper's 专栏, drawn between two rules, is one unit with its paragraphs (the text
    after the closing rule is not in it); "白皮书专栏4" is missing from the white paper though
    the plan has a 专栏4, and "白皮书专栏1" is the white paper's."""
    paper = _parse(PAPER_BOXES, "paper")
    box = [p for p in paper if p.kind == "column"]
    assert len(box) == 1 and "3,000万元" in box[0].text and "12个工作日" in box[0].text
    assert "。从申请到放款" in box[0].text  # sentences joined without "；"
    assert not any("412件" in p.text for p in box)
    plan = _parse(BOXES + "\n专栏3 某工程\n\n1. 甲。\n\n专栏4 某工程\n\n1. 乙。\n", "plan")
    tree = Structure(plan + paper)
    missing = tree.answer("白皮书专栏4讲的是什么")
    assert not missing.answered and "共有1个专栏，没有专栏4" in missing.text
    assert tree.answer("专栏4讲的是什么") is None  # the plan has one


def test_which_box_a_name_is_by_the_words_of_its_heading():
    tree = Structure(_parse(BOXES, "plan"))
    headings = [h for _, _, h, *_ in tree.box.headings]
    assert len(headings) == 2
    n, name = headings[1].split(" ", 1)
    found = tree.answer(f"{name}是第几个专栏？")
    assert found.answered and f"的{n}（共有2个专栏）" in found.text and found.text.startswith(name)
    assert tree.answer("这个是第几个专栏") is None  # no heading's words: not guessed


def test_the_boxes_inside_a_part_named_by_its_number_or_its_words():
    text = BOXES.replace("专栏2 人才工程", "二、人才培养\n\n专栏2 人才工程")
    tree = Structure(_parse(text, "plan"))
    first = tree.answer("第一部分有几个专栏")
    assert first.answered and "1个专栏：专栏1 品牌培育工程。" in first.text
    second = tree.answer("人才培养那部分有哪些专栏？")
    assert second.answered and "专栏2 人才工程" in second.text and "专栏1" not in second.text
    missing = tree.answer("第九部分有几个专栏")  # no such part: said so
    assert not missing.answered and "没有第九部分" in missing.text


def test_the_parts_a_named_document_is_divided_into():
    tree = Structure(_parse(GUIDE, "guide") + _parse(FAQ, "faq"))
    parts = tree.answer("版权登记常见问答分成了哪几大类？")
    assert parts.answered and "一、作品登记" in parts.text and "二、咨询" in parts.text
    assert tree.answer("分成了哪几大类") is None  # no document named: not guessed


def test_the_numbered_items_under_a_heading_the_question_quotes_are_counted():
    tree = Structure(_parse(GUIDE, "guide"))
    counted = tree.answer("指南里的常见退件原因一共列了几条？")
    assert counted.answered and "共列了3条" in counted.text
    assert counted.passages[0].text.startswith("（3）")  # the last item shows the count
    assert tree.answer("一共列了几条") is None  # no heading quoted


def test_a_numbered_section_inside_the_part_named():
    tree = Structure(_parse(GUIDE, "guide"))
    found = tree.answer("办事指南收费标准那一部分的第三小节标题是什么")
    assert found.text.startswith("（三）补助标准")


def test_the_last_item_of_a_numbered_section_is_not_the_section_after_it():
    """ "（二）其他费用 最后一条" (a follow-up after "（二）其他费用：（2）…") asks the last item of
    the section; 最后一 holds 后一 but is not "the one after" (it answered the section after)."""
    tree = Structure(_parse(GUIDE, "guide"))
    found = tree.answer("（二）其他费用 最后一条")
    assert found is None or "（三）" not in found.text
    after = tree.answer("（二）那一节后面一节是什么")
    assert after is not None and after.text.startswith("（三）补助标准")


def test_a_kind_of_ip_as_the_new_subject_of_a_follow_up():
    assert swap_kind("发明专利一般多久能授权", "实用新型") == "实用新型一般多久能授权"
    assert swap_kind("发明专利的检索报告多少钱", "外观设计的") == "外观设计的检索报告多少钱"
    assert swap_kind("商标注册要多久", "商标") is None  # the same subject
    # a follow-up asking a kind of its own keeps the earlier subject, not the earlier ask
    from service.qa.followups.swap import asked_anew

    assert asked_anew("发明专利优先审查推荐要多久能办好", "收钱吗") == (
        "发明专利优先审查推荐",
        "收钱吗",
    )
    assert asked_anew("发明专利优先审查推荐要多久能办好", "那要多久呢") is None  # asked before
    assert asked_anew("收费吗", "要多久") is None  # no subject to keep
    assert swap_kind("发明专利一般多久能授权", "评估费") is None  # not a kind of IP


def test_topic_words_in_the_framing_ask_for_nothing():
    reader = Reader([])
    framed = reader.read("贷款已经还清了，准备报贴息补助。这个凭证有什么要求吗，要盖哪个章？")
    assert not framed.has("fee")
    who = reader.read("登记决定这个环节由谁来做，要几个工作日？")
    assert who.has("who") and who.has("duration")


def test_whether_a_topic_is_counted_in_asks_no_fee_of_it():
    reader = Reader([])
    assert not reader.read("风险补偿算不算利息").has("fee")
    assert not reader.read("补偿的基数是否涵盖诉讼费用？").has("fee")
    assert reader.read("贴息补助要多久到账，算不算利息").has("duration")  # asked beside
    assert reader.read("补偿的利息是多少").has("fee")  # not whether: what it is
    assert reader.read("风险补偿有没有利息").has("fee")  # not counted in: whether there is


def test_the_table_answerers_take_only_questions_asking_for_a_figure():
    reply = Reply("answer", "x")
    guarded = OnlyFigures(lambda query: reply)
    figure = Query("a", (), Asked.NONE, (Qualifier("figure", ()),))
    place = Query("a", (), Asked.NONE, (Qualifier("place", ("深圳",)),))
    assert guarded(figure) is reply
    assert guarded(place) is None


def test_the_related_lead_names_the_documents_in_scope():
    several = wording.related((), [], None, Asked.NONE, "已收录的文件")
    assert several.startswith("已收录的文件中没有直接的答案")
    one = wording.related((), [], None, Asked.NONE, wording.scope_of(["某某办法（示例）"]))
    assert one.startswith("办法中没有直接的答案")


def test_a_passage_cut_at_a_separator_ends_as_a_sentence():
    from service.qa.answering.wording import sentence

    assert (
        sentence("办公时间：周一至周五（法定节假日除外）；")
        == "办公时间：周一至周五（法定节假日除外）。"
    )
    assert sentence("一次性奖励3万元，") == "一次性奖励3万元。"
    assert sentence("可以吗？") == "可以吗？"


def test_a_row_is_named_by_its_name_or_an_alias_not_by_sharing_a_phrase():
    """With several documents loaded 知识产权保护 is no longer common enough to count for
    nothing, and "…找市知识产权保护中心来做" shares it with 知识产权保护社会满意度 for a score
    past what once counted as naming the row: the FAQ's answer gave way to the row's figures.
    A question asking no figure names a row only by its name or one of its other names."""
    from corpus.lexicon import lexicon
    from corpus.load import load_corpus
    from index.match import IndicatorMatcher

    indicators = load_corpus().indicators
    aliases = lexicon().indicator_aliases
    matcher = IndicatorMatcher(indicators, frozenset(), aliases=aliases)
    asked = "检索报告是不是只能找市知识产权保护中心来做"
    assert max(score for _, score in matcher.match(asked)) >= 5.0  # shares words…
    assert matcher.named(asked) == frozenset()  # …names none
    assert matcher.named("社会满意度有没有提") == {"知识产权保护社会满意度"}  # an alias
    assert matcher.named("知识产权保护社会满意度怎么调查") == {"知识产权保护社会满意度"}


def test_which_article_says_it_is_answered_with_the_article_first():
    from service.qa.answering.compose import compose

    text = "第二条 调解员有下列情形之一的，应当自行回避。"
    passage = Passage("p", "rules", text, ["第一章 总则", "第二条"], "article", "某某调解规则")
    hit = SimpleNamespace(passage=passage)
    out, _ = compose("关于调解员回避的规定是第几条？", [hit], [], [], lambda _: None)
    assert out.startswith("是《某某调解规则》第二条。")
    out, _ = compose("调解员什么情况要回避？", [hit], [], [], lambda _: None)
    assert not out.startswith("是《")  # not asked which article
