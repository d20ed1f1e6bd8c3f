"""/ask's own route handler (service/routes/ask.py AskRoute) and the access log written after
the response (service/app.py AfterResponse): the same answers and records, less of the event
loop's time before the response is out."""

from __future__ import annotations

import asyncio
import logging

import service.routes.ask as ask_route
from service.app import AfterResponse


def test_well_formed_questions_skip_fastapis_handler_and_the_rest_keep_it(client, monkeypatch):
    direct = []
    endpoint = ask_route.ask

    async def spy(request, http):
        direct.append(request.question)
        return await endpoint(request, http)

    monkeypatch.setattr(ask_route, "ask", spy)
    r = client.post("/ask", json={"question": "地理标志怎么保护？", "top_k": 3})
    assert r.status_code == 200 and len(r.json()["passages"]) == 3
    assert direct == ["地理标志怎么保护？"]
    for body, content_type, status in (
        (b"{not json", "application/json", 400),  # FastAPI's parse error, as always
        (b"", "application/json", 422),
        (b"[]", "application/json", 422),
        (b'{"question": 5}', "application/json", 422),
        (b'{"question": "x", "top_k": "many"}', "application/json", 422),
        ('{"question": "专利"}'.encode(), "text/plain", 415),
    ):
        r = client.post("/ask", content=body, headers={"content-type": content_type})
        assert r.status_code == status, body
        assert set(r.json()) == {"error", "message", "message_en"}
        assert r.headers["content-security-policy"] and r.headers["server-timing"]
    # another spelling of the JSON type takes FastAPI's handler, with the same answer
    r = client.post(
        "/ask",
        content='{"question": "地理标志怎么保护？"}'.encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 200 and r.json()["found"]
    assert direct == ["地理标志怎么保护？"]


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_access_records_are_handled_after_the_current_step_in_order():
    kept = _Kept()
    deferred = AfterResponse(kept)
    first, second = (
        logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, msg, None, None)
        for msg in ("one", "two")
    )

    async def respond():
        deferred.handle(first)
        deferred.handle(second)
        assert kept.records == []  # the response is written first
        await asyncio.sleep(0)
        assert kept.records == [first, second]

    asyncio.run(respond())
    third = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "three", None, None)
    deferred.handle(third)  # no event loop: at once
    assert kept.records[-1] is third


def test_bodies_parsed_in_one_step_answer_as_fastapis_handler_does(client):
    """The fast path parses and validates the body in one pydantic step; every body answers
    as FastAPI's own handler answers it (taken by another spelling of the JSON type)."""
    # questions the other tests ask too: these land in the office's question log, whose most
    # asked questions become the suggestions of answers given later in the session
    question = "地理标志怎么保护？"
    bodies = [
        f'{{"question": "{question}", "top_k": 2}}'.encode(),
        f'{{"question": "x", "question": "{question}"}}'.encode(),  # the last key wins
        f'\ufeff{{"question": "{question}"}}'.encode(),  # a BOM
        f'{{"question": "{question}"}}'.encode("utf-16"),
        b'{"question": NaN}',
        b'{"question": "\\ud800"}',
        b'{"question": "x", "top_k": 5.0}',
        b'{"question": "x", "extra": 1}',
        f'{{"question": "{question}", "history": [{{"role": "user", "content": "专利"}}]}}'.encode(),
    ]
    for body in bodies:
        fast = client.post("/ask", content=body, headers={"content-type": "application/json"})
        standard = client.post(
            "/ask", content=body, headers={"content-type": "application/json; charset=utf-8"}
        )
        assert fast.status_code == standard.status_code, body
        a, b = fast.json(), standard.json()
        for r in (a, b):
            r.pop("answer_id", None), r.pop("took_ms", None)
        assert a == b, body


def test_vary_origin_is_added_as_starlette_adds_it():
    """Without an Origin, JsonCORSMiddleware adds Starlette's `Vary: Origin` itself: the same
    headers, in the same order, whatever Vary the response had."""
    from starlette.datastructures import Headers
    from starlette.middleware.cors import CORSMiddleware

    from service.middleware import JsonCORSMiddleware

    options = {"allow_origins": ["https://example.org"], "allow_methods": ["GET", "POST"]}
    ours, theirs = JsonCORSMiddleware(None, **options), CORSMiddleware(None, **options)
    cases = [
        [(b"content-type", b"application/json")],
        [(b"vary", b"Accept-Encoding"), (b"content-length", b"2")],
        [(b"vary", b"A"), (b"x", b"1"), (b"vary", b"B")],
        [],
    ]
    for raw in cases:
        for request in ([], [(b"origin", b"https://example.org")], [(b"origin", b"https://x")]):
            out = {}
            for name, middleware in (("ours", ours), ("theirs", theirs)):
                message = {"type": "http.response.start", "status": 200, "headers": list(raw)}

                async def keep(m, name=name, out=out):
                    out[name] = m["headers"]

                asyncio.run(middleware.send(message, keep, Headers(raw=request)))
            assert out["ours"] == out["theirs"], (raw, request)
