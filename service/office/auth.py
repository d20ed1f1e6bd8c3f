"""Staff sign-in pieces: the session cookie (its token is a server-side session's, see
sessions.py), the signed-in staff member, the CSRF token forms carry, and the token check of
the scripted report API."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from fastapi import Request

from service.office.accounts import ADMIN, EDITOR, ROLE_LABELS, rank
from service.office.audit import Actor

COOKIE = "ipqa_admin"


def token_ok(given: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def csrf_for(cookie: str) -> str:
    """The form token of a session: only a page of that session (which can read it from the
    HTML, never from the HttpOnly cookie) can post it."""
    return hashlib.sha256(b"ipqa-staff-csrf\x00" + cookie.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Session:
    session_id: int
    account_id: int
    name: str  # the account's username: the name on every change
    role: str
    csrf: str

    @property
    def can_edit(self) -> bool:
        return rank(self.role) >= rank(EDITOR)

    @property
    def is_admin(self) -> bool:
        return rank(self.role) >= rank(ADMIN)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def actor(self) -> Actor:
        return Actor(self.name, "web")


def secure(request: Request) -> bool:
    """Behind https the cookie is Secure. The scheme is the request's own, or what a proxy in
    IPQA_TRUSTED_PROXIES said (ClientAddressMiddleware); anyone else's X-Forwarded-Proto is
    ignored."""
    return request.url.scheme == "https"


def same_origin(request: Request) -> bool:
    """A form post from our own pages: the browser's Origin (when sent) names this host."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host
