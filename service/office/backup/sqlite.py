"""SQLite: the online backup API copies the live database in one read transaction, so the copy
is one consistent state while the server goes on writing (WAL: the writer never waits)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from service.office.backup.common import (
    BackupError,
    Say,
    Summary,
    check_revision,
    put_in_place,
    read_state,
    refuse_unless_empty,
    up_to_date,
)

BUSY_S = 30.0  # how long to wait for a lock the server holds


def database_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"the SQLite database {database or ':memory:'!r} is not a file")
    return Path(database)


def _connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + ("?mode=ro" if readonly else "")
    return sqlite3.connect(uri, uri=True, timeout=BUSY_S)


def _engine(path: Path, readonly: bool = False) -> Engine:
    return create_engine("sqlite://", creator=lambda: _connect(path, readonly), poolclass=NullPool)


def _mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def checked(path: Path, readonly: bool = True) -> tuple[str | None, dict[str, int]]:
    """PRAGMA integrity_check, then the revision and row counts; a damaged file is refused."""
    engine = _engine(path, readonly)
    try:
        with engine.connect() as c:
            problems = c.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            if problems != ["ok"]:
                raise BackupError(
                    f"{path} is damaged: SQLite's integrity_check says {'; '.join(problems[:3])}"
                )
            # A file cut short inside a page of empty tables passes integrity_check (SQLite
            # reads the missing end as zeros), but a whole database is always whole pages.
            page = c.exec_driver_sql("PRAGMA page_size").scalar()
            if path.stat().st_size % page:
                raise BackupError(f"{path} is damaged: it ends inside a page (cut short)")
            return read_state(c)
    except DBAPIError as exc:
        raise BackupError(f"{path} is damaged or not a database: {exc.orig}") from None
    finally:
        engine.dispose()


def _rows(target: Path) -> dict[str, int]:
    engine = _engine(target)
    try:
        with engine.connect() as c:
            return read_state(c)[1]
    except DBAPIError as exc:
        raise BackupError(
            f"{target} cannot be read ({exc.orig}); --force replaces it with the backup"
        ) from None
    finally:
        engine.dispose()


def backup(url: str, out: Path, say: Say) -> Summary:
    source = database_path(url)
    if not source.is_file():
        raise BackupError(f"no office database at {source}: nothing to back up")
    part = out.with_name(out.name + ".part")
    part.unlink(missing_ok=True)
    say(f"copying {source} ({_mb(source)}) with SQLite's online backup")
    try:
        with closing(_connect(source)) as src, closing(sqlite3.connect(part)) as dst:
            # All pages in one step: one read transaction, so one consistent state. In steps,
            # every write the server made between them would start the copy over.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        say(f"checking the copy ({_mb(part)}): integrity_check")
        revision, rows = checked(part)
        put_in_place(part, out)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source}: {exc}") from None
    finally:
        part.unlink(missing_ok=True)
    return Summary(out, revision, rows)


def restore(url: str, file: Path, force: bool, say: Say) -> Summary:
    target = database_path(url)
    say(f"checking {file} ({_mb(file)}): integrity_check")
    revision, _ = checked(file)
    check_revision(revision, file)
    if target.exists() and not force:
        refuse_unless_empty(str(target), _rows(target), force)
    elif not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    say(f"restoring {file} into {target}")
    try:
        # The backup API the other way: the target's pages are replaced under its write lock,
        # so a connection that has it open sees the restored state, not a torn one.
        with closing(_connect(file, readonly=True)) as src, closing(_connect(target)) as dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot restore into {target}: {exc}") from None
    say("bringing the schema up to date")
    return up_to_date(url, file, revision)
