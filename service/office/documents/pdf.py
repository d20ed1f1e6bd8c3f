"""A PDF's text layer (pypdf) as paragraphs. A PDF keeps lines, not paragraphs: a line that
fills the width and does not end a sentence runs on into the next one, unless the next one
starts with a marker (一、 （一） 第三条 问： …). Page numbers are dropped. A PDF without a text
layer (scanned pages) is refused: it needs OCR first, and an empty document helps nobody."""

from __future__ import annotations

import io
import re

from corpus.headings import CHAPTER, COLUMN, MD_HEADING, SECTION
from corpus.markers import ANNEX, ARTICLE, FAQ_A, FAQ_Q, ZH_CHAPTER, ZH_SECTION
from service.office.documents.extract import MIN_CHARS, ExtractError

STARTS = (
    CHAPTER,
    SECTION,
    COLUMN,
    MD_HEADING,
    ZH_CHAPTER,
    ZH_SECTION,
    ARTICLE,
    ANNEX,
    FAQ_Q,
    FAQ_A,
)
ITEM = re.compile(r"^(?:\d{1,2}[.、．]|[（(]\d{1,2}[)）]|[-•·*]\s)")
PAGE_NUMBER = re.compile(
    r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d{1,4})$"
)
ENDS = ("。", "！", "？", "!", "?", "；", ";", "：", ":", "”", "）")
FULL = 0.8  # a line at least this share of the page's longest lines runs on
SCANNED = (
    "这个 PDF 没有可读取的文字（像是扫描件或图片）：请上传带文字的 PDF 或 Word 文件，"
    "或先用文字识别（OCR）转成文字后再上传。"
)


def _starts_block(line: str) -> bool:
    return any(m.match(line) for m in STARTS) or bool(ITEM.match(line))


def _join(a: str, b: str) -> str:
    """Chinese runs on without a space; two words of Latin letters or digits keep one."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def paragraphs(lines: list[str]) -> str:
    """Lines of a PDF's pages → blank-line separated paragraphs."""
    lines = [" ".join(x.split()) for x in lines]
    lines = [x for x in lines if x and not PAGE_NUMBER.match(x)]
    if not lines:
        return ""
    widths = sorted(len(x) for x in lines)
    full = widths[int(len(widths) * 0.9)] * FULL  # most lines of a page of prose are full
    out: list[str] = []
    current = ""
    for line in lines:
        runs_on = (
            current
            and len(current.splitlines()[-1]) >= full
            and not current.endswith(ENDS)
            and not _starts_block(line)
        )
        if runs_on:
            current = _join(current, line)
        else:
            if current:
                out.append(current)
            current = line
    out.append(current)
    return "\n\n".join(out)


def pdf_text(data: bytes) -> tuple[str, list[str]]:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractError("这个 PDF 设有打开密码：请去掉密码后再上传。")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken file, whatever pypdf calls it
        raise ExtractError("无法读取这个 PDF（文件可能已损坏）：请重新导出后再上传。") from exc
    empty = [n for n, text in enumerate(pages, start=1) if not text.strip()]
    if len(empty) == len(pages) or sum(len(t.strip()) for t in pages) < MIN_CHARS:
        raise ExtractError(SCANNED)
    notes = []
    if empty:
        shown = "、".join(str(n) for n in empty[:10]) + ("等" if len(empty) > 10 else "")
        notes.append(f"第 {shown} 页没有可读取的文字（可能是扫描页），这些页不会被收录。")
    notes.append(
        f"从 PDF 的 {len(pages)} 页中读出文字；PDF 中的表格按文字行收录，需要按列收录时请上传 Word 文件。"
    )
    lines = [line for text in pages for line in text.splitlines()]
    return paragraphs(lines), notes
