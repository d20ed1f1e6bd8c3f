"""Shared by the front-desk staff pages (问题记录, 留言, 办事指引): rendering a signed-in page,
the token-or-session check of their scripted API, and page links that keep the filters."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from service.errors import ApiError
from service.office.auth import token_ok
from service.office.pages import admin_token, render, staff
from service.reader.library import library_of


def served_documents(request: Request) -> dict[str, str]:
    """The documents the serving index holds, id → title (empty while it is loading)."""
    engine = request.app.state.runtime.engine
    if engine is None:
        return {}
    return {d.id: d.title for d in library_of(engine.searcher).documents.values()}


def page(request: Request, who, template: str, status: int = 200, **context):
    office = request.app.state.office
    return render(
        template, status=status, who=who, path=request.url.path, health=office.health(), **context
    )


def _has_token(request: Request, authorization: str | None) -> bool:
    """The admin token given as a bearer (404 while the staff side is closed)."""
    given = (authorization or "").removeprefix("Bearer ").strip()
    return token_ok(given, admin_token(request))


def _unauthorized(zh: str, en: str) -> ApiError:
    return ApiError(401, "unauthorized", zh, en, {"WWW-Authenticate": "Bearer"})


def require_token(request: Request, authorization: str | None) -> None:
    """The scripted staff API: the admin token as a bearer, else 401."""
    if not _has_token(request, authorization):
        raise _unauthorized(
            "需要工作人员令牌（Authorization: Bearer …）。",
            "A staff token is required (Authorization: Bearer …).",
        )


async def staff_or_token(request: Request, authorization: str | None) -> None:
    """The admin token as a bearer, or a signed-in staff member; else 401 (404 while the
    staff side is closed)."""
    if _has_token(request, authorization) or not isinstance(await staff(request), Response):
        return
    raise _unauthorized(
        "需要工作人员令牌（Authorization: Bearer …）或登录。",
        "A staff token (Authorization: Bearer …) or a staff sign-in is required.",
    )


def pager(path: str, query: dict[str, str], page: int, total: int, per_page: int) -> dict:
    """Where the page links go (previous, next) and what the page says (第 N / M 页)."""
    pages = max(1, -(-total // per_page))

    def link(n: int) -> str:
        return path + "?" + urlencode({**query, "page": n})

    return {
        "page": page,
        "pages": pages,
        "total": total,
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
    }
