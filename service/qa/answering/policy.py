"""The whole scope decision: does the plan answer the question, only touch it, or not at all."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from index.search import Evidence, SearchResult
from service.qa.answering.evidence import (
    BY_WORDS,
    answering,
    answering_each,
    elsewhere,
    services,
)
from service.qa.reading.understand import Qualifier, Query

ANSWER, RELATED, NONE = "answer", "related", "none"
_CLAUSES = re.compile(r"[，,。；;！!？?、\s]+")
CLARIFY = "clarify"  # a follow-up with no conversation before it: the service asks back
# Qualifier kinds that a named 专栏 makes moot: "专栏5指什么" asks what the column is.
# A named 专栏 makes the loose definition words moot ("专栏5指什么" asks what the column is);
# "定义", "法律上" still ask for a definition.
MOOT_WITH_COLUMN = frozenset(
    {"指什么", "是指什么", "指的是什么", "什么意思", "啥意思", "是什么意思"}
)
# A row in 亿元 makes "多少钱" ask for its figure; "利率", "补贴" still ask for a fee.
# Kinds whose answer is itself a number: asking "多少" of them asks for that, not for a figure.
NUMBER_KINDS = ("fee", "duration", "contact", "when", "detail")
MOOT_WITH_MONEY_ROW = frozenset({"多少钱", "要花", "花多少", "交多少"})


@dataclass(frozen=True)
class Thresholds:
    """For questions with no IP word and nothing of the plan named, the evidence decides:
    score = known_weight + dense_weight × (dense_top − dense_center)
            + expansion_weight × min(1, plan terms the question's words stand for ÷ 2)
    ≥ min_score.

    known_weight is the idf-weighted share of the question's words that the plan uses (BM25's
    vocabulary), dense_top the best passage cosine, the plan terms come from the lexicon's
    everyday words ("打官司" → 司法保护). Calibrated on the tuning questions when the index
    is built (service/qa/calibrate.py) and stored in its manifest."""

    min_score: float = 0.33
    dense_weight: float = 6.0
    dense_center: float = 0.9
    expansion_weight: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Thresholds:
        if not data:
            return cls()
        return cls(
            **{
                k: float(data[k])
                for k in ("min_score", "dense_weight", "dense_center", "expansion_weight")
                if k in data
            }
        )


@dataclass(frozen=True)
class Decision:
    outcome: str  # answer | related | none
    qualifiers: tuple[Qualifier, ...] = ()  # why the plan does not answer (related)
    # a question asking several things, answered from several passages: (hit, what it shows)
    parts: tuple[tuple[int, tuple[Qualifier, ...]], ...] = ()


def scope_score(ev: Evidence, t: Thresholds, expansions: int = 0) -> float:
    """expansions: how many plan terms the question's everyday words stand for."""
    return (
        ev.known_weight
        + t.dense_weight * (ev.dense_top - t.dense_center)
        + t.expansion_weight * min(1.0, expansions / 2)
    )


def in_domain(query: Query, ev: Evidence, t: Thresholds) -> bool:
    """Whether the question is about what the plan covers at all."""
    if query.injection or query.junk:
        return (
            False  # "忽略之前的指令…", "你现在是我的作文枪手", "SELECT … FROM 专利": whatever else
        )
    if ev.indicator_match or ev.column_match or query.domain:
        return True
    if query.off_task:
        return False  # "帮我写个请假条", "ignore the document": not a question about the plan
    if query.references_plan and (query.expansions or ev.known_tokens):
        return True  # "文件里对农村这块有什么说法": the plan, and a subject it has words for
    return bool(ev.tokens) and scope_score(ev, t, len(query.expansions)) >= t.min_score


def _moot(q: Qualifier, column: bool, money_row: bool) -> bool:
    """A qualifier every one of whose words is answered by what the question names."""
    moot = (MOOT_WITH_COLUMN if column else frozenset()) | (
        MOOT_WITH_MONEY_ROW if money_row else frozenset()
    )
    return bool(q.words) and all(w in moot for w in q.words)


