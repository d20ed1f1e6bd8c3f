"""What the documents' pages, API and commands share: the one builder of a process, seeding
the catalogue the first time it is used, reading an upload into a draft, and queuing the build
a change needs."""

from __future__ import annotations

import threading
from pathlib import Path

from index.store import linked_build_id
from service.office.audit import Actor
from service.office.documents import catalog, jobs
from service.office.documents.builder import DocumentBuilder, runtime_embedders, served_corpus
from service.office.documents.catalog import Upload
from service.office.documents.seed import seed
from service.office.documents.upload import read_upload
from service.settings import Settings

_LOCK = threading.Lock()
ACTION_WORDS = {"publish": "发布", "replace": "替换", "retire": "撤下"}


def builder(app) -> DocumentBuilder:
    """The app's builder (made on first use), building with the server's own model."""
    state = app.state
    with _LOCK:
        if getattr(state, "documents_builder", None) is None:
            runtime, office = state.runtime, state.office
            state.documents_builder = DocumentBuilder(
                runtime.settings,
                office.database,
                runtime_embedders(runtime),
                loaded=runtime.reload,
            )
        return state.documents_builder


def seed_source(settings: Settings) -> Path:
    """Where version 1 of each document comes from: the serving build's own documents when the
    office made it (a database restored empty keeps what is served), else IPQA_CORPUS_DIR."""
    return served_corpus(Path(settings.index_dir)) or Path(settings.corpus_dir)


def ready(db, settings: Settings) -> None:
    """Seed the catalogue once (cheap when it is seeded already)."""
    try:
        build = linked_build_id(Path(settings.index_dir))
    except Exception:  # noqa: BLE001 - no index yet
        build = None
    seed(db, seed_source(settings), build)


def draft(
    db,
    settings: Settings,
    actor: Actor,
    filename: str,
    data: bytes,
    doc_id: str | None,
    title: str | None,
):
    """Read the file (ExtractError says why it cannot be) and keep it as a draft version (the
    catalogue seeded first: a first document never stands alone)."""
    read = read_upload(filename, data)
    ready(db, settings)
    return catalog.add_draft(db, actor, Upload(filename, data, read), doc_id, title)


def queue_build(db, actor: Actor, doc_id: str, action: str) -> int:
    """Queue the build a change needs (joining one that still waits); the caller starts it."""
    return jobs.request(db, actor, f"{ACTION_WORDS.get(action, action)} {doc_id}")
