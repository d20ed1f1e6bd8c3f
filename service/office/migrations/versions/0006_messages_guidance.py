"""Citizens' messages (留言) and staff notes on them, next steps (办事指引), marks on unanswered
questions, and the question log indexed by channel (the 问题记录 page filters by it)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("contact", sa.String(100)),
        sa.Column("consent", sa.Boolean, nullable=False),
        sa.Column("answer_id", sa.String(40)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("handled_by", sa.String(80)),
        sa.Column("handled_at", sa.DateTime),
    )
    op.create_index("ix_messages_created_at", "messages", ["created_at"])
    op.create_index("ix_messages_status", "messages", ["status"])
    op.create_table(
        "message_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_message_notes_message_id", "message_notes", ["message_id"])
    op.create_table(
        "guidance",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("doc_id", sa.String(200)),
        sa.Column("keywords", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "question_marks",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("normalized", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("marked_by", sa.String(80), nullable=False),
        sa.Column("marked_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_questions_channel", "questions", ["channel"])


def downgrade() -> None:
    op.drop_index("ix_questions_channel", table_name="questions")
    op.drop_table("question_marks")
    op.drop_table("guidance")
    op.drop_index("ix_message_notes_message_id", table_name="message_notes")
    op.drop_table("message_notes")
    op.drop_index("ix_messages_status", table_name="messages")
    op.drop_index("ix_messages_created_at", table_name="messages")
    op.drop_table("messages")
