"""Parse the plan's line markers into passages with section paths and indicator rows."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from corpus.headings import BLOCK, CHAPTER, COLUMN, MD_HEADING, SECTION
from corpus.records import Indicator, Passage, parse_number
from corpus.split import split_text

BULLET = re.compile(r"^[-•·*]\s+(.*)$")
TABLE_ROW = re.compile(r"^(\d+)\s+(.+?)\s*[(（]([^()（）]+)[)）]\s*$")
PUBLISHER = re.compile(r"^(宣传单位|发布单位|主办单位)[:：]?\s*$")
TERMINAL = re.compile(r"[。！？!?；;]")
MAX_CHARS = 160
SUBHEADING_MAX = 30


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


def _clean(line: str) -> str:
    return line.replace("**", "").strip()


def _paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs of cleaned, non-empty lines."""
    paras: list[list[str]] = []
    cur: list[str] = []
    for raw in text.splitlines():
        line = _clean(raw)
        if line:
            cur.append(line)
        elif cur:
            paras.append(cur)
            cur = []
    if cur:
        paras.append(cur)
    return paras


def _is_row(line: str) -> bool:
    """A table line: the header, or four or more tab-separated cells."""
    cells = line.split("\t")
    return len(cells) >= 4 or (len(cells) > 1 and cells[0].strip() == "指标")


def _is_table(para: list[str]) -> bool:
    """The indicator table (its header, or rows "N name (unit)<TAB>…"); other text may hold tabs."""
    heads = [line.split("\t")[0].strip() for line in para if "\t" in line]
    return any(h == "指标" or TABLE_ROW.match(h) for h in heads)


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

    def __init__(self, doc: str):
        self.doc = doc
        self.passages: list[Passage] = []
        self.indicators: list[Indicator] = []
        self.levels: list[str] = []  # chapter/block/section path (without column)
        self.overviews: dict[tuple[str, ...], list[str]] = {}
        self.unit: _Unit | None = None
        self.column_open = False
        self.table_caption: str | None = None

    # ---- output -------------------------------------------------------
    def emit(self, text: str, path: list[str], kind: str) -> None:
        for chunk in split_text(text, MAX_CHARS):
            key = "\x1f".join([self.doc, kind, *path, chunk])
            pid = "p-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
            self.passages.append(Passage(pid, self.doc, chunk, list(path), kind))

    def flush(self) -> None:
        unit, self.unit = self.unit, None
        self.column_open = False
        if unit is None:
            return
        if unit.items:
            self.emit(f"{unit.heading}：" + "；".join(unit.items), unit.path, unit.kind)
        elif unit.kind in {"column", "heading"}:
            self.emit(unit.heading, unit.path, unit.kind)

    def note_child(self, title: str) -> None:
        """Record a title under the current chapter/section, for its overview passage."""
        if self.levels:
            self.overviews.setdefault(tuple(self.levels), []).append(title)

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
        if CHAPTER.match(line):
            return 0
        if BLOCK.match(line) and not self.table_caption:
            return 1 if has_chapter else 0
        if SECTION.match(line):
            # A section sits under its chapter, or under a numbered block if one is open.
            in_block = len(self.levels) > 1 and bool(BLOCK.match(self.levels[1]))
            return (1 if has_chapter else 0) + (1 if in_block else 0)
        md = MD_HEADING.match(line)
        if md:
            return min(len(md.group(1)) - 1, len(self.levels))
        return None

    def table_row(self, line: str) -> None:
        cells = [c.strip() for c in line.split("\t")]
        if cells[0] == "指标" or len(cells) < 4:
            return  # the header row
        m = TABLE_ROW.match(cells[0])
        if not m:
            raise ValueError(f"indicator row without number, name and unit: {line!r}")
        (v20, t20), (v25, t25), (inc, tinc) = (parse_number(c) for c in cells[1:4])
        ind = Indicator(
            int(m.group(1)), m.group(2).strip(), m.group(3).strip(), v20, v25, inc, t20, t25, tinc
        )
        self.indicators.append(ind)
        path = [*self.levels, self.table_caption] if self.table_caption else list(self.levels)
        show = lambda t: t if t is not None else "—"  # noqa: E731
        self.emit(
            f"{ind.name}（{ind.unit}）：2020年 {show(t20)}；2025年 {show(t25)}；"
            f"累计增加值 {show(tinc)}",
            path,
            "indicator",
        )
        if path:  # a table before any heading has no overview to join (finish needs a title)
            self.overviews.setdefault(tuple(path), []).append(ind.name)

    def paragraph(self, para: list[str]) -> None:
        first = para[0]
        if _is_row(first) and _is_table(para):
            if self.unit and self.unit.kind == "heading" and not self.unit.items:
                self.table_caption = self.unit.heading  # the line above the table names it
                self.unit = None
            n = next((i for i, line in enumerate(para) if not _is_row(line)), len(para))
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
            self.unit.items.extend(para)
            return
        if all(BULLET.match(line) for line in para):
            items = [BULLET.match(line).group(1).strip() for line in para]
            if self.column_open and self.unit and not self.unit.items:
                self.unit.items.extend(items)  # a column's items: the bullets right under it
                self.flush()
            elif self.unit and self.unit.kind == "heading":
                self.unit.items.extend(items)
            else:
                self.flush()
                for item in items:
                    self.note_child(item)
                if not self.levels:
                    self.emit("；".join(items), [], "text")
            return
        if _is_subheading(para) and self.levels:
            self.flush()
            self.note_child(first)
            self.unit = _Unit(list(self.levels), first, "heading")
            return
        text = "".join(para) if all(TERMINAL.search(p[-1:]) for p in para) else " ".join(para)
        if self.unit and self.unit.kind == "heading":
            self.unit.items.append(text)
        else:
            self.flush()
            self.emit(text, list(self.levels), "text" if self.levels else "title")

    def finish(self) -> ParsedDoc:
        self.flush()
        for path, children in self.overviews.items():
            title = path[-1]
            text = f"{title}：" + "；".join(children) if children else title
            self.emit(text, list(path), "overview")
        return ParsedDoc(self.passages, self.indicators)


def parse_document(text: str, doc: str = "plan") -> ParsedDoc:
    """Parse one UTF-8 document (plan markers where present, paragraphs otherwise)."""
    builder = _Builder(doc)
    for para in _paragraphs(text):
        builder.paragraph(para)
    return builder.finish()
