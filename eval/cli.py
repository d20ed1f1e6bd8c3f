"""`ipqa eval` and `ipqa bench`, added to the ipqa command through the `ipqa.commands` entry point."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from eval.gold import DEFAULT_QUESTIONS
from eval.run import DEFAULT_FLOOR, DEFAULT_OUT, REPORTS, TOP_K
from service.terminal import console, err, fail


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def eval_command(
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
    html: Annotated[
        Path | None,
        typer.Option("--html", help="also write the answer-quality page (charts, failures) here"),
    ] = None,
    curated: Annotated[
        bool,
        typer.Option(
            "--curated/--no-curated",
            help="answer with the office's curated answers first, as the server does",
        ),
    ] = False,
) -> None:
    """Run the gold questions through the /ask code path and report IR and answer metrics."""
    from eval.gold import GoldError, filter_categories, load_questions
    from eval.report import print_failures, print_report
    from eval.run import NoCache, check_floor, export_beir, load_floor, run_eval, write_report
    from index.search import MODES
    from service.settings import Settings
    from service.state import LoadError, open_engine

    modes = list(dict.fromkeys(_split(mode) or MODES))
    bad = [m for m in modes if m not in MODES]
    if bad:
        fail(f"unknown mode {', '.join(bad)} (choose from {', '.join(MODES)})")
    categories = _split(category)
    try:
        questions = filter_categories(load_questions(questions_file), categories)
        floor = load_floor(floor_file) if check else None
    except GoldError as exc:
        fail(str(exc))
    try:  # loaded as the server loads it (model process included), keeping no answers
        engine = open_engine(Settings(), serving=True, cache=NoCache())
    except LoadError as exc:
        fail(str(exc))
    settings = Settings()
    if curated:
        from eval.office import attach_curated

        count = attach_curated(engine, settings.database_url)
        console.print(f"with {count} curated answer(s) from the office database", highlight=False)
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
    _office(report, questions_file, curated, categories, html, settings)
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


def _office(report, questions_file, curated, categories, html, settings) -> None:
    """The answer-quality page: the report kept for the staff page, and an HTML file."""
    from eval.office import keep_report, label_for, write_html

    label = label_for(questions_file) + (" + curated" if curated else "")
    if not categories:  # a subset is a look, not the office's figures
        problem = keep_report(report, label, settings.database_url)
        if problem:
            err.print(f"ipqa: the report is not on the staff page: {problem}", highlight=False)
    if html is not None:
        console.print(f"answer-quality page: {write_html(report, label, html)}", highlight=False)


def bench_command(
    quick: Annotated[
        bool,
        typer.Option(
            "--quick", help="fewer requests, no 100k scale, no index build: under a minute"
        ),
    ] = False,
    out: Annotated[
        Path, typer.Option("--out", help="JSON report", show_default="eval/reports/bench.json")
    ] = REPORTS / "bench.json",
    skip_scale: Annotated[
        bool, typer.Option("--skip-scale", help="skip the synthetic-corpus part")
    ] = False,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            metavar="IPQA_NAME=value",
            help="instead: c=4 throughput as set against one setting changed, in pairs of "
            "fresh servers (report: eval/reports/bench-compare.json)",
        ),
    ] = None,
    pairs: Annotated[int, typer.Option(min=1, help="with --compare")] = 8,
) -> None:
    """Measure model cost, /ask latency and throughput, cold start, memory and index scale."""
    from eval.bench.compare import compare as compare_settings
    from eval.bench.run import run

    try:
        if compare:
            compare_settings(
                compare, pairs=pairs, out=REPORTS / "bench-compare.json", console=console
            )
            return
        run(quick=quick, out=out, skip_scale=skip_scale, console=console)
    except RuntimeError as exc:
        fail(str(exc))


def register_commands(app: typer.Typer) -> None:
    """The `ipqa.commands` entry point (pyproject.toml): the ipqa CLI calls it at start."""
    app.command(name="eval")(eval_command)
    app.command(name="bench")(bench_command)
