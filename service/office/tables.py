"""The office database's tables (SQLAlchemy Core); migrations/ creates and upgrades them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row per answered /ask or chat request. Never a client address, user agent or cookie.
questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("answer_id", String(40), nullable=False, unique=True),
    Column("asked_at", DateTime, nullable=False, index=True),  # UTC
    Column("day", Date, nullable=False, index=True),  # the server's local date, for per-day
    Column("channel", String(10), nullable=False),
    Column("question", Text, nullable=False),  # as asked, phone/ID digit runs masked
    Column("normalized", Text, nullable=False, index=True),  # as searched, masked too
    Column("outcome", String(10), nullable=False),
    Column("found", Boolean, nullable=False),
    Column("top_passage", String(40)),
    Column("latency_ms", Float, nullable=False),
    Column("answer", Text, nullable=False),  # what came back, for reviewing 👎
    Column("build_id", String(80)),  # the index build that answered (migration 0007)
)

# One vote per answer: a later vote on the same answer replaces the earlier one.
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("answer_id", String(40), nullable=False, unique=True),
    Column("rating", String(4), nullable=False),
    Column("comment", Text),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("day", Date, nullable=False, index=True),
)

curated = Table(
    "curated",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("question", Text, nullable=False),
    Column("variants", Text, nullable=False),  # JSON list of other phrasings
    Column("answer", Text, nullable=False),
    Column("passage_ids", Text, nullable=False),  # JSON list of linked passage ids
    Column("enabled", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(80), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Every saved state of a curated answer, the first included: who changed what, when.
curated_versions = Table(
    "curated_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("curated_id", Integer, nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("question", Text, nullable=False),
    Column("variants", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("passage_ids", Text, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("changed_by", String(80), nullable=False),
    Column("changed_at", DateTime, nullable=False),
)

# The staff-set starter questions, in order; empty means "work them out from the log".
suggestions = Table(
    "suggestions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("set_by", String(80), nullable=False),
    Column("set_at", DateTime, nullable=False),
)

# The JSON of each `ipqa eval` run (one row per question set: in-sample, held-out).
eval_reports = Table(
    "eval_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("label", String(40), nullable=False, index=True),
    Column("report", Text, nullable=False),
)

ALL = (questions, feedback, curated, curated_versions, suggestions, eval_reports)

# ---- staff accounts (migration 0005): who may sign in, their sessions, what they changed ----

# One row per person. The password only as an argon2id hash; a disabled account cannot sign in.
staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(40), nullable=False, unique=True),
    Column("role", String(10), nullable=False),  # viewer | editor | admin
    Column("password_hash", Text, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("password_changed_at", DateTime, nullable=False),
    Column("last_sign_in_at", DateTime),
)

# Server-side sessions: the cookie holds a random token, this table only its SHA-256. A session
# is over once ended_at is set (sign-out, disabled account, new password, an admin) or expired.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", Integer, nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("ended_why", String(20)),
)

# Failed sign-ins per key ("account:NAME" or "address:IP"), in a window; locked_until once over.
staff_throttle = Table(
    "staff_throttle",
    metadata,
    Column("key", String(120), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("first_at", DateTime, nullable=False),
    Column("locked_until", DateTime),
)

# Every change staff make: who (the account), when, how (web, cli, setup), what, before/after.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),  # UTC
    Column("actor", String(80), nullable=False),
    Column("via", String(10), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(200), nullable=False),
    Column("before", Text),  # JSON, or NULL when the thing did not exist
    Column("after", Text),  # JSON, or NULL when it no longer does
)

STAFF = (staff_accounts, staff_sessions, staff_throttle, audit_log)
