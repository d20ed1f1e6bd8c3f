"""The front desk in a real browser (Debian's Chromium), the app served by uvicorn in this
process with the fake embedder: the widget's 办事指引 and 留言 on a phone and a desktop (consent
unticked, the contact only after ticking it, the message stored), then the staff side — the
留言 inbox and a message handled, 问题记录 searched and filtered and its CSV opened by Python's
csv module, 未回答的问题 marked, 办事指引 and 热门问题 — with axe on every page and state."""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Iterator

import pytest

from service.app import create_app
from service.office import guidance, messages
from service.office.audit import Actor
from tests.a11y import audit
from tests.fakes import FakeEmbedder
from tests.serverproc import free_port
from tests.staff_session import add, password
from tests.widget_pages import INPUT_LABEL, REPLY, SCREENSHOTS, open_widget

pytest_plugins = ("tests.browser",)
pytestmark = [pytest.mark.browser, pytest.mark.staff]
TOKEN = "browser-desk-token-0123456789"
NONE_Q = "明天北京天气怎么样？"
ANSWER_Q = "2025年海外发明专利授权量目标是多少？"
TARGETS = """() => [...document.querySelector('ipqa-widget').shadowRoot
    .querySelectorAll('.msg.bot:last-of-type button, .msg.bot:last-of-type input')]
  .filter(e => e.getClientRects().length)
  .map(e => { const r = e.getBoundingClientRect();
    return [e.textContent.trim().slice(0, 12) || e.type, r.width, r.height, r.left, r.right]; })"""


@pytest.fixture(scope="module")
def server(fake_settings, tmp_path_factory) -> Iterator[tuple[str, object]]:
    import uvicorn

    tmp = tmp_path_factory.mktemp("desk-browser")
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp}/office.db", "admin_token": TOKEN}
    )
    app = create_app(settings, embedder=FakeEmbedder())
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not served.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    office = app.state.office
    add(app, "编辑甲", "editor")
    topic = guidance.clean(
        "", "天气", "天气预报请拨打气象服务热线", "12121", "https://example.gov.cn/"
    )
    guidance.save(office.database(), Actor("编辑甲"), topic, True, None)
    office.refresh()
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        served.should_exit = True
        thread.join(timeout=10)


