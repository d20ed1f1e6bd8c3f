"""Answers that ask back or say nothing was found: a follow-up with nothing before it, a kind
of thing several documents give asked with no subject ("电话多少"), nothing related at all."""

from __future__ import annotations

from index.search import Mode, Searcher
from service.qa.answering import wording
from service.qa.answering.policy import CLARIFY, NONE
from service.qa.reading.clarify import candidates, unplaced
from service.qa.result import Answer


class AskBack:
    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        self.titles = {p.doc: p.doc_title or p.doc for p in searcher.passages}
        self.kind_docs = {  # the documents that give each kind of thing (a fee, a phone…)
            kind: {searcher.passages[i].doc for i in found}
            for kind, found in searcher.booster.kind_sections.items()
        }

    def unplaced(self, kinds: tuple[str, ...], subject: list[str]) -> str:
        return unplaced(kinds, subject, self.kind_docs)

    def clarify(self, question: str, normalized: str, mode: Mode) -> Answer:
        """A follow-up with nothing to follow: ask back, with the full questions it may mean."""
        hits = self.searcher.search(normalized or question, mode=mode, top_k=5).hits
        headings = [h.passage.section[-1] for h in hits if h.passage.section]
        return Answer(
            question,
            normalized,
            CLARIFY,
            wording.CLARIFY_ANSWER,
            suggestions=tuple(candidates(question, headings)),
        )

    def which(self, question: str, normalized: str, kind: str, hits) -> Answer:
        """No subject, and several documents give what is asked ("电话多少"): ask whose."""
        docs = [h.passage.doc for h in hits if h.passage.doc in self.kind_docs[kind]]
        order = dict.fromkeys([*docs, *sorted(self.kind_docs[kind])])
        text = wording.WHICH_ANSWER.format(what=wording.MISSING[kind])
        asks = candidates(question, [self.titles[d] for d in order])
        return Answer(question, normalized, CLARIFY, text, suggestions=tuple(asks))

    @staticmethod
    def none(question: str, normalized: str) -> Answer:
        return Answer(
            question, normalized, NONE, wording.NONE_ANSWER, suggestions=tuple(wording.SUGGESTIONS)
        )
