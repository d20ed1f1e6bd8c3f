"""The 办事指引 page: next steps (a short text with a phone or a link) shown under `related` and
`none` replies, per document or per topic. Everyone signed in reads them; editors add, change,
disable and delete them (each change in the audit log, in effect at once here and within 15 s
on other replicas)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from service.office import guidance as store
from service.office.accounts import EDITOR
from service.office.pages import closed, form, staff
from service.routes.desk import page, served_documents

router = APIRouter(include_in_schema=False)
SAVED = {"1": "已保存，回答中立即生效。", "deleted": "已删除。"}


@router.get("/admin/guidance")
async def guidance_list(request: Request):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    items = await run_in_threadpool(store.all_guides, request.app.state.office.database())
    return page(
        request,
        who,
        "guidance.html",
        title="办事指引",
        items=items,
        documents=served_documents(request),
        saved=SAVED.get(request.query_params.get("saved", "")),
    )


def _form(request: Request, who, item, status: int = 200, **context):
    title = f"办事指引 #{item.id}" if item else "新增办事指引"
    return page(
        request,
        who,
        "guidance_form.html",
        status=status,
        title=title,
        item=item,
        documents=served_documents(request),
        **context,
    )


@router.get("/admin/guidance/new")
async def guidance_new(request: Request):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    return _form(request, who, None)


@router.get("/admin/guidance/{guide_id}")
async def guidance_edit(request: Request, guide_id: int):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    item = await run_in_threadpool(store.get, request.app.state.office.database(), guide_id)
    if item is None:
        raise closed()
    return _form(request, who, item)


@router.post("/admin/guidance")
@router.post("/admin/guidance/{guide_id}")
async def guidance_save(request: Request, guide_id: int | None = None):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    fields = await form(request, who)
    office = request.app.state.office
    db = office.database()
    if fields.get("action") == "delete" and guide_id is not None:
        if not await run_in_threadpool(store.remove, db, who.actor, guide_id):
            raise closed()
        await run_in_threadpool(office.refresh)
        return RedirectResponse("/admin/guidance?saved=deleted", status_code=303)
    try:
        values = store.clean(
            fields.get("doc_id", ""),
            fields.get("keywords", ""),
            fields.get("text", ""),
            fields.get("phone", ""),
            fields.get("url", ""),
        )
        enabled = guide_id is None or fields.get("enabled") == "on"
        await run_in_threadpool(store.save, db, who.actor, values, enabled, guide_id)
    except store.GuidanceError as exc:
        item = store.get(db, guide_id) if guide_id is not None else None
        if guide_id is not None and item is None:
            raise closed() from exc
        return _form(request, who, item, status=422, error=str(exc), draft=fields)
    await run_in_threadpool(office.refresh)  # this replica answers with it at once
    return RedirectResponse("/admin/guidance?saved=1", status_code=303)
