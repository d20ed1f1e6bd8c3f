"""The office loop in one object: the database, the question log, feedback, curated answers,
next steps (办事指引) and suggestions; built by create_app, started by its lifespan."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, insert, select

from service.errors import ApiError
from service.office import audit, messages
from service.office import curated as curated_store
from service.office import guidance as guidance_store
from service.office.answered_by import BuiltEntry
from service.office.db import migrate, open_engine
from service.office.guidance import GuidanceMatcher
from service.office.mask import mask_numbers
from service.office.matcher import CuratedMatcher, threshold_for
from service.office.qlog import QuestionLog
from service.office.report import most_asked_answered
from service.office.spool import Spool, replica_name
from service.office.tables import curated, feedback, questions, suggestions
from service.office.upsert import upsert
from service.qa.answering.wording import SUGGESTIONS as DEFAULT_SUGGESTIONS
from service.schemas import GuidanceOut
from service.settings import Settings

log = logging.getLogger("ipqa.office")
RECENT_IDS = 100_000  # answer ids issued here, so feedback can follow before the log is written
REFRESH_S = 15.0  # how soon another replica's curated change or new suggestions show here
SUGGESTION_DAYS = 30
SUGGESTION_MIN_ASKS = 3  # a question a few people asked, never one person's own words
SUGGESTION_COUNT = 3
MAX_COMMENT_CHARS = 500
MAX_SUGGESTIONS = 10
GUIDED = ("related", "none")  # the replies that end without an answer get a next step
PURGE_EVERY_S = 3600.0  # 留言 past IPQA_MESSAGE_RETENTION_DAYS, as often as the log's purge


class _Recent:
    def __init__(self, size: int):
        self._order: deque[str] = deque()
        self._ids: set[str] = set()
        self._size = size
        self._lock = threading.Lock()

    def add(self, answer_id: str) -> None:
        with self._lock:
            self._order.append(answer_id)
            self._ids.add(answer_id)
            if len(self._order) > self._size:
                self._ids.discard(self._order.popleft())

    def __contains__(self, answer_id: str) -> bool:
        return answer_id in self._ids


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Office:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.db: Engine | None = None
        self.db_error: str | None = None
        spool = Spool(
            settings.spool_dir,
            replica_name(settings.replica, settings.port),
            settings.database_url,
        )
        self.log = QuestionLog(
            lambda: self._database(), settings.log_retention_days, self._chores, spool=spool
        )
        self.matcher = CuratedMatcher()
        self.guidance = GuidanceMatcher()
        self._guidance_seen: tuple | None = None
        self._messages_purged_at = 0.0
        self.recent = _Recent(RECENT_IDS)
        self.suggestions: list[str] = list(DEFAULT_SUGGESTIONS)
        self.suggestions_source = "default"
        self._embed = None
        self._runtime = None  # the serving runtime: its build id goes into the log
        self._curated_seen: tuple | None = None
        self._refreshed_at = 0.0
        self._init_lock = threading.Lock()

    # ---- start and stop -------------------------------------------------------------------

    def attach(self, runtime) -> None:
        """Hook the curated answers into the runtime's engine (and every reloaded one)."""
        runtime.curated = self.matcher
        self._runtime = runtime
        if runtime.engine is not None:
            runtime.engine.curated = self.matcher
        self.start(runtime.embedder, lambda texts: runtime.engine.question_vectors(texts))

    def start(self, embedder=None, embed=None) -> None:
        """Open and migrate the database, load curated answers, start the writer. A database
        that is down now is retried by the writer: answers never wait for it. embed: how
        questions become vectors (the engine's, so curated and asked ones compare alike)."""
        if embedder is not None:
            self.matcher.threshold = threshold_for(embedder.model_id)
            self._embed = embed or embedder.encode_queries
        self._database()
        self.log.start()

    def close(self) -> None:
        self.log.stop()
        if self.db is not None:
            self.db.dispose()

    def _database(self) -> Engine | None:
        """The engine once the schema is up to date; None (and a note) while it cannot be."""
        if self.db is not None:
            return self.db
        with self._init_lock:
            if self.db is None:
                try:
                    engine = open_engine(self.settings.database_url)
                    migrate(engine)
                    self.db, self.db_error = engine, None
                    self.refresh(force=True)
                except Exception as exc:
                    if str(exc) != self.db_error:
                        log.error("office database unavailable: %s", exc)
                    self.db_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return self.db

    # ---- the answer path: cheap, never touches the database ------------------------------

    def finish(self, result, channel: str):
        """Give a response its answer id, today's suggestions, and queue it for the log."""
        answer_id = "a-" + secrets.token_hex(10)
        updates: dict = {"answer_id": answer_id}
        if result.suggestions and self.suggestions != result.suggestions:
            updates["suggestions"] = list(self.suggestions)
            updates["answer"] = result.answer.replace(
                "；".join(result.suggestions), "；".join(self.suggestions)
            )
        if getattr(result, "outcome", None) in GUIDED:
            guide = self.guidance.pick(
                [result.question, result.normalized_question],
                [p.doc.id for p in result.passages if p.doc is not None],
            )
            if guide is not None:
                updates["guidance"] = GuidanceOut(**guide.public())
        result = result.model_copy(update=updates)
        self.recent.add(answer_id)
        if self.settings.log_questions:
            outcome = getattr(result, "outcome", None) or ("answer" if result.found else "none")
            self.log.submit(
                BuiltEntry(
                    answer_id=answer_id,
                    asked_at=time.time(),
                    channel=channel,
                    question=result.question,
                    normalized=result.normalized_question,
                    outcome=outcome,
                    found=result.found,
                    top_passage=result.passages[0].id if result.passages else None,
                    latency_ms=result.took_ms,
                    answer=result.answer,
                    build_id=self._runtime.build_id() if self._runtime is not None else None,
                )
            )
        return result

    # ---- feedback -------------------------------------------------------------------------

    def knows(self, answer_id: str) -> bool:
        if answer_id in self.recent:
            return True
        db = self.database()
        with db.connect() as c:
            found = c.execute(
                select(questions.c.id).where(questions.c.answer_id == answer_id)
            ).first()
        return found is not None

    def rate(self, answer_id: str, rating: str, comment: str | None) -> bool:
        """Store one vote (a later one on the same answer replaces it); False: unknown id."""
        if not self.knows(answer_id):
            return False
        comment = mask_numbers(comment.strip())[:MAX_COMMENT_CHARS] if comment else None
        now = _now()
        values = {"rating": rating, "comment": comment, "created_at": now, "day": date.today()}
        # One statement, committed before the 204: stored, or an error the client sees.
        with self.database().begin() as c:
            upsert(c, feedback, {"answer_id": answer_id, **values}, "answer_id", values)
        return True

    def database(self) -> Engine:
        db = self._database()
        if db is None:
            raise DatabaseUnavailable(self.db_error or "database unavailable")
        return db

    # ---- curated answers and suggestions --------------------------------------------------

    def refresh(self, force: bool = False) -> None:
        """Reload curated answers when the table changed (here or on another replica), and
        recompute the suggestions."""
        db = self.database()
        with db.connect() as c:
            seen = c.execute(
                select(func.count(), func.max(curated.c.updated_at), func.sum(curated.c.version))
            ).one()
        seen = tuple(seen)
        if force or seen != self._curated_seen:
            self.matcher.load(curated_store.enabled_entries(db), self._embed)
            self._curated_seen = seen
        guides_seen = guidance_store.fingerprint(db)
        if force or guides_seen != self._guidance_seen:
            self.guidance.load(guidance_store.all_guides(db))
            self._guidance_seen = guides_seen
        self.suggestions, self.suggestions_source = self._suggestions(db)
        self._refreshed_at = time.monotonic()

    def _suggestions(self, db: Engine) -> tuple[list[str], str]:
        with db.connect() as c:
            staff = [
                r.text for r in c.execute(select(suggestions).order_by(suggestions.c.position))
            ]
        if staff:
            return staff, "staff"
        since = date.today() - timedelta(days=SUGGESTION_DAYS - 1)
        asked = most_asked_answered(db, since, SUGGESTION_MIN_ASKS, SUGGESTION_COUNT)
        if asked:
            rest = [s for s in DEFAULT_SUGGESTIONS if s not in asked]
            return (asked + rest)[:SUGGESTION_COUNT], "asked"
        return list(DEFAULT_SUGGESTIONS), "default"

    def set_suggestions(self, texts: list[str], who: str, append: bool = False) -> None:
        """Staff's list (empty: worked out from the log); `append`: after the current staff
        list (热门问题 published one by one), not instead of it."""
        texts = [" ".join(t.split())[:100] for t in texts if t.strip()]
        if append and self.suggestions_source == "staff":
            texts = list(self.suggestions) + texts
        texts = list(dict.fromkeys(texts))[:MAX_SUGGESTIONS]
        db = self.database()
        now = _now()
        with db.begin() as c:
            before = [
                r.text for r in c.execute(select(suggestions).order_by(suggestions.c.position))
            ]
            c.execute(suggestions.delete())
            if texts:
                c.execute(
                    insert(suggestions),
                    [
                        {"position": n, "text": t, "set_by": who[:80], "set_at": now}
                        for n, t in enumerate(texts)
                    ],
                )
            audit.record(c, who, "suggestions.set", "推荐问题", before, texts)
        self.refresh()

    def _chores(self) -> None:
        """Run by the log's writer thread between batches."""
        if self.db is not None and time.monotonic() - self._refreshed_at >= REFRESH_S:
            self.refresh()
        if self.db is not None and time.monotonic() - self._messages_purged_at >= PURGE_EVERY_S:
            self._messages_purged_at = time.monotonic()
            messages.purge(self.db, self.settings.message_retention_days)

    # ---- health ---------------------------------------------------------------------------

    def health(self) -> dict:
        return {
            "database": "ok" if self.db is not None and self.log.last_error is None else "error",
            "log_questions": self.settings.log_questions,
            "logged": self.log.written,
            "dropped_writes": self.log.dropped,
            "queued": self.log.queued,
            "spool": self.log.spool_health(),  # entries waiting for the database, on disk
            "replayed": self.log.replayed,
            "curated": len(self.matcher),
            "error": self.log.last_error or self.db_error,
        }


class DatabaseUnavailable(ApiError):
    """Staff pages and feedback need the database; answers never do."""

    def __init__(self, detail: str):
        super().__init__(
            503,
            "storage_unavailable",
            f"数据库暂时不可用，请稍后再试：{detail}",
            f"The database is unavailable; try again later: {detail}",
            {"Retry-After": "5"},
        )
