"""`ipqa backup` and `ipqa restore` on PostgreSQL only: a database that cannot be reached, the
password kept off command lines, and a restore that fails halfway leaving the old rows."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from service.office import backup as backups
from service.office.backup import postgres
from service.office.db import HEAD
from tests.pgserver import require_postgres
from tests.serverproc import free_port, ipqa, ipqa_env
from tests.test_backup import _fill, _snapshot

pytestmark = [pytest.mark.backup, pytest.mark.postgres]


def test_an_unreachable_postgres_is_a_clear_error(tmp_path):
    require_postgres()  # for pg_dump
    url = f"postgresql+psycopg://ipqa:secret@127.0.0.1:{free_port()}/ipqa"
    done = ipqa("backup", str(tmp_path / "x.pgdump"), env=ipqa_env(database_url=url))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())
    assert "cannot reach the database" in message and "secret" not in message, message
    assert not list(tmp_path.iterdir())


def test_the_password_goes_by_environment_never_on_a_command_line(pg_server, tmp_path, monkeypatch):
    url = pg_server.fresh_database("b_password").replace("postgres@", "postgres:pa55-w0rd@")
    _fill(url)
    calls = []
    real_run, real_popen = subprocess.run, subprocess.Popen

    def run(args, **kw):
        calls.append((args, kw.get("env") or {}))
        return real_run(args, **kw)

    def popen(args, **kw):
        calls.append((args, kw.get("env") or {}))
        return real_popen(args, **kw)

    monkeypatch.setattr(postgres.subprocess, "run", run)
    monkeypatch.setattr(postgres.subprocess, "Popen", popen)
    file = backups.backup(url, tmp_path / "office.pgdump").path
    backups.restore(url, file, force=True)
    tools = {Path(args[0]).name for args, _ in calls}
    assert {"pg_dump", "pg_restore", "psql"} <= tools, tools
    for args, env in calls:
        assert not any("pa55-w0rd" in a for a in args), args
        if Path(args[0]).name in ("pg_dump", "psql"):
            assert env["PGPASSWORD"] == "pa55-w0rd" and env["PGDATABASE"] == "b_password"


def test_a_postgres_restore_failing_halfway_changes_nothing(pg_server, tmp_path, monkeypatch):
    url = pg_server.fresh_database("b_halfway")
    _fill(url)
    file = backups.backup(url, tmp_path / "office.pgdump").path
    before = _snapshot(url)
    # Failures the checks before it cannot see: the archive ends early while being loaded,
    # or PostgreSQL refuses a statement after the old tables were dropped.
    cut = tmp_path / "cut.pgdump"
    cut.write_bytes(file.read_bytes()[:-100])
    monkeypatch.setattr(postgres, "archive_revision", lambda _: HEAD)
    with pytest.raises(backups.BackupError, match="pg_restore failed.*nothing was changed"):
        backups.restore(url, cut, force=True)
    assert _snapshot(url) == before
    drops = postgres._drop_everything
    monkeypatch.setattr(postgres, "_drop_everything", lambda c: drops(c) + "SELECT 1/0;\n")
    with pytest.raises(backups.BackupError, match="psql failed.*division by zero"):
        backups.restore(url, file, force=True)
    assert _snapshot(url) == before
