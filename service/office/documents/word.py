"""A Word (.docx) file as text: headings as Markdown headings (unless they carry a Chinese
marker such as 一、 or 第三章 of their own), list paragraphs as bullets, tables as Markdown
tables with their header row, in the order the body holds them."""

from __future__ import annotations

import io
import re

from corpus.headings import CHAPTER, COLUMN, SECTION
from corpus.markers import ANNEX, ARTICLE, FAQ_A, FAQ_Q, ZH_CHAPTER, ZH_SECTION
from service.office.documents.extract import ExtractError

OWN_MARKERS = (CHAPTER, SECTION, COLUMN, ZH_CHAPTER, ZH_SECTION, ARTICLE, ANNEX, FAQ_Q, FAQ_A)
_HEADING = re.compile(r"^(?:Heading|标题)\s*(\d)$", re.IGNORECASE)


def _level(style_name: str) -> int | None:
    """0 for the document title, n for Heading n; None for body text."""
    if style_name in ("Title", "标题"):
        return 0
    m = _HEADING.match(style_name.strip())
    return int(m.group(1)) if m else None


def _is_list(paragraph) -> bool:
    ppr = paragraph._p.pPr
    numbered = ppr is not None and ppr.numPr is not None
    return numbered or "List" in (paragraph.style.name if paragraph.style is not None else "")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "｜")


def _table(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = [_cell(c.text) for c in row.cells]
        if any(cells):
            rows.append(cells)
    if len(rows) < 2:  # a one-row table is a framed paragraph, not a table
        return [" ".join(c for c in rows[0] if c)] if rows else []
    width = max(len(r) for r in rows)
    lines = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows]
    lines.insert(1, "| " + " | ".join(["---"] * width) + " |")
    return lines


def docx_text(data: bytes) -> tuple[str, list[str]]:
    try:
        from docx import Document
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        doc = Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the same answer
        raise ExtractError(
            "无法读取这个 Word 文件（可能已损坏，或不是 .docx）：请在 Word 中另存为 .docx 后再上传。"
        ) from exc
    blocks: list[list[str]] = []  # paragraphs of lines; a run of list items is one paragraph
    listing = False
    tables = 0
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            lines = _table(Table(child, doc))
            tables += 1
            if lines:
                blocks.append(lines)
            listing = False
            continue
        if tag != "p":
            continue
        p = Paragraph(child, doc)
        text = " ".join(p.text.split())
        if not text:
            listing = False
            continue
        level = _level(p.style.name if p.style is not None else "")
        if level is not None and not any(m.match(text) for m in OWN_MARKERS):
            blocks.append(["#" * (level + 1) + " " + text])
            listing = False
        elif _is_list(p) and level is None:
            if listing:
                blocks[-1].append("- " + text)
            else:
                blocks.append(["- " + text])
            listing = True
        else:
            blocks.append([text])
            listing = False
    notes = [f"读到 {tables} 个表格，按表头的列收录。"] if tables else []
    return "\n\n".join("\n".join(b) for b in blocks), notes
