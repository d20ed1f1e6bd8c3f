"""The documents a loaded index serves, read from its passages: titles, passages, links."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from corpus.records import Passage


def document_url(doc: str) -> str:
    return "/documents/" + quote(doc, safe="")


def passage_url(doc: str, passage_id: str) -> str:
    """Where a passage is read in its document: the reader page, at the passage's anchor."""
    return f"{document_url(doc)}#{passage_id}"


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    passages: tuple[Passage, ...]  # in the order the index holds them (the document's order)

    @property
    def url(self) -> str:
        return document_url(self.id)


class Library:
    """The documents of one index build; a new build gets a new Library."""

    def __init__(self, passages: Sequence[Passage]):
        grouped: dict[str, list[Passage]] = {}
        for p in passages:
            grouped.setdefault(p.doc, []).append(p)
        self.documents = {
            doc: Document(doc, next((p.doc_title for p in ps if p.doc_title), doc), tuple(ps))
            for doc, ps in grouped.items()
        }
        self.passages = {p.id: p for p in passages}
        self.outlines: dict[str, object] = {}  # the reader's, worked out once per document
        self.plain: list[str] | None = None  # the passage search's normalized texts

    def get(self, doc: str) -> Document | None:
        return self.documents.get(doc)


_LIBRARIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def library_of(searcher) -> Library:
    """The Library of the searcher serving now, made once per build (a reload makes a new
    searcher, so every replica shows the documents it answers from)."""
    with _LOCK:
        found = _LIBRARIES.get(searcher)
        if found is None:
            found = _LIBRARIES[searcher] = Library(searcher.passages)
        return found
