"""The question-answering path shared by /ask, the chat endpoint, the CLI and the eval."""

from __future__ import annotations

import time
from collections import OrderedDict
from threading import Lock

from corpus.normalize import normalize_question
from index.search import Mode, Searcher
from service.answer import NOT_FOUND, SUGGESTIONS, compose, is_shisanwu
from service.fields import unsupported_year
from service.followup import resolve
from service.schemas import AskResponse, IndicatorOut, PassageOut
from service.scope import ScopeThresholds, in_scope, thresholds_for


class LRU:
    """A small thread-safe LRU of finished responses, keyed by what was searched."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class Engine:
    def __init__(
        self,
        searcher: Searcher,
        cache_size: int = 2048,
        thresholds: ScopeThresholds | None = None,
        cache: LRU | None = None,
        curated=None,  # a service.office.matcher.CuratedMatcher: staff answers come first
    ):
        self.searcher = searcher
        self.curated = curated
        self.thresholds = thresholds or thresholds_for(searcher.embedder.model_id)
        self.cache = cache if cache is not None else LRU(cache_size)
        self.indicators = searcher.index.indicators
        self._prose: dict[tuple[str, ...], object] = {}
        for p in searcher.passages:  # a section's first paragraph, in document order
            if p.kind == "text":
                self._prose.setdefault(tuple(p.section), p)

    def warm_up(self) -> None:
        """Pay one-time costs (jieba's dictionary, OpenCC, the model's first call) at start-up."""
        self.searcher.search(self.normalize("知识产权保护的主要指标有哪些", []), top_k=1)

    def normalize(self, question: str, history: list[tuple[str, str]]) -> str:
        return resolve(normalize_question(question), history, self.searcher.matcher)

    def cached(
        self,
        question: str,
        history: list[tuple[str, str]] | None = None,
        top_k: int = 5,
        mode: Mode = "hybrid",
    ) -> AskResponse | None:
        """The answer to exactly this request if it is cached: no normalization, no model.
        Cheap enough to run on the event loop before handing real work to a thread."""
        started = time.perf_counter()
        hit = self.cache.get(
            ("raw", question, tuple(history or ()), top_k, mode, self._curated_gen)
        )
        return None if hit is None else self._stamp(hit, question, started)

    def ask(
        self,
        question: str,
        history: list[tuple[str, str]] | None = None,
        top_k: int = 5,
        mode: Mode = "hybrid",
    ) -> AskResponse:
        started = time.perf_counter()
        gen = self._curated_gen  # a change to the curated answers retires cached answers
        raw_key = ("raw", question, tuple(history or ()), top_k, mode, gen)
        normalized = self.normalize(question, history or [])
        key = (normalized, top_k, mode, gen)  # "IP保护" and "知识产权保护" share one entry
        hit = self.cache.get(key)
        if hit is None:
            hit = self._answer(question, normalized, top_k, mode)
            self.cache.put(key, hit)
        self.cache.put(raw_key, hit)
        return self._stamp(hit, question, started)

    @property
    def _curated_gen(self) -> int:
        return self.curated.generation if self.curated is not None else 0

    @staticmethod
    def _stamp(response: AskResponse, question: str, started: float) -> AskResponse:
        took = round((time.perf_counter() - started) * 1000, 2)
        return response.model_copy(update={"question": question, "took_ms": took})

    def _answer(self, question: str, normalized: str, top_k: int, mode: Mode) -> AskResponse:
        result = self.searcher.search(normalized, mode=mode, top_k=top_k) if normalized else None
        if self.curated is not None and result is not None:
            curated = self.curated.match(normalized, result.query_vector)
            if curated is not None:
                return curated.response(question, normalized, self.searcher.passages)
        matched = result.indicators if result is not None else []
        found = result is not None and in_scope(normalized, result.evidence, self.thresholds)
        year = unsupported_year(normalized)
        if found and matched and year and not is_shisanwu(normalized):
            found = False  # the table has 2020 values and 2025 targets only
        if found:
            answer, rows = compose(
                normalized, result.hits, matched, self.indicators, self._prose.get
            )
            suggestions: list[str] = []
        else:
            answer, rows, suggestions = NOT_FOUND + "；".join(SUGGESTIONS), [], list(SUGGESTIONS)
            if year and matched:
                answer = (
                    f"规划的指标表只给出2020年的数值和2025年的目标，没有{year}年的数据。"
                    "您可以问：" + "；".join(SUGGESTIONS)
                )
        hits = result.hits if (result and found) else []
        return AskResponse(
            question=question,
            normalized_question=normalized,
            found=found,
            answer=answer,
            passages=[
                PassageOut(
                    id=h.passage.id, text=h.passage.text, section=h.passage.section, score=h.score
                )
                for h in hits
            ],
            indicators=[IndicatorOut.of(i) for i in rows],
            suggestions=suggestions,
            took_ms=0.0,
        )
