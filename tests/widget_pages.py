"""Helpers for the widget's browser tests: selectors, asking a question, screenshots."""

from __future__ import annotations

import json
from pathlib import Path

from tests.docs_out import docs_dir

ANSWER_TIMEOUT_MS = 30_000
REPO = Path(__file__).parents[1]
SCREENSHOTS = docs_dir() / "screenshots"
MSG_CONN = "服务暂时无法连接，请稍后重试。"
OPEN_LABEL = "打开知识产权规划问答"
INPUT_LABEL = "输入您的问题"
INDICATOR_Q = "2025年海外发明专利授权量目标是多少？"
WEATHER_Q = "明天北京天气怎么样？"
RELATED_Q = "深圳市2025年海外发明专利授权量目标是多少？"
RELATED_HEAD = "文件中没有直接的答案，以下内容可能相关"
# Selectors pierce the widget's open shadow root (Playwright CSS does that by default).
BOT = "ipqa-widget .msg.bot:not(.typing)"
REPLY = "ipqa-widget .msg.bot:not(.typing), ipqa-widget .msg.error"

HOSTILE_CSS = """
* { all: unset !important; }
div { display: none !important; }
button { font-size: 40px !important; color: red !important; }
"""


def open_widget(page) -> None:
    page.get_by_role("button", name=OPEN_LABEL).click()
    page.locator("ipqa-widget .panel").wait_for(state="visible")


def ask(page, question: str):
    """Type a question, press Enter, return the reply (answer or error) that follows it."""
    from playwright.sync_api import expect

    before = page.locator(REPLY).count()
    box = page.get_by_label(INPUT_LABEL)
    box.fill(question)
    box.press("Enter")
    expect(page.locator(REPLY)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    return page.locator(REPLY).last


def answer_with(page, api_origin_page: str, body: dict, status: int = 200) -> None:
    """Answer the next POST /ask with `body` (for states today's server cannot produce)."""
    page.route(
        "**/ask",
        lambda route: route.fulfill(
            status=status,
            content_type="application/json",
            body=json.dumps(body, ensure_ascii=False),
            headers={"Access-Control-Allow-Origin": api_origin_page},
        ),
        times=1,
    )


def recast(page, origin: str, change) -> None:
    """Answer the next POST /ask with the real server's reply as `change(reply)` returns it
    (for replies today's server cannot give, in the DESIGN.md shape)."""

    def handle(route):
        route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps(change(route.fetch().json()), ensure_ascii=False),
            headers={"Access-Control-Allow-Origin": origin},
        )

    page.route("**/ask", handle, times=1)


def as_related(reply: dict) -> dict:
    """A real reply recast as DESIGN.md's outcome "related" (the plan touches the subject)."""
    return reply | {
        "found": False,
        "outcome": "related",
        "indicators": [],
        "suggestions": [],
        "answer": "规划没有给出深圳市的目标，只有全国的指标。" + reply["answer"],
    }


def console_lines(page, needle: str, wait_ms: int = 1500) -> list[str]:
    """Console lines containing `needle`, once `wait_ms` has passed without a new one."""
    seen = -1
    while seen != len(page.console_lines):
        seen = len(page.console_lines)
        page.wait_for_timeout(wait_ms)
    return [line for line in page.console_lines if needle in line]


def shadow_count(page, selector: str) -> int:
    return page.evaluate(
        """sel => document.querySelectorAll(sel).length +
             [...document.querySelectorAll('ipqa-widget')]
               .reduce((n, h) => n + (h.shadowRoot ? h.shadowRoot.querySelectorAll(sel).length : 0), 0)""",
        selector,
    )


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # let the scroll settle
    page.screenshot(path=str(SCREENSHOTS / name))
