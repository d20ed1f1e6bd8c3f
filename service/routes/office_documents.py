"""文件管理 at /admin/documents: the documents served and their status, the builds and their
progress, upload (a draft) → preview (how it will be read) → publish; replace with a new
version, retire; every version with who and when. Viewers read; editors change. No script: a
page reloads itself (a Refresh header, which the page offers to stop) while a build runs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from service.errors import ApiError
from service.office.accounts import EDITOR
from service.office.auth import same_origin
from service.office.deps import OfficeDep
from service.office.documents import catalog, hub, jobs
from service.office.documents.catalog import STATE_LABELS, STATUS_LABELS, DocumentError
from service.office.documents.extract import ACCEPTED, ExtractError
from service.office.documents.preview import preview
from service.office.documents.upload import read_upload
from service.office.pages import form, render, staff

router = APIRouter(include_in_schema=False)
REFRESH_S = 3
TITLE = "文件管理"


def _page(request: Request, office, who, template: str, status: int = 200, **context):
    runtime = request.app.state.runtime
    building = context.get("building", False)
    auto = building and request.query_params.get("auto") != "0"
    page = render(
        template,
        status=status,
        who=who,
        path="/admin/documents",
        health=office.health(),
        serving_build=runtime.build_id(),
        warnings=runtime.warnings(),
        status_labels=STATUS_LABELS,
        state_labels=STATE_LABELS,
        accepted=ACCEPTED,
        auto=auto,
        refresh_s=REFRESH_S,
        here=request.url.path,
        **context,
    )
    if auto:  # progress without script; the page names the way to stop it
        page.headers["Refresh"] = str(REFRESH_S)
    return page


def _listing(db, settings) -> dict:
    hub.ready(db, settings)
    return {
        "documents": catalog.all_documents(db),
        "drafts": catalog.drafts(db),
        "builds": jobs.recent(db),
        "building": jobs.active(db),
    }


async def _list_page(request: Request, office, who, status: int = 200, **extra):
    settings = request.app.state.runtime.settings
    data = await run_in_threadpool(_listing, office.database(), settings)
    return _page(request, office, who, "documents.html", status, title=TITLE, **data, **extra)


@router.get("/admin/documents")
async def documents_page(request: Request, office: OfficeDep):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    done = {k: request.query_params.get(k) for k in ("published", "retired", "discarded")}
    return await _list_page(request, office, who, done=done)


async def _multipart(request: Request, who):
    """The upload form: its fields and file, after the CSRF token and the Origin check."""
    form = await request.form()
    if form.get("csrf") != who.csrf or not same_origin(request):
        return None, None
    upload = form.get("file")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return fields, upload


@router.post("/admin/documents")
async def upload(request: Request, office: OfficeDep):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    fields, file = await _multipart(request, who)
    if fields is None:
        raise ApiError(
            403,
            "csrf_failed",
            "表单已过期或来源不对，请刷新页面后重试。",
            "The form is stale or came from another site; reload the page and try again.",
        )
    if file is None or isinstance(file, str) or not file.filename:
        return await _list_page(request, office, who, 400, error="请选择要上传的文件。")
    data = await file.read()
    db = office.database()
    try:
        doc_id, version = await run_in_threadpool(
            hub.draft,
            db,
            request.app.state.runtime.settings,
            who.actor,
            file.filename,
            data,
            fields.get("doc_id") or None,
            fields.get("title") or None,
        )
    except (ExtractError, DocumentError) as exc:
        return await _list_page(
            request, office, who, 422, error=f"{file.filename}：{exc}", fields=fields
        )
    return RedirectResponse(f"/admin/documents/{doc_id}/versions/{version}", status_code=303)


@router.get("/admin/documents/{doc_id}")
async def document_page(request: Request, office: OfficeDep, doc_id: str):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    db = office.database()
    doc = await run_in_threadpool(catalog.get, db, doc_id)
    versions = await run_in_threadpool(catalog.history, db, doc_id)
    if doc is None and not versions:
        return await _list_page(request, office, who, 404, error=f"没有编号为 {doc_id} 的文件。")
    building = await run_in_threadpool(jobs.active, db)
    return _page(
        request,
        office,
        who,
        "document.html",
        title=f"文件：{doc.title if doc else doc_id}",
        doc=doc,
        doc_id=doc_id,
        versions=versions,
        building=building,
        builds=await run_in_threadpool(jobs.recent, db, 3),
    )


def _preview_of(row):
    try:
        notes = read_upload(row.filename, row.content).notes
    except ExtractError:
        notes = []
    return preview(row.text, row.doc_id, row.title, notes)


@router.get("/admin/documents/{doc_id}/versions/{version}")
async def version_page(request: Request, office: OfficeDep, doc_id: str, version: int):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    row = await run_in_threadpool(catalog.version_row, office.database(), doc_id, version)
    if row is None:
        return await _list_page(request, office, who, 404, error="没有这个版本。")
    shown = await run_in_threadpool(_preview_of, row)
    return _page(
        request,
        office,
        who,
        "document_preview.html",
        title=f"预览：{row.title}（第 {version} 版）",
        row=row,
        preview=shown,
    )


@router.post("/admin/documents/{doc_id}/versions/{version}")
async def version_action(request: Request, office: OfficeDep, doc_id: str, version: int):
    """发布 (publish: a new build starts) or 放弃 (discard the draft)."""
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    fields = await form(request, who)
    db = office.database()
    try:
        if fields.get("action") == "discard":
            await run_in_threadpool(catalog.discard, db, who.actor, doc_id, version)
            return RedirectResponse(f"/admin/documents?discarded={doc_id}", status_code=303)
        action = await run_in_threadpool(catalog.publish, db, who.actor, doc_id, version)
    except DocumentError as exc:
        return await _list_page(request, office, who, exc.status, error=str(exc))
    await run_in_threadpool(hub.queue_build, db, who.actor, doc_id, action)
    hub.builder(request.app).kick()
    return RedirectResponse(f"/admin/documents?published={doc_id}", status_code=303)


@router.post("/admin/documents/{doc_id}/retire")
async def retire(request: Request, office: OfficeDep, doc_id: str):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    await form(request, who)
    db = office.database()
    try:
        await run_in_threadpool(catalog.retire, db, who.actor, doc_id)
    except DocumentError as exc:
        return await _list_page(request, office, who, exc.status, error=str(exc))
    await run_in_threadpool(hub.queue_build, db, who.actor, doc_id, "retire")
    hub.builder(request.app).kick()
    return RedirectResponse(f"/admin/documents?retired={doc_id}", status_code=303)
