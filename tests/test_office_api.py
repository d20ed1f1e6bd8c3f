"""The office loop over HTTP with the fake embedder: answer ids, the log, POST /feedback, the
staff pages' sign-in (each person's account), CSRF and cookies, curated answers through the
pages, the report API (still the token's)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.app import create_app
from service.office.tables import feedback, questions
from tests.conftest import make_settings
from tests.fakes import FakeEmbedder
from tests.staff_session import add, password, signed_in

TOKEN = "staff-token-for-tests"


@pytest.fixture
def office_client(fake_settings, tmp_path):
    settings = fake_settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path}/office.db",
            "admin_token": TOKEN,
            "cache_size": 64,
        }
    )
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as c:
        for name in ("王五", "李四"):
            add(c, name, "editor")
        yield c


def _rows(client, table):
    office = client.app.state.office
    assert office.log.flush()
    with office.database().connect() as c:
        return list(c.execute(select(table)))


def _sign_in(client, name="王五"):
    signed_in(client, name)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_every_response_gets_a_fresh_answer_id_and_is_logged(office_client):
    c = office_client
    ids = [
        c.post("/ask", json={"question": "地理标志怎么保护？"}).json()["answer_id"]
        for _ in range(3)  # the second and third come from the cache
    ]
    widget = c.post("/ask", json={"question": "专栏5是什么？", "channel": "widget"}).json()
    chat = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "专栏5"}]})
    chat_id = chat.json()["ipqa"]["answer_id"]
    assert len(set(ids + [widget["answer_id"], chat_id])) == 5
    assert all(re.fullmatch(r"a-[0-9a-f]{20}", i) for i in ids)
    rows = {r.answer_id: r for r in _rows(c, questions)}
    assert [rows[i].channel for i in ids] == ["api"] * 3
    assert rows[widget["answer_id"]].channel == "widget"
    assert rows[chat_id].channel == "chat" and rows[chat_id].outcome == "answer"
    assert rows[ids[0]].top_passage and rows[ids[0]].latency_ms >= 0
    assert c.get("/healthz").json()["office"]["logged"] == 5


def test_streamed_chat_carries_the_answer_id(office_client):
    body = office_client.post(
        "/v1/chat/completions",
        json={"stream": True, "messages": [{"role": "user", "content": "地理标志怎么保护？"}]},
    ).text
    assert re.search(r'"answer_id": "a-[0-9a-f]{20}"', body)


def test_logging_off_stores_no_question_but_feedback_still_works(fake_settings, tmp_path):
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/o.db", "log_questions": False}
    )
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as c:
        answer_id = c.post("/ask", json={"question": "专栏5是什么？"}).json()["answer_id"]
        assert c.post("/feedback", json={"answer_id": answer_id, "rating": "up"}).status_code == 204
        assert _rows(c, questions) == [] and len(_rows(c, feedback)) == 1


def test_feedback_status_codes(office_client):
    c = office_client
    answer_id = c.post("/ask", json={"question": "专栏5是什么？"}).json()["answer_id"]
    assert c.post("/feedback", json={"answer_id": answer_id, "rating": "up"}).status_code == 204
    r = c.post("/feedback", json={"answer_id": answer_id, "rating": "down", "comment": "不对"})
    assert r.status_code == 204 and r.content == b""
    assert c.post("/feedback", json={"answer_id": "a-0", "rating": "up"}).status_code == 404
    for bad in (
        {"answer_id": answer_id, "rating": "meh"},
        {"answer_id": answer_id},
        {"answer_id": answer_id, "rating": "up", "comment": "x" * 501},
        {"answer_id": "", "rating": "up"},
        {"answer_id": answer_id, "rating": "up", "extra": 1},
    ):
        r = c.post("/feedback", json=bad)
        assert r.status_code == 422, bad
        assert set(r.json()) == {"error", "message", "message_en"}
    rows = _rows(c, feedback)
    assert [(r.rating, r.comment) for r in rows] == [("down", "不对")]


def test_feedback_is_rate_limited_like_ask(fake_settings, tmp_path):
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/o.db", "rate_limit": "3/minute"}
    )
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as c:
        answer_id = c.post("/ask", json={"question": "专栏5是什么？"}).json()["answer_id"]
        codes = [
            c.post("/feedback", json={"answer_id": answer_id, "rating": "up"}).status_code
            for _ in range(5)
        ]
        assert codes == [204, 204, 204, 429, 429]
        limited = c.post("/feedback", json={"answer_id": answer_id, "rating": "up"})
        assert int(limited.headers["retry-after"]) >= 1


def test_staff_pages_are_closed_without_the_token(client):
    for path in (
        "/admin",
        "/admin/login",
        "/admin/setup",
        "/admin/accounts",
        "/admin/audit",
        "/admin/unanswered",
        "/admin/static/admin.css",
    ):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["error"] == "not_found", path
    assert client.get("/admin/api/report").status_code == 404
    assert client.post("/admin/login", data={"token": "", "name": "x"}).status_code == 404
    assert client.post("/admin/login", data={"username": "x", "password": "y"}).status_code == 404
    assert client.post("/admin/setup", data={"token": "", "username": "x"}).status_code == 404


def test_sign_in_cookie_and_wrong_password(office_client):
    c = office_client
    assert c.get("/admin", follow_redirects=False).headers["location"] == "/admin/login"
    wrong = c.post("/admin/login", data={"username": "王五", "password": "nope-nope-nope"})
    assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
    assert "ipqa_admin" not in c.cookies
    token = c.post("/admin/login", data={"username": "王五", "password": TOKEN})
    assert token.status_code == 401 and "ipqa_admin" not in c.cookies  # not a password
    r = c.post(
        "/admin/login",
        data={"username": "王五", "password": password("王五")},
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"]
    assert r.status_code == 303 and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/admin" in cookie and "Secure" not in cookie
    page = c.get("/admin")
    assert page.status_code == 200 and "王五" in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert not re.search(r'(src|href)="(https?:)?//', page.text)  # nothing from elsewhere
    # X-Forwarded-Proto from a client that is no trusted proxy changes nothing (issue 24);
    # tests/test_staff.py shows a trusted proxy's https making the cookie Secure
    untrusted = c.post(
        "/admin/login",
        data={"username": "王五", "password": password("王五")},
        headers={"X-Forwarded-Proto": "https"},
        follow_redirects=False,
    )
    assert untrusted.status_code == 303 and "Secure" not in untrusted.headers["set-cookie"]
    direct = TestClient(c.app, base_url="https://testserver")  # the same app, over https
    r = direct.post(
        "/admin/login",
        data={"username": "王五", "password": password("王五")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


def test_forms_need_the_csrf_token_and_our_origin(office_client):
    c = office_client
    _sign_in(c)
    page = c.get("/admin/suggestions").text
    no_token = c.post("/admin/suggestions", data={"suggestions": "坏人设的问题"})
    assert no_token.status_code == 403
    other_site = c.post(
        "/admin/suggestions",
        data={"csrf": _csrf(page), "suggestions": "坏人设的问题"},
        headers={"Origin": "http://evil.test"},
    )
    assert other_site.status_code == 403
    ok = c.post("/admin/suggestions", data={"csrf": _csrf(page), "suggestions": "专栏5是什么？"})
    opening = c.get("/suggestions").json()
    assert ok.status_code == 200 and opening["suggestions"] == ["专栏5是什么？"]
    # the widget's greeting names the documents served, and the table's caption is the index's
    assert opening["documents"] and all(isinstance(t, str) and t for t in opening["documents"])
    assert opening["table"] is None or opening["table"].endswith("主要指标")
    refused = c.post("/ask", json={"question": "明天北京天气怎么样？"}).json()
    # the staff's suggestions come with a refusal once, as their own field, not in its text
    assert refused["suggestions"] == ["专栏5是什么？"] and "专栏5是什么？" not in refused["answer"]


def test_unanswered_to_curated_through_the_pages(office_client):
    c = office_client
    question = "办事大厅几点开门？"
    first = c.post("/ask", json={"question": question}).json()
    assert first["found"] is False
    assert c.app.state.office.log.flush()  # the writer gathers for half a second
    _sign_in(c, "李四")
    page = c.get("/admin/unanswered").text
    link = re.search(r'href="(/admin/curated/new\?q=[^"]+)"', page).group(1)
    form = c.get(link.replace("&amp;", "&")).text
    assert question in form
    saved = c.post(
        "/admin/curated",
        data={
            "csrf": _csrf(form),
            "question": question,
            "variants": "办事大厅开门时间",
            "answer": "工作日上午9点开门。",
            "passages": "",
        },
    )
    assert saved.status_code == 200 and "修改记录" in saved.text
    again = c.post("/ask", json={"question": "办事大厅几点开门"}).json()  # cached before
    assert again["outcome"] == "curated" and again["found"] is True
    assert again["answer"] == "工作日上午9点开门。"
    variant = c.post("/ask", json={"question": "办事大厅开门时间？"}).json()
    assert variant["outcome"] == "curated"
    cid = re.search(r"/admin/curated/(\d+)", str(saved.url)).group(1)
    c.post(f"/admin/curated/{cid}", data={"csrf": _csrf(saved.text), "action": "disable"})
    assert c.post("/ask", json={"question": question}).json()["found"] is False
    history = c.get(f"/admin/curated/{cid}").text
    assert history.count("李四") >= 2 and "停用" in history


def test_downvoted_page_shows_comments(office_client):
    c = office_client
    answer_id = c.post("/ask", json={"question": "专栏5是什么？"}).json()["answer_id"]
    c.post("/feedback", json={"answer_id": answer_id, "rating": "down", "comment": "<b>不全</b>"})
    assert c.app.state.office.log.flush()
    _sign_in(c)
    page = c.get("/admin/downvoted").text
    assert "专栏5是什么？" in page and "&lt;b&gt;不全&lt;/b&gt;" in page  # escaped, never HTML
    overview = c.get("/admin").text
    assert "<svg" in overview and "每天的评价" in overview


def test_report_api_needs_the_bearer_token(office_client):
    c = office_client
    c.post("/ask", json={"question": "明天北京天气怎么样？"})
    c.app.state.office.log.flush()
    assert c.get("/admin/api/report").status_code == 401
    assert c.get("/admin/api/report", headers={"Authorization": "Bearer x"}).status_code == 401
    r = c.get("/admin/api/report?days=7", headers={"Authorization": f"Bearer {TOKEN}"})
    body = r.json()
    assert r.status_code == 200 and body["days"] == 7 and body["questions"] == 1
    assert body["unanswered"][0]["count"] == 1 and body["log"]["dropped_writes"] == 0
    assert (
        c.get("/admin/api/report?days=0", headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        == 422
    )


def test_no_client_address_user_agent_or_cookie_in_any_table(office_client):
    c = office_client
    markers = {
        "User-Agent": "MarkerAgent/9.9",
        "X-Forwarded-For": "198.51.100.77",
        "X-Real-IP": "198.51.100.78",
        "Cookie": "track=CookieMarker123",
    }
    r = c.post("/ask", json={"question": "我的电话13812345678，专栏5是什么？"}, headers=markers)
    c.post(
        "/feedback",
        json={"answer_id": r.json()["answer_id"], "rating": "down", "comment": "回电13812345678"},
        headers=markers,
    )
    c.post(
        "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "专栏6"}]},
        headers=markers,
    )
    dump = _dump_every_table(c.app.state.office)
    for needle in ("testclient", "198.51.100", "MarkerAgent", "CookieMarker", "13812345678"):
        assert needle not in dump, needle
    assert "***********" in dump


def _dump_every_table(office) -> str:
    """Every value of every row of every table the database has (not only the ones we know)."""
    from sqlalchemy import MetaData

    assert office.log.flush()
    meta = MetaData()
    meta.reflect(office.database())
    with office.database().connect() as c:
        return "\n".join(
            repr(tuple(row)) for table in meta.sorted_tables for row in c.execute(select(table))
        )


def test_answers_survive_a_database_that_cannot_open(fake_settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{blocker}/sub/o.db", "admin_token": TOKEN}
    )
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as c:
        for _ in range(3):
            assert c.post("/ask", json={"question": "专栏5是什么？"}).status_code == 200
        c.app.state.office.log.flush(timeout=20)
        health = c.get("/healthz").json()["office"]
        assert health["database"] == "error" and health["dropped_writes"] == 0
        assert health["spool"]["entries"] == 3  # kept on disk until the database opens
        r = c.post("/feedback", json={"answer_id": "a-x", "rating": "up"})
        assert r.status_code == 503 and r.json()["error"] == "storage_unavailable"


def test_make_settings_keeps_the_database_in_the_temp_dir(tmp_path):
    assert str(tmp_path) in make_settings(tmp_path).database_url


def test_answer_quality_page_and_file(office_client, tmp_path):
    from service.office import quality

    report = {
        "created": "2026-12-01T10:00:00+00:00",
        "questions": 2,
        "modes": {
            "hybrid": {
                "overall": {"n": 2, "hit@1": 0.5, "answer_accuracy": 0.5},
                "categories": {"indicator": {"n": 2, "hit@1": 0.5, "answer_accuracy": 0.5}},
                "questions": [
                    {
                        "id": "q1",
                        "category": "indicator",
                        "question": "专栏<5>是什么？",
                        "ood": False,
                        "expected_answer_contains": ["地理标志"],
                        "answer": "别的",
                        "found": True,
                        "causes": ["wrong answer"],
                    }
                ],
            }
        },
    }
    c = office_client
    _sign_in(c)
    assert "还没有评测结果" in c.get("/admin/quality").text
    quality.save(c.app.state.office.database(), "in-sample", report)
    quality.save(c.app.state.office.database(), "held-out", {**report, "questions": 1})
    page = c.get("/admin/quality").text
    assert page.index("规划问题 · 调优集") < page.index("规划问题 · 留出集（未参与调优）")
    assert "首条命中率" in page and 'title="hit@1"' in page and "回答不对" in page
    assert "专栏&lt;5&gt;是什么？" in page and "回答包含：地理标志" in page and "<svg" in page
    html = quality.render_file(quality.latest(c.app.state.office.database()))
    assert "<style>" in html and "font-family" in html and "&#34;" not in html.split("</style>")[0]
