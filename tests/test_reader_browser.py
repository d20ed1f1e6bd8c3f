"""A source in the widget opens the reader in a new tab, at its passage: highlighted and in view,
on a desktop and on a 390×844 phone; the reader reflows, loads nothing from elsewhere and
passes axe. Real service (real model), system Chromium; and the staff form's passage search
under axe."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.a11y import audit
from tests.widget_pages import INDICATOR_Q, ask, open_widget, screenshot

# fixtures: browser, make_page (tests.browser) and sites (tests.widget_site)
pytest_plugins = ("tests.browser", "tests.widget_site")
pytestmark = [pytest.mark.browser, pytest.mark.real_model]
HIGHLIGHT = "rgb(255, 241, 184)"  # reader.css --hl
DEVICES = {"desktop": dict(viewport=(1280, 800)), "phone": dict(viewport=(390, 844), phone=True)}


def _painted(target) -> str:
    """The highlight as drawn: a table row's is on its cells."""
    return target.evaluate(
        "e => getComputedStyle(e.tagName === 'TR' ? e.cells[0] : e).backgroundColor"
    )


def _watch(context) -> tuple[list[str], list[str]]:
    """Requests off this machine and console errors, on every page the context opens."""
    offsite: list[str] = []
    errors: list[str] = []
    context.on(
        "request",
        lambda r: (
            urlparse(r.url).hostname not in ("127.0.0.1", "localhost") and offsite.append(r.url)
        ),
    )
    context.on("console", lambda m: m.type == "error" and errors.append(m.text))
    return offsite, errors


@pytest.mark.parametrize("device", list(DEVICES))
def test_a_source_opens_the_reader_at_its_passage(sites, make_page, device):
    from playwright.sync_api import expect

    opts = DEVICES[device]
    page = make_page(opts["viewport"], phone=opts.get("phone", False))
    page.goto(f"{sites['host']}/plain.html")
    open_widget(page)
    reply = ask(page, INDICATOR_Q)
    reply.locator("details summary").click()
    link = reply.locator("a.path").first
    expect(link).to_be_visible()
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel").split()
    href = link.get_attribute("href")
    assert href.startswith(f"{sites['api']}/documents/") and "#p-" in href, href
    passage = href.rsplit("#", 1)[1]

    offsite, errors = _watch(page.context)
    with page.context.expect_page() as opened:
        link.click()
    reader = opened.value
    reader.wait_for_load_state("load")
    assert reader.url == href
    assert reader.evaluate("window.opener") is None
    target = reader.locator(f"[id='{passage}']")
    expect(target).to_be_in_viewport()
    assert target.evaluate("e => e.matches(':target')")
    assert _painted(target) == HIGHLIGHT
    assert reader.locator("h1").inner_text().strip()
    # readable on the device: nothing wider than the screen, body text at least 16 px
    assert reader.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert reader.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    audit(reader, f"reader: a passage opened from the widget ({device})")
    screenshot(reader, f"reader-{device}.png")
    assert offsite == [] and errors == [], (offsite, errors)


def test_a_passage_named_by_query_is_marked_and_scrolled_to(sites, make_page):
    from playwright.sync_api import expect

    page = make_page((390, 844), phone=True)
    offsite, errors = _watch(page.context)
    rows = page.request.get(f"{sites['api']}/documents").json()
    plan = next(d for d in rows if d["id"] == "plan")
    page.goto(f"{sites['api']}{plan['url']}")
    last = page.locator("tr[id^='p-']").last  # far down the page on a phone
    passage = last.get_attribute("id")
    page.goto(f"{sites['api']}{plan['url']}?p={passage}")
    target = page.locator(f"[id='{passage}']")
    expect(target).to_be_in_viewport()  # brought into view by reader.js
    assert "hl" in target.get_attribute("class").split()
    assert _painted(target) == HIGHLIGHT
    assert not page.locator("#stale").is_visible()

    page.goto(f"{sites['api']}{plan['url']}#p-0000000000")  # a link into an older version
    expect(page.locator("#stale")).to_be_visible()
    assert offsite == [] and errors == [], (offsite, errors)  # no CSP refusals, no script errors


def test_the_curated_forms_passage_search_passes_axe(make_page, fake_settings, tmp_path):
    """The staff form after 查找段落 (rendered by the app with the fake embedder, shown in the
    browser with its own stylesheet): found passages to tick, with links to the reader."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from tests.fakes import FakeEmbedder
    from tests.staff_session import add, csrf, signed_in

    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/office.db", "admin_token": "t" * 24}
    )
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as client:
        add(client, "编辑甲", "editor")
        signed_in(client, "编辑甲")
        form = client.get("/admin/curated/new").text
        fields = {"csrf": csrf(form), "question": "地理标志怎么保护？", "answer": "见专栏5。"}
        found = client.post("/admin/curated", data={**fields, "action": "find", "find": "地理标志"})
        css = client.get("/admin/static/admin.css").text
    assert found.status_code == 200

    page = make_page((390, 844), phone=True)
    site = "http://ipqa.test"

    def serve(route):
        path = urlparse(route.request.url).path
        if path == "/admin/static/admin.css":
            route.fulfill(status=200, content_type="text/css", body=css)
        elif path == "/admin/curated":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=found.text)
        else:
            route.fulfill(status=404, body="")

    page.route(f"{site}/**", serve)
    page.goto(f"{site}/admin/curated")
    boxes = page.get_by_role("checkbox")
    assert boxes.count() >= 1
    link = page.get_by_role("link", name="查看原文").first  # "…（在新窗口打开）" for screen readers
    assert link.is_visible() and link.get_attribute("href").startswith("/documents/plan#p-")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    audit(page, "staff: curated form, passages found to cite (phone)")
