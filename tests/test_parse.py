"""The parser on the real plan: structure, section paths, the indicator table."""

from __future__ import annotations

import re

import pytest

from corpus.load import CorpusError, load_corpus
from corpus.parse import parse_document


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def _titles(corpus, pattern):
    return {s for p in corpus.passages for s in p.section if re.match(pattern, s)}


def test_all_chapters_sections_columns(corpus):
    chapters = _titles(corpus, r"^[一二三四五六七八]、")
    sections = _titles(corpus, r"^\([一二三四五六七八九十]+\)")
    columns = _titles(corpus, r"^专栏\d+")
    assert len(chapters) == 8
    assert len(sections) == 21
    assert sorted(int(re.match(r"专栏(\d+)", c).group(1)) for c in columns) == list(range(1, 16))


def test_indicator_rows_exact(corpus):
    rows = {i.id: i for i in corpus.indicators}
    assert len(rows) == 8
    expected = {
        1: ("每万人口高价值发明专利拥有量", "件", 6.3, 12, 5.7),
        2: ("海外发明专利授权量", "万件", 4, 9, 5),
        3: ("知识产权质押融资登记金额", "亿元", 2180, 3200, 1020),
        4: ("知识产权使用费年进出口总额", "亿元", 3194.4, 3500, 305.6),
        5: ("专利密集型产业增加值占GDP比重", "%", 11.6, 13.0, 1.4),
        6: ("版权产业增加值占GDP比重", "%", 7.39, 7.5, 0.11),
        7: ("知识产权保护社会满意度", "分", 80.05, 82, 1.95),
        8: ("知识产权民事一审案件服判息诉率", "%", None, 85, None),
    }
    for rid, (name, unit, v20, t25, inc) in expected.items():
        row = rows[rid]
        values = (row.value("base"), row.value("target"), row.value("change"))
        assert (row.name, row.unit, *values) == (
            name,
            unit,
            v20,
            t25,
            inc,
        )
    assert rows[5].text("target") == "13.0" and isinstance(rows[5].value("target"), float)
    assert rows[2].text("base") == "4" and isinstance(rows[2].value("base"), int)
    assert rows[8].text("base") is None and rows[8].text("change") is None
    assert [(c.header, c.role, c.year) for c in rows[1].columns] == [
        ("2020年", "base", "2020"),
        ("2025年", "target", "2025"),
        ("累计增加值", "change", ""),
    ]
    assert rows[1].span == 5


def test_passages_carry_section_paths(corpus):
    col5 = next(p for p in corpus.passages if p.kind == "column" and "专栏5" in p.text)
    assert col5.section == [
        "三、全面加强知识产权保护，激发全社会创新活力",
        "(六) 加强知识产权行政保护",
        "专栏5 地理标志保护工程",
    ]
    assert "实施地理标志农产品保护工程" in col5.text
    row = next(
        p for p in corpus.passages if p.kind == "indicator" and "海外发明专利授权量" in p.text
    )
    assert row.section[:2] == ["二、总体要求", "(三) 主要目标"]
    assert all(p.section for p in corpus.passages if p.kind != "title")
    assert "专栏5" in col5.search_text and "地理标志" in col5.search_text


def test_shisanwu_figures_and_emphasis(corpus):
    text = "\n".join(p.text for p in corpus.passages)
    for figure in ("6.3件", "15.8件", "11.6%", "7.39%", "80.05分"):
        assert figure in text
    assert "**" not in text


def test_publisher_lines(corpus):
    pub = [p for p in corpus.passages if p.kind == "publisher"]
    assert pub and "福州市市场监督管理局（知识产权局）" in pub[0].text


def test_ids_stable_and_unique(corpus):
    again = load_corpus()
    assert [p.id for p in corpus.passages] == [p.id for p in again.passages]
    assert len({p.id for p in corpus.passages}) == len(corpus.passages)


def test_full_width_section_brackets_and_plain_paragraphs():
    doc = parse_document(
        "一、总则\n\n（一）适用范围\n\n- 第一项\n- 第二项\n\n一段没有标记的普通文字。"
    )
    sections = {s for p in doc.passages for s in p.section}
    assert "（一）适用范围" in sections
    plain = parse_document("第一段文字，说明一件事。\n\n第二段文字，说明另一件事。", doc="memo")
    assert [p.text for p in plain.passages] == [
        "第一段文字，说明一件事。",
        "第二段文字，说明另一件事。",
    ]


def test_bracketed_sections_of_a_notice():
    """【申请材料】 on a line of its own opens a section, beside the 【】 before it or under a
    heading already open; "【温馨提示】…" with its text on the line is a paragraph."""
    doc = parse_document(
        "某某办事须知（示例）\n\n【申请条件】\n本市企业可以申请。\n\n【申请材料】\n"
        "□ 申请表1份\n\n一、其他\n\n【温馨提示】请先预约。\n\n【说明】\n不收费。",
        doc="notice",
    )
    paths = {p.text: p.section for p in doc.passages if p.kind == "text"}
    assert paths["本市企业可以申请。"] == ["【申请条件】"]
    assert paths["□ 申请表1份"] == ["【申请材料】"]
    assert paths["【温馨提示】请先预约。"] == ["一、其他"]
    assert paths["不收费。"] == ["一、其他", "【说明】"]


def test_long_paragraph_is_split_without_loss():
    long = "知识产权保护工作取得了历史性成就，" * 30 + "结束。"
    doc = parse_document(f"一、背景\n\n{long}")
    parts = [p.text for p in doc.passages if p.kind == "text"]
    assert len(parts) > 1 and all(len(t) <= 160 for t in parts)
    assert "".join(parts) == long


def test_bad_corpus_dir_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="no .txt or .md"):
        load_corpus(tmp_path)
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\xfa not utf8")
    with pytest.raises(CorpusError, match="not UTF-8"):
        load_corpus(tmp_path)
