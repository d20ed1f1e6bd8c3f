"""The front desk's staff pages over HTTP (fake embedder): 留言, 办事指引, 问题记录 and
未回答的问题 by role (viewers read, editors change, every change audited), the CSV and the
scripted APIs, and 热门问题 published as the widget's suggestions."""

from __future__ import annotations

import csv
import io

import pytest

from service.office import messages
from tests.desk_app import ANSWER_Q, NONE_Q, RELATED_Q, TOKEN
from tests.desk_app import ask as _ask
from tests.desk_app import client_of as _client
from tests.staff_session import audit_entries, csrf

pytest_plugins = ("tests.desk_fixture",)
pytestmark = pytest.mark.staff

READ = ["/admin/messages", "/admin/messages/1", "/admin/guidance", "/admin/questions"]
READ += ["/admin/unanswered", "/admin/questions.csv", "/admin/suggestions"]


@pytest.mark.parametrize(("user", "can_edit"), [("vi", False), ("ed", True)])
def test_each_role_reads_the_pages_and_only_editors_change(app, user, can_edit):
    _client(app).post(
        "/messages", json={"question": "专利费减缓？", "contact": "13812345678", "consent": True}
    )
    c = _client(app, user)
    for path in READ:
        assert c.get(path).status_code == 200, path
    assert "138****5678" in c.get("/admin/messages").text
    assert "13812345678" not in c.get("/admin/messages").text  # never in the list
    page = c.get("/admin/messages/1").text
    assert ("13812345678" in page) == can_edit  # in full on its own page, to editors only
    assert c.get("/admin/guidance/new").status_code == (200 if can_edit else 403)
    token = csrf(page)
    r = c.post(
        "/admin/messages/1",
        data={"csrf": token, "action": "status", "status": "open"},
        follow_redirects=False,
    )
    assert r.status_code == (303 if can_edit else 403)
    status = messages.get(app.state.office.database(), 1, False)["status"]
    assert status == ("open" if can_edit else "new")


