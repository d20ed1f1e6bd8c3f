"""Run the gold questions through Engine.ask (the /ask code path) and report.

python -m eval [--mode hybrid] [--category indicator] [--show-failures]
               [--export-beir DIR] [--out FILE] [--no-check-floor]
ipqa eval …   (the same options)
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from eval.gold import (
    DEFAULT_QUESTIONS,
    GoldError,
    GoldQuestion,
    RelevanceIndex,
    filter_categories,
    load_questions,
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
from eval.report import CAUSES, print_failures, print_report

MODES = ("bm25", "dense", "hybrid")
EVAL_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = EVAL_DIR / "reports" / "latest.json"
DEFAULT_FLOOR = EVAL_DIR / "floor.json"
TOP_K = 10


# --- running ----------------------------------------------------------------------------------


class _NoCache:
    """Stands in for the engine's LRU during the eval, so latency measures real work."""

    def get(self, key):
        return None

    def put(self, key, value) -> None:
        pass


def _ask(engine, q: GoldQuestion, mode: str, top_k: int):
    # what POST /ask does: trimmed question, (role, content) history, then Engine.ask
    from service.schemas import AskResponse

    return AskResponse.of(engine.ask(q.question.strip(), list(q.history), top_k=top_k, mode=mode))


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
    engine,
    questions: Sequence[GoldQuestion],
    mode: str,
    relevance: RelevanceIndex,
    qrels: dict[str, dict[str, int]],
    top_k: int = TOP_K,
) -> dict:
    all_names = [i.name for i in engine.indicators]
    if questions:  # warm-up, not timed: lazy loads (jieba, OpenCC, model threads)
        _ask(engine, questions[0], mode, top_k)
    responses = {}
    for q in questions:
        responses[q.id] = _ask(engine, q, mode, top_k)
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
            "question": q.question,
            "history": [{"role": ro, "content": c} for ro, c in q.history],
            "normalized_question": r.normalized_question,
            "ood": q.ood,
            "found": r.found,
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
        if causes and not r.found and not q.ood and r.normalized_question:
            # passages are empty on a refusal: show what retrieval alone would have returned
            result = engine.searcher.search(r.normalized_question, mode=mode, top_k=top_k)
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
        outcomes.append(Outcome(q.id, q.category, q.ood, r.found, r.took_ms, q_ir, a_ok, i_ok))

    categories = sorted({o.category for o in outcomes})
    return {
        "overall": summarize(outcomes),
        "categories": {c: summarize([o for o in outcomes if o.category == c]) for c in categories},
        "failures": {
            cause: [row["id"] for row in rows if cause in row["causes"]] for cause in CAUSES
        },
        "questions": rows,
    }


