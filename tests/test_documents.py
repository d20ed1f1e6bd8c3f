"""Documents other than the plan, read as trees from generic markers: articles in chapters, FAQ
pairs, Markdown and tab-separated tables, titles; structure questions and evidence over them.
The documents here are written inside the tests (the sample documents in corpus/samples are
the eval's), so each rule is shown on text it was not written for."""

from __future__ import annotations

import pytest

from corpus.parse import parse_document
from corpus.records import Passage
from service.qa.answering.evidence import answering, shows
from service.qa.answering.wording import scope_of
from service.qa.reading.clarify import elliptical
from service.qa.reading.understand import Qualifier, Reader
from service.qa.structure.parts import Structure

REGULATION = """某某区商标品牌扶持规定（示例）

第一章 总则

第一条 为支持本区商标品牌发展，制定本规定。

第二条 本规定适用于在本区登记的企业。

第二章 扶持标准

第三条 对新获驰名商标认定的企业，奖励80万元。
（一）同一企业只奖励一次；
（二）奖励资金直接拨付。

第四条 申请人应当在每年6月30日前提交申请材料。

第三章 附则

第五条 本规定自2027年1月1日起施行。
"""

FAQ = """版权登记常见问答（示例）

一、作品登记

问：作品登记要多久？
答：材料齐全的，20个工作日内办结。

问：作品登记收费吗？
答：个人登记免费。

二、咨询

问：咨询电话是多少？
答：请拨打 0100-1234 5678，工作日9:00—17:00。
"""

GUIDE = """# 某某事项办事指南（示例）

## 一、办理时限

各环节如下表：

| 环节 | 时限 | 部门 |
|---|---|---|
| 受理 | 2个工作日 | 服务窗口 |
| 审核 | 8个工作日 | 审查科 |

## 二、联系方式

电话：0200-7654 3210
"""

ANNEX = """关于申报示范单位的通知（示例）

一、申报对象

本区企业。

附件1：评分表

评价指标\t分值
研发投入\t30
专利数量\t20
"""


READER = Reader([])


def _parse(text: str, doc: str) -> list[Passage]:
    return parse_document(text, doc=doc).passages


def test_title_is_read_from_the_text():
    assert {p.doc_title for p in _parse(REGULATION, "reg")} == {"某某区商标品牌扶持规定（示例）"}
    assert {p.doc_title for p in _parse(GUIDE, "guide")} == {"某某事项办事指南（示例）"}
    # the `#` title is not a level above every section
    assert all(p.section[:1] != ["某某事项办事指南（示例）"] for p in _parse(GUIDE, "guide"))


def test_a_title_of_any_kind_and_a_plain_first_line_name_the_document():
    rules = "某某市调解工作规则（示例）\n本文为示例。\n\n第一章 总则\n\n第一条 为了规范调解，制定本规则。\n"
    assert {p.doc_title for p in _parse(rules, "rules")} == {"某某市调解工作规则（示例）"}
    # a first line that names no kind of document, short and no sentence, is still its title
    plain = "某某市商标品牌工作要览（示例）\n\n一、概况\n\n本市商标工作开展顺利。\n"
    assert {p.doc_title for p in _parse(plain, "plain")} == {"某某市商标品牌工作要览（示例）"}
    # a salutation or a sentence is none: the file's name stands in
    letter = "各区市场监督管理局：\n\n现将有关事项通知如下。\n"
    assert {p.doc_title for p in _parse(letter, "letter")} == {"letter"}


def test_a_table_without_outer_pipes_becomes_rows_with_their_columns():
    text = (
        "某某申报通知（示例）\n\n一、事项\n\n按附件办理。\n\n"
        "附件1：支持标准一览表\n\n项目类型 | 申报主体 | 支持额度\n--- | --- | ---\n"
        "品牌培育 | 行业协会、商会 | 不超过80万元\n指导站建设 | 园区运营机构 | 不超过15万元\n"
        "注：额度为上限。\n"
    )
    passages = _parse(text, "notice")
    rows = [p.text for p in passages if p.kind == "row"]
    assert rows == [
        "项目类型：品牌培育；申报主体：行业协会、商会；支持额度：不超过80万元",
        "项目类型：指导站建设；申报主体：园区运营机构；支持额度：不超过15万元",
    ]
    assert any("注：额度为上限" in p.text and p.kind != "row" for p in passages)
    # two cells, or a pipe inside a sentence, make no table
    assert not [p for p in _parse("某某通知（示例）\n\n甲 | 乙\n丙 | 丁\n", "n") if p.kind == "row"]


