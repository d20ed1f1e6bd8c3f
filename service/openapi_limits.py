"""The request limits that /openapi.json (and so /docs and /redoc) states: the settings'.

The request models accept up to 100 000 characters on purpose: the limits are settings, and
service/validate.py checks them after trimming, with a Chinese message of its own. Left as
generated, the schema would tell callers that bound instead of the real one.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from service.settings import Settings


def _limit_question(schemas: dict, settings: Settings) -> None:
    ask = schemas["AskRequest"]["properties"]
    question, history = ask["question"], ask["history"]
    question["minLength"] = 1
    question["maxLength"] = settings.max_question_chars
    question["description"] = f"问题（去掉首尾空白后 1–{settings.max_question_chars} 字）"
    history["maxItems"] = settings.max_history_turns
    history["description"] = (
        f"之前的对话，最多 {settings.max_history_turns} 轮，每轮最多 {settings.max_turn_chars} 字"
    )
    schemas["Turn"]["properties"]["content"]["maxLength"] = settings.max_turn_chars


def _limit_chat(schemas: dict, settings: Settings) -> None:
    # one text part may be a whole message, so a part has no bound of its own to state
    schemas["ChatRequest"]["properties"]["messages"]["description"] = (
        f"最后一条 user 消息是问题（去掉首尾空白后 1–{settings.max_question_chars} 字）；"
        f"之前的 user/assistant 消息是历史，最多 {settings.max_history_turns} 条，"
        f"每条最多 {settings.max_turn_chars} 字"
    )


def document_limits(app: FastAPI, settings: Settings) -> None:
    """Make app.openapi() state the limits of `settings` (it is built once, then kept)."""
    generate: Callable[[], dict] = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schemas = generate()["components"]["schemas"]  # sets app.openapi_schema
            _limit_question(schemas, settings)
            if "ChatRequest" in schemas:
                _limit_chat(schemas, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
