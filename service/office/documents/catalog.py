"""The documents and their versions in the office database: upload (a draft), publish (it goes
into the next build), replace (a newer version published), retire, discard a draft; who did
each and when, in the audit log in the same transaction (seed.py: the first versions)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select, update

from service.office import audit
from service.office.audit import Actor
from service.office.documents.extract import Extracted, sha256
from service.office.documents.tables import document_versions, documents

DOC_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
STATUS_LABELS = {
    "building": "正在生成",
    "serving": "使用中",
    "failed": "生成失败",
    "retired": "已撤下",
}
STATE_LABELS = {
    "draft": "草稿",
    "published": "已发布",
    "replaced": "已被替换",
    "discarded": "已放弃",
}


class DocumentError(ValueError):
    """A change that cannot be made; the message (Chinese) says why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    read: Extracted


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _name(actor: Actor) -> str:
    return (" ".join(actor.name.split()) or "staff")[:80]


def new_id(filename: str) -> str:
    """A document id from the file's name (its Latin letters and digits), else doc-<random>."""
    stem = Path(filename or "").stem.lower()
    slug = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:32]
    return slug if slug and DOC_ID.match(slug) else "doc-" + secrets.token_hex(3)


def check_id(doc_id: str) -> str:
    doc_id = doc_id.strip().lower()
    if not DOC_ID.match(doc_id):
        raise DocumentError(
            "文件编号只能用小写英文字母、数字、- 和 _，以字母或数字开头，最多 40 个字符。"
        )
    return doc_id


def _row(c: Connection, doc_id: str):
    return c.execute(select(documents).where(documents.c.id == doc_id)).first()


def add_draft(
    db: Engine, actor: Actor, upload: Upload, doc_id: str | None, title: str | None
) -> tuple[str, int]:
    """A new version of `doc_id` (a new document when there is none), not yet published."""
    title = " ".join((title or "").split())[:200] or None
    with db.begin() as c:
        existing = _row(c, doc_id.strip()) if doc_id else None  # a seeded id may be any name
        if existing is not None:
            doc_id = existing.id
        else:
            doc_id = check_id(doc_id) if doc_id else new_id(upload.filename)
        if existing is None and not title:
            from corpus.parse import parse_document

            parsed = parse_document(upload.read.text, doc=doc_id)
            title = parsed.passages[0].doc_title if parsed.passages else doc_id
        latest = c.execute(
            select(func.max(document_versions.c.version)).where(
                document_versions.c.doc_id == doc_id
            )
        ).scalar()
        version = (latest or 0) + 1
        c.execute(
            insert(document_versions).values(
                doc_id=doc_id,
                version=version,
                state="draft",
                title=title or existing.title,
                filename=upload.filename[:200],
                format=upload.read.format,
                size=len(upload.data),
                sha256=sha256(upload.data),
                content=upload.data,
                text=upload.read.text,
                uploaded_at=_now(),
                uploaded_by=_name(actor),
            )
        )
        target = f"{doc_id} 第{version}版"
        audit.record(c, actor, "document.upload", target, None, {"file": upload.filename})
    return doc_id, version


def version_row(db: Engine, doc_id: str, version: int):
    with db.connect() as c:
        return c.execute(
            select(document_versions).where(
                document_versions.c.doc_id == doc_id, document_versions.c.version == version
            )
        ).first()


def _draft(c: Connection, doc_id: str, version: int):
    row = c.execute(
        select(document_versions).where(
            document_versions.c.doc_id == doc_id, document_versions.c.version == version
        )
    ).first()
    if row is None:
        raise DocumentError("没有这个版本。", 404)
    if row.state != "draft":
        raise DocumentError(f"这个版本{STATE_LABELS.get(row.state, row.state)}，不能再发布。", 409)
    return row


def publish(db: Engine, actor: Actor, doc_id: str, version: int) -> str:
    """The draft becomes the published version (the one before it: replaced); the next build
    carries it. Returns "publish" or "replace"."""
    now, who = _now(), _name(actor)
    with db.begin() as c:
        draft = _draft(c, doc_id, version)
        doc = _row(c, doc_id)
        versions = document_versions.c
        c.execute(
            update(document_versions)
            .where(versions.doc_id == doc_id, versions.state == "published")
            .values(state="replaced")
        )
        c.execute(
            update(document_versions)
            .where(versions.id == draft.id)
            .values(state="published", published_at=now, published_by=who)
        )
        values = dict(
            title=draft.title, status="building", version=version, updated_at=now, updated_by=who
        )
        if doc is None:
            c.execute(insert(documents).values(id=doc_id, created_at=now, created_by=who, **values))
        else:
            c.execute(update(documents).where(documents.c.id == doc_id).values(**values))
        action = (
            "replace" if doc is not None and doc.version and doc.status != "retired" else "publish"
        )
        before = None if doc is None else {"version": doc.version, "status": doc.status}
        after = {"version": version, "title": draft.title, "file": draft.filename}
        audit.record(c, actor, f"document.{action}", doc_id, before, after)
    return action


