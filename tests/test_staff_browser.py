"""Staff accounts in a real browser (Debian's Chromium), the app served by uvicorn in this
process with the fake embedder: the first admin made with the token, signing in through the
page (a wrong password first), an editor's account opened on the accounts page, what the
editor may not open, disabling it ending its session at once, the audit log; axe on each."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from service.app import create_app
from tests.a11y import audit
from tests.fakes import FakeEmbedder
from tests.serverproc import free_port
from tests.widget_pages import SCREENSHOTS

pytest_plugins = ("tests.browser",)
pytestmark = [pytest.mark.browser, pytest.mark.staff]
TOKEN = "browser-staff-accounts-token"
ADMIN_PASSWORD = "the-admin-password-1"
EDITOR_PASSWORD = "the-editor-password-1"


@pytest.fixture(scope="module")
def server(fake_settings, tmp_path_factory) -> Iterator[str]:
    import uvicorn

    tmp = tmp_path_factory.mktemp("staff-browser")
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp}/office.db", "admin_token": TOKEN}
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, embedder=FakeEmbedder()),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        proxy_headers=False,
    )
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not served.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        served.should_exit = True
        thread.join(timeout=10)


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/admin/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_accounts_through_the_pages(make_page, server):
    from playwright.sync_api import expect

    admin = make_page()
    admin.goto(f"{server}/admin")
    assert admin.url.endswith("/admin/login")
    audit(admin, "staff: sign-in with an account")
    admin.get_by_role("link", name="用工作人员令牌创建第一个管理员").click()
    audit(admin, "staff: the first admin")
    admin.get_by_label("工作人员令牌").fill("not-the-token")
    admin.get_by_label("管理员用户名").fill("boss")
    admin.get_by_label("密码（至少 10 个字符）").fill(ADMIN_PASSWORD)
    admin.get_by_label("再输入一次密码").fill(ADMIN_PASSWORD)
    admin.get_by_role("button", name="创建管理员账号").click()
    expect(admin.get_by_role("alert")).to_have_text("令牌不正确。")
    admin.get_by_label("工作人员令牌").fill(TOKEN)
    admin.get_by_label("密码（至少 10 个字符）").fill(ADMIN_PASSWORD)
    admin.get_by_label("再输入一次密码").fill(ADMIN_PASSWORD)
    admin.get_by_role("button", name="创建管理员账号").click()
    expect(admin.get_by_role("status")).to_have_text("管理员账号已创建，请登录。")

    _sign_in(admin, server, "boss", "a-wrong-password")
    expect(admin.get_by_role("alert")).to_have_text("用户名或密码不正确。")
    assert "ipqa_admin" not in {c["name"] for c in admin.context.cookies()}
    _sign_in(admin, server, "boss", ADMIN_PASSWORD)
    admin.wait_for_url(f"{server}/admin")
    cookie = next(c for c in admin.context.cookies() if c["name"] == "ipqa_admin")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
    assert "boss（管理员）" in admin.locator("header.top").inner_text()

    admin.get_by_role("navigation").get_by_role("link", name="账号").click()
    admin.get_by_label("用户名").fill("王五")
    admin.get_by_label("角色", exact=True).select_option("editor")
    admin.get_by_label("初始密码（至少 10 个字符）").fill(EDITOR_PASSWORD)
    admin.get_by_label("再输入一次初始密码").fill(EDITOR_PASSWORD)
    admin.get_by_role("button", name="开通账号").click()
    expect(admin.get_by_role("status")).to_contain_text("账号已创建")
    row = admin.locator("tr", has_text="王五")
    assert "编辑" in row.locator("select option:checked").inner_text()

    editor = make_page()
    _sign_in(editor, server, "王五", EDITOR_PASSWORD)
    editor.wait_for_url(f"{server}/admin")
    nav = editor.get_by_role("navigation", name="工作人员页面")
    assert nav.get_by_role("link", name="人工答案").count() == 1
    assert nav.get_by_role("link", name="账号").count() == 0  # not an admin's nav
    response = editor.goto(f"{server}/admin/accounts")
    assert response.status == 403 and "需要“管理员”角色" in editor.locator("main").inner_text()
    audit(editor, "staff: a page the role may not open")
    editor.goto(f"{server}/admin")

    admin.reload()
    audit(admin, "staff: accounts")
    _shot(admin, "admin-accounts.png")
    admin.locator("tr", has_text="王五").get_by_role("button", name="停用").click()
    expect(admin.get_by_role("status")).to_contain_text("账号已停用")
    editor.reload()  # the very next page: signed out
    assert editor.url.endswith("/admin/login")
    _sign_in(editor, server, "王五", EDITOR_PASSWORD)
    expect(editor.get_by_role("alert")).to_have_text("此账号已停用，请联系管理员。")

    admin.get_by_role("navigation").get_by_role("link", name="审计日志").click()
    table = admin.locator("table.audit").inner_text()
    for text in ("停用账号", "新建账号", "登录", "令牌创建", "王五"):
        assert text in table, text
    audit(admin, "staff: audit log")
    _shot(admin, "admin-audit.png")
    admin.get_by_role("button", name="退出").click()
    assert admin.url.endswith("/admin/login")
    admin.goto(f"{server}/admin/audit")
    assert admin.url.endswith("/admin/login")  # signed out on the server too
