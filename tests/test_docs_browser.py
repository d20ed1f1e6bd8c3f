"""/docs and /redoc render in headless Chromium with every request off 127.0.0.1 blocked (an
office network without internet), and nothing trips their Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.serverproc import Server, ipqa_env, plan_index, require_model

pytest_plugins = ("tests.browser",)  # the shared Chromium fixture
pytestmark = [pytest.mark.browser, pytest.mark.real_model]
RENDER_TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[str]:
    require_model()
    server = Server(ipqa_env(index_dir=plan_index()), tmp_path_factory.mktemp("docs") / "s.log")
    try:
        server.wait_ready()
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def offline_page(browser):
    """A page whose every request to anywhere but 127.0.0.1 is aborted and recorded."""
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    page.blocked, page.csp_errors, page.errors = [], [], []

    def route(r):
        if urlparse(r.request.url).hostname == "127.0.0.1" or r.request.url.startswith(
            ("data:", "blob:")
        ):
            return r.continue_()
        page.blocked.append(r.request.url)
        return r.abort()

    ctx.route("**/*", route)

    def console(m):
        if "Content Security Policy" in m.text:
            page.csp_errors.append(m.text)
        elif m.type == "error":
            page.errors.append(m.text)

    page.on("console", console)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.set_default_timeout(RENDER_TIMEOUT_MS)
    yield page
    ctx.close()


def test_swagger_ui_renders_offline(api, offline_page):
    page = offline_page
    page.goto(f"{api}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "知识产权规划问答" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-summary-path[data-path='/ask']")
    paths = page.eval_on_selector_all(
        ".opblock-summary-path", "els => els.map(e => e.dataset.path)"
    )
    assert {"/ask", "/v1/chat/completions", "/indicators", "/healthz"} <= set(paths), paths
    page.click(".opblock-summary-path[data-path='/ask']")  # opening an operation works too
    page.wait_for_selector(".opblock.is-open .opblock-body")
    assert page.blocked == [] and page.csp_errors == [], (page.blocked, page.csp_errors)
    assert page.errors == [], page.errors


def test_redoc_renders_offline(api, offline_page):
    page = offline_page
    page.goto(f"{api}/redoc")
    page.wait_for_selector("h1:has-text('知识产权规划问答')")
    page.wait_for_selector("text=OpenAI 兼容的对话接口")
    assert page.blocked == [] and page.csp_errors == [], (page.blocked, page.csp_errors)
    assert page.errors == [], page.errors
