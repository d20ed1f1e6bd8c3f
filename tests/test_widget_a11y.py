"""Accessibility of the widget and the demo page: axe in every state, 适老化, reflow, screen readers."""

from __future__ import annotations

import pytest

from tests.a11y import audit
from tests.widget_pages import (
    INDICATOR_Q,
    INPUT_LABEL,
    MSG_CONN,
    RELATED_HEAD,
    RELATED_Q,
    REPLY,
    WEATHER_Q,
    answer_with,
    as_related,
    ask,
    open_widget,
    recast,
    screenshot,
    shadow_count,
)

# fixtures: browser, make_page (tests.browser) and sites (tests.widget_site)
pytest_plugins = ("tests.browser", "tests.widget_site")
pytestmark = [pytest.mark.browser, pytest.mark.real_model]

PHONE = (375, 740)
BIG = "大字"
ALL_INDICATORS_Q = "“十四五”时期知识产权发展有哪些主要指标？"

# Everything the widget shows that is clipped, off screen or on top of a sibling.
LAYOUT_PROBLEMS = """(top) => {
  const root = document.querySelector('ipqa-widget').shadowRoot;
  const vw = document.documentElement.clientWidth;
  const out = [];
  const name = e => e.tagName.toLowerCase() + [...e.classList].map(c => '.' + c).join('')
    + (e.textContent ? ' "' + e.textContent.trim().slice(0, 16) + '"' : '');
  const shown = e => {
    const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && !e.closest('.sr-only');
  };
  const panel = root.querySelector(top);
  const all = [panel, ...panel.querySelectorAll('*')].filter(e => !(e instanceof SVGElement) && shown(e));
  for (const e of all) {
    const cs = getComputedStyle(e), r = e.getBoundingClientRect();
    if (cs.overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1)
      out.push(`${name(e)} cuts its content off sideways (${e.scrollWidth} > ${e.clientWidth} px)`);
    if (['hidden', 'clip'].includes(cs.overflowY) && e.scrollHeight > e.clientHeight + 1)
      out.push(`${name(e)} cuts its content off at the bottom (${e.scrollHeight} > ${e.clientHeight} px)`);
    if (r.left < -0.5 || r.right > vw + 0.5)
      out.push(`${name(e)} is off screen (${Math.round(r.left)}..${Math.round(r.right)} of ${vw} px)`);
    const kids = [...e.children].filter(k => !(k instanceof SVGElement) && shown(k)
      && !['absolute', 'fixed'].includes(getComputedStyle(k).position));
    for (let i = 0; i < kids.length; i++) for (let j = i + 1; j < kids.length; j++) {
      const a = kids[i].getBoundingClientRect(), b = kids[j].getBoundingClientRect();
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 0.5 && h > 0.5) out.push(`${name(kids[i])} overlaps ${name(kids[j])}`);
    }
  }
  // an empty input's placeholder is its visible label: it must show whole
  const input = root.querySelector('.input'), cs = getComputedStyle(input);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
  const room = input.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  if (top === '.panel' && !input.value && ctx.measureText(input.placeholder).width > room + 1)
    out.push(`the placeholder "${input.placeholder}" is cut off`);
  const log = root.querySelector('.log');
  if (top === '.panel' && log.clientHeight < 0.4 * panel.clientHeight)
    out.push(`the conversation has only ${log.clientHeight} of ${panel.clientHeight} px`);
  if (document.documentElement.scrollWidth > vw + 1)
    out.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${vw} px)`);
  return out;
}"""

TARGETS = """() => [...document.querySelector('ipqa-widget').shadowRoot
    .querySelectorAll('button, input, summary')]
  .filter(e => e.getClientRects().length)
  .map(e => { const r = e.getBoundingClientRect();
    return [e.getAttribute('aria-label') || e.textContent.trim().slice(0, 20), r.width, r.height]; })"""


def _big(page, on: bool = True) -> None:
    toggle = page.get_by_role("button", name=BIG)
    if (toggle.get_attribute("aria-pressed") == "true") != on:
        toggle.click()


def _font_px(page, selector: str = "ipqa-widget .answer") -> float:
    size = page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    return round(size, 1)


