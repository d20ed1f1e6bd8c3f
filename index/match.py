"""Query-side matching of the indicator rows a question names."""

from __future__ import annotations

from collections import Counter

from corpus.records import Indicator
from corpus.tokens import tokenize

MIN_INDICATOR_SCORE = 2.5


class IndicatorMatcher:
    """Finds the indicator rows a question names. A shared token counts for its length,
    divided among the names that contain it (so GDP/比重 split between two rows); tokens
    common across the whole corpus (知识产权保护, 社会) count for nothing."""

    def __init__(
        self,
        indicators: list[Indicator],
        generic: frozenset[str] = frozenset(),
        aliases: dict[str, tuple[str, ...]] | None = None,
    ):
        """aliases: other names of a row (lower-cased, normalized), e.g. from the lexicon."""
        self.indicators = list(indicators)
        self._aliases = [tuple((aliases or {}).get(i.name, ())) for i in self.indicators]
        self._tokens = [set(tokenize(i.name)) - generic for i in self.indicators]
        # Containment as text, not as a jieba token: 知识产权 is cut differently inside
        # 知识产权保护社会满意度, but it is still shared.
        names = [i.name.lower() for i in self.indicators]
        self._freq = Counter({t: sum(t in n for n in names) for ts in self._tokens for t in ts})

    def match(self, query: str) -> list[tuple[Indicator, float]]:
        """Indicators the (normalized) query names, best first."""
        q = set(tokenize(query, normalized=True))
        low = query.lower()
        scored = []
        for ind, names, aliases in zip(self.indicators, self._tokens, self._aliases, strict=True):
            score = sum(len(t) / self._freq[t] for t in q & names)
            if ind.name in query:
                score += 10.0  # the whole name, verbatim
            elif any(a in low for a in aliases):
                score += 5.0  # another name for it ("满意度", "royalties")
            if score >= MIN_INDICATOR_SCORE:
                scored.append((ind, score))
        scored.sort(key=lambda pair: -pair[1])
        if scored:  # keep only those close to the best: "GDP比重" names two rows equally
            best = scored[0][1]
            scored = [(i, s) for i, s in scored if s >= best * 0.8]
        return scored

    def named(self, query: str) -> frozenset[str]:
        """The rows a (normalized) query names by their whole name or another name of theirs,
        not by sharing some of their words."""
        low = query.lower()
        return frozenset(
            ind.name
            for ind, aliases in zip(self.indicators, self._aliases, strict=True)
            if ind.name in query or any(a in low for a in aliases)
        )
