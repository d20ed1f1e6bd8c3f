"""FastAPI dependencies: the settings and the engine currently serving."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.errors import ApiError
from service.qa.engine import Engine
from service.settings import Settings
from service.state import Runtime


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def get_settings(request: Request) -> Settings:
    return request.app.state.runtime.settings


def serving_engine(runtime: Runtime) -> Engine:
    """The engine serving now; 503 while the service is still loading."""
    if runtime.engine is None:
        raise ApiError(
            503, "not_ready", "服务正在启动，请稍后再试。", "The service is still loading."
        )
    return runtime.engine


async def get_engine(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Engine:
    return serving_engine(runtime)


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
