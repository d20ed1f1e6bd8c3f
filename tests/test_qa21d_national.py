"""A national indicator row does not hide a passage that answers a period word itself: with a
regulation loaded, "海外发明专利资助，每家单位每年累计最多多少" is answered from its article
(每年 is in it), not told that the plan's table has no yearly data. The regulation is written
here; the plan is the project's own."""

from __future__ import annotations

from tests.engines import fake_engine

REGULATION = """本市专利资助办法（示例）

第一章 总则

第一条 为鼓励发明创造，制定本办法。

第二章 资助标准

第八条 国外发明专利资助。在国外获得授权的发明专利，每件资助1万元，每家单位每年累计不超过100万元。

第九条 商标国际注册资助。每件资助4000元。
"""


def test_a_passage_with_the_period_word_answers_before_the_national_row(tmp_path, monkeypatch):
    engine = fake_engine(tmp_path, {"regulation.txt": REGULATION})
    asked = "国外发明专利资助，每家单位每年累计最多多少？"
    # the real model puts the plan's 海外发明专利授权量 row first for this question, which makes
    # it the row asked about; the fake one does not, so that is set here
    overseas = [i for i in engine.indicators if i.name.startswith("海外发明专利")]
    monkeypatch.setattr(engine, "_implied_row", lambda query, result: overseas)
    answer = engine.ask(asked, mode="bm25")
    assert answer.outcome == "answer" and "100万元" in answer.text
    # a city's figure is still never the national row's
    city = engine.ask("深圳海外发明专利授权量2025年目标是多少？", mode="bm25")
    assert city.outcome == "related" and "深圳" in city.text


def test_a_row_is_no_figure_for_a_question_without_a_word_of_the_documents(tmp_path):
    """个人所得税起征点是多少 uses not one word the documents use: the indicator row retrieval
    happens to put first is neither the row it asks about nor its figure (it was answered with
    质押融资登记金额 when the model's cosine let it into scope)."""
    from dataclasses import replace

    from service.qa.answering.evidence import answering
    from service.qa.reading.understand import Qualifier

    engine = fake_engine(tmp_path)
    result = engine.searcher.search("知识产权质押融资登记金额是多少", mode="bm25")
    assert result.hits[0].passage.kind == "indicator"
    known = engine.reader.read("知识产权质押融资登记金额是多少")
    unknown = engine.reader.read("个人所得税起征点是多少")
    blind = replace(result, evidence=replace(result.evidence, known_tokens=[]))
    assert engine._implied_row(known, result)  # a word of the documents: the row is asked
    assert engine._implied_row(unknown, blind) == []
    passages = [h.passage for h in result.hits]
    figure = (Qualifier("figure", ()),)
    assert answering(figure, passages) == 0
    assert answering(figure, passages, rows_count=False) is None