def test_an_editor_handles_a_message(app):
    _client(app).post("/messages", json={"question": "地理标志怎么申请？"})
    c = _client(app, "ed")
    token = csrf(c.get("/admin/messages/1").text)
    r = c.post(
        "/admin/messages/1",
        data={"csrf": token, "action": "note", "note": "已电话答复。", "status": "answered"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/messages/1?saved=note"
    page = c.get(r.headers["location"]).text
    assert "记录已保存" in page and "已电话答复。" in page and "经办人 ed" in page
    r = c.post("/admin/messages/1", data={"csrf": token, "action": "note", "note": " "})
    assert r.status_code == 422 and "请写下" in r.text
    r = c.post("/admin/messages/1", data={"csrf": "wrong", "action": "status", "status": "new"})
    assert r.status_code == 403
    assert c.get("/admin/messages/99").status_code == 404
    actions = [(e["actor"], e["action"]) for e in audit_entries(app)]
    assert ("ed", "message.note") in actions and ("ed", "message.status") in actions
    assert "已答复（1）" in c.get("/admin/messages").text


def test_an_editor_sets_guidance_on_the_page(app):
    c = _client(app, "ed")
    token = csrf(c.get("/admin/guidance/new").text)
    r = c.post("/admin/guidance", data={"csrf": token, "keywords": "天气", "text": "问气象台"})
    assert r.status_code == 422 and "电话或链接" in r.text and "问气象台" in r.text  # kept
    form = {"csrf": token, "keywords": "天气", "text": "问气象台", "phone": "12121"}
    r = c.post("/admin/guidance", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert _ask(c, NONE_Q)["guidance"]["phone"] == "12121"  # at once, on this replica
    listed = c.get("/admin/guidance").text
    assert "主题：天气" in listed and "12121" in listed
    edit = c.get("/admin/guidance/1").text
    assert 'value="plan"' in edit  # the served documents are the choices
    r = c.post("/admin/guidance/1", data={"csrf": token, "action": "delete"})
    assert r.status_code == 200 and _ask(c, NONE_Q)["guidance"] is None
    assert [e["action"] for e in audit_entries(app)][-2:] == ["guidance.create", "guidance.delete"]


def test_the_question_log_page_filters_and_pages(app):
    c = _client(app)
    for n in range(3):
        _ask(c, f"{NONE_Q}{n}", channel="api")
    _ask(c, RELATED_Q)
    app.state.office.log.flush()
    staff = _client(app, "vi")
    page = staff.get("/admin/questions").text
    assert "共 4 条" in page and "网页组件" in page
    page = staff.get("/admin/questions", params={"channel": "widget"}).text
    assert "共 1 条" in page and RELATED_Q in page and NONE_Q not in page
    page = staff.get("/admin/questions", params={"q": "天气", "outcome": "none"}).text
    assert "共 3 条" in page
    page = staff.get("/admin/questions", params={"doc": "plan"}).text
    assert "共 1 条" in page and "“十四五”国家知识产权保护和运用规划" in page
    page = staff.get("/admin/questions", params={"from": "31/12/2026"}).text
    assert "起始日期应为" in page
    assert (
        'href="/admin/questions.csv?channel=widget"'
        in staff.get("/admin/questions", params={"channel": "widget"}).text
    )


def test_the_csv_for_staff_and_for_scripts(app):
    c = _client(app)
    _ask(c, RELATED_Q)
    _ask(c, NONE_Q, channel="api")
    app.state.office.log.flush()
    assert _client(app).get("/admin/api/questions.csv").status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert _client(app).get("/admin/api/questions.csv", headers=bad).status_code == 401
    r = _client(app).get(
        "/admin/api/questions.csv",
        params={"channel": "widget"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][2] == RELATED_Q and rows[1][4] == "相关内容"
    staff = _client(app, "vi").get("/admin/questions.csv")
    assert staff.status_code == 200 and staff.text.count("\n") == 3


def test_the_messages_api_masks_contacts(app):
    _client(app).post(
        "/messages", json={"question": "问题", "contact": "zhang@example.cn", "consent": True}
    )
    assert _client(app).get("/admin/api/messages").status_code == 401
    r = _client(app).get("/admin/api/messages", headers={"Authorization": f"Bearer {TOKEN}"})
    out = r.json()
    assert out["total"] == 1 and out["messages"][0]["contact"] == "z***@example.cn"
    assert "zhang@" not in r.text


def test_unanswered_rows_are_marked_and_paged(app):
    c = _client(app)
    _ask(c, RELATED_Q)
    _ask(c, NONE_Q, channel="api")
    app.state.office.log.flush()
    ed = _client(app, "ed")
    page = ed.get("/admin/unanswered").text
    assert "相关内容" in page and "规划只给出全国的指标" in page  # the reply given
    assert RELATED_Q in ed.get("/admin/unanswered", params={"channel": "widget"}).text
    assert NONE_Q not in ed.get("/admin/unanswered", params={"channel": "widget"}).text
    normalized = RELATED_Q.rstrip("？")
    back = "/admin/unanswered?mark=todo&page=1"
    r = ed.post(
        "/admin/unanswered/mark",
        data={"csrf": csrf(page), "normalized": normalized, "status": "done", "back": back},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == back
    assert RELATED_Q not in ed.get("/admin/unanswered").text
    assert RELATED_Q in ed.get("/admin/unanswered", params={"mark": "done"}).text
    evil = {"csrf": csrf(page), "normalized": "x", "status": "ignored", "back": "https://evil/"}
    r = ed.post("/admin/unanswered/mark", data=evil, follow_redirects=False)
    assert r.headers["location"] == "/admin/unanswered"
    vi = _client(app, "vi", 21)
    r = vi.post("/admin/unanswered/mark", data={"csrf": csrf(vi.get("/admin").text)})
    assert r.status_code == 403
    assert audit_entries(app)[-2]["action"] == "question.mark"


def test_hot_questions_are_published_as_suggestions(app):
    c = _client(app)
    for _ in range(2):
        _ask(c, ANSWER_Q)
    app.state.office.log.flush()
    ed = _client(app, "ed")
    page = ed.get("/admin/suggestions").text
    assert "热门问题" in page and f'value="{ANSWER_Q}"' in page and "（2 次）" in page
    token = csrf(page)
    r = ed.post(
        "/admin/suggestions/hot",
        data={"csrf": token, "hot-00": ANSWER_Q, "action": "replace"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert c.get("/suggestions").json()["suggestions"] == [ANSWER_Q]
    ed.post("/admin/suggestions", data={"csrf": token, "suggestions": "甲？\n乙？"})
    ed.post("/admin/suggestions/hot", data={"csrf": token, "hot-00": ANSWER_Q, "action": "append"})
    assert c.get("/suggestions").json()["suggestions"] == ["甲？", "乙？", ANSWER_Q]
    r = ed.post("/admin/suggestions/hot", data={"csrf": token}, follow_redirects=False)
    assert r.headers["location"].endswith("saved=none")
    assert [e["action"] for e in audit_entries(app)].count("suggestions.set") == 3
