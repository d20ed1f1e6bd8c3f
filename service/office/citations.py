"""The passages a curated answer cites, as staff see them: found by their words, shown with
their document, section, text and a link to the reader; ids no page shows are never typed."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qs

from fastapi import Request

from service.reader.library import library_of, passage_url
from service.reader.search import find_passages

FOUND = 10  # results shown at once


def _searcher(request: Request):
    engine = request.app.state.runtime.engine
    return engine.searcher if engine is not None else None


def describe(p) -> dict:
    return {
        "id": p.id,
        "doc": p.doc,
        "doc_title": p.doc_title or p.doc,
        "section": list(p.section),
        "text": p.text,
        "url": passage_url(p.doc, p.id),
    }


def cited(request: Request, ids: Iterable[str]) -> list[dict]:
    """Each cited id with its passage, or marked missing (its document changed or retired)."""
    searcher = _searcher(request)
    known = library_of(searcher).passages if searcher is not None else {}
    return [describe(known[i]) if i in known else {"id": i, "missing": True} for i in ids]


def sources(request: Request, items) -> dict[int, list[dict]]:
    """The cited passages of each curated answer, by its id (for the list page)."""
    return {item.id: cited(request, item.passage_ids) for item in items}


async def posted(request: Request, fields: dict[str, str]) -> list[str]:
    """The ids a posted form cites: its ticked `cite` boxes, then any in a `passages` field
    (space-separated, as scripts and older forms send them)."""
    body = parse_qs((await request.body()).decode(errors="replace"))
    out: list[str] = []
    for pid in [*body.get("cite", []), *fields.get("passages", "").split()]:
        if pid.strip() and pid.strip() not in out:
            out.append(pid.strip())
    return out


def search(request: Request, query: str, limit: int = FOUND, skip: Iterable[str] = ()) -> list:
    searcher = _searcher(request)
    if searcher is None:
        return []
    skip = set(skip)
    found = find_passages(searcher, query, limit + len(skip))
    return [describe(p) for p in found if p.id not in skip][:limit]


def form_context(request: Request, ids: list[str], fields: dict[str, str]) -> dict:
    """What the curated form shows after 查找段落: the cited passages and those found (by the
    words typed, or by the question itself when nothing was typed)."""
    typed = " ".join(fields.get("find", "").split())
    query = typed or fields.get("question", "")
    return {
        "cited": cited(request, ids),
        "find": typed,
        "found": search(request, query, skip=ids),
        "searched": query,
    }
