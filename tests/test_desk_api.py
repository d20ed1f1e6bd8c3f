"""The front desk over HTTP (fake embedder): POST /messages (consent, validation, rate limit,
never a success for what was not stored), and 办事指引 in /ask and the chat endpoint."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from service.app import create_app
from service.office import guidance, messages
from service.office.audit import Actor
from tests.desk_app import ANSWER_Q, NONE_Q, RELATED_Q
from tests.desk_app import ask as _ask
from tests.desk_app import client_of as _client
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.desk_fixture",)


def _stored(app) -> int:
    db = app.state.office.database()
    with db.connect() as c:
        return c.execute(select(func.count()).select_from(messages.messages)).scalar_one()


# ---- POST /messages ---------------------------------------------------------------------


def test_a_message_is_stored_and_numbered(app):
    c = _client(app)
    reply = _ask(c, NONE_Q)
    assert reply["outcome"] == "none"
    r = c.post(
        "/messages",
        json={
            "question": NONE_Q,
            "contact": "13812345678",
            "consent": True,
            "answer_id": reply["answer_id"],
        },
    )
    assert r.status_code == 201 and r.json() == {"id": 1}
    r = c.post("/messages", json={"question": "没有联系方式的留言"})
    assert r.status_code == 201 and r.json() == {"id": 2}
    item = messages.get(app.state.office.database(), 1, full_contact=True)
    assert item["contact"] == "13812345678" and item["answer_id"] == reply["answer_id"]


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"question": "问题", "contact": "13812345678"}, "invalid_message", "勾选同意"),
        (
            {"question": "问题", "contact": "13812345678", "consent": False},
            "invalid_message",
            "勾选同意",
        ),
        ({"question": "问题", "contact": "随便写写", "consent": True}, "invalid_message", "电话"),
        ({"question": "   "}, "invalid_message", "请写下"),
        ({"question": "问" * 501}, "invalid_message", "500"),
        ({"contact": "13812345678", "consent": True}, "missing_field", "question"),
        ({"question": "问题", "consent": "true"}, "invalid_request", "consent"),
        ({"question": "问题", "answer_id": "<script>"}, "invalid_request", "answer_id"),
        ({"question": "问题", "name": "张三"}, "unknown_field", "name"),
    ],
)
def test_bad_messages_are_refused_clearly_and_not_stored(app, body, code, words):
    r = _client(app).post("/messages", json=body)
    assert r.status_code == 422, r.text
    out = r.json()
    assert out["error"] == code and words in out["message"] + out["message_en"], out
    assert _stored(app) == 0


def test_messages_are_rate_limited_like_feedback(fake_settings, tmp_path):
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/o.db", "rate_limit": "3/minute"}
    )
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as c:
        codes = [c.post("/messages", json={"question": f"问题{n}"}).status_code for n in range(5)]
        assert codes == [201, 201, 201, 429, 429]
        r = c.post("/messages", json={"question": "再来"})
        assert int(r.headers["retry-after"]) > 0 and r.json()["error"] == "rate_limited"


def test_a_message_that_cannot_be_stored_is_a_503_never_a_success(app, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(messages, "create", broken)
    r = _client(app).post("/messages", json={"question": "问题"})
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert r.json()["error"] == "storage_unavailable"


def test_a_message_while_the_database_is_down_is_a_503(fake_settings, tmp_path):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the database's folder should be")
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{blocked}/sub/o.db", "log_questions": False}
    )
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as c:
        assert c.post("/ask", json={"question": ANSWER_Q}).status_code == 200  # still answers
        r = c.post("/messages", json={"question": "问题"})
        assert r.status_code == 503 and r.headers["retry-after"] == "5"


def test_the_api_documents_messages_and_guidance(app):
    spec = _client(app).get("/openapi.json").json()
    assert "201" in spec["paths"]["/messages"]["post"]["responses"]
    ask = spec["components"]["schemas"]["AskResponse"]["properties"]
    assert "guidance" in ask and "guidance" not in spec["components"]["schemas"]["AskResponse"].get(
        "required", []
    )
    assert set(spec["components"]["schemas"]["GuidanceOut"]["properties"]) == {
        "text",
        "phone",
        "url",
    }


# ---- 办事指引 in the replies --------------------------------------------------------------


def test_guidance_follows_related_and_none_replies_only(app):
    c = _client(app)
    assert _ask(c, NONE_Q)["guidance"] is None  # none set yet
    db = app.state.office.database()
    topic = guidance.clean("", "天气", "天气请问气象台", "12121", "")
    guidance.save(db, Actor("ed"), topic, True, None)
    plan = guidance.clean("plan", "", "规划的解读请致电本局", "", "https://ip.example.gov.cn/")
    plan_id = guidance.save(db, Actor("ed"), plan, True, None)
    app.state.office.refresh()
    assert _ask(c, NONE_Q)["guidance"] == {"text": "天气请问气象台", "phone": "12121", "url": None}
    related = _ask(c, RELATED_Q)
    assert related["outcome"] == "related"
    assert related["guidance"] == {
        "text": "规划的解读请致电本局",
        "phone": None,
        "url": "https://ip.example.gov.cn/",
    }
    answer = _ask(c, ANSWER_Q)
    assert answer["outcome"] == "answer" and answer["guidance"] is None
    chat = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": NONE_Q}]})
    assert chat.json()["ipqa"]["guidance"]["phone"] == "12121"
    off = guidance.clean("plan", "", "规划的解读请致电本局", "", "https://ip.example.gov.cn/")
    guidance.save(db, Actor("ed"), off, False, plan_id)  # disabled: gone from the replies
    app.state.office.refresh()
    assert _ask(c, RELATED_Q)["guidance"] is None
