"""The question log, written off the request path: a bounded queue and one writer thread.
What the database cannot take (it is down, or the queue is full) goes to the spool, a local
file replayed in order when the database is back (spool.py); only a failing disk loses rows."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, delete

from service.office.mask import mask_numbers
from service.office.spool import Spool
from service.office.tables import feedback, questions
from service.office.upsert import insert_new

log = logging.getLogger("ipqa.office")
QUEUE_SIZE = 10_000  # ~ two minutes of a busy replica: a database outage costs no more memory
BATCH = 200
GATHER_S = 0.5
RETRY_S = 2.0  # between tries of a database that failed; meanwhile rows go to the spool
REPLAY_S = 1.0  # replaying at most this long per turn, so the queue keeps moving
LOUD_EVERY_S = 5.0  # lost rows are logged at ERROR, at most this often (with the totals)
PURGE_EVERY_S = 3600.0
MAX_ANSWER_CHARS = 2000


@dataclass(slots=True)
class Entry:
    """What a request leaves behind; masked and shaped into a row by the writer, not here."""

    answer_id: str
    asked_at: float  # time.time()
    channel: str
    question: str
    normalized: str
    outcome: str
    found: bool
    top_passage: str | None
    latency_ms: float
    answer: str

    def row(self) -> dict:
        at = datetime.fromtimestamp(self.asked_at, UTC).replace(tzinfo=None)
        return {
            "answer_id": self.answer_id,
            "asked_at": at,
            "day": date.fromtimestamp(self.asked_at),
            "channel": self.channel,
            "question": mask_numbers(self.question),
            "normalized": mask_numbers(self.normalized),
            "outcome": self.outcome,
            "found": self.found,
            "top_passage": self.top_passage,
            "latency_ms": round(self.latency_ms, 2),
            "answer": mask_numbers(self.answer[:MAX_ANSWER_CHARS]),
        }


class QuestionLog:
    """`submit` never blocks and never raises. Rows the database cannot take go to `spool`;
    without one (tests), or when the disk fails, they are counted in `dropped` and logged."""

    def __init__(
        self,
        db: Callable[[], Engine | None],
        retention_days: int,
        chores: Callable[[], None] | None = None,
        queue_size: int = QUEUE_SIZE,
        spool: Spool | None = None,
    ):
        self._db = db
        self.retention_days = retention_days
        self._chores = chores or (lambda: None)
        self._queue: queue.Queue[Entry | None] = queue.Queue(maxsize=queue_size)
        self.spool = spool
        self.written = 0
        self.replayed = 0
        self.dropped = 0
        self.last_error: str | None = None
        self.spool_error: str | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._purged_at = 0.0
        self._retry_at = 0.0  # the database failed: no new try before this (monotonic)
        self._lost_lock = threading.Lock()
        self._loud_at = -LOUD_EVERY_S

    def submit(self, entry: Entry) -> None:
        try:
            self._queue.put_nowait(entry)
        except queue.Full:  # the writer is behind (a slow database): to the spool at once
            self._keep([entry.row()])

    def _keep(self, rows: list[dict]) -> None:
        """Rows the database did not take, to the spool; lost only if the disk fails."""
        if self.spool is not None:
            try:
                self.spool.append(rows)
                return
            except OSError as exc:
                reason = f"the spool cannot be written: {exc}"
        else:
            reason = "no spool"
        self._lost(len(rows), reason)

    def _lost(self, count: int, reason: str) -> None:
        with self._lost_lock:
            self.dropped += count
            self.spool_error = reason
            now, loud = time.monotonic(), False
            if now - self._loud_at >= LOUD_EVERY_S:
                self._loud_at, loud = now, True
        if loud:  # the whole truth, often enough to be seen, not once per row
            log.error("question log: %d entries LOST since start; now: %s", self.dropped, reason)

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        if self.spool is not None:
            try:  # a kill left rows behind (this replica's, or a gone one's): replay them
                if pending := self.spool.recover():
                    log.warning("question log: %d spooled entries to replay", pending)
                if self.spool.torn:
                    self._lost(self.spool.torn, "a spooled line cut short by a kill")
            except OSError as exc:
                self._lost(0, f"the spool folder cannot be read: {exc}")
        self._thread = threading.Thread(target=self._run, name="ipqa-question-log", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Write what is queued (for up to `timeout`), then end the thread. A writer stuck on
        the database leaves the rest of the queue to the spool, for the next start."""
        if self._thread is None:
            return
        self._stopping = True
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            pass
        self._thread.join(timeout)
        if self._thread.is_alive():
            rest = []
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    rest.append(item.row())
            self._keep(rest)
            self._sync()
        self._thread = None

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is in the database, or in the spool while
        the database is failing (tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            spooled = self.spool is not None and self.spool.entries
            if self._queue.unfinished_tasks == 0 and (not spooled or self.last_error):
                return True
            time.sleep(0.01)
        return False

    def spool_health(self) -> dict:
        if self.spool is None:
            return {"entries": 0, "bytes": 0, "oldest_age_s": None}
        return self.spool.health()

    def warnings(self) -> list[str]:
        """For /healthz: rows waiting in the spool, rows lost."""
        out = []
        spool = self.spool_health()
        if spool["entries"]:
            out.append(
                f"question log: {spool['entries']} entries ({spool['bytes']} bytes) wait in the "
                f"local spool for the database, the oldest {spool['oldest_age_s']} s old"
            )
        if self.dropped:
            out.append(f"question log: {self.dropped} entries lost ({self.spool_error})")
        return out

    def _take(self) -> list[Entry] | None:
        """Up to BATCH entries; waits at most a second for the first. None: stop."""
        try:
            first = self._queue.get(timeout=1.0)
        except queue.Empty:
            return []
        if first is None:
            self._queue.task_done()
            return None
        batch = [first]
        # Gather for a moment: one insert and commit per half second, not one per request,
        # keeps the writer's CPU (and its turns at the GIL) out of the answers' way.
        until = time.monotonic() + GATHER_S
        while len(batch) < BATCH and not self._stopping:
            try:
                item = self._queue.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                break
            if item is None:
                self._queue.task_done()
                self._stopping = True
                break
            batch.append(item)
        return batch

    def _run(self) -> None:
        try:
            while True:
                batch = self._take()
                if batch is None:
                    return
                if batch:
                    self._write(batch)
                self._replay()
                self._sync()
                if self._stopping and self._queue.empty():
                    return
                if time.monotonic() < self._retry_at:
                    continue  # the database is down: no chores until it answers
                try:
                    self._housekeeping()
                except Exception as exc:  # the writer must outlive any database trouble
                    self._failed("housekeeping", exc)
        finally:
            self._sync()
            if self.spool is not None:
                self.spool.close()

    def _insert(self, rows: list[dict]) -> None:
        db = self._db()
        if db is None:
            raise RuntimeError("database not available")
        with db.begin() as c:
            insert_new(c, questions, rows, "answer_id")  # a row already there is skipped

    def _write(self, batch: list[Entry]) -> None:
        try:
            rows = [e.row() for e in batch]
            # Straight to the database unless it failed a moment ago, or rows wait in the
            # spool: those go first, so these join the end of it.
            spooled = self.spool is not None and self.spool.entries
            if not spooled and time.monotonic() >= self._retry_at:
                try:
                    self._insert(rows)
                    self.written += len(rows)
                    self.last_error = None
                    return
                except Exception as exc:
                    self._failed(f"writing {len(rows)} questions", exc)
                    self._retry_at = time.monotonic() + RETRY_S
            self._keep(rows)
        finally:
            for _ in batch:
                self._queue.task_done()

    def _replay(self) -> None:
        """The spool's oldest rows into the database, in order, for up to REPLAY_S."""
        if self.spool is None or not self.spool.entries or time.monotonic() < self._retry_at:
            return
        until = time.monotonic() + REPLAY_S
        while self.spool.entries and time.monotonic() < until:
            try:
                rows, end, bad = self.spool.peek()
            except OSError as exc:  # the rows stay where they are; tried again later
                self._lost(0, f"the spool cannot be read: {exc}")
                self._retry_at = time.monotonic() + RETRY_S
                return
            try:
                self._insert(rows)
            except Exception as exc:
                self._failed(f"replaying {len(rows)} spooled questions", exc)
                self._retry_at = time.monotonic() + RETRY_S
                return
            self.spool.consumed(end, len(rows) + bad)
            if bad:
                self._lost(bad, "spooled lines that cannot be read back")
            self.written += len(rows)
            self.replayed += len(rows)
            if self.last_error is not None:
                log.warning("question log: the database answers again; replaying the spool")
                self.last_error = None
            if not self.spool.entries:
                log.warning("question log: spool replayed (%d entries since start)", self.replayed)

    def _sync(self) -> None:
        if self.spool is None:
            return
        try:
            self.spool.sync()
        except OSError as exc:  # what the last appends held may not survive a power cut
            self._lost(0, f"the spool cannot be synced: {exc}")

    def _failed(self, what: str, exc: Exception) -> None:
        message = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if message != self.last_error:  # once per kind of failure, not once per batch
            log.warning("question log: %s failed: %s", what, message)
        self.last_error = message

    def _housekeeping(self) -> None:
        self._chores()
        now = time.monotonic()
        if now - self._purged_at >= PURGE_EVERY_S:
            db = self._db()
            if db is not None:
                self.purge(db)
                self._purged_at = now

    def purge(self, db: Engine, now: datetime | None = None) -> int:
        """Delete questions and feedback older than the retention period; returns rows gone."""
        now = now or datetime.now(UTC).replace(tzinfo=None)
        cutoff = now - timedelta(days=self.retention_days)
        with db.begin() as c:
            gone = c.execute(delete(questions).where(questions.c.asked_at < cutoff)).rowcount
            gone += c.execute(delete(feedback).where(feedback.c.created_at < cutoff)).rowcount
        return gone
