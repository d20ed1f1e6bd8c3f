"""The office loop in a real browser: a question the widget could not answer shows on the
staff pages, staff curate it, the widget then answers with it; sign-in; no network needed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.serverproc import Server, free_port, ipqa_env
from tests.test_widget_browser import (
    ANSWER_TIMEOUT_MS,
    CHROMIUM,
    CHROMIUM_ARGS,
    INPUT_LABEL,
    OPEN_LABEL,
    REPLY,
    SCREENSHOTS,
    _host_page,
    _serve_pages,
    _unavailable,
)

pytestmark = [pytest.mark.browser, pytest.mark.real_model]
TOKEN = "browser-test-staff-token"
REFUSED = "办事大厅周六开门吗？"
CURATED = "办事大厅周六上午9:00–12:00开放，其余时间请在网上办理。"


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Iterator[dict]:
    import os

    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} not found: run `apt-get install chromium chromium-driver`")
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
        host_port, {"/plain.html": _host_page(server.url, "某市知识产权局（测试页）")}
    )
    try:
        server.wait_ready(timeout=90)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield {"api": server.url, "host": host, "browser": browser}
            browser.close()
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


def _ask_widget(page, question: str):
    from playwright.sync_api import expect

    before = page.locator(REPLY).count()
    box = page.get_by_label(INPUT_LABEL)
    box.fill(question)
    box.press("Enter")
    expect(page.locator(REPLY)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    return page.locator(REPLY).last


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_refused_question_to_curated_answer(office):
    offsite: list[str] = []
    ctx = _context(office["browser"], offsite)
    citizen = ctx.new_page()
    citizen.set_default_timeout(ANSWER_TIMEOUT_MS)
    citizen.goto(f"{office['host']}/plain.html")
    citizen.get_by_role("button", name=OPEN_LABEL).click()
    refused = _ask_widget(citizen, REFUSED)
    assert CURATED not in refused.inner_text()

    staff = ctx.new_page()
    staff.goto(f"{office['api']}/admin")
    assert staff.url.endswith("/admin/login")
    staff.get_by_label("您的姓名").fill("王五")
    staff.get_by_label("工作人员令牌").fill("wrong-token")
    staff.get_by_role("button", name="登录").click()
    assert "令牌不正确" in staff.get_by_role("alert").inner_text()
    _shot(staff, "admin-login.png")
    staff.get_by_label("您的姓名").fill("王五")
    staff.get_by_label("工作人员令牌").fill(TOKEN)
    staff.get_by_role("button", name="登录").click()
    staff.wait_for_url(f"{office['api']}/admin")
    assert staff.locator("svg.chart").count() == 2
    header = staff.locator("header.top").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header == "rgb(11, 79, 156)"  # the stylesheet loaded from the service itself
    _shot(staff, "admin-overview.png")

    staff.get_by_role("link", name="未回答的问题").click()
    row = staff.locator("tr", has_text=REFUSED)
    assert row.count() == 1
    _shot(staff, "admin-unanswered.png")
    row.get_by_role("link", name="写人工答案").click()  # one click from the list to the form
    assert staff.get_by_label("问题", exact=True).input_value() == REFUSED
    staff.get_by_label("其他问法（每行一种）").fill("办事大厅星期六上班吗")
    staff.get_by_label("回答").fill(CURATED)
    staff.get_by_role("button", name="保存").click()
    assert "王五" in staff.locator("table").inner_text()
    _shot(staff, "admin-curated-edit.png")

    again = _ask_widget(citizen, REFUSED)
    assert CURATED in again.inner_text()
    reworded = _ask_widget(citizen, "办事大厅星期六上班吗？")
    assert CURATED in reworded.inner_text()

    staff.get_by_role("link", name="人工答案").click()
    assert REFUSED in staff.locator("table").inner_text()
    _shot(staff, "admin-curated.png")
    staff.get_by_role("link", name="推荐问题").click()
    _shot(staff, "admin-suggestions.png")
    assert offsite == [], offsite  # every page worked with nothing from the network
    ctx.close()
