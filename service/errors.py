"""One JSON error shape for every failure: a code, a Chinese and an English message."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.embed.model_process import ModelUnavailable

log = logging.getLogger("ipqa")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_en: str,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message_en)
        self.status, self.code, self.message, self.message_en = status, code, message, message_en
        self.headers = headers or {}


def error_response(
    status: int, code: str, message: str, message_en: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": code, "message": message, "message_en": message_en},
        status_code=status,
        headers=headers,
    )


_HTTP_MESSAGES = {
    # FastAPI answers 400 when the body cannot even be decoded (e.g. bytes that are not UTF-8).
    400: (
        "invalid_json",
        "请求体无法解析：须为 UTF-8 编码的 JSON 对象。",
        "The request body cannot be parsed: it must be a UTF-8 encoded JSON object.",
    ),
    404: ("not_found", "没有这个地址。", "No such path."),
    405: ("method_not_allowed", "不支持这种请求方法。", "Method not allowed."),
    413: ("body_too_large", "请求内容太大。", "Request body too large."),
}

# pydantic error types → (code, Chinese detail, English detail); {ctx keys} are filled in.
_FIELD_ERRORS = {
    "missing": ("missing_field", "缺少这个字段", "field required"),
    "extra_forbidden": ("unknown_field", "不认识的字段", "unknown field"),
    "string_type": ("invalid_request", "应为字符串", "must be a string"),
    "string_unicode": (
        "invalid_unicode",
        "包含无效的 Unicode 字符（孤立代理项）",
        "contains invalid Unicode (a lone surrogate)",
    ),
    "string_too_long": ("invalid_request", "太长", "too long"),
    "int_type": ("invalid_request", "应为整数", "must be an integer"),
    "int_parsing": ("invalid_request", "应为整数", "must be an integer"),
    "int_from_float": ("invalid_request", "应为整数", "must be an integer"),
    "bool_type": ("invalid_request", "应为 true 或 false", "must be true or false"),
    "bool_parsing": ("invalid_request", "应为 true 或 false", "must be true or false"),
    "greater_than_equal": ("invalid_request", "不能小于 {ge}", "must be at least {ge}"),
    "less_than_equal": ("invalid_request", "不能大于 {le}", "must be at most {le}"),
    "literal_error": ("invalid_request", "只能是 {expected}", "must be {expected}"),
    "list_type": ("invalid_request", "应为数组（列表）", "must be an array"),
    "too_short": (
        "invalid_request",
        "至少要有 {min_length} 项",
        "needs at least {min_length} item(s)",
    ),
    "dict_type": ("invalid_request", "应为 JSON 对象", "must be a JSON object"),
    "union_tag_not_found": (
        "invalid_request",
        "应为字符串、内容数组或 null",
        "must be a string, an array of content parts, or null",
    ),
    "model_type": ("invalid_request", "应为 JSON 对象", "must be a JSON object"),
    "model_attributes_type": ("invalid_request", "应为 JSON 对象", "must be a JSON object"),
}
# The tags of our discriminated unions (chat content): pydantic puts them in an error's
# location, where they are not part of the JSON path the client sent.
_UNION_TAGS = {"string", "array", "null"}
_JSON_TYPES = ("application/json",)


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media in _JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


def _validation_message(
    exc: RequestValidationError, content_type: str | None = "application/json"
) -> tuple[int, str, str, str]:
    errors = exc.errors()
    first = errors[0] if errors else {}
    kind = str(first.get("type", ""))
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body" and p not in _UNION_TAGS)
    if kind == "json_invalid":
        return 400, "invalid_json", "请求体不是有效的 JSON。", "The request body is not valid JSON."
    whole_body = not where and kind in {
        "model_attributes_type",
        "model_type",
        "dict_type",
        "missing",
    }
    if whole_body and not _is_json(content_type):  # FastAPI does not parse other media types
        return (
            415,
            "unsupported_media_type",
            "请求体须为 JSON，Content-Type 须为 application/json。",
            "The body must be JSON sent with Content-Type: application/json.",
        )
    if whole_body and kind != "missing":
        return (
            422,
            "not_an_object",
            "请求体须为 JSON 对象（{…}），不能是数组、字符串或数字。",
            "The request body must be a JSON object ({…}), not an array, string or number.",
        )
    code, zh, en = _FIELD_ERRORS.get(kind, ("invalid_request", "", ""))
    ctx = {
        k: (" 或 ".join(str(v).split(" or ")) if k == "expected" else v)
        for k, v in (first.get("ctx") or {}).items()
    }
    try:
        zh, en = zh.format(**ctx), en.format(**{**ctx, **(first.get("ctx") or {})})
    except (KeyError, IndexError):
        zh, en = "", ""
    en = en or str(first.get("msg", "invalid value"))
    zh = zh or "取值不正确"
    return (
        422,
        code,
        f"请求参数不正确：{where or '请求体'}（{zh}）。",
        f"Invalid request: {where or 'body'}: {en}.",
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.message_en, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return error_response(*_validation_message(exc, request.headers.get("content-type")))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        code, zh, en = _HTTP_MESSAGES.get(
            exc.status_code, ("http_error", "请求无法处理。", str(exc.detail))
        )
        return error_response(exc.status_code, code, zh, en, getattr(exc, "headers", None))

    @app.exception_handler(ModelUnavailable)
    async def _model_down(_: Request, exc: ModelUnavailable):
        log.error("ipqa: %s", exc)
        return error_response(
            503,
            "model_unavailable",
            "模型暂时不可用，请稍后再试。",
            "The model is unavailable; try again shortly.",
            {"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception):
        log.exception("unhandled error")  # the trace goes to the log, never to the client
        return error_response(
            500,
            "internal_error",
            "服务内部错误，请稍后再试。",
            "Internal error; please try again later.",
        )