def test_a_table_aligned_with_spaces_becomes_rows_with_their_columns():
    """A plain-text report's table, columns lined up with spaces, a line of units under its
    header: one row per line, each cell under its column, the caption line naming it."""
    text = (
        "某某白皮书（示例）\n\n六、区域情况\n\n表2  各区主要指标\n\n"
        "区县          常住人口    发明专利授权    商标注册\n"
        "              （万人）    （件）          （件）\n"
        "临江区        178         2,010           15,630\n"
        "东湖区        156         1,580           13,280\n\n"
        "从表2可以看出，临江区商标注册最多。\n"
    )
    passages = _parse(text, "paper")
    rows = [p for p in passages if p.kind == "row"]
    assert [r.text for r in rows] == [
        "区县：临江区；常住人口（万人）：178；发明专利授权（件）：2,010；商标注册（件）：15,630",
        "区县：东湖区；常住人口（万人）：156；发明专利授权（件）：1,580；商标注册（件）：13,280",
    ]
    assert rows[0].section == ["六、区域情况", "表2  各区主要指标"]
    # prose with a wide gap, or lines of different widths, make no table
    prose = "某某通知（示例）\n\n一、说明\n\n甲方  乙方  丙方\n以上三方  协商一致。\n"
    assert not [p for p in _parse(prose, "n") if p.kind == "row"]


def test_articles_are_units_inside_their_chapters():
    articles = [p for p in _parse(REGULATION, "reg") if p.kind == "article"]
    assert [p.section for p in articles][2] == ["第二章 扶持标准", "第三条"]
    third = articles[2].text
    assert third.startswith("第三条") and "（二）奖励资金直接拨付" in third  # its items stay
    assert len({tuple(p.section) for p in articles}) == 5


def test_faq_pairs_stay_together():
    pairs = [p for p in _parse(FAQ, "faq") if p.kind == "faq"]
    assert len(pairs) == 3
    assert pairs[0].text.startswith("问：作品登记要多久？") and "20个工作日" in pairs[0].text
    assert pairs[2].section == ["二、咨询"]


def test_markdown_and_tab_tables_become_rows_with_their_columns():
    rows = [p for p in _parse(GUIDE, "guide") if p.kind == "row"]
    assert [r.text for r in rows][1] == "环节：审核；时限：8个工作日；部门：审查科"
    assert rows[0].section == ["一、办理时限", "各环节如下表"]
    annex = [p for p in _parse(ANNEX, "notice") if p.kind == "row"]
    assert [r.text for r in annex] == [
        "评价指标：研发投入；分值：30",
        "评价指标：专利数量；分值：20",
    ]
    assert annex[0].section == ["附件1：评分表"]


def test_structure_questions_over_any_document():
    passages = _parse(REGULATION, "reg") + _parse(FAQ, "faq")
    tree = Structure(passages)
    assert tree.answer("第三条讲的是什么").text.startswith("第三条 对新获驰名商标认定的企业")
    assert tree.answer("扶持规定的最后一条").text.startswith("第五条")
    assert tree.answer("倒数第二条是什么").text.startswith("第四条")
    count = tree.answer("这个规定一共有几条")
    assert "共有5条" in count.text
    missing = tree.answer("第九条怎么规定的")
    assert not missing.answered and "没有第九条" in missing.text
    chapter = tree.answer("第二章讲什么")
    assert chapter.text.startswith("第二章 扶持标准")
    assert tree.answer("商标品牌有什么奖励") is None  # not a structure question


def test_a_part_the_named_document_has_not_is_said_so_though_another_has_it():
    """ "指南第五部分" where the guide has four and the FAQ a fifth: the guide has none."""
    guide = "某某事项办事指南（示例）\n\n一、甲\n\n甲的内容。\n\n二、乙\n\n乙的内容。\n"
    other = "某某情况说明（示例）\n\n一、甲\n\n甲。\n\n二、乙\n\n乙。\n\n三、丙\n\n丙。\n"
    tree = Structure(_parse(guide, "guide") + _parse(other, "other"))
    missing = tree.answer("指南第三部分说了什么")
    assert missing is not None and not missing.answered and "没有第三部分" in missing.text
    assert "丙" in tree.answer("第三部分说了什么").text  # the only one that has one


