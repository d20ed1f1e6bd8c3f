"""Several documents loaded: a part asked of none in particular, the document a conversation
is on, front matter, a row's cells by their column, evidence read per clause (no model)."""

from __future__ import annotations

from types import SimpleNamespace

from corpus.parse import parse_document
from corpus.records import Passage
from index.boosts import squash
from index.lexical import LexicalIndex
from index.search import Searcher
from service.qa.answering.evidence import services
from service.qa.answering.extract import part_asked
from service.qa.reading.understand import Reader
from service.qa.structure.found import title_score
from service.qa.structure.front import FrontMatter
from service.qa.structure.parts import Structure

GUIDE = """某某登记办事指南（示例）

一、适用范围

本指南适用于某某登记。

二、收费标准

登记不收取费用。

三、咨询

咨询电话：0300-1111 2222。
"""

FAQ = """版权登记常见问答（示例）

一、作品登记

问：作品登记要多久？
答：材料齐全的，20个工作日内办结。

二、咨询

问：咨询电话是多少？
答：请拨打 0100-1234 5678。
"""


def _parse(text: str, doc: str) -> list[Passage]:
    return parse_document(text, doc=doc).passages


def test_a_part_both_documents_have_is_given_from_each():
    tree = Structure(_parse(GUIDE, "guide") + _parse(FAQ, "faq"))
    both = tree.answer("第二部分讲什么")
    assert both.answered and "2份" in both.text
    assert "“二、收费标准”" in both.text and "“二、咨询”" in both.text
    assert {p.doc for p in both.passages} == {"guide", "faq"}
    last = tree.answer("最后一部分是什么")
    assert "“三、咨询”" in last.text and "“二、咨询”" in last.text
    # one document has a third part: that one, as before
    third = tree.answer("第三部分讲什么")
    assert third.answered and "三、咨询" in third.text and "2份" not in third.text
    # the document named: only its part
    named = tree.answer("常见问答的第二部分讲什么")
    assert "2份" not in named.text and "二、咨询" in named.text
    # counted in each; a part called a 块, the last one pointed at with 那
    counted = tree.answer("一共分了几大块")
    assert "共有3部分" in counted.text and "共有2部分" in counted.text
    last_of_guide = tree.answer("指南最后那块讲的是啥").text
    assert "三、咨询" in last_of_guide and "二、咨询" not in last_of_guide
    # an article's words choose it: never listed from each document
    assert tree.answer("第二部分里咨询电话和收费标准分别是怎么写的") is None


REGULATION = """某某资金管理办法（示例）

第一章 总则

第一条 为了规范资金管理，制定本办法。

第二章 风险补偿

第二条 补偿比例为40%。

第三条 单笔补偿不超过200万元。

第三章 附则

第四条 本办法自发布之日起施行，有效期5年。

第五条 本办法由市知识产权局负责解释。
"""


def test_a_chapter_named_in_quotation_marks_gives_its_articles():
    tree = Structure(_parse(REGULATION, "reg"))
    found = tree.answer("“风险补偿”一章涵盖哪几条？从第几条到第几条？")
    assert found.answered and "从第二条到第三条" in found.text


def _searcher(passages):
    lexical = LexicalIndex.build([p.search_text for p in passages])
    rows: dict[str, list[int]] = {}
    for i, p in enumerate(passages):
        rows.setdefault(p.doc, []).append(i)
    flat = [squash(p.text) for p in passages]
    return SimpleNamespace(
        passages=passages, index=SimpleNamespace(lexical=lexical), _doc_rows=rows, _flat=flat
    )


def test_the_document_a_conversation_is_on_is_that_of_its_best_matching_passage():
    passages = _parse(GUIDE, "guide") + _parse(FAQ, "faq")
    searcher = _searcher(passages)
    on = Searcher.document_of(searcher, "作品登记要多久 材料齐全的,20个工作日内办结")
    assert on == "faq"
    assert Searcher.document_of(searcher, "某某登记收费吗 登记不收取费用") == "guide"
    assert Searcher.document_of(searcher, "量子纠缠") is None  # no word in common
    one = _searcher(_parse(GUIDE, "guide"))
    assert Searcher.document_of(one, "登记不收取费用") is None  # one document: nothing to choose


