"""The question log and the feedback on answers."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("answer_id", sa.String(40), nullable=False, unique=True),
        sa.Column("asked_at", sa.DateTime, nullable=False, index=True),
        sa.Column("day", sa.Date, nullable=False, index=True),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("normalized", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("found", sa.Boolean, nullable=False),
        sa.Column("top_passage", sa.String(40)),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("answer_id", sa.String(40), nullable=False, unique=True),
        sa.Column("rating", sa.String(4), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("day", sa.Date, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_table("questions")