def run_eval(
    engine,
    questions: Sequence[GoldQuestion],
    modes: Iterable[str] = MODES,
    categories: Iterable[str] | None = None,
    top_k: int = TOP_K,
) -> dict:
    """Ask every gold question in every mode; a report dict (JSON-serializable)."""
    modes = list(modes)
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise ValueError(f"unknown mode {', '.join(bad)} (choose from {', '.join(MODES)})")
    questions = filter_categories(list(questions), categories)
    relevance = RelevanceIndex(engine.searcher.passages)
    qrels = build_qrels(questions, relevance)
    no_relevant = sorted(qid for qid, rel in qrels.items() if not rel)
    saved_cache = engine.cache
    engine.cache = _NoCache()
    try:
        per_mode = {m: run_mode(engine, questions, m, relevance, qrels, top_k) for m in modes}
    finally:
        engine.cache = saved_cache
    manifest = getattr(engine.searcher.index, "manifest", {}) or {}
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions": len(questions),
        "categories": sorted({q.category for q in questions}),
        "category_filter": sorted(set(categories or [])),
        "top_k": top_k,
        "index": {
            k: manifest.get(k)
            for k in ("model", "dim", "corpus_sha256", "built", "passages", "dense_index")
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
        if key == "mode" or key.startswith("_"):
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


# --- command line -----------------------------------------------------------------------------


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


app = typer.Typer(add_completion=False, help=__doc__)


@app.command()
def main(
    mode: Annotated[
        list[str] | None,
        typer.Option(
            "--mode", "-m", help="bm25 | dense | hybrid; repeat or comma-separate (default: all)"
        ),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", "-c", help="only these categories; repeat or comma-separate"),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            help="where to write the JSON report", show_default="eval/reports/latest.json"
        ),
    ] = DEFAULT_OUT,
    show_failures: Annotated[
        bool, typer.Option("--show-failures", help="print every failing question, grouped by cause")
    ] = False,
    export_beir_dir: Annotated[
        Path | None,
        typer.Option("--export-beir", help="also write the gold set in BEIR layout to this folder"),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check-floor/--no-check-floor", help="exit 1 when hybrid falls below eval/floor.json"
        ),
    ] = True,
    floor_file: Annotated[
        Path, typer.Option("--floor", help="the floor file", show_default="eval/floor.json")
    ] = DEFAULT_FLOOR,
    questions_file: Annotated[
        Path,
        typer.Option(
            "--questions", help="the gold questions (JSONL)", show_default="eval/questions.jsonl"
        ),
    ] = DEFAULT_QUESTIONS,
    top_k: Annotated[
        int, typer.Option("--top-k", min=1, max=20, help="passages asked for per question")
    ] = TOP_K,
) -> None:
    """Run the gold questions through the /ask code path and report IR and answer metrics."""
    from service.cli import load_engine_or_exit
    from service.settings import Settings

    console, err = Console(), Console(stderr=True)

    def fail(message: str, code: int = 2):
        err.print(f"[bold red]eval:[/] {message}", highlight=False)
        raise typer.Exit(code)

    modes = _split(mode) or list(MODES)
    bad = [m for m in modes if m not in MODES]
    if bad:
        fail(f"unknown mode {', '.join(bad)} (choose from {', '.join(MODES)})")
    modes = list(dict.fromkeys(modes))
    categories = _split(category)
    try:
        questions = filter_categories(load_questions(questions_file), categories)
        floor = load_floor(floor_file) if check else None
    except GoldError as exc:
        fail(str(exc))

    settings = Settings()
    engine = load_engine_or_exit(settings, serving=True)  # loaded as the server loads it
    started = time.perf_counter()
    with console.status(f"asking {len(questions)} questions × {len(modes)} mode(s)…"):
        report = run_eval(engine, questions, modes, categories, top_k=top_k)
    print_report(report, console)
    if show_failures:
        print_failures(report, console)

    problems: list[str] = []
    if floor is not None:
        if categories:
            console.print(
                "[dim]floor check skipped: it applies to the whole set, not to a category subset[/]"
            )
        elif floor.get("mode", "hybrid") not in modes:
            console.print(
                f"[dim]floor check skipped: mode {floor.get('mode', 'hybrid')} was not run[/]"
            )
        else:
            problems = check_floor(report, floor)
            report["floor"] = {"file": str(floor_file), "values": floor, "below": problems}
    path = write_report(report, out)
    if export_beir_dir is not None:
        export_beir(engine.searcher.passages, questions, export_beir_dir)
        console.print(f"BEIR export: {export_beir_dir}")
    console.print(f"report: {path}  ({time.perf_counter() - started:.1f} s)", highlight=False)
    if problems:
        for message in problems:
            err.print(f"[bold red]below floor:[/] {message}", highlight=False)
        raise typer.Exit(1)
    if floor is not None and "floor" in report:
        console.print(f"[green]{floor.get('mode', 'hybrid')} is at or above {floor_file.name}[/]")


def cli_main(args: list[str] | None = None, prog_name: str = "python -m eval") -> None:
    """Parse args (default: sys.argv[1:]) and run; exits with the command's code."""
    command = typer.main.get_command(app)
    command.main(args=sys.argv[1:] if args is None else list(args), prog_name=prog_name)
