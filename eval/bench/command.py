"""`ipqa bench`: its options, and the precision comparison it can run instead."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eval.run import REPORTS
from service.terminal import console, fail


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
    precisions: Annotated[
        str | None,
        typer.Option(
            "--precisions",
            metavar="fp32,int8,…|all",
            help="instead: each precision's encode against fp32 (paired), cosine to fp32 and "
            "memory (report: eval/reports/bench-precision.json)",
        ),
    ] = None,
) -> None:
    """Measure model cost, /ask latency and throughput, cold start, memory and index scale."""
    from eval.bench.compare import compare as compare_settings
    from eval.bench.run import run

    try:
        if precisions:
            _bench_precisions(precisions)
            return
        if compare:
            compare_settings(
                compare, pairs=pairs, out=REPORTS / "bench-compare.json", console=console
            )
            return
        run(quick=quick, out=out, skip_scale=skip_scale, console=console)
    except RuntimeError as exc:
        fail(str(exc))


def _bench_precisions(names: str) -> None:
    from eval.bench.precision import bench_precisions, render
    from index.model.quantize import PRECISIONS

    chosen = (
        list(PRECISIONS) if names == "all" else [n.strip() for n in names.split(",") if n.strip()]
    )
    unknown = [n for n in chosen if n not in PRECISIONS]
    if unknown:
        fail(f"unknown precision {', '.join(unknown)} (choose from {', '.join(PRECISIONS)})")
    with console.status("precisions: encode, cosine, memory…"):
        report = bench_precisions(chosen)
    render(report, console)
