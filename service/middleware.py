"""Pure-ASGI guards: body size, per-client rate limit, a concurrency cap, security headers."""

from __future__ import annotations

import asyncio
import time

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.client_address import TrustedProxies, client_key
from service.errors import error_response, log
from service.settings import Settings
from service.shared.ratelimit import SharedLimiter

# The routes that run the model; everything else is cheap and never limited.
HEAVY = frozenset({("POST", "/ask"), ("POST", "/v1/chat/completions")})
QUEUE_WAIT_S = 2.0
# Staff uploading a document (.docx, PDF) send more than any question: a cap and time of their own.
UPLOADS = frozenset(
    {
        ("POST", "/admin/documents"),
        ("POST", "/admin/api/documents"),
        ("POST", "/admin/api/documents/preview"),
    }
)
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
UPLOAD_TIMEOUT_S = 120.0
API_CSP = "default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",  # nothing here is meant to be framed
}
# What SecurityHeadersMiddleware adds unless the response has it, as raw ASGI header pairs.
_DEFAULT_HEADERS = tuple(
    (name.encode("latin-1"), value.encode("latin-1"))
    for name, value in {**SECURITY_HEADERS, "content-security-policy": API_CSP}.items()
)


def _heavy(scope: Scope) -> bool:
    return scope["type"] == "http" and (scope["method"], scope["path"]) in HEAVY


class BodyMiddleware:
    """Read the whole body before anything else runs, so the rate limit and the concurrency
    slots only ever see complete requests: at most `max_body_bytes` (413, before reading when
    Content-Length says so), within `timeout_s` of the headers (408); either closes."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, timeout_s: float = 10.0):
        self.app, self.max, self.timeout_s = app, max_body_bytes, timeout_s

    def _too_large(self, limit: int):
        return error_response(
            413,
            "body_too_large",
            f"请求内容太大：最多 {limit} 字节。",
            f"Request body too large: at most {limit} bytes.",
            {"Connection": "close"},
        )

    def _too_slow(self, timeout_s: float):
        return error_response(
            408,
            "request_timeout",
            f"请求内容未在 {timeout_s:g} 秒内发送完毕，连接已关闭。",
            f"The request body did not arrive within {timeout_s:g} s; the connection is closed.",
            {"Connection": "close"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        upload = (scope["method"], scope["path"]) in UPLOADS
        limit = UPLOAD_MAX_BYTES if upload else self.max
        timeout_s = UPLOAD_TIMEOUT_S if upload else self.timeout_s
        declared = [v for k, v in scope["headers"] if k == b"content-length"]
        chunked = any(k == b"transfer-encoding" for k, _ in scope["headers"])
        if declared:
            try:
                length = int(declared[0])
            except ValueError:
                length = -1
            if length < 0 or len(set(declared)) > 1:
                return await error_response(
                    400,
                    "bad_content_length",
                    "请求头 Content-Length 无效。",
                    "Invalid Content-Length header.",
                    {"Connection": "close"},
                )(scope, receive, send)
            if length > limit:
                return await self._too_large(limit)(scope, receive, send)
        elif not chunked:  # no body at all (a GET): nothing to wait for
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        received = 0
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return  # the client left: nobody to answer
                    chunk = message.get("body", b"")
                    received += len(chunk)
                    if received > limit:  # a chunked body, or one longer than it said
                        return await self._too_large(limit)(scope, receive, send)
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            log.info("ipqa: request body from %s not complete in time", scope.get("client"))
            return await self._too_slow(timeout_s)(scope, receive, send)
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:  # later calls wait for the disconnect, as the server's would
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class ClientAddressMiddleware:
    """With IPQA_TRUSTED_PROXIES set: the client's address from X-Forwarded-For when the peer
    is a trusted proxy (every hop checked; junk never becomes the address), and the scheme
    from X-Forwarded-Proto; written into the scope, so the access log shows it too."""

    def __init__(self, app: ASGIApp, trusted: TrustedProxies):
        self.app, self.trusted = app, trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] == "http" and peer and peer[0] in self.trusted:
            forwarded = [
                v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"
            ]
            host = self.trusted.resolve(peer[0], forwarded)
            if host != peer[0]:
                scope["client"] = (host, 0)
            proto = [v for k, v in scope["headers"] if k == b"x-forwarded-proto"]
            if proto and proto[-1].strip().lower() in (b"http", b"https"):
                scope["scheme"] = proto[-1].strip().lower().decode()
        await self.app(scope, receive, send)


class RateLimitMiddleware:
    """Per client address on the heavy routes, a moving window (the `limits` package), its
    counters shared by the replicas through Redis when IPQA_REDIS_URL is set."""

    def __init__(self, app: ASGIApp, rate_limit: str, redis=None):
        self.app = app
        self.limiter = SharedLimiter(rate_limit, "answers", redis)
        self.items = self.limiter.items

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.limiter or not _heavy(scope):
            return await self.app(scope, receive, send)
        key = client_key((scope.get("client") or ("unknown", 0))[0])
        wait = await self.limiter.admit(key)
        if wait is None:
            return await self.app(scope, receive, send)
        limit = str(self.limiter)
        response = error_response(
            429,
            "rate_limited",
            f"请求太频繁（限制：{limit}），请 {wait} 秒后再试。",
            f"Too many requests (limit: {limit}); try again in {wait} s.",
            {"Retry-After": str(wait)},
        )
        await response(scope, receive, send)


class ConcurrencyLimitMiddleware:
    """At most `limit` heavy requests at once; others wait briefly, then get 503."""

    def __init__(self, app: ASGIApp, limit: int, wait_s: float | None = None):
        self.app, self.limit = app, limit
        self.wait_s = QUEUE_WAIT_S if wait_s is None else wait_s
        self._sem: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (tests start one per client)
            self._sem, self._loop = asyncio.Semaphore(self.limit), loop
        return self._sem

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _heavy(scope):
            return await self.app(scope, receive, send)
        sem = self._semaphore()
        try:
            if sem.locked():  # only a full house pays for the timer
                await asyncio.wait_for(sem.acquire(), self.wait_s)
            else:
                await sem.acquire()
        except TimeoutError:
            response = error_response(
                503,
                "overloaded",
                "服务繁忙，请稍后再试。",
                "The service is busy; try again shortly.",
                {"Retry-After": "1"},
            )
            return await response(scope, receive, send)
        try:
            await self.app(scope, receive, send)
        finally:
            sem.release()


class SecurityHeadersMiddleware:
    """Security headers on every response; a deny-all CSP unless the route set its own; and
    `Server-Timing: app;dur=…`, the milliseconds from here to the response's first byte (the
    bench splits a request's time with it; browsers' dev tools show it)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False
        entered = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                # raw pairs, as Starlette's MutableHeaders append/setdefault would leave them
                # (~10 µs less a response than building one and scanning it once a header)
                headers = message["headers"] = list(message["headers"])
                present = {name for name, _ in headers}
                dur = f"app;dur={(time.perf_counter() - entered) * 1000:.2f}"
                headers.append((b"server-timing", dur.encode("latin-1")))
                headers.extend(pair for pair in _DEFAULT_HEADERS if pair[0] not in present)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Answer here so even a 500 carries the headers (and CORS); the outer error
            # middleware still logs the trace and sees the response already started.
            if not started:
                log.debug("unhandled error answered by the security-headers middleware")
                await error_response(
                    500,
                    "internal_error",
                    "服务内部错误，请稍后再试。",
                    "Internal error; please try again later.",
                )(scope, receive, send_with_headers)
            raise


