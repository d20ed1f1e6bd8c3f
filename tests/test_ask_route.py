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
