"""The reader: GET /documents and GET /documents/{id} built from the served index's passages
(headings at their levels, tables, FAQ pairs, articles, every passage an anchor, the linked one
highlighted, a clear 404), and passages[].url in /ask and the chat endpoint opening there.
The documents are the plan and two written here (fake embedder), so each rule is shown on text
the reader was not written for."""

from __future__ import annotations

import re
import shutil

import pytest
from fastapi.testclient import TestClient

from corpus.load import DEFAULT_CORPUS_DIR
from index.store import build_index
from service.app import create_app
from service.reader.library import passage_url
from tests.conftest import make_settings
from tests.fakes import FakeEmbedder
from tests.html_tree import Element, parse

# A guide with Markdown headings, a captioned table, bullets kept only in a section's overview,
# FAQ pairs and a 专栏; its file name (the document's id) is Chinese, so its URL is quoted.
GUIDE_ID = "窗口指南"
GUIDE = """# 某区商标窗口办事指南（示例）

## 一、受理范围

### （一）办理事项

商标注册申请、变更、转让和续展的窗口受理。

### （二）办理对象

- 本区登记的企业
- 本区户籍的个体工商户

## 二、收费和时限

各事项的费用和时限如下表：

| 事项 | 收费 | 时限 |
|---|---|---|
| 注册申请 | 270元 | 即时受理 |
| 续展申请 | 500元 | 3个工作日 |

专栏1 窗口便民措施

- 提供免费复印
- 提供排队叫号短信提醒

## 三、常见问答

问：窗口周六办公吗？
答：不办公。周六可以在网上提交申请。

问：可以代别人办理吗？
答：可以，需要带授权委托书。
"""

RULES = """某区商标品牌扶持规定（示例）

第一章 总则

第一条 为支持本区商标品牌发展，制定本规定。

第二条 本规定适用于在本区登记的企业：
（一）注册地在本区；
（二）依法纳税。

第二章 附则

第三条 本规定自2027年1月1日起施行。
"""


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reader")
    corpus = tmp / "corpus"
    corpus.mkdir()
    shutil.copy(DEFAULT_CORPUS_DIR / "plan.txt", corpus / "plan.txt")
    (corpus / f"{GUIDE_ID}.md").write_text(GUIDE, encoding="utf-8")
    (corpus / "rules.txt").write_text(RULES, encoding="utf-8")
    settings = make_settings(
        tmp, model=FakeEmbedder.model_id, dense_index="numpy", corpus_dir=corpus
    )
    build_index(
        corpus, FakeEmbedder(), settings.index_dir, hnsw_threshold=10**6, dense_index="numpy"
    )
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as client:
        yield client


def _passages(client, doc: str) -> list:
    return [p for p in client.app.state.runtime.engine.searcher.passages if p.doc == doc]


