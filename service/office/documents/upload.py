"""An uploaded file's text, in the form corpus/parse.py reads: .txt and .md as written (UTF-8,
or GB18030 as many Chinese offices save), .docx through python-docx, a PDF's text layer
through pypdf. A file with no text to read is refused with a message that says why and what
to do, never published as an empty document."""

from __future__ import annotations

from service.office.documents.extract import (
    MAX_BYTES,
    MIN_CHARS,
    Extracted,
    ExtractError,
    decode_text,
    file_format,
    tidy,
)
from service.office.documents.pdf import pdf_text
from service.office.documents.word import docx_text


def read_upload(filename: str, data: bytes) -> Extracted:
    if not data:
        raise ExtractError("文件是空的。")
    if len(data) > MAX_BYTES:
        raise ExtractError(f"文件太大：最多 {MAX_BYTES // (1024 * 1024)} MB。")
    kind = file_format(filename)
    notes: list[str] = []
    if kind in ("txt", "md"):
        text = decode_text(data)
    elif kind == "docx":
        text, notes = docx_text(data)
    else:
        text, notes = pdf_text(data)
    text = tidy(text)
    if sum(1 for ch in text if not ch.isspace()) < MIN_CHARS:
        raise ExtractError("文件里几乎没有文字，无法作为文件发布。")
    return Extracted(text, kind, notes)
