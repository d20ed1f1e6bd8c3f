"""Signing staff in and out, and the first admin: the lockout checked before the password,
failures counted per account and per address, a session started with its audit entry."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from service.office import accounts, audit, sessions, throttle
from service.office.audit import SYSTEM, Actor
from service.office.auth import Session, token_ok
from service.office.throttle import ACCOUNT, Policy

WRONG = "用户名或密码不正确。"


@dataclass(frozen=True)
class Result:
    token: str | None = None  # the new session's cookie value
    error: str | None = None
    status: int = 200
    retry_after: int | None = None


def _local(at: datetime) -> str:
    return at.replace(tzinfo=UTC).astimezone().strftime("%H:%M")


def _locked(until: datetime) -> Result:
    wait = math.ceil((until - datetime.now(UTC).replace(tzinfo=None)).total_seconds())
    return Result(
        error=f"登录失败次数过多，已暂时锁定，请在 {_local(until)} 之后再试，或请管理员解锁。",
        status=429,
        retry_after=max(1, wait),
    )


def _failed(db: Engine, names: list[str], policy: Policy) -> None:
    for key in throttle.failed(db, names, policy):
        kind, name = key.split(":", 1)
        target = f"账号 {name}" if key.startswith(ACCOUNT) else f"地址 {name}"
        with db.begin() as c:
            after = {"failures": policy.limit(key), "minutes": policy.minutes}
            audit.record(c, Actor(SYSTEM, "system"), "sign_in.locked", target, None, after)


def sign_in(db: Engine, settings, username: str, password: str, address: str) -> Result:
    policy = Policy.of(settings)
    try:
        name = accounts.clean_username(username)
    except accounts.AccountError:
        name = " ".join(username.split()).lower()[:40] or "-"
    names = throttle.keys(name, address)
    until = throttle.locked_until(db, names)
    if until is not None:  # locked: not even the right password, and no hash computed
        return _locked(until)
    account = accounts.verify(db, name, password)
    if account is None:
        _failed(db, names, policy)
        return Result(error=WRONG, status=401)
    if not account.enabled:
        return Result(error="此账号已停用，请联系管理员。", status=403)
    with db.begin() as c:
        throttle.clear(c, ACCOUNT + name)
        token, session_id = sessions.start(c, account.id, settings.staff_session_hours)
        accounts.signed_in(c, account.id)
        target = f"账号 {account.username}"
        audit.record(
            c, Actor(account.username), "session.start", target, None, {"session": session_id}
        )
    return Result(token=token)


def sign_out(db: Engine, who: Session) -> None:
    with db.begin() as c:
        ended = sessions.end(c, who.session_id, "sign_out")
        if ended is not None:
            audit.record(c, who.actor, "session.end", f"账号 {who.name}", ended, {"why": "退出"})


def first_admin(
    db: Engine, settings, token: str, username: str, password: str, again: str, address: str
) -> Result:
    """The token's one remaining use on the pages: the first admin account, while there is
    no enabled admin. A wrong token counts as a failed sign-in from this address."""
    policy = Policy.of(settings)
    names = [throttle.ADDRESS + address[:100]]
    until = throttle.locked_until(db, names)
    if until is not None:
        return _locked(until)
    if not token_ok(token, settings.admin_token):
        _failed(db, names, policy)
        return Result(error="令牌不正确。", status=401)
    if password != again:
        return Result(error="两次输入的密码不一样。", status=400)
    try:
        name = accounts.clean_username(username)
        accounts.create(db, Actor(name, "setup"), name, accounts.ADMIN, password, True)
    except accounts.AccountError as exc:
        return Result(error=str(exc), status=400)
    return Result()
