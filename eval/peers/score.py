"""Which gold questions a retrieval-only comparison can score, and scoring a ranker's lists
with the eval's own relevance (eval/gold.py) and metrics (eval/metrics.py, ranx)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from corpus.records import Passage
from eval.gold import GoldQuestion, RelevanceIndex
from eval.metrics import build_qrels, build_run, ir_scores

METRICS = ("hit@1", "hit@5", "mrr@10")
HEADS = {"hit@1": "hit@1", "hit@5": "hit@5", "mrr@10": "MRR@10"}


@dataclass(frozen=True)
class Probe:
    """One question as each system is given it."""

    id: str
    text: str  # what every system searches: the question as ipqa's model reads it
    typed: str = ""  # the question as written, for the one row that searches it unread
    expansions: tuple[str, ...] = ()  # ipqa's lexicon terms for it (its BM25 only)


# A ranker: one question → passage ids, best first (the eval asks for ten).
Ranker = Callable[[Probe], list[str]]


@dataclass
class GoldSet:
    """The questions of one set that retrieval alone can be scored on, over one index."""

    name: str
    questions: list[GoldQuestion]
    qrels: dict[str, dict[str, int]]
    skipped: dict[str, int] = field(default_factory=dict)  # why the others were left out


def scorable(name: str, questions: Sequence[GoldQuestion], passages: Sequence[Passage]) -> GoldSet:
    """Single-turn questions with a gold passage in this index: a follow-up is searched only
    after ipqa's conversation rules rewrite it, and a question the plan cannot answer has no
    passage to find."""
    skipped = {"multi-turn": 0, "no answer": 0, "gold matches no passage": 0}
    kept = []
    for q in questions:
        if q.history:
            skipped["multi-turn"] += 1
        elif q.ood or not q.passage_contains:
            skipped["no answer"] += 1
        else:
            kept.append(q)
    qrels = build_qrels(kept, RelevanceIndex(passages))
    matched = [q for q in kept if qrels.get(q.id)]
    skipped["gold matches no passage"] = len(kept) - len(matched)
    return GoldSet(name, matched, {q.id: qrels[q.id] for q in matched}, skipped)


def score(ranked: dict[str, Sequence[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Means over the questions of `qrels` of hit@1, hit@5 and MRR@10 (a question missing
    from `ranked` scores 0), as `ipqa eval` computes them."""
    if not any(ranked.get(qid) for qid in qrels):  # ranx cannot read a run with no ids at all
        return {m: 0.0 for m in METRICS}
    per_question = ir_scores(qrels, build_run(dict(ranked)))
    if not per_question:
        return {m: 0.0 for m in METRICS}
    return {m: sum(s[m] for s in per_question.values()) / len(per_question) for m in METRICS}


@dataclass
class Scored:
    """One ranker on one set: the metrics and the seconds its searches took."""

    metrics: dict[str, float]
    seconds: float
    questions: int

    @property
    def ms_per_question(self) -> float:
        return 1000 * self.seconds / self.questions if self.questions else 0.0


def run_set(gold: GoldSet, probes: dict[str, Probe], rankers: dict[str, Ranker]) -> dict:
    """Every ranker over every scorable question of the set: {label: Scored}."""
    out = {}
    for label, rank in rankers.items():
        if gold.questions:  # once untimed: lazy loads (a tokenizer, the first model call)
            rank(probes[gold.questions[0].id])
        started = time.perf_counter()
        ranked = {q.id: rank(probes[q.id]) for q in gold.questions}
        seconds = time.perf_counter() - started
        out[label] = Scored(score(ranked, gold.qrels), seconds, len(gold.questions))
    return out


# --- output -------------------------------------------------------------------------------------


def table(results: dict[str, dict[str, Scored]], sizes: dict[str, int], markdown=False) -> str:
    """Rows: the rankers; for each set (`results[set][ranker]`), hit@1, hit@5 and MRR@10."""
    sets = list(results)
    labels = list(dict.fromkeys(label for per in results.values() for label in per))
    cells = [
        [label]
        + [
            f"{results[s][label].metrics[m]:.3f}" if label in results[s] else "—"
            for s in sets
            for m in METRICS
        ]
        for label in labels
    ]
    if markdown:
        head = ["system"] + [f"{s} {HEADS[m]}" for s in sets for m in METRICS]
        lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        return "\n".join(lines)
    width = max(len("system"), *(len(label) for label in labels))
    col = 7  # one metric
    group = col * len(METRICS)
    top = " " * width + "".join(f"  {f'{s} (n={sizes[s]})':^{group}}" for s in sets)
    sub = "system".ljust(width) + ("  " + "".join(HEADS[m].rjust(col) for m in METRICS)) * len(sets)
    lines = [top.rstrip(), sub]
    for label, *values in cells:
        groups = [values[i : i + len(METRICS)] for i in range(0, len(values), len(METRICS))]
        lines.append(
            label.ljust(width) + "".join("  " + "".join(v.rjust(col) for v in g) for g in groups)
        )
    return "\n".join(lines)
