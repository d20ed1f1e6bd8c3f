"""`ipqa staff add|passwd|disable|enable|unlock|list`: staff accounts from the server's shell.
Passwords are read with getpass (twice) at a terminal, or as one line from standard input
when it is not one; never from an argument, which other users could see in `ps`. Every change
is in the audit log under the shell user's name, marked 命令行."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.terminal import fail

staff_app = typer.Typer(help="Staff accounts: add, new password, disable, enable, unlock, list.")
console = Console()
ROLE_HELP = "viewer (reads the staff pages), editor (also changes curated answers, "
ROLE_HELP += "suggestions…) or admin (also manages accounts)"


def _database():
    from service.office.db import migrate, open_engine
    from service.settings import Settings

    db = open_engine(Settings().database_url)
    migrate(db)
    return db


def _actor():
    from service.office.audit import Actor

    return Actor(getpass.getuser(), "cli")


def _password(username: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {username}: ")
        if getpass.getpass("again: ") != first:
            fail("the two passwords differ; nothing changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _run(change):
    from service.office.accounts import AccountError

    try:
        return change()
    except AccountError as exc:
        fail(str(exc))


@staff_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="the sign-in name (Chinese letters allowed)")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "viewer",
) -> None:
    """Add an account; its password is asked for (or read from standard input)."""
    from service.office import accounts

    _run(lambda: (accounts.check_role(role), accounts.clean_username(username)))
    db = _database()
    account = _run(lambda: accounts.create(db, _actor(), username, role, _password(username)))
    console.print(f"added {account.username} ({account.role})", highlight=False)


@staff_app.command("passwd")
def passwd(username: Annotated[str, typer.Argument(help="whose password")]) -> None:
    """Give an account a new password; its sessions end (it signs in again)."""
    from service.office import accounts

    db = _database()
    if accounts.get(db, username) is None:
        fail(f"no account {username}")
    ended = _run(lambda: accounts.set_password(db, _actor(), username, _password(username)))
    console.print(f"new password for {username}; {ended} session(s) ended", highlight=False)


@staff_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="whose account")]) -> None:
    """Disable an account: it cannot sign in, and its sessions end at once."""
    from service.office import accounts

    account = _run(lambda: accounts.set_enabled(_database(), _actor(), username, False))
    console.print(f"disabled {account.username}", highlight=False)


@staff_app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="whose account")]) -> None:
    """Enable a disabled account again."""
    from service.office import accounts

    account = _run(lambda: accounts.set_enabled(_database(), _actor(), username, True))
    console.print(f"enabled {account.username}", highlight=False)


@staff_app.command("unlock")
def unlock(
    username: Annotated[str, typer.Argument(help="whose account; '-' with --address only")],
    address: Annotated[
        str | None, typer.Option(help="also lift the lock on this client address")
    ] = None,
) -> None:
    """Lift a sign-in lockout (too many wrong passwords) before it runs out."""
    from service.office import staff_actions

    db = _database()
    lifted = []
    if username != "-":
        if _run(lambda: staff_actions.unlock(db, _actor(), username)):
            lifted.append(username)
    if address and staff_actions.unlock_address(db, _actor(), address):
        lifted.append(address)
    console.print(f"unlocked {', '.join(lifted)}" if lifted else "nothing was locked")


@staff_app.command("list")
def list_() -> None:
    """Every account: role, state, live sessions, last sign-in."""
    from service.office import accounts, sessions, throttle
    from service.office.pages import local_time

    db = _database()
    live: dict[str, int] = {}
    for s in sessions.live(db):
        live[s["username"]] = live.get(s["username"], 0) + 1
    locks = throttle.locks(db)
    locked = {lock["name"]: lock["until"] for lock in locks if lock["kind"] == "account"}
    table = Table("username", "role", "state", "sessions", "last sign-in", "created by")
    for a in accounts.all_accounts(db):
        state = "enabled" if a.enabled else "disabled"
        if a.username in locked:
            state += f", locked until {local_time(locked[a.username])}"
        table.add_row(
            a.username,
            a.role,
            state,
            str(live.get(a.username, 0)),
            local_time(a.last_sign_in_at) or "never",
            a.created_by,
        )
    console.print(table)
