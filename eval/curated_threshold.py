"""Calibrate the cosine at which a question matches a curated answer's phrasing, on the
tuning gold set (never the held-out one): `python -m eval.curated_threshold`."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
from rich.console import Console

from eval.gold import is_relevant, load_questions
from service.settings import Settings
from service.state import load_embedder, load_engine

STEP = 0.005  # the threshold is rounded up to this, above the closest wrong pair


def labelled_vectors(engine) -> tuple[list[tuple | None], np.ndarray, list[str]]:
    """(what each question asks, its normalized text's vector, the text) for the gold
    questions without history; what a question asks: the passages its gold text is in, its
    indicator, and for
    an indicator the figures expected (None for out-of-scope questions)."""
    keys, texts = [], []
    passages = engine.searcher.passages
    for q in load_questions():
        # Computations and checks are worked out from the table, and several writers asked the
        # same one in words too close to tell apart; a staff answer is for what the plan says.
        if q.history or q.category in ("computed", "false_premise"):
            continue
        texts.append(engine.normalize(q.question, []))
        # A passage question is answered by its passage; an indicator row answers several
        # questions (2020 value, 2025 target, increase), told apart by the expected figures.
        figures = frozenset(q.answer_contains) if q.indicator else None
        needle = q.passage_contains or ""
        gold = frozenset(p.id for p in passages if needle and is_relevant(p, needle))
        keys.append(None if q.ood else (gold, q.indicator, figures))
    vectors = engine.question_vectors(texts)  # as the engine makes them for a search
    return keys, np.asarray(vectors, dtype=np.float32), texts


def calibrate(keys: list[tuple | None], vectors: np.ndarray, texts: list[str]) -> dict:
    """The lowest cut (on the STEP grid) that no two questions asking different things reach:
    a curated answer written for one must never be served for the other. Pairs of
    out-of-scope questions are left out (two of them may well ask the same thing), and so
    are pairs with the same normalized text (the text match decides those, not the cut)."""
    sims = vectors @ vectors.T
    same, different = [], []
    for i, j in combinations(range(len(keys)), 2):
        if (keys[i] is None and keys[j] is None) or texts[i] == texts[j]:
            continue
        (same if keys[i] is not None and keys[i] == keys[j] else different).append(
            (float(sims[i, j]), i, j)
        )
    worst = max(different)
    cut = math.floor(worst[0] / STEP + 1) * STEP
    return {
        "threshold": round(cut, 3),
        "closest_different": worst,
        "different_pairs": len(different),
        "same_pairs": len(same),
        "same_matched": sum(1 for s, _, _ in same if s >= cut),
    }


def main() -> None:
    settings = Settings()
    engine = load_engine(settings, load_embedder(settings))
    keys, vectors, texts = labelled_vectors(engine)
    result = calibrate(keys, vectors, texts)
    sim, i, j = result["closest_different"]
    Console().print(
        f"{len(keys)} questions: {result['different_pairs']} pairs asking different things, "
        f"the closest at cosine {sim:.4f} ({texts[i]} | {texts[j]}); threshold "
        f"{result['threshold']}: {result['same_matched']} of {result['same_pairs']} pairs "
        "asking the same thing would match each other",
        highlight=False,
    )


if __name__ == "__main__":
    main()
