"""What both kinds of backup share: the error, a file's kind, the schema check, the row counts
and how a finished file is put in place."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from service.office.db import MIGRATIONS, migrate, open_engine

Say = Callable[[str], None]  # one line of progress: what is being done now
VERSION_TABLE = "alembic_version"  # Alembic's: the schema revision the tables are at
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"  # the start of every pg_dump --format=custom archive
SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """An expected problem (a missing or damaged file, the wrong kind, a database that cannot
    be reached), said in one line the operator can act on."""


@dataclass
class Summary:
    path: Path  # the backup written, or restored from
    revision: str | None
    rows: dict[str, int]
    upgraded_from: str | None = None  # a restored older backup, migrated to this schema

    def rows_text(self) -> str:
        return ", ".join(f"{name} {n}" for name, n in self.rows.items()) or "no tables"


def kind_of(url: str) -> str:
    kind = make_url(url).get_backend_name()
    if kind not in SUFFIX:
        raise BackupError(f"backups cover SQLite and PostgreSQL; the database URL is {kind}")
    return kind


def describe(url: str) -> str:
    """The database as a message names it: never its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def default_path(kind: str, folder: Path, now: datetime | None = None) -> Path:
    """`ipqa-20250102T030405Z.sqlite3`: UTC, so names sort in the order they were taken."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"ipqa-{stamp}{SUFFIX[kind]}"


def file_kind(path: Path) -> str:
    """'sqlite' or 'postgresql' from the file's first bytes, whatever it is called."""
    if not path.exists():
        raise BackupError(f"no such file: {path}")
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} is neither a SQLite database nor a pg_dump archive (--format=custom): "
        "not a backup `ipqa backup` wrote"
    )


def check_revision(revision: str | None, source: object) -> None:
    """Refuse a backup without a schema revision, or with one the migrations do not know
    (a newer ipqa wrote it: this one cannot tell what its tables mean)."""
    from alembic.script import ScriptDirectory

    if revision is None:
        raise BackupError(
            f"{source} has no schema revision (no {VERSION_TABLE} row): "
            "not a backup of the office database"
        )
    scripts = ScriptDirectory(str(MIGRATIONS))
    if revision not in {script.revision for script in scripts.walk_revisions()}:
        raise BackupError(
            f"{source} is at schema revision {revision}, newer than this ipqa knows (up to "
            f"{', '.join(scripts.get_heads())}): upgrade ipqa first, then restore it"
        )


def read_state(c: Connection) -> tuple[str | None, dict[str, int]]:
    """The schema revision and the rows in each table (Alembic's own table left out)."""
    names = sorted(inspect(c).get_table_names())
    revision = None
    if VERSION_TABLE in names:
        revision = c.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    rows = {
        name: c.execute(select(func.count()).select_from(table(name))).scalar_one()
        for name in names
        if name != VERSION_TABLE
    }
    return revision, rows


def refuse_unless_empty(where: str, rows: dict[str, int], force: bool) -> None:
    held = [f"{n} row{'s' if n > 1 else ''} in {name}" for name, n in rows.items() if n]
    if held and not force:
        raise BackupError(
            f"{where} is not empty ({', '.join(held)}); a restore would replace all of it "
            "with the backup's rows. Nothing was changed: run again with --force to overwrite"
        )


def up_to_date(url: str, file: Path, revision: str) -> Summary:
    """Migrate the restored database to this version's schema (an older backup gains the
    newer tables), then count what it holds."""
    engine = open_engine(url)
    try:
        migrate(engine)
        with engine.connect() as c:
            now, rows = read_state(c)
    finally:
        engine.dispose()
    return Summary(file, now, rows, revision if now != revision else None)


def put_in_place(part: Path, out: Path) -> None:
    """The finished file under its name only once it is complete, on disk and private (it
    holds what citizens asked)."""
    with part.open("rb") as fh:
        os.fsync(fh.fileno())
    part.chmod(0o600)
    os.replace(part, out)
    folder = os.open(out.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
