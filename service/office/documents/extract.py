"""What reading an upload shares: the formats accepted, the error staff see, text decoding and
tidying (upload.py reads a file with word.py or pdf.py where it is not plain text)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePath

MAX_BYTES = 20 * 1024 * 1024  # the upload cap (service/middleware.py lets uploads this far)
FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".pdf": "pdf"}
ACCEPTED = "纯文本（.txt）、Markdown（.md）、Word（.docx）或带文字的 PDF（.pdf）"
MIN_CHARS = 10  # fewer readable characters than this is no document


class ExtractError(ValueError):
    """The file cannot be read as a document; the message (Chinese) says why and what to do."""


@dataclass(frozen=True)
class Extracted:
    text: str
    format: str
    notes: list[str] = field(default_factory=list)  # what staff should know about the reading

    @property
    def corpus_suffix(self) -> str:
        return ".md" if self.format == "md" else ".txt"


def file_format(filename: str) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if suffix in (".doc", ".wps"):
        raise ExtractError(
            f"不能读取旧版 Word 文件（{suffix}）：请在 Word 中另存为 .docx 后再上传。"
        )
    shown = suffix or "没有扩展名"
    raise ExtractError(f"不支持这种文件（{shown}）：请上传{ACCEPTED}。")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030; binary data is refused."""
    if b"\x00" in data[:4096]:
        raise ExtractError("这不是文本文件（含有二进制内容）：请上传" + ACCEPTED + "。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractError("无法识别文件的文字编码：请另存为 UTF-8 编码的文本后再上传。")


def tidy(text: str) -> str:
    """Line ends unified, trailing spaces gone, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"
