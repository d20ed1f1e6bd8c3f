"""The answerers that need no model, in the order they are tried, behind one protocol: each
reads the question once read (a Query) and returns a Reply or None. The engine turns the first
Reply into an Answer in one place (service/qa/engine.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Protocol

from corpus.records import Indicator, Passage
from index.search import Searcher
from service.qa.answering.policy import ANSWER, RELATED
from service.qa.reading.understand import Query
from service.qa.structure.faqs import Faqs
from service.qa.structure.front import FrontMatter
from service.qa.structure.items import Items
from service.qa.structure.parts import Structure
from service.qa.structure.procedure import Procedure
from service.qa.structure.tables import Tables
from service.qa.table.columncheck import check_column
from service.qa.table.compute import interpret
from service.qa.table.facts import Facts

# A question that also names a 专栏 or a numbered section asks about that, not the whole part.
_FINER_PART = re.compile(r"专栏|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十\d]+节")


@dataclass(frozen=True)
class Reply:
    """What an answerer found: the outcome, the words, the passages it comes from."""

    outcome: str
    text: str
    passages: tuple[Passage, ...] = ()
    rows: tuple[Indicator, ...] = ()
    extra: dict = field(default_factory=dict)


class Answerer(Protocol):
    def __call__(self, query: Query) -> Reply | None: ...


class FromTree:
    """第十二条, 最后一章, 一共几条, （六）后面那一节: from the documents' trees."""

    def __init__(self, structure: Structure):
        self.structure = structure

    def __call__(self, query: Query) -> Reply | None:
        part = self.structure.answer(query.text, finer=bool(_FINER_PART.search(query.text)))
        if part is None:
            return None
        return Reply(ANSWER if part.answered else RELATED, part.text, part.passages)


class FromFound:
    """What a finder of the documents' trees gives as is: an FAQ's questions counted or by
    their place (structure.faqs), one numbered item (附件2第6项,
    structure.items), a table's columns (“各环节时限”那张表有哪几列, structure.tables), who
    issued a document and when (structure.front)."""

    def __init__(self, finder: Faqs | Procedure | Items | Tables | FrontMatter):
        self.finder = finder

    def __call__(self, query: Query) -> Reply | None:
        found = self.finder.answer(query.text)
        if found is None:
            return None
        return Reply(ANSWER if found.answered else RELATED, found.text, found.passages)


class OnlyFigures:
    """An answerer that takes only questions asking nothing beyond a figure: the table's and
    the stated facts' (a place, a company, another period… go the normal way, which says what
    the documents lack)."""

    def __init__(self, answerer: Answerer):
        self.answerer = answerer

    def __call__(self, query: Query) -> Reply | None:
        if not all(q.kind == "figure" for q in query.qualifiers):
            return None
        return self.answerer(query)


class FromFacts:
    """Counts and labelled facts the documents state (一共几个专栏, 主线是什么, 十三五 figures)."""

    def __init__(self, facts: Facts):
        self.facts = facts

    def __call__(self, query: Query) -> Reply | None:
        fact = self.facts.answer(query.text)
        return None if fact is None else Reply(ANSWER, fact.text, tuple(fact.sources))


class FromColumns:
    """A 专栏 named by its number and title, checked against the document ("专栏5是商业秘密吗")."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def __call__(self, query: Query) -> Reply | None:
        s = self.searcher
        column = check_column(query.text, s.columns_named(query.text), s.column_titles)
        if column is None:
            return None
        said, number = column
        i = s.column_passage(number)
        return Reply(ANSWER, said, (s.passages[i],) if i is not None else ())


class FromTable:
    """A computation over the indicator table (sums, differences, growth, rankings, checks)."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def __call__(self, query: Query) -> Reply | None:
        done = interpret(query.text, self.searcher.indicators, [])
        if done is None:
            return None
        s = self.searcher
        passages = tuple(
            s.passages[i] for r in done.rows if (i := s.indicator_passage(r.name)) is not None
        )
        extra = {"operation": done.operation, "working": list(done.working)}
        return Reply(done.outcome, done.text, passages, tuple(done.rows), extra)


def without_model(searcher: Searcher, procedure: Procedure | None = None) -> list[Answerer]:
    """The answerers tried before the model is waited for, in order (procedure: the steps
    reader the follow-up resolver uses too, built once)."""
    return [
        FromFound(Faqs(searcher.passages)),
        FromFound(procedure or Procedure(searcher.passages)),
        FromFound(Items(searcher.passages)),
        FromFound(Tables(searcher.passages)),
        FromTree(Structure(searcher.passages)),
        FromFound(FrontMatter(searcher.passages)),
        OnlyFigures(
            FromFacts(Facts(searcher.passages, searcher.indicators, searcher.column_titles))
        ),
        OnlyFigures(FromColumns(searcher)),
        OnlyFigures(FromTable(searcher)),
    ]


def first_reply(answerers: list[Answerer], query: Query, document: str | None) -> Reply | None:
    """The first answerer's reply. One that shows a part from several documents ("第十三条"
    in two) is asked again with the title of the one the conversation is on (document), so
    "它前面一条呢" after an article stays in its document."""
    for answerer in answerers:
        reply = answerer(query)
        if reply is None:
            continue
        if reply.outcome == ANSWER and _elsewhere(query, reply):
            return None  # "北京的…申请材料第三项": the search and the evidence decide
        titles = {p.doc: p.doc_title for p in reply.passages if p.doc_title}
        if document in titles and len(titles) > 1:
            named = replace(query, text=f"{titles[document]}{query.text}")
            reply = answerer(named) or reply
        return reply
    return None


def _elsewhere(query: Query, reply: Reply) -> bool:
    """Whether the question names a place or an organization none of the reply's passages
    (nor their documents' titles) mention: another city's list is not this document's."""
    said = " ".join(f"{p.doc_title} {' '.join(p.section)} {p.text}" for p in reply.passages)
    return any(
        q.kind in ("place", "organization") and not any(w in said for w in q.words)
        for q in query.qualifiers
    )
