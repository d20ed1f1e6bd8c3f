"""`ipqa backup` and `ipqa restore` on real SQLite and real PostgreSQL: a database filled through
the service's own store functions is backed up, wiped, restored and compared row for row; a
database holding rows, a damaged file, the wrong kind and a newer schema are refused."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import MetaData, insert, select, text

from service.office import backup as backups
from service.office import curated, quality
from service.office.db import HEAD, current_revision, migrate, open_engine
from service.office.office import Office
from service.office.qlog import Entry
from service.office.tables import ALL, questions
from service.settings import Settings
from tests.serverproc import PYTHON, ROOT, ipqa, ipqa_env

pytestmark = pytest.mark.backup
NAME = re.compile(r"ipqa-\d{8}T\d{6}Z\.(sqlite3|pgdump)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path) -> str:
    """An empty office database: a SQLite file, then a fresh database on real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/office.db"
    server = request.getfixturevalue("pg_server")
    return server.fresh_database(f"b_{tmp_path.name.lower().replace('-', '_')[-40:]}")


def _entry(answer_id: str, question: str, found: bool = True) -> Entry:
    return Entry(
        answer_id=answer_id,
        asked_at=time.time(),
        channel="api",
        question=question,
        normalized=question.rstrip("？"),
        outcome="answer" if found else "none",
        found=found,
        top_passage="p-1" if found else None,
        latency_ms=8.5,
        answer="答：见规划第三部分。" if found else "抱歉",
    )


def _fill(url: str) -> None:
    """Something in every table, written the way the running service writes it."""
    office = Office(Settings(database_url=url))
    office.start()
    try:
        for n, q in enumerate(["专利密集型产业增加值目标？", "地理标志怎么保护？", "火星专利？"]):
            office.log.submit(_entry(f"a-{n}", q, found=n < 2))
        assert office.log.flush()
        assert office.rate("a-1", "down", "数字不对")
        db = office.database()
        first = curated.save(db, "张三", "办事大厅在哪？", ["地址"], "人民路1号。")
        curated.save(db, "李四", "办事大厅在哪？", ["地址在哪"], "人民路2号。", curated_id=first)
        other = curated.save(db, "张三", "几点上班？", [], "九点。")
        curated.set_enabled(db, "王五", other, False)
        office.set_suggestions(["专利怎么申请？", "商标怎么保护？"], "张三")
        quality.save(db, "in-sample", {"summary": {"hit@1": 0.9}})
    finally:
        office.close()


def _snapshot(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, in primary-key order, Alembic's version table included."""
    engine = open_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as c:
            return {
                name: [
                    tuple(row)
                    for row in c.execute(select(t).order_by(*(t.primary_key.columns or t.columns)))
                ]
                for name, t in sorted(meta.tables.items())
            }
    finally:
        engine.dispose()


def _wipe(url: str) -> None:
    engine = open_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        meta.drop_all(engine)
    finally:
        engine.dispose()


def test_backup_wipe_restore_gives_back_every_row(url, tmp_path):
    server = open_engine(url)
    migrate(server)
    held = server.connect()  # as a running server would: SQLite's WAL is not folded back in
    _fill(url)
    before = _snapshot(url)
    for t in ALL:  # an empty table compares equal however badly it was restored
        assert before[t.name], f"{t.name} is empty: have _fill write a row into it"
    assert len(before["curated_versions"]) == 4 and before["alembic_version"] == [(HEAD,)]
    env = ipqa_env(database_url=url)
    folder = tmp_path / "backups"
    folder.mkdir()

    done = ipqa("backup", str(folder), env=env)
    assert done.returncode == 0, done.stderr
    (file,) = folder.iterdir()
    assert NAME.fullmatch(file.name) and file.stat().st_mode & 0o777 == 0o600
    assert "questions 3" in done.stdout and "curated_versions 4" in done.stdout
    assert "feedback 1" in done.stdout and f"schema {HEAD}" in done.stdout
    held.close()
    server.dispose()

    _wipe(url)
    assert _snapshot(url) == {}
    done = ipqa("restore", str(file), env=env)  # an empty database needs no --force
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"restored {file}") and "questions 3" in done.stdout
    assert _snapshot(url) == before

    db = open_engine(url)  # the ids go on from where they were (PostgreSQL's sequences too)
    try:
        new = curated.save(db, "张三", "周末办公吗？", [], "不办公。")
        assert new > max(row[0] for row in before["curated"])
    finally:
        db.dispose()


