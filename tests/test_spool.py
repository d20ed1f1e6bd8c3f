"""The question log's spool on real SQLite and PostgreSQL: what the database cannot take waits
in a local file and is replayed in order, once per answer_id, also after a kill; only a
failing disk loses rows, and says so. Votes are written through: stored, or a 503."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from service.app import create_app
from service.office.db import migrate, open_engine
from service.office.qlog import Entry, QuestionLog
from service.office.spool import Spool, database_key
from service.office.tables import feedback, questions
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[1]


def _entry(n: int) -> Entry:
    return Entry(
        answer_id=f"a-{n:020d}",
        asked_at=time.time(),
        channel="api",
        question=f"第{n}问，电话13812345678",
        normalized=f"第{n}问",
        outcome="answer",
        found=True,
        top_passage="p-1",
        latency_ms=1.5,
        answer="答",
    )


class Switch:
    """The database as the log sees it: up (the engine) or down (None)."""

    def __init__(self, url: str):
        self.engine = open_engine(url)
        migrate(self.engine)
        self.up = False

    def __call__(self):
        return self.engine if self.up else None


def _logged(engine) -> list[str]:
    with engine.connect() as c:
        return [
            r.answer_id for r in c.execute(select(questions.c.answer_id).order_by(questions.c.id))
        ]


def _wait(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_rows_wait_in_the_spool_while_the_database_is_down_then_replay_in_order(db_url, tmp_path):
    db = Switch(db_url)
    log = QuestionLog(db, 30, spool=Spool(tmp_path / "spool", "r1", db_url))
    log.start()
    try:
        for n in range(300):
            log.submit(_entry(n))
        assert log.flush(15)
        spool = log.spool_health()
        assert spool["entries"] == 300 and spool["bytes"] > 0 and spool["oldest_age_s"] >= 0
        assert log.dropped == 0 and log.written == 0 and log.last_error
        assert "13812345678" not in next((tmp_path / "spool").iterdir()).read_text()  # masked
        assert "300 entries" in log.warnings()[0]
        db.up = True
        for n in range(300, 310):  # asked after it is back: behind the spooled ones
            log.submit(_entry(n))
        assert _wait(lambda: len(_logged(db.engine)) == 310), log.spool_health()
        assert _logged(db.engine) == [f"a-{n:020d}" for n in range(310)]
        assert log.spool_health() == {"entries": 0, "bytes": 0, "oldest_age_s": None}
        assert log.replayed >= 300 and log.dropped == 0 and log.warnings() == []
    finally:
        log.stop()
    assert list((tmp_path / "spool").iterdir()) == []  # an empty spool leaves no file


def test_a_replay_adds_nothing_already_there(db_url, tmp_path):
    """A batch the database took before the connection dropped, spooled and replayed again:
    one row per answer_id (INSERT … ON CONFLICT DO NOTHING)."""
    db = Switch(db_url)
    db.up = True
    spool = Spool(tmp_path / "spool", "r1", db_url)
    entries = [_entry(n) for n in range(20)]
    spool.append([e.row() for e in entries])
    first = QuestionLog(db, 30)
    first._insert([e.row() for e in entries[:12]])  # these reached the database already
    spool.close()
    log = QuestionLog(db, 30, spool=Spool(tmp_path / "spool", "r1", db_url))
    log.start()
    try:
        assert _wait(lambda: log.spool.entries == 0 and len(_logged(db.engine)) == 20)
        assert _logged(db.engine) == [e.answer_id for e in entries]
    finally:
        log.stop()


KILLED = """
import os, signal, sys, time
from service.office.qlog import Entry, QuestionLog
from service.office.spool import Spool
log = QuestionLog(lambda: None, 30, spool=Spool(sys.argv[1], "r1", sys.argv[2]))
log.start()
for n in range(int(sys.argv[3])):
    log.submit(Entry(f"a-{n:020d}", time.time(), "api", "问", "问", "answer", True, None, 1.0, "答"))
