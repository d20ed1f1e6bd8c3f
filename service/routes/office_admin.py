"""The staff pages at /admin (closed unless IPQA_ADMIN_TOKEN is set; each person signs in with
their own account, service/routes/staff.py), the report API and the public suggestions list.
Viewers read every page here; changing curated answers or suggestions takes an editor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response

from service.office import citations, quality, report
from service.office import curated as store
from service.office.accounts import EDITOR
from service.office.chart import bars, legend
from service.office.deps import OfficeDep
from service.office.pages import HERE, admin_token, closed, form, render, staff
from service.routes.desk import require_token, served_documents
from service.routes.office_log import hot_list

router = APIRouter(include_in_schema=False)
ASKED = [("answered", "#1d6fb8", "已回答"), ("refused", "#b7c4d4", "未回答")]
RATED = [("up", "#1c7c3c", "好评"), ("down", "#b3261e", "差评")]
SUGGESTIONS_SAVED = {"1": "推荐问题已保存。", "none": "没有勾选问题，推荐问题没有改动。"}


@router.get("/suggestions", include_in_schema=True, summary="推荐问题和收录的文件")
def get_suggestions(request: Request, office: OfficeDep) -> dict:
    """What a chat window opens with: the starter questions (staff-set, else the most asked of
    30 days, else the defaults), the titles of the documents answered from, and the caption
    of the indicator table (null when no document has one)."""
    engine = request.app.state.runtime.engine
    rows = engine.indicators if engine is not None else []
    return {
        "suggestions": office.suggestions,
        "documents": list(served_documents(request).values()),
        "table": next((r.table for r in rows if r.table), None),
    }


@router.get("/admin/static/admin.css")
def admin_css(request: Request) -> Response:
    admin_token(request)
    return FileResponse(HERE / "static" / "admin.css", media_type="text/css")


def _page(request: Request, office, who, template: str, **context):
    """A signed-in staff member's page."""
    return render(template, who=who, path=request.url.path, health=office.health(), **context)


@router.get("/admin")
async def overview(
    request: Request, office: OfficeDep, days: Annotated[int, Query(ge=1, le=366)] = 30
):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    data = await run_in_threadpool(report.build, office.database(), days)
    for d in data["per_day"]:
        d["refused"] = d["questions"] - d["answered"]
    asked_chart = bars(
        data["per_day"], ASKED, "每天的提问数", "每天提问的条数，分已回答和未回答两部分"
    )
    rated_chart = bars(data["per_day"], RATED, "每天的评价", "每天收到的好评和差评条数")
    return _page(
        request,
        office,
        who,
        "overview.html",
        title="概览",
        data=data,
        asked_chart=asked_chart,
        rated_chart=rated_chart,
        asked_legend=legend(ASKED),
        rated_legend=legend(RATED),
        suggestions=office.suggestions,
    )


async def _report_page(request: Request, office, days: int, template: str, title: str):
    """A staff page that shows one part of the report of the last `days` days."""
    who = await staff(request)
    if isinstance(who, Response):
        return who
    data = await run_in_threadpool(report.build, office.database(), days)
    return _page(request, office, who, template, title=title, data=data)


@router.get("/admin/downvoted")
async def downvoted(
    request: Request, office: OfficeDep, days: Annotated[int, Query(ge=1, le=366)] = 30
):
    return await _report_page(request, office, days, "downvoted.html", "差评")


@router.get("/admin/curated")
async def curated_list(request: Request, office: OfficeDep):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    items = await run_in_threadpool(store.all_curated, office.database())
    sources = citations.sources(request, items)
    return _page(
        request, office, who, "curated.html", title="人工答案", items=items, sources=sources
    )


@router.get("/admin/curated/new")
async def curated_new(request: Request, office: OfficeDep, q: str = ""):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    return _page(
        request, office, who, "curated_form.html", title="新增人工答案", item=None, question=q[:500]
    )


@router.get("/admin/curated/{curated_id}")
async def curated_edit(request: Request, office: OfficeDep, curated_id: int):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    item = await run_in_threadpool(store.get, office.database(), curated_id)
    if item is None:
        raise closed()
    versions = await run_in_threadpool(store.history, office.database(), curated_id)
    return _page(
        request,
        office,
        who,
        "curated_form.html",
        title=f"人工答案 #{item.id}",
        item=item,
        question=item.question,
        versions=versions,
        saved=request.query_params.get("saved") == "1",
        cited=citations.cited(request, item.passage_ids),
    )


@router.post("/admin/curated")
@router.post("/admin/curated/{curated_id}")
async def curated_save(request: Request, office: OfficeDep, curated_id: int | None = None):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    fields = await form(request, who)
    db = office.database()
    action = fields.get("action", "save")
    cites = await citations.posted(request, fields)
    if action == "find":  # 查找段落: the form again with the passages found; nothing saved
        item = store.get(db, curated_id) if curated_id is not None else None
        return _page(
            request,
            office,
            who,
            "curated_form.html",
            title=f"人工答案 #{curated_id}" if item else "新增人工答案",
            item=item,
            question=fields.get("question", ""),
            draft=fields,
            versions=store.history(db, curated_id) if item else [],
            **citations.form_context(request, cites, fields),
        )
    try:
        if action in ("disable", "enable") and curated_id is not None:
            await run_in_threadpool(store.set_enabled, db, who.name, curated_id, action == "enable")
        else:
            curated_id = await run_in_threadpool(
                store.save,
                db,
                who.name,
                fields.get("question", ""),
                fields.get("variants", "").splitlines(),
                fields.get("answer", ""),
                cites,
                curated_id is None or fields.get("enabled") == "on",
                curated_id,
            )
    except store.CuratedError as exc:
        item = store.get(db, curated_id) if curated_id is not None else None
        return _page(
            request,
            office,
            who,
            "curated_form.html",
            title="人工答案",
            item=item,
            question=fields.get("question", ""),
            draft=fields,
            error=str(exc),
            cited=citations.cited(request, cites),
            versions=store.history(db, curated_id) if curated_id is not None else [],
        )
    await run_in_threadpool(office.refresh)  # this replica answers with it at once
    return RedirectResponse(f"/admin/curated/{curated_id}?saved=1", status_code=303)


@router.get("/admin/suggestions")
async def suggestions_page(request: Request, office: OfficeDep):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    return _page(
        request,
        office,
        who,
        "suggestions.html",
        title="推荐问题",
        current=office.suggestions,
        source=office.suggestions_source,
        hot=await run_in_threadpool(hot_list, request),
        saved=SUGGESTIONS_SAVED.get(request.query_params.get("saved", "")),
    )


@router.post("/admin/suggestions")
async def suggestions_save(request: Request, office: OfficeDep):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    fields = await form(request, who)
    texts = fields.get("suggestions", "").splitlines()
    await run_in_threadpool(office.set_suggestions, texts, who.name)
    return RedirectResponse("/admin/suggestions?saved=1", status_code=303)


@router.get("/admin/quality")
async def quality_page(request: Request, office: OfficeDep):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    reports = await run_in_threadpool(quality.latest, office.database())
    views = [quality.view(label, report) for label, report in reports.items()]
    return _page(request, office, who, "quality.html", title="回答质量", views=views)


@router.get("/admin/api/report")
async def report_api(
    request: Request,
    office: OfficeDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    authorization: Annotated[str | None, Header()] = None,
):
    require_token(request, authorization)
    data = await run_in_threadpool(report.build, office.database(), days)
    data["log"] = office.health()
    return data
