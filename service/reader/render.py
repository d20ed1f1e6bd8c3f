"""The reader's pages as HTML: a document (every passage an anchor), the list of documents, and
the page for a document that is not served. Text is escaped; nothing is loaded from elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

from service.reader.library import Document
from service.reader.outline import Block, Outline, Section, Table

# Numbered items run together in a passage ("…如下：（一）…；（二）…", "…；2. …") start lines of
# their own again.
_NUMBERED = r"(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.．、]\s)"
_ITEM = re.compile(rf"\s+(?={_NUMBERED})|(?<=[。；：:])(?={_NUMBERED})")
STALE = "所引用的段落不在这份文件的当前版本中（文件可能已更新），下面是全文。"


def _lines(text: str) -> str:
    return "<br>".join(escape(x.strip()) for x in _ITEM.split(text.strip()) if x.strip())


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="icon" href="/favicon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="/reader.css">\n'
        '<script src="/reader.js" defer></script>\n</head>\n<body>\n'
        '<header class="top"><p><a href="/documents">已收录的文件</a></p></header>\n'
        f'<main id="main">\n{body}\n</main>\n</body>\n</html>\n'
    )


class _Writer:
    def __init__(self, mark: str | None):
        self.mark = mark
        self.out: list[str] = []

    def attrs(self, pid: str | None, cls: str = "", also: Iterable[str] = ()) -> str:
        """id and class; the passage linked with ?p= (or one of `also`) gets class "hl"."""
        classes = [cls] if cls else []
        if self.mark and (pid == self.mark or self.mark in also):
            classes.append("hl")
        ident = f' id="{escape(pid)}"' if pid else ""
        return ident + (f' class="{" ".join(classes)}"' if classes else "")

    @staticmethod
    def aliases(ids: Iterable[str]) -> str:
        """More passages read at the same place: empty anchors (CSS lights their holder)."""
        return "".join(f'<span class="alias" id="{escape(i)}"></span>' for i in ids)

    def section(self, s: Section) -> None:
        if s.depth:
            level = min(s.depth + 1, 6)
            first, rest = (s.anchors[0], s.anchors[1:]) if s.anchors else (None, [])
            head = self.attrs(first, also=s.anchors)
            self.out.append(
                f"<section>\n<h{level}{head}>{self.aliases(rest)}{escape(s.title)}</h{level}>"
            )
        for child in s.children:
            if isinstance(child, Section):
                self.section(child)
            elif isinstance(child, Table):
                self.table(child)
            else:
                self.block(child)
        if s.depth:
            self.out.append("</section>")

    def block(self, b: Block) -> None:
        label = escape(b.label)
        if b.kind == "items":
            items = "".join(f"<li>{escape(x)}</li>" for x in b.items)
            html = f"<ul{self.attrs(b.id, 'items')}>{items}</ul>"
        elif b.kind == "column":
            title = f'<p class="box-title">{label}</p>' if label else ""
            items = "".join(f"<li>{escape(x)}</li>" for x in b.items)
            html = f"<div{self.attrs(b.id, 'box')}>{title}<ul>{items}</ul></div>"
        elif b.kind == "faq":
            q = f'<p class="q">{label}</p>' if label else ""
            a = f'<p class="a">{_lines(b.text)}</p>' if b.text else ""
            html = f"<div{self.attrs(b.id, 'faq')}>{q}{a}</div>"
        elif b.kind == "article":
            head = f"<strong>{label}</strong> " if label else ""
            html = f"<p{self.attrs(b.id, 'article')}>{head}{_lines(b.text)}</p>"
        elif b.label and not b.text:
            html = f"<p{self.attrs(b.id, 'subhead')}><strong>{label}</strong></p>"
        elif b.label:
            sep = "" if b.label.endswith(("：", ":")) else "："
            br = "<br>" if re.match(_NUMBERED, b.text.strip()) else ""  # a list after its lead
            html = f"<p{self.attrs(b.id)}><strong>{label}{sep}</strong>{br}{_lines(b.text)}</p>"
        else:
            html = f"<p{self.attrs(b.id)}>{_lines(b.text)}</p>"
        self.out.append(html)

    def table(self, t: Table) -> None:
        columns = t.columns
        if not columns:  # nothing read as cells: the rows as paragraphs
            for row in t.rows:
                self.out.append(f"<p{self.attrs(row.id)}>{escape(row.text)}</p>")
            return
        first, rest = (t.anchors[0], t.anchors[1:]) if t.anchors else (None, [])
        name = escape(t.caption or "表格")
        self.out.append(
            f'<div{self.attrs(first, "table", t.anchors)} role="region" aria-label="{name}" '
            f'tabindex="0">{self.aliases(rest)}<table>'
        )
        if t.caption:
            self.out.append(f"<caption>{escape(t.caption)}</caption>")
        heads = "".join(f'<th scope="col">{escape(c.strip())}</th>' for c in columns)
        self.out.append(f"<thead><tr>{heads}</tr></thead><tbody>")
        for row in t.rows:
            if row.cells is None:
                cells = f'<td colspan="{len(columns)}">{escape(row.text)}</td>'
            else:
                values = [escape(row.cells.get(c, "")) for c in columns]
                cells = f'<th scope="row">{values[0]}</th>' + "".join(
                    f"<td>{v}</td>" for v in values[1:]
                )
            self.out.append(f"<tr{self.attrs(row.id)}>{cells}</tr>")
        self.out.append("</tbody></table></div>")


def document_page(outline: Outline, mark: str | None = None, known: bool = True) -> str:
    """The whole document; `mark` (from ?p=) highlighted, or a notice when `known` is false
    (a link to a passage of an older version). reader.js shows the same notice for a #p-…
    the page lacks."""
    w = _Writer(mark)
    subtitle = f'<p class="subtitle">{escape(outline.subtitle)}</p>' if outline.subtitle else ""
    notice = "" if not known else " hidden"
    w.out.append(
        f"<article>\n<h1{w.attrs(outline.title_id)}>{escape(outline.title)}</h1>{subtitle}\n"
        f'<p class="notice" id="stale" role="status"{notice}>{STALE}</p>'
    )
    w.section(outline.body)
    w.out.append("</article>")
    return _page(f"{outline.title} · 原文", "\n".join(w.out))


def _list(documents: Iterable[Document]) -> str:
    items = "".join(
        f'<li><a href="{escape(d.url)}">{escape(d.title)}</a> '
        f'<span class="muted">（{len(d.passages)} 段）</span></li>'
        for d in documents
    )
    return f'<ul class="documents">{items}</ul>'


def documents_page(documents: Iterable[Document]) -> str:
    body = "<h1>已收录的文件</h1>\n<p>问答服务根据下列文件回答问题；回答中的出处链接到这里的原文。</p>\n"
    return _page("已收录的文件", body + _list(documents))


def not_found_page(doc_id: str, documents: Iterable[Document]) -> str:
    body = (
        "<h1>没有找到这份文件</h1>\n"
        f"<p>编号为“{escape(doc_id)}”的文件不在本服务收录的文件中，可能已被撤下或更换。"
        "请从下面的文件中查找：</p>\n"
    )
    return _page("没有找到这份文件", body + _list(documents))
