"""GET /healthz and GET /indicators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.deps import EngineDep, RuntimeDep
from service.schemas import Health, IndicatorOut

router = APIRouter()


@router.get(
    "/healthz",
    response_model=Health,
    summary="健康检查",
    responses={503: {"model": Health, "description": "仍在加载"}},
)
async def healthz(runtime: RuntimeDep, request: Request):
    engine = runtime.engine
    if engine is None:
        body = Health(
            status="loading",
            model=runtime.settings.model,
            passages=0,
            corpus_sha256=None,
            index_build_time=None,
        )
        return JSONResponse(body.model_dump(), status_code=503)
    manifest = engine.searcher.manifest
    warnings = [*runtime.warnings(), *request.app.state.office.log.warnings()]
    return Health(
        status="degraded" if warnings else "ok",
        model=manifest["model"],
        passages=manifest["passages"],
        corpus_sha256=manifest["corpus_sha256"],
        index_build_time=manifest["build_time"],
        dense_index=manifest["dense_index"],
        office=request.app.state.office.health(),
        build_id=manifest["build_id"],
        redis=runtime.redis.health() if runtime.redis is not None else None,
        warnings=warnings,
    )


@router.get("/indicators", response_model=list[IndicatorOut], summary="全部主要指标")
def indicators(engine: EngineDep) -> list[IndicatorOut]:
    return [IndicatorOut.of(i) for i in engine.indicators]