def _fill_conversation(page, host: str) -> None:
    """The widest indicator card with its sources open, a refusal, a related reply."""
    reply = ask(page, ALL_INDICATORS_Q)
    reply.locator("summary").click()
    ask(page, WEATHER_Q)
    recast(page, host, as_related)
    ask(page, RELATED_Q)


# ---- the audit -----------------------------------------------------------------------


def test_axe_finds_nothing_in_any_widget_state(sites, make_page):
    page = make_page()
    page.goto(f"{sites['api']}/")  # the demo page, under its strict CSP
    audit(page, "demo page, widget closed")
    open_widget(page)
    audit(page, "widget open, welcome")

    held = []
    page.route(
        "**/ask", lambda route: held.append(route), times=1
    )  # hold the answer back: the waiting state
    box = page.get_by_label(INPUT_LABEL)
    box.fill(INDICATOR_Q)
    box.press("Enter")
    page.locator("ipqa-widget .typing").wait_for()
    audit(page, "waiting for an answer")
    held[0].continue_()
    page.locator(REPLY).nth(1).wait_for()
    reply = page.locator(REPLY).last
    assert "9万件" in reply.inner_text()
    audit(page, "answer with indicator card")
    reply.locator("summary").click()
    audit(page, "answer with its sources open")

    ask(page, WEATHER_Q)
    audit(page, "refused (outcome none) with suggestion chips")
    recast(page, sites["api"], as_related)
    ask(page, RELATED_Q)
    audit(page, "related outcome")
    curated = {"found": True, "outcome": "curated", "answer": "工作人员整理的答案文本。"}
    answer_with(page, sites["api"], curated)
    ask(page, "专利权质押登记在哪里办？")
    audit(page, "curated answer")

    answer_with(page, sites["api"], {}, status=429)
    ask(page, "地理标志怎么保护？")
    audit(page, "error: rate limited")
    page.route("**/ask", lambda route: route.abort("failed"), times=1)
    ask(page, "地理标志怎么保护？")
    audit(page, "error: no connection, with retry")

    _big(page)
    audit(page, "large text (大字)")


def test_axe_on_a_phone_a_refused_origin_and_forced_colors(sites, make_page):
    page = make_page(PHONE, phone=True)
    page.goto(f"{sites['api']}/")
    audit(page, "phone: demo page")
    open_widget(page)
    _big(page)
    _fill_conversation(page, sites["api"])
    audit(page, "phone: full screen, large text, three outcomes")

    page = make_page()
    page.goto(f"{sites['other']}/plain.html")  # an origin the API does not allow
    open_widget(page)
    assert MSG_CONN in ask(page, INDICATOR_Q).inner_text()
    audit(page, "third-party page whose origin the API refuses")

    page = make_page(forced_colors="active")
    page.goto(f"{sites['api']}/")
    open_widget(page)
    ask(page, INDICATOR_Q)
    # Under forced colors the reader's palette replaces the page's colours (the computed styles
    # are system colours), but axe still measures the page's own: its contrast rule misfires.
    audit(page, "forced colors (high contrast)", skip=("color-contrast",))


# ---- 适老化: large text, zoom, narrow screens, touch ------------------------------------


def test_large_text_toggle_is_remembered_per_site(sites, make_page):
    page = make_page()
    page.goto(f"{sites['host']}/plain.html")
    open_widget(page)
    toggle = page.get_by_role("button", name=BIG)
    assert toggle.get_attribute("aria-pressed") == "false"
    normal = _font_px(page)
    assert normal == 14
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert _font_px(page) == 21
    assert _font_px(page, "ipqa-widget .title") == 24  # headings grow with the text

    page.reload()
    open_widget(page)
    assert page.get_by_role("button", name=BIG).get_attribute("aria-pressed") == "true"
    assert _font_px(page) == 21

    page.goto(f"{sites['other']}/plain.html")  # another site keeps its own choice
    open_widget(page)
    assert page.get_by_role("button", name=BIG).get_attribute("aria-pressed") == "false"
    assert _font_px(page) == 14


def test_data_font_scale_sets_the_sites_text_size(sites, make_page):
    page = make_page()
    page.goto(f"{sites['host']}/scaled.html")  # data-font-scale="1.5"
    open_widget(page)
    assert _font_px(page) == 21
    _big(page)
    assert _font_px(page) == 28  # 1.5 x 1.5 is capped at twice the normal size


