"""Metrics: IR metrics with ranx (hit@1/3/5, MRR@10, nDCG@10) and answer-level metrics."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from corpus.normalize import normalize_text
from eval.gold import ALL_INDICATORS, GoldQuestion, RelevanceIndex

# IR metrics are computed from plain Qrels/Run dicts:
# - qrels: for each non-ood question, every passage id in the index whose content contains the
#   question's `passage_contains` (see eval.gold) is relevant (grade 1);
# - run: the passage ids Engine.ask returned, best first. ranx sorts a run by score, so the run
#   gets rank-derived scores (1/rank) that keep the engine's order exactly (the engine's own
#   scores are capped at 1.0 and may tie).
#
# Answer-level metrics (per question, then averaged over the questions they apply to):
# - answer accuracy (non-ood only): found is true and every `answer_contains` string is in the
#   answer (normalized); with an empty `answer_contains`, correct iff found is true;
# - indicator accuracy (questions with an `indicator`): the first returned indicator's name
#   equals it; "*" means every indicator row was returned;
# - out-of-scope precision/recall: positive class = ood, predicted positive = found is false;
# - false-refusal rate: non-ood questions with found false / non-ood questions;
# - latency p50/p95 of Engine.ask in milliseconds.

# our name → ranx's name
RANX_METRICS = {
    "hit@1": "hit_rate@1",
    "hit@3": "hit_rate@3",
    "hit@5": "hit_rate@5",
    "mrr@10": "mrr@10",
    "ndcg@10": "ndcg@10",
}
IR_METRICS = tuple(RANX_METRICS)
ANSWER_METRICS = (
    "answer_accuracy",
    "indicator_accuracy",
    "ood_precision",
    "ood_recall",
    "false_refusal_rate",
)
LATENCY_METRICS = ("latency_p50_ms", "latency_p95_ms")
ALL_METRICS = IR_METRICS + ANSWER_METRICS + LATENCY_METRICS


# --- IR ---------------------------------------------------------------------------------------


def build_qrels(
    questions: Iterable[GoldQuestion], relevance: RelevanceIndex
) -> dict[str, dict[str, int]]:
    """{question id: {passage id: 1}} for non-ood questions; a question no passage matches
    gets an empty dict (a gold error: the caller reports it and leaves it out of IR)."""
    return {
        q.id: {pid: 1 for pid in relevance.relevant(q.passage_contains, q.doc)}
        for q in questions
        if not q.ood and q.passage_contains
    }


def build_run(ranked: dict[str, Sequence[str]]) -> dict[str, dict[str, float]]:
    """{question id: [passage ids best first]} → {question id: {passage id: 1/rank}}."""
    run: dict[str, dict[str, float]] = {}
    for qid, ids in ranked.items():
        scores: dict[str, float] = {}
        for rank, pid in enumerate(ids, start=1):
            scores.setdefault(pid, 1.0 / rank)  # a repeated id keeps its best rank
        run[qid] = scores
    return run


def ir_scores(
    qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """Per-question IR metrics with ranx: {question id: {"hit@1": 1.0, ...}}.

    Questions with no relevant passage are skipped; questions missing from the run score 0.
    """
    qrels = {qid: rel for qid, rel in qrels.items() if rel}
    if not qrels:
        return {}
    from ranx import Qrels, Run, evaluate  # imported lazily: numba start-up is slow

    run = {qid: dict(run.get(qid) or {}) for qid in qrels}
    ranx_run = Run(run)
    evaluate(Qrels(qrels), ranx_run, list(RANX_METRICS.values()), save_results_in_run=True)
    return {
        qid: {ours: float(ranx_run.scores[theirs][qid]) for ours, theirs in RANX_METRICS.items()}
        for qid in qrels
    }


def first_relevant_rank(ids: Sequence[str], relevant: Iterable[str]) -> int | None:
    rel = set(relevant)
    return next((rank for rank, pid in enumerate(ids, start=1) if pid in rel), None)


# --- answers ----------------------------------------------------------------------------------


def answer_correct(q: GoldQuestion, found: bool, answer: str) -> bool | None:
    """None for ood questions (they count in ood precision/recall instead)."""
    if q.ood:
        return None
    if not found:
        return False
    text = normalize_text(answer)
    return all(normalize_text(s) in text for s in q.answer_contains)


def indicator_correct(
    q: GoldQuestion, returned: Sequence[str], all_names: Sequence[str]
) -> bool | None:
    """None for questions without an expected indicator."""
    if q.indicator is None:
        return None
    if q.indicator == ALL_INDICATORS:
        return bool(all_names) and set(returned) >= set(all_names)
    return bool(returned) and returned[0] == q.indicator


# --- aggregation ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one question scored; the input to summarize()."""

    id: str
    category: str
    ood: bool
    found: bool
    took_ms: float
    ir: dict[str, float] | None = None  # None: ood, or no relevant passage in the index
    answer_ok: bool | None = None
    indicator_ok: bool | None = None
    outcome: str | None = None  # answer | related | none | curated
    extra: dict = field(default_factory=dict)


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def percentile(values: Sequence[float], p: float) -> float | None:
    return float(np.percentile(np.asarray(values, dtype=float), p)) if len(values) else None


def summarize(outcomes: Sequence[Outcome]) -> dict:
    """Means over the questions each metric applies to; None where none apply."""
    out: dict = {"n": len(outcomes), "n_ood": sum(o.ood for o in outcomes)}
    with_ir = [o.ir for o in outcomes if o.ir is not None]
    out["n_ir"] = len(with_ir)
    for name in IR_METRICS:
        out[name] = _mean([ir[name] for ir in with_ir])
    answers = [o.answer_ok for o in outcomes if o.answer_ok is not None]
    out["answer_accuracy"] = _mean([float(a) for a in answers])
    inds = [o.indicator_ok for o in outcomes if o.indicator_ok is not None]
    out["n_indicator"] = len(inds)
    out["indicator_accuracy"] = _mean([float(a) for a in inds])
    tp = sum(o.ood and not o.found for o in outcomes)
    fp = sum(not o.ood and not o.found for o in outcomes)
    fn = sum(o.ood and o.found for o in outcomes)
    non_ood = sum(not o.ood for o in outcomes)
    # precision only means something where there are ood questions to find
    out["ood_precision"] = _ratio(tp, tp + fp) if out["n_ood"] else None
    out["ood_recall"] = _ratio(tp, tp + fn)
    out["false_refusal_rate"] = _ratio(fp, non_ood)
    # Of the questions the plan cannot answer: refused as "related" (passages that touch the
    # subject, and what the plan lacks) or as "none" (nothing related).
    out["outcomes"] = {
        k: sum(o.outcome == k for o in outcomes) for k in ("answer", "curated", "related", "none")
    }
    out["answered_rate"] = _ratio(non_ood - fp, non_ood)
    took = [o.took_ms for o in outcomes]
    out["latency_p50_ms"] = percentile(took, 50)
    out["latency_p95_ms"] = percentile(took, 95)
    return out
