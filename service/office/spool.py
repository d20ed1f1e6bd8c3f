"""The question log's spool: rows the database cannot take now (it is down, or the log's queue
is full) are appended to a local file, one JSON line each, fsynced in batches, and replayed in
order once the database answers again.

One file per replica in IPQA_SPOOL_DIR, named after the replica and the database it belongs
to, and locked (flock) while its replica lives. At start a replica takes its own file back (a
kill or a crash left it) and adopts any other replica's file for the same database whose lock
is free (its owner is gone), so nothing waits for one particular replica to come back. The
rows are the masked ones the database would hold, never more."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import socket
import threading
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger("ipqa.office")
READ_BYTES = 512 * 1024  # one replay batch: whole lines up to this much (~200-1,000 rows)
NAMES = 16  # a replica's file and its spares (several processes with one name: --workers)


def database_key(url: str) -> str:
    """A short fingerprint of the database (its URL without the password)."""
    shown = make_url(url).render_as_string(hide_password=True)
    return hashlib.sha256(shown.encode()).hexdigest()[:10]


def replica_name(replica: str | None, port: int) -> str:
    name = replica or f"{socket.gethostname()}-{port}"
    return re.sub(r"[^A-Za-z0-9_.]+", "_", name)[:80] or "replica"


def encode(row: dict) -> bytes:
    out = {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> dict:
    row = json.loads(line)
    row["asked_at"] = datetime.fromisoformat(row["asked_at"])
    row["day"] = date.fromisoformat(row["day"])
    return row


def _locked(path: Path, create: bool) -> int | None:
    """The file open and locked by this process; None when a live process holds it (or it
    was adopted and removed while we opened it)."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | (os.O_CREAT if create else 0), 0o600)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)
        if not create:
            return None


def _whole_lines(fd: int) -> tuple[int, int, int]:
    """(bytes of whole lines, how many, bytes after the last newline: a torn write)."""
    size, lines, at = os.fstat(fd).st_size, 0, 0
    last_newline = -1
    while at < size:
        chunk = os.pread(fd, min(4 << 20, size - at), at)
        if not chunk:
            break
        lines += chunk.count(b"\n")
        found = chunk.rfind(b"\n")
        if found >= 0:
            last_newline = at + found
        at += len(chunk)
    return last_newline + 1, lines, size - (last_newline + 1)