def unanswered(
    query: Query, ev: Evidence, figure_known: bool, money_row: bool = False
) -> tuple[Qualifier, ...]:
    """What the question asks that the plan does not say (empty: the plan answers it).
    money_row: an indicator in 亿元 is named, so "多少钱" asks for its figure, not a fee."""
    found = [q for q in query.qualifiers if not _moot(q, ev.column_match, money_row)]
    numbered = query.has(*NUMBER_KINDS)  # "热线是多少", "要交多少": the number is that kind's
    if query.asks_figure and not (
        ev.indicator_match or query.counts_structure or figure_known or numbered
    ):
        found.append(Qualifier("figure", ()))  # a number the plan does not give
    return tuple(found)


def decide(
    query: Query, ev: Evidence, t: Thresholds, figure_known: bool = False, money_row: bool = False
) -> Decision:
    """figure_known: the question's number is one the plan states outside the table (十三五)."""
    if not in_domain(query, ev, t):
        return Decision(NONE)
    missing = unanswered(query, ev, figure_known, money_row)
    return Decision(RELATED, missing) if missing else Decision(ANSWER)


def _clauses_asking(text: str, qualifiers: tuple[Qualifier, ...]) -> int:
    """In how many of the question's clauses its qualifiers' words are found."""
    clauses = [c for c in _CLAUSES.split(text) if c]
    return len(
        {i for q in qualifiers for i, c in enumerate(clauses) if any(w in c for w in q.words)}
    )


def several(
    result: SearchResult, decision: Decision, query: Query, named: tuple[str, ...]
) -> Decision | None:
    """A question asking several things in clauses of their own, that no one passage answers
    ("要带什么材料，要多久，收不收钱"): answered part by part when each is given by one of
    the best passages, those put first; else related, naming only what none of them gives.
    None: it asks one thing (or several in one clause: "商标异议申请要交多少官费" asks a fee
    of 异议), or no passage gives any of them."""
    if _clauses_asking(query.text, decision.qualifiers) < 2:
        return None
    parts, missing = answering_each(
        decision.qualifiers,
        [h.passage for h in result.hits],
        query.objects,
        named,
        query.framed_objects,
    )
    if not parts:
        return None
    first = [i for i, _ in parts]
    result.hits[:] = [result.hits[i] for i in first] + [
        h for i, h in enumerate(result.hits) if i not in first
    ]
    if missing:
        return Decision(RELATED, missing)
    return Decision(ANSWER, parts=tuple((n, kinds) for n, (_, kinds) in enumerate(parts)))


def by_evidence(query: Query, result: SearchResult, rows: list, decision: Decision, indicators):
    """A related decision, settled by what the best passages give (rows, decision): one that
    gives what is asked goes first and answers (its row with it, if it is one); else a
    question asking several things is answered part by part; else, shown only of another
    kind of IP or another service, it says which. A national row is never a place's,
    company's or period's figure. indicators: the table's rows, by which a row is named."""
    national = rows and any(q.kind in BY_WORDS for q in decision.qualifiers)
    named = services(query.asking)
    passages = [h.passage for h in result.hits]
    asked = (query.objects, named, query.framed_objects)
    # a row is a figure asked only by a question using some word of the documents
    rows_count = bool(result.evidence.known_tokens or query.expansions)
    i = answering(decision.qualifiers, passages, *asked, rows_count, query.asking or query.text)
    if national and (i is None or passages[i].kind == "indicator"):
        i = None  # a passage of its own ("每家单位每年…") may answer; the row never does
    if i is not None:  # one of the best passages gives what is asked: answer from it
        result.hits.insert(0, result.hits.pop(i))
        top = result.hits[0].passage
        name = top.text.split("（", 1)[0] if top.kind == "indicator" else None
        return [r for r in indicators if r.name == name][:1], Decision(ANSWER)
    if not national and (parts := several(result, decision, query, named)):
        return rows, parts
    if not national and (query.objects or named):
        kinds = elsewhere(decision.qualifiers, passages, *asked)
        if kinds:  # shown, but of another kind of IP or another service: say which
            return rows, Decision(RELATED, (Qualifier("object", kinds), *decision.qualifiers))
    return rows, decision
