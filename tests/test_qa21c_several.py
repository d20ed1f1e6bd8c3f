"""A question asking several things in clauses of their own ("要带什么材料，要多久，收不收钱"),
which no one passage answers, is answered part by part from the passages that give each; when
only some are given, the related reply names only what none gives. The documents are written
here, not taken from the samples."""

from __future__ import annotations

from corpus.records import Passage
from index.search import Hit, SearchResult
from service.qa.answering.compose import parts_answer
from service.qa.answering.evidence import answering, answering_each
from service.qa.answering.policy import ANSWER, RELATED, Decision, several
from service.qa.reading.understand import Reader

TITLE = "专利权质押登记办事指南（示例）"


def _p(text: str, section: str, kind: str = "text") -> Passage:
    return Passage(f"p-{abs(hash(text))}", "guide", text, [section], kind, doc_title=TITLE)


MATERIALS = _p("办理质押设立登记，应当提交申请表和质押合同。", "三、申请材料")
STEP = _p("4. 登记决定（2个工作日）：符合规定的，出具登记通知书。", "四、办理流程")
LIMIT = _p("（1）质押设立登记：自收到申请材料之日起10个工作日内办结。", "五、办理时限")
FREE = _p("专利权质押登记不收取任何费用。", "六、收费标准")
PASSAGES = [MATERIALS, STEP, LIMIT, FREE]

ASKED = "我想办专利质押登记，要带什么材料，要多久，收不收钱"


def test_the_question_is_read_as_asking_three_things():
    q = Reader([]).read(ASKED)
    assert {x.kind for x in q.qualifiers} >= {"procedure", "duration", "fee"}
    assert "收不收钱" in q.asking  # "A不A" asks, whatever the verb


def test_each_thing_asked_from_the_passage_that_gives_it():
    q = Reader([]).read(ASKED)
    assert answering(q.qualifiers, PASSAGES, q.objects) is None  # no one passage gives all
    parts, missing = answering_each(q.qualifiers, PASSAGES, q.objects)
    assert missing == ()
    shown = {kind.kind: PASSAGES[i] for i, kinds in parts for kind in kinds}
    assert shown["procedure"] is MATERIALS and shown["fee"] is FREE
    # the time limit under a heading for it, not one step's own days
    assert shown["duration"] is LIMIT


def test_the_answer_gives_every_part_in_the_order_asked():
    q = Reader([]).read(ASKED)
    hits = [Hit(p, 1.0 - i / 10) for i, p in enumerate(PASSAGES)]
    result = _search_result(hits)
    decision = several(result, Decision(RELATED, q.qualifiers), q, ())
    assert decision is not None and decision.outcome == ANSWER
    assert [h.passage for h in result.hits[:3]] == [MATERIALS, LIMIT, FREE]
    text = parts_answer(q.text, result.hits, decision.parts, lambda _: None, q.asking)
    assert text.index("质押合同") < text.index("10个工作日") < text.index("不收取任何费用")
    assert "2个工作日" not in text


def test_only_what_no_passage_gives_is_named_missing():
    q = Reader([]).read(ASKED)
    hits = [Hit(p, 1.0 - i / 10) for i, p in enumerate([MATERIALS, STEP, LIMIT])]
    decision = several(_search_result(hits), Decision(RELATED, q.qualifiers), q, ())
    assert decision is not None and decision.outcome == RELATED
    assert [x.kind for x in decision.qualifiers] == ["fee"]


def test_several_things_in_one_clause_are_one_ask():
    """ "商标异议申请要交多少官费" asks a fee of 异议: a registration fee and a time limit found
    elsewhere do not answer it part by part."""
    q = Reader([]).read("商标异议申请要交多少官费？")
    hits = [Hit(p, 1.0 - i / 10) for i, p in enumerate(PASSAGES)]
    assert several(_search_result(hits), Decision(RELATED, q.qualifiers), q, ()) is None


def _search_result(hits):
    return SearchResult(hits=hits, evidence=None)  # the evidence is not read here
