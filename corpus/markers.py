"""Generic markers of Chinese official documents beyond the plan's: 章/节/条, 附件, 问答, tables."""

from __future__ import annotations

import re

from corpus.numerals import CN_NUM, chinese_to_int

_NUM = rf"[{CN_NUM}百零〇\d]+"
# 第三章 总则 / 第二节 … : a chapter or a section of a regulation, on a line of its own.
ZH_CHAPTER = re.compile(rf"^第\s*({_NUM})\s*章\s*(\S.{{0,40}})?$")
ZH_SECTION = re.compile(rf"^第\s*({_NUM})\s*节\s*(\S.{{0,40}})?$")
# 第十二条 …: an article, its text on the same line and the lines under it.
ARTICLE = re.compile(rf"^第\s*({_NUM})\s*条(?:\s+|[:：]|$)")
# 【申请材料】 on a line of its own: a section of a notice or a 须知 (text after it on the same
# line, "【温馨提示】到窗口…", is a paragraph that names itself, not a heading).
BRACKET = r"【[^【】]{1,20}】"  # a 【…】 mark, wherever written (a heading, a question)
BRACKETED = re.compile(rf"^{BRACKET}$")
# 附件1：… / 附件二 …: an annex of a notice.
ANNEX = re.compile(rf"^附件\s*({_NUM})?\s*[:：]?\s*(\S.{{0,60}})?$")
# 问：/答： (also Q:/A:, 问/答 with a half-width colon): a question and its answer, one unit.
FAQ_Q = re.compile(r"^(?:问|Q)\s*[:：]\s*(\S.*)$", re.IGNORECASE)
FAQ_A = re.compile(r"^(?:答|A)\s*[:：]\s*(\S.*)$", re.IGNORECASE)
# | a | b | rows of a Markdown table, and its |---|---| separator line.
MD_ROW = re.compile(r"^\|.*\|\s*$")
# A table's caption line: "表2  2025年各区县主要指标", "附表1 …".
TABLE_CAPTION = re.compile(r"^附?表\s*[0-9一二三四五六七八九十]+")
MD_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
QUOTE = re.compile(r"^>\s*")
# The words a document's title ends with: what kind of document it is.
TITLE_ENDS = (
    "规划",
    "办法",
    "通知",
    "指南",
    "解答",
    "解读",
    "规定",
    "条例",
    "细则",
    "意见",
    "方案",
    "公告",
    "须知",
    "问答",
    "措施",
    "决定",
    "说明",
    "规则",
    "章程",
    "制度",
    "指引",
    "纲要",
    "计划",
    "准则",
    "守则",
    "通告",
    "告知书",
    "清单",
    "白皮书",
    "公报",
)
# A first line with none of these is a heading, not a sentence or an address ("各区…：").
_MARKS = "（(#第|-*>0123456789"  # a numbered line or markup opens no title
_SENTENCE_MARKS = re.compile(r"[，。；：、,;:！？!?]")
_BRACKETED_TAIL = re.compile(r"[（(][^（）()]{1,8}[)）]$")


def ordinal(text: str) -> int | None:
    """'十二' / '12' → 12."""
    return chinese_to_int(text.strip()) if text else None


def row_name(cells: list[str]) -> str:
    """What names a table row: its first cell, or the next when the first is its number
    ("3 | 知识产权维权援助 | …" is 知识产权维权援助, not 3)."""
    return cells[1] if cells[0].isdigit() and len(cells) > 1 else cells[0]


def md_rows(para: list[str]) -> list[list[str]]:
    """A Markdown table's lines → its rows' cells, the |---| line left out."""
    return [md_cells(line) for line in para if not MD_SEPARATOR.match(line)]


def md_cells(line: str) -> list[str]:
    """'| a | b |' → ['a', 'b'] (emphasis marks removed)."""
    inner = line.strip().strip("|")
    return [c.strip().replace("**", "") for c in inner.split("|")]


_CLAUSE_END = re.compile(r"[，。；：:]")


def opening(text: str, limit: int) -> str:
    """An article's opening words, its text after its number up to the first clause's end
    and at most `limit` characters: what it is about ("合作银行应当在贷款发放之日起…")."""
    return _CLAUSE_END.split(text.strip(), maxsplit=1)[0][:limit]


def pipe_table(para: list[str]) -> tuple[int, int] | None:
    """Where a table of '|'-separated cells lies in a paragraph, outer pipes or not (GitHub's
    Markdown allows "a | b | c" rows; plain-text attachments write them so): the first run
    of two or more lines with the same number (≥ 3) of cells, a |---| line among them."""
    start, width = None, 0
    for i, line in enumerate([*para, ""]):
        n = len(md_cells(line)) if "|" in line else 0
        if start is not None and (MD_SEPARATOR.match(line) or n == width):
            continue
        data = [x for x in para[start:i] if not MD_SEPARATOR.match(x)] if start is not None else []
        if len(data) >= 2:
            return start, i
        start, width = (i, n) if n >= 3 and not MD_SEPARATOR.match(line) else (None, 0)
    return None


_SPACES = re.compile(r"\s{2,}")
_DIGIT = re.compile(r"\d")


def space_table(para: list[str]) -> list[list[str]] | None:
    """A table aligned with spaces, as plain-text reports print one: a header line and two or
    more rows, each split at runs of two or more spaces into the same number (≥ 3) of cells.
    A second header line (units: "（万人）  （件）…", no number in it) joins the header's cells
    when it has one cell fewer (none for the first column), else is left out. The rows' cells,
    or None."""
    rows = [[c for c in _SPACES.split(line.strip()) if c] for line in para]
    width = len(rows[0]) if rows else 0
    if width < 3:
        return None
    header, body = rows[0], rows[1:]
    if body and len(body[0]) < width and not any(_DIGIT.search(c) for c in body[0]):
        units = body.pop(0)
        if len(units) == width - 1:
            header = [header[0], *(h + u for h, u in zip(header[1:], units, strict=True))]
    if len(body) < 2 or any(len(row) != width for row in body):
        return None
    return [header, *body]


def tab_cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def is_tab_table(para: list[str]) -> bool:
    """Two or more lines with the same number (≥ 2) of tab-separated cells."""
    counts = [len(tab_cells(line)) for line in para if "\t" in line]
    return len(counts) >= 2 and counts[0] >= 2 and counts.count(counts[0]) >= 2


def _core(title: str) -> str:
    """A title without its bracketed tail （示例） and closing quotes."""
    return _BRACKETED_TAIL.sub("", title.strip()).rstrip("》”\"' ")


def looks_like_title(line: str) -> bool:
    """A line naming a document: it ends with a kind of document, perhaps with （示例）."""
    core = _core(line.strip().lstrip("#"))
    return 4 <= len(core) <= 80 and core.endswith(TITLE_ENDS)


def document_title(lines: list[str]) -> str | None:
    """The document's title: among its first lines, a `#` heading or a line that names a kind
    of document (a sidecar file may say otherwise)."""
    for line in lines[:6]:
        text = line.strip()
        if text.startswith("# "):
            return text[2:].strip()
        if looks_like_title(text):
            return text.replace("**", "")
    # a plain-text document's first line, short and no sentence, names it whatever it ends with
    first = lines[0].strip() if lines else ""
    if 4 <= len(first) <= 40 and not _SENTENCE_MARKS.search(first) and first[0] not in _MARKS:
        return first.replace("**", "")
    return None


def document_kind(title: str) -> str:
    """The kind of document a title names ("规划", "办法"…), "文件" when it names none."""
    core = _core(title)
    return next((kind for kind in TITLE_ENDS if core.endswith(kind)), "文件")
