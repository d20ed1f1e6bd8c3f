"""The index builds that document changes ask for, in the office database, so every replica's
page shows the same progress: a change queues one (joining a build still waiting), a worker
claims it, reports its stage and passages done, and says how it ended."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, insert, select, update

from service.office.audit import Actor
from service.office.documents.tables import document_builds

STALE = timedelta(minutes=10)  # a running build silent this long died with its process
BEAT_S = 1.0  # progress is written at most this often
STAGE_LABELS = {
    "queued": "排队等待",
    "preparing": "正在读取已发布的文件",
    "embedding": "正在计算段落向量",
    "calibrating": "正在校准回答范围",
    "switching": "正在切换到新索引",
}
STATE_LABELS = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def request(db: Engine, actor: Actor, reason: str) -> int:
    """Queue a build (or join the one already waiting: it will carry this change too)."""
    with db.begin() as c:
        waiting = c.execute(
            select(document_builds.c.id, document_builds.c.reason)
            .where(document_builds.c.state == "queued")
            .order_by(document_builds.c.id)
        ).first()
        if waiting is not None:
            reason = f"{waiting.reason}；{reason}"[:1000]
            c.execute(
                update(document_builds)
                .where(document_builds.c.id == waiting.id)
                .values(reason=reason)
            )
            return waiting.id
        return c.execute(
            insert(document_builds).values(
                state="queued",
                reason=reason[:1000],
                requested_at=_now(),
                requested_by=actor.name[:80],
                stage="queued",
            )
        ).inserted_primary_key[0]


def _end_stale(db: Engine) -> None:
    with db.begin() as c:
        c.execute(
            update(document_builds)
            .where(
                document_builds.c.state == "running",
                document_builds.c.heartbeat_at < _now() - STALE,
            )
            .values(state="failed", finished_at=_now(), error="生成中断（进程已退出）")
        )


def claim(db: Engine, worker: str) -> int | None:
    """The oldest queued build, now running here; None when none waits or one is running."""
    _end_stale(db)
    with db.begin() as c:
        running = c.execute(
            select(document_builds.c.id).where(document_builds.c.state == "running")
        ).first()
        if running is not None:
            return None
        job = c.execute(
            select(document_builds.c.id)
            .where(document_builds.c.state == "queued")
            .order_by(document_builds.c.id)
        ).first()
        if job is None:
            return None
        now = _now()
        taken = c.execute(
            update(document_builds)
            .where(and_(document_builds.c.id == job.id, document_builds.c.state == "queued"))
            .values(
                state="running", started_at=now, heartbeat_at=now, worker=worker, stage="preparing"
            )
        ).rowcount
        return job.id if taken else None


class Progress:
    """Writes a running build's stage and count, at most once a second."""

    def __init__(self, db: Engine, job_id: int):
        self.db, self.job_id = db, job_id
        self._last = 0.0

    def stage(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        self._write(stage=stage, done=done, total=total)

    def embedded(self, done: int, total: int) -> None:
        if time.monotonic() - self._last >= BEAT_S or done >= total:
            self._write(stage="embedding", done=done, total=total)

    def _write(self, **values) -> None:
        self._last = time.monotonic()
        with self.db.begin() as c:
            c.execute(
                update(document_builds)
                .where(document_builds.c.id == self.job_id)
                .values(heartbeat_at=_now(), **values)
            )


def carrying(db: Engine, job_id: int, documents: dict[str, int]) -> None:
    with db.begin() as c:
        c.execute(
            update(document_builds)
            .where(document_builds.c.id == job_id)
            .values(documents=json.dumps(documents, sort_keys=True))
        )


def finish(db: Engine, job_id: int, build_id: str | None, error: str | None = None) -> None:
    with db.begin() as c:
        c.execute(
            update(document_builds)
            .where(document_builds.c.id == job_id)
            .values(
                state="failed" if error else "done",
                finished_at=_now(),
                heartbeat_at=_now(),
                build_id=build_id,
                error=error[:2000] if error else None,
            )
        )


def recent(db: Engine, limit: int = 5) -> list[dict]:
    """The newest builds, newest first, as the pages show them."""
    with db.connect() as c:
        rows = c.execute(
            select(document_builds).order_by(document_builds.c.id.desc()).limit(limit)
        ).all()
    out = []
    for r in rows:
        item = dict(r._mapping)
        item["documents"] = json.loads(r.documents) if r.documents else {}
        item["state_label"] = STATE_LABELS.get(r.state, r.state)
        item["stage_label"] = STAGE_LABELS.get(r.stage or "", r.stage or "")
        item["percent"] = round(100 * r.done / r.total) if r.total and r.done is not None else None
        out.append(item)
    return out


def active(db: Engine) -> bool:
    with db.connect() as c:
        return (
            c.execute(
                select(document_builds.c.id).where(
                    document_builds.c.state.in_(("queued", "running"))
                )
            ).first()
            is not None
        )