class Spool:
    """Append, peek, consume; thread-safe. OSError from `append` and `sync` means the disk
    failed: the caller counts the rows as lost and says so."""

    def __init__(self, folder: Path | str, replica: str, database_url: str):
        self.folder = Path(folder)
        self.prefix = f"questions-{replica}"
        self.key = database_key(database_url)
        self.path: Path | None = None
        self.entries = 0  # rows not replayed yet
        self.torn = 0  # rows lost to a write a kill cut short (found at start)
        self._fd: int | None = None
        self._size = 0  # bytes in the file, all whole lines
        self._head = 0  # where the first row not replayed yet starts
        self._oldest: datetime | None = None
        self._unsynced = False
        self._lock = threading.Lock()

    def _name(self, n: int) -> str:
        return f"{self.prefix}{f'.{n}' if n else ''}-{self.key}.jsonl"

    # ---- the replica's own file -----------------------------------------------------------

    def _own(self) -> int:
        """This replica's file, opened (and taken back with what it holds) on first use."""
        if self._fd is not None:
            return self._fd
        self.folder.mkdir(parents=True, exist_ok=True)
        for n in range(NAMES):
            fd = _locked(self.folder / self._name(n), create=True)
            if fd is not None:
                self._fd, self.path = fd, self.folder / self._name(n)
                self._take_back(fd)
                return fd
        raise OSError(f"every spool file name in {self.folder} is held by a live process")

    def _take_back(self, fd: int) -> None:
        size, lines, torn = _whole_lines(fd)
        if torn:
            os.ftruncate(fd, size)
            self._lost_torn(self.path)
        self._size, self._head, self.entries = size, 0, lines
        self._oldest = self._first_time() if lines else None
        if lines:
            log.warning("question log: %d spooled entries from before in %s", lines, self.path)

    def _lost_torn(self, path: Path | None) -> None:
        self.torn += 1
        log.error("question log: the last line of %s was cut short by a kill: 1 entry LOST", path)

    def recover(self) -> int:
        """At start: this replica's file from before, then every file for this database whose
        owner is gone, copied onto the end of it. Returns the rows pending."""
        if not self.folder.is_dir():
            return 0
        with self._lock:
            if any((self.folder / self._name(n)).exists() for n in range(NAMES)):
                self._own()
            for path in sorted(self.folder.glob(f"questions-*-{self.key}.jsonl")):
                if path != self.path:
                    self._adopt(path)
            return self.entries

    def _adopt(self, path: Path) -> None:
        fd = _locked(path, create=False)
        if fd is None:
            return  # its replica is alive and replays it itself
        try:
            size, lines, torn = _whole_lines(fd)
            if torn:
                self._lost_torn(path)
            if lines:
                own = self._own()
                at = 0
                while at < size:
                    chunk = os.pread(fd, min(4 << 20, size - at), at)
                    _write_all(own, chunk)
                    at += len(chunk)
                os.fsync(own)
                if not self.entries:
                    self._oldest = _time_of(os.pread(fd, READ_BYTES, 0))
                self._size += size
                self.entries += lines
                log.warning("question log: adopted %d spooled entries from %s", lines, path.name)
            path.unlink()
        finally:
            os.close(fd)

    # ---- writing, replaying ---------------------------------------------------------------

    def append(self, rows: list[dict]) -> None:
        if not rows:
            return
        data = b"".join(encode(r) for r in rows)
        with self._lock:
            fd = self._own()
            try:
                _write_all(fd, data)
            except OSError:  # a disk that filled mid-line: no torn line before the next rows
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, self._size)
                raise
            if not self.entries:
                self._oldest = rows[0]["asked_at"]
            self._size += len(data)
            self.entries += len(rows)
            self._unsynced = True

    def sync(self) -> None:
        """fsync what was appended since the last call (the log's writer, once per batch)."""
        with self._lock:
            fd, due, self._unsynced = self._fd, self._unsynced, False
        if fd is not None and due:
            os.fsync(fd)

    def peek(self) -> tuple[list[dict], int, int]:
        """The oldest rows not replayed (up to READ_BYTES of them): (rows, where they end, how
        many lines could not be read back)."""
        with self._lock:
            if not self.entries or self._fd is None:
                return [], self._head, 0
            fd, start, size = self._fd, self._head, self._size
        want = READ_BYTES
        while True:  # the region [head, size) is whole lines that nobody rewrites
            data = os.pread(fd, min(want, size - start), start)
            cut = data.rfind(b"\n") + 1
            if cut or start + len(data) >= size:
                break
            want *= 2  # one line longer than a batch
        rows, bad = [], 0
        for line in data[:cut].splitlines():
            try:
                rows.append(decode(line))
            except (ValueError, KeyError, TypeError) as exc:
                bad += 1
                log.error("question log: a spooled line cannot be read (%s): 1 entry LOST", exc)
        return rows, start + cut, bad

    def consumed(self, end: int, count: int) -> None:
        """The rows up to `end` are in the database: move on; an emptied file is cut to zero."""
        with self._lock:
            self._head, self.entries = end, max(0, self.entries - count)
            if self._head < self._size:
                self._oldest = self._first_time()
                return
            self._oldest = None
            try:
                os.ftruncate(self._fd, 0)
                self._size = self._head = 0
            except OSError as exc:  # the offsets still hold: the file just is not cut
                log.error("question log: the emptied spool cannot be cut to zero: %s", exc)

    def _first_time(self) -> datetime | None:
        try:
            data = os.pread(self._fd, min(READ_BYTES, self._size - self._head), self._head)
        except OSError:
            return None
        return _time_of(data)

    def health(self) -> dict:
        with self._lock:
            oldest = self._oldest
            out = {"entries": self.entries, "bytes": self._size - self._head}
        age = (datetime.now(UTC).replace(tzinfo=None) - oldest).total_seconds() if oldest else None
        out["oldest_age_s"] = round(max(0.0, age), 1) if age is not None else None
        return out

    def close(self) -> None:
        """Release the file: removed when it holds nothing, kept (synced) for the next start."""
        with self._lock:
            fd, self._fd = self._fd, None
            if fd is None:
                return
            try:
                if self.entries == 0 and self.path is not None:
                    self.path.unlink(missing_ok=True)
                else:
                    os.fsync(fd)
            finally:
                os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _time_of(data: bytes) -> datetime | None:
    line = data.split(b"\n", 1)[0]
    try:
        return datetime.fromisoformat(json.loads(line)["asked_at"])
    except (ValueError, KeyError, TypeError):
        return None
