"""Writes that may safely happen twice: INSERT … ON CONFLICT in SQLite's and PostgreSQL's words.

The question log's rows are keyed by answer_id, so a batch that reached the database before a
failure hid it, or a spool replayed again after a kill, adds nothing; a vote replaces the one
before it in one statement, with no window for a concurrent first vote to slip into."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def _insert(conn: Connection, table: Table):
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(
        f"INSERT … ON CONFLICT is written for SQLite and PostgreSQL, not {dialect}"
    )


def insert_new(conn: Connection, table: Table, rows: list[dict], key: str) -> None:
    """Insert the rows whose `key` (a unique column) is not in the table yet; skip the rest."""
    if rows:
        conn.execute(_insert(conn, table).on_conflict_do_nothing(index_elements=[key]), rows)


def upsert(conn: Connection, table: Table, row: dict, key: str, update: Iterable[str]) -> None:
    """Insert `row`, or when its `key` is there already, set the `update` columns to its values."""
    stmt = _insert(conn, table).values(**row)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[key], set_={name: stmt.excluded[name] for name in update}
        )
    )
