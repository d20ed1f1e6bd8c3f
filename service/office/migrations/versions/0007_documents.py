"""文件管理: documents, every version of each (the file and its text), the builds publishing
starts, and the build that served each logged answer."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("serving_version", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("doc_id", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
        sa.Column("uploaded_by", sa.String(80), nullable=False),
        sa.Column("published_at", sa.DateTime),
        sa.Column("published_by", sa.String(80)),
        sa.Column("build_id", sa.String(80)),
        sa.UniqueConstraint("doc_id", "version", name="uq_document_versions_doc_version"),
    )
    op.create_index("ix_document_versions_doc_id", "document_versions", ["doc_id"])
    op.create_table(
        "document_builds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("requested_at", sa.DateTime, nullable=False),
        sa.Column("requested_by", sa.String(80), nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("heartbeat_at", sa.DateTime),
        sa.Column("worker", sa.String(80)),
        sa.Column("stage", sa.String(20)),
        sa.Column("done", sa.Integer),
        sa.Column("total", sa.Integer),
        sa.Column("documents", sa.Text),
        sa.Column("build_id", sa.String(80)),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_document_builds_state", "document_builds", ["state"])
    # The index build that answered each logged question (NULL for rows logged before).
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("build_id", sa.String(80)))


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("build_id")
    op.drop_index("ix_document_builds_state", table_name="document_builds")
    op.drop_table("document_builds")
    op.drop_index("ix_document_versions_doc_id", table_name="document_versions")
    op.drop_table("document_versions")
    op.drop_table("documents")
