"""Reciprocal rank fusion of the lexical and dense lists, then small explained boosts."""

from __future__ import annotations

from dataclasses import dataclass, field

RRF_K = 60
BOOST = 1.0 / (RRF_K + 1)  # a boost is worth one extra first place in a list


@dataclass
class Fused:
    index: int
    score: float
    ranks: dict[str, int] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)


def rrf(ranked_lists: dict[str, list[int]], k: int = RRF_K) -> dict[int, Fused]:
    """ranked_lists maps a list name to passage indices, best first."""
    fused: dict[int, Fused] = {}
    for name, ranked in ranked_lists.items():
        for rank, idx in enumerate(ranked, start=1):
            item = fused.setdefault(idx, Fused(idx, 0.0))
            item.score += 1.0 / (k + rank)
            item.ranks[name] = rank
    return fused


def boost(fused: dict[int, Fused], idx: int, reason: str, weight: float = 1.0) -> None:
    item = fused.setdefault(idx, Fused(idx, 0.0))
    item.score += BOOST * weight
    item.why.append(reason)


def max_score(n_lists: int) -> float:
    """The best a passage can reach without boosts: first in every list."""
    return n_lists / (RRF_K + 1)
