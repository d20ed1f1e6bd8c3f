"""Generic retrieval, round 3: an FAQ answer's later chunk carries its question into what is
indexed, and a match found only through the terms searched with a question (the lexicon's
words for its everyday ones) counts half. The documents are written here."""

from __future__ import annotations

from corpus.parse import MAX_CHARS, parse_document
from corpus.records import Indicator, Passage
from corpus.split import LEAD_CHARS, lead_of, split_text, split_with_lead
from corpus.tokens import tokenize
from index.boosts import EXPANDED_SHARE, Booster
from index.fusion import BOOST
from index.search import Searcher

ITEMS = "".join(
    f"（{n}）第{n}类标志与国家名称、国旗、国徽等相同或者近似的，不予注册；" for n in range(9)
)
FAQ = f"""某局常见问题解答（示例）

一、商标

问：哪些标志不能作为商标注册？
答：以下标志一般不予注册：{ITEMS}

问：商标注册要多久？
答：一般需要7至9个月。

第一章 总则

第一条 为了规范资助工作，{ITEMS}
"""


def test_a_later_chunk_carries_the_opening_sentence():
    text = "问：哪些标志不能作为商标注册？ 答：" + ITEMS
    pairs = split_with_lead(text, 60)
    assert len(pairs) > 1
    assert "".join(chunk for chunk, _ in pairs) == text  # the chunks are still the text
    assert pairs[0][1] == ""  # the first chunk holds its opening itself
    assert {lead for _, lead in pairs[1:]} == {"问：哪些标志不能作为商标注册？"}
    assert all(lead == "" for _, lead in split_with_lead(text, 60, carry=False))
    assert split_with_lead("问：短吗？ 答：短。", 60) == [("问：短吗？ 答：短。", "")]
    assert [c for c, _ in split_with_lead(text, 60)] == split_text(text, 60)


def test_an_opening_is_a_sentence_else_a_clause_else_cut():
    assert lead_of("第八条 国外发明专利资助。对通过PCT途径获得授权的，给予资助。") == (
        "第八条 国外发明专利资助。"
    )
    long_clause = "甲" * 50
    assert lead_of(f"{'乙' * 30}，{long_clause}。") == "乙" * 30 + "，"
    assert lead_of(long_clause) == "甲" * LEAD_CHARS


def test_an_faq_answers_later_chunk_is_indexed_with_its_question():
    passages = parse_document(FAQ, doc="faq").passages
    pairs = [p for p in passages if p.kind == "faq"]
    later = [p for p in pairs if not p.text.startswith("问")]
    assert later and len(ITEMS) > MAX_CHARS
    for p in later:
        assert p.lead == "问：哪些标志不能作为商标注册？"
        assert p.search_text.startswith("一、商标 问：哪些标志不能作为商标注册？ ")
        assert p.text in p.search_text
    # a pair in one chunk, and an article's later chunks (its label ends their section path),
    # carry nothing more
    assert all(p.lead == "" for p in pairs if p.text.startswith("问"))
    articles = [p for p in passages if p.kind == "article"]
    assert len(articles) > 1 and all(p.lead == "" for p in articles)
    assert all(p.section[-1] == "第一条" for p in articles)


def test_a_passage_without_lead_is_indexed_as_before():
    p = Passage("p-1", "d", "正文", ["一、总则", "（一）目的"])
    assert p.search_text == "一、总则 （一）目的 正文"
    assert Passage(**p.to_dict()) == p  # an index written before leads loads the same


def _phrase_weights(booster: Booster, expanded: str, asked: str) -> dict[int, float]:
    planned = booster.plan(expanded, named_indicator=False, asked=asked)
    return {i: w for i, why, w, _ in planned if why.startswith("短语匹配")}


def test_a_phrase_found_only_in_the_searched_terms_counts_half():
    passages = [
        Passage(
            "p-0", "faq", "问：要预约吗？ 答：可以通过知识产权公共服务平台预约。", ["服务"], "faq"
        ),
        Passage("p-1", "faq", "问：服务大厅晚上开门吗？ 答：每周三延时服务。", ["服务"], "faq"),
    ]
    booster = Booster(passages)
    asked = "服务大厅晚上开门吗"
    weights = _phrase_weights(booster, f"{asked} 知识产权公共服务", asked)
    full = min(1.0, (len("知识产权公共服务") - 3) / 6)
    assert weights[0] == full * EXPANDED_SHARE  # only the lexicon's term is in it
    assert weights[1] == 1.0  # the question's own words: full weight
    # the same term in the question itself counts fully
    own = "知识产权公共服务怎么预约"
    assert _phrase_weights(booster, own, own)[0] == full


