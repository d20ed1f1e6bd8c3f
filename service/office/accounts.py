"""Staff accounts: one per person, a role each (viewer, editor, admin), the password kept only
as an argon2id hash (argon2-cffi). Every change is written with its audit entry, in one
transaction; disabling an account or giving it a new password ends its sessions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, func, insert, select, update

from service.office import audit, sessions
from service.office.audit import Actor
from service.office.tables import staff_accounts

VIEWER, EDITOR, ADMIN = "viewer", "editor", "admin"
ROLES = (VIEWER, EDITOR, ADMIN)  # each may do what the ones before it may
ROLE_LABELS = {VIEWER: "只读", EDITOR: "编辑", ADMIN: "管理员"}
MIN_PASSWORD = 10
MAX_PASSWORD = 128
USERNAME = re.compile(r"[\w.@-]{1,40}")  # letters (Chinese too), digits, . _ @ -


class AccountError(ValueError):
    """Bad account input or a change that is not allowed, said in words staff can act on."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    enabled: bool
    created_at: datetime
    created_by: str
    password_changed_at: datetime
    last_sign_in_at: datetime | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def audited(self) -> dict:
        """What the audit log keeps of an account (never its hash)."""
        keep = ("username", "role", "enabled")
        return {k: v for k, v in asdict(self).items() if k in keep}