_CORS_REFUSED = {  # Starlette's failure words → what to tell the calling site's admin
    "origin": ("来源 {origin} 不在允许列表中", "origin {origin} is not allowed"),
    "method": (
        "请求方法不被允许（只接受 GET、POST）",
        "the method is not allowed (GET, POST only)",
    ),
    "headers": (
        "请求头不被允许（只接受 Content-Type）",
        "a header is not allowed (Content-Type only)",
    ),
    "private-network": ("不接受来自私有网络的跨域请求", "private-network requests are not allowed"),
}


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in our JSON error shape, naming the
    setting to change, instead of a line of plain text; a response to a request without an
    Origin (most of them: the API's own clients) gets Starlette's one header, `Vary: Origin`,
    added as raw pairs (~0.01 ms of the event loop a response less than MutableHeaders)."""

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        if message["type"] != "http.response.start" or "origin" in request_headers:
            return await super().send(message, send, request_headers)
        # Starlette: headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
        headers = message["headers"] = list(message.get("headers", ()))
        vary = [i for i, (name, _) in enumerate(headers) if name == b"vary"]
        if vary:
            joined = b", ".join([*(headers[i][1] for i in vary), b"Origin"])
            for i in reversed(vary[1:]):
                del headers[i]
            headers[vary[0]] = (b"vary", joined)
        else:
            headers.append((b"vary", b"Origin"))
        await send(message)

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        failures = bytes(response.body).decode().removeprefix("Disallowed CORS ").split(", ")
        origin = "".join(c for c in request_headers.get("origin", "")[:200] if c.isprintable())
        known = [_CORS_REFUSED[f] for f in failures if f in _CORS_REFUSED]
        zh = "；".join(z.format(origin=origin) for z, _ in known) or "跨域请求不被允许"
        en = "; ".join(e.format(origin=origin) for _, e in known) or "cross-origin request refused"
        headers = {
            k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")
        }
        return error_response(
            400,
            "cors_rejected",
            f"跨域请求被拒绝：{zh}。允许的网站由服务端设置 IPQA_ALLOWED_ORIGINS 决定。",
            f"Cross-origin request refused: {en}. The allowed sites are the service's "
            "IPQA_ALLOWED_ORIGINS setting.",
            headers,
        )


def install_limits(app: FastAPI, settings: Settings) -> None:
    """Add before CORS so CORS wraps them: a 429/413/503 still reaches the widget's page."""
    app.add_middleware(ConcurrencyLimitMiddleware, limit=settings.max_concurrency)
    app.add_middleware(
        RateLimitMiddleware, rate_limit=settings.rate_limit, redis=app.state.runtime.redis
    )
    app.add_middleware(
        BodyMiddleware, max_body_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout
    )
    if settings.trusted_proxies:  # outside the rate limit, which keys on what it resolves
        app.add_middleware(
            ClientAddressMiddleware, trusted=TrustedProxies(settings.trusted_proxies)
        )


def install_security_headers(app: FastAPI) -> None:
    """Add last, so it is the outermost user middleware and sees every response."""
    app.add_middleware(SecurityHeadersMiddleware)
