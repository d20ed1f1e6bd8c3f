"""Documents for the 文件管理 tests, written here in every accepted format: a guide of a
made-up district (no sample document says 海棠区), as Markdown, text, Word (python-docx) and a
text PDF (tests/pdf_fixture.py), and what each must be read as."""

from __future__ import annotations

import io

from tests.pdf_fixture import scanned_pdf, text_pdf

TITLE = "海棠区商标品牌指导站服务指南（示例）"
PHONE = "0100-8765 4321"
FACT = "海棠区商标品牌指导站的咨询电话"  # only the new document says it
QUESTION = "海棠区商标品牌指导站的咨询电话是多少？"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

LINES = [
    TITLE,
    "一、服务内容",
    "指导站为本区企业提供商标注册、商标品牌培育和商标维权的咨询服务。",
    "二、收费标准",
    "办理事项\t收费\t办理时限",
    "商标注册咨询\t免费\t当场答复",
    "品牌培育辅导\t免费\t10个工作日",
    "三、常见问题",
    "问：指导站在哪里？",
    "答：海棠区政务服务中心三楼东侧。",
    "问：咨询电话是多少？",
    f"答：{FACT}是 {PHONE}，工作日9:00—17:00。",
]


def text(lines: list[str] = LINES) -> str:
    """Blank-line separated paragraphs; the table's lines stay together."""
    out: list[str] = []
    for line in lines:
        if "\t" in line and out and "\t" in out[-1]:
            out[-1] += "\n" + line
        else:
            out.append(line)
    return "\n\n".join(out) + "\n"


def markdown() -> str:
    return f"""# {TITLE}

## 一、服务内容

指导站为本区企业提供商标注册、商标品牌培育和商标维权的咨询服务。

## 二、收费标准

| 办理事项 | 收费 | 办理时限 |
| --- | --- | --- |
| 商标注册咨询 | 免费 | 当场答复 |
| 品牌培育辅导 | 免费 | 10个工作日 |

## 三、常见问题

问：指导站在哪里？

答：海棠区政务服务中心三楼东侧。

问：咨询电话是多少？

答：{FACT}是 {PHONE}，工作日9:00—17:00。
"""


def docx(fact: str = FACT, phone: str = PHONE) -> bytes:
    """A Word file as offices write one: title and heading styles, a real table, 问/答."""
    from docx import Document

    doc = Document()
    doc.add_heading(TITLE, level=0)
    doc.add_heading("服务内容", level=1)
    doc.add_paragraph("指导站为本区企业提供商标注册、商标品牌培育和商标维权的咨询服务。")
    doc.add_heading("收费标准", level=1)
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [
            ("办理事项", "收费", "办理时限"),
            ("商标注册咨询", "免费", "当场答复"),
            ("品牌培育辅导", "免费", "10个工作日"),
        ]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    doc.add_heading("常见问题", level=1)
    doc.add_paragraph("问：指导站在哪里？")
    doc.add_paragraph("答：海棠区政务服务中心三楼东侧。")
    doc.add_paragraph("问：咨询电话是多少？")
    doc.add_paragraph(f"答：{fact}是 {phone}，工作日9:00—17:00。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf() -> bytes:
    lines = [x for x in LINES if "\t" not in x]  # a PDF's table is text lines (pdf.py says so)
    return text_pdf([lines[:5], lines[5:]])


def scanned() -> bytes:
    return scanned_pdf(2)
