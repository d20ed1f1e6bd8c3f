"""The demo page at /, the embeddable widget at /widget.js, and the API docs (/docs, /redoc)
with their scripts served from here (the fastapi-offline package), under a CSP."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

STATIC = Path(__file__).resolve().parent.parent / "static"
# Swagger UI and ReDoc as released, kept current by a maintained package: nothing from a CDN.
DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
}
# Own origin only. Swagger UI sets style attributes and ReDoc injects <style> elements, so
# styles may be inline; scripts may not (Swagger UI's one inline start-up script is allowed
# by its hash); ReDoc runs its search in a worker made from a blob.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
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


# The service's icon: the SVG for the pages that link it, the .ico (the same drawing at 16, 32
# and 48 px) for browsers and tools that ask for /favicon.ico on their own.
ICON_TYPES = {"favicon.svg": "image/svg+xml", "favicon.ico": "image/x-icon"}


def _icon(name: str, request: Request) -> Response:
    data, etag = _asset(name)
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=86400",
        "Content-Security-Policy": "default-src 'none'",  # an SVG opened on its own runs nothing
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=ICON_TYPES[name], headers=headers)


@router.get("/favicon.svg", include_in_schema=False)
def favicon_svg(request: Request) -> Response:
    return _icon("favicon.svg", request)


@router.get("/favicon.ico", include_in_schema=False)
def favicon_ico(request: Request) -> Response:
    return _icon("favicon.ico", request)


@lru_cache(maxsize=8)
def _docs_page(kind: str, title: str, openapi_url: str) -> tuple[bytes, str]:
    """The page (FastAPI's own) and its CSP, which allows its inline scripts by their hash."""
    if kind == "swagger":
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/favicon.svg",
            # no validator badge: it would be an image from swagger.io
            swagger_ui_parameters={"validatorUrl": None},
        )
    else:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} - ReDoc",
            redoc_js_url="/docs-assets/redoc.standalone.js",
            redoc_favicon_url="/favicon.svg",
            with_google_fonts=False,
        )
    html = bytes(page.body)
    hashes = "".join(
        " 'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"
        for code in _INLINE_SCRIPT.findall(html.decode("utf-8"))
    )
    return html, DOCS_CSP.format(hashes=hashes)


def _docs_response(kind: str, request: Request) -> Response:
    html, csp = _docs_page(kind, request.app.title, request.app.openapi_url)
    return HTMLResponse(html, headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})


@router.get("/docs", include_in_schema=False)
def swagger_ui(request: Request) -> Response:
    return _docs_response("swagger", request)


@router.get("/redoc", include_in_schema=False)
def redoc(request: Request) -> Response:
    return _docs_response("redoc", request)


# ReDoc's sidebar credit shows Redocly's logo from their CDN, with no option to turn it off;
# as an empty image it fails at once and ReDoc hides it (as it would offline), and nothing
# is fetched from elsewhere or refused by the CSP.
_REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@lru_cache(maxsize=len(ASSET_TYPES))
def _docs_asset(name: str) -> tuple[bytes, str]:
    data = (DOCS_ASSETS / name).read_bytes()
    if name == "redoc.standalone.js":
        data = data.replace(_REDOC_LOGO, b"data:,")
    return data, '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


@router.get("/docs-assets/{name}", include_in_schema=False)
def docs_asset(name: str, request: Request) -> Response:
    if name not in ASSET_TYPES:  # a fixed list: no path from the request reaches the disk
        raise HTTPException(404)
    data, etag = _docs_asset(name)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=ASSET_TYPES[name], headers=headers)
