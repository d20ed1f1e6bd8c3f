"""Decide whether the plan answers a question, from both retrievers' evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.search import Evidence

# Asks a policy digest cannot answer, whatever words they share with it: procedures, fees,
# contacts, durations, other plan periods.
PRACTICAL = re.compile(
    r"电话|地址|联系方式|邮箱|费用|收费|多少钱|要花|交多少|流程|步骤|一步一步|手续|怎么申请|如何申请|"
    r"怎样申请|办理|进度|查询|多长时间|多久|期限|保护期|多少年|赔偿|罚款|股价|天气|"
    r"十五五|十一五|十六五"
)


@dataclass(frozen=True)
class ScopeThresholds:
    """score = known_weight + dense_weight × (dense_top − dense_center) ≥ min_score.

    known_weight: the idf-weighted share of the question's words that the plan uses (BM25's
    vocabulary); dense_top: the best e5 cosine. Calibrated on eval/questions.jsonl with
    `python -m eval.calibrate` (see README); e5 cosines bunch near 0.9, so the dense term is
    centred there and only tips close calls."""

    min_score: float = 0.33
    dense_weight: float = 6.0
    dense_center: float = 0.9


DEFAULT_THRESHOLDS = ScopeThresholds()
# Cosine scales differ between models: for a model not calibrated here the dense term is
# off and the lexical evidence alone decides (its own calibrated cut, a thinner margin).
LEXICAL_ONLY = ScopeThresholds(min_score=0.43, dense_weight=0.0)


def thresholds_for(model_id: str) -> ScopeThresholds:
    from index.model.folder import DEFAULT_MODEL

    return DEFAULT_THRESHOLDS if model_id == DEFAULT_MODEL else LEXICAL_ONLY


def scope_score(ev: Evidence, t: ScopeThresholds = DEFAULT_THRESHOLDS) -> float:
    return ev.known_weight + t.dense_weight * (ev.dense_top - t.dense_center)


def in_scope(question: str, ev: Evidence, t: ScopeThresholds = DEFAULT_THRESHOLDS) -> bool:
    if ev.indicator_match or ev.column_match:
        return True
    if PRACTICAL.search(question) or not ev.tokens:
        return False
    return scope_score(ev, t) >= t.min_score
