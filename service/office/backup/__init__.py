"""`ipqa backup` and `ipqa restore`: the office database (curated answers and their versions,
votes, the question log, everything its tables hold) to one file and back; SQLite or
PostgreSQL, whichever IPQA_DATABASE_URL names."""

from __future__ import annotations

from pathlib import Path

from service.office.backup import postgres, sqlite
from service.office.backup.common import (
    KIND_NAMES,
    BackupError,
    Say,
    Summary,
    default_path,
    describe,
    file_kind,
    kind_of,
)

__all__ = ["BackupError", "Summary", "backup", "describe", "restore"]
DEFAULT_FOLDER = Path("var/backups")
ENGINES = {"sqlite": sqlite, "postgresql": postgres}


def _quiet(_: str) -> None:
    pass


def backup(url: str, path: Path | None = None, say: Say = _quiet) -> Summary:
    """Write a backup to `path` (a folder: a timestamped file in it; none: var/backups/);
    never over an existing file."""
    kind = kind_of(url)
    if path is None or path.is_dir():
        path = default_path(kind, path or DEFAULT_FOLDER)
    if path.exists():
        raise BackupError(f"{path} exists already: a backup never overwrites a file")
    path.parent.mkdir(parents=True, exist_ok=True)
    return ENGINES[kind].backup(url, path, say)


def restore(url: str, path: Path, force: bool = False, say: Say = _quiet) -> Summary:
    """Check `path`, then replace the database's contents with it (a database holding rows
    only with `force`), then migrate it to this version's schema."""
    kind = kind_of(url)
    found = file_kind(path)
    if found != kind:
        raise BackupError(
            f"{path} is a {KIND_NAMES[found]} backup, but the office database is "
            f"{KIND_NAMES[kind]}: restore it into a {KIND_NAMES[found]} database"
        )
    return ENGINES[kind].restore(url, path, force, say)