def test_the_last_answer_found_word_for_word_names_the_document_first():
    """An answer quotes its passage: the one document holding a clause of it word for word
    is the conversation's (a phone number was matched, by words, to another document's list of
    numbers), before the words of the turn."""
    searcher = _searcher(_parse(GUIDE, "guide") + _parse(FAQ, "faq"))
    turn = "某某登记收费标准 登记不收取费用"
    assert Searcher.document_of(searcher, turn) == "guide"  # by the words alone
    quoted = "材料齐全的，20个工作日内办结。"
    assert Searcher.document_of(searcher, turn, quoted=quoted) == "faq"
    # a clause too short to find its passage decides nothing
    assert Searcher.document_of(searcher, turn, quoted="办结。") == "guide"


def test_what_a_part_says_about_something_is_the_passage_inside_it_about_that():
    tree = Structure(_parse(REGULATION, "reg"))
    found = tree.answer("这个办法最后一章里，关于由哪个部门负责解释是怎么规定的？")
    assert found.text.startswith("第五条") and "负责解释" in found.text
    found = tree.answer("第三章关于施行时间和有效期怎么说")
    assert found.text.startswith("第四条") and "有效期5年" in found.text
    # the part itself asked for: its list, as before
    listed = tree.answer("这个资金管理办法的第三章讲的是什么内容")
    assert "第四条" in listed.text and "第五条" in listed.text


def test_now_is_a_period_only_in_a_clause_asking_a_figure_of_its_own():
    reader = Reader(["专利"])
    refund = reader.read("审查结果还没出来，现在撤回能退多少钱")
    assert refund.has("fee") and not refund.has("period")
    rate = reader.read("目前一年期LPR是多少？按加150个基点算，利率上限是百分之几？")
    assert rate.has("period")
    assert reader.read("现在专利有多少件").has("period")


def test_a_place_of_the_askers_story_named_again_where_they_ask_is_asked_about():
    reader = Reader(["专利"])
    again = reader.read("我们在隔壁临江市还有个分公司，临江那边数据登记的咨询电话是多少啊")
    assert again.has("place") and again.has("contact")
    story = reader.read("我在临江市工作，想问问数据登记的咨询电话是多少")
    assert not story.has("place")  # where the asker works, not what they ask about
    # another province's or its capital's office is elsewhere too, as another city's is
    assert reader.read("隔壁省城知识产权局的咨询电话是多少").has("place")
    assert reader.read("邻省的登记窗口在哪").has("place")


def test_a_row_gives_the_cells_whose_column_the_question_asks_for():
    row = "登记类型：注销登记；办理时限：5个工作日；收费：免收；结果形式：注销登记通知书"
    out = part_asked(row, ("fee",), (), "row", question="想把登记注销掉，收费吗？办完给个啥")
    assert out.startswith("登记类型：注销登记") and "免收" in out and "注销登记通知书" in out
    assert "5个工作日" not in out  # not asked
    step = "办理环节：审查；办理时限：3个工作日；责任部门：运营服务部；办理结果：审查意见"
    out = part_asked(step, (), (), "row", question="审查那一步是哪个责任部门负责")
    assert "运营服务部" in out and "审查意见" not in out
    assert part_asked(step, (), (), "row", question="审查那一步怎么样") is None


