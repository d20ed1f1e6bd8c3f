"""The plan's heading grammar: chapters, numbered blocks, sections and columns (专栏N)."""

from __future__ import annotations

import re

from corpus.numerals import CN_NUM, chinese_to_int

_CHAPTER_MARK = rf"[{CN_NUM}]+、"  # 三、
_SECTION_MARK = rf"[(（][{CN_NUM}]+[)）]"  # (六) or （六）

CHAPTER = re.compile(rf"^{_CHAPTER_MARK}\s*\S")
BLOCK = re.compile(r"^\d{1,2}\s+\S[^\t]*$")  # 1 “十三五”时期…
SECTION = re.compile(rf"^{_SECTION_MARK}\s*\S")
COLUMN = re.compile(r"^专栏\s*(\d+)\s*(.*)$")
MD_HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")
# The numbering in front of any heading, for comparing titles by their words alone.
NUMBERING = re.compile(rf"^(?:{_CHAPTER_MARK}|{_SECTION_MARK}\s*|\d+\s+|专栏\d+\s*)")
# A column named anywhere in a text, as users write it too: 专栏5, 专栏 5, 专栏五.
_COLUMN_MENTION = re.compile(
    rf"专栏\s*(\d{{1,2}}|[{CN_NUM}]{{1,3}})|第\s*(\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*个?专栏"
)


def column_mentions(text: str) -> list[tuple[int, int]]:
    """(position, number) of every column the text names by number ('专栏5和专栏十二')."""
    found = (
        (m.start(), chinese_to_int(m.group(1) or m.group(2)))
        for m in _COLUMN_MENTION.finditer(text)
    )
    return [(start, n) for start, n in found if n is not None]


def column_number(text: str) -> int | None:
    """The number of the first column the text names ('专栏十五是什么' → 15)."""
    m = _COLUMN_MENTION.search(text)
    return chinese_to_int(m.group(1) or m.group(2)) if m else None