def rank(role: str) -> int:
    return ROLES.index(role) if role in ROLES else -1


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    # argon2-cffi's defaults: RFC 9106's low-memory argon2id profile (64 MiB, 3 passes)
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so that costs as long as a real one."""
    return hasher().hash("no such account: this hash only burns the same time")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def clean_username(name: str) -> str:
    """The stored form: NFKC, lower case, no spaces; letters (Chinese too), digits, . _ @ -."""
    name = unicodedata.normalize("NFKC", name).strip().lower()
    if not USERNAME.fullmatch(name):
        raise AccountError("用户名为 1–40 个字母（可用汉字）、数字或 . _ @ -，不含空格。")
    return name


def check_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符，最多 {MAX_PASSWORD} 个。")
    if password.strip().lower() == username.lower():
        raise AccountError("密码不能与用户名相同。")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"角色只能是 {'、'.join(ROLES)}。")
    return role


def _account(r) -> Account:
    return Account(
        id=r.id,
        username=r.username,
        role=r.role,
        enabled=bool(r.enabled),
        created_at=r.created_at,
        created_by=r.created_by,
        password_changed_at=r.password_changed_at,
        last_sign_in_at=r.last_sign_in_at,
    )


def all_accounts(db: Engine) -> list[Account]:
    with db.connect() as c:
        rows = c.execute(select(staff_accounts).order_by(staff_accounts.c.username))
        return [_account(r) for r in rows]


def get(db: Engine, username: str) -> Account | None:
    with db.connect() as c:
        return _get(c, username)


def _get(c: Connection, username: str) -> Account | None:
    try:
        username = clean_username(username)
    except AccountError:
        return None
    r = c.execute(select(staff_accounts).where(staff_accounts.c.username == username)).first()
    return _account(r) if r is not None else None


def _must(c: Connection, username: str) -> Account:
    found = _get(c, username)
    if found is None:
        raise AccountError(f"没有用户名为 {username} 的账号。")
    return found


def enabled_admins(c: Connection) -> int:
    where = (staff_accounts.c.role == ADMIN) & staff_accounts.c.enabled.is_(True)
    return c.execute(select(func.count()).select_from(staff_accounts).where(where)).scalar_one()


def has_admin(db: Engine) -> bool:
    with db.connect() as c:
        return enabled_admins(c) > 0


def create(
    db: Engine, actor: Actor, username: str, role: str, password: str, first_admin=False
) -> Account:
    """A new enabled account. first_admin: only while no enabled admin exists (the token's
    sign-up), checked in the same transaction."""
    username = clean_username(username)
    check_role(role)
    check_password(password, username)
    password_hash = hasher().hash(password)  # slow on purpose: outside the transaction
    now = _now()
    with db.begin() as c:
        if first_admin and enabled_admins(c):
            raise AccountError("已经有管理员账号了：请管理员在“账号”页面为您开通。")
        if _get(c, username) is not None:
            raise AccountError(f"用户名 {username} 已被使用。")
        c.execute(
            insert(staff_accounts).values(
                username=username,
                role=role,
                password_hash=password_hash,
                enabled=True,
                created_at=now,
                created_by=actor.name[:80],
                password_changed_at=now,
            )
        )
        account = _must(c, username)
        audit.record(c, actor, "account.create", f"账号 {username}", None, account.audited())
    return account


def _guard_last_admin(c: Connection, account: Account, still_admin: bool) -> None:
    if account.role == ADMIN and account.enabled and not still_admin and enabled_admins(c) <= 1:
        raise AccountError("这是唯一启用的管理员账号：请先为另一人开通管理员，再修改它。")


def set_role(db: Engine, actor: Actor, username: str, role: str) -> Account:
    check_role(role)
    with db.begin() as c:
        account = _must(c, username)
        if account.role == role:
            return account
        _guard_last_admin(c, account, role == ADMIN)
        where = staff_accounts.c.id == account.id
        c.execute(update(staff_accounts).where(where).values(role=role))
        after = _must(c, username)
        audit.record(
            c, actor, "account.role", f"账号 {account.username}", account.audited(), after.audited()
        )
    return after


def set_enabled(db: Engine, actor: Actor, username: str, enabled: bool) -> Account:
    """Enable or disable; disabling ends every session of the account at once."""
    with db.begin() as c:
        account = _must(c, username)
        if account.enabled == enabled:
            return account
        if not enabled:
            _guard_last_admin(c, account, False)
            sessions.end_for_account(c, account.id, "disabled")
        where = staff_accounts.c.id == account.id
        c.execute(update(staff_accounts).where(where).values(enabled=enabled))
        after = _must(c, username)
        action = "account.enable" if enabled else "account.disable"
        audit.record(
            c, actor, action, f"账号 {account.username}", account.audited(), after.audited()
        )
    return after


def set_password(db: Engine, actor: Actor, username: str, password: str) -> int:
    """A new password; every session of the account ends. Returns how many ended."""
    with db.connect() as c:
        account = _must(c, username)
    check_password(password, account.username)
    password_hash = hasher().hash(password)
    with db.begin() as c:
        now = _now()
        where = staff_accounts.c.id == account.id
        c.execute(
            update(staff_accounts)
            .where(where)
            .values(password_hash=password_hash, password_changed_at=now)
        )
        ended = sessions.end_for_account(c, account.id, "password")
        before = {"password_changed_at": account.password_changed_at}
        after = {"password_changed_at": now, "sessions_ended": ended}
        audit.record(c, actor, "account.password", f"账号 {account.username}", before, after)
    return ended


def verify(db: Engine, username: str, password: str) -> Account | None:
    """The account when the password is its own (enabled or not: the caller tells them
    apart), else None; as slow for an unknown username as for a known one."""
    with db.connect() as c:
        account = _get(c, username)
        stored = None
        if account is not None:
            where = staff_accounts.c.id == account.id
            stored = c.execute(select(staff_accounts.c.password_hash).where(where)).scalar()
    try:
        hasher().verify(stored or _dummy_hash(), password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return None
    if account is None or stored is None:
        return None
    if hasher().check_needs_rehash(stored):  # the library's parameters moved on: follow them
        with db.begin() as c:
            new_hash = hasher().hash(password)
            c.execute(
                update(staff_accounts)
                .where(staff_accounts.c.id == account.id)
                .values(password_hash=new_hash)
            )
    return account


def signed_in(c: Connection, account_id: int) -> None:
    c.execute(
        update(staff_accounts)
        .where(staff_accounts.c.id == account_id)
        .values(last_sign_in_at=_now())
    )
