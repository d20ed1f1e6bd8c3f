"""The demo page at / and the embeddable widget at /widget.js."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

STATIC = Path(__file__).resolve().parent.parent / "static"
router = APIRouter()
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)


@lru_cache(maxsize=4)
def _asset(name: str) -> tuple[bytes, str]:
    data = (STATIC / name).read_bytes()
    return data, '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def demo_page() -> Response:
    data, _ = _asset("index.html")
    return HTMLResponse(
        data, headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"}
    )


@router.get("/widget.js", include_in_schema=False)
def widget(request: Request) -> Response:
    data, etag = _asset("widget.js")
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=3600",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="text/javascript; charset=utf-8", headers=headers)
