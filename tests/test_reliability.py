"""Bad inputs get the right 4xx JSON (and docs/bad-inputs.md says which); the ASGI guards."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import service.middleware as mw
from service.app import create_app
from tests.docs_out import doc_file
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parents[1]
DOC = doc_file("bad-inputs.md")
JSON = {"content-type": "application/json"}
Q = "地理标志怎么保护？"
HIST = {"role": "user", "content": "海外发明专利授权量2025年目标是多少？"}


@dataclass
class Case:
    label: str  # what the docs table shows as the input
    status: int
    code: str | None  # None: a 200 answer
    json: object = None
    content: bytes | None = None
    headers: dict = field(default_factory=lambda: dict(JSON))
    method: str = "POST"
    path: str = "/ask"


def _big(n: int) -> bytes:
    return b'{"question": "' + b"a" * n + b'"}'


CASES = [
    Case(
        '`{"question": "地理标志怎么保护？"}` (control: a good question)',
        200,
        None,
        {"question": Q},
    ),
    Case("question of 501 characters", 422, "question_too_long", {"question": "专" * 501}),
    Case('question `""`', 422, "empty_question", {"question": ""}),
    Case('question of spaces only `"   "`', 422, "empty_question", {"question": "   \u3000"}),
    Case('question of punctuation only `"？？！。"`', 422, "no_words", {"question": "？？！。"}),
    Case("question is a number `5`", 422, "invalid_request", {"question": 5}),
    Case('question is a list `["专利"]`', 422, "invalid_request", {"question": ["专利"]}),
    Case("question is `null`", 422, "invalid_request", {"question": None}),
    Case("question missing `{}`", 422, "missing_field", {}),
    Case("`top_k: 0`", 422, "invalid_request", {"question": Q, "top_k": 0}),
    Case("`top_k: 21`", 422, "invalid_request", {"question": Q, "top_k": 21}),
    Case('`top_k: "5"` (a string)', 422, "invalid_request", {"question": Q, "top_k": "5"}),
    Case("`top_k: 5.5`", 422, "invalid_request", {"question": Q, "top_k": 5.5}),
    Case("`top_k: true`", 422, "invalid_request", {"question": Q, "top_k": True}),
    Case("`top_k: 20` (the maximum)", 200, None, {"question": Q, "top_k": 20}),
    Case("history of 21 turns", 422, "history_too_long", {"question": Q, "history": [HIST] * 21}),
    Case(
        "history turn of 2,001 characters",
        422,
        "turn_too_long",
        {"question": Q, "history": [{"role": "user", "content": "专" * 2001}]},
    ),
    Case(
        'history turn with role `"system"`',
        422,
        "invalid_request",
        {"question": Q, "history": [{"role": "system", "content": "你好"}]},
    ),
    Case(
        "history is an object, not a list", 422, "invalid_request", {"question": Q, "history": HIST}
    ),
    Case(
        'history turn is a string `["你好"]`',
        422,
        "invalid_request",
        {"question": Q, "history": ["你好"]},
    ),
    Case(
        "history turn without `content`",
        422,
        "missing_field",
        {"question": Q, "history": [{"role": "user"}]},
    ),
    Case(
        "history turn with an unknown field",
        422,
        "unknown_field",
        {"question": Q, "history": [{**HIST, "lang": "zh"}]},
    ),
    Case(
        "history turn with NUL",
        422,
        "control_characters",
        {"question": Q, "history": [{"role": "user", "content": "专利\x00"}]},
    ),
    Case('invalid JSON `{"question": `', 400, "invalid_json", content=b'{"question": '),
    Case(
        "invalid UTF-8 bytes `\\xff\\xfe` in the body",
        400,
        "invalid_json",
        content=b'{"question": "\xff\xfe"}',
    ),
    Case("body is a JSON array `[1, 2]`", 422, "not_an_object", [1, 2]),
    Case('body is a JSON string `"专利"`', 422, "not_an_object", "专利"),
    Case("body is `null`", 422, "not_an_object", content=b"null"),
    Case("empty body", 422, "missing_field", content=b""),
    Case("question with NUL `专利\\u0000`", 422, "control_characters", {"question": "专利\x00"}),
    Case("question with BEL `专利\\u0007`", 422, "control_characters", {"question": "专利\x07"}),
    Case(
        "question ending in `\\u001f` (str.strip would drop it)",
        422,
        "control_characters",
        {"question": "专利\x1f"},
    ),
    Case(
        "question with a C1 control `\\u0085`", 422, "control_characters", {"question": "专利\x85"}
    ),
    Case(
        'lone surrogate `"\\ud800"` in JSON',
        422,
        "invalid_unicode",
        content=b'{"question": "\\ud800\\u4e13\\u5229"}',
    ),
    Case(
        "lone surrogate in a history turn",
        422,
        "invalid_unicode",
        content=b'{"question": "\\u4e13\\u5229", "history": [{"role": "user", "content": "\\udfff"}]}',
    ),
    Case("emoji `😀专利保护` (accepted)", 200, None, {"question": "😀专利保护"}),
    Case("emoji only `🙂🙂` (accepted, found false)", 200, None, {"question": "🙂🙂"}),
    Case(
        "tabs and newlines inside the question (accepted)",
        200,
        None,
        {"question": "地理标志\n怎么\t保护"},
    ),
    Case(
        'unknown field `{"question": …, "foo": 1}`', 422, "unknown_field", {"question": Q, "foo": 1}
    ),
    Case(
        "Content-Type `text/plain`",
        415,
        "unsupported_media_type",
        content=json.dumps({"question": Q}).encode(),
        headers={"content-type": "text/plain"},
    ),
    Case(
        "Content-Type `application/x-www-form-urlencoded` (curl -d)",
        415,
        "unsupported_media_type",
        content=b"question=abc",
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),
    Case(
        "no Content-Type",
        415,
        "unsupported_media_type",
        content=json.dumps({"question": Q}).encode(),
        headers={},
    ),
    Case(
        "Content-Type `application/json; charset=utf-8` (accepted)",
        200,
        None,
        content=json.dumps({"question": Q}).encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    ),
    Case("body of 70,000 bytes (limit 65,536)", 413, "body_too_large", content=_big(70_000)),
    Case(
        "invalid Content-Length `abc`",
        400,
        "bad_content_length",
        content=b"{}",
        headers={**JSON, "content-length": "abc"},
    ),
    Case("GET /ask", 405, "method_not_allowed", method="GET"),
    Case("POST /nowhere", 404, "not_found", {"question": Q}, path="/nowhere"),
    # The OpenAI-compatible endpoint shares the checks.
    Case(
        "chat: `messages: []`",
        422,
        "invalid_request",
        {"messages": []},
        path="/v1/chat/completions",
    ),
    Case(
        "chat: no `messages`", 422, "missing_field", {"model": "ipqa"}, path="/v1/chat/completions"
    ),
    Case(
        'chat: last message from `"assistant"`',
        422,
        "no_user_message",
        {"messages": [{"role": "assistant", "content": "你好"}]},
        path="/v1/chat/completions",
    ),
    Case(
        'chat: role `"robot"`',
        422,
        "invalid_request",
        {"messages": [{"role": "robot", "content": Q}]},
        path="/v1/chat/completions",
    ),
    Case(
        "chat: content is a number",
        422,
        "invalid_request",
        {"messages": [{"role": "user", "content": 5}]},
        path="/v1/chat/completions",
    ),
    Case(
        "chat: question of 501 characters",
        422,
        "question_too_long",
        {"messages": [{"role": "user", "content": "专" * 501}]},
        path="/v1/chat/completions",
    ),
    Case(
        "chat: question with NUL",
        422,
        "control_characters",
        {"messages": [{"role": "user", "content": "专利\x00"}]},
        path="/v1/chat/completions",
    ),
    Case("chat: invalid JSON", 400, "invalid_json", content=b"{", path="/v1/chat/completions"),
    Case(
        "chat: content is an object",
        422,
        "invalid_request",
        {"messages": [{"role": "user", "content": {"text": Q}}]},
        path="/v1/chat/completions",
    ),
    Case(
        "chat: a message is a string",
        422,
        "invalid_request",
        {"messages": [Q]},
        path="/v1/chat/completions",
    ),
    Case(
        "chat: content part's `text` is a number",
        422,
        "invalid_request",
        {"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]},
        path="/v1/chat/completions",
    ),
    Case(
        "chat: content part's `text` is an object",
        422,
        "invalid_request",
        {"messages": [{"role": "user", "content": [{"type": "text", "text": {"a": Q}}]}]},
        path="/v1/chat/completions",
    ),
    Case(
        "chat: content part without `text`",
        422,
        "missing_field",
        {"messages": [{"role": "user", "content": [{"type": "text"}]}]},
        path="/v1/chat/completions",
    ),
    Case(
        'chat: content part of type `"image_url"`',
        422,
        "invalid_request",
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
        path="/v1/chat/completions",
    ),
    Case(
        "chat: content part is a string",
        422,
        "invalid_request",
        {"messages": [{"role": "user", "content": [Q]}]},
        path="/v1/chat/completions",
    ),
    Case(
        "chat: 56 KB of history parts whose `text` is `[1e9, 1e9, …]` (a 500 before)",
        422,
        "invalid_request",
        content=b'{"messages":[{"role":"user","content":[{"type":"text","text":['
        + b",".join([b"1e9"] * 14_000)
        + b']}]},{"role":"user","content":"\\u4e13\\u5229"}]}',
        path="/v1/chat/completions",
    ),
    Case(
        "chat: two text parts (accepted, joined)",
        200,
        None,
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "地理标志"},
                        {"type": "text", "text": "怎么保护？"},
                    ],
                }
            ]
        },
        path="/v1/chat/completions",
    ),
]


def _send(client: TestClient, case: Case) -> httpx.Response:
    kwargs: dict = {"headers": case.headers}
    if case.content is not None:
        kwargs["content"] = case.content
    elif case.method == "POST":
        kwargs["content"] = json.dumps(case.json, ensure_ascii=False).encode("utf-8")
    return client.request(case.method, case.path, **kwargs)


def _check(case: Case, r: httpx.Response) -> None:
    assert r.status_code == case.status, (case.label, r.status_code, r.text[:300])
    assert "Traceback" not in r.text and 'File "' not in r.text, case.label
    body = r.json()
    if case.code is None:
        answer = body["ipqa"] if "ipqa" in body else body  # the chat endpoint's extra field
        assert "found" in answer and ("answer" in body or body["choices"]), case.label
        return
    assert set(body) == {"error", "message", "message_en"}, (case.label, body)
    assert body["error"] == case.code, (case.label, body)
    assert body["message"] and body["message_en"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body  # Chinese
    assert body["message_en"].isascii() or "{…}" in body["message_en"], body


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def test_bad_inputs_table(client):
    """Every case answers as the table says; the table becomes docs/bad-inputs.md."""
    rows = []
    for case in CASES:
        r = _send(client, case)
        _check(case, r)
        body = r.json()
        found = body["ipqa"]["found"] if "ipqa" in body else body.get("found")
        message = (
            f"{body['message']} / {body['message_en']}"
            if case.code
            else f"answer; found = {str(found).lower()}"
        )
        where = (
            "" if case.path == "/ask" and case.method == "POST" else f" ({case.method} {case.path})"
        )
        rows.append(
            f"| {_md(case.label)}{where} | {r.status_code} | {case.code or '—'} | {_md(message)} |"
        )
    doc = "\n".join(
        [
            "# Bad inputs and what the API answers",
            "",
            "Generated by `tests/test_reliability.py::test_bad_inputs_table` (it fails if the API "
            "stops answering like this). Requests go to `POST /ask` unless noted. Every error is "
            "JSON `{error, message, message_en}`; no stack trace ever reaches the client.",
            "",
            "| input | status | error | message |",
            "| --- | --- | --- | --- |",
            *rows,
            "",
        ]
    )
    old = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
    if "\n## " in old:  # sections other tests write (slow clients) stay
        doc += "\n## " + old.split("\n## ", 1)[1]
    if old != doc:
        DOC.write_text(doc, encoding="utf-8")


def test_chunked_body_is_cut_at_the_limit(fake_settings):
    """No Content-Length: reading stops once the body passes max_body_bytes."""
    app = create_app(fake_settings, embedder=FakeEmbedder())
    chunk, sent, out = b"a" * 8192, [], []

    async def receive():
        sent.append(len(chunk))
        return {"type": "http.request", "body": chunk, "more_body": len(sent) < 1000}

    async def send(message):
        out.append(message)

    scope = _scope(
        "POST", "/ask", [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")]
    )
    asyncio.run(_run_with_runtime(app, scope, receive, send))
    assert out[0]["status"] == 413
    assert sum(sent) <= fake_settings.max_body_bytes + len(chunk)  # stopped, not 8 MB read
    body = json.loads(b"".join(m.get("body", b"") for m in out[1:]))
    assert (
        body["error"] == "body_too_large" and str(fake_settings.max_body_bytes) in body["message"]
    )


def test_content_length_over_limit_rejected_before_reading(fake_settings):
    app = create_app(fake_settings, embedder=FakeEmbedder())
    out = []

    async def receive():
        raise AssertionError("the body must not be read")

    async def send(message):
        out.append(message)

    scope = _scope(
        "POST", "/ask", [(b"content-type", b"application/json"), (b"content-length", b"100000000")]
    )
    asyncio.run(app(scope, receive, send))
    assert out[0]["status"] == 413
    headers = dict(out[0]["headers"])
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert json.loads(out[1]["body"])["error"] == "body_too_large"


def _scope(method: str, path: str, headers: list) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


async def _run_with_runtime(app, scope, receive, send):
    app.state.runtime.load()  # what the lifespan does
    await app(scope, receive, send)


def test_rate_limit_429_with_retry_after(fake_settings):
    settings = fake_settings.model_copy(update={"rate_limit": "3/minute"})
    origin = "http://127.0.0.1:8000"
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as c:
        codes = [
            c.post("/ask", json={"question": Q}, headers={"Origin": origin}).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 200]
        r = c.post("/ask", json={"question": Q}, headers={"Origin": origin})
        assert r.status_code == 429 and r.json()["error"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert r.headers["access-control-allow-origin"] == origin  # the widget can read it
        assert r.headers["x-content-type-options"] == "nosniff"
        chat = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": Q}]})
        assert chat.status_code == 429  # one budget per client for both heavy routes
        assert c.get("/healthz").status_code == 200  # cheap routes are never limited
        assert c.get("/indicators").status_code == 200


def test_rate_limit_is_per_client(fake_settings):
    app = create_app(
        fake_settings.model_copy(update={"rate_limit": "1/minute"}), embedder=FakeEmbedder()
    )
    with TestClient(app, client=("10.0.0.1", 1)) as a, TestClient(app, client=("10.0.0.2", 1)) as b:
        assert a.post("/ask", json={"question": Q}).status_code == 200
        assert a.post("/ask", json={"question": Q}).status_code == 429
        assert b.post("/ask", json={"question": Q}).status_code == 200


def test_empty_rate_limit_is_off(client):
    assert all(client.post("/ask", json={"question": Q}).status_code == 200 for _ in range(30))


def test_concurrency_cap_503_after_a_short_wait(fake_settings, monkeypatch):
    """One slot: of three requests at once, one is answered, the others wait, then get 503."""
    monkeypatch.setattr(mw, "QUEUE_WAIT_S", 0.3)

    class SlowEmbedder(FakeEmbedder):
        def encode_queries(self, texts):
            import time

            time.sleep(1.0)
            return super().encode_queries(texts)

    app = create_app(
        fake_settings.model_copy(update={"max_concurrency": 1}), embedder=SlowEmbedder()
    )
    app.state.runtime.load()

    async def main():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            asks = [c.post("/ask", json={"question": f"地理标志{i}"}) for i in range(3)]
            return await asyncio.gather(*asks, c.get("/healthz"))

    *answers, health = asyncio.run(main())
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 503, 503], codes
    busy = next(r for r in answers if r.status_code == 503)
    assert busy.json()["error"] == "overloaded" and busy.headers["retry-after"]
    assert health.status_code == 200  # cheap routes do not queue


def test_concurrency_slot_freed_after_errors(fake_settings, monkeypatch):
    monkeypatch.setattr(mw, "QUEUE_WAIT_S", 0.2)
    settings = fake_settings.model_copy(update={"max_concurrency": 1})
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as c:
        for _ in range(5):  # a failed request must give its slot back
            assert c.post("/ask", json={"question": ""}).status_code == 422
        assert c.post("/ask", json={"question": Q}).status_code == 200


def test_security_headers_everywhere(client):
    api_csp = "default-src 'none'; frame-ancestors 'none'"
    responses = {
        "healthz": client.get("/healthz"),
        "ask": client.post("/ask", json={"question": Q}),
        "error": client.post("/ask", json={"question": ""}),
        "404": client.get("/nope"),
        "413": client.post("/ask", content=_big(70_000), headers=JSON),
        "openapi": client.get("/openapi.json"),
        "widget": client.get("/widget.js"),
        "page": client.get("/"),
        "docs": client.get("/docs"),
        "preflight": client.options(
            "/ask",
            headers={"Origin": "http://127.0.0.1:8000", "Access-Control-Request-Method": "POST"},
        ),
    }
    for name, r in responses.items():
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", name
        assert r.headers["x-frame-options"] == "DENY", name
    for name in ("healthz", "ask", "error", "404", "413", "openapi", "widget", "preflight"):
        assert responses[name].headers["content-security-policy"] == api_csp, name
    # The demo page and /docs have their own CSPs: scripts from this origin only.
    assert "script-src 'self'" in responses["page"].headers["content-security-policy"]
    assert responses["docs"].status_code == 200 and "swagger-ui" in responses["docs"].text
    docs_csp = responses["docs"].headers["content-security-policy"]
    assert "default-src 'none'" in docs_csp and "script-src 'self' 'sha256-" in docs_csp
    assert "http" not in docs_csp and "http" not in responses["docs"].text.split("<body>")[0]


def test_unexpected_error_is_json_500_with_headers(fake_settings):
    def boom(*args, **kwargs):
        raise RuntimeError("boom /secret/path.py")

    app = create_app(fake_settings, embedder=FakeEmbedder())
    with TestClient(app, raise_server_exceptions=False) as c:
        # what the route calls; after loading (which warms the engine up)
        app.state.runtime.engine.ask_steps = boom
        r = c.post("/ask", json={"question": Q}, headers={"Origin": "http://127.0.0.1:8000"})
    assert r.status_code == 500 and r.json()["error"] == "internal_error"
    assert "boom" not in r.text and "Traceback" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"


def test_cors_allowed_origin_only(client):
    allowed, other = "http://localhost:8000", "https://evil.example"
    r = client.post("/ask", json={"question": Q}, headers={"Origin": allowed})
    assert r.headers["access-control-allow-origin"] == allowed
    pre = client.options(
        "/ask",
        headers={
            "Origin": allowed,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == allowed
    r = client.post("/ask", json={"question": Q}, headers={"Origin": other})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = client.options("/ask", headers={"Origin": other, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 400 and "access-control-allow-origin" not in pre.headers


def test_cors_preflight_refusal_is_json_naming_the_setting(client):
    """A site whose origin is not allowed (or that asks for a method or header that is not)
    gets our JSON error naming IPQA_ALLOWED_ORIGINS, still without CORS headers."""
    cases = {
        "origin": {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        "header": {
            "Origin": "http://localhost:8000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-secret",
        },
    }
    for name, headers in cases.items():
        r = client.options("/ask", headers=headers)
        assert r.status_code == 400, name
        assert r.headers["content-type"] == "application/json", (name, r.headers)
        body = r.json()
        assert set(body) == {"error", "message", "message_en"} and body["error"] == "cors_rejected"
        assert (
            "IPQA_ALLOWED_ORIGINS" in body["message"]
            and "IPQA_ALLOWED_ORIGINS" in body["message_en"]
        )
        assert r.headers["x-content-type-options"] == "nosniff"
    r = client.options("/ask", headers=cases["origin"])
    assert "https://evil.example" in r.json()["message_en"]
    assert "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize("limit", ["", "  "])
def test_rate_limit_setting_blank_means_off(limit):
    assert mw.RateLimitMiddleware(None, limit).items == []
