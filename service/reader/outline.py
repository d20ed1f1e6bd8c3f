"""A document's passages read back into its outline: sections under their headings, with the
paragraphs, tables, FAQ pairs, articles and boxes (专栏) of each, in reading order.

The index holds each section's overview passage ("title：child；child…") after the document's
other passages; it is read at its section's heading. What an overview alone carries (bullet
items the parser keeps only there) is shown as a list under the heading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.headings import BLOCK, CHAPTER, SECTION
from corpus.markers import ANNEX, ZH_CHAPTER, ZH_SECTION
from corpus.records import Passage
from service.reader.library import Document

TABLE_KINDS = frozenset({"row", "indicator"})
# Kinds whose last section name is their own label (第五条, 专栏3 …, 宣传单位), not a heading.
OWN_LABEL = frozenset({"article", "column", "publisher"})
LEVELS = (CHAPTER, SECTION, BLOCK, ZH_CHAPTER, ZH_SECTION, ANNEX)
INDICATOR_HEAD = "指标"  # the parser's header word of an indicator table's first column
_ANSWER = re.compile(r"(?:(?<=\s)|(?<=[？?。]))(?:答|A)\s*[:：]")
LEAD_MAX = 40  # a "lead：" longer than this is a sentence with a colon, not a lead-in


@dataclass
class Block:
    id: str
    kind: str  # the passage's kind, or "items" for what only an overview holds
    text: str = ""
    label: str = ""  # an article's number, a box's title, a question, a lead-in
    items: list[str] = field(default_factory=list)


@dataclass
class Row:
    id: str
    cells: dict[str, str] | None  # None: the rest of a long row, cut into a second passage
    text: str


@dataclass
class Table:
    kind: str
    path: tuple[str, ...]
    caption: str | None
    anchors: list[str]  # the overview passages of a captioned table
    rows: list[Row] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        out: list[str] = []
        for row in self.rows:
            out.extend(k for k in row.cells or () if k not in out)
        return out


@dataclass
class Section:
    title: str
    depth: int  # 0: the document itself
    anchors: list[str] = field(default_factory=list)  # overview passages read at the heading
    children: list[Section | Table | Block] = field(default_factory=list)


@dataclass
class Outline:
    title: str
    title_id: str | None  # the passage that is the document's title line, if any
    subtitle: str
    body: Section


def _is_level(title: str) -> bool:
    return any(marker.match(title) for marker in LEVELS)


def _pieces(title: str, text: str) -> list[str]:
    """An overview's children: its text less the section's own title."""
    for sep in ("：", ":"):
        if text.startswith(title + sep):
            text = text[len(title) + 1 :]
            break
    else:
        if text == title:
            return []
    return [x.strip() for x in text.split("；") if x.strip()]


def row_cells(kind: str, text: str) -> dict[str, str] | None:
    """'列名：值；列名：值' (a table row) or 'name（unit）：2020年 v；2025年 v' (an indicator)."""
    head, sep, rest = text.partition("：")
    if not sep:
        return None
    if kind == "indicator":
        cells = {INDICATOR_HEAD: head.strip()}
        for piece in filter(None, (x.strip() for x in rest.split("；"))):
            label, _, value = piece.rpartition(" ")
            cells[label or " "] = value
        return cells
    cells: dict[str, str] = {}
    last = None
    for piece in text.split("；"):
        label, sep, value = piece.partition("：")
        if sep and label.strip() not in cells:
            last = label.strip()
            cells[last] = value.strip()
        elif last is not None:  # a value holding "；", or a cell past the header
            cells[last] += "；" + piece
    return cells


def _block(p: Passage) -> Block:
    text, label = p.text, ""
    if p.kind in OWN_LABEL and p.section and text.startswith(p.section[-1]):
        label, text = p.section[-1], text[len(p.section[-1]) :].lstrip(" :：")
    elif p.kind == "faq":
        m = _ANSWER.search(text, 1)
        if re.match(r"(?:问|Q)\s*[:：]", text, re.I):
            label, text = (text[: m.start()].strip(), text[m.start() :]) if m else (text, "")
    elif p.kind == "heading":
        cut = text.find("：")
        if 0 < cut <= LEAD_MAX:
            label, text = text[: cut + 1], text[cut + 1 :]
        elif len(text) <= LEAD_MAX:
            label, text = text, ""
    items = [x.strip() for x in text.split("；") if x.strip()] if p.kind == "column" else []
    return Block(p.id, p.kind, text, label, items)


class _Builder:
    def __init__(self, doc: Document):
        self.content = [p for p in doc.passages if p.kind != "overview"]
        self.overviews: dict[tuple[str, ...], list[Passage]] = {}
        for p in doc.passages:
            if p.kind == "overview":
                self.overviews.setdefault(tuple(p.section), []).append(p)
        self.keys = list(self.overviews)
        self.pos = {k: i for i, k in enumerate(self.keys)}
        self.captions = {k for k in self.keys if self._is_caption(k)}
        self.outline = Outline(doc.title, None, "", Section(doc.title, 0))
        self.stack = [self.outline.body]
        self.path: tuple[str, ...] = ()
        self.pending: dict[tuple[str, ...], list[str]] = {}

    def _under(self, path: tuple[str, ...], key: tuple[str, ...]) -> bool:
        return path[: len(key)] == key

    def _is_caption(self, key: tuple[str, ...]) -> bool:
        """A table's caption line (its rows' last section name), not a heading of its own."""
        if not key or _is_level(key[-1]):
            return False
        direct = [p for p in self.content if tuple(p.section) == key]
        deeper = [p for p in self.content if len(p.section) > len(key)]
        return (
            bool(direct)
            and all(p.kind in TABLE_KINDS for p in direct)
            and not any(self._under(tuple(p.section), key) for p in deeper)
            and not any(len(k) > len(key) and self._under(k, key) for k in self.keys)
        )

    def open(self, path: tuple[str, ...]) -> Section:
        n = 0
        while n < min(len(path), len(self.path)) and path[n] == self.path[n]:
            n += 1
        del self.stack[n + 1 :]
        for i in range(n, len(path)):
            section = Section(path[i], i + 1)
            self.stack[-1].children.append(section)
            self.stack.append(section)
        self.path = path
        return self.stack[-1]

    def shown(self, key: tuple[str, ...]) -> tuple[str, set[str]]:
        """The text and names the section's other passages show (overview children found there
        are not repeated)."""
        inside = [p for p in self.content if self._under(tuple(p.section), key)]
        names = {s for p in inside for s in p.section}
        names |= {k[-1] for k in self.keys if len(k) > len(key) and self._under(k, key)}
        return "\n".join(p.text for p in inside), names

    def visit(self, key: tuple[str, ...]) -> None:
        overviews = self.overviews[key]
        if key in self.captions:
            self.pending[key] = [p.id for p in overviews]
            return
        section = self.open(key)
        text, names = self.shown(key)
        for p in overviews:
            extra = [
                x
                for x in _pieces(key[-1], p.text)
                if x not in text and x.rstrip("：:") not in names
            ]
            if extra:
                section.children.append(Block(p.id, "items", items=extra))
            else:
                section.anchors.append(p.id)

    def place(self, p: Passage) -> None:
        path = tuple(p.section)
        if p.kind == "title" and not path:
            self.open(())
            title = self.outline.title
            if self.outline.title_id is None and p.text.startswith(title):
                self.outline.title_id, self.outline.subtitle = p.id, p.text[len(title) :].strip()
                return
        if p.kind in TABLE_KINDS:
            captioned = path in self.captions
            section = self.open(path[:-1] if captioned else path)
            row = Row(p.id, row_cells(p.kind, p.text), p.text)
            last = section.children[-1] if section.children else None
            if isinstance(last, Table) and last.path == path and last.kind == p.kind:
                last.rows.append(row)
            else:
                caption = path[-1] if captioned else None
                table = Table(p.kind, path, caption, self.pending.pop(path, []), [row])
                section.children.append(table)
            return
        section = self.open(path[:-1] if p.kind in OWN_LABEL and path else path)
        section.children.append(_block(p))

    def build(self) -> Outline:
        done = 0  # overviews visited, in their (the document's) order
        for p in self.content:
            path = tuple(p.section)
            reach = [self.pos[path[:n]] for n in range(len(path), 0, -1) if path[:n] in self.pos]
            while reach and done <= reach[0]:
                self.visit(self.keys[done])
                done += 1
            self.place(p)
        for key in self.keys[done:]:
            self.visit(key)
        return self.outline


def outline(doc: Document) -> Outline:
    return _Builder(doc).build()
