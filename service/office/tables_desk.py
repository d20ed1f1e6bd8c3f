"""The office's front desk (migration 0006): citizens' messages (留言) with staff notes, the
next steps shown under replies (办事指引), and staff marks on unanswered questions."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, Text

from service.office.tables import metadata

# One row per 留言. The contact only when the citizen ticked consent; the whole row is deleted
# after IPQA_MESSAGE_RETENTION_DAYS.
messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime, nullable=False, index=True),  # UTC
    Column("question", Text, nullable=False),  # digit runs masked, as in the question log
    Column("contact", String(100)),  # NULL without consent
    Column("consent", Boolean, nullable=False),
    Column("answer_id", String(40)),  # the reply it was left from (its question log row)
    Column("status", String(10), nullable=False, index=True),  # new | open | answered
    Column("handled_by", String(80)),  # the account that last changed its status
    Column("handled_at", DateTime),
)

# Staff notes on a message (what was replied, by whom), oldest first.
message_notes = Table(
    "message_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_id", Integer, nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("author", String(80), nullable=False),
    Column("text", Text, nullable=False),
)

# 办事指引: a next step (a short text with a phone or a link) for replies from one document
# (doc_id) or about one topic (keywords, a JSON list; any one in the question matches).
guidance = Table(
    "guidance",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("doc_id", String(200)),
    Column("keywords", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("phone", String(40), nullable=False),
    Column("url", String(500), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(80), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# A staff decision on an unanswered question (grouped by its normalized form, keyed by the
# SHA-256 of that text): done (已处理) or ignored (忽略). No row: still to do.
question_marks = Table(
    "question_marks",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("normalized", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("marked_by", String(80), nullable=False),
    Column("marked_at", DateTime, nullable=False),
)

DESK = (messages, message_notes, guidance, question_marks)
