"""Reading an upload (service/office/documents/): text in UTF-8 or GB18030, Word's headings,
lists and tables, a PDF's wrapped lines joined into paragraphs and its page numbers dropped,
and the preview's list of what was not understood."""

from __future__ import annotations

import io

import pytest

from corpus.parse import parse_document
from service.office.documents.extract import ExtractError
from service.office.documents.pdf import paragraphs
from service.office.documents.preview import preview
from service.office.documents.upload import read_upload
from tests.pdf_fixture import text_pdf


def test_text_in_gb18030_or_with_a_bom_reads_the_same():
    text = "某区办法（示例）\n\n第一条 为了规范管理，制定本办法。\n"
    for data in (text.encode("gb18030"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        assert read_upload("a.txt", data).text == text
    with pytest.raises(ExtractError, match="二进制"):
        read_upload("a.txt", b"PK\x03\x04\x00\x00binary")


def _docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading("某区专利资助办法（示例）", level=0)
    doc.add_heading("第一章 总则", level=1)  # its own marker: kept as the text says it
    doc.add_paragraph("第一条 为了鼓励创新，制定本办法。")
    doc.add_heading("申请材料", level=2)  # no marker: a Markdown heading
    doc.add_paragraph("申请表", style="List Bullet")
    doc.add_paragraph("专利证书复印件", style="List Bullet")
    one = doc.add_table(rows=1, cols=2)  # a framed line, not a table
    one.cell(0, 0).text, one.cell(0, 1).text = "备注：", "材料一式两份。"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_word_headings_lists_and_tables():
    text = read_upload("a.docx", _docx()).text
    assert text.startswith("# 某区专利资助办法（示例）\n")
    assert "\n第一章 总则\n" in text and "## 第一章" not in text
    assert "\n### 申请材料\n" in text
    assert "- 申请表\n- 专利证书复印件" in text  # one paragraph: the parser's list
    assert "备注： 材料一式两份。" in text and "|" not in text
    parsed = parse_document(text, doc="x")
    article = next(p for p in parsed.passages if p.kind == "article")
    assert article.section == ["第一章 总则", "第一条"]


def test_pdf_lines_become_paragraphs():
    wrapped = "申请人应当在每年六月三十日之前通过本市网上办事大厅提交申请材料，逾期"
    lines = [
        "某区专利资助办法（示例）",
        "一、申请时间",
        wrapped,
        "不予受理。",
        "- 2 -",
        "（一）材料要求",
        "1. 申请表；",
        "2. 证书复印件。",
        "第 3 页 共 9 页",
        "问：多久办完？",
        "答：二十个工作日。",
    ]
    text = paragraphs(lines)
    assert text.split("\n\n") == [
        "某区专利资助办法（示例）",
        "一、申请时间",
        wrapped + "不予受理。",
        "（一）材料要求",
        "1. 申请表；",
        "2. 证书复印件。",
        "问：多久办完？",
        "答：二十个工作日。",
    ]
    assert read_upload("a.pdf", text_pdf([lines])).text.strip() == text


def test_an_empty_or_broken_pdf_says_why():
    with pytest.raises(ExtractError, match="损坏"):
        read_upload("a.pdf", b"%PDF-1.7 nothing else")
    with pytest.raises(ExtractError, match="扫描件"):
        read_upload("a.pdf", text_pdf([[""], [""]]))


def test_the_preview_names_what_it_did_not_understand():
    text = "一些说明文字，没有标题。\n\n答：一个没有问题的答案。\n\n甲\t乙\n"
    shown = preview(text, "loose")
    unclear = "\n".join(shown.unclear)
    assert "没有从正文中认出文件标题" in unclear
    assert "答案前面没有问题" in unclear
    assert "没有认出任何章节、表格、问答或条文" in unclear
    assert not shown.title_found
    named = preview(text, "loose", title="某区说明（示例）")
    assert named.title == "某区说明（示例）" and "标题" not in named.unclear[0]