class _Matcher:
    """Names the row when its name is in the text, as the lexicon's alias would."""

    def __init__(self, name: str):
        self.row = Indicator(1, name, "件")

    def match(self, text: str):
        return [(self.row, 10.0)] if self.row.name in text else []


def test_a_row_named_only_through_the_searched_terms_earns_half_a_boost():
    searcher = Searcher.__new__(Searcher)  # only what _boost reads
    searcher.matcher = _Matcher("海外发明专利授权量")
    searcher._indicator_rows = {"海外发明专利授权量": 7}
    searcher._columns = {}
    named = searcher.matcher.match("海外发明专利授权量")
    fused: dict = {}
    searcher._boost(fused, named, None, "国外发明专利授权多少")  # named through "海外" only
    assert fused[7].score == BOOST * EXPANDED_SHARE
    fused = {}
    searcher._boost(fused, named, None, "海外发明专利授权量是多少")
    assert fused[7].score == BOOST and fused[7].why == ["指标名称匹配：海外发明专利授权量"]


def test_a_tables_column_name_names_no_row_but_an_items_label_does():
    """A row's "收费：免费" is its column's name, which every row of its table has: it lifts no
    row (a table of free services was put over the rule that says 不收取任何费用); a label
    of a passage's own ("收费：每件200元" in a guide's text) still names it."""
    passages = [
        Passage("p-0", "g", "推荐类型：发明；收费：免费", ["表"], "row"),
        Passage("p-1", "g", "推荐类型：外观设计；收费：免费", ["表"], "row"),
        Passage("p-2", "g", "收费：每件200元；办理时限：5个工作日", ["七、收费"], "text"),
    ]
    planned = Booster(passages).plan("调解委员会收费吗", named_indicator=False)
    labelled = {i for i, why, _, _ in planned if why.startswith("条目名称匹配")}
    assert labelled == {2}


def test_a_phrase_most_passages_hold_sets_none_apart():
    """A phrase the documents are about ("知识产权质押贷款", in most articles of the pledge rules)
    lifts each passage holding it by PHRASE_HOLDERS / holders of a full boost; a rarer one
    keeps its weight."""
    from index.boosts import PHRASE_HOLDERS

    common = "知识产权质押贷款"
    passages = [
        Passage(f"p-{n}", "rules", f"第{n}条 {common}的第{n}项规定。", [f"第{n}条"], "article")
        for n in range(2 * PHRASE_HOLDERS)
    ]
    passages.append(
        Passage("p-x", "rules", "合作银行应当在贷款发放之日起提交备案。", [], "article")
    )
    booster = Booster(passages)
    asked = f"{common}，贷款发放之日起多久备案"
    weights = _phrase_weights(booster, asked, asked)
    full = min(1.0, (len(common) - 3) / 6)
    assert weights[0] == full * PHRASE_HOLDERS / (2 * PHRASE_HOLDERS)
    assert weights[len(passages) - 1] == (len("贷款发放之日起") - 3) / 6  # one passage holds it


def test_the_plans_terms_count_half_in_bm25_when_other_documents_are_loaded(tmp_path):
    """The lexicon maps everyday words to the plan's terms ("纠纷" → "纠纷多元化解决机制"): with
    another document loaded that uses the everyday word itself, the terms searched with the
    question weigh half in BM25; with the plan alone, fully."""
    from index.store import build_index
    from service.state import load_engine
    from tests.conftest import make_settings
    from tests.fakes import FakeEmbedder

    def searcher(files: dict[str, str]):
        corpus = tmp_path / str(len(list(tmp_path.iterdir())))
        corpus.mkdir()
        for name, text in files.items():
            (corpus / name).write_text(text, encoding="utf-8")
        settings = make_settings(
            corpus, model=FakeEmbedder.model_id, dense_index="numpy", corpus_dir=corpus
        )
        build_index(
            corpus, FakeEmbedder(), settings.index_dir, hnsw_threshold=10_000, dense_index="numpy"
        )
        return load_engine(settings, FakeEmbedder()).searcher

    plan = "某规划（示例）\n\n一、保护\n\n完善知识产权纠纷多元化解决机制。\n"
    guide = "某登记指南（示例）\n\n一、效力\n\n登记证书不代替法院对纠纷的认定。\n"
    question, terms = "以后有纠纷能直接拿来用吗", ("纠纷多元化解决机制",)
    for files, share in (({"plan.txt": plan}, 1.0), ({"plan.txt": plan, "guide.txt": guide}, 0.5)):
        s = searcher(files)
        hit = next(
            h
            for h in s.search(question, top_k=5, expansions=terms).hits
            if "多元化" in h.passage.text
        )
        lexical = s.index.lexical
        own = tokenize(question, normalized=True)
        extra = [t for t in tokenize(" ".join(terms), normalized=True) if t not in own]
        i = s.passages.index(hit.passage)
        expected = lexical.scores(own)[i] + share * lexical.scores(extra)[i]
        assert abs(hit.bm25 - expected) < 1e-4