def test_a_database_holding_rows_is_replaced_only_with_force(url, tmp_path):
    _fill(url)
    before = _snapshot(url)
    file = backups.backup(url, tmp_path / "office.backup").path
    db = open_engine(url)
    try:
        curated.save(db, "张三", "新加的问题？", [], "新加的回答。")
    finally:
        db.dispose()
    changed = _snapshot(url)
    env = ipqa_env(database_url=url)

    refused = ipqa("restore", str(file), env=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    message = " ".join(refused.stderr.split())
    assert "is not empty" in message and "--force" in message
    assert "3 rows in curated," in message and "3 rows in questions" in message
    assert _snapshot(url) == changed

    forced = ipqa("restore", str(file), "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert _snapshot(url) == before


def _damaged(file: Path, folder: Path) -> dict[str, Path]:
    data = file.read_bytes()
    middle = len(data) // 2
    contents = {
        "truncated": data[: len(data) * 2 // 3],
        "tail_cut": data[:-100],  # what a full disk leaves: the start (a dump's list) intact
        "garbled": data[:middle] + bytes(range(256)) * 16 + data[middle + 4096 :],
        "notes": b"not a backup\n",
        "empty": b"",
        "other_kind": b"" if data.startswith(b"PGDMP") else b"PGDMP" + data[5:],
    }
    files = {what: folder / what for what in contents}
    for what, content in contents.items():
        files[what].write_bytes(content)
    if data.startswith(b"PGDMP"):  # a SQLite file for PostgreSQL
        with closing(sqlite3.connect(files["other_kind"])) as c:
            c.execute("CREATE TABLE t (x)")
    return files


def test_a_damaged_or_foreign_file_is_refused_and_nothing_changes(url, tmp_path):
    _fill(url)
    file = backups.backup(url, tmp_path / "office.backup").path
    before = _snapshot(url)
    env = ipqa_env(database_url=url)
    messages = {}
    for what, bad in _damaged(file, tmp_path).items():
        done = ipqa("restore", str(bad), "--force", env=env)
        assert done.returncode == 2, (what, done.stdout)
        assert "Traceback" not in done.stderr and str(bad) in done.stderr, (what, done.stderr)
        messages[what] = " ".join(done.stderr.split())
        assert _snapshot(url) == before, what
    assert "neither a SQLite database nor a pg_dump archive" in messages["notes"]
    assert "neither" in messages["empty"]
    assert "backup, but the office database is" in messages["other_kind"]
    assert "damaged" in messages["truncated"] and "damaged" in messages["tail_cut"]
    missing = ipqa("restore", str(tmp_path / "nowhere"), env=env)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_a_backup_from_a_newer_schema_is_refused(url, tmp_path):
    _fill(url)
    db = open_engine(url)
    try:
        with db.begin() as c:  # what a later ipqa, with a migration this one lacks, leaves
            c.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        db.dispose()
    file = backups.backup(url, tmp_path / "newer.backup").path
    _wipe(url)
    done = ipqa("restore", str(file), env=ipqa_env(database_url=url))
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert "schema revision 9999" in message and f"up to {HEAD}" in message, message
    assert _snapshot(url) == {}


def test_an_older_backup_is_migrated_on_restore(url, tmp_path):
    db = open_engine(url)
    try:
        migrate(db, "0002")
        # Today's store functions write today's tables: the row goes in as 0002 had them.
        with db.begin() as c:
            c.execute(
                text(
                    "INSERT INTO curated (question, variants, answer, passage_ids, enabled, "
                    "version, updated_by, updated_at) VALUES ('旧库里的问题？', '[]', "
                    "'旧库里的回答。', '[]', :yes, 1, '张三', CURRENT_TIMESTAMP)"
                ),
                {"yes": True},
            )
    finally:
        db.dispose()
    file = backups.backup(url, tmp_path / "old.backup").path
    _wipe(url)
    done = ipqa("restore", str(file), env=ipqa_env(database_url=url))
    assert done.returncode == 0, done.stderr
    assert f"schema {HEAD}, upgraded from 0002" in done.stdout
    db = open_engine(url)
    try:
        assert current_revision(db) == HEAD
        assert [c.question for c in curated.all_curated(db)] == ["旧库里的问题？"]
    finally:
        db.dispose()


class _Writer(threading.Thread):
    """Writes as the server does, on its own connections: batches of 25 logged questions, and
    edits of curated answers (the answer and its version row in one transaction)."""

    BATCH = 25

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.db = open_engine(url)
        self.commits = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            ids = [curated.save(self.db, "甲", f"问题{n}？", [], "回答。") for n in range(3)]
            n = 0
            while not self.stop.is_set():
                rows = [_entry(f"w-{n}-{k}", f"第{n}批问题？").row() for k in range(self.BATCH)]
                with self.db.begin() as c:
                    c.execute(insert(questions), rows)
                curated.save(self.db, "乙", "问题？", [], f"第{n}版。", curated_id=ids[n % 3])
                self.commits += 2
                n += 1
        except BaseException as exc:  # seen by the test, not lost in the thread
            self.error = exc


def test_a_sqlite_backup_taken_during_writes_is_one_consistent_state(tmp_path):
    url = f"sqlite:///{tmp_path}/office.db"
    db = open_engine(url)
    migrate(db)
    filler = [_entry(f"f-{n}", "问" * 400).row() for n in range(6000)]
    with db.begin() as c:  # a few MB, so that a copy takes long enough for writes to land
        c.execute(insert(questions), filler)
    writer = _Writer(url)
    writer.start()
    during, counts = [], []
    try:
        while writer.commits < 10 and writer.error is None:
            time.sleep(0.01)
        for n in range(8):
            marks = []  # the writer's commits when the copy starts, and when it has ended
            file = backups.backup(
                url,
                tmp_path / f"during-{n}.sqlite3",
                say=lambda _, m=marks: m.append(writer.commits),
            ).path
            during.append(marks[1] - marks[0])
            with sqlite3.connect(file) as copy:
                logged = copy.execute("SELECT count(*) FROM questions").fetchone()[0]
                counts.append(logged)
                batches, torn = divmod(logged - len(filler), _Writer.BATCH)
                assert torn == 0, logged
                # A state from while the pages were copied: not an older one (a copy of the
                # main file without its WAL would be), nor one from later.
                assert marks[0] // 2 <= batches <= marks[1] // 2 + 1, (marks, batches)
                for cid, version, kept, newest in copy.execute(
                    "SELECT c.id, c.version, count(v.id), max(v.version) FROM curated c "
                    "JOIN curated_versions v ON v.curated_id = c.id GROUP BY c.id"
                ):
                    assert kept == version == newest, (cid, version, kept, newest)
                assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        writer.stop.set()
        writer.join(10)
        writer.db.dispose()
        db.dispose()
    assert writer.error is None, writer.error
    assert sum(during) > 0, during  # the server wrote while pages were being copied
    assert counts == sorted(counts) and counts[-1] > counts[0], counts


def test_errors_say_what_is_wrong_in_one_line(tmp_path):
    env = ipqa_env(database_url=f"sqlite:///{tmp_path}/absent.db")
    done = ipqa("backup", env=env)
    assert done.returncode == 2 and "nothing to back up" in done.stderr
    assert not (tmp_path / "absent.db").exists()  # a backup never creates the database

    url = f"sqlite:///{tmp_path}/office.db"
    _fill(url)
    env = ipqa_env(database_url=url)
    # No PATH: a timestamped file under var/backups/ of the working folder.
    done = subprocess.run(
        [PYTHON, "-m", "service.cli", "backup"],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (file,) = (tmp_path / "var" / "backups").iterdir()
    assert NAME.fullmatch(file.name) and file.suffix == ".sqlite3"
    again = ipqa("backup", str(file), env=env)
    assert again.returncode == 2 and "exists already" in again.stderr
