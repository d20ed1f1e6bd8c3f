"""The admins' pages: 账号 (accounts: add, role, disable and enable, lift a lockout, end
sessions) and 审计日志 (every change staff made, with before and after). Admins only; every
form carries the session's CSRF token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from service.office import accounts, audit, sessions, staff_actions, throttle
from service.office.accounts import ADMIN, ROLE_LABELS, ROLES, AccountError
from service.office.auth import Session
from service.office.pages import form, render, staff

router = APIRouter(include_in_schema=False)
DONE = {
    "add": "账号已创建。请把用户名和初始密码当面或电话告诉本人。",
    "role": "角色已修改。",
    "disable": "账号已停用，它的会话已全部结束。",
    "enable": "账号已启用。",
    "unlock": "已解除锁定。",
    "unlock_address": "已解除该地址的锁定。",
    "end_sessions": "该账号的会话已全部结束。",
    "end_session": "会话已结束。",
}
AUDIT_PAGE = 100


def _page_data(db) -> dict:
    return {
        "accounts": accounts.all_accounts(db),
        "live": sessions.live(db),
        "locks": throttle.locks(db),
    }


def _accounts_page(request: Request, who: Session, status=200, **context):
    office = request.app.state.office
    data = _page_data(office.database())
    locked = {lock["name"]: lock for lock in data["locks"] if lock["kind"] == "account"}
    count: dict[str, int] = {}
    for s in data["live"]:
        count[s["username"]] = count.get(s["username"], 0) + 1
    return render(
        "accounts.html",
        status=status,
        title="账号",
        who=who,
        path=request.url.path,
        health=office.health(),
        roles=[(r, ROLE_LABELS[r]) for r in ROLES],
        locked=locked,
        session_count=count,
        **data,
        **context,
    )


@router.get("/admin/accounts")
async def accounts_page(request: Request):
    who = await staff(request, ADMIN)
    if isinstance(who, Response):
        return who
    done = DONE.get(request.query_params.get("done", ""))
    return await run_in_threadpool(_accounts_page, request, who, done=done)


def _act(db, who: Session, posted: dict[str, str]) -> str:
    """Do what the form asked; the `done` key, or AccountError with what went wrong."""
    action, actor = posted.get("action", ""), who.actor
    if action == "add":
        if posted.get("password", "") != posted.get("password2", ""):
            raise AccountError("两次输入的密码不一样。")
        username, role, password = (posted.get(k, "") for k in ("username", "role", "password"))
        accounts.create(db, actor, username, role, password)
    elif action == "unlock_address":
        staff_actions.unlock_address(db, actor, posted.get("address", ""))
    elif action == "end_session" and posted.get("session", "").isdigit():
        staff_actions.end_session(db, actor, int(posted["session"]))
    elif action in ("role", "disable", "enable", "unlock", "end_sessions"):
        account = accounts.get(db, posted.get("username", ""))
        if account is None:
            raise AccountError("没有这个账号。")
        if action in ("role", "disable") and account.username == who.name:
            raise AccountError("不能停用自己的账号或修改自己的角色：请另一位管理员来做。")
        if action == "role":
            accounts.set_role(db, actor, account.username, posted.get("role", ""))
        elif action in ("disable", "enable"):
            accounts.set_enabled(db, actor, account.username, action == "enable")
        elif action == "unlock":
            staff_actions.unlock(db, actor, account.username)
        else:
            staff_actions.end_sessions(db, actor, account.username)
    else:
        raise AccountError("不认识的操作。")
    return action


@router.post("/admin/accounts")
async def accounts_change(request: Request):
    who = await staff(request, ADMIN)
    if isinstance(who, Response):
        return who
    posted = await form(request, who)
    db = request.app.state.office.database()
    try:
        done = await run_in_threadpool(_act, db, who, posted)
    except AccountError as exc:
        draft = {k: posted.get(k, "") for k in ("username", "role")}
        if posted.get("action") != "add":
            draft = {}
        return await run_in_threadpool(
            _accounts_page, request, who, 400, error=str(exc), draft=draft
        )
    if done == "end_session" and posted.get("session") == str(who.session_id):
        return RedirectResponse("/admin/login", status_code=303)  # their own: signed out
    return RedirectResponse(f"/admin/accounts?done={done}", status_code=303)


@router.get("/admin/audit")
async def audit_page(request: Request, before: Annotated[int | None, Query(ge=1)] = None):
    who = await staff(request, ADMIN)
    if isinstance(who, Response):
        return who
    office = request.app.state.office
    items = await run_in_threadpool(audit.entries, office.database(), AUDIT_PAGE, before)
    older = items[-1]["id"] if len(items) == AUDIT_PAGE else None
    return render(
        "audit.html",
        title="审计日志",
        who=who,
        path=request.url.path,
        health=office.health(),
        items=items,
        older=older,
        first=before is None,
    )
