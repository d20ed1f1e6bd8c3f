"""The question-answering path shared by /ask, the chat endpoint, the CLI and the eval."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

from corpus.lexicon import lexicon
from corpus.lexicon.cilin import plan_synonyms
from corpus.normalize import normalize_question
from corpus.records import Indicator
from index.boosts import longest_common
from index.embed.base import Steps, drive
from index.search import Mode, Searcher, SearchResult
from service.qa.answerers import first_reply, without_model
from service.qa.answering import wording
from service.qa.answering.compose import (
    about_past_period,
    asked_kinds,
    asks_all_indicators,
    best_passage,
    compose,
    parts_answer,
)
from service.qa.answering.evidence import mentions
from service.qa.answering.policy import (
    ANSWER,
    NONE,
    NUMBER_KINDS,
    RELATED,
    Decision,
    Thresholds,
    by_evidence,
    decide,
)
from service.qa.asked_back import AskBack
from service.qa.followups.conversation import Resolver
from service.qa.lru import LRU, _digest
from service.qa.reading.clarify import elliptical
from service.qa.reading.fields import Asked, table_years
from service.qa.reading.spelling import plan_vocabulary, read_sounds
from service.qa.reading.understand import Qualifier, Query, Reader
from service.qa.result import Answer, Source
from service.qa.steps import let_go as _let_go
from service.qa.structure.nth import nth_item
from service.qa.structure.procedure import Procedure

Understood = tuple[Query, SearchResult, list[Indicator], Decision]
PAST_FIGURE_OVERLAP = 6  # name shared by a background (十三五) figure and the indicator it covers
CONVERSATION_CHARS = 200  # of each of the last two turns, read for the document they are on


class Engine:
    def __init__(
        self,
        searcher: Searcher,
        cache_size: int = 2048,
        thresholds: Thresholds | None = None,
        cache: LRU | None = None,
        curated=None,
        today: date | None = None,
    ):
        """curated: the office's staff answers (service.office.matcher.CuratedMatcher), which
        come before the plan's own when one matches; today: the date 去年/明年 are read against
        (the clock when None)."""
        self.searcher = searcher
        self.curated = curated
        self.thresholds = thresholds or Thresholds.from_dict(searcher.manifest.get("policy"))
        self.cache = cache if cache is not None else LRU(cache_size)
        self.indicators = searcher.indicators
        self.reader = Reader(
            plan_vocabulary(searcher),
            synonyms=plan_synonyms(searcher.knows),
            years=table_years(searcher.indicators),
            sounds=read_sounds(getattr(searcher.index, "folder", None)),
            this_year=(today or date.today()).year,
        )
        steps = Procedure(searcher.passages)  # read once: answerers and follow-ups use it
        self.resolver = Resolver(searcher, procedure=steps)
        self.answerers = without_model(searcher, steps)  # tried in order before the model
        self.scope = wording.kind_of_passages(searcher.passages)
        self.back = AskBack(searcher)
        self._prose: dict[tuple[str, ...], object] = {}
        self._sections: dict[tuple[str, ...], list] = {}  # each section's passages, in order
        for p in searcher.passages:  # a section's first paragraph, in document order
            if p.kind == "text":
                self._prose.setdefault(tuple(p.section), p)
            self._sections.setdefault((p.doc, *p.section), []).append(p)
        past = lexicon().period_past
        self._past = " ".join(
            p.text for p in searcher.passages if past and any(past in s for s in p.section)
        )

    def question_vectors(self, questions: list[str]) -> np.ndarray:
        """Vectors of questions as the search makes them (normalized, read, with the plan's
        terms), so a curated question and a user's one are compared alike."""
        texts = []
        for q in questions:
            query = self.reader.read(normalize_question(q) or q)
            texts.append(self.searcher.dense_text(query.text, query.expansions))
        return self.searcher.embedder.encode_queries(texts)

    def warm_up(self) -> None:
        """Pay one-time costs (jieba's dictionary, OpenCC, the model's first call) at start-up."""
        self.ask("知识产权保护的主要指标有哪些", [], top_k=1)

    def normalize(self, question: str, history: list[tuple[str, str]]) -> str:
        return self.resolver.resolve(normalize_question(question), history)

    def cached(
        self,
        question: str,
        history: list[tuple[str, str]] | None = None,
        top_k: int = 5,
        mode: Mode = "hybrid",
    ) -> Answer | None:
        """The answer to exactly this request if it is cached: no normalization, no model.
        Cheap enough to run on the event loop before handing real work to a thread."""
        started = time.perf_counter()
        hit = self.cache.get(("raw", question, _digest(history), top_k, mode, self._curated_gen))
        return None if hit is None else self._stamp(hit, question, started)

    def ask(self, question: str, *args, **kwargs) -> Answer:
        return drive(self.ask_steps(question, *args, **kwargs))

    def ask_steps(
        self,
        question: str,
        history: list[tuple[str, str]] | None = None,
        top_k: int = 5,
        mode: Mode = "hybrid",
    ) -> Steps[Answer]:  # ask(), as steps (index.embed.base.drive, service.qa.steps)
        started = time.perf_counter()
        gen = self._curated_gen  # a change to the curated answers retires cached answers
        raw_key = ("raw", question, _digest(history), top_k, mode, gen)
        normalized = self.normalize(question, history or [])
        document = self.conversation_document(history)
        key = (normalized, top_k, mode, gen, not history, document)  # "IP保护" = "知识产权保护"
        hit = self.cache.get(key)
        if hit is None:
            if not history and elliptical(question):
                yield None  # the search below waits for the model: not on the event loop
                hit = self.back.clarify(question, normalized, mode)
            else:
                hit = yield from self._answer_steps(
                    question, normalized, top_k, mode, document, alone=not history
                )
            self.cache.put(key, hit)
        self.cache.put(raw_key, hit)
        return self._stamp(hit, question, started)

    def conversation_document(self, history: list[tuple[str, str]] | None) -> str | None:
        """The document the last exchange was about (None with one document loaded)."""
        if not history:
            return None
        last = [content[:CONVERSATION_CHARS] for _, content in history[-2:]]
        quoted = history[-1][1] if history[-1][0] == "assistant" else ""  # quotes its passage
        return self.searcher.document_of(normalize_question(" ".join(last)), quoted=quoted)

    @property
    def _curated_gen(self) -> int:
        return self.curated.generation if self.curated is not None else 0

    @staticmethod
    def _stamp(answer: Answer, question: str, started: float) -> Answer:
        return replace(
            answer, question=question, took_ms=round((time.perf_counter() - started) * 1000, 2)
        )

    # --- one question ------------------------------------------------------------------------

    def understand(self, normalized: str, *args, **kwargs) -> Understood:
        return drive(self.understand_steps(normalized, *args, **kwargs))

    def understand_steps(
        self,
        normalized: str,
        mode: Mode = "hybrid",
        top_k: int = 5,
        query: Query | None = None,
        started=None,
        document: str | None = None,
    ) -> Steps[Understood]:
        """Read, search and decide; the eval and calibration look at these too.
        Returns the indicator rows the question is about: those it names, or else the row
        retrieval put first when it asks for a number ("老百姓打分到2025年要打到几分").
        query: the question already read; started: its vector, already begun; document: the
        one the conversation is on."""
        query = query or self.reader.read(normalized)
        result = yield from self.searcher.search_steps(
            query.text,
            mode=mode,
            top_k=top_k,
            expansions=query.expansions,
            started=started,
            asks_value=(query.asks_figure and not query.has(*NUMBER_KINDS))
            or query.field is not Asked.NONE,
            kinds=[q.kind for q in query.qualifiers],
            document=document,
        )
        rows = list(result.indicators) or self._implied_row(query, result)
        past = self._past_figure(query, result)
        decision = decide(
            query,
            result.evidence,
            self.thresholds,
            figure_known=past is True or bool(rows) or asks_all_indicators(query.text),
            money_row=any("元" in r.unit for r in rows),
        )
        if past is False and decision.outcome == ANSWER:
            period = f"{lexicon().period_past}期间"
            decision = Decision(RELATED, (Qualifier("period", (period,)),))
        elif decision.outcome == RELATED and decision.qualifiers:
            rows, decision = by_evidence(query, result, rows, decision, self.indicators)
        return query, result, rows, decision

    def _implied_row(self, query: Query, result: SearchResult) -> list[Indicator]:
        known = result.evidence.known_tokens or query.expansions  # not for "个税起征点是多少"
        asks_value = known and (query.asks_figure or query.field is not Asked.NONE)
        if not (asks_value and result.hits and result.hits[0].passage.kind == "indicator"):
            return []
        name = result.hits[0].passage.text.split("（", 1)[0]
        return [i for i in self.indicators if i.name == name][:1]

    def _past_figure(self, query: Query, result: SearchResult) -> bool | None:
        """For a 十三五 question: whether the plan's background gives its figure (None: n/a)."""
        if not about_past_period(query.text):
            return None
        if not result.indicators:
            return True if query.asks_figure else None
        return any(
            longest_common(i.name, self._past) >= PAST_FIGURE_OVERLAP for i in result.indicators
        )

    def _answer_steps(
        self,
        question: str,
        normalized: str,
        top_k: int,
        mode: Mode,
        document: str | None = None,
        alone: bool = False,
    ) -> Steps[Answer]:  # alone: no conversation before it
        if not normalized:
            return self.back.none(question, normalized)
        if self.curated is not None:  # the same words as a curated question: no model needed
            hit = self.curated.match(normalized, None)
            if hit is not None:
                return hit.answer(question, normalized, self.searcher.passages)
        text = self.reader.clean(normalized) or normalized  # what the model reads
        # The model (in its own process) starts on the question now, while reading it, the
        # table, the lexical search and the rest run here; one the table answers lets it go.
        started = self.searcher.start(text)
        try:
            yield None  # the model has started: the rest of the reading may move to a thread
            query = self.reader.read(text, cleaned=True)
            computed = None if query.junk else self.computed(question, normalized, query, document)
        except BaseException:
            _let_go(started)
            raise
        if computed is not None:
            _let_go(started)
            return computed
        query, result, rows, decision = yield from self.understand_steps(
            normalized, mode, top_k, query, started, document
        )
        if self.curated is not None:  # close enough to one, by the vector already computed
            hit = self.curated.match(normalized, result.query_vector)
            if hit is not None:
                return hit.answer(question, normalized, self.searcher.passages)
        hits = result.hits
        kind = self.back.unplaced(query.kinds, []) if alone else ""  # the words only then
        if kind and not self.resolver.words.subject_words(query.text):
            return self.back.which(question, normalized, kind, hits)
        if decision.outcome == NONE or not hits:  # bm25 alone may match no passage at all
            return self.back.none(question, normalized)
        sources = tuple(Source(h.passage, h.score) for h in hits)
        # an item is what a procedure or a definition asked is made of; a place, a company or
        # a period the documents lack is not answered by one ("北京的…第三项")
        listed = {q.kind for q in decision.qualifiers} <= {"procedure", "definition", "detail"}
        nth = (
            nth_item(query.asking or query.text, hits, self._section_of)
            if decision.outcome != RELATED or listed
            else None
        )
        if nth:  # "申请材料第四样是啥": that item of the list the best passages hold
            first = Source(nth[1], hits[0].score)
            rest = tuple(s for s in sources if s.passage is not nth[1])
            return Answer(question, normalized, ANSWER, wording.sentence(nth[0]), (first, *rest))
        if decision.outcome == RELATED:
            best = best_passage(query.text, hits) if hits else None
            text = wording.related(
                decision.qualifiers, rows, best.text if best else None, query.field, self.scope
            )
            return Answer(
                question,
                normalized,
                RELATED,
                text,
                sources,
                tuple(rows),
                qualifiers=tuple(q.kind for q in decision.qualifiers),
            )
        if decision.parts:  # several things asked, each from its passage
            text = parts_answer(query.text, hits, decision.parts, self._prose.get, query.asking)
        else:
            text, rows = compose(
                query.text,
                hits,
                rows,
                self.indicators,
                self._prose.get,
                asked_kinds(query),
                query.asking,
            )
        top = hits[0].passage
        if query.yes_no and mentions(
            query, top, self.searcher.index.lexical.known
        ):  # "规划有没有提到商业秘密保护": say it does
            text = wording.says_so(top.doc_title or self.scope) + text
        return Answer(question, normalized, ANSWER, text, sources, tuple(rows))

    def _section_of(self, p) -> list:
        return self._sections.get((p.doc, *p.section), [p])

    def computed(
        self,
        question: str,
        normalized: str,
        query: Query | None = None,
        document: str | None = None,
    ) -> Answer | None:
        """An answer that needs no model (service/qa/answerers.py, `first_reply`). query: the
        question already read; document: the one the conversation is on."""
        reply = first_reply(self.answerers, query or self.reader.read(normalized), document)
        if reply is None:
            return None
        sources = tuple(Source(p, 1.0) for p in reply.passages)
        return Answer(
            question, normalized, reply.outcome, reply.text, sources, reply.rows, extra=reply.extra
        )


def default_tuning_questions() -> Path:
    """The tuning set shipped beside the code (eval/questions.jsonl)."""
    return Path(__file__).resolve().parents[2] / "eval" / "questions.jsonl"
