"""Decide whether the plan answers a question, from both retrievers' evidence."""

from __future__ import annotations

from dataclasses import dataclass

from index.search import Evidence

# Calibrated on eval/questions.jsonl (see README "Out-of-scope calibration"):
# the idf-weighted share of the question's words that the plan uses at all, and how far
# the best dense match stands out from the rest. Names of indicators or columns always count.
MIN_KNOWN_WEIGHT = 0.6
MIN_DENSE_MARGIN = 0.0


@dataclass(frozen=True)
class ScopeThresholds:
    min_known_weight: float = MIN_KNOWN_WEIGHT
    min_dense_margin: float = MIN_DENSE_MARGIN


DEFAULT_THRESHOLDS = ScopeThresholds()


def in_scope(ev: Evidence, t: ScopeThresholds = DEFAULT_THRESHOLDS) -> bool:
    if ev.indicator_match or ev.column_match:
        return True
    if not ev.tokens:
        return False
    return ev.known_weight >= t.min_known_weight and ev.dense_margin >= t.min_dense_margin
