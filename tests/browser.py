"""Browser fixtures for page tests (Debian's Chromium through Playwright), as a pytest plugin.

A test module loads it with `pytest_plugins = ("tests.browser",)`; it then has the fixtures
`browser` and `make_page`, and the run ends with a summary of every axe audit (tests/a11y.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS, unavailable

ANSWER_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} not found: run `apt-get install chromium chromium-driver`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def make_page(browser):
    """Open pages in fresh contexts; record dialogs and console messages on each.

    `zoom=2` is browser zoom at 200 %: the CSS viewport shrinks by that factor and every CSS
    pixel takes `zoom` device pixels, which is what Chromium does for Ctrl + "+".
    `phone=True` adds touch and the mobile meta-viewport handling. Other keywords go to
    `browser.new_context` (reduced_motion="reduce", forced_colors="active", ...).
    """
    contexts = []

    def make(viewport=(1280, 800), *, zoom: float = 1, phone: bool = False, **options):
        ctx = browser.new_context(
            viewport={"width": round(viewport[0] / zoom), "height": round(viewport[1] / zoom)},
            device_scale_factor=zoom,
            has_touch=phone,
            is_mobile=phone,
            locale="zh-CN",
            **options,
        )
        contexts.append(ctx)
        page = ctx.new_page()
        page.dialogs = []
        page.console_errors = []
        page.console_lines = []

        def on_dialog(d):
            page.dialogs.append(d.message)
            d.dismiss()

        def on_console(m):
            page.console_lines.append(m.text)
            if m.type == "error":
                page.console_errors.append(m.text)

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.set_default_timeout(ANSWER_TIMEOUT_MS)
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.a11y import AUDITS, report_lines

    if AUDITS:
        terminalreporter.section("accessibility audit (axe-core)")
        for line in report_lines(AUDITS):
            terminalreporter.write_line(line)
