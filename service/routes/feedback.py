"""POST /feedback: 👍/👎 (and an optional comment) on one answer, by its answer_id."""

from __future__ import annotations

import asyncio
import re
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError

from service.errors import ApiError
from service.office.deps import OfficeDep
from service.office.limit import RateLimit
from service.office.office import DatabaseUnavailable
from service.routes.ask import ERRORS
from service.schemas import ErrorOut

router = APIRouter()
# With replicas, the answer may come from another one, whose log writer puts its id in the
# shared database within about half a second: a vote that arrives first waits for it.
LOG_WAITS_S = (0.25, 0.5, 1.0, 1.5)
ISSUED_ID = re.compile(r"a-[0-9a-f]{20}")  # the shape Office.finish gives; others never wait


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"answer_id": "a-3f9c0e1b2a4d5c6e7f80", "rating": "down", "comment": "数字不对"}
            ]
        },
    )

    answer_id: str = Field(..., min_length=1, max_length=64, description="回答里的 answer_id")
    rating: Literal["up", "down"] = Field(..., description="up：有帮助；down：没有帮助")
    comment: str | None = Field(None, max_length=500, description="可选的说明，最多 500 字")


def _limit(request: Request) -> RateLimit:
    state = request.app.state
    if not hasattr(state, "feedback_limit"):
        state.feedback_limit = RateLimit(
            state.runtime.settings.rate_limit, "feedback", state.runtime.redis
        )
    return state.feedback_limit


@router.post(
    "/feedback",
    status_code=204,
    response_class=Response,
    responses={**ERRORS, 404: {"model": ErrorOut}},
    summary="评价回答",
    description="对一条回答点赞（up）或点踩（down），可附一句说明；同一回答再评价会覆盖上一次。",
)
async def post_feedback(body: FeedbackRequest, request: Request, office: OfficeDep) -> Response:
    await _limit(request).check(request)
    logged = office.settings.log_questions and ISSUED_ID.fullmatch(body.answer_id)
    waits = LOG_WAITS_S if logged else ()
    try:
        for wait in (*waits, None):
            known = await run_in_threadpool(office.rate, body.answer_id, body.rating, body.comment)
            if known or wait is None:
                break
            await asyncio.sleep(wait)
    except (SQLAlchemyError, DatabaseUnavailable) as exc:  # written through: stored, or this
        raise ApiError(
            503,
            "storage_unavailable",
            "评价暂时无法保存，请稍后再试。",
            "Feedback cannot be stored right now; try again later.",
            {"Retry-After": "5"},
        ) from exc
    if not known:
        raise ApiError(404, "unknown_answer", "没有这条回答。", "No answer with this answer_id.")
    return Response(status_code=204)
