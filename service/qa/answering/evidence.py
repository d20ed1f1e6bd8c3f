"""Answerability by evidence: does a retrieved passage give the kind of thing the question asks
for (a fee, a time limit, a contact, a figure for that place…)? The shapes are data
(corpus/lexicon/evidence.toml); no list says what one document lacks."""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.lexicon import lexicon
from corpus.normalize import normalize_text
from service.qa.reading.understand import Qualifier

# Kinds shown by the question's own words appearing in the passage.
BY_WORDS = frozenset({"place", "organization", "period"})
# How many of the best passages are read for evidence.
EVIDENCE_DEPTH = 3


@lru_cache(maxsize=1)
def patterns() -> dict[str, tuple[re.Pattern, ...]]:
    raw = lexicon().raw.get("evidence.toml", {}).get("patterns", {})
    return {kind: tuple(re.compile(p, re.M) for p in ps) for kind, ps in raw.items()}


def shows(q: Qualifier, text: str) -> bool:
    """Whether this passage text gives what the qualifier asks for."""
    if q.kind in BY_WORDS:
        norm = normalize_text(text)
        return bool(q.words) and all(normalize_text(w) in norm for w in q.words)
    found = patterns().get(q.kind)
    return bool(found) and any(p.search(text) for p in found)


def _about(p, objects: tuple[str, ...]) -> bool:
    """Whether a passage is about every kind of IP the question names (by its text, its
    headings or its document's title)."""
    if not objects:
        return True
    names = lexicon().ip_objects
    context = normalize_text(" ".join([p.doc_title or "", *p.section, p.text]))
    return all(any(n in context for n in names.get(k, ())) for k in objects)


def mentions(query, p, known) -> bool:
    """Whether a passage names what a yes/no question asks about: every word of its asking
    part (not a stopword, not a way of naming the documents or of asking) is one the documents
    use, and one of them is in the passage, its headings or its document's title. Only then
    does the answer start by saying it does ("规划提到要建火星基地吗": 火星 it never uses).
    known(tokens): those of the tokens the documents use."""
    from corpus.tokens import tokenize

    lex = lexicon()
    framing = {w for index in (lex.plan_reference, lex.yes_no) for w in index.find(query.asking)}
    words = [
        t
        for t in tokenize(query.asking, normalized=True)
        if len(t) >= 2 and not any(t in f or f in t for f in framing)
    ]
    if not words or len(known(words)) < len(words):
        return False
    context = normalize_text(" ".join([p.doc_title or "", *p.section, p.text]))
    return any(normalize_text(t) in context for t in words)


def answering(
    qualifiers: tuple[Qualifier, ...], passages: list, objects: tuple[str, ...] = ()
) -> int | None:
    """The position of the first of the best passages that shows every qualifier, about the
    kinds of IP the question names (None: none does, so the question is only `related`). An
    indicator row shows a figure, nothing else."""
    only_figure = all(q.kind == "figure" for q in qualifiers)
    for i, p in enumerate(passages[:EVIDENCE_DEPTH]):
        if p.kind == "indicator":
            if only_figure:
                return i  # the row is the figure
            continue
        if all(shows(q, p.text) for q in qualifiers) and _about(p, objects):
            return i
    return None
