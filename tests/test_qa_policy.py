"""Reading a question, the scope decision and the wording, without the model."""

from __future__ import annotations

import pytest

from corpus.load import load_corpus
from corpus.records import table_years
from index.search import Evidence
from service.qa.answering import wording
from service.qa.answering.policy import (
    ANSWER,
    NONE,
    RELATED,
    Thresholds,
    decide,
    in_domain,
    scope_score,
)
from service.qa.reading.fields import Asked
from service.qa.reading.understand import Qualifier, Reader

ROWS = {i.name: i for i in load_corpus().indicators}
VOCAB = [
    "知识产权",
    "质押融资",
    "商标",
    "注册",
    "地理标志",
    "工程",
    "保护",
    "专利",
    "满意度",
    "一带一路",
    "主题",
    "主体",
    "海外发明专利授权量",
    "干部",
]
READER = Reader(VOCAB, years=table_years(list(ROWS.values())))


def evidence(**kw) -> Evidence:
    base = dict(
        tokens=["x"],
        known_weight=0.0,
        dense_top=0.8,
        indicator_match=False,
        column_match=False,
        known_tokens=[],
    )
    base.update(kw)
    return Evidence(**base)


def kinds(question: str) -> set[str]:
    return set(READER.read(question).kinds)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("福州市自己定的2025年每万人口高价值发明专利拥有量目标是多少件", {"place"}),
        ("2022年福州的知识产权质押融资登记金额是多少亿", {"place", "period"}),
        ("华为2020年拿了多少件海外发明专利授权", {"organization"}),
        ("申请地理标志要交哪些材料,费用大概多少", {"procedure", "fee"}),
        ("福州市知识产权维权援助中心电话多少,周末上班吗", {"contact", "place"}),
        ("那个窗口几点下班", {"contact"}),
        ("“十五五”期间知识产权的主要指标会怎么定", {"period"}),
        ("国家知识产权大数据中心建在哪个城市", {"where"}),
        ("商业秘密保护的专门法律什么时候能出台", {"when"}),
        ("规划里说的高价值发明专利具体怎么界定", {"definition"}),
    ],
)
def test_what_a_question_asks_beyond_the_plan(question, expected):
    assert expected <= kinds(question)


@pytest.mark.parametrize(
    "question",
    [
        "我在深圳开了个小厂,产品被人山寨了,规划管不管",  # the city is the asker's story
        "我们公司去德国参展,展台被人说侵权,国家有没有帮企业应对的安排",
        "有的公司侵权屡教不改,能不能给它们记个信用污点、拉黑名单",  # 黑名单 is not a 名单 asked for
        "今年我们村想搞个农产品品牌,规划里对农村有什么支持",  # 今年 without a figure asked
        "这份材料里有没有讲版权",  # 这份材料 is the plan, not a form to hand in
        "这份“一图读懂”是哪个单位宣传的",  # the plan says who publicized it
        "我儿子在外地上班回不来那怎么办呢",  # 上班 asks the hours only as "上班吗", "几点上班"
        "我们公司在本市重点产业链企业名单里，能加急不",  # in a list, not a list asked for
        "窗口有人态度不好，规划管不管",  # the window's staff, not where it is
    ],
)
def test_story_words_are_not_qualifiers(question):
    assert kinds(question) == set()


def test_counting_words_that_ask_nothing():
    q = READER.read("我们就是个十几个人的小公司,国家这个文件里对小企业有没有啥说法")
    assert not q.asks_figure
    assert READER.read("规划一共有几个专栏").counts_structure


def test_a_clause_closed_by_a_bare_negation_asks():
    """ "要钱不" asks as "要钱吗" does: the fee is asked, not framing."""
    q = READER.read("电子证书已经下来了，纸质证书怎么弄，要钱不，多久能拿到")
    assert {x.kind for x in q.qualifiers} == {"fee", "duration"} and "要钱不" in q.asking
    # without the tag the clause is framing: what is asked is read where the asking is
    told = READER.read("朋友说不用交钱，纸质证书怎么弄，多久能拿到")
    assert {x.kind for x in told.qualifiers} == {"duration"}


def test_a_time_told_of_in_a_clause_that_does_not_ask_is_no_period_asked():
    def periods(question):
        return [w for x in READER.read(question).qualifiers if x.kind == "period" for w in x.words]

    # "了几件" after a comma tells; the time of what happened is the asker's story
    assert periods("公司去年新授权了几件发明专利，按市里的资助办法每件能拿多少？") == []
    # a time that only names what is asked about still asks it
    assert periods("去年的数据，专利授权量有多少件？") == ["去年"]
    assert periods("去年全市专利授权多少件？") == ["去年"]