def discard(db: Engine, actor: Actor, doc_id: str, version: int) -> None:
    with db.begin() as c:
        draft = _draft(c, doc_id, version)
        c.execute(
            update(document_versions)
            .where(document_versions.c.id == draft.id)
            .values(state="discarded")
        )
        audit.record(c, actor, "document.discard", f"{doc_id} 第{version}版")


def retire(db: Engine, actor: Actor, doc_id: str) -> None:
    """Out of the next build; its versions stay (it can be published again)."""
    now = _now()
    with db.begin() as c:
        doc = _row(c, doc_id)
        if doc is None or not doc.version:
            raise DocumentError("没有这份已发布的文件。", 404)
        if doc.status == "retired":
            raise DocumentError("这份文件已经撤下。", 409)
        others = c.execute(
            select(func.count())
            .select_from(documents)
            .where(documents.c.id != doc_id, documents.c.version > 0)
            .where(documents.c.status != "retired")
        ).scalar()
        if not others:
            raise DocumentError("这是最后一份在用的文件，不能撤下：问答服务至少要有一份文件。", 409)
        c.execute(
            update(documents)
            .where(documents.c.id == doc_id)
            .values(status="retired", updated_at=now, updated_by=_name(actor))
        )
        audit.record(
            c,
            actor,
            "document.retire",
            doc_id,
            {"version": doc.version, "status": doc.status},
            None,
        )


def all_documents(db: Engine) -> list:
    with db.connect() as c:
        return list(c.execute(select(documents).order_by(documents.c.id)))


def get(db: Engine, doc_id: str):
    with db.connect() as c:
        return _row(c, doc_id)


def history(db: Engine, doc_id: str) -> list:
    """Every version of a document, newest first, without the file's bytes."""
    cols = [c for c in document_versions.c if c.name not in ("content", "text")]
    with db.connect() as c:
        return list(
            c.execute(
                select(*cols)
                .where(document_versions.c.doc_id == doc_id)
                .order_by(document_versions.c.version.desc())
            )
        )


def drafts(db: Engine) -> list:
    cols = [c for c in document_versions.c if c.name not in ("content", "text")]
    with db.connect() as c:
        return list(
            c.execute(
                select(*cols)
                .where(document_versions.c.state == "draft")
                .order_by(document_versions.c.uploaded_at.desc())
            )
        )


def published_set(c: Connection) -> list:
    """What a build carries: each document that is not retired, at its published version."""
    return list(
        c.execute(
            select(document_versions, documents.c.status)
            .join(documents, documents.c.id == document_versions.c.doc_id)
            .where(document_versions.c.state == "published", documents.c.status != "retired")
            .order_by(document_versions.c.doc_id)
        )
    )


def mark_built(db: Engine, carried: dict[str, int], build_id: str | None) -> None:
    """After a build: the documents it carried at their current version are serving (or, when
    it failed, `build_id` None, failed); a retired one it left out no longer serves."""
    now = _now()
    with db.begin() as c:
        for doc in c.execute(select(documents)).all():
            version = carried.get(doc.id)
            if build_id is None:
                if version == doc.version and doc.status == "building":
                    c.execute(
                        update(documents)
                        .where(documents.c.id == doc.id)
                        .values(status="failed", updated_at=now)
                    )
                continue
            if doc.status == "retired" and version is None:
                c.execute(
                    update(documents).where(documents.c.id == doc.id).values(serving_version=None)
                )
            elif version is not None and version == doc.version and doc.status != "retired":
                c.execute(
                    update(documents)
                    .where(documents.c.id == doc.id)
                    .values(status="serving", serving_version=version, updated_at=now)
                )
                c.execute(
                    update(document_versions)
                    .where(
                        document_versions.c.doc_id == doc.id,
                        document_versions.c.version == version,
                        document_versions.c.build_id.is_(None),
                    )
                    .values(build_id=build_id)
                )
