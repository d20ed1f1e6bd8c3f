"""POST /v1/chat/completions: the OpenAI chat format over the same answer path."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from service.deps import EngineDep, SettingsDep
from service.errors import ApiError
from service.office.deps import OfficeDep
from service.routes.ask import ERRORS
from service.schemas import AskResponse, Turn
from service.validate import check_history, check_question

router = APIRouter()
MODEL_NAME = "ipqa"


class TextPart(BaseModel):
    """A content part: only text ones; an image or audio part is refused, not ignored, so a
    question is never answered as if half of it had not been asked."""

    model_config = ConfigDict(extra="allow")

    type: Literal["text"]
    text: str = Field(..., max_length=100_000)  # the real limits are settings, checked later


def _content_kind(value: Any) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else None


# One member chosen by the JSON type, so an error names that member's problem only (a list
# with a bad part is not also told that it is not a string).
Content = Annotated[
    Annotated[str, Tag("string")]
    | Annotated[list[TextPart], Tag("array")]
    | Annotated[None, Tag("null")],
    Discriminator(_content_kind),
]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls …: accepted, unused

    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: Content = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content)
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"model": "ipqa", "messages": [{"role": "user", "content": "地理标志怎么保护？"}]}
            ]
        },
    )

    model: str = MODEL_NAME
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False


def _sources(r: AskResponse) -> dict:
    return {
        "found": r.found,
        "outcome": r.outcome,
        "answer_id": r.answer_id,
        "normalized_question": r.normalized_question,
        "passages": [p.model_dump() for p in r.passages],
        "indicators": [i.model_dump() for i in r.indicators],
        "suggestions": r.suggestions,
        "guidance": r.guidance.model_dump() if r.guidance else None,
    }


def _chunk(
    cid: str, created: int, delta: dict, finish: str | None, extra: dict | None = None
) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_NAME,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if extra is not None:
        body["ipqa"] = extra
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _stream(r: AskResponse, cid: str, created: int) -> Iterator[str]:
    yield _chunk(cid, created, {"role": "assistant", "content": ""}, None)
    # The answer is already complete; sending it clause by clause lets chat UIs render early.
    pieces, buf = [], ""
    for ch in r.answer:
        buf += ch
        if ch in "，。；：\n" and len(buf) >= 6:
            pieces.append(buf)
            buf = ""
    if buf:
        pieces.append(buf)
    for piece in pieces:
        yield _chunk(cid, created, {"content": piece}, None)
    yield _chunk(cid, created, {}, "stop", _sources(r))
    yield "data: [DONE]\n\n"


@router.post(
    "/v1/chat/completions",
    responses=ERRORS,
    summary="OpenAI 兼容的对话接口",
    description="messages 中最后一条 user 消息是问题，之前的 user/assistant 消息是历史。"
    "回答在 choices[0].message.content；出处、指标和 found 在顶层字段 ipqa。",
)
def chat_completions(
    request: ChatRequest, engine: EngineDep, settings: SettingsDep, office: OfficeDep
):
    turns = [m for m in request.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise ApiError(
            422,
            "no_user_message",
            "最后一条消息必须是用户的问题。",
            "The last message must be a user message.",
        )
    question = check_question(turns[-1].text(), settings)
    # model_construct: the lengths are check_history's to judge, with its clear 422 (a joined
    # turn past Turn's schema bound must not become a validation error inside the route).
    history = check_history(
        [Turn.model_construct(role=m.role, content=m.text()) for m in turns[:-1]], settings
    )
    result = office.finish(
        AskResponse.of(engine.ask(question, history, top_k=settings.top_k)), "chat"
    )
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    if request.stream:
        return StreamingResponse(
            _stream(result, cid, created),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
    prompt_chars = sum(len(m.text()) for m in turns)
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_NAME,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": result.answer},
            }
        ],
        # Counted in characters: the service has no generative tokenizer.
        "usage": {
            "prompt_tokens": prompt_chars,
            "completion_tokens": len(result.answer),
            "total_tokens": prompt_chars + len(result.answer),
        },
        "ipqa": _sources(result),
    }
