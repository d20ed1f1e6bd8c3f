"""Calibrate the out-of-scope decision on the gold set: `python -m eval.calibrate`."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from service.scope import PRACTICAL, ScopeThresholds, scope_score

from service.settings import Settings
from service.state import load_embedder, load_engine

QUESTIONS = Path(__file__).with_name("questions.jsonl")


def evidence_rows(engine, questions: Path = QUESTIONS) -> list[tuple[bool, object]]:
    """(is_ood, evidence) for each gold question that neither names an indicator/column nor
    matches the practical-ask patterns: the ones the thresholds decide."""
    rows = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        history = [(t["role"], t["content"]) for t in q.get("history", [])]
        normalized = engine.normalize(q["question"], history)
        ev = engine.searcher.search(normalized, top_k=1).evidence
        if ev.indicator_match or ev.column_match or PRACTICAL.search(normalized) or not ev.tokens:
            continue
        rows.append((bool(q.get("ood")), ev))
    return rows


def calibrate(rows, dense_weights=(0.0, 2.0, 4.0, 6.0, 8.0), center: float = 0.9):
    """Fewest errors first (false refusals count double), then the widest margin."""
    best = None
    for weight in dense_weights:
        t0 = ScopeThresholds(min_score=0.0, dense_weight=weight, dense_center=center)
        scores = [(scope_score(ev, t0), ood) for ood, ev in rows]
        for cut in (x / 100 for x in range(-50, 151)):
            refused = sum(1 for s, ood in scores if not ood and s < cut)
            missed = sum(1 for s, ood in scores if ood and s >= cut)
            margin = min(abs(s - cut) for s, _ in scores)
            key = (2 * refused + missed, -margin)
            if best is None or key < best[0]:
                best = (
                    key,
                    ScopeThresholds(round(cut, 2), weight, center),
                    refused,
                    missed,
                    margin,
                )
    return best


def main() -> None:
    settings = Settings()
    engine = load_engine(settings, load_embedder(settings))
    rows = evidence_rows(engine)
    (_, thresholds, refused, missed, margin) = calibrate(rows)
    Console().print(
        f"{len(rows)} questions decided by the thresholds "
        f"({sum(o for o, _ in rows)} out of scope): best {thresholds}, "
        f"false refusals {refused}, missed out-of-scope {missed}, margin {margin:.3f}; "
        f"in use: {engine.thresholds}"
    )


if __name__ == "__main__":
    main()
