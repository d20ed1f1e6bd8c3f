"""Hybrid search over a loaded index: BM25, dense, or both fused; with evidence for scope."""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from corpus.headings import column_number
from corpus.lexicon import lexicon
from corpus.records import Indicator, Passage
from corpus.tokens import tokenize
from index.boosts import (
    EXPANDED_SHARE,
    PAST,
    Booster,
    apply_plan,
    squash,
)
from index.embed.base import Embedder, Pending, drive
from index.fusion import BOOST, LEXICAL_WEIGHT, SCALE, Fused, boost, fuse
from index.lexical import title_tokens
from index.local import asks_locally, drop_rows, national_names, national_rows, without_rows
from index.match import IndicatorMatcher
from index.parts import NumberedParts
from index.store import LoadedIndex
from index.titles import document_named, title_pairs

Mode = Literal["bm25", "dense", "hybrid"]
MODES: tuple[str, ...] = ("bm25", "dense", "hybrid")
DENSE_DEPTH = 50  # how deep each list goes into fusion
GENERIC_SHARE = 0.12  # a token in more than this share of passages names no indicator
# A word of a document's title counts this much of its idf for each passage of the document
# that lacks it (a question's words naming a document choose its passages, softly).
TITLE_SHARE = 0.5
# A follow-up's passages in the document the conversation is on get this share of a boost (a
# whole one, as a named row): 0.5 and 1.0 tried on the tuning sets; 1.0 won three follow-ups
# more and lost none, the sets' switches to another document ("另外你们局的大厅在哪儿") kept.
CONVERSATION_SHARE = 1.0
QUOTED_MIN = 8  # characters of an answer's clause that find its passage word for word


def _in_chinese(alias: str) -> str:
    """An alias with its English words put as documents write them ("知识产权 pledge" →
    "知识产权 质押", english.toml), so that one another document's words hold is known."""
    words = lexicon().english_words
    if words is None or not re.search(r"[a-z]", alias):
        return alias
    return words.replace(alias, lambda terms: " ".join(terms))


def _weighed(tokens: list[str], extra: list[str]) -> list[str]:
    """The words whose share the documents use is the evidence: the question's own, or for
    a question written mostly in English, its other words and the Chinese words its English
    ones stand for (the lexicon's; "mediation" → 调解): no document is written in English."""
    latin = [t for t in tokens if t.isascii() and t.isalpha()]
    if not extra or 2 * len(latin) <= len(tokens):
        return tokens
    return [t for t in tokens if t not in latin] + extra


@dataclass
class Hit:
    passage: Passage
    score: float
    dense: float | None = None
    bm25: float | None = None
    why: list[str] = field(default_factory=list)


@dataclass
class Evidence:
    """What both retrievers saw, for deciding whether the plan answers the question."""

    tokens: list[str]
    known_weight: float  # idf-weighted share of query tokens the corpus contains
    known_tokens: list[str]  # the query tokens the corpus contains
    dense_top: float
    indicator_match: bool
    column_match: bool


@dataclass
class SearchResult:
    hits: list[Hit]
    evidence: Evidence
    indicators: list[Indicator] = field(default_factory=list)  # named by the question
    query_vector: np.ndarray | None = None  # the question's embedding, for reuse by callers


