"""The office loop in a real browser: a question the widget could not answer shows on the
staff pages, staff curate it, the widget then answers with it; 👍/👎 from the widget show on
the staff pages; the first admin made with the token and signing in with that account; axe on
every staff page and the widget's feedback; no network."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.a11y import audit
from tests.serverproc import Server, free_port, ipqa_env
from tests.widget_pages import ANSWER_TIMEOUT_MS, SCREENSHOTS, ask, open_widget
from tests.widget_site import _serve_pages, host_page

# fixtures: browser (tests.browser)
pytest_plugins = ("tests.browser",)
pytestmark = [pytest.mark.browser, pytest.mark.real_model]
TOKEN = "browser-test-staff-token"
PASSWORD = "browser-test-password"
REFUSED = "办事大厅周六开门吗？"
CURATED = "办事大厅周六上午9:00–12:00开放，其余时间请在网上办理。"
LIKED = "地理标志怎么保护？"
DISLIKED = "专栏5是什么？"
COMMENT = "想知道具体怎么申请"


@pytest.fixture(scope="module")
def office(browser, tmp_path_factory) -> Iterator[dict]:
    host_port = free_port()
    host = f"http://127.0.0.1:{host_port}"
    tmp = tmp_path_factory.mktemp("office-browser")
    server = Server(
        ipqa_env(
            allowed_origins=json.dumps([host]),
            admin_token=TOKEN,
            rate_limit="",
            database_url=f"sqlite:///{tmp}/office.db",
        ),
        tmp / "server.log",
    )
    pages = _serve_pages(
        host_port, {"/plain.html": host_page(server.url, "某市知识产权局（测试页）")}
    )
    try:
        server.wait_ready(timeout=90)
        yield {"api": server.url, "host": host, "database_url": f"sqlite:///{tmp}/office.db"}
    finally:
        server.stop()
        pages.shutdown()
        pages.server_close()


def _context(browser, offsite: list[str]):
    """A fresh context that refuses (and records) every request off this machine."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")

    def guard(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    return ctx


def _keep_an_eval_report(database_url: str) -> None:
    """What `ipqa eval` leaves for the answer-quality page (a small report of that shape)."""
    from service.office import quality
    from service.office.db import open_engine

    summary = {"n": 4, "hit@1": 0.75, "hit@5": 1.0, "mrr@10": 0.875, "answer_accuracy": 0.75}
    wrong = {
        "id": "ind-2-2025",
        "category": "indicator",
        "question": "2025年海外发明专利授权量目标是多少？",
        "ood": False,
        "expected_answer_contains": ["9万件"],
        "expected_indicator": "海外发明专利授权量",
        "answer": "到2025年，海外发明专利授权量的目标为8万件。",
        "found": True,
        "causes": ["wrong answer"],
    }
    report = {
        "created": "2026-12-01T08:00:00+00:00",
        "questions": 4,
        "modes": {
            "hybrid": {
                "overall": summary,
                "categories": {"indicator": summary, "column": {**summary, "hit@1": 1.0}},
                "questions": [wrong],
            }
        },
    }
    db = open_engine(database_url)
    quality.save(db, "in-sample", report)
    quality.save(db, "held-out", {**report, "questions": 2})
    db.dispose()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _sign_in(staff, api: str) -> None:
    """The first admin made with the token (the setup page), then signing in as that account:
    a wrong password first."""
    staff.goto(f"{api}/admin")
    assert staff.url.endswith("/admin/login")
    audit(staff, "staff: sign-in")
    staff.get_by_role("link", name="用工作人员令牌创建第一个管理员").click()
    staff.get_by_label("工作人员令牌").fill(TOKEN)
    staff.get_by_label("管理员用户名").fill("王五")
    staff.get_by_label("密码（至少 10 个字符）").fill(PASSWORD)
    staff.get_by_label("再输入一次密码").fill(PASSWORD)
    staff.get_by_role("button", name="创建管理员账号").click()
    assert "管理员账号已创建" in staff.get_by_role("status").inner_text()
    staff.get_by_label("用户名").fill("王五")
    staff.get_by_label("密码").fill("wrong-password")
    staff.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in staff.get_by_role("alert").inner_text()
    assert "ipqa_admin" not in {c["name"] for c in staff.context.cookies()}
    _shot(staff, "admin-login.png")
    staff.get_by_label("用户名").fill("王五")
    staff.get_by_label("密码").fill(PASSWORD)
    staff.get_by_role("button", name="登录").click()
    staff.wait_for_url(f"{api}/admin")
    cookie = next(c for c in staff.context.cookies() if c["name"] == "ipqa_admin")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"


def test_the_office_loop(browser, office):
    from playwright.sync_api import expect

    offsite: list[str] = []
    ctx = _context(browser, offsite)
    citizen = ctx.new_page()
    citizen.set_default_timeout(ANSWER_TIMEOUT_MS)
    citizen.goto(f"{office['host']}/plain.html")
    open_widget(citizen)

    # 👍 with the mouse on one answer; 👎 from the keyboard on another, then a comment
    liked = ask(citizen, LIKED)
    liked.get_by_role("button", name="有帮助").click()
    expect(liked.get_by_role("button", name="有帮助")).to_have_attribute("aria-pressed", "true")
    expect(liked.locator(".fb-done")).to_have_text("谢谢您的反馈。")
    liked.get_by_role("button", name="没帮助").click(force=True)  # one vote per answer
    expect(liked.get_by_role("button", name="没帮助")).to_have_attribute("aria-pressed", "false")
    disliked = ask(citizen, DISLIKED)
    disliked.get_by_role("button", name="没帮助").focus()
    citizen.keyboard.press("Enter")
    comment = disliked.get_by_label("哪里不对？可以留一句话（可不填）：")
    expect(comment).to_be_focused()  # straight to the comment box, for keyboard users
    audit(citizen, "widget: feedback with the comment box open")
    _shot(citizen, "widget-feedback.png")
    comment.type(COMMENT)
    citizen.keyboard.press("Enter")
    expect(disliked.locator(".fb-done")).to_have_text("已收到您的意见，谢谢。")
    refused = ask(citizen, REFUSED)
    assert CURATED not in refused.inner_text()

    staff = ctx.new_page()
    _sign_in(staff, office["api"])
    assert staff.locator("svg.chart").count() == 2
    figures = staff.locator(".figures").inner_text()
    assert "好评 1 条，差评 1 条" in figures, figures
    header = staff.locator("header.top").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header == "rgb(11, 79, 156)"  # the stylesheet, from the service itself
    audit(staff, "staff: overview")
    _shot(staff, "admin-overview.png")

    staff.get_by_role("link", name="差评").click()
    row = staff.locator("tr", has_text=COMMENT)
    assert DISLIKED in row.inner_text()
    audit(staff, "staff: answers rated 👎")
    _shot(staff, "admin-downvoted.png")

    staff.get_by_role("link", name="未回答的问题").click()
    row = staff.locator("tr", has_text=REFUSED)
    assert row.count() == 1, staff.locator("main").inner_text()
    audit(staff, "staff: unanswered questions")
    _shot(staff, "admin-unanswered.png")
    row.get_by_role("link", name="写人工答案").click()  # one click from the list to the form
    assert staff.get_by_label("问题", exact=True).input_value() == REFUSED
    audit(staff, "staff: new curated answer")
    staff.get_by_label("其他问法（每行一种）").fill("办事大厅星期六上班吗")
    staff.get_by_label("回答").fill(CURATED)
    staff.get_by_role("button", name="保存").click()
    assert "王五" in staff.locator("table").inner_text()
    audit(staff, "staff: curated answer with its history")
    _shot(staff, "admin-curated-edit.png")

    again = ask(citizen, REFUSED)
    assert CURATED in again.inner_text() and "工作人员整理的答案" in again.inner_text()
    reworded = ask(citizen, "办事大厅星期六上班吗？")
    assert CURATED in reworded.inner_text()

    staff.get_by_role("link", name="人工答案").click()
    assert REFUSED in staff.locator("table").inner_text()
    audit(staff, "staff: curated answers")
    _shot(staff, "admin-curated.png")
    staff.get_by_role("link", name="推荐问题").click()
    audit(staff, "staff: suggestions")
    _shot(staff, "admin-suggestions.png")
    _keep_an_eval_report(office["database_url"])
    staff.get_by_role("link", name="回答质量").click()
    assert staff.locator("svg.chart").count() == 4  # in-sample and held-out, two charts each
    assert "没答对的问题（1）" in staff.content()
    audit(staff, "staff: answer quality")
    _shot(staff, "admin-quality.png")
    assert offsite == [], offsite  # every page worked with nothing from the network
    ctx.close()
