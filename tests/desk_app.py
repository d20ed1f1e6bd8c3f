"""Helpers for the front desk's tests: the questions they ask, a client per browser (signed in
or not), asking a question. The app itself is tests/desk_fixture.py's `app` fixture."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.staff_session import signed_in

TOKEN = "desk-test-token-0123456789"
NONE_Q = "明天北京天气怎么样？"  # nothing related: outcome none
RELATED_Q = "深圳市2025年海外发明专利授权量目标是多少？"  # the plan has only national figures
ANSWER_Q = "2025年海外发明专利授权量目标是多少？"


def client_of(app, username: str | None = None, n: int = 20) -> TestClient:
    c = TestClient(app, client=(f"192.0.2.{n}", 5000))
    if username:
        signed_in(c, username)
    return c


def ask(c, question: str, channel: str = "widget") -> dict:
    r = c.post("/ask", json={"question": question, "channel": channel})
    assert r.status_code == 200, r.text
    return r.json()
