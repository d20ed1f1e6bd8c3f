"""What an admin does to other people's access, from the accounts page or `ipqa staff`: lift a
sign-in lockout (an account's or an address's), end sessions. Each with its audit entry."""

from __future__ import annotations

from sqlalchemy import Engine

from service.office import accounts, audit, sessions, throttle
from service.office.accounts import AccountError
from service.office.audit import Actor


def unlock(db: Engine, actor: Actor, username: str) -> bool:
    """Lift an account's lockout (and forget its failures); False if it had none."""
    name = accounts.clean_username(username)
    with db.begin() as c:
        before = throttle.clear(c, throttle.ACCOUNT + name)
        if before is not None:
            audit.record(c, actor, "account.unlock", f"账号 {name}", before, None)
    return before is not None


def unlock_address(db: Engine, actor: Actor, address: str) -> bool:
    """Lift a client address's lockout; False if it had none."""
    address = address.strip()[:100]
    with db.begin() as c:
        before = throttle.clear(c, throttle.ADDRESS + address)
        if before is not None:
            audit.record(c, actor, "address.unlock", f"地址 {address}", before, None)
    return before is not None


def end_sessions(db: Engine, actor: Actor, username: str) -> int:
    """End every live session of an account (it has to sign in again); how many ended."""
    account = accounts.get(db, username)
    if account is None:
        raise AccountError(f"没有用户名为 {username} 的账号。")
    with db.begin() as c:
        ended = sessions.end_for_account(c, account.id, "admin")
        if ended:
            target = f"账号 {account.username}"
            audit.record(c, actor, "session.end", target, {"sessions": ended}, {"sessions": 0})
    return ended


def end_session(db: Engine, actor: Actor, session_id: int) -> bool:
    """End one session; False if it was not live."""
    with db.begin() as c:
        ended = sessions.end(c, session_id, "admin")
        if ended is not None:
            target = f"账号 {ended['username']}"
            audit.record(c, actor, "session.end", target, ended, {"why": "管理员结束"})
    return ended is not None
