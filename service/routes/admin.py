"""POST /admin/reload: swap in the newest index build; opened only by the reload token."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header

from index.store import InvalidIndex
from service.deps import RuntimeDep
from service.errors import ApiError

router = APIRouter()


@router.post("/admin/reload", include_in_schema=False)
def reload_index(runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None):
    token = runtime.settings.reload_token
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise ApiError(404, "not_found", "没有这个地址。", "No such path.")  # hidden when closed
    try:
        engine = runtime.reload()
    except InvalidIndex as exc:
        raise ApiError(
            409,
            "index_invalid",
            f"新索引无法加载，仍使用旧索引：{exc}",
            f"The new index cannot be loaded; still serving the old one: {exc}",
        ) from exc
    manifest = engine.searcher.manifest
    return {
        "status": "reloaded",
        "build_id": manifest["build_id"],
        "index_build_time": manifest["build_time"],
        "passages": manifest["passages"],
    }
