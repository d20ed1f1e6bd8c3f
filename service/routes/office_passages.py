"""GET /admin/api/passages?q=…: passages found by their words (the index's BM25, whole-query
matches first), each with its document, section, text and reader URL, for citing them in a
curated answer. For staff only: the admin token as a bearer, or a signed-in staff member."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool

from service.deps import EngineDep
from service.office import citations
from service.routes.desk import staff_or_token

router = APIRouter(include_in_schema=False)


@router.get("/admin/api/passages")
async def find_passages(
    request: Request,
    engine: EngineDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="原文中的词句，或段落编号")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    authorization: Annotated[str | None, Header()] = None,
) -> dict:
    await staff_or_token(request, authorization)
    found = await run_in_threadpool(citations.search, request, q, limit)
    return {"query": q, "passages": found}
