"""`ipqa documents list|add|retire`: the 文件管理 page from the server's shell. `add` reads the
file, prints how it will be read, publishes it (a new version when the id exists) and builds
the index in the foreground; servers watching the index link take the build up. Every change
is in the audit log under the shell user's name, marked 命令行."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from service.terminal import console, fail

documents_app = typer.Typer(help="文件管理: list, add (publish or replace) and retire documents.")


def say(text: str) -> None:
    console.print(text, highlight=False, soft_wrap=True)


def _settings():
    from service.settings import Settings

    return Settings()


def _database(settings):
    from service.office.db import migrate, open_engine

    db = open_engine(settings.database_url)
    migrate(db)
    return db


def _actor():
    from service.office.audit import Actor

    return Actor(getpass.getuser(), "cli")


def _builder(settings, db):
    from service.model_files import build_embedders, prepare_precisions
    from service.office.documents.builder import DocumentBuilder

    def embedders():
        prepare_precisions(settings, console.status)
        passages, queries = build_embedders(settings)
        closing = {id(passages): passages, id(queries): queries}.values()
        return passages, queries, lambda: [e.close() for e in closing]

    return DocumentBuilder(settings, lambda: db, embedders)


def build_now(settings, db, job: int) -> None:
    """Run the queued build here, with a progress bar (or say who is building it)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from service.office.documents import jobs

    claimed = jobs.claim(db, jobs.worker_name())
    if claimed is None:
        say(
            "another process is building the index now; this change is queued and "
            "is built right after it (see the 文件管理 page)"
        )
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("embedding passages", total=None)

        def show(stage: str, done: int, total: int) -> None:
            if stage == "embedding":
                bar.update(task, completed=done, total=total)
            else:
                bar.update(task, description="calibrating the scope cut (tuning questions)")

        build_id = _builder(settings, db).run(claimed, show)
    row = jobs.recent(db, 20)
    done = next((r for r in row if r["id"] == claimed), None)
    if build_id is None:
        fail(f"build failed; the old index still serves: {done['error'] if done else ''}")
    say(f"index built: {settings.index_dir} → {build_id} ({len(done['documents'])} documents)")


@documents_app.command("list")
def list_documents() -> None:
    """The documents, their published version and status, and the latest builds."""
    from service.office.documents import catalog, hub, jobs

    settings = _settings()
    db = _database(settings)
    hub.ready(db, settings)
    table = Table("id", "title", "version", "status", "serving", "updated")
    for d in catalog.all_documents(db):
        table.add_row(
            d.id,
            d.title,
            str(d.version),
            catalog.STATUS_LABELS.get(d.status, d.status),
            str(d.serving_version or "—"),
            f"{d.updated_by} {d.updated_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)
    for b in jobs.recent(db, 3):
        say(f"build {b['id']}: {b['state_label']} {b['reason']} {b['build_id'] or ''}")


@documents_app.command("add")
def add(
    file: Annotated[
        Path,
        typer.Argument(help=".txt, .md, .docx or a PDF with text", exists=True, dir_okay=False),
    ],
    doc_id: Annotated[
        str | None,
        typer.Option("--id", help="the document's id; an existing id gets a new version"),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="the title (default: read from the text)")
    ] = None,
    preview_only: Annotated[
        bool, typer.Option("--preview", help="only show how it will be read")
    ] = False,
) -> None:
    """Publish a document (or a new version of one) and build the index with it."""
    from service.office.documents import catalog, hub
    from service.office.documents.catalog import DocumentError
    from service.office.documents.extract import ExtractError
    from service.office.documents.preview import preview
    from service.office.documents.upload import read_upload

    data = file.read_bytes()
    try:
        read = read_upload(file.name, data)
    except ExtractError as exc:
        fail(f"{file.name}: {exc}")
    shown = preview(read.text, doc_id or catalog.new_id(file.name), title, read.notes)
    counts = "，".join(f"{k} {v}" for k, v in shown.counts.items() if v)
    say(f"{shown.title}: {shown.passages} passages ({counts})")
    for line in shown.notes + [f"注意：{u}" for u in shown.unclear]:
        say("  " + line)
    if preview_only:
        return
    settings = _settings()
    db = _database(settings)
    hub.ready(db, settings)
    actor = _actor()
    try:
        new_id, version = hub.draft(db, settings, actor, file.name, data, doc_id, title)
        action = catalog.publish(db, actor, new_id, version)
    except (ExtractError, DocumentError) as exc:
        fail(str(exc))
    say(f"published {new_id} version {version}")
    build_now(settings, db, hub.queue_build(db, actor, new_id, action))


@documents_app.command("retire")
def retire(doc_id: Annotated[str, typer.Argument(help="the document's id")]) -> None:
    """Retire a document: the index is built without it (its versions are kept)."""
    from service.office.documents import catalog, hub
    from service.office.documents.catalog import DocumentError

    settings = _settings()
    db = _database(settings)
    hub.ready(db, settings)
    actor = _actor()
    try:
        catalog.retire(db, actor, doc_id)
    except DocumentError as exc:
        fail(str(exc))
    say(f"retired {doc_id}")
    build_now(settings, db, hub.queue_build(db, actor, doc_id, "retire"))


def build_published(settings) -> bool:
    """`ipqa build` once documents are managed: build what is published (IPQA_CORPUS_DIR only
    seeded them). False when they are not (a fresh install), or there is no database yet."""
    from sqlalchemy import func, select
    from sqlalchemy.engine import make_url

    from service.office.documents import hub
    from service.office.documents.tables import documents

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return False
    try:
        db = _database(settings)
        with db.connect() as c:
            if not c.execute(select(func.count()).select_from(documents)).scalar():
                return False
    except Exception as exc:  # noqa: BLE001 - one clear line, not a traceback
        fail(
            f"the office database ({url.render_as_string(hide_password=True)}) cannot be read, "
            f"so it is not known which documents 文件管理 published: {exc}"
        )
    say("building the documents published from 文件管理 (IPQA_CORPUS_DIR only seeded them)")
    build_now(settings, db, hub.queue_build(db, _actor(), "全部文件", "重建"))
    return True
