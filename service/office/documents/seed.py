"""The first time documents are managed, the files of IPQA_CORPUS_DIR (or the serving build's own
documents) become version 1 of each: published and serving, since the serving build was made
from them. Later changes go through the catalogue; IPQA_CORPUS_DIR is not read again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from corpus.load import corpus_files
from corpus.markers import document_title
from service.office import audit
from service.office.audit import SYSTEM, Actor
from service.office.documents.extract import sha256
from service.office.documents.tables import document_versions, documents


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _seed_files(corpus_dir: Path) -> list[tuple[str, str, bytes, str, str | None]]:
    """(doc id, file name, bytes, text, sidecar title) of each document in a corpus folder."""
    import tomllib

    out = []
    for path in corpus_files(corpus_dir):
        data = path.read_bytes()
        sidecar = path.with_suffix(".toml")
        title = None
        if sidecar.is_file():
            title = tomllib.loads(sidecar.read_text(encoding="utf-8")).get("title")
        out.append((path.stem, path.name, data, data.decode("utf-8-sig"), title))
    return out


def seed(db: Engine, corpus_dir: Path, build_id: str | None) -> int:
    """Once: every document of `corpus_dir` becomes version 1, published and serving (it is
    what the serving build was made from). Returns the documents added (0: already managed)."""
    with db.begin() as c:
        if c.execute(select(func.count()).select_from(documents)).scalar():
            return 0
        now, added = _now(), []
        for doc_id, filename, data, text, title in _seed_files(corpus_dir):
            lines = [x for x in text.splitlines() if x.strip()]
            title = title or document_title(lines) or doc_id
            fmt = "md" if filename.endswith(".md") else "txt"
            c.execute(
                insert(documents).values(
                    id=doc_id[:40],
                    title=title,
                    status="serving",
                    version=1,
                    serving_version=1,
                    created_at=now,
                    created_by=SYSTEM,
                    updated_at=now,
                    updated_by=SYSTEM,
                )
            )
            c.execute(
                insert(document_versions).values(
                    doc_id=doc_id[:40],
                    version=1,
                    state="published",
                    title=title,
                    filename=filename,
                    format=fmt,
                    size=len(data),
                    sha256=sha256(data),
                    content=data,
                    text=text,
                    uploaded_at=now,
                    uploaded_by=SYSTEM,
                    published_at=now,
                    published_by=SYSTEM,
                    build_id=build_id,
                )
            )
            added.append(doc_id)
        audit.record(
            c, Actor(SYSTEM, "system"), "documents.seed", str(corpus_dir)[:200], None, added
        )
    return len(added)