def _page(client, doc: str, **params) -> Element:
    r = client.get(passage_url(doc, "x").split("#")[0], params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    return parse(r.text)


def _squash(text: str) -> str:
    """Text compared without spacing and the separators the page turns into structure."""
    return re.sub(r"[\s；：:]", "", text)


def _classes(e: Element) -> set[str]:
    return set((e.attrs.get("class") or "").split())


def test_documents_lists_what_the_index_serves(reader):
    served = reader.app.state.runtime.engine.searcher.passages
    body = reader.get("/documents").json()
    assert {d["id"] for d in body} == {p.doc for p in served} == {"plan", GUIDE_ID, "rules"}
    guide = next(d for d in body if d["id"] == GUIDE_ID)
    assert guide["title"] == "某区商标窗口办事指南（示例）"
    assert guide["passages"] == len(_passages(reader, GUIDE_ID))
    assert guide["url"] == "/documents/%E7%AA%97%E5%8F%A3%E6%8C%87%E5%8D%97"
    page = reader.get("/documents", headers={"accept": "text/html,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html")
    links = {a.attrs["href"]: a.text() for a in parse(page.text).find_all("a")}
    assert links[guide["url"]] == guide["title"]


def test_every_passage_is_an_anchor_holding_its_text(reader):
    for doc in ("plan", GUIDE_ID, "rules"):
        page = _page(reader, doc)
        ids = [e.attrs["id"] for e in page.iter() if e.attrs.get("id", "").startswith("p-")]
        passages = _passages(reader, doc)
        assert sorted(ids) == sorted(p.id for p in passages), doc  # each once, none made up
        for p in passages:
            e = page.by_id(p.id)
            shown = _squash(e.text())
            if p.kind in ("row", "indicator"):
                assert e.tag == "tr" and e.find("th", scope="row") is not None
                cells = [c.text() for c in e.children if isinstance(c, Element)]
                assert all(_squash(c) in _squash(p.text) for c in cells), (p.text, cells)
            elif p.kind == "overview" and e.tag == "ul":  # bullets kept only in the overview
                assert all(_squash(li.text()) in _squash(p.text) for li in e.find_all("li"))
            elif p.kind == "overview":  # read at its section's heading, or its table's
                holder = e.parent if e.tag == "span" else e
                if holder.tag == "div":
                    assert "table" in _classes(holder) and holder.find("caption") is not None
                    assert holder.find("caption").text() == p.section[-1]
                else:
                    assert holder.tag in ("h2", "h3", "h4") and holder.text() == p.section[-1]
            elif p.id == page.find("h1").attrs.get("id"):  # the title line, and what follows
                subtitle = page.find("p", class_="subtitle")
                rest = subtitle.text() if subtitle is not None else ""
                assert _squash(p.text) == _squash(e.text() + rest)
            else:
                assert shown == _squash(p.text), (p.kind, p.text, e.text())


def test_headings_at_their_levels_and_bullets_from_the_overview(reader):
    page = _page(reader, GUIDE_ID)
    assert page.find("h1").text() == "某区商标窗口办事指南（示例）"
    assert [h.text() for h in page.find_all("h2")] == [
        "一、受理范围",
        "二、收费和时限",
        "三、常见问答",
    ]
    sub = next(h for h in page.find_all("h3") if h.text() == "（二）办理对象")
    chapter = next(a for a in sub.ancestors() if a.tag == "section").parent
    assert chapter.find("h2").text() == "一、受理范围"  # nested in its chapter's section
    items = sub.parent.find("ul", class_="items")  # bullets only the overview passage holds
    assert [li.text() for li in items.find_all("li")] == ["本区登记的企业", "本区户籍的个体工商户"]
    box = page.find("div", class_="box")
    assert box.find("p", class_="box-title").text() == "专栏1 窗口便民措施"
    assert [li.text() for li in box.find_all("li")] == ["提供免费复印", "提供排队叫号短信提醒"]


def test_a_table_is_a_table_with_its_caption_and_columns(reader):
    table = _page(reader, GUIDE_ID).find("table")
    assert table.find("caption").text() == "各事项的费用和时限如下表"
    assert [th.text() for th in table.find("thead").find_all("th")] == ["事项", "收费", "时限"]
    rows = table.find("tbody").find_all("tr")
    assert [[c.text() for c in r.children if isinstance(c, Element)] for r in rows] == [
        ["注册申请", "270元", "即时受理"],
        ["续展申请", "500元", "3个工作日"],
    ]
    assert all(r.attrs["id"].startswith("p-") for r in rows)
    region = table.parent  # scrolls sideways on a phone, reachable from the keyboard
    assert region.attrs["role"] == "region" and region.attrs["tabindex"] == "0"


def test_the_plans_indicator_table(reader):
    table = next(t for t in _page(reader, "plan").find_all("table") if t.find("caption"))
    assert "主要指标" in table.find("caption").text()
    heads = [th.text() for th in table.find("thead").find_all("th")]
    assert heads == ["指标", "2020年", "2025年", "累计增加值"]
    row = table.by_id("p-9ffdc9a58e")
    assert [c.text() for c in row.children] == ["海外发明专利授权量（万件）", "4", "9", "5"]
    assert len(table.find("tbody").find_all("tr")) == 8


def test_faq_pairs_and_articles(reader):
    faqs = _page(reader, GUIDE_ID).find_all("div", class_="faq")
    assert [(f.find("p", class_="q").text(), f.find("p", class_="a").text()) for f in faqs] == [
        ("问：窗口周六办公吗？", "答：不办公。周六可以在网上提交申请。"),
        ("问：可以代别人办理吗？", "答：可以，需要带授权委托书。"),
    ]
    rules = _page(reader, "rules")
    articles = rules.find_all("p", class_="article")
    assert [a.find("strong").text() for a in articles] == ["第一条", "第二条", "第三条"]
    assert len(articles[1].find_all("br")) == 2  # its items （一）（二） on lines of their own
    assert [h.text() for h in rules.find_all("h2")] == ["第一章 总则", "第二章 附则"]
    assert not any(h.text().startswith("第一条") for h in rules.find_all("h3"))  # not a heading


def test_the_linked_passage_is_highlighted(reader):
    page = _page(reader, "plan", p="p-9ffdc9a58e")
    assert [e.attrs["id"] for e in page.find_all(class_="hl")] == ["p-9ffdc9a58e"]
    assert "hidden" in page.by_id("stale").attrs  # the notice for a missing passage: hidden
    # an overview read at its heading: the heading is what lights up
    heading = next(h for h in page.find_all("h2") if h.text() == "二、总体要求")
    marked = _page(reader, "plan", p=heading.attrs["id"])
    assert [e.text() for e in marked.find_all(class_="hl")] == ["二、总体要求"]
    stale = _page(reader, "plan", p="p-0000000000")  # a link into an older version
    assert stale.find_all(class_="hl") == [] and "hidden" not in stale.by_id("stale").attrs
    css = reader.get("/reader.css").text  # and with a #p-… fragment, without any script
    assert ":target" in css and "tr:target" in css


def test_an_unknown_document_is_a_clear_404_page(reader):
    r = reader.get("/documents/no-such-document")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    page = parse(r.text)
    assert page.find("html").attrs["lang"] == "zh-CN"
    assert page.find("h1").text() == "没有找到这份文件"
    assert "no-such-document" in page.find("main").text()
    assert "/documents/plan" in {a.attrs["href"] for a in page.find_all("a")}


def test_the_page_loads_nothing_from_elsewhere(reader):
    r = reader.get("/documents/plan")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "http:" not in r.text and "https:" not in r.text and "<style" not in r.text
    page = parse(r.text)
    assert page.find("meta", name="viewport") is not None
    for asset, kind in (("/reader.css", "text/css"), ("/reader.js", "text/javascript")):
        got = reader.get(asset)
        assert got.status_code == 200 and got.headers["content-type"].startswith(kind)
        again = reader.get(asset, headers={"if-none-match": got.headers["etag"]})
        assert again.status_code == 304


def _opens_at_its_passage(client, passage: dict) -> None:
    assert passage["url"] == passage_url(passage["doc"]["id"], passage["id"])
    path, _, anchor = passage["url"].partition("#")
    assert anchor == passage["id"]
    r = client.get(path)
    assert r.status_code == 200
    assert parse(r.text).by_id(anchor) is not None


def test_ask_and_chat_passages_carry_a_url_that_opens_at_the_passage(reader):
    body = reader.post("/ask", json={"question": "海外发明专利授权量2025年的目标是多少？"}).json()
    assert body["passages"]
    for p in body["passages"]:
        _opens_at_its_passage(reader, p)
    chat = reader.post(
        "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "海外发明专利授权量2025年的目标是多少？"}]},
    ).json()
    assert chat["ipqa"]["passages"]
    for p in chat["ipqa"]["passages"]:
        _opens_at_its_passage(reader, p)


def test_passage_url_quotes_the_document_id():
    assert passage_url("plan", "p-9ffdc9a58e") == "/documents/plan#p-9ffdc9a58e"
    assert passage_url("a b/c", "p-1") == "/documents/a%20b%2Fc#p-1"


def test_the_url_is_in_the_api_schema(reader):
    schema = reader.get("/openapi.json").json()["components"]["schemas"]
    assert "url" in schema["PassageOut"]["properties"]
    assert set(schema["DocumentOut"]["properties"]) == {"id", "title", "passages", "url"}
