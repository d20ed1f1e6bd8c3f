"""GET /documents (the documents served) and GET /documents/{doc_id} (the reader: the whole
document as a page, every passage an anchor), from the passages the serving index holds."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from service.deps import EngineDep
from service.reader.library import Library, library_of
from service.reader.outline import outline
from service.reader.render import document_page, documents_page, not_found_page
from service.routes.web import STATIC
from service.schemas import DocumentOut

router = APIRouter()
# Our own stylesheet and script only; no inline code, nothing from elsewhere.
READER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
ASSETS = {"reader.css": "text/css; charset=utf-8", "reader.js": "text/javascript; charset=utf-8"}


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        body,
        status_code=status,
        headers={"Content-Security-Policy": READER_CSP, "Cache-Control": "no-cache"},
    )


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def _outline(library: Library, doc_id: str):
    """Worked out once per document and build (the library is the build's own)."""
    if doc_id not in library.outlines:
        library.outlines[doc_id] = outline(library.documents[doc_id])
    return library.outlines[doc_id]


@router.get(
    "/documents",
    response_model=list[DocumentOut],
    summary="已收录的文件",
    description="正在使用的索引里的文件：编号、标题、段落数和阅读全文的地址（浏览器打开时是一个网页）。",
)
def documents(request: Request, engine: EngineDep):
    library = library_of(engine.searcher)
    headers = {"Vary": "Accept"}
    if _wants_html(request):
        response = _html(documents_page(library.documents.values()))
        response.headers.update(headers)
        return response
    body = [
        DocumentOut(id=d.id, title=d.title, passages=len(d.passages), url=d.url).model_dump()
        for d in library.documents.values()
    ]
    return JSONResponse(body, headers=headers)


@router.get(
    "/documents/{doc_id}",
    response_class=HTMLResponse,
    summary="阅读文件原文",
    description="整份文件的网页：标题、各级标题、段落、表格、问答和条文；每一段都有锚点"
    "（id 即段落编号）。回答中 passages[].url 指向这里的某一段（#p-…），该段会被突出显示；"
    "也可以用 ?p=p-… 指定。没有这份文件时返回 404 页面。",
    responses={404: {"description": "没有这份文件（一个说明页面）"}},
)
def read_document(
    doc_id: str,
    engine: EngineDep,
    p: Annotated[str | None, Query(max_length=64, description="要突出显示的段落编号")] = None,
):
    library = library_of(engine.searcher)
    doc = library.get(doc_id)
    if doc is None:
        return _html(not_found_page(doc_id, library.documents.values()), status=404)
    known = p is None or any(x.id == p for x in doc.passages)
    return _html(document_page(_outline(library, doc_id), p if known else None, known))


@lru_cache(maxsize=len(ASSETS))
def _asset(name: str) -> tuple[bytes, str]:
    data = (STATIC / name).read_bytes()
    return data, '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


@router.get("/reader.css", include_in_schema=False)
@router.get("/reader.js", include_in_schema=False)
def reader_asset(request: Request) -> Response:
    name = request.url.path.lstrip("/")
    if name not in ASSETS:
        raise HTTPException(404)
    data, etag = _asset(name)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=ASSETS[name], headers=headers)
