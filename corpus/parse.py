"""Parse a document's line markers into passages with section paths and indicator rows."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from corpus import table_header
from corpus.headings import BLOCK, CHAPTER, COLUMN, MD_HEADING, SECTION
from corpus.lists import BLOCK_HEAD, joined, pieces
from corpus.markers import (
    ANNEX,
    ARTICLE,
    BRACKETED,
    FAQ_Q,
    MD_ROW,
    TABLE_CAPTION,
    ZH_CHAPTER,
    ZH_SECTION,
    document_title,
    is_tab_table,
    md_rows,
    opening,
    pipe_table,
    row_name,
    space_table,
    tab_cells,
)
from corpus.paragraphs import RULE, paragraphs
from corpus.records import Indicator, Passage
from corpus.split import split_with_lead
from corpus.table_header import TABLE_ROW, is_row, is_table

BULLET = re.compile(r"^[-•·*]\s+(.*)$")
PUBLISHER = re.compile(r"^(宣传单位|发布单位|主办单位)[:：]?\s*$")
TERMINAL = re.compile(r"[。！？!?；;]")
MAX_CHARS = 160
ARTICLE_OPENING = 20  # characters of an article's opening its chapter's overview lists
SUBHEADING_MAX = 30
SECTION_TITLE_MAX = 30  # a longer "（一）…" line is an item of a list, not a section heading
# Units that collect the paragraphs under them until the next marker.
COLLECTING = frozenset({"heading", "article", "faq"})
# Units whose later chunks carry the unit's opening (an FAQ answer's, its question). An article's
# label ends its chunks' section path already (docs/documents.md, generic retrieval round 3).
LEAD_KINDS = frozenset({"faq"})


@dataclass
class _Unit:
    """A heading and the items that belong to it, flushed into one passage."""

    path: list[str]
    heading: str
    kind: str
    items: list[str] = field(default_factory=list)


@dataclass
class ParsedDoc:
    passages: list[Passage]
    indicators: list[Indicator]


def _is_subheading(para: list[str]) -> bool:
    line = para[0]
    return (
        len(para) == 1
        and len(line) <= SUBHEADING_MAX
        and not TERMINAL.search(line)
        and not re.search(r"\d", line)
    )


class _Builder:
    """Walks the paragraphs once, keeping the current chapter/section/column."""

    def __init__(self, doc: str, title: str = ""):
        self.doc = doc
        self.title = title
        self.md_offset = 0  # 1 once the document's own `#` title is read: `##` is then depth 0
        self.last_text = ""  # the paragraph before a table may name it ("…如下表：")
        self.passages: list[Passage] = []
        self.indicators: list[Indicator] = []
        self.levels: list[str] = []  # chapter/block/section path (without column)
        self.overviews: dict[tuple[str, ...], list[str]] = {}
        self.unit: _Unit | None = None
        self.column_open = False
        self.table_caption: str | None = None
        self.table_header: tuple = ()  # the indicator table's value columns, from its header

    # ---- output -------------------------------------------------------
    def emit(self, text: str, path: list[str], kind: str) -> None:
        for chunk, lead in split_with_lead(text, MAX_CHARS, carry=kind in LEAD_KINDS):
            key = "\x1f".join([self.doc, kind, *path, chunk])
            pid = "p-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
            self.passages.append(Passage(pid, self.doc, chunk, list(path), kind, self.title, lead))

    def flush(self) -> None:
        unit, self.unit = self.unit, None
        self.column_open = False
        if unit is None:
            return
        if unit.kind in {"article", "faq"}:
            self.emit(" ".join([unit.heading, *unit.items]), unit.path, unit.kind)
        elif unit.items:
            head = unit.heading if unit.heading.endswith(("：", ":")) else f"{unit.heading}："
            self.emit(head + joined(unit.items), unit.path, unit.kind)
        elif unit.kind in {"column", "heading"}:
            self.emit(unit.heading, unit.path, unit.kind)

    def note_child(self, title: str, item: bool = False) -> None:
        """Record a title under the current chapter/section, for its overview passage; a
        heading that opens a list keeps no colon there ("材料要求：" → "材料要求"), an item does."""
        if self.levels:
            kept = title if item else title.rstrip("：:") or title
            self.overviews.setdefault(tuple(self.levels), []).append(kept)

    # ---- structure ----------------------------------------------------
    def open_level(self, title: str, depth: int) -> None:
        self.flush()
        self.table_caption = None
        self.levels = self.levels[:depth]
        self.note_child(title)
        self.levels.append(title)
        self.overviews.setdefault(tuple(self.levels), [])

    def depth_of(self, line: str) -> int | None:
        has_chapter = bool(self.levels) and bool(CHAPTER.match(self.levels[0]))
        if CHAPTER.match(line) or ZH_CHAPTER.match(line) or ANNEX.match(line):
            return 0
        if ZH_SECTION.match(line):
            return 1 if self.levels and ZH_CHAPTER.match(self.levels[0]) else 0
        if BLOCK.match(line) and not self.table_caption:
            return 1 if has_chapter else 0
        if SECTION.match(line) and len(line) <= SECTION_TITLE_MAX and not TERMINAL.search(line):
            # A section sits under its chapter, or under a numbered block if one is open.
            in_block = len(self.levels) > 1 and bool(BLOCK.match(self.levels[1]))
            return (1 if has_chapter else 0) + (1 if in_block else 0)
        md = MD_HEADING.match(line)
        if md:
            return max(0, min(len(md.group(1)) - 1 - self.md_offset, len(self.levels)))
        for marker in (BRACKETED, BLOCK_HEAD):  # beside the first such, else under what is open
            if marker.match(line):
                first = next((i for i, t in enumerate(self.levels) if marker.match(t)), None)
                return len(self.levels) if first is None else first
        return None

    def table_row(self, line: str) -> None:
        cells = [c.strip() for c in line.split("\t")]
        if cells[0] == "指标":  # the header row: the value columns' headers, each's role
            self.table_header = table_header.columns(cells[1:])
            return
        if len(cells) < 3:
            return
        m = TABLE_ROW.match(cells[0])
        if not m:
            raise ValueError(f"indicator row without number, name and unit: {line!r}")
        if not self.table_header:
            raise ValueError(f"indicator row before the table's header (指标…): {line!r}")
        ind = table_header.row(
            int(m.group(1)),
            m.group(2).strip(),
            m.group(3).strip(),
            self.table_header,
            cells[1:],
            self.table_caption or "",
            self.title,
        )
        self.indicators.append(ind)
        path = [*self.levels, self.table_caption] if self.table_caption else list(self.levels)
        said = [
            f"{c.header} {t if t is not None else '—'}"
            for c, t in zip(ind.columns, ind.texts, strict=True)
        ]
        self.emit(f"{ind.name}（{ind.unit}）：" + "；".join(said), path, "indicator")
        if path:  # a table before any heading has no overview to join (finish needs a title)
            self.overviews.setdefault(tuple(path), []).append(ind.name)

    def generic_table(self, rows: list[list[str]]) -> None:
        """A table other than the indicator table, as its rows' cells: its header row names the
        columns; each row becomes a passage "column：cell；…" under the current heading."""
        named = self.last_text.endswith(("：", ":", "表")) or TABLE_CAPTION.match(self.last_text)
        caption = self.last_text if named else None
        if self.unit and self.unit.kind == "heading" and not self.unit.items:
            caption, self.unit = self.unit.heading, None  # the line above names the table
        self.flush()
        path = [*self.levels, caption.rstrip("：:")] if caption else list(self.levels)
        for row in rows[1:]:
            labels = rows[0] + [""] * (len(row) - len(rows[0]))  # a cell past the header: no label
            pairs = [f"{h}：{c}" if h else c for h, c in zip(labels, row, strict=False) if c]
            if pairs:
                self.emit("；".join(pairs), path, "row")
                if path:
                    self.overviews.setdefault(tuple(path), []).append(row_name(row))
        self.last_text = ""

    def opens_title(self, first: str) -> bool:
        """The document's own `#` title line: a title passage, not a level above everything."""
        md = MD_HEADING.match(first)
        if not (md and len(md.group(1)) == 1 and not self.levels and not self.md_offset):
            return False
        self.flush()
        self.md_offset = 1
        self.emit(md.group(2), [], "title")
        return True

    def unit_of(self, para: list[str]) -> bool:
        """An article (第十二条 …) or a question and its answer (问：… 答：…): one unit each,
        collecting the paragraphs under it until the next marker."""
        first = para[0]
        article = ARTICLE.match(first)
        if article:
            self.flush()
            label = article.group(0).strip(" :：")
            about = opening(first[article.end() :], ARTICLE_OPENING)
            self.note_child(f"{label} {about}".strip())  # with what it is about
            self.unit = _Unit([*self.levels, label], first, "article", para[1:])
            return True
        if FAQ_Q.match(first):
            self.flush()
            self.note_child(first)
            self.unit = _Unit(list(self.levels), first, "faq", para[1:])
            return True
        return False

    def paragraph(self, para: list[str]) -> None:
        first = para[0]
        if para == [RULE]:  # a line drawn under a box closes it
            return self.flush()
        if self.opens_title(first):
            if len(para) > 1:
                self.paragraph(para[1:])
            return
        if MD_ROW.match(first) and len(para) >= 2 and all(MD_ROW.match(x) for x in para):
            self.generic_table(md_rows(para))
            return
        span = pipe_table(para)
        if span:  # lines before and after it are read as they come
            start, end = span
            if start:
                self.paragraph(para[:start])
            self.generic_table(md_rows(para[start:end]))
            if para[end:]:
                self.paragraph(para[end:])
            return
        if self.unit_of(para):
            return
        indicators = is_row(first) and is_table(para)
        if not indicators and is_tab_table(para):
            self.generic_table([tab_cells(line) for line in para])
            return
        spaced = None if indicators or "\t" in first else space_table(para)
        if spaced:
            self.generic_table(spaced)
            return
        if is_row(first) and is_table(para):
            if self.unit and self.unit.kind == "heading" and not self.unit.items:
                self.table_caption = self.unit.heading  # the line above the table names it
                self.unit = None
            n = next((i for i, line in enumerate(para) if not is_row(line)), len(para))
            self.table_header = ()
            for line in para[:n]:
                self.table_row(line)
            if para[n:]:
                self.paragraph(para[n:])  # text right after the table, with no blank line
            return
        depth = self.depth_of(first)
        if depth is not None:
            title = MD_HEADING.sub(r"\2", first)
            self.open_level(title, depth)
            if len(para) > 1:
                self.paragraph(para[1:])
            return
        col = COLUMN.match(first)
        if col:
            self.flush()
            self.note_child(first)
            self.unit = _Unit([*self.levels, first], first, "column")
            self.column_open = True
            if len(para) > 1:
                self.paragraph(para[1:])
            return
        if PUBLISHER.match(first):
            self.flush()
            self.levels = [first.rstrip("：:")]
            self.unit = _Unit(list(self.levels), first.rstrip("：:"), "publisher", para[1:])
            return
        if self.unit and self.unit.kind == "publisher":
            return self.unit.items.extend(para)
        bullets = all(BULLET.match(line) for line in para)
        split = [] if bullets else pieces(para)
        if len(split) > 1 or (split and split[0][0] != "text"):
            for kind, lines in split:  # a checklist or ◆ blocks among the lines
                self.listed(lines[0], lines[1:]) if kind == "list" else self.paragraph(lines)
            return
        if bullets:
            items = [BULLET.match(line).group(1).strip() for line in para]
            if self.column_open and self.unit and not self.unit.items:
                self.unit.items.extend(items)  # a column's items: the bullets right under it
                self.flush()
            elif self.unit and self.unit.kind in COLLECTING:
                self.unit.items.extend(items)
            else:
                self.flush()
                for item in items:
                    self.note_child(item, item=True)
                if not self.levels:
                    self.emit(joined(items), [], "text")
            return
        if _is_subheading(para) and self.levels:
            self.flush()
            self.note_child(first)
            self.unit = _Unit(list(self.levels), first, "heading")
            return
        text = "".join(para) if all(TERMINAL.search(p[-1:]) for p in para) else " ".join(para)
        self.last_text = text
        if self.unit and (self.unit.kind in COLLECTING or self.column_open):
            self.unit.items.append(text)  # a box's own prose too, until a heading or a rule
        else:
            self.flush()
            self.emit(text, list(self.levels), "text" if self.levels else "title")

    def listed(self, intro: str, items: list[str]) -> None:
        """A paragraph's list: one passage with its introducing line, else the open unit's."""
        if not intro and self.unit and self.unit.kind in COLLECTING:
            return self.unit.items.extend(items)
        self.flush()
        if intro:
            self.unit = _Unit(list(self.levels), intro, "heading", items)
            return self.flush()
        self.emit(joined(items), list(self.levels), "text" if self.levels else "title")

    def finish(self) -> ParsedDoc:
        self.flush()
        for path, children in self.overviews.items():
            text = f"{path[-1]}：" + joined(children) if children else path[-1]
            self.emit(text, list(path), "overview")
        return ParsedDoc(self.passages, self.indicators)


def parse_document(text: str, doc: str = "plan", title: str | None = None) -> ParsedDoc:
    """Parse one UTF-8 document (the markers of official documents and Markdown where present,
    paragraphs otherwise). title: the document's title, if known (else read from its text)."""
    if title is None:
        title = document_title([line for line in text.splitlines() if line.strip()]) or doc
    builder = _Builder(doc, title)
    for para in paragraphs(text):
        builder.paragraph(para)
    return builder.finish()
