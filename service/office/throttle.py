"""Staff sign-in lockout, in the database so every replica sees it: failures per account and
per client address within a window; past the limit the key is locked for a while, even for the
right password. A success clears its account's count; an admin can lift a lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from service.office.tables import staff_throttle

ACCOUNT, ADDRESS = "account:", "address:"


@dataclass(frozen=True)
class Policy:
    account_failures: int
    address_failures: int
    minutes: int

    @classmethod
    def of(cls, settings) -> Policy:
        return cls(
            settings.staff_lockout_failures,
            settings.staff_lockout_address_failures,
            settings.staff_lockout_minutes,
        )

    def limit(self, key: str) -> int:
        return self.account_failures if key.startswith(ACCOUNT) else self.address_failures


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def keys(username: str, address: str) -> list[str]:
    return [ACCOUNT + username[:100], ADDRESS + address[:100]]


def locked_until(db: Engine, names: list[str]) -> datetime | None:
    """The latest lock among these keys still in force, or None."""
    t = staff_throttle.c
    with db.connect() as c:
        found = [
            r.locked_until
            for r in c.execute(select(t.locked_until).where(t.key.in_(names)))
            if r.locked_until is not None and r.locked_until > _now()
        ]
    return max(found, default=None)


def failed(db: Engine, names: list[str], policy: Policy) -> list[str]:
    """Count one failure on each key; the keys that this failure locked."""
    now = _now()
    window = timedelta(minutes=policy.minutes)
    t = staff_throttle.c
    with db.begin() as c:  # forget what is out of the window and not locked
        stale = (t.first_at < now - window) & (t.locked_until.is_(None) | (t.locked_until < now))
        c.execute(delete(staff_throttle).where(stale))
    locked = []
    for key in names:
        for _ in range(2):  # another replica adding the same key's first row: count on it
            try:
                with db.begin() as c:
                    if _count(c, key, now, window, policy.limit(key)):
                        locked.append(key)
                break
            except IntegrityError:
                continue
    return locked


def _count(c: Connection, key: str, now: datetime, window: timedelta, limit: int) -> bool:
    """One more failure on this key; True when it is the one that locks it."""
    t = staff_throttle.c
    where = t.key == key
    if c.execute(update(staff_throttle).where(where).values(failures=t.failures + 1)).rowcount:
        failures = c.execute(select(t.failures).where(where)).scalar_one()
    else:
        c.execute(insert(staff_throttle).values(key=key, failures=1, first_at=now))
        failures = 1
    if failures < limit:
        return False
    c.execute(update(staff_throttle).where(where).values(locked_until=now + window))
    return failures == limit


def clear(c: Connection, key: str) -> dict | None:
    """Forget a key's failures and lock; what it was (for the audit log), or None."""
    t = staff_throttle.c
    row = c.execute(select(staff_throttle).where(t.key == key)).first()
    if row is None:
        return None
    c.execute(delete(staff_throttle).where(t.key == key))
    return {"failures": row.failures, "locked_until": row.locked_until}


def locks(db: Engine) -> list[dict]:
    """Every lock in force: {"key", "kind" (account or address), "name", "until", "failures"}."""
    t = staff_throttle.c
    now = _now()
    with db.connect() as c:
        rows = c.execute(
            select(staff_throttle).where(t.locked_until > now).order_by(t.locked_until.desc())
        )
        return [
            {
                "key": r.key,
                "kind": "account" if r.key.startswith(ACCOUNT) else "address",
                "name": r.key.split(":", 1)[1],
                "until": r.locked_until,
                "failures": r.failures,
            }
            for r in rows
        ]
