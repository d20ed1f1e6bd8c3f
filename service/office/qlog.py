"""The question log, written off the request path: a bounded queue and one writer thread."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, delete, insert

from service.office.mask import mask_numbers
from service.office.tables import feedback, questions

log = logging.getLogger("ipqa.office")
QUEUE_SIZE = 10_000  # ~ two minutes of a busy replica: a database outage costs no more memory
BATCH = 200
GATHER_S = 0.5
RETRY_S = 2.0
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
    """`submit` never blocks and never raises: a full queue or a failed write is counted."""

    def __init__(
        self,
        db: Callable[[], Engine | None],
        retention_days: int,
        chores: Callable[[], None] | None = None,
        queue_size: int = QUEUE_SIZE,
    ):
        self._db = db
        self.retention_days = retention_days
        self._chores = chores or (lambda: None)
        self._queue: queue.Queue[Entry | None] = queue.Queue(maxsize=queue_size)
        self.written = 0
        self.dropped = 0
        self.last_error: str | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._purged_at = 0.0

    def submit(self, entry: Entry) -> None:
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self.dropped += 1

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ipqa-question-log", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Write what is queued (for up to `timeout`), then end the thread."""
        if self._thread is None:
            return
        self._stopping = True
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            pass
        self._thread.join(timeout)
        self._thread = None

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is written or dropped (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

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
        while True:
            batch = self._take()
            if batch is None:
                return
            if batch:
                self._write(batch)
            if self._stopping and self._queue.empty():
                return
            try:
                self._housekeeping()
            except Exception as exc:  # the writer must outlive any database trouble
                self._failed("housekeeping", exc)

    def _write(self, batch: list[Entry]) -> None:
        try:
            db = self._db()
            if db is None:
                raise RuntimeError("database not available")
            with db.begin() as c:
                c.execute(insert(questions), [e.row() for e in batch])
            self.written += len(batch)
            self.last_error = None
        except Exception as exc:
            self.dropped += len(batch)
            self._failed(f"writing {len(batch)} questions", exc)
            time.sleep(RETRY_S)  # let a restarting database come back before the next try
        finally:
            for _ in batch:
                self._queue.task_done()

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