def test_the_part_after_or_before_one_named_and_the_document_named_by_its_kind():
    tree = Structure(_parse(REGULATION, "reg") + _parse(GUIDE, "guide") + _parse(FAQ, "faq"))
    assert tree.answer("第三条后面那一条呢").text.startswith("第四条")
    assert tree.answer("第二章前面那一章是什么").text.startswith("第一章")
    last = tree.answer("第五条后面是哪一条")
    assert last.answered and "最后一条" in last.text
    # two documents have a 第二部分: "指南" names which
    assert tree.answer("指南的第二部分讲什么").text.startswith("二、联系方式")
    assert tree.answer("问答的第二个部分讲什么").text.startswith("二、咨询")
    # a numbered section named with a column or section number: only its neighbour is read here
    assert tree.answer("第二部分讲什么", finer=True) is None


def test_evidence_decides_whether_a_passage_gives_what_is_asked():
    faq = [p for p in _parse(FAQ, "faq") if p.kind == "faq"]
    fee, duration = Qualifier("fee", ("收费",)), Qualifier("duration", ("多久",))
    contact = Qualifier("contact", ("电话",))
    assert answering((duration,), faq) == 0
    assert answering((contact,), faq) == 2
    assert shows(fee, faq[1].text)  # "免费" says what it costs
    assert not shows(fee, faq[0].text)
    # a year is not a time limit, a place must be named by the passage
    assert not shows(duration, "到2025年，登记金额达到3200亿元")
    assert not shows(Qualifier("place", ("上海",)), faq[2].text)


def test_evidence_is_about_the_kind_of_ip_the_asking_part_names():
    faq = [p for p in _parse(FAQ, "faq") if p.kind == "faq"]  # 版权登记常见问答
    duration = Qualifier("duration", ("多久",))
    assert answering((duration,), faq, READER.read("作品登记要多久").objects) == 0
    # 版权 is in the document's title: a passage is about what its document is about
    assert answering((duration,), faq, READER.read("版权登记审查要多久").objects) == 0
    assert answering((duration,), faq, READER.read("商标注册审查要多久").objects) is None
    # the trouble told before the question is framing, not what is asked about
    assert READER.read("我的商标被人仿冒了，咨询电话是多少").objects == ()


def test_an_indicator_row_shows_a_figure_and_nothing_else():
    row = Passage("p-1", "plan", "某指标（亿元）：2020年 10；2025年 20", ["表"], "indicator")
    assert answering((Qualifier("figure", ()),), [row]) == 0
    assert answering((Qualifier("duration", ("多久",)),), [row]) is None


def test_follow_ups_with_nothing_to_follow():
    assert elliptical("那2020年呢？")
    assert elliptical("它后面一条呢")
    assert not elliptical("那么商标注册要多久才能拿到证书呢？")  # long enough to stand alone
    assert not elliptical("商标注册要多久？")
    # spoken: an interjection before, a particle after, a filler opener running into another
    assert elliptical("嗯那个那要交多少钱啊") and elliptical("那要交多少钱啊")
    assert not elliptical("嗯商标注册要交多少钱啊")
    # no subject at all, "那要…" from the start: longer, and still a follow-up
    assert elliptical("那要几个工作日才能办好？") and elliptical("那需要带哪些材料过去呢")
    assert not elliptical("那要是商标被别人抢注了应该去哪里投诉")  # "what if": it says what
    # …and the questions offered back are built from what was asked, not from the sounds
    from service.qa.reading.clarify import candidates

    assert candidates("嗯，那个那要交多少钱啊", ["收费标准"]) == ["收费标准：要交多少钱？"]
    assert candidates("那2020年呢？", ["主要指标"]) == ["主要指标：2020年？"]


def test_what_answers_call_the_documents():
    assert scope_of(["“十四五”国家知识产权保护和运用规划"]) == "规划"
    assert scope_of(["某某区商标品牌扶持规定（示例）"]) == "规定"
    assert scope_of(["甲", "乙"]) == "已收录的文件"


