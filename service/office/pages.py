"""Rendering the staff pages: Jinja2 templates (autoescaped), their CSP, the sign-in gate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.errors import ApiError
from service.office import sessions
from service.office.accounts import ROLE_LABELS, VIEWER, rank
from service.office.auth import COOKIE, Session, csrf_for, same_origin

HERE = Path(__file__).resolve().parent
# Stricter than the demo page's: no script at all, styles from our own file only.
ADMIN_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
NAV = [
    ("/admin", "概览"),
    ("/admin/questions", "问题记录"),
    ("/admin/unanswered", "未回答的问题"),
    ("/admin/downvoted", "差评"),
    ("/admin/messages", "留言"),
    ("/admin/curated", "人工答案"),
    ("/admin/guidance", "办事指引"),
    ("/admin/documents", "文件管理"),
    ("/admin/suggestions", "推荐问题"),
    ("/admin/quality", "回答质量"),
]
ADMIN_NAV = [("/admin/accounts", "账号"), ("/admin/audit", "审计日志")]  # admins only


@lru_cache(maxsize=1)
def templates():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = local_time
    env.filters["pretty"] = pretty_json
    return env


def local_time(at: datetime | str | None, seconds: bool = False) -> str:
    """A stored UTC time (naive, or ISO text) as the server's local time, for staff to read."""
    if at is None:
        return ""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def pretty_json(value) -> str:
    """An audit entry's before or after, readable: Chinese as is, one key a line."""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


def render(template: str, status: int = 200, **context) -> HTMLResponse:
    who = context.get("who")
    nav = NAV + ADMIN_NAV if who is not None and who.is_admin else NAV
    html = templates().get_template(template).render(nav=nav, **context)
    return HTMLResponse(
        html,
        status_code=status,
        headers={"Content-Security-Policy": ADMIN_CSP, "Cache-Control": "no-store"},
    )


def closed() -> ApiError:
    return ApiError(404, "not_found", "没有这个地址。", "No such path.")


def admin_token(request: Request) -> str:
    """The token; a 404 (as if nothing were here) while IPQA_ADMIN_TOKEN is unset."""
    token = request.app.state.runtime.settings.admin_token
    if not token:
        raise closed()
    return token


async def staff(request: Request, role: str = VIEWER) -> Session | Response:
    """The signed-in staff member if their role allows `role`'s pages and actions; else the
    redirect to sign in (no live session), or a 403 page that says what is missing."""
    admin_token(request)
    cookie = request.cookies.get(COOKIE, "")
    office = request.app.state.office
    found = await run_in_threadpool(sessions.lookup, office.database(), cookie) if cookie else None
    if found is None:
        return RedirectResponse("/admin/login", status_code=303)
    who = Session(found.session_id, found.account_id, found.username, found.role, csrf_for(cookie))
    if rank(who.role) < rank(role):
        return render(
            "refused.html",
            status=403,
            title="没有权限",
            who=who,
            path=request.url.path,
            needed=ROLE_LABELS[role],
        )
    return who


async def fields(request: Request) -> dict[str, str]:
    """A posted form's fields (application/x-www-form-urlencoded), the last of each name."""
    body = (await request.body()).decode(errors="replace")
    return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}


async def form(request: Request, who: Session) -> dict[str, str]:
    """A signed-in staff member's form, after the CSRF token and the Origin check."""
    posted = await fields(request)
    if posted.get("csrf") != who.csrf or not same_origin(request):
        raise ApiError(
            403,
            "csrf_failed",
            "表单已过期或来源不对，请刷新页面后重试。",
            "The form is stale or came from another site; reload the page and try again.",
        )
    return posted
