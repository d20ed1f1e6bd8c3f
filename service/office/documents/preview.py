"""How a document will be read, before it is published: corpus/parse.py's passages read back
into the reader's outline (service/reader/outline.py), as a tree staff can check — headings,
tables with their columns, FAQ pairs, articles, boxes — and a list of what was not understood."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from corpus.parse import parse_document
from service.reader.library import Document
from service.reader.outline import Block, Outline, Section, Table, outline

SNIPPET = 60
SAMPLE_ROWS = 5  # a table's rows shown in the preview
KIND_LABELS = {
    "faq": "问答",
    "article": "条文",
    "column": "专栏",
    "items": "列表",
    "text": "段落",
    "heading": "小标题",
    "title": "段落",
    "publisher": "发布单位",
}


@dataclass
class Node:
    kind: str  # section | table | faq | article | column | items | text
    label: str = ""  # a heading, an article's number, a question, a table's caption
    text: str = ""
    columns: list[str] = field(default_factory=list)
    rows: int = 0
    sample: list[list[str]] = field(default_factory=list)  # a table's first rows, by column
    children: list[Node] = field(default_factory=list)


@dataclass
class Preview:
    doc_id: str
    title: str
    title_found: bool
    passages: int
    counts: dict[str, int]
    tree: list[Node]
    unclear: list[str]  # what the reading did not understand, each with the text in question
    notes: list[str] = field(default_factory=list)  # from reading the file (extract)

    def to_dict(self) -> dict:
        def node(n: Node) -> dict:
            out = {"kind": n.kind, "label": n.label, "text": n.text}
            if n.kind == "table":
                out.update(columns=n.columns, rows=n.rows, sample=n.sample)
            if n.children:
                out["children"] = [node(c) for c in n.children]
            return out

        return {
            "id": self.doc_id,
            "title": self.title,
            "title_found": self.title_found,
            "passages": self.passages,
            "counts": self.counts,
            "tree": [node(n) for n in self.tree],
            "unclear": self.unclear,
            "notes": self.notes,
        }


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "…"


class _Reader:
    def __init__(self):
        self.counts: Counter[str] = Counter()
        self.unclear: list[str] = []

    def section(self, s: Section) -> Node:
        self.counts["section"] += 1
        return Node("section", s.title, children=self.children(s))

    def children(self, s: Section) -> list[Node]:
        out = []
        for child in s.children:
            if isinstance(child, Section):
                out.append(self.section(child))
            elif isinstance(child, Table):
                out.append(self.table(child))
            else:
                out.append(self.block(child))
        return out

    def table(self, t: Table) -> Node:
        self.counts["table"] += 1
        self.counts["row"] += len(t.rows)
        for row in t.rows:
            if row.cells is None:
                self.unclear.append(f"表格中有一行没有按列读出：“{_short(row.text)}”")
        columns = t.columns
        sample = [
            [_short((row.cells or {}).get(c, "")) for c in columns]
            for row in t.rows[:SAMPLE_ROWS]
            if row.cells is not None
        ]
        return Node("table", t.caption or "表格", columns=columns, rows=len(t.rows), sample=sample)

    def block(self, b: Block) -> Node:
        kind = b.kind if b.kind in ("faq", "article", "column", "items") else "text"
        self.counts[kind] += 1
        if b.kind == "faq" and not b.text:
            self.unclear.append(f"问题后面没有找到答案（“答：”）：“{_short(b.label)}”")
        text = b.text if b.kind != "items" else "；".join(b.items)
        if kind == "text" and (text.lstrip().startswith(("答：", "答:")) or "\t" in text):
            what = "答案前面没有问题（“问：”）" if "答" in text[:2] else "像表格但没有按列读出"
            self.unclear.append(f"{what}：“{_short(text)}”")
        return Node(kind, b.label, _short(text) if kind != "column" else "；".join(b.items))


def preview(text: str, doc_id: str, title: str | None = None, notes=()) -> Preview:
    """`title`: the title staff gave (else read from the text, as a build will)."""
    parsed = parse_document(text, doc=doc_id, title=title or None)
    passages = parsed.passages
    found_title = passages[0].doc_title if passages else doc_id
    doc = Document(doc_id, found_title, tuple(passages))
    tree: Outline = outline(doc)
    reader = _Reader()
    nodes = reader.children(tree.body)
    unclear = list(reader.unclear)
    title_found = bool(title) or found_title != doc_id
    if not title_found:
        unclear.insert(0, "没有从正文中认出文件标题：请在“标题”一栏填写。")
    loose = [p for p in passages if p.kind == "title" and not p.section and p.id != tree.title_id]
    if loose and reader.counts["section"]:
        unclear.append(
            f"第一个标题之前有 {len(loose)} 段文字不属于任何章节，例如：“{_short(loose[0].text)}”"
        )
    structured = sum(reader.counts[k] for k in ("section", "table", "faq", "article", "column"))
    if passages and not structured:
        unclear.append(
            "没有认出任何章节、表格、问答或条文：全文将按段落收录，结构问题（第几条、第几部分）无法回答。"
        )
    counts = {
        k: reader.counts[k] for k in ("section", "table", "row", "faq", "article", "column", "text")
    }
    return Preview(
        doc_id, found_title, title_found, len(passages), counts, nodes, unclear, list(notes)
    )