def test_api_names_each_passage_document_and_asks_back_without_history(client):
    body = client.post("/ask", json={"question": "地理标志怎么保护？"}).json()
    assert body["passages"][0]["doc"] == {
        "id": "plan",
        "title": "“十四五”国家知识产权保护和运用规划",
    }
    bare = client.post("/ask", json={"question": "那2020年呢？"}).json()
    assert bare["outcome"] == "clarify" and bare["found"] is False
    assert bare["suggestions"] and all(s.endswith("？") for s in bare["suggestions"])
    assert bare["indicators"] == []  # no row picked silently
    followed = client.post(
        "/ask",
        json={
            "question": "那2020年呢？",
            "history": [
                {"role": "user", "content": "海外发明专利授权量2025年目标是多少？"},
                {"role": "assistant", "content": "到2025年，海外发明专利授权量目标为9万件。"},
            ],
        },
    ).json()
    assert followed["outcome"] != "clarify"


def test_eval_runs_every_mode_over_the_documents_and_every_gold_string_is_found(tmp_path):
    """The document sets in every retrieval mode (bm25 once crashed on a question nothing
    matched), and every held-out and tuning gold string names a passage of its document."""
    from eval.askers import EngineAsker
    from eval.docs_corpus import docs_corpus
    from eval.gold import DOCS_TUNING_QUESTIONS, HELDOUT2_QUESTIONS, load_questions
    from eval.run import NoCache, run_eval
    from index.search import MODES
    from index.store import build_index
    from service.state import load_engine
    from tests.conftest import make_settings
    from tests.fakes import FakeEmbedder

    corpus = docs_corpus(tmp_path / "corpus")
    settings = make_settings(
        tmp_path, model=FakeEmbedder.model_id, dense_index="numpy", corpus_dir=corpus
    )
    build_index(
        corpus, FakeEmbedder(), settings.index_dir, hnsw_threshold=10_000, dense_index="numpy"
    )
    asker = EngineAsker(load_engine(settings, FakeEmbedder(), NoCache()))
    assert {p.doc for p in asker.passages} == {
        "plan",
        "guide",
        "faq",
        "regulation",
        "notice",
        "interpretation",
    }
    report = run_eval(asker, load_questions(DOCS_TUNING_QUESTIONS), MODES)
    assert set(report["modes"]) == set(MODES)
    assert report["gold_without_relevant_passage"] == []
    assert set(report["modes"]["hybrid"]["documents"]) == {"plan", "guide", "faq", "regulation"}
    held = run_eval(asker, load_questions(HELDOUT2_QUESTIONS), ["bm25"])
    # a gold string copied from a table's source line ("审查 | 5个工作日") may not survive the
    # table's rows; these are counted in the report, and few
    assert len(held["gold_without_relevant_passage"]) <= 15


# Gold strings the parser does not keep in one passage, found by this test when their set
# came (each a parser gap, counted by the eval as a retrieval miss), listed so that the test
# fails on any other and on a listed one once it is found (then it goes from here).
# held-out-6's h6-b-045 (a cell of a table written without outer pipes) went with 6382c04.
# held-out-9's three (h9-a-030, h9-b-028, h9-b-029: left unread) went with the tables aligned
# with spaces, a format found in docs-tuning-8's white paper.
# held-out-10's four (left unread) came with the set, at the eleventh session's start.
PARSER_GAPS: dict[str, set[str]] = {
    "held-out-10": {"h10-a-068", "h10-a-082", "h10-b-041", "h10-b-080"},
    # a list item cut at a chunk's end ("…。3. 壮大调解力量。" | "支持行业协会…"): keeping items
    # whole in a chunk (a9d4171) moved other passages' cuts and was reverted with the figures
    "docs-tuning-tree": {"tt-082"},
    # a contact line cut between "电子邮箱：" and the address at a chunk's end
    "docs-tuning-11": {"t11-014"},
}


def _sets_over_more_documents() -> list[str]:
    from eval.sets import over_documents

    return [name for name, s in over_documents().items() if s.documents != "samples"]