class Searcher(NumberedParts):
    def __init__(self, index: LoadedIndex, embedder: Embedder):
        self.index = index
        self.embedder = embedder
        self.passages = index.passages
        self.booster = Booster(self.passages)
        self._flat = [squash(p.text) for p in self.passages]  # an answer's words (document_of)
        self._title_pairs = title_pairs(self.passages)  # a question names a document by them
        self._indicator_rows = self._rows_by_indicator()
        indexed = index.lexical.document_tokens()  # each passage's tokens, as BM25 has them
        self.matcher = IndicatorMatcher(
            index.indicators,
            index.lexical.common_tokens(GENERIC_SHARE),
            aliases=self._own_aliases(lexicon().indicator_aliases, indexed),
        )
        self._titled = title_tokens(self.passages, indexed)
        self._doc_rows: dict[str, list[int]] = {}
        for i, p in enumerate(self.passages):
            self._doc_rows.setdefault(p.doc, []).append(i)
        self._national_rows = national_rows(self.passages, self._indicator_rows)
        self.national_indicators = national_names(self._indicator_rows, self._national_rows)
        self._index_parts(indexed)
        # a section's overview that is its heading alone → the first passage under it
        first: dict[tuple[str, ...], Passage] = {}
        for p in self.passages:
            if p.kind in ("text", "heading") and p.section:
                first.setdefault((p.doc, *p.section), p)
        self._under = {
            p.id: first[(p.doc, *p.section)]
            for p in self.passages
            if p.kind == "overview"
            and p.section
            and p.text == p.section[-1]
            and (p.doc, *p.section) in first
        }

    @property
    def manifest(self) -> dict:
        """What the loaded index was built from and with (model, corpus, dense backend, time)."""
        return self.index.manifest

    @property
    def indicators(self) -> list[Indicator]:
        return self.index.indicators

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    def _own_aliases(
        self, aliases: dict[str, tuple[str, ...]], indexed: list[frozenset[str]]
    ) -> dict[str, tuple[str, ...]]:
        """A row's other names, less those another document uses for its own subject: with a
        guide to 专利权质押登记 loaded, "质押登记" and "专利质押" (both of its words in one of the
        guide's passages, as BM25 indexed them) no longer name the plan's 质押融资 row."""
        out = {}
        for name, names in aliases.items():
            row = self._indicator_rows.get(name)
            own = self.passages[row].doc if row is not None else None
            out[name] = tuple(a for a in names if not self._elsewhere(_in_chinese(a), own, indexed))
        return out

    def _rows_by_indicator(self) -> dict[str, int]:
        return {
            p.text.split("（", 1)[0]: i
            for i, p in enumerate(self.passages)
            if p.kind == "indicator"
        }

    def indicator_passage(self, name: str) -> int | None:
        """The position of an indicator row's own passage."""
        return self._indicator_rows.get(name)

    def knows(self, token: str) -> bool:
        """Whether the corpus uses this token (BM25's vocabulary)."""
        return bool(self.index.lexical.known([token]))

    @staticmethod
    def dense_text(question: str, expansions: Sequence[str] = ()) -> str:
        """What the model reads for a question: the question alone. The plan's terms for its
        words go to BM25 only: appended for the model too they gained ~0.5 point of hit@1 on
        the tuning set and cost ~17% more encode time (longer input), past the latency budget."""
        return question

    def document_of(self, text: str, quoted: str = "") -> str | None:
        """The document a conversation's turn is about: the only one holding a clause of the last
        answer word for word (quoted; "099-86617250" is one article's), else that of the passage
        its words match best. None with one document loaded, or when no passage shares a word."""
        if len(self._doc_rows) < 2 or not text:
            return None
        said = [c for c in map(squash, re.split(r"[。；;！？]", quoted)) if len(c) >= QUOTED_MIN]
        holders = {self.passages[i].doc for i, f in enumerate(self._flat) for c in said if c in f}
        if len(holders) == 1:
            return holders.pop()
        bm25 = self.index.lexical.scores(tokenize(text, normalized=True))
        best = int(np.argmax(bm25)) if len(bm25) else 0
        return self.passages[best].doc if len(bm25) and bm25[best] > 0 else None

    def start(self, question: str) -> Pending | None:
        """Begin the question's vector now when the model runs elsewhere (None otherwise: the
        search starts it); the call returned must be made, or handed to search(started=)."""
        if not self.embedder.starts_at_once:
            return None
        return self.embedder.start_query(self.dense_text(question))

    def search(self, question: str, **options) -> SearchResult:
        """search_steps(), its vector waited for here."""
        return drive(self.search_steps(question, **options))

    def search_steps(
        self,
        question: str,
        mode: Mode = "hybrid",
        top_k: int = 5,
        query_vector: np.ndarray | None = None,
        expansions: Sequence[str] = (),
        started: Pending | None = None,
        asks_value: bool = True,
        kinds: Sequence[str] = (),
        document: str | None = None,
    ) -> Generator[Pending | None, np.ndarray | None, SearchResult]:
        """The search, as steps (index.embed.base.drive): yields the question's Pending where
        it needs the vector, after the lexical work. question must already be normalized
        (corpus.normalize.normalize_question);
        expansions: the plan's terms for the question's everyday words, searched as well;
        started: the question's vector, already begun with `start(question)`;
        asks_value: the question asks for a number, so a table row sharing some of its words
        counts; otherwise only a row it names (whole name or alias: IndicatorMatcher.named) does;
        kinds: what the question asks for (duration, fee…), lifting passages under a heading
        that gives it; document: the one the conversation is on (`document_of`), whose
        passages a follow-up prefers."""
        if mode not in MODES:
            if started is not None and started.begun:
                started()  # a pass already sent must still be collected
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        dense_text = self.dense_text(question, expansions)
        # A model in another process starts on the question now (index/embed/model_process.py).
        pending = started
        if pending is None and query_vector is None:
            pending = self.embedder.start_query(dense_text)
        try:  # everything that does not need the vector, while the model may be running
            tokens = tokenize(question, normalized=True)
            lexical = self.index.lexical
            extra = (
                [t for t in tokenize(" ".join(expansions), normalized=True) if t not in tokens]
                if expansions
                else []
            )
            if extra and len(self._doc_rows) > 1:  # the lexicon is the plan's own language
                bm25 = lexical.scores(tokens) + EXPANDED_SHARE * lexical.scores(extra)
            else:
                bm25 = lexical.scores(tokens + extra)
            # a document's title words: all of it (in a fixed order: float sums, same ties)
            for t in sorted(set(tokens) & self._titled.keys()):
                bm25[self._titled[t]] += TITLE_SHARE * lexical.idf(t)
            bm25_ranked = [
                int(i) for i in np.argsort(-bm25, kind="stable")[:DENSE_DEPTH] if bm25[i] > 0
            ]
            expanded = f"{question} {' '.join(expansions)}" if expansions else question
            indicators = self.matcher.match(expanded)
            if not asks_value:  # "质押登记要补正材料" shares 质押/登记 with a row, names none
                named = self.matcher.named(expanded)
                indicators = [(i, score) for i, score in indicators if i.name in named]
            # "本市知识产权保护社会满意度多少分": the city's documents, not a national table
            national = self._national_rows if mode == "hybrid" and asks_locally(question) else ()
            indicators = without_rows(indicators, self._indicator_rows, national)
            col = column_number(question)
            if col is None:
                col = next((n for _, n, _, _ in self._column_aliases.finditer(question)), None)
            planned = (
                self.booster.plan(expanded, named_indicator=bool(indicators), asked=question)
                + self.booster.kinds_asked(kinds)
                if mode == "hybrid"
                else []
            )
            if mode == "hybrid":  # the conversation's document, or one its title's words name
                document = document or document_named(question, self._title_pairs)
            weighed = _weighed(tokens, extra)
            weights = [lexical.idf(t) for t in weighed]
            known = sum(w for t, w in zip(weighed, weights, strict=True) if lexical.known([t]))
        except BaseException:
            if pending is not None:
                pending()  # a pass already sent must still be collected
            raise
        vector = (yield pending) if pending is not None else query_vector
        ids, cosines = self.index.dense.search(vector, DENSE_DEPTH)
        dense_ranked, cos = ids.tolist(), cosines.tolist()  # Python ints and floats, in one call
        dense_by_id = dict(zip(dense_ranked, cos, strict=True))

        weight = {"bm25": 1.0, "dense": 0.0}.get(mode, LEXICAL_WEIGHT)
        fused = fuse(
            bm25_ranked if weight else [],
            bm25,
            dense_ranked if weight < 1 else [],
            cos if weight < 1 else [],
            weight,
        )
        if mode == "hybrid":
            # The past period's figures share names with indicator rows; the question's period decides.
            named = [] if PAST.search(question) else indicators
            self._boost(fused, named, col, question, document)
            apply_plan(fused, planned)
            self._boost_sections(fused, question)
            drop_rows(fused, national)
            if document is not None:
                for i in self._doc_rows.get(document, ()):
                    if i in fused:
                        boost(fused, i, "对话所在文件", CONVERSATION_SHARE)
        ranked = sorted(fused.values(), key=lambda f: (-f.score, f.index))[:top_k]
        top = SCALE + (2 * BOOST if mode == "hybrid" else 0)  # first everywhere, room for boosts
        hits = self._contents([self._hit(f, top, bm25, dense_by_id) for f in ranked])

        evidence = Evidence(
            tokens=tokens,
            known_weight=known / sum(weights) if weights else 0.0,
            known_tokens=[t for t in lexical.known(tokens) if any(c.isalnum() for c in t)],
            dense_top=float(cos[0]) if len(cos) else 0.0,
            indicator_match=bool(indicators),
            column_match=col is not None and col in self._columns,
        )
        return SearchResult(hits, evidence, [ind for ind, _ in indicators], vector)

    def _boost(self, fused: dict[int, Fused], indicators, col, asked: str, document=None) -> None:
        """Rows the question names (a row named only through the terms searched with it
        counts EXPANDED_SHARE: "国外" → "海外" named the plan's 海外发明专利授权量 row for a
        question about a regulation's 国外发明专利资助), then the 专栏 it names."""
        own = {ind.name for ind, _ in self.matcher.match(asked)} if indicators else set()
        for ind, _ in indicators:
            row = self._indicator_rows.get(ind.name)
            if row is not None:
                weight = 1.0 if ind.name in own else EXPANDED_SHARE
                boost(fused, row, f"指标名称匹配：{ind.name}", weight)
        if col is not None and col in self._columns:  # the named document's, if it has one
            at = self._doc_columns.get((document, col), self._columns[col])
            boost(fused, at, f"专栏编号匹配：专栏{col}")

    def _contents(self, hits: list[Hit]) -> list[Hit]:
        """A heading alone ("（一）基本材料", a section's overview with nothing under it but
        text) gives way to the first passage under it, where what it heads is written; once."""
        out, seen = [], set()
        for h in hits:
            under = self._under.get(h.passage.id)
            if under is not None:
                h = Hit(under, h.score, h.dense, h.bm25, [*h.why, "标题下的内容"])
            if h.passage.id not in seen:
                seen.add(h.passage.id)
                out.append(h)
        return out

    def _hit(self, f: Fused, top: float, bm25: np.ndarray, dense: dict[int, float]) -> Hit:
        return Hit(
            passage=self.passages[f.index],
            score=round(min(1.0, f.score / top), 4),
            dense=round(dense[f.index], 4) if f.index in dense else None,
            bm25=round(float(bm25[f.index]), 4),
            why=f.why,
        )