def test_who_issued_a_document_and_when_is_read_from_its_front_matter():
    faq = "版权登记常见问答（示例）\n本市版权局 2026年3月\n\n一、作品登记\n\n问：作品登记要多久？\n答：20个工作日。\n"
    passages = _parse(faq, "faq") + _parse(GUIDE, "guide")
    front = FrontMatter(passages)
    found = front.answer("这份常见问答是哪个单位、什么时候发布的？")
    assert found.answered and "本市版权局" in found.text and "2026年3月" in found.text
    assert front.answer("办事指南是什么时候发布的") is None  # its front matter has no date
    assert front.answer("作品登记要多久") is None  # not asked of the document


def test_a_document_is_named_by_the_pairs_of_its_title_the_question_has():
    pledge = "本市专利权质押登记及贴息补助办事指南（示例）"
    data = "本市数据知识产权登记办事指南（示例）"
    asked = "那个质押登记办事指南是谁发的"
    assert title_score(asked, pledge) > title_score(asked, data)


def test_a_service_is_named_by_what_is_applied_for_not_by_a_way_of_asking():
    assert services("商标异议申请要交多少官费") == ("异议申请",)
    assert services("续展的话要提前多久申请") == ()
    assert services("个人怎么申请") == ()


def test_the_chapter_an_article_is_in():
    tree = Structure(_parse(REGULATION, "reg"))
    found = tree.answer("这个办法第三条属于哪一章？")
    assert found.answered and "第二章 风险补偿" in found.text and found.text.startswith("第三条")
    missing = tree.answer("第九条在哪一章")  # no such article: said so
    assert not missing.answered and "没有第九条" in missing.text


def test_front_matter_is_read_only_for_who_issued_the_document_or_when():
    faq = "版权登记常见问答（示例）\n本市版权局 2026年3月\n\n一、作品登记\n\n问：作品登记要多久？\n答：20个工作日。\n"
    front = FrontMatter(_parse(faq, "faq"))
    assert front.answer("常见问答的发布日期是哪天") is not None
    # a time and a document asked of a service, not of the document
    assert front.answer("作品登记要多长时间？最后出的是什么文书") is None


RULES_A = """某某调解规则（示例）

第一条 为了规范调解，制定本规则。

第二条 调解员应当回避。

第三条 调解不收费。
"""

RULES_B = """某某资助办法（示例）

第一条 为了鼓励创新，制定本办法。

第二条 资助每件3000元。
"""


def test_the_article_after_one_two_documents_have_is_given_from_each():
    """ "第一条后面一条" names no document; both have a 第一条: each one's 第二条 (it was
    answered with one document's 第一条 itself)."""
    tree = Structure(_parse(RULES_A, "rules") + _parse(RULES_B, "measures"))
    found = tree.answer("第一条后面一条是哪一条，讲的是什么？")
    assert found.answered and "有2份有第一条" in found.text
    assert "调解员应当回避" in found.text and "资助每件3000元" in found.text
    last = tree.answer("第二条的下一条")  # the last article of one, the next of the other
    assert "最后一条" in last.text and "调解不收费" in last.text
    named = tree.answer("调解规则第一条后面一条")  # a document named: its own
    assert "调解员应当回避" in named.text and "资助" not in named.text


def test_a_kind_asked_with_no_subject_is_asked_back_when_several_documents_give_it():
    from index.boosts import Booster
    from service.qa.reading.clarify import unplaced

    passages = _parse(GUIDE, "guide") + _parse(FAQ, "faq")
    booster = Booster(passages)
    docs = {k: {passages[i].doc for i in found} for k, found in booster.kind_sections.items()}
    assert docs["contact"] == {"guide", "faq"}  # both give a phone
    assert unplaced(("contact",), [], docs) == "contact"  # "电话多少": whose?
    assert unplaced(("contact",), ["版权登记"], docs) == ""  # says whose
    assert unplaced(("contact", "fee"), [], docs) == ""  # two kinds: the question says enough
    alone = Booster(_parse(GUIDE, "guide"))
    one = {
        k: {p for p in map(lambda i: "guide", found)} for k, found in alone.kind_sections.items()
    }
    assert unplaced(("contact",), [], one) == ""  # one document gives it: it is answered
