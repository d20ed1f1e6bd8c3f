"""The city's documents and the national plan's table: a question about the city ("本市知识产权
保护社会满意度多少分") is asked of the documents that speak for it, not of a national row."""

from __future__ import annotations

from collections import Counter

from corpus.lexicon import lexicon
from corpus.records import Passage

# A document that says "本市" in this many passages speaks for the city (its figures too).
LOCAL_MENTIONS = 3


def national_rows(passages: list[Passage], rows: dict[str, int]) -> frozenset[int]:
    """The positions of the indicator rows (rows: name → position) of documents that never
    speak of the city, when others do; empty when none does (the plan alone)."""
    local = lexicon().local_words
    said = Counter(p.doc for p in passages if local.search(p.text))
    if not any(n >= LOCAL_MENTIONS for n in said.values()):
        return frozenset()
    return frozenset(i for i in rows.values() if said[passages[i].doc] < LOCAL_MENTIONS)


def national_names(rows: dict[str, int], national: frozenset[int]) -> frozenset[str]:
    """The names of those rows (rows: name → position), for what a turn names."""
    return frozenset(name for name, at in rows.items() if at in national)


def asks_locally(question: str) -> bool:
    """Whether the question speaks of the city as its documents do (本市, 全市, 市里…)."""
    return bool(lexicon().local_words.search(question))


def without_rows(matched: list, rows: dict[str, int], national: frozenset[int] | tuple) -> list:
    """The matched (indicator, score) pairs less those whose row is one of `national`."""
    if not national:
        return matched
    return [(i, s) for i, s in matched if rows.get(i.name) not in national]


def drop_rows(fused: dict, national: frozenset[int] | tuple) -> None:
    """The national rows out of the candidates (fused: position → Fused), for a question about
    the city."""
    for i in national:
        fused.pop(i, None)
