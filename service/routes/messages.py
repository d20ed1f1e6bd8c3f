"""POST /messages: a citizen leaves a question for staff (留言), with a contact only when they
consent; stored, or a 503 with Retry-After (never a success for something not stored). And
GET /admin/api/messages, the inbox for scripts (contacts masked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from service.errors import ApiError
from service.office import messages
from service.office.deps import OfficeDep
from service.office.limit import RateLimit
from service.routes.ask import ERRORS
from service.routes.desk import staff_or_token
from service.schemas import MessageCreated, MessageRequest

router = APIRouter()


def _limit(request: Request) -> RateLimit:
    state = request.app.state
    if not hasattr(state, "messages_limit"):  # the same per-address limit as /feedback
        state.messages_limit = RateLimit(
            state.runtime.settings.rate_limit, "messages", state.runtime.redis
        )
    return state.messages_limit


@router.post(
    "/messages",
    status_code=201,
    response_model=MessageCreated,
    responses=ERRORS,
    summary="留言",
    description="把没有得到答案的问题留给工作人员。联系方式（电话或电子邮箱）可不填；填写时须 "
    "consent 为 true（同意保存并用它答复）。联系方式在工作人员的列表中遮盖显示，留言在保存期满后删除。"
    "返回 201 和留言编号；无法保存时返回 503（附 Retry-After），不会假装已保存。",
)
async def post_message(body: MessageRequest, request: Request, office: OfficeDep) -> Response:
    await _limit(request).check(request)
    try:
        new_id = await run_in_threadpool(
            messages.create,
            office.database(),
            body.question,
            body.contact,
            body.consent,
            body.answer_id,
        )
    except messages.MessageError as exc:
        raise ApiError(422, "invalid_message", str(exc), exc.message_en) from exc
    except SQLAlchemyError as exc:  # DatabaseUnavailable is a 503 of its own
        raise ApiError(
            503,
            "storage_unavailable",
            "留言暂时无法保存，请稍后再试。",
            "The message cannot be stored right now; try again later.",
            {"Retry-After": "5"},
        ) from exc
    return JSONResponse({"id": new_id}, status_code=201)


@router.get("/admin/api/messages", include_in_schema=False)
async def messages_api(
    request: Request,
    office: OfficeDep,
    status: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    authorization: Annotated[str | None, Header()] = None,
) -> dict:
    await staff_or_token(request, authorization)
    items, total = await run_in_threadpool(
        messages.listing, office.database(), status or None, page
    )
    for m in items:
        m["created_at"] = m["created_at"].isoformat(timespec="seconds") + "+00:00"
        at = m["handled_at"]
        m["handled_at"] = at.isoformat(timespec="seconds") + "+00:00" if at else None
    return {"total": total, "page": page, "per_page": messages.PAGE, "messages": items}
