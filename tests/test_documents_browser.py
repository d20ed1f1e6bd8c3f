"""文件管理 in a real browser, with the real model: an editor signs in, uploads a Word file and
a text PDF, reads the preview (headings, the table's columns, FAQ pairs), publishes the Word
file while questions keep coming (none fails: the old build answers until the new one is
ready), and the new build answers a question only that document answers, citing it. axe-core
on every page of the way; no request leaves the machine."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import httpx
import pytest

from service.office import accounts
from service.office.db import migrate, open_engine
from tests import documents_files as files
from tests.a11y import audit
from tests.cluster import private_index
from tests.serverproc import Server, ipqa_env
from tests.staff_session import SETUP
from tests.widget_pages import SCREENSHOTS

pytest_plugins = ("tests.browser",)
pytestmark = [pytest.mark.browser, pytest.mark.real_model]
TOKEN = "documents-browser-test-token"
EDITOR, PASSWORD = "编辑小李", "documents-browser-password"
LOAD_QUESTIONS = ["地理标志怎么保护？", "2025年海外发明专利授权量目标是多少？", "专栏5是什么？"]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("documents-browser")
    url = f"sqlite:///{tmp}/office.db"
    db = open_engine(url)
    migrate(db)
    accounts.create(db, SETUP, EDITOR, "editor", PASSWORD)
    db.dispose()
    env = ipqa_env(
        index_dir=private_index(tmp),  # publishing builds here, never in another test's index
        admin_token=TOKEN,
        database_url=url,
        rate_limit="",
        index_watch="0.5",
    )
    s = Server(env, tmp / "server.log")
    try:
        s.wait_ready(timeout=120)
        yield s
    finally:
        s.stop()


class Asking(threading.Thread):
    """Questions one after another until stopped; every answer counted, every failure kept."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.stop, self.answered, self.failed = url, threading.Event(), 0, []
        self.builds: set[str] = set()

    def run(self) -> None:
        with httpx.Client(timeout=30) as c:
            n = 0
            while not self.stop.is_set():
                question = LOAD_QUESTIONS[n % len(LOAD_QUESTIONS)] + "？" * (n // 3 % 5)
                n += 1
                try:
                    r = c.post(f"{self.url}/ask", json={"question": question})
                    if r.status_code == 200 and r.json()["answer"]:
                        self.answered += 1
                    else:
                        self.failed.append(f"{r.status_code} {r.text[:200]}")
                except httpx.HTTPError as exc:
                    self.failed.append(repr(exc))
                self.builds.add(c.get(f"{self.url}/healthz").json()["build_id"])


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _built(api: str, timeout: float = 600) -> dict:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        latest = httpx.get(f"{api}/admin/api/documents/builds", headers=headers).json()
        build = latest["builds"][0]
        if build["state"] in ("done", "failed") and latest["serving_build"] == build["build_id"]:
            return build
        if build["state"] == "failed":
            raise AssertionError(build["error"])
        time.sleep(1)
    raise AssertionError(f"no build after {timeout} s: {latest}")


def test_upload_preview_publish(browser, server):
    from playwright.sync_api import expect

    offsite: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    ctx.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlparse(route.request.url).hostname == "127.0.0.1"
            else (offsite.append(route.request.url), route.abort())
        ),
    )
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.get_by_label("用户名").fill(EDITOR)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="文件管理").click()
    assert "plan" in page.locator("table").first.inner_text()  # the served plan, version 1
    audit(page, "staff: documents")

    # a text PDF: previewed, then discarded
    page.get_by_label("文件", exact=True).set_input_files(
        {"name": "海棠区指南.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}
    )
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("h1")).to_contain_text("预览")
    assert "PDF 中的表格按文字行收录" in page.content()
    assert page.locator(".node-faq").count() == 2
    audit(page, "staff: preview of a PDF")
    page.get_by_role("button", name="放弃").click()
    expect(page.get_by_role("status").first).to_contain_text("已放弃")

    # a Word file: previewed, published while questions keep coming
    page.get_by_label("文件", exact=True).set_input_files(
        {"name": "海棠区指南.docx", "mimeType": files.DOCX_TYPE, "buffer": files.docx()}
    )
    page.get_by_label("文件编号", exact=False).fill("haitang")
    page.get_by_role("button", name="上传并预览").click()
    table = page.locator(".node-table")
    expect(table).to_contain_text("列：办理事项、收费、办理时限")
    assert page.locator(".node-faq").count() == 2
    assert "全部内容都已按结构读出" in page.content()
    audit(page, "staff: preview of a Word file")
    _shot(page, "admin-document-preview.png")

    before = httpx.get(f"{server.url}/healthz").json()["build_id"]
    asking = Asking(server.url)
    asking.start()
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("status").first).to_contain_text("已发布 haitang")
    assert page.locator(".status-building").count() >= 1
    audit(page, "staff: documents while a build runs")
    _shot(page, "admin-documents-building.png")
    build = _built(server.url)
    time.sleep(1.5)  # a few more answers from the new build
    asking.stop.set()
    asking.join(timeout=60)
    assert asking.failed == [], asking.failed[:5]
    assert asking.answered >= 10 and {before, build["build_id"]} <= asking.builds, (
        asking.answered,
        asking.builds,
    )

    answer = httpx.post(f"{server.url}/ask", json={"question": files.QUESTION}, timeout=30).json()
    assert answer["passages"][0]["doc"]["id"] == "haitang", answer
    assert files.PHONE in answer["answer"], answer["answer"]

    page.goto(f"{server.url}/admin/documents?auto=0")
    row = page.locator("table").first.locator("tr", has_text="haitang")
    expect(row).to_contain_text("使用中")
    audit(page, "staff: documents after the build")
    _shot(page, "admin-documents.png")
    row.get_by_role("link", name="haitang").click()
    expect(page.locator("table").first).to_contain_text(EDITOR)  # who uploaded and published
    audit(page, "staff: a document's versions")

    # retired from its page: the next build leaves it out, and no answer cites it any more
    page.get_by_role("button", name="撤下这份文件").click()
    expect(page.get_by_role("status").first).to_contain_text("已撤下 haitang")  # queued
    retired = _built(server.url)
    assert retired["build_id"] != build["build_id"], retired
    answer = httpx.post(f"{server.url}/ask", json={"question": files.QUESTION}, timeout=30).json()
    assert "haitang" not in {p["doc"]["id"] for p in answer["passages"]}, answer
    assert httpx.get(f"{server.url}/documents/haitang").status_code == 404
    assert offsite == [], offsite
    ctx.close()
