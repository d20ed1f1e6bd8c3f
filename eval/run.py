"""Run the gold questions through Engine.ask (the /ask code path): the report, the floor, BEIR."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from eval.gold import (
    GoldError,
    GoldQuestion,
    RelevanceIndex,
    filter_categories,
)
from eval.metrics import (
    Outcome,
    answer_correct,
    build_qrels,
    build_run,
    first_relevant_rank,
    indicator_correct,
    ir_scores,
    summarize,
)
from eval.report import CAUSES
from index.search import MODES

EVAL_DIR = Path(__file__).resolve().parent
REPORTS = EVAL_DIR / "reports"
DEFAULT_OUT = REPORTS / "latest.json"
DEFAULT_FLOOR = EVAL_DIR / "floor.json"
TOP_K = 10


# --- running ----------------------------------------------------------------------------------


class NoCache:
    """The eval's engine keeps no answers, so every question is searched and timed anew."""

    def get(self, key):
        return None

    def put(self, key, value) -> None:
        pass


def _causes(q: GoldQuestion, found: bool, hit5: float | None, answer_ok, indicator_ok) -> list:
    if q.ood:
        return ["missed ood"] if found else []
    if not found:
        return ["false refusal"]
    causes = []
    if hit5 is not None and hit5 < 1:
        causes.append("retrieval miss")
    if answer_ok is False:
        causes.append("wrong answer")
    if indicator_ok is False:
        causes.append("wrong indicator")
    return causes


def run_mode(
    asker,
    questions: Sequence[GoldQuestion],
    mode: str,
    relevance: RelevanceIndex,
    qrels: dict[str, dict[str, int]],
    top_k: int = TOP_K,
) -> dict:
    all_names = [i.name for i in asker.indicators]
    if questions:  # warm-up, not timed: lazy loads (jieba, OpenCC, model threads)
        asker.ask(questions[0].question, questions[0].history, top_k, mode)
    responses = {}
    for q in questions:
        responses[q.id] = asker.ask(q.question, q.history, top_k, mode)
    ranked = {q.id: [p.id for p in responses[q.id].passages] for q in questions}
    ir = ir_scores(qrels, build_run(ranked))

    outcomes, rows = [], []
    for q in questions:
        r = responses[q.id]
        returned_ind = [i.name for i in r.indicators]
        relevant = qrels.get(q.id) or {}
        a_ok = answer_correct(q, r.found, r.answer)
        i_ok = indicator_correct(q, returned_ind, all_names)
        q_ir = ir.get(q.id)
        causes = _causes(q, r.found, q_ir["hit@5"] if q_ir else None, a_ok, i_ok)
        row = {
            "id": q.id,
            "category": q.category,
            "doc": q.doc,
            "question": q.question,
            "history": [{"role": ro, "content": c} for ro, c in q.history],
            "normalized_question": r.normalized_question,
            "ood": q.ood,
            "found": r.found,
            "outcome": r.outcome,
            "expected_answer_contains": list(q.answer_contains),
            "answer": r.answer,
            "answer_ok": a_ok,
            "expected_indicator": q.indicator,
            "returned_indicators": returned_ind,
            "indicator_ok": i_ok,
            "passage_contains": q.passage_contains,
            "relevant_ids": sorted(relevant),
            "returned_ids": ranked[q.id],
            "first_relevant_rank": first_relevant_rank(ranked[q.id], relevant),
            "ir": q_ir,
            "took_ms": r.took_ms,
            "causes": causes,
            "top_passages": [
                {"id": p.id, "section": p.section, "text": p.text, "score": p.score}
                for p in r.passages[:3]
            ],
        }
        result = None
        if causes and not r.found and not q.ood and r.normalized_question:
            # passages are empty on a refusal: show what retrieval alone would have returned
            result = asker.retrieval_only(r.normalized_question, mode, top_k)
        if result is not None:
            ids = [h.passage.id for h in result.hits]
            row["retrieval_if_answered"] = {
                "first_relevant_rank": first_relevant_rank(ids, relevant),
                "evidence": {k: v for k, v in vars(result.evidence).items() if k != "tokens"},
                "tokens": result.evidence.tokens,
            }
            row["top_passages"] = [
                {
                    "id": h.passage.id,
                    "section": h.passage.section,
                    "text": h.passage.text,
                    "score": h.score,
                }
                for h in result.hits[:3]
            ]
        rows.append(row)
        outcomes.append(
            Outcome(
                q.id,
                q.category,
                q.ood,
                r.found,
                r.took_ms,
                q_ir,
                a_ok,
                i_ok,
                r.outcome,
                extra={"doc": q.doc} if q.doc else {},
            )
        )

    categories = sorted({o.category for o in outcomes})
    return {
        "overall": summarize(outcomes),
        "categories": {c: summarize([o for o in outcomes if o.category == c]) for c in categories},
        # per document, where the gold set names each answer's document (ood questions name none)
        "documents": {
            d: summarize([o for o in outcomes if o.extra.get("doc") == d])
            for d in sorted({o.extra["doc"] for o in outcomes if o.extra.get("doc")})
        },
        "failures": {
            cause: [row["id"] for row in rows if cause in row["causes"]] for cause in CAUSES
        },
        "questions": rows,
    }