def test_a_question_names_a_document_by_its_titles_own_words():
    """ "听说可以让市里推荐优先审查…现场窗口在哪个地址": the 优先审查推荐 guide's passages,
    not another guide's address; a kind of document said ("办事指南") names none of two."""
    from index.titles import document_named, title_pairs

    passages = [
        Passage(
            "p-0",
            "priority",
            "地址：锦川路188号",
            [],
            "text",
            "本市专利优先审查推荐办事指南（示例）",
        ),
        Passage(
            "p-1", "pledge", "地址：科创大道188号", [], "text", "本市专利权质押登记办事指南（示例）"
        ),
    ]
    titles = title_pairs(passages)
    asked = "听说可以让市里推荐优先审查，请问现场窗口在哪个地址"
    assert document_named(asked, titles) == "priority"
    assert document_named("质押登记的窗口地址在哪", titles) == "pledge"
    assert document_named("办事指南里的窗口地址在哪", titles) is None
    assert document_named("推荐优先审查", {"priority": titles["priority"]}) is None  # one
    # the only document of a kind named ("白皮书专栏2"); not a kind that is an everyday word
    paper = Passage("p-2", "paper", "全年专利授权55,950件", [], "text", "某市2025年白皮书（示例）")
    notice = Passage("p-3", "notice", "申报截止", [], "text", "关于组织申报资助的通知（示例）")
    titles = title_pairs([*passages, paper, notice])
    assert document_named("白皮书专栏2讲的是什么", titles) == "paper"
    assert document_named("收到通知说材料不全", titles) is None


def test_a_year_in_a_title_names_no_document():
    """ "到2027年调解员要有多少人" shares 20/02/27 with "关于组织申报2027年度…的通知": three
    character pairs, enough to name the notice, whose passages were lifted as the
    conversation's; a year is no word of a title's own."""
    from index.titles import document_named, title_pairs

    passages = [
        Passage(
            "p-0", "notice", "申报截止4月30日", [], "text", "关于组织申报2027年度优势企业的通知"
        ),
        Passage("p-1", "measures", "调解员达到300人", [], "text", "纠纷快速处理若干措施政策解读"),
    ]
    titles = title_pairs(passages)
    assert document_named("到2027年调解员要有多少人", titles) is None
    assert document_named("优势企业申报什么时候截止", titles) == "notice"


def test_a_heading_alone_gives_way_to_what_it_heads(tmp_path):
    """ "要交哪些材料": the overview "（一）基本材料" (a heading with nothing under it but text)
    matched best, and the answer was the heading itself; the list under it answers."""
    from index.store import build_index, load_index
    from tests.fakes import FakeEmbedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "guide.md").write_text(
        "# 某某推荐办事指南（示例）\n\n## 五、申请材料\n\n### （一）基本材料\n\n"
        "1. 推荐申请表1份；\n2. 受理通知书复印件1份。\n\n### （二）材料要求\n\n"
        "1. 复印件统一使用A4纸。\n",
        encoding="utf-8",
    )
    build_index(corpus, FakeEmbedder(), tmp_path / "index", hnsw_threshold=10**6)
    index = load_index(tmp_path / "index", model=FakeEmbedder.model_id, corpus_dir=corpus)
    searcher = Searcher(index, FakeEmbedder())
    hits = searcher.search("基本材料有哪些", mode="bm25", top_k=5).hits
    texts = [h.passage.text for h in hits]
    assert "（一）基本材料" not in texts
    assert any("推荐申请表1份" in t for t in texts)
    assert len(texts) == len(set(texts))


def test_a_columns_short_name_another_document_uses_is_not_its_name(tmp_path):
    """With a guide to 数据知识产权登记 loaded, "数据知识产权" is the guide's subject, not the
    plan's 专栏2 (数据知识产权保护工程) by its short name; its whole title still names it."""
    import shutil

    from corpus.load import DEFAULT_CORPUS_DIR
    from index.store import build_index, load_index
    from tests.fakes import FakeEmbedder

    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS_DIR, corpus)
    (corpus / "data_guide.md").write_text(
        "# 某某数据知识产权登记办事指南（示例）\n\n## 一、有效期\n\n数据知识产权登记证书有效期为3年。\n",
        encoding="utf-8",
    )
    build_index(corpus, FakeEmbedder(), tmp_path / "index", hnsw_threshold=10**6)
    index = load_index(tmp_path / "index", model=FakeEmbedder.model_id, corpus_dir=corpus)
    searcher = Searcher(index, FakeEmbedder())
    assert searcher.columns_named("数据知识产权登记证书有效期几年") == []
    assert searcher.columns_named("数据知识产权保护工程讲了什么") == [2]
