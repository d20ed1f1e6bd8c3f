"""create_app(settings): the FastAPI app; the lifespan loads model and index once."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from index.embed.base import Embedder
from index.model.folder import ModelNotFound
from index.store import InvalidIndex
from service.errors import install_error_handlers, log
from service.middleware import JsonCORSMiddleware, install_limits, install_security_headers
from service.office.office import Office
from service.openapi_limits import document_limits
from service.routes import (
    admin,
    ask,
    chat,
    documents,
    documents_api,
    feedback,
    messages,
    meta,
    office_admin,
    office_documents,
    office_guidance,
    office_log,
    office_messages,
    office_passages,
    staff,
    staff_accounts,
    web,
)
from service.settings import Settings
from service.state import Runtime

DESCRIPTION = """知识产权政策文件问答服务：规划，以及本局的办事指南、常见问题和规章。

用中文提问（简体、繁体均可，可夹英文缩写如 IP、GDP），得到简短回答、文件中的出处段落及其所在文件和
章节，以及相关的主要指标（2020 年数值、2025 年目标、累计增加值）。追问时把之前的对话放进 `history`。"""


class AfterResponse(logging.Handler):
    """Writes uvicorn's access records once the event loop is done with the request at hand.

    uvicorn logs a request when its response starts, between building the headers and writing
    them and the body: formatting the line and writing it out (~0.1 ms, more on a busy machine)
    delayed every response. The record is made at the same moment as before (same time stamp,
    same fields); only its handler runs a moment later, in the order the records came."""

    def __init__(self, target: logging.Handler):
        super().__init__(target.level)
        self.target = target

    def handle(self, record: logging.LogRecord) -> bool:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on an event loop (a test's own call): at once
            return bool(self.target.handle(record))
        loop.call_soon(self.target.handle, record)
        return True


def _defer_access_log() -> list[logging.Handler]:
    """Wrap the access logger's handlers (uvicorn's, when it serves); the originals back."""
    logger = logging.getLogger("uvicorn.access")
    originals = list(logger.handlers)
    logger.handlers = [AfterResponse(h) for h in originals]
    return originals


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings, embedder)
    office = Office(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            runtime.start()  # loads, unless `ipqa serve` has already
        except (ModelNotFound, InvalidIndex) as exc:
            log.error("ipqa: cannot start: %s", exc)
            raise SystemExit(2) from None
        office.attach(runtime)
        runtime.watch()
        access = _defer_access_log()
        try:
            yield
        finally:
            logging.getLogger("uvicorn.access").handlers = access
            office.close()
            runtime.close()

    app = FastAPI(
        title="ipqa — 知识产权规划问答",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # /docs and /redoc are service/routes/web.py's: local assets, under a CSP
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        # no OpenTelemetry here (an offline service): no per-request check for a provider
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.runtime = runtime
    app.state.office = office
    install_error_handlers(app)
    install_limits(app, settings)  # inside CORS: a 429 or 413 still reaches the calling page
    app.add_middleware(
        JsonCORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["content-type"],
        max_age=600,
    )
    install_security_headers(app)  # outermost: every response, preflights included
    for module in (
        ask,
        chat,
        meta,
        documents,
        web,
        admin,
        feedback,
        messages,
        office_log,
        office_admin,
        office_messages,
        office_guidance,
        office_passages,
        office_documents,
        documents_api,
        staff,
        staff_accounts,
    ):
        app.include_router(module.router)
    document_limits(app, settings)  # /docs and /redoc state the settings' limits
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn service.app:app_from_env --factory`: settings from IPQA_* variables."""
    return create_app(Settings())