def test_text_follows_the_readers_default_font_size(sites, make_page):
    page = make_page()
    cdp = page.context.new_cdp_session(page)
    # the browser setting "font size: large" (Chromium's default is 16 px)
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 20}})
    page.goto(f"{sites['host']}/plain.html")
    open_widget(page)
    assert _font_px(page) == 17.5  # 14/16 of the reader's size
    _big(page)
    assert _font_px(page) == pytest.approx(26.25, abs=0.06)


CASES = {
    "320px": dict(viewport=(320, 640)),
    "320px-large": dict(viewport=(320, 640), big=True),
    "320px-scaled-large": dict(viewport=(320, 640), big=True, page="scaled.html"),
    "desktop-large": dict(viewport=(1280, 800), big=True),
    "zoom-200": dict(viewport=(1280, 800), zoom=2),
    "zoom-200-full-hd": dict(viewport=(1920, 1080), zoom=2),
    "zoom-200-large": dict(viewport=(1280, 800), zoom=2, big=True),
    "phone-large": dict(viewport=PHONE, phone=True, big=True),
}
SHOTS = {"320px": "widget-320px.png", "zoom-200": "widget-zoom-200.png"}
SHOTS["phone-large"] = "widget-large-text-phone.png"


@pytest.mark.parametrize("case", list(CASES))
def test_nothing_clipped_or_overlapping(sites, make_page, case):
    c = CASES[case]
    page = make_page(c["viewport"], zoom=c.get("zoom", 1), phone=c.get("phone", False))
    page.goto(f"{sites['host']}/{c.get('page', 'plain.html')}")
    assert page.evaluate("innerWidth") == c["viewport"][0] / c.get("zoom", 1)
    problems = page.evaluate(LAYOUT_PROBLEMS, ".launcher")
    assert problems == [], problems
    open_widget(page)
    _big(page, c.get("big", False))
    _fill_conversation(page, sites["host"])
    problems = page.evaluate(LAYOUT_PROBLEMS, ".panel")
    assert problems == [], problems
    if case in SHOTS:
        page.locator("ipqa-widget .card").last.scroll_into_view_if_needed()
        screenshot(page, SHOTS[case])


def test_the_demo_page_reflows_at_320px(sites, make_page):
    page = make_page((320, 640))
    page.goto(f"{sites['api']}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("big", [False, True], ids=["normal", "large"])
def test_touch_targets_on_a_phone_are_44px(sites, make_page, big):
    page = make_page(PHONE, phone=True)
    page.goto(f"{sites['host']}/plain.html")
    open_widget(page)
    _big(page, big)
    ask(page, WEATHER_Q)  # suggestion chips
    ask(page, INDICATOR_Q)  # sources summary
    page.route("**/ask", lambda route: route.abort("failed"), times=1)
    ask(page, INDICATOR_Q)  # retry button
    targets = page.evaluate(TARGETS)
    assert len(targets) >= 12, targets
    small = [t for t in targets if t[1] < 44 or t[2] < 44]
    assert small == [], small


# ---- motion and high contrast -----------------------------------------------------------


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_reduced_motion_stops_the_animations(sites, make_page, motion):
    page = make_page(reduced_motion=motion)
    page.goto(f"{sites['host']}/plain.html")
    launcher = page.locator("ipqa-widget .launcher")
    duration = launcher.evaluate("e => getComputedStyle(e).transitionDuration")
    open_widget(page)
    held = []
    page.route("**/ask", lambda route: held.append(route), times=1)
    box = page.get_by_label(INPUT_LABEL)
    box.fill(INDICATOR_Q)
    box.press("Enter")
    dot = page.locator("ipqa-widget .dots i").first
    dot.wait_for()
    animation = dot.evaluate("e => getComputedStyle(e).animationName")
    held[0].continue_()
    if motion == "reduce":
        assert (animation, duration) == ("none", "0s")
    else:  # so the check above can fail
        assert animation == "ipqa-b" and duration != "0s"


def test_forced_colors_keep_controls_visible(sites, make_page):
    page = make_page(forced_colors="active")
    page.goto(f"{sites['api']}/")
    launcher = page.locator("ipqa-widget .launcher")
    style = "e => { const c = getComputedStyle(e); return [c.borderTopStyle, c.borderTopColor]; }"
    border, colour = launcher.evaluate(style)
    assert border == "solid" and colour != launcher.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )  # the button's edge is drawn in the system colours
    open_widget(page)
    ask(page, INDICATOR_Q)
    for sel in (".send", ".icon-btn", ".big", ".msg.user", ".chip"):
        border, _ = page.locator(f"ipqa-widget {sel}").first.evaluate(style)
        assert border == "solid", sel
    toggle = page.get_by_role("button", name=BIG)
    background = "e => getComputedStyle(e).backgroundColor"
    off = toggle.evaluate(background)
    toggle.click()
    assert toggle.evaluate(background) != off  # pressed is visible without the page's colours
    toggle.click()
    page.get_by_label(INPUT_LABEL).focus()
    page.keyboard.press("Tab")  # to the send button, by keyboard: the focus ring shows
    ring = page.evaluate(
        "() => { const e = document.querySelector('ipqa-widget').shadowRoot.activeElement;"
        " return [e.className, getComputedStyle(e).outlineStyle]; }"
    )
    assert ring == ["send", "solid"], ring
    screenshot(page, "widget-forced-colors.png")


