"""Where the widget leaves the conversation when a reply arrives: a reply taller than the message
list opens at its first line (not at its end, the fifth passage of a `related` reply), a short
reply stays whole; on a desktop and on a phone."""

from __future__ import annotations

import pytest

from tests.widget_pages import (
    INDICATOR_Q,
    RELATED_Q,
    as_related,
    ask,
    open_widget,
    recast,
    screenshot,
)

# fixtures: browser, make_page (tests.browser) and sites (tests.widget_site)
pytest_plugins = ("tests.browser", "tests.widget_site")
pytestmark = [pytest.mark.browser, pytest.mark.real_model]

# The reply's box, its first line and the part of the message list that is on screen.
GEOMETRY = """(reply) => {
  const log = reply.closest('.log');
  const l = log.getBoundingClientRect(), r = reply.getBoundingClientRect();
  const first = reply.querySelector('.outcome, .tag, .answer');
  const f = first.getBoundingClientRect();
  return {
    top: r.top, bottom: r.bottom, height: r.height,
    shownTop: l.top, shownBottom: l.top + log.clientHeight, shown: log.clientHeight,
    firstTop: f.top, firstLineBottom: f.top + parseFloat(getComputedStyle(first).lineHeight),
    firstText: first.textContent.slice(0, 20),
  };
}"""


def _geometry(reply) -> dict:
    reply.page.wait_for_timeout(100)  # a frame for any late layout
    return reply.evaluate(GEOMETRY)


def _whole(g: dict) -> bool:
    return g["top"] >= g["shownTop"] - 0.5 and g["bottom"] <= g["shownBottom"] + 0.5


@pytest.mark.parametrize(
    "viewport, phone", [((1280, 800), False), ((390, 844), True)], ids=["desktop", "phone"]
)
def test_a_long_reply_opens_at_its_first_line_and_a_short_one_stays_whole(
    sites, make_page, viewport, phone
):
    page = make_page(viewport, phone=phone)
    page.goto(f"{sites['host']}/plain.html")
    open_widget(page)

    short = _geometry(ask(page, INDICATOR_Q))
    assert short["height"] < short["shown"], short  # the test needs a reply that fits
    assert _whole(short), short

    recast(page, sites["host"], as_related)  # the plan touches it: five passages, shown open
    long = _geometry(ask(page, RELATED_Q))
    assert long["height"] > long["shown"], long  # the test needs a reply that does not fit
    assert long["firstText"].startswith("文件中没有直接的答案"), long
    # its first line is on screen, at the top of the message list
    assert long["shownTop"] - 0.5 <= long["firstTop"], long
    assert long["firstLineBottom"] <= long["shownBottom"], long
    assert long["top"] - long["shownTop"] < 40, long
    screenshot(page, f"widget-long-reply-{'phone' if phone else 'desktop'}.png")

    after = _geometry(ask(page, INDICATOR_Q))  # the next short reply: whole, at the end
    assert _whole(after), after