def test_spelling_is_fixed_by_sound_but_real_words_stay():
    assert READER.clean("知识产全质压融资") == "知识产权质押融资"
    assert READER.clean("zscq保护") == "知识产权保护"
    assert READER.clean("规划的主题是什么") == "规划的主题是什么"  # 主题 is a word, not 主体
    # a character's rare reading does not make a typo: 个 is ge, not the gan of 干部
    assert READER.clean("最后一个部分") == "最后一个部分"


def test_decide_three_outcomes():
    t = Thresholds()
    plain = READER.read("地理标志怎么保护")
    assert decide(plain, evidence(), t).outcome == ANSWER  # an IP word
    city = READER.read("福州市地理标志有多少个")
    d = decide(city, evidence(), t)
    assert d.outcome == RELATED and "place" in {q.kind for q in d.qualifiers}
    weather = READER.read("明天会下雨吗")
    assert decide(weather, evidence(known_weight=0.0, dense_top=0.8), t).outcome == NONE


def test_the_cut_decides_only_questions_without_other_evidence():
    t = Thresholds(min_score=0.3, dense_weight=0.0)
    q = READER.read("提升创新主体管理效能")
    assert decide(q, evidence(known_weight=0.5), t).outcome == ANSWER
    assert decide(q, evidence(known_weight=0.1), t).outcome == NONE
    assert scope_score(evidence(known_weight=0.5, dense_top=0.95), Thresholds()) == pytest.approx(
        0.8
    )


def test_a_figure_the_plan_does_not_give_is_related_unless_a_row_is_named():
    q = READER.read("地理标志农产品保护工程到2025年要保护多少个产品")
    assert decide(q, evidence(), Thresholds()).outcome == RELATED
    row = READER.read("海外发明专利授权量2025年是多少")
    assert decide(row, evidence(indicator_match=True), Thresholds()).outcome == ANSWER


def test_money_rows_make_how_much_money_a_figure_not_a_fee():
    q = READER.read("知识产权质押融资2025目标多少钱")
    assert decide(q, evidence(indicator_match=True), Thresholds()).outcome == RELATED
    assert decide(q, evidence(indicator_match=True), Thresholds(), money_row=True).outcome == ANSWER


def test_thresholds_round_trip_the_manifest():
    t = Thresholds(0.21, 4.0, 0.9)
    assert Thresholds.from_dict(t.to_dict() | {"calibrated_on": 50}) == t
    assert Thresholds.from_dict(None) == Thresholds()


def test_related_wording_never_states_a_national_figure_as_the_citys():
    row = ROWS["知识产权质押融资登记金额"]
    plan = wording.scope_of([row.doc_title])  # the plan alone is searched
    text = wording.related((Qualifier("place", ("福州市",)),), [row], None, Asked.TARGET, plan)
    assert text.startswith("规划只给出全国的指标，没有福州市的数据。")
    assert "全国" in text and "3200亿元" in text
    period = wording.related((Qualifier("period", ("2030年",)),), [row], None, Asked.TARGET, plan)
    assert "没有2030年的数据" in period


def test_related_wording_names_what_is_missing_then_what_the_plan_says():
    text = wording.related(
        (Qualifier("procedure", ("怎么申请",)), Qualifier("fee", ("费用",))),
        [],
        "专栏5 地理标志保护工程：实施地理标志保护提升行动",
        Asked.NONE,
        wording.scope_of([ROWS["知识产权质押融资登记金额"].doc_title]),  # the plan alone
    )
    assert text.startswith(
        "规划中没有写到办理流程、条件和所需材料，也没有写到费用、补贴或资金数额。"
    )
    assert text.endswith("实施地理标志保护提升行动。")


def test_the_refusal_has_no_suggestions_inside_its_text():
    assert not any(s in wording.NONE_ANSWER for s in wording.SUGGESTIONS)


def test_symbols_and_code_are_not_questions():
    for text in ("@%", "SELECT * FROM 专利 WHERE id=1", "<script>alert('专利')</script>"):
        q = READER.read(text)
        assert q.junk and not in_domain(q, evidence(), Thresholds()), text
    assert not READER.read("专利 select 哪些").junk  # a word that is also SQL is not code


def test_yes_no_questions_and_the_clause_that_asks():
    assert READER.read("规划有没有提到商业秘密保护").yes_no
    assert not READER.read("你知道专利年费是多少吗").yes_no  # asks how much
    q = READER.read("有人卖山寨货用我的牌子，规划管不管")
    assert q.yes_no and q.asking.endswith("管不管") and "山寨" not in q.asking