def _shot(page, name: str, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def _ask(page, question: str):
    from playwright.sync_api import expect

    before = page.locator(REPLY).count()
    page.get_by_label(INPUT_LABEL).fill(question)
    page.get_by_label(INPUT_LABEL).press("Enter")
    expect(page.locator(REPLY)).to_have_count(before + 1)
    return page.locator(REPLY).last


@pytest.mark.parametrize(
    ("viewport", "phone"), [((390, 844), True), ((1280, 800), False)], ids=["phone", "desktop"]
)
def test_guidance_and_a_message_from_the_widget(make_page, server, viewport, phone):
    from playwright.sync_api import expect

    url, app = server
    page = make_page(viewport, phone=phone)
    page.goto(f"{url}/")
    open_widget(page)
    answered = _ask(page, ANSWER_Q)
    assert answered.locator(".guide").count() == 0  # an answer needs no next step
    assert answered.get_by_role("button", name="把这个问题留给工作人员").count() == 0

    reply = _ask(page, NONE_Q)
    guide = reply.locator(".guide")
    expect(guide).to_contain_text("办事指引：天气预报请拨打气象服务热线")
    assert guide.get_by_role("link", name="电话 12121").get_attribute("href") == "tel:12121"
    link = guide.get_by_role("link", name="办事指南")
    assert link.get_attribute("href") == "https://example.gov.cn/"
    audit(page, f"widget ({'phone' if phone else 'desktop'}): a reply with 办事指引")

    reply.get_by_role("button", name="把这个问题留给工作人员").click()
    consent = reply.get_by_role("checkbox", name="留下联系方式，同意工作人员保存并用它答复我")
    expect(consent).to_be_focused()
    assert not consent.is_checked()  # unticked until the citizen ticks it
    contact = reply.get_by_label("电话或电子邮箱：")
    expect(contact).to_be_hidden()
    consent.check()
    expect(contact).to_be_visible()
    contact.fill("abc")
    audit(page, f"widget ({'phone' if phone else 'desktop'}): the 留言 form")
    _shot(page, f"widget-message-form-{'phone' if phone else 'desktop'}.png", full_page=False)
    reply.get_by_role("button", name="提交留言").click()
    expect(reply.locator(".fb-done")).to_contain_text("电话")  # the server's own words (422)
    if phone:  # every control a finger can hit, 44 x 44 px, none off the screen
        for name, w, h, left, right in page.evaluate(TARGETS):
            assert w >= 44 and h >= 44, (name, w, h)
            assert left >= 0 and right <= viewport[0], (name, left, right)
    contact.fill("13812345678")
    reply.get_by_role("button", name="提交留言").click()
    done = reply.locator(".fb-done")
    expect(done).to_have_text(re.compile(r"已收到留言（编号 \d+），工作人员会尽快处理。"))
    expect(done).to_be_focused()
    assert reply.get_by_role("button", name="提交留言").count() == 0
    audit(page, f"widget ({'phone' if phone else 'desktop'}): a message left")
    _shot(page, f"widget-message-{'phone' if phone else 'desktop'}.png", full_page=False)
    number = int(done.inner_text().split("编号 ")[1].split("）")[0])
    stored = messages.get(app.state.office.database(), number, full_contact=True)
    assert stored["question"] == NONE_Q and stored["contact"] == "13812345678"

    # the conversation is kept in the tab: after a reload the message shows as left
    page.reload()
    open_widget(page)
    expect(page.locator("ipqa-widget .fb-done").first).to_contain_text(f"编号 {number}")

    # without the tick, a contact typed is never sent
    again = _ask(page, NONE_Q)
    again.get_by_role("button", name="把这个问题留给工作人员").click()
    box = again.get_by_role("checkbox")
    box.check()
    again.get_by_label("电话或电子邮箱：").fill("13900000000")
    box.uncheck()
    again.get_by_role("button", name="提交留言").click()
    expect(again.locator(".fb-done")).to_contain_text("已收到留言")
    latest = messages.listing(app.state.office.database())[0][0]
    assert latest["contact"] == "" and not latest["has_contact"]


def _sign_in(page, url: str) -> None:
    page.goto(f"{url}/admin/login")
    page.get_by_label("用户名").fill("编辑甲")
    page.get_by_label("密码").fill(password("编辑甲"))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{url}/admin")


def test_the_staff_side_of_the_desk(make_page, server):
    from playwright.sync_api import expect

    url, app = server
    client_page = make_page()
    client_page.goto(f"{url}/")
    open_widget(client_page)
    for q in (ANSWER_Q, ANSWER_Q, NONE_Q):
        _ask(client_page, q)
    client_page.request.post(f"{url}/ask", data={"question": "深圳市2025年的目标是多少？"})
    client_page.request.post(
        f"{url}/messages",
        data={"question": "商标被仿冒怎么办？", "contact": "zhang@example.cn", "consent": True},
    )
    app.state.office.log.flush()

    page = make_page((1280, 900))
    _sign_in(page, url)
    nav = page.get_by_role("navigation", name="工作人员页面")

    nav.get_by_role("link", name="问题记录").click()
    audit(page, "staff: 问题记录")
    page.get_by_label("搜索问题").fill("天气")
    page.get_by_label("渠道").select_option("widget")
    page.get_by_role("button", name="筛选").click()
    table = page.locator("main table")
    expect(table).to_contain_text(NONE_Q)
    assert ANSWER_Q not in table.inner_text()
    page.get_by_label("搜索问题").fill("")
    page.get_by_label("渠道").select_option("")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator(".pager")).to_contain_text("共 ")
    _shot(page, "admin-questions.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    raw = open(download.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")  # so Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "渠道", "问题"]
    assert {r[2] for r in rows[1:]} >= {ANSWER_Q, NONE_Q} and "网页组件" in {r[1] for r in rows}

    nav.get_by_role("link", name="留言").click()
    audit(page, "staff: 留言 inbox")
    inbox = page.locator("main table").inner_text()
    assert "z***@example.cn" in inbox and "zhang@" not in inbox and "138****5678" in inbox
    _shot(page, "admin-messages.png")
    page.locator("tr", has_text="商标被仿冒").get_by_role("link").click()
    expect(page.locator("dl")).to_contain_text("zhang@example.cn")  # in full, to an editor
    page.get_by_label("答复或处理记录").fill("已回电子邮件，告知投诉渠道。")
    page.get_by_label("同时把状态改为").select_option("answered")
    page.get_by_role("button", name="保存记录").click()
    expect(page.get_by_role("status")).to_have_text("记录已保存。")
    expect(page.locator("ol.notes")).to_contain_text("编辑甲")
    expect(page.locator("dl")).to_contain_text("已答复，经办人 编辑甲")
    audit(page, "staff: a message handled")
    _shot(page, "admin-message.png")

    nav.get_by_role("link", name="未回答的问题").click()
    audit(page, "staff: 未回答的问题")
    row = page.locator("tr", has_text=NONE_Q)
    expect(row).to_contain_text("未找到")
    row.get_by_role("button", name="已处理").click()
    expect(page.locator("main")).not_to_contain_text(NONE_Q)
    page.get_by_label("处理情况").select_option("done")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tr", has_text=NONE_Q)).to_contain_text("编辑甲")

    nav.get_by_role("link", name="办事指引").click()
    audit(page, "staff: 办事指引")
    _shot(page, "admin-guidance.png")
    page.get_by_role("link", name="新增办事指引").click()
    page.get_by_label("适用的文件").select_option("plan")
    page.get_by_label("指引（一句话，最多 200 字）").fill("规划的解读请致电本局")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_have_text("请填写电话或链接（至少一项）。")
    audit(page, "staff: 办事指引 form with an error")
    page.get_by_label("电话").fill("010-12345678")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("已保存")
    expect(page.locator("main table")).to_contain_text("文件：“十四五”国家知识产权保护和运用规划")

    nav.get_by_role("link", name="推荐问题").click()
    audit(page, "staff: 推荐问题 with 热门问题")
    page.get_by_label(ANSWER_Q).check()
    page.get_by_role("button", name="发布为推荐问题（替换现有列表）").click()
    expect(page.get_by_role("status")).to_have_text("推荐问题已保存。")
    assert page.request.get(f"{url}/suggestions").json()["suggestions"] == [ANSWER_Q]
    _shot(page, "admin-suggestions-hot.png")
