"""What the engine returns: a plain answer that service/schemas.py maps to the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.records import Indicator, Passage


@dataclass(frozen=True)
class Source:
    """A passage given with the answer, and its fused score (0–1)."""

    passage: Passage
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    normalized_question: str  # what was searched, follow-ups resolved
    outcome: str  # answer | related | none (curated: the office's own answer)
    text: str
    sources: tuple[Source, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    suggestions: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()  # for related: what the plan does not contain
    took_ms: float = 0.0
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def found(self) -> bool:
        return self.outcome in ("answer", "curated")
