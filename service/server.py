"""`ipqa serve`'s HTTP server: uvicorn (httptools), plus what it lacks against slow clients —
a deadline for request headers and a cap on each client address's open connections — and a
lingering close after a 413, so the client that is still sending its body reads the 413."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

from service.client_address import TrustedProxies, client_key
from service.middleware import API_CSP, SECURITY_HEADERS
from service.settings import Settings

log = logging.getLogger("ipqa")
# After a 413 sent while the body is still arriving: read and discard up to this much, for up
# to this long, then close (nginx's lingering_close does the same for its own 413s).
LINGER_BYTES = 16 * 1024 * 1024
LINGER_S = 5.0


def raw_error(status: str, code: str, message: str, message_en: str) -> bytes:
    """A whole HTTP/1.1 error response with our JSON body, for answers given before (or
    instead of) the app: the connection is closed right after."""
    body = json.dumps(
        {"error": code, "message": message, "message_en": message_en}, ensure_ascii=False
    ).encode("utf-8")
    headers = {
        "content-type": "application/json",
        "content-length": str(len(body)),
        "connection": "close",
        "content-security-policy": API_CSP,
        **SECURITY_HEADERS,
    }
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode("latin-1") + b"\r\n" + body


class Guard:
    """Per server process: the limits, and the open connections counted per client key."""

    def __init__(self, settings: Settings):
        self.header_timeout = settings.header_timeout
        self.max_per_client = settings.max_connections_per_client
        self.trusted = TrustedProxies(settings.trusted_proxies)
        self.open: Counter[str] = Counter()
        self.timeout_response = raw_error(
            "408 Request Timeout",
            "request_timeout",
            f"请求头未在 {self.header_timeout:g} 秒内发送完毕，连接已关闭。",
            f"The request headers did not arrive within {self.header_timeout:g} s; "
            "the connection is closed.",
        )
        self.busy_response = raw_error(
            "503 Service Unavailable",
            "too_many_connections",
            f"来自同一地址的连接太多（最多 {self.max_per_client} 个），请稍后再试。",
            f"Too many open connections from one address (at most {self.max_per_client}); "
            "try again shortly.",
        )


class _LingeringClose:
    """The transport as a request's cycle sees it: the response's head goes out with its
    first body write, in one packet, and the access log's line is made once it has gone;
    close() after a 413 asks the protocol to linger first. Everything else is the
    transport's own.

    uvicorn writes a response's status line and headers, then its body, as two writes: a
    client waiting for the answer woke for the head, parsed it and slept again until the body
    came (~0.1–0.2 ms an uncached /ask on this machine, docs/benchmark.md). The head is held
    until the body's first write, which Starlette makes in the same step of the event loop;
    a response with no body write there (HEAD, 204, a streamed body that waits) gets its head
    at the loop's next turn.

    uvicorn also makes the access log's record before it writes the head (the logging
    machinery: the caller's frame, a LogRecord; its handler already runs after the response,
    service/app.py AfterResponse): `cycle` is the request's cycle when it logs, and the same
    record (same logger, message and arguments) is made here right after the head is written,
    ~0.05 ms later on the event loop and off the response's path (docs/benchmark.md, eighth
    session)."""

    def __init__(self, transport, protocol: GuardedHttpToolsProtocol, cycle=None):
        self._transport, self._protocol, self._cycle = transport, protocol, cycle
        self.status = b""
        self._head: bytes | None = None

    def write(self, data: bytes) -> None:
        if self._head is not None:
            data, self._head = self._head + data, None
            self._transport.write(data)
            self._log()
            return
        if not self.status and data.startswith(b"HTTP/1.1 ") and data[9:10] != b"1":
            self.status = bytes(data[9:12])
            self._head = data
            self._protocol.loop.call_soon(self.flush)
            return
        self._transport.write(data)

    def flush(self) -> None:
        """The head, if its body has not taken it along yet."""
        if self._head is not None:
            head, self._head = self._head, None
            if not self._transport.is_closing():
                self._transport.write(head)
            self._log()

    def _log(self) -> None:
        """uvicorn's access line for this response (once), as its cycle would have made it."""
        cycle, self._cycle = self._cycle, None
        if cycle is not None:
            scope = cycle.scope
            cycle.access_logger.info(
                '%s - "%s %s HTTP/%s" %d',
                get_client_addr(scope),
                scope["method"],
                get_path_with_query_string(scope),
                scope["http_version"],
                int(self.status),
            )

    def close(self) -> None:
        self.flush()
        if self.status != b"413" or not self._protocol.linger():
            self._transport.close()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