# ---- screen readers -------------------------------------------------------------------


ADDED = """() => {
  const log = document.querySelector('ipqa-widget').shadowRoot.querySelector('[role=log]');
  window.__added = [];
  new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n =>
    window.__added.push(n.textContent)))).observe(log, { childList: true, subtree: true });
}"""


def test_screen_reader_hears_each_answer_once_with_its_outcome(sites, make_page):
    page = make_page()
    page.goto(f"{sites['host']}/english.html")  # an English page: the widget marks its own lang
    open_widget(page)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("ipqa-widget .root").get_attribute("lang") == "zh-CN"
    page.evaluate(ADDED)
    reply = ask(page, INDICATOR_Q)
    answer = reply.locator(".answer").inner_text()
    assert "9万件" in answer

    # The accessibility tree holds the answer once, inside the polite log, after its outcome.
    tree = page.locator("body").aria_snapshot()
    assert tree.count(answer) == 1, tree
    log = page.get_by_role("log", name="对话记录")
    assert log.get_attribute("aria-live") == "polite"
    assert log.get_attribute("aria-relevant") == "additions"
    log_tree = log.aria_snapshot()
    assert log_tree.count(answer) == 1
    assert "回答：" in log_tree.split(answer)[0].splitlines()[-2]  # said just before the answer
    # no second live region (alert, status) to announce it again
    assert shadow_count(page, "[role=alert], [role=status], [aria-live]") == 1

    # The indicator card is a table with column and row headers; sources are a list.
    card = reply.locator(".card").aria_snapshot()
    for head in ("指标", "2020年", "2025年", "累计增加"):
        assert f'columnheader "{head}"' in card
    assert 'rowheader "海外发明专利授权量' in card
    reply.locator("summary").click()
    sources = reply.locator("details").aria_snapshot()
    assert "- list:" in sources and sources.count("- listitem:") >= 1
    # Every button has a name.
    buttons = [line for line in tree.splitlines() if line.strip().startswith("- button")]
    shown = "() => [...document.querySelector('ipqa-widget').shadowRoot.querySelectorAll('button')]"
    shown += ".filter(b => b.getClientRects().length).length"
    assert len(buttons) == page.evaluate(shown) >= 7, buttons
    assert all(b.rstrip(":").endswith('"') for b in buttons), buttons

    # The log region was given the answer once; a later answer does not repeat it.
    ask(page, WEATHER_Q)
    added = page.evaluate("window.__added")
    assert sum(answer in text for text in added) == 1, added

    # The other outcomes announce theirs first.
    none_tree = page.locator(REPLY).last.aria_snapshot()
    assert none_tree.lstrip("- ").startswith("text: 未找到答案："), none_tree
    recast(page, sites["host"], as_related)
    related = ask(page, RELATED_Q).aria_snapshot()
    assert f'heading "{RELATED_HEAD}"' in related.splitlines()[0], related