def run_eval(
    asker,
    questions: Sequence[GoldQuestion],
    modes: Iterable[str] = MODES,
    categories: Iterable[str] | None = None,
    top_k: int = TOP_K,
) -> dict:
    """Ask every gold question in every mode; a report dict (JSON-serializable). The asker is
    eval.askers.EngineAsker (an engine built with `cache=NoCache()`, or repeated questions are
    timed from the cache) or eval.askers.HttpAsker (a running server)."""
    modes = list(modes)
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise ValueError(f"unknown mode {', '.join(bad)} (choose from {', '.join(MODES)})")
    questions = filter_categories(list(questions), categories)
    if asker.modes is not None and set(modes) - set(asker.modes):
        raise ValueError(f"this asker answers in {', '.join(asker.modes)} mode only")
    relevance = RelevanceIndex(asker.passages)
    qrels = build_qrels(questions, relevance)
    no_relevant = sorted(qid for qid, rel in qrels.items() if not rel)
    per_mode = {m: run_mode(asker, questions, m, relevance, qrels, top_k) for m in modes}
    manifest = asker.manifest
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions": len(questions),
        "categories": sorted({q.category for q in questions}),
        "category_filter": sorted(set(categories or [])),
        "top_k": top_k,
        "index": {
            k: manifest.get(k)
            for k in (
                "model",
                "dim",
                "corpus_sha256",
                "built",
                "passages",
                "dense_index",
                "url",
                "replay",
            )
            if k in manifest
        },
        "gold_without_relevant_passage": no_relevant,
        "qrels": {qid: sorted(rel) for qid, rel in qrels.items()},
        "modes": per_mode,
    }


# --- floor ------------------------------------------------------------------------------------


def load_floor(path: Path = DEFAULT_FLOOR) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise GoldError(f"floor file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise GoldError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc


def check_floor(report: dict, floor: dict) -> list[str]:
    """Messages for each metric below the floor (empty: at or above it).

    Keys are metric names (at least this value) or "max_<metric>" (at most this value).
    """
    mode = floor.get("mode", "hybrid")
    if mode not in report["modes"]:
        return [f"the floor is for mode {mode!r}, which was not run"]
    overall = report["modes"][mode]["overall"]
    problems = []
    for key, limit in floor.items():
        if key == "mode" or key.startswith("_") or isinstance(limit, dict):  # "heldout"
            continue
        name, at_most = (key[4:], True) if key.startswith("max_") else (key, False)
        value = overall.get(name)
        if value is None:
            problems.append(f"{mode} {name}: not measured (floor {limit})")
        elif at_most and value > limit + 1e-9:
            problems.append(f"{mode} {name} = {value:.4f} is above the maximum {limit}")
        elif not at_most and value < limit - 1e-9:
            problems.append(f"{mode} {name} = {value:.4f} is below the floor {limit}")
    return problems


# --- output -----------------------------------------------------------------------------------


def write_report(report: dict, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out)
    return out


def export_beir(passages, questions: Sequence[GoldQuestion], directory: Path) -> Path:
    """corpus.jsonl, queries.jsonl and qrels/test.tsv (BEIR layout), by content relevance."""
    directory = Path(directory)
    (directory / "qrels").mkdir(parents=True, exist_ok=True)
    qrels = build_qrels(questions, RelevanceIndex(passages))
    with (directory / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for p in passages:
            f.write(
                json.dumps(
                    {"_id": p.id, "title": " › ".join(p.section), "text": p.text},
                    ensure_ascii=False,
                )
                + "\n"
            )
    with (directory / "queries.jsonl").open("w", encoding="utf-8") as f:
        for q in questions:
            if qrels.get(q.id):
                meta = {"category": q.category}
                if q.history:
                    meta["history"] = [{"role": r, "content": c} for r, c in q.history]
                f.write(
                    json.dumps(
                        {"_id": q.id, "text": q.question, "metadata": meta}, ensure_ascii=False
                    )
                    + "\n"
                )
    with (directory / "qrels" / "test.tsv").open("w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for qid, rel in qrels.items():
            for pid in sorted(rel):
                f.write(f"{qid}\t{pid}\t{rel[pid]}\n")
    return directory
