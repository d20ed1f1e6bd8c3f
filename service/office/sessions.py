"""Server-side staff sessions: the cookie holds a random token, the database its SHA-256 and
the account. Looked up on every staff request, so a session that was ended (sign-out, account
disabled, new password, an admin) or whose account was disabled stops working at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update

from service.office.tables import staff_accounts, staff_sessions

TOUCH_S = 60  # last_seen_at is written at most this often per session
KEEP_ENDED_DAYS = 30  # ended and expired sessions are deleted after this (the audit log stays)
WHY = {
    "sign_out": "退出",
    "disabled": "账号停用",
    "password": "密码已改",
    "admin": "管理员结束",
    "expired": "过期",
}


@dataclass(frozen=True)
class Found:
    """A live session and its account."""

    session_id: int
    account_id: int
    username: str
    role: str


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(c: Connection, account_id: int, hours: float) -> tuple[str, int]:
    """A new session (its token for the cookie, and its id); old dead rows are swept."""
    token = secrets.token_urlsafe(32)
    now = _now()
    swept = now - timedelta(days=KEEP_ENDED_DAYS)
    c.execute(
        delete(staff_sessions).where(
            (staff_sessions.c.expires_at < swept) | (staff_sessions.c.ended_at < swept)
        )
    )
    session_id = c.execute(
        insert(staff_sessions).values(
            token_hash=_hash(token),
            account_id=account_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    ).inserted_primary_key[0]
    return token, session_id


def lookup(db: Engine, token: str) -> Found | None:
    """The live session this cookie token opens, or None."""
    if not token or len(token) > 100:
        return None
    now = _now()
    s, a = staff_sessions.c, staff_accounts.c
    query = (
        select(s.id, s.account_id, s.last_seen_at, a.username, a.role)
        .join(staff_accounts, a.id == s.account_id)
        .where(
            (s.token_hash == _hash(token))
            & s.ended_at.is_(None)
            & (s.expires_at > now)
            & a.enabled.is_(True)
            & (s.created_at >= a.password_changed_at)
        )
    )
    with db.connect() as c:
        row = c.execute(query).first()
    if row is None:
        return None
    if (now - row.last_seen_at).total_seconds() >= TOUCH_S:
        with db.begin() as c:
            c.execute(update(staff_sessions).where(s.id == row.id).values(last_seen_at=now))
    return Found(row.id, row.account_id, row.username, row.role)


def end(c: Connection, session_id: int, why: str) -> dict | None:
    """End one live session; what it was (for the audit log), or None if it was not live."""
    s = staff_sessions.c
    row = c.execute(
        select(s.id, s.account_id, s.created_at, staff_accounts.c.username)
        .join(staff_accounts, staff_accounts.c.id == s.account_id)
        .where((s.id == session_id) & s.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    c.execute(
        update(staff_sessions).where(s.id == session_id).values(ended_at=_now(), ended_why=why)
    )
    return {"session": row.id, "username": row.username, "started": row.created_at}


def end_for_account(c: Connection, account_id: int, why: str) -> int:
    """End every live session of an account; how many there were."""
    s = staff_sessions.c
    return c.execute(
        update(staff_sessions)
        .where((s.account_id == account_id) & s.ended_at.is_(None) & (s.expires_at > _now()))
        .values(ended_at=_now(), ended_why=why)
    ).rowcount


def live(db: Engine) -> list[dict]:
    """Every live session, newest activity first, with its account's username."""
    s, a = staff_sessions.c, staff_accounts.c
    with db.connect() as c:
        rows = c.execute(
            select(s.id, s.created_at, s.last_seen_at, s.expires_at, a.username, a.role)
            .join(staff_accounts, a.id == s.account_id)
            .where(s.ended_at.is_(None) & (s.expires_at > _now()) & a.enabled.is_(True))
            .order_by(s.last_seen_at.desc())
        )
        return [dict(r._mapping) for r in rows]
