"""Helpers for tests of the staff pages: accounts made straight in the database, signing in
through POST /admin/login, the CSRF token of a page, what the audit log holds."""

from __future__ import annotations

import re

from service.office import accounts, audit
from service.office.audit import Actor

SETUP = Actor("test-setup", "cli")


def password(username: str) -> str:
    return f"pw-{username}-long-enough"


def add(app_or_client, username: str, role: str) -> accounts.Account:
    app = getattr(app_or_client, "app", app_or_client)
    db = app.state.office.database()
    return accounts.create(db, SETUP, username, role, password(username))


def sign_in(client, username: str, secret: str | None = None, **kw):
    """POST the sign-in form; the response without following the redirect."""
    data = {"username": username, "password": secret or password(username)}
    return client.post("/admin/login", data=data, follow_redirects=False, **kw)


def signed_in(client, username: str) -> None:
    r = sign_in(client, username)
    assert r.status_code == 303 and r.headers["location"] == "/admin", (r.status_code, r.text)


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def audit_entries(app_or_client) -> list[dict]:
    """Every audit entry, oldest first."""
    app = getattr(app_or_client, "app", app_or_client)
    return list(reversed(audit.entries(app.state.office.database(), limit=10_000)))
