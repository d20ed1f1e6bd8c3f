"""The documents' tables (migration 0007): each document, every version of it, and the index
builds that publishing starts."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, LargeBinary, String, Table, Text, UniqueConstraint

from service.office.tables import metadata

# One row per document the office manages; `version` is the published one (0: none yet).
documents = Table(
    "documents",
    metadata,
    Column("id", String(40), primary_key=True),  # the reader's /documents/{id}
    Column("title", Text, nullable=False),
    Column("status", String(10), nullable=False),  # building | serving | failed | retired
    Column("version", Integer, nullable=False),
    Column("serving_version", Integer),  # the version the newest finished build carries
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(80), nullable=False),
)

# Every upload, kept: the file as sent and the text it was read as (what a build indexes).
document_versions = Table(
    "document_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("doc_id", String(40), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("state", String(10), nullable=False),  # draft | published | replaced | discarded
    Column("title", Text, nullable=False),
    Column("filename", String(200), nullable=False),
    Column("format", String(8), nullable=False),  # txt | md | docx | pdf
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("text", Text, nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("uploaded_by", String(80), nullable=False),
    Column("published_at", DateTime),
    Column("published_by", String(80)),
    Column("build_id", String(80)),  # the first build that served it
    UniqueConstraint("doc_id", "version", name="uq_document_versions_doc_version"),
)

# One row per index build that a change asked for; the page shows the newest one's progress.
document_builds = Table(
    "document_builds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("state", String(10), nullable=False, index=True),  # queued | running | done | failed
    Column("reason", Text, nullable=False),
    Column("requested_at", DateTime, nullable=False),
    Column("requested_by", String(80), nullable=False),
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
    Column("heartbeat_at", DateTime),
    Column("worker", String(80)),  # host:pid of the process building it
    Column("stage", String(20)),  # embedding | calibrating | switching
    Column("done", Integer),
    Column("total", Integer),
    Column("documents", Text),  # JSON {doc id: version} of the build
    Column("build_id", String(80)),
    Column("error", Text),
)
