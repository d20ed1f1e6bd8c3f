"""Staff sign-in: the admin token buys a signed session cookie; forms carry a CSRF token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from fastapi import Request

COOKIE = "ipqa_admin"
SESSION_S = 12 * 3600


def _key(token: str) -> bytes:
    # Derived from the token: changing IPQA_ADMIN_TOKEN signs every session out.
    return hashlib.sha256(b"ipqa-admin-session\x00" + token.encode()).digest()


def _sign(token: str, text: str) -> str:
    return hmac.new(_key(token), text.encode(), hashlib.sha256).hexdigest()


def token_ok(given: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


@dataclass(frozen=True)
class Session:
    name: str
    cookie: str
    csrf: str


def new_cookie(token: str, name: str) -> str:
    expires = int(time.time()) + SESSION_S
    who = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    body = f"{expires}.{who}.{secrets.token_hex(8)}"
    return f"{body}.{_sign(token, body)}"


def session(request: Request, token: str | None) -> Session | None:
    """The signed-in staff member, if the cookie is ours, unexpired and the token unchanged."""
    cookie = request.cookies.get(COOKIE, "")
    if not token or cookie.count(".") != 3:
        return None
    body, sig = cookie.rsplit(".", 1)
    if not hmac.compare_digest(sig, _sign(token, body)):
        return None
    expires, who, _nonce = body.split(".")
    if not expires.isdigit() or int(expires) < time.time():
        return None
    name = base64.urlsafe_b64decode(who + "=" * (-len(who) % 4)).decode(errors="replace")
    return Session(name=name, cookie=cookie, csrf=_sign(token, "csrf\x00" + cookie)[:32])


def secure(request: Request) -> bool:
    """Behind https (directly, or a proxy that says so) the cookie is Secure."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return request.url.scheme == "https" or forwarded == "https"


def same_origin(request: Request) -> bool:
    """A form post from our own pages: the browser's Origin (when sent) names this host."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host