@pytest.mark.parametrize("name", _sets_over_more_documents())
def test_every_gold_string_of_the_sets_over_more_documents_names_a_passage(tmp_path, name):
    """Each set over the samples and one more folder (eval/heldout3.jsonl over corpus/samples3,
    docs_tuning4 over samples4, heldout5 over samples5…), over its own corpus: each answerable
    question's passage_contains is in a passage of its document, as parsed."""
    from corpus.load import corpus_files
    from eval import docs_corpus as corpora
    from eval.askers import EngineAsker
    from eval.gold import load_questions
    from eval.run import NoCache, run_eval
    from eval.sets import DOCUMENT_SETS, QUESTION_SETS
    from index.store import build_index
    from service.state import load_engine
    from tests.conftest import make_settings
    from tests.fakes import FakeEmbedder

    question_set = QUESTION_SETS[name]
    sources = DOCUMENT_SETS[question_set.documents].sources
    documents = {p.stem for p in corpus_files(sources[-1])}
    corpus = corpora.docs_corpus(tmp_path / "corpus", sources)
    settings = make_settings(
        tmp_path, model=FakeEmbedder.model_id, dense_index="numpy", corpus_dir=corpus
    )
    build_index(
        corpus, FakeEmbedder(), settings.index_dir, hnsw_threshold=10_000, dense_index="numpy"
    )
    asker = EngineAsker(load_engine(settings, FakeEmbedder(), NoCache()))
    assert documents <= {p.doc for p in asker.passages}
    report = run_eval(asker, load_questions(question_set.path), ["bm25"])
    assert set(report["gold_without_relevant_passage"]) == PARSER_GAPS.get(name, set())


def test_an_article_longer_than_one_passage_is_answered_whole():
    long_article = "第一条 " + "；".join(
        f"第{i}项要求写得很长很长很长很长很长很长很长很长" for i in range(20)
    )
    text = (
        "某某办法（示例）\n\n第一章 总则\n\n"
        + long_article
        + "。\n\n第二条 本办法自公布之日起施行。\n"
    )
    passages = _parse(text, "long")
    assert sum(p.section[-1:] == ["第一条"] for p in passages) >= 2  # split into pieces
    found = Structure(passages).answer("第一条讲什么")
    assert "第19项要求" in found.text and len(found.passages) >= 2


def test_a_chapters_articles_and_a_count_asked_with_another_verb():
    """ "申报与审核那一章是从第几条到第几条", "第二章有几条": the articles of a chapter named by
    number or by its heading's words; "总共分了几个部分" counts like "一共有几部分"."""
    tree = Structure(_parse(REGULATION, "reg") + _parse(GUIDE, "guide"))
    by_words = tree.answer("扶持标准那一章是从第几条到第几条？")
    assert by_words is not None and by_words.text.startswith("第二章 扶持标准共有")
    assert all("第二章 扶持标准" in p.section for p in by_words.passages)
    by_number = tree.answer("规定的第二章有几条")
    assert by_number is not None and by_number.text == by_words.text
    counted = tree.answer("办事指南总共分了几个部分？")
    assert counted is not None and "共有" in counted.text and "部分" in counted.text


def test_a_function_character_is_not_a_typo():
    """ "申报与审核" is a phrase, not a typo of a word "预审核" that sounds like its middle."""
    from service.qa.reading.spelling import Speller

    speller = Speller(["预审核", "知识产权"])
    assert speller.correct("申报与审核那一章") == "申报与审核那一章"
    assert speller.correct("知识产全保护") == "知识产权保护"  # a real homophone typo still is
    # 不 may be read fǒu, as 否 is: "能不能" is no typo of a document's "能否"
    asking = Speller(["能否", "是否"])
    assert asking.correct("银行能不能非要我") == "银行能不能非要我"
    assert asking.correct("是不是每回都得去办") == "是不是每回都得去办"
    # a slip jieba happens to list ("注消", "正书") is corrected; a common word ("公式") is not
    from service.qa.reading.understand import _dictionary_word

    voiced = Speller(["注销", "证书", "公示"], is_word=_dictionary_word)
    assert voiced.correct("注消登记的正书") == "注销登记的证书"
    assert voiced.correct("计算公式") == "计算公式"