assert log.flush(20) and log.spool.entries == int(sys.argv[3])
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_replica_killed_with_a_spool_replays_it_on_restart(db_url, tmp_path):
    folder = tmp_path / "spool"
    done = subprocess.run(
        [sys.executable, "-c", KILLED, str(folder), db_url, "150"], cwd=ROOT, capture_output=True
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    (path,) = folder.iterdir()
    assert path.read_bytes().count(b"\n") == 150
    with path.open("ab") as fh:  # and a write the kill cut short
        fh.write(b'{"answer_id":"a-torn","asked_at":"2026-')
    db = Switch(db_url)
    db.up = True
    log = QuestionLog(db, 30, spool=Spool(folder, "r1", db_url))
    log.start()
    try:
        assert _wait(lambda: len(_logged(db.engine)) == 150 and log.spool.entries == 0)
        assert _logged(db.engine) == [f"a-{n:020d}" for n in range(150)]
        assert log.dropped == 1  # the torn line, counted and logged, never silent
    finally:
        log.stop()


def test_a_gone_replicas_spool_is_adopted_a_live_ones_is_not(db_url, tmp_path):
    folder = tmp_path / "spool"
    gone = Spool(folder, "gone-8001", db_url)
    gone.append([_entry(n).row() for n in range(5)])
    gone.sync()
    os.close(gone._fd)  # its process died: the lock is free, the file stays
    alive = Spool(folder, "alive-8002", db_url)
    alive.append([_entry(n).row() for n in range(5, 8)])
    other_db = Spool(folder, "gone-8003", db_url + "_other")  # another database's: not ours
    other_db.append([_entry(99).row()])
    os.close(other_db._fd)
    db = Switch(db_url)
    db.up = True
    log = QuestionLog(db, 30, spool=Spool(folder, "r1", db_url))
    log.start()
    try:
        assert _wait(lambda: len(_logged(db.engine)) == 5 and log.spool.entries == 0)
        assert _logged(db.engine) == [f"a-{n:020d}" for n in range(5)]
    finally:
        log.stop()
    names = sorted(p.name for p in folder.iterdir())  # the adopted file is gone, ours emptied
    assert names == sorted([alive.path.name, other_db.path.name])
    assert database_key(db_url) in alive.path.name and alive.entries == 3
    alive.close()


def test_a_full_queue_spools_instead_of_dropping(tmp_path):
    url = f"sqlite:///{tmp_path}/o.db"
    log = QuestionLog(lambda: None, 30, queue_size=2, spool=Spool(tmp_path / "s", "r1", url))
    for n in range(5):  # the writer is not started: the queue takes two
        log.submit(_entry(n))
    assert log.queued == 2 and log.spool.entries == 3 and log.dropped == 0


def test_only_a_failing_disk_loses_rows_and_it_is_loud(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    url = f"sqlite:///{tmp_path}/o.db"
    log = QuestionLog(lambda: None, 30, queue_size=1, spool=Spool(blocker / "spool", "r1", url))
    with caplog.at_level(logging.ERROR, logger="ipqa.office"):
        for n in range(4):
            log.submit(_entry(n))
    assert log.dropped == 3 and log.spool.entries == 0
    assert any("LOST" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    assert "3 entries lost" in log.warnings()[-1]


def test_votes_are_stored_or_refused_with_a_503_never_a_silent_204(fake_settings, tmp_path):
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/o.db", "spool_dir": tmp_path / "spool"}
    )
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as c:
        office = c.app.state.office
        ids = [
            c.post("/ask", json={"question": "专栏5是什么？"}).json()["answer_id"] for _ in range(3)
        ]
        working = office.db
        office.db = create_engine("postgresql+psycopg://u@127.0.0.1:9/none")  # refuses
        try:
            for answer_id in ids:
                r = c.post("/feedback", json={"answer_id": answer_id, "rating": "down"})
                assert r.status_code == 503, r.text
                assert r.json()["error"] == "storage_unavailable" and r.json()["message_en"]
                assert int(r.headers["retry-after"]) >= 1
                assert "9" not in r.json()["message"]  # nothing of the database's address
        finally:
            office.db.dispose()
            office.db = working
        for answer_id in ids:
            r = c.post("/feedback", json={"answer_id": answer_id, "rating": "up", "comment": "好"})
            assert r.status_code == 204
        c.post("/feedback", json={"answer_id": ids[0], "rating": "down"})  # replaces the first
        with working.connect() as conn:
            rows = {r.answer_id: r.rating for r in conn.execute(select(feedback))}
            count = conn.execute(select(func.count()).select_from(feedback)).scalar()
    assert rows == {ids[0]: "down", ids[1]: "up", ids[2]: "up"} and count == 3


def test_spool_lines_are_the_masked_rows_and_read_back_as_rows(tmp_path):
    spool = Spool(tmp_path, "r1", "sqlite:///x.db")
    row = _entry(1).row()
    spool.append([row])
    line = json.loads(spool.path.read_text().splitlines()[0])
    assert line["question"] == "第1问，电话***********"
    rows, end, bad = spool.peek()
    assert rows == [row] and bad == 0 and end == spool.path.stat().st_size


def test_a_disk_that_fills_mid_line_leaves_no_torn_line(tmp_path, monkeypatch):
    from service.office import spool as spool_module

    spool = Spool(tmp_path, "r1", "sqlite:///x.db")
    spool.append([_entry(1).row()])
    real = spool_module._write_all

    def half_then_full(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spool_module, "_write_all", half_then_full)
    with pytest.raises(OSError):
        spool.append([_entry(2).row(), _entry(3).row()])
    monkeypatch.setattr(spool_module, "_write_all", real)
    spool.append([_entry(4).row()])  # the disk has room again
    rows, _, bad = spool.peek()
    assert [r["answer_id"] for r in rows] == [_entry(1).answer_id, _entry(4).answer_id]
    assert bad == 0 and spool.entries == 2
