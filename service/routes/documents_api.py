"""The documents API for scripts (`Authorization: Bearer <IPQA_ADMIN_TOKEN>`): list, preview an
upload, publish one (202: built in the background while the old build serves), retire one,
and the builds' progress. The same catalogue and builder as the 文件管理 page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from service.errors import ApiError
from service.office.audit import Actor
from service.office.deps import OfficeDep
from service.office.documents import catalog, hub, jobs
from service.office.documents.catalog import DocumentError
from service.office.documents.extract import ExtractError
from service.office.documents.preview import preview
from service.office.documents.upload import read_upload
from service.routes.desk import require_token

router = APIRouter(prefix="/admin/api/documents", include_in_schema=False)
API_ACTOR = Actor("（令牌）", "api")
Auth = Annotated[str | None, Header(description="Bearer <IPQA_ADMIN_TOKEN>")]


def _refused(exc: Exception) -> ApiError:
    if isinstance(exc, ExtractError):
        return ApiError(422, "unreadable_document", str(exc), "The file cannot be read.")
    status = getattr(exc, "status", 400)
    return ApiError(status, "document_refused", str(exc), "The change cannot be made.")


def _listing(db, settings) -> list[dict]:
    hub.ready(db, settings)
    return [
        {
            "id": d.id,
            "title": d.title,
            "version": d.version,
            "status": d.status,
            "serving_version": d.serving_version,
            "updated_at": d.updated_at.isoformat(timespec="seconds") + "Z",
            "updated_by": d.updated_by,
        }
        for d in catalog.all_documents(db)
    ]


@router.get("", summary="文件列表")
async def list_documents(request: Request, office: OfficeDep, authorization: Auth = None):
    require_token(request, authorization)
    settings = request.app.state.runtime.settings
    return await run_in_threadpool(_listing, office.database(), settings)


@router.post("/preview", summary="预览：文件将如何被读取（不保存）")
async def preview_document(
    request: Request,
    file: Annotated[UploadFile, File(description=".txt / .md / .docx / .pdf")],
    title: Annotated[str | None, Form(max_length=200)] = None,
    authorization: Auth = None,
):
    require_token(request, authorization)
    data = await file.read()
    try:
        read = await run_in_threadpool(read_upload, file.filename or "", data)
    except ExtractError as exc:
        raise _refused(exc) from None
    doc_id = catalog.new_id(file.filename or "")
    shown = await run_in_threadpool(preview, read.text, doc_id, title, read.notes)
    return {**shown.to_dict(), "format": read.format}


@router.post("", status_code=202, summary="上传并发布（后台生成索引）")
async def publish_document(
    request: Request,
    office: OfficeDep,
    file: Annotated[UploadFile, File(description=".txt / .md / .docx / .pdf")],
    id: Annotated[str | None, Form(max_length=40, description="文件编号；已有的编号即替换")] = None,
    title: Annotated[str | None, Form(max_length=200)] = None,
    authorization: Auth = None,
):
    require_token(request, authorization)
    db = office.database()
    data = await file.read()
    settings = request.app.state.runtime.settings
    try:
        doc_id, version = await run_in_threadpool(
            hub.draft, db, settings, API_ACTOR, file.filename or "", data, id, title
        )
        action = await run_in_threadpool(catalog.publish, db, API_ACTOR, doc_id, version)
    except (ExtractError, DocumentError) as exc:
        raise _refused(exc) from None
    build = await run_in_threadpool(hub.queue_build, db, API_ACTOR, doc_id, action)
    hub.builder(request.app).kick()
    return {"id": doc_id, "version": version, "status": "building", "build": build}


@router.delete("/{doc_id}", status_code=202, summary="撤下（后台生成不含它的索引）")
async def retire_document(
    request: Request, office: OfficeDep, doc_id: str, authorization: Auth = None
):
    require_token(request, authorization)
    db = office.database()
    settings = request.app.state.runtime.settings
    try:
        await run_in_threadpool(hub.ready, db, settings)
        await run_in_threadpool(catalog.retire, db, API_ACTOR, doc_id)
    except DocumentError as exc:
        raise _refused(exc) from None
    build = await run_in_threadpool(hub.queue_build, db, API_ACTOR, doc_id, "retire")
    hub.builder(request.app).kick()
    return JSONResponse({"id": doc_id, "status": "retired", "build": build}, status_code=202)


@router.get("/builds", summary="索引生成的进度")
async def builds(request: Request, office: OfficeDep, authorization: Auth = None):
    require_token(request, authorization)
    rows = await run_in_threadpool(jobs.recent, office.database(), 10)
    keep = ("id", "state", "stage", "done", "total", "reason", "build_id", "error", "documents")
    serving = request.app.state.runtime.build_id()
    return {"serving_build": serving, "builds": [{k: r[k] for k in keep} for r in rows]}


@router.get("/{doc_id}", summary="一份文件及其所有版本")
async def document(request: Request, office: OfficeDep, doc_id: str, authorization: Auth = None):
    require_token(request, authorization)
    db = office.database()
    doc = await run_in_threadpool(catalog.get, db, doc_id)
    if doc is None:
        raise ApiError(404, "not_found", "没有这份文件。", "No such document.")
    versions = await run_in_threadpool(catalog.history, db, doc_id)
    stamp = lambda t: t.isoformat(timespec="seconds") + "Z" if t else None  # noqa: E731
    return {
        "id": doc.id,
        "title": doc.title,
        "version": doc.version,
        "status": doc.status,
        "serving_version": doc.serving_version,
        "versions": [
            {
                "version": v.version,
                "state": v.state,
                "filename": v.filename,
                "format": v.format,
                "sha256": v.sha256,
                "uploaded_by": v.uploaded_by,
                "uploaded_at": stamp(v.uploaded_at),
                "published_by": v.published_by,
                "published_at": stamp(v.published_at),
                "build_id": v.build_id,
            }
            for v in versions
        ],
    }