def test_a_word_spelled_right_is_not_broken_by_a_typo_fix():
    """ "放出知识产权" sounds like it holds 出质 (chū zhì), but 知 belongs to 知识产权, a word of
    the documents spelled right; only the documents' words keep a window so ("工成都" is still
    工程 都, though 成都 is a city)."""
    from service.qa.reading.spelling import Speller
    from service.qa.reading.understand import _dictionary_word

    speller = Speller(["出质", "知识产权", "工程"], is_word=_dictionary_word)
    assert speller.correct("银行放出知识产权质押贷款") == "银行放出知识产权质押贷款"
    assert speller.correct("出知人是谁") == "出质人是谁"
    assert speller.correct("合作工成都有啥") == "合作工程都有啥"
    # a place's one-character suffix is kept: "按市里的办法" is no 按时 (on time)
    timely = Speller(["按时"], is_word=_dictionary_word)
    assert timely.correct("按市里的办法") == "按时里的办法"
    places = Speller(["按时"], is_word=_dictionary_word, keep=frozenset("市"))
    assert places.correct("按市里的办法") == "按市里的办法"
    from service.qa.reading.understand import Reader

    assert Reader(["按时", "资助"]).clean("授权以后按市里的资助办法能拿资助吗") == (
        "授权以后按市里的资助办法能拿资助吗"
    )


def test_a_full_width_space_after_a_marker_is_a_space():
    """ "第一条　为了…" (an ideographic space, as many official texts are typed): the article's
    label is "第一条", the chapter's heading "第一章 总则", as with an ASCII space."""
    wide = REGULATION.replace("第一章 总则", "第一章\u3000总则").replace("第一条 ", "第一条\u3000")
    passages = _parse(wide, "reg")
    first = next(p for p in passages if p.kind == "article")
    assert first.section == ["第一章 总则", "第一条"]
    overview = next(p for p in passages if p.kind == "overview")
    # a chapter's overview lists its articles with their opening words
    assert (
        overview.text
        == "第一章 总则：第一条 为支持本区商标品牌发展；第二条 本规定适用于在本区登记的企业"
    )


def test_where_a_part_named_by_its_heading_is():
    """ "扶持标准那一章在第几章", "联系方式在指南的第几部分": the part whose heading the question
    names (most of its words, loosely), by its number; nothing when it names none."""
    tree = Structure(_parse(REGULATION, "reg") + _parse(GUIDE, "guide"))
    chapter = tree.answer("那个扶持的标准是在第几章里头讲的")
    assert chapter is not None and "第二章 扶持标准" in chapter.text
    assert chapter.passages[0].section == ["第二章 扶持标准"]
    part = tree.answer("联系方式那一块在指南的第几部分啊")
    assert part is not None and "第二部分：二、联系方式" in part.text
    assert tree.answer("申请材料在第几部分") is None  # no heading has those words


def test_an_article_number_only_one_document_has_and_the_part_nearest_the_direction():
    """Two documents with articles: "第七条" is the one that has a seventh; "第二章中紧接
    第三条之后的那一条" is the article after 第三条, not the chapter after 第二章."""
    longer = REGULATION.replace(
        "第三章 附则", "第三章 附则\n\n第六条 另有规定的除外。\n\n第七条 由区局解释。"
    )
    longer = longer.replace("某某区商标品牌扶持规定", "某某区专利资助规定")
    tree = Structure(_parse(REGULATION, "reg") + _parse(longer, "other"))
    seventh = tree.answer("规定第七条讲的是什么")
    assert seventh is not None and seventh.text.startswith("第七条 由区局解释")
    after = Structure(_parse(REGULATION, "reg")).answer("第二章中紧接第三条之后的那一条是什么")
    assert after is not None and after.text.startswith("第四条")


def test_structure_questions_asked_one_after_another():
    """ "这个规定共有多少条？分为几章？": both answered, the document named once for both;
    not when one of them is no structure question."""
    tree = Structure(_parse(REGULATION, "reg") + _parse(GUIDE, "guide"))
    both = tree.answer("这个规定共有多少条？分为几章？")
    assert both is not None and "共有5条" in both.text and "共有3章" in both.text
    last = tree.answer("规定总共有多少条？最后一章叫什么？")
    assert last is not None and "共有5条" in last.text and "第三章 附则" in last.text
    mixed = tree.answer("规定共有多少条？奖励多少钱？")
    assert mixed is not None and mixed.text.startswith("《")  # the count, as before
    assert "奖励" not in mixed.text
