"""The 留言 inbox: citizens' messages newest first, by status (新 / 处理中 / 已答复), contacts
masked; a message's own page with the contact in full for editors, the reply it was left
from, and the forms to change its status and write reply notes (the account is the handler)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from service.office import messages
from service.office.accounts import EDITOR
from service.office.pages import closed, form, staff
from service.routes.desk import page, pager

router = APIRouter(include_in_schema=False)
SAVED = {"status": "状态已更新。", "note": "记录已保存。"}


@router.get("/admin/messages")
async def inbox(
    request: Request,
    status: Annotated[str, Query(max_length=10)] = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    db = request.app.state.office.database()
    status = status if status in messages.STATUSES else ""
    items, total = await run_in_threadpool(messages.listing, db, status or None, page_no)
    counts = await run_in_threadpool(messages.counts, db)
    query = {"status": status} if status else {}
    return page(
        request,
        who,
        "messages.html",
        title="留言",
        items=items,
        counts=counts,
        statuses=messages.STATUSES,
        shown=status,
        pages=pager("/admin/messages", query, page_no, total, messages.PAGE),
        retention=request.app.state.runtime.settings.message_retention_days,
    )


async def _message_page(request: Request, who, message_id: int, status: int = 200, **context):
    db = request.app.state.office.database()
    item = await run_in_threadpool(messages.get, db, message_id, who.can_edit)
    if item is None:
        raise closed()
    return page(
        request,
        who,
        "message.html",
        status=status,
        title=f"留言 #{message_id}",
        item=item,
        statuses=messages.STATUSES,
        **context,
    )


@router.get("/admin/messages/{message_id}")
async def message_page(request: Request, message_id: int):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    return await _message_page(
        request, who, message_id, saved=SAVED.get(request.query_params.get("saved", ""))
    )


@router.post("/admin/messages/{message_id}")
async def message_change(request: Request, message_id: int):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    fields = await form(request, who)
    db = request.app.state.office.database()
    action = fields.get("action", "")
    try:
        if action == "status":
            found = await run_in_threadpool(
                messages.set_status, db, who.actor, message_id, fields.get("status", "")
            )
        elif action == "note":
            found = await run_in_threadpool(
                messages.add_note, db, who.actor, message_id, fields.get("note", "")
            )
            status = fields.get("status", "")
            if found and status in messages.STATUSES:
                await run_in_threadpool(messages.set_status, db, who.actor, message_id, status)
        else:
            raise messages.MessageError("不认识的操作。")
    except messages.MessageError as exc:
        return await _message_page(
            request, who, message_id, status=422, error=str(exc), note=fields.get("note", "")
        )
    if not found:
        raise closed()
    return RedirectResponse(f"/admin/messages/{message_id}?saved={action}", status_code=303)
