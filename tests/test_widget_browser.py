"""Browser tests for the embeddable widget, run in system Chromium against the real service."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.serverproc import Server, free_port, ipqa_env

pytestmark = [pytest.mark.browser, pytest.mark.real_model]

REPO = Path(__file__).parents[1]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ANSWER_TIMEOUT_MS = 30_000
MSG_CONN = "服务暂时无法连接，请稍后重试。"
OPEN_LABEL = "打开知识产权规划问答"
INPUT_LABEL = "输入您的问题"
# Selectors pierce the widget's open shadow root (Playwright CSS does that by default).
BOT = "ipqa-widget .msg.bot:not(.typing)"
REPLY = "ipqa-widget .msg.bot:not(.typing), ipqa-widget .msg.error"

HOSTILE_CSS = """
* { all: unset !important; }
div { display: none !important; }
button { font-size: 40px !important; color: red !important; }
"""


def _unavailable(reason: str) -> None:
    """Fail in CI (the browser is part of CI's set-up), skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _host_page(api: str, title: str, extra_css: str = "", head: str = "") -> str:
    """An ordinary third-party page that embeds the widget with one script tag."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">{head}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ font-family: sans-serif; margin: 0; padding: 24px; }} {extra_css}</style>
</head><body>
<header><h1>{title}</h1><nav><a href="#a">首页</a> <a href="#b">办事服务</a></nav></header>
<main><div class="content"><p>这是一个嵌入了知识产权规划问答组件的第三方页面。</p></div></main>
<script src="{api}/widget.js" data-api="{api}" defer></script>
</body></html>"""


class _Pages(BaseHTTPRequestHandler):
    pages: dict[str, str] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.pages.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _serve_pages(port: int, pages: dict[str, str]) -> ThreadingHTTPServer:
    handler = type("Pages", (_Pages,), {"pages": pages})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def sites(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The real API, an allowed host origin and a host origin that is not allowed."""
    host_port, other_port = free_port(), free_port()
    server = Server(
        ipqa_env(allowed_origins=json.dumps([f"http://127.0.0.1:{host_port}"])),
        tmp_path_factory.mktemp("service") / "server.log",
    )
    api = server.url
    host = f"http://127.0.0.1:{host_port}"
    other = f"http://127.0.0.1:{other_port}"
    pages = {
        "/plain.html": _host_page(api, "某市知识产权局（测试页）"),
        "/hostile.html": _host_page(api, "样式很激进的页面", HOSTILE_CSS),
        # no inline styles allowed: the widget's <style> is blocked and must fall back
        "/strict-csp.html": _host_page(
            api,
            "严格 CSP 的页面",
            head=(
                '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
                f"script-src {api}; connect-src {api}; style-src 'self'\">"
            ),
        ),
    }
    servers = [_serve_pages(host_port, pages), _serve_pages(other_port, pages)]

    try:
        server.wait_ready(timeout=60)
        yield {"api": api, "host": host, "other": other}
    finally:
        server.stop()
        for s in servers:
            s.shutdown()
            s.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found: run `apt-get install chromium chromium-driver`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def make_page(browser):
    """Open pages in fresh contexts; record dialogs and console errors on each."""
    contexts = []

    def make(viewport=(1280, 800)):
        ctx = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN"
        )
        contexts.append(ctx)
        page = ctx.new_page()
        page.dialogs = []
        page.console_errors = []

        def on_dialog(d):
            page.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.set_default_timeout(ANSWER_TIMEOUT_MS)
        return page

    yield make
    for ctx in contexts:
        ctx.close()


# ---- helpers -------------------------------------------------------------------------


def _open(page) -> None:
    page.get_by_role("button", name=OPEN_LABEL).click()
    page.locator("ipqa-widget .panel").wait_for(state="visible")


def _ask(page, question: str):
    """Type a question, press Enter, return the reply (answer or error) that follows it."""
    from playwright.sync_api import expect

    before = page.locator(REPLY).count()
    box = page.get_by_label(INPUT_LABEL)
    box.fill(question)
    box.press("Enter")
    expect(page.locator(REPLY)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    return page.locator(REPLY).last


def _shadow_count(page, selector: str) -> int:
    return page.evaluate(
        """sel => document.querySelectorAll(sel).length +
             [...document.querySelectorAll('ipqa-widget')]
               .reduce((n, h) => n + (h.shadowRoot ? h.shadowRoot.querySelectorAll(sel).length : 0), 0)""",
        selector,
    )


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # let the scroll settle
    page.screenshot(path=str(SCREENSHOTS / name))


# ---- tests ---------------------------------------------------------------------------


def test_answer_and_indicator_card_on_allowed_origin(sites, make_page):
    page = make_page()
    page.goto(f"{sites['host']}/plain.html")
    _open(page)
    reply = _ask(page, "2025年海外发明专利授权量目标是多少？")
    assert "msg bot" in reply.get_attribute("class"), reply.inner_text()
    assert "9万件" in reply.locator(".answer").inner_text()
    card = reply.locator(".card")
    card_text = card.inner_text()
    assert "海外发明专利授权量" in card_text
    assert "4" in card_text and "9" in card_text
    for head in ("指标", "2020年", "2025年", "累计增加"):
        assert head in card_text
    summary = reply.locator("details summary").inner_text()
    assert summary.startswith("来源（")
    reply.locator("details summary").click()
    assert " › " in reply.locator(".src .path").first.inner_text()
    assert page.dialogs == []


def test_follow_up_sends_history(sites, make_page):
    page = make_page()
    bodies: list[dict] = []
    page.on(
        "request",
        lambda r: (
            r.method == "POST" and r.url.endswith("/ask") and bodies.append(json.loads(r.post_data))
        ),
    )
    page.goto(f"{sites['host']}/plain.html")
    _open(page)
    first = _ask(page, "2025年海外发明专利授权量目标是多少？")
    assert "9万件" in first.inner_text()
    follow = _ask(page, "那2020年呢？")
    assert "4万件" in follow.locator(".answer").inner_text()

    assert len(bodies) == 2
    assert bodies[0]["question"] == "2025年海外发明专利授权量目标是多少？"
    assert bodies[0]["top_k"] == 5
    history = bodies[1]["history"]
    assert history[0] == {"role": "user", "content": "2025年海外发明专利授权量目标是多少？"}
    assert history[1]["role"] == "assistant" and "9万件" in history[1]["content"]
    assert bodies[1]["question"] == "那2020年呢？"


def test_out_of_scope_shows_suggestions(sites, make_page):
    page = make_page()
    page.goto(f"{sites['host']}/plain.html")
    _open(page)
    reply = _ask(page, "明天北京天气怎么样？")
    replies = page.locator(REPLY).count()
    chips = reply.locator("button.chip")
    assert chips.count() >= 1
    suggestion = chips.first.inner_text()
    assert suggestion.strip()
    chips.first.click()  # a suggestion asks itself
    from playwright.sync_api import expect

    expect(page.locator("ipqa-widget .msg.user").last).to_have_text(suggestion)
    expect(page.locator(REPLY)).to_have_count(replies + 1, timeout=ANSWER_TIMEOUT_MS)


def test_user_and_server_text_are_inserted_as_text(sites, make_page):
    page = make_page()
    page.goto(f"{sites['host']}/plain.html")
    _open(page)
    evil_q = "<img src=x onerror=alert(1)>知识产权"
    _ask(page, evil_q)
    assert page.locator("ipqa-widget .msg.user").last.inner_text() == evil_q
    page.wait_for_timeout(300)
    assert _shadow_count(page, "img") == 0
    assert page.dialogs == []

    payload = "<b>粗体</b><script>alert(1)</script><img src=x onerror=alert(2)>"
    fake = {
        "question": "x",
        "normalized_question": "x",
        "found": True,
        "answer": "答案" + payload,
        "passages": [
            {"id": "p-x", "text": "原文" + payload, "section": ["章" + payload, "节"], "score": 0.9}
        ],
        "indicators": [
            {
                "id": 9,
                "name": "指标" + payload,
                "unit": "件",
                "value_2020": None,
                "target_2025": 1,
                "increase": None,
            }
        ],
        "took_ms": 1.0,
    }
    page.route(
        "**/ask",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps(fake, ensure_ascii=False),
            headers={"Access-Control-Allow-Origin": sites["host"]},
        ),
        times=1,
    )
    reply = _ask(page, "测试")
    assert reply.locator(".answer").inner_text() == "答案" + payload
    reply.locator("details summary").click()
    assert reply.locator(".src-text").inner_text() == "原文" + payload
    assert payload in reply.locator(".src .path").inner_text()
    assert payload in reply.locator(".card").inner_text()
    assert "—" in reply.locator(".card").inner_text()  # null values
    page.wait_for_timeout(300)
    for tag in ("img", "b", "script:not([src])"):
        assert _shadow_count(page, tag) == 0, tag
    assert page.dialogs == []


def test_not_allowed_origin_gets_connection_error(sites, make_page):
    page = make_page()
    page.goto(f"{sites['other']}/plain.html")
    _open(page)
    reply = _ask(page, "2025年海外发明专利授权量目标是多少？")
    assert "error" in reply.get_attribute("class")
    assert MSG_CONN in reply.inner_text()
    assert page.locator(BOT).count() == 1  # only the welcome message
    retry = reply.get_by_role("button", name="重试")
    retry.click()  # resends; still blocked, so a fresh error replaces the old one
    from playwright.sync_api import expect

    expect(page.locator("ipqa-widget .msg.error")).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("ipqa-widget .msg.error")).to_contain_text(MSG_CONN)
    assert "9万件" not in page.locator("ipqa-widget .log").inner_text()


def test_error_messages_and_retry(sites, make_page):
    from playwright.sync_api import expect

    page = make_page()
    page.goto(f"{sites['host']}/plain.html")
    _open(page)
    cors = {"Access-Control-Allow-Origin": sites["host"]}
    page.route("**/ask", lambda route: route.fulfill(status=429, body="{}", headers=cors), times=1)
    reply = _ask(page, "地理标志怎么保护？")
    assert "请求过于频繁，请稍后再试。" in reply.inner_text()
    page.route("**/ask", lambda route: route.abort("failed"), times=1)
    reply = _ask(page, "2025年海外发明专利授权量目标是多少？")
    assert MSG_CONN in reply.inner_text()
    reply.get_by_role("button", name="重试").click()  # now the real service answers
    expect(page.locator("ipqa-widget .msg.error")).to_have_count(1)  # only the 429 one is left
    expect(page.locator(BOT).last).to_contain_text("9万件", timeout=ANSWER_TIMEOUT_MS)


def test_hostile_host_css_cannot_break_widget(sites, make_page):
    page = make_page()
    page.goto(f"{sites['host']}/hostile.html")
    launcher = page.get_by_role("button", name=OPEN_LABEL)
    launcher.wait_for(state="visible")
    assert launcher.evaluate("b => getComputedStyle(b).fontSize") != "40px"
    assert launcher.evaluate("b => getComputedStyle(b).color") != "rgb(255, 0, 0)"
    _open(page)
    box = page.locator("ipqa-widget .panel").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    reply = _ask(page, "2025年海外发明专利授权量目标是多少？")
    assert "9万件" in reply.inner_text()
    assert reply.bounding_box()["height"] > 0


def test_strict_csp_host_page_still_styled(sites, make_page):
    page = make_page()
    page.goto(f"{sites['host']}/strict-csp.html")
    _open(page)
    panel = page.locator("ipqa-widget .panel")
    assert panel.evaluate("p => getComputedStyle(p).position") == "fixed"
    adopted = "() => document.querySelector('ipqa-widget').shadowRoot.adoptedStyleSheets.length"
    assert page.evaluate(adopted) == 1  # the fallback, not the blocked <style>, styles it
    box = panel.bounding_box()
    assert 300 < box["width"] < 500 and box["height"] > 300
    reply = _ask(page, "2025年海外发明专利授权量目标是多少？")
    assert "9万件" in reply.inner_text()


def test_phone_viewport_is_full_screen(sites, make_page):
    page = make_page(viewport=(375, 740))
    page.goto(f"{sites['host']}/plain.html")
    _open(page)
    box = page.locator("ipqa-widget .panel").bounding_box()
    assert box["x"] <= 1 and box["y"] <= 1
    assert box["width"] >= 370 and box["height"] >= 730
    _ask(page, "2025年海外发明专利授权量目标是多少？")
    _screenshot(page, "widget-phone.png")


def test_keyboard_only(sites, make_page):
    page = make_page()
    page.goto(f"{sites['host']}/plain.html")
    page.get_by_role("button", name=OPEN_LABEL).wait_for()
    focused = (
        "() => { const h = document.activeElement; const r = h && h.shadowRoot; "
        "const a = r && r.activeElement; return a ? (a.getAttribute('aria-label') || a.id) : null; }"
    )
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate(focused) == OPEN_LABEL:
            break
    else:
        pytest.fail("Tab never reached the widget button")
    outline = page.evaluate(
        "() => getComputedStyle(document.querySelector('ipqa-widget').shadowRoot.activeElement).outlineStyle"
    )
    assert outline != "none"  # visible focus ring
    page.keyboard.press("Enter")
    page.locator("ipqa-widget .panel").wait_for(state="visible")
    assert page.evaluate(focused) == "ipqa-input"
    before = page.locator(REPLY).count()
    page.keyboard.type("2025年海外发明专利授权量目标是多少？")
    page.keyboard.press("Enter")
    from playwright.sync_api import expect

    expect(page.locator(REPLY)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    assert "9万件" in page.locator(REPLY).last.inner_text()
    page.keyboard.press("Escape")
    page.locator("ipqa-widget .panel").wait_for(state="hidden")
    assert page.evaluate(focused) == OPEN_LABEL


def test_conversation_survives_reload_and_double_load_is_harmless(sites, make_page):
    page = make_page()
    page.goto(f"{sites['host']}/plain.html")
    _open(page)
    _ask(page, "2025年海外发明专利授权量目标是多少？")
    page.add_script_tag(url=f"{sites['api']}/widget.js")  # a second copy of the tag
    page.wait_for_timeout(300)
    assert page.locator("ipqa-widget").count() == 1
    page.reload()
    _open(page)
    log = page.locator("ipqa-widget .log")
    assert "2025年海外发明专利授权量目标是多少？" in log.inner_text()
    assert "9万件" in log.inner_text()
    assert page.evaluate("() => Object.keys(window).filter(k => k.startsWith('IPQA'))") == [
        "IPQAWidget"
    ]


def test_demo_page_same_origin_and_desktop_screenshot(sites, make_page):
    page = make_page()
    page.goto(f"{sites['api']}/")
    assert "知识产权局" in page.title()
    _open(page)
    reply = _ask(page, "2025年海外发明专利授权量目标是多少？")
    assert "9万件" in reply.inner_text()
    assert reply.locator(".card").is_visible()
    _screenshot(page, "widget-desktop.png")
    blocked = [e for e in page.console_errors if "Content Security Policy" in e]
    assert blocked == [], blocked  # the demo page must run under the strict CSP


def test_widget_size_budget():
    widget = REPO / "service" / "static" / "widget.js"
    assert widget.stat().st_size < 40_000
    src = widget.read_text(encoding="utf-8")
    assert "innerHTML" not in src and "insertAdjacentHTML" not in src
