"""The whole question log for staff: 问题记录 (search, filters, paging, CSV — also
GET /admin/api/questions.csv for scripts), 未回答的问题 (grouped, with the reply given, by
channel, marked 已处理 / 忽略, paged) and publishing 热门问题 as the widget's suggestions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from service.office import log_csv, question_log
from service.office.accounts import EDITOR
from service.office.pages import form, staff
from service.reader.library import library_of
from service.routes.desk import page, pager, served_documents, staff_or_token

router = APIRouter(include_in_schema=False)
Page = Annotated[int, Query(alias="page", ge=1, le=100_000)]
HOT_DAYS = 30


def _library(request: Request):
    engine = request.app.state.runtime.engine
    return library_of(engine.searcher) if engine is not None else None


def _filter(request: Request) -> question_log.LogFilter:
    library = _library(request)

    def passages_of(doc: str) -> list[str]:
        found = library.get(doc) if library is not None else None
        return [p.id for p in found.passages] if found is not None else []

    return question_log.LogFilter.of(request.query_params, passages_of)


def _doc_of(request: Request):
    """A passage id → "title（id）" of its document, while the serving index holds it."""
    library = _library(request)
    passages = library.passages if library is not None else {}
    titles = {d.id: d.title for d in library.documents.values()} if library else {}

    def doc_of(passage_id: str | None) -> str:
        p = passages.get(passage_id or "")
        return f"{titles.get(p.doc, p.doc)}（{p.doc}）" if p is not None else ""

    return doc_of


@router.get("/admin/questions")
async def questions_page(request: Request, page_no: Page = 1):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    f = _filter(request)
    rows, total = await run_in_threadpool(
        question_log.search, request.app.state.office.database(), f, page_no
    )
    doc_of = _doc_of(request)
    for r in rows:
        r["doc"] = doc_of(r["top_passage"])
    documents = served_documents(request)
    query = f.query()
    return page(
        request,
        who,
        "questions.html",
        title="问题记录",
        rows=rows,
        f=f,
        documents=documents,
        outcomes=question_log.OUTCOMES,
        channels=question_log.CHANNELS,
        ratings=question_log.RATINGS,
        pages=pager("/admin/questions", query, page_no, total, question_log.PAGE),
        csv_link="/admin/questions.csv" + ("?" + urlencode(query) if query else ""),
    )


def _csv(request: Request) -> StreamingResponse:
    f = _filter(request)
    rows = question_log.each(request.app.state.office.database(), f)
    name = f"questions-{date.today().isoformat()}.csv"
    return StreamingResponse(
        log_csv.lines(rows, _doc_of(request)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/admin/questions.csv")
async def questions_csv(request: Request):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    return _csv(request)


@router.get("/admin/api/questions.csv")
async def questions_csv_api(
    request: Request, authorization: Annotated[str | None, Header()] = None
):
    await staff_or_token(request, authorization)
    return _csv(request)


@router.get("/admin/unanswered")
async def unanswered_page(
    request: Request,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    channel: Annotated[str, Query(max_length=10)] = "",
    mark: Annotated[str, Query(max_length=10)] = "todo",
    page_no: Page = 1,
):
    who = await staff(request)
    if isinstance(who, Response):
        return who
    channel = channel if channel in question_log.CHANNELS else ""
    mark = mark if mark in question_log.MARK_FILTERS else "todo"
    since = date.today() - timedelta(days=days - 1)
    rows, total = await run_in_threadpool(
        question_log.unanswered, request.app.state.office.database(), since, channel, mark, page_no
    )
    query = {"days": str(days), "channel": channel, "mark": mark}
    query = {k: v for k, v in query.items() if v}
    return page(
        request,
        who,
        "unanswered.html",
        title="未回答的问题",
        rows=rows,
        days=days,
        channel=channel,
        mark=mark,
        channels=question_log.CHANNELS,
        marks=question_log.MARKS,
        mark_filters=question_log.MARK_FILTERS,
        back=request.url.path + ("?" + urlencode({**query, "page": page_no})),
        pages=pager("/admin/unanswered", query, page_no, total, question_log.PAGE),
    )


@router.post("/admin/unanswered/mark")
async def unanswered_mark(request: Request):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    fields = await form(request, who)
    normalized = fields.get("normalized", "")
    status = fields.get("status", "")
    if normalized and (status in question_log.MARKS or status == ""):
        db = request.app.state.office.database()
        await run_in_threadpool(question_log.set_mark, db, who.actor, normalized, status)
    back = fields.get("back", "")
    if not back.startswith("/admin/unanswered"):  # only back to this page, never elsewhere
        back = "/admin/unanswered"
    return RedirectResponse(back, status_code=303)


def hot_list(request: Request) -> list[dict]:
    """热门问题 of the last 30 days, for the suggestions page."""
    since = date.today() - timedelta(days=HOT_DAYS - 1)
    return question_log.hot(request.app.state.office.database(), since)


@router.post("/admin/suggestions/hot")
async def publish_hot(request: Request):
    who = await staff(request, EDITOR)
    if isinstance(who, Response):
        return who
    fields = await form(request, who)
    picked = [v for k, v in sorted(fields.items()) if k.startswith("hot-") and v.strip()]
    if not picked:
        return RedirectResponse("/admin/suggestions?saved=none", status_code=303)
    append = fields.get("action") == "append"
    office = request.app.state.office
    await run_in_threadpool(office.set_suggestions, picked, who.name, append)
    return RedirectResponse("/admin/suggestions?saved=1", status_code=303)
