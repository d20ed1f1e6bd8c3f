"""Staff sign-in and sign-out at /admin/login with each person's username and password (a
server-side session in an HttpOnly, SameSite=Strict cookie, Secure behind https), and
/admin/setup: the first admin account, made with IPQA_ADMIN_TOKEN while there is none."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from service.client_address import client_key
from service.office import accounts, sign_in
from service.office.auth import COOKIE, same_origin, secure
from service.office.limit import RateLimit
from service.office.pages import admin_token, fields, form, render, staff

router = APIRouter(include_in_schema=False)
SIGN_IN_LIMIT = "10/minute"  # per address, before any password is checked (the lockout too)
TITLE = "工作人员登录"
SETUP_TITLE = "创建第一个管理员账号"


def _sign_in_limit(request: Request) -> RateLimit:
    state = request.app.state
    if not hasattr(state, "sign_in_limit"):
        state.sign_in_limit = RateLimit(SIGN_IN_LIMIT, "sign-in", state.runtime.redis)
    return state.sign_in_limit


def _address(request: Request) -> str:
    # the client ClientAddressMiddleware resolved (trusted proxies only), IPv6 by its /64
    return client_key(request.client.host) if request.client else "unknown"


async def _setup_open(request: Request) -> bool:
    """The first-admin form is offered while no enabled admin account exists."""
    office = request.app.state.office
    try:
        return not await run_in_threadpool(accounts.has_admin, office.database())
    except Exception:  # noqa: BLE001 - a database that is down: no offer, sign-in says why
        return False


@router.get("/admin/login")
async def login_page(request: Request):
    admin_token(request)
    created = request.query_params.get("created") == "1"
    return render("login.html", title=TITLE, setup=await _setup_open(request), created=created)


@router.post("/admin/login")
async def login(request: Request):
    admin_token(request)
    await _sign_in_limit(request).check(request)
    posted = await fields(request)
    username = posted.get("username", "")[:100]
    if not same_origin(request):
        return render("login.html", status=403, title=TITLE, error="来源不对。", name=username)
    runtime, office = request.app.state.runtime, request.app.state.office
    result = await run_in_threadpool(
        sign_in.sign_in,
        office.database(),
        runtime.settings,
        username,
        posted.get("password", ""),
        _address(request),
    )
    if result.token is None:
        page = render(
            "login.html", status=result.status, title=TITLE, error=result.error, name=username
        )
        if result.retry_after:
            page.headers["Retry-After"] = str(result.retry_after)
        return page
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(
        COOKIE,
        result.token,
        max_age=int(runtime.settings.staff_session_hours * 3600),
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=secure(request),
    )
    return response


@router.post("/admin/logout")
async def logout(request: Request):
    who = await staff(request)
    if isinstance(who, Response):
        return RedirectResponse("/admin/login", status_code=303)
    await form(request, who)
    office = request.app.state.office
    await run_in_threadpool(sign_in.sign_out, office.database(), who)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


@router.get("/admin/setup")
async def setup_page(request: Request):
    admin_token(request)
    if not await _setup_open(request):
        return RedirectResponse("/admin/login", status_code=303)
    return render("setup.html", title=SETUP_TITLE)


@router.post("/admin/setup")
async def setup(request: Request):
    admin_token(request)
    await _sign_in_limit(request).check(request)
    posted = await fields(request)
    username = posted.get("username", "")[:100]
    if not same_origin(request):
        return render("setup.html", status=403, title=SETUP_TITLE, error="来源不对。")
    runtime, office = request.app.state.runtime, request.app.state.office
    result = await run_in_threadpool(
        sign_in.first_admin,
        office.database(),
        runtime.settings,
        posted.get("token", ""),
        username,
        posted.get("password", ""),
        posted.get("password2", ""),
        _address(request),
    )
    if result.error is not None:
        page = render(
            "setup.html", status=result.status, title=SETUP_TITLE, error=result.error, name=username
        )
        if result.retry_after:
            page.headers["Retry-After"] = str(result.retry_after)
        return page
    return RedirectResponse("/admin/login?created=1", status_code=303)