_guard: Guard | None = None


def configure(settings: Settings) -> Guard:
    global _guard
    _guard = Guard(settings)
    return _guard


def guard() -> Guard:
    # A worker process started by uvicorn's supervisor imports this anew: settings from env.
    return _guard or configure(Settings())


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header deadline counted from the connection's
    start (or from the first byte of each later request), never reset by trickled bytes;
    past it a partial request gets a 408 and the connection closes, an idle one just closes.
    The request body's deadline is the app's (`BodyMiddleware`), which sees the body."""

    _header_timer: asyncio.TimerHandle | None = None
    _in_headers = False
    _key: str | None = None
    _body_done = True  # the current request's body has all arrived (or it had none)
    _discarded: int | None = None  # lingering: bytes read and thrown away since the 413
    _linger_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        g = guard()
        host = self.client[0] if self.client else None
        if host is not None and host not in g.trusted:  # a proxy carries many clients
            key = client_key(host)
            if g.open[key] >= g.max_per_client:
                log.warning("ipqa: %s has %d connections open; refused one", key, g.open[key])
                transport.write(g.busy_response)
                transport.close()
                return
            g.open[key] += 1
            self._key = key
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
        if self._key is not None:
            g = guard()
            g.open[self._key] -= 1
            if g.open[self._key] <= 0:
                del g.open[self._key]
            self._key = None
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers = True
        if self._header_timer is None:  # the first request's deadline runs from the connect
            self._arm()

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._disarm()
        self._body_done = False
        super().on_headers_complete()
        if self.cycle is not None:  # its close() after a 413 lingers; it logs the response
            cycle = self.cycle
            cycle.transport = _LingeringClose(
                self.transport, self, cycle if cycle.access_log else None
            )
            cycle.access_log = False

    def on_message_complete(self) -> None:
        self._body_done = True
        super().on_message_complete()

    def linger(self) -> bool:
        """The 413 is written and the body still arriving: end our side (the client reads the
        413, then EOF), read and discard what it still sends, up to LINGER_BYTES or LINGER_S,
        then close. Closing at once, its bytes unread, answers them with a reset, and a reset
        can wipe out the 413 before the client has read it. False: close at once."""
        transport = self.transport
        if self._body_done or transport.is_closing() or not transport.can_write_eof():
            return False
        self._discarded = 0
        transport.write_eof()
        self.flow.resume_reading()
        self._linger_timer = self.loop.call_later(LINGER_S, transport.close)
        return True

    def data_received(self, data: bytes) -> None:
        if self._discarded is None:
            return super().data_received(data)
        self._discarded += len(data)
        if self._discarded > LINGER_BYTES:
            self.transport.close()

    def _arm(self) -> None:
        self._header_timer = self.loop.call_later(guard().header_timeout, self._header_timeout)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self._in_headers:
            log.info("ipqa: request headers from %s not complete in time; closed", self.client)
            self.transport.write(guard().timeout_response)
        self.transport.close()


def run(app, host: str, port: int, settings: Settings, workers: int = 1) -> None:
    """Serve `app` (an app object, or with workers > 1 an import string of a factory)."""
    import uvicorn

    configure(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        http=GuardedHttpToolsProtocol if workers == 1 else f"{__name__}:GuardedHttpToolsProtocol",
        ws="none",  # no websocket routes: no upgrade path to guard
        # Forwarded headers are ours to judge (IPQA_TRUSTED_PROXIES, BodyMiddleware's
        # neighbour ClientAddressMiddleware): uvicorn's own would trust loopback by default.
        proxy_headers=False,
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        log_level="info",
    )
