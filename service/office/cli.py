"""`ipqa curated export|import FILE.jsonl`, `ipqa report [--days N] [--csv FILE]`, and
`ipqa backup [PATH]` / `ipqa restore PATH [--force]`."""

from __future__ import annotations

import csv
import getpass
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.terminal import fail

curated_app = typer.Typer(help="Curated answers: export or import them as JSON lines.")
console = Console()


def _database():
    from service.office.db import migrate, open_engine
    from service.settings import Settings

    db = open_engine(Settings().database_url)
    migrate(db)
    return db


@curated_app.command("export")
def export(file: Annotated[Path, typer.Argument(help="where to write; - for stdout")]) -> None:
    """Write every curated answer (enabled or not) as one JSON object a line."""
    from service.office.curated import export_jsonl

    text = export_jsonl(_database())
    if str(file) == "-":
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
        console.print(f"{text.count(chr(10))} curated answers → {file}")


@curated_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="JSON lines: question, variants, answer, passages")],
    by: Annotated[str, typer.Option(help="recorded as who changed them")] = "",
) -> None:
    """Add curated answers; a line whose question exists already becomes its new version.
    A running server picks them up within 15 seconds."""
    from service.office.curated import CuratedError, import_jsonl

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")
    try:
        added, changed = import_jsonl(_database(), text, by or getpass.getuser())
    except CuratedError as exc:
        fail(f"{file}: {exc} (nothing was imported)")
    console.print(f"{added} added, {changed} changed")


def report(
    days: Annotated[int, typer.Option(min=1, max=366, help="the last N days")] = 30,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="also write the per-day figures as CSV")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report's JSON")] = False,
) -> None:
    """The office report: questions per day, answered and 👍 shares, unanswered, 👎."""
    from service.office import report as build

    data = build.build(_database(), days)
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        _print(data)
    if csv_file is not None:
        with csv_file.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(
                fh, ["day", "questions", "answered", "curated", "up", "down"], extrasaction="ignore"
            )
            writer.writeheader()
            writer.writerows(data["per_day"])
        console.print(f"per-day figures → {csv_file}")


def backup(
    path: Annotated[
        Path | None,
        typer.Argument(help="file or folder; default var/backups/ipqa-<UTC time>.sqlite3|.pgdump"),
    ] = None,
) -> None:
    """Back up the office database to one file; the server keeps running.

    SQLite: its online backup API. PostgreSQL: pg_dump --format=custom, connecting with
    IPQA_DATABASE_URL."""
    from service.office import backup as backups
    from service.settings import Settings

    started = time.perf_counter()
    try:
        with console.status("backing up the office database…") as status:
            done = backups.backup(Settings().database_url, path, say=status.update)
    except backups.BackupError as exc:
        fail(str(exc))
    console.print(
        f"backup {done.path} ({done.path.stat().st_size / 1e6:.1f} MB, schema {done.revision}, "
        f"{time.perf_counter() - started:.1f} s): {done.rows_text()}",
        highlight=False,
        soft_wrap=True,
    )


def restore(
    path: Annotated[Path, typer.Argument(help="a file `ipqa backup` wrote")],
    force: Annotated[
        bool, typer.Option("--force", help="replace a database that holds rows")
    ] = False,
) -> None:
    """Restore the office database from a file `ipqa backup` wrote.

    The file is checked first; a database that holds rows is replaced only with --force; a
    backup from an older schema is migrated, one from a newer ipqa refused."""
    from service.office import backup as backups
    from service.settings import Settings

    url = Settings().database_url
    started = time.perf_counter()
    try:
        with console.status(f"restoring {path}…") as status:
            done = backups.restore(url, path, force, say=status.update)
    except backups.BackupError as exc:
        fail(str(exc))
    upgraded = f", upgraded from {done.upgraded_from}" if done.upgraded_from else ""
    console.print(
        f"restored {path} → {backups.describe(url)} (schema {done.revision}{upgraded}, "
        f"{time.perf_counter() - started:.1f} s): {done.rows_text()}",
        highlight=False,
        soft_wrap=True,
    )


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def _print(data: dict) -> None:
    fb = data["feedback"]
    console.print(
        f"最近 {data['days']} 天（自 {data['since']}）：{data['questions']} 个问题，"
        f"已回答 {_pct(data['answered_share'])}（人工答案 {data['curated']} 次），"
        f"👍 {fb['up']} / 👎 {fb['down']}（好评 {_pct(fb['up_share'])}）",
        highlight=False,
    )
    days = Table("日期", "提问", "已回答", "人工", "👍", "👎", title="每天")
    for d in data["per_day"]:
        if d["questions"] or d["up"] or d["down"]:
            days.add_row(
                d["day"],
                *(str(d[k]) for k in ("questions", "answered", "curated")),
                str(d["up"]),
                str(d["down"]),
            )
    console.print(days)
    unanswered = Table("次数", "未回答的问题", title="未回答（按次数）")
    for u in data["unanswered"][:20]:
        unanswered.add_row(str(u["count"]), u["example"])
    console.print(unanswered)
    down = Table("问题", "意见", title="差评")
    for d in data["downvoted"][:20]:
        down.add_row(d["question"] or "—", d["comment"] or "")
    console.print(down)
