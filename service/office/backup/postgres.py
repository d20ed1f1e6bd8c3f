"""PostgreSQL: pg_dump --format=custom from the snapshot the row counts were read in, and a
restore that drops the old tables and loads the archive in one transaction (all or nothing).

Debian's client programs are used (`apt-get install postgresql-client`), found on PATH or in
/usr/lib/postgresql/*/bin. They connect with the service's own IPQA_DATABASE_URL, passed in
libpq's environment variables: the password is never on a command line."""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import Connection, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from service.office.backup.common import (
    VERSION_TABLE,
    BackupError,
    Say,
    Summary,
    check_revision,
    describe,
    put_in_place,
    read_state,
    refuse_unless_empty,
    up_to_date,
)
from service.office.db import PG_CONNECT_TIMEOUT_S, open_engine

# URL query parameters libpq also reads from the environment.
LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}
CHUNK = 1 << 20


def tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    folders = glob.glob("/usr/lib/postgresql/*/bin")
    for folder in sorted(folders, key=lambda f: [int(n) for n in re.findall(r"\d+", f)]):
        if (Path(folder) / name).is_file():
            found = str(Path(folder) / name)  # the newest version's wins: it reads older dumps
    if found:
        return found
    raise BackupError(
        f"{name} not found on PATH or in /usr/lib/postgresql/*/bin: "
        "apt-get install postgresql-client"
    )


def connection_env(url: str) -> dict[str, str]:
    """This process's environment with the URL's connection in libpq's variables."""
    parsed = make_url(url)
    env = dict(os.environ)
    env.setdefault("PGCONNECT_TIMEOUT", str(PG_CONNECT_TIMEOUT_S))
    for key, value in parsed.query.items():
        if key in LIBPQ_ENV:
            env[LIBPQ_ENV[key]] = value if isinstance(value, str) else ",".join(value)
    parts = {
        "PGHOST": parsed.host,
        "PGPORT": parsed.port,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
    }
    env.update({k: str(v) for k, v in parts.items() if v is not None})
    return env


def _last_line(text: str, code: int) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    if lines:
        return lines[-1].strip()
    if code < 0:  # a file garbled enough can crash pg_restore
        return f"stopped by {signal.Signals(-code).name}"
    return f"exit status {code}"


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        message = _last_line(done.stderr, done.returncode)
        raise BackupError(f"{Path(args[0]).name} failed: {message}")
    return done.stdout


@contextmanager
def _connected(url: str) -> Iterator[Connection]:
    engine = open_engine(url)
    try:
        try:
            c = engine.connect()
        except OperationalError as exc:
            first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
            raise BackupError(f"cannot reach the database {describe(url)}: {first}") from None
        with c:
            yield c
    finally:
        engine.dispose()


def backup(url: str, out: Path, say: Say) -> Summary:
    pg_dump = tool("pg_dump")
    part = out.with_name(out.name + ".part")
    part.unlink(missing_ok=True)
    try:
        with _connected(url) as c:
            c = c.execution_options(isolation_level="REPEATABLE READ")
            with c.begin():
                # pg_dump reads the same snapshot as these counts: the summary is the archive's.
                snapshot = c.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
                revision, rows = read_state(c)
                say(f"pg_dump of {describe(url)} ({sum(rows.values())} rows)")
                args = ["--format=custom", "--no-password", f"--snapshot={snapshot}"]
                _run([pg_dump, *args, f"--file={part}"], connection_env(url))
        put_in_place(part, out)
    finally:
        part.unlink(missing_ok=True)
    return Summary(out, revision, rows)


def archive_revision(file: Path) -> str | None:
    """Check the archive as pg_restore reads it (its table of contents, then every block of
    data), and return the schema revision stored in it."""
    pg_restore = tool("pg_restore")
    env = dict(os.environ)
    try:
        listing = _run([pg_restore, "--list", str(file)], env)
        _run([pg_restore, f"--file={os.devnull}", str(file)], env)
    except BackupError as exc:
        raise BackupError(f"{file} is damaged or not a pg_dump archive: {exc}") from None
    if not re.search(rf"TABLE DATA \S+ {VERSION_TABLE}\b", listing):
        return None
    data = _run([pg_restore, "--data-only", f"--table={VERSION_TABLE}", "--file=-", str(file)], env)
    copied = re.search(rf"^COPY \S*{VERSION_TABLE} .*FROM stdin;\n(.*?)^\\\.$", data, re.M | re.S)
    values = copied.group(1).split() if copied else []
    return values[0] if values else None


def _drop_everything(c: Connection) -> str:
    """SQL dropping the tables and sequences the target's schema holds now (so a restore
    leaves no table the backup did not have)."""
    schema = c.exec_driver_sql("SELECT current_schema()").scalar_one()
    quote = c.dialect.identifier_preparer.quote_identifier
    found = inspect(c)
    statements = ["SET client_min_messages = warning;"]
    for kind, names in (
        ("TABLE", found.get_table_names()),
        ("SEQUENCE", found.get_sequence_names()),
    ):
        statements += [f"DROP {kind} IF EXISTS {quote(schema)}.{quote(n)} CASCADE;" for n in names]
    return "\n".join(statements) + "\n"


def _load(file: Path, env: dict[str, str], first: str) -> None:
    """`first`, then pg_restore's SQL, through psql in one transaction: should anything fail,
    psql is stopped before the end of its input, and nothing is committed."""
    read = [tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(file)]
    write = [tool("psql"), "--no-psqlrc", "--quiet", "--no-password", "--single-transaction"]
    write += ["--set=ON_ERROR_STOP=1", "--file=-"]
    with tempfile.TemporaryFile() as read_err, tempfile.TemporaryFile() as write_err:
        reader = subprocess.Popen(read, stdout=subprocess.PIPE, stderr=read_err, env=env)
        writer = subprocess.Popen(
            write, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=write_err, env=env
        )
        writer_stopped = False
        try:
            writer.stdin.write(first.encode())
            shutil.copyfileobj(reader.stdout, writer.stdin, CHUNK)
        except BrokenPipeError:  # psql stopped at an error; its message says which
            writer_stopped = True
            reader.kill()
        reader.stdout.close()
        reader_failed = reader.wait() != 0 and not writer_stopped
        if reader_failed:
            writer.kill()  # before it reads the end of its input, so before any COMMIT
            writer.wait()
        with suppress(BrokenPipeError):
            writer.stdin.close()  # the end of its input: psql commits
        if writer.wait() != 0 and not reader_failed:
            write_err.seek(0)
            message = _last_line(write_err.read().decode(errors="replace"), writer.returncode)
            raise BackupError(f"psql failed: {message}; nothing was changed")
        if reader_failed:
            read_err.seek(0)
            message = _last_line(read_err.read().decode(errors="replace"), reader.returncode)
            raise BackupError(f"pg_restore failed: {message}; nothing was changed")


def restore(url: str, file: Path, force: bool, say: Say) -> Summary:
    say(f"checking {file}: pg_restore --list, then every block of data")
    revision = archive_revision(file)
    check_revision(revision, file)
    with _connected(url) as c:
        refuse_unless_empty(describe(url), read_state(c)[1], force)
        first = _drop_everything(c)
    say(f"restoring {file} into {describe(url)} in one transaction")
    _load(file, connection_env(url), first)
    say("bringing the schema up to date")
    return up_to_date(url, file, revision)
