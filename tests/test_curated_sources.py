"""Curated answers cite passages found by their words, not typed ids: the staff passage search
(GET /admin/api/passages), 查找段落 in the curated form, the cited passages shown with links to
the reader on the form and the list, and the curated answer's sources in /ask (fake embedder)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.reader.library import passage_url
from tests.fakes import FakeEmbedder
from tests.html_tree import parse
from tests.staff_session import add, csrf, signed_in

TOKEN = "staff-token-for-citing"
ROW = "p-9ffdc9a58e"  # the plan's 海外发明专利授权量 indicator row
QUESTION = "海外专利授权的目标写在哪里？"
ANSWER = "规划的主要指标表：2025年海外发明专利授权量目标为9万件。"
FIELDS = {"id", "doc", "doc_title", "section", "text", "url"}


@pytest.fixture
def office(fake_settings, tmp_path):
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/office.db", "admin_token": TOKEN}
    )
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as c:
        add(c, "编辑甲", "editor")
        yield c


def _search(client, q: str, **kw) -> list[dict]:
    r = client.get("/admin/api/passages", params={"q": q}, **kw)
    assert r.status_code == 200, r.text
    return r.json()["passages"]


def _bearer() -> dict:
    return {"headers": {"Authorization": f"Bearer {TOKEN}"}}


def test_the_passage_search_is_for_staff_only(client, office):
    assert client.get("/admin/api/passages", params={"q": "专利"}).status_code == 404  # closed
    r = office.get("/admin/api/passages", params={"q": "专利"})
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    wrong = {"headers": {"Authorization": "Bearer nope"}}
    assert office.get("/admin/api/passages", params={"q": "专利"}, **wrong).status_code == 401
    assert _search(office, "专利", **_bearer())
    signed_in(office, "编辑甲")  # a staff member's own session will do too
    assert _search(office, "专利")


def test_the_passage_search_finds_passages_by_their_words(office):
    found = _search(office, "海外发明专利授权量", **_bearer())
    assert ROW in [p["id"] for p in found[:3]], [p["text"] for p in found]
    row = next(p for p in found if p["id"] == ROW)
    assert set(row) == FIELDS and row["url"] == passage_url("plan", ROW) == f"/documents/plan#{ROW}"
    assert row["doc_title"] and row["section"][-1].endswith("主要指标")
    both = _search(office, "地理标志 专栏", **_bearer())  # every word, anywhere in the passage
    assert both and all("地理标志" in " ".join([*p["section"], p["text"]]) for p in both[:2]), both[
        :2
    ]
    assert [p["id"] for p in _search(office, ROW, **_bearer())] == [ROW]  # by its id
    assert _search(office, "完全无关的外星词汇qqq", **_bearer()) == []
    assert office.get("/admin/api/passages", params={"q": ""}, **_bearer()).status_code == 422


def _form(client, path: str = "/admin/curated/new"):
    r = client.get(path)
    assert r.status_code == 200, r.text
    return r.text


def test_the_curated_form_finds_cites_and_shows_sources(office):
    c = office
    signed_in(c, "编辑甲")
    page = _form(c)
    assert 'name="passages"' not in page  # no box for internal ids any more
    draft = {"csrf": csrf(page), "question": QUESTION, "answer": ANSWER, "variants": ""}
    r = c.post("/admin/curated", data={**draft, "action": "find", "find": "海外发明专利授权量"})
    assert r.status_code == 200
    tree = parse(r.text)
    box = tree.find("input", name="cite", value=ROW)
    assert box is not None and "checked" not in box.attrs  # found, not yet cited
    item = box.parent
    link = item.find("a")
    assert link.attrs["href"] == f"/documents/plan#{ROW}"
    assert link.attrs["target"] == "_blank" and link.attrs["rel"] == "noopener"
    assert "海外发明专利授权量" in item.find("blockquote").text()
    assert tree.find("input", name="question").attrs["value"] == QUESTION  # the draft kept
    assert tree.find("textarea", name="answer").text() == ANSWER
    assert QUESTION not in c.get("/admin/curated").text  # 查找 saved nothing

    saved = c.post("/admin/curated", data={**draft, "action": "save", "cite": [ROW]})
    assert saved.status_code == 200 and "/admin/curated/" in str(saved.url)
    edit = parse(saved.text)
    kept = edit.find("input", name="cite", value=ROW)
    assert kept is not None and "checked" in kept.attrs
    assert kept.parent.find("a").attrs["href"] == f"/documents/plan#{ROW}"
    listing = parse(c.get("/admin/curated").text)
    sources = [a for a in listing.find_all("a") if a.attrs.get("href") == f"/documents/plan#{ROW}"]
    assert sources and sources[0].text().startswith("出处：")

    answer = c.post("/ask", json={"question": QUESTION}).json()
    assert answer["outcome"] == "curated"
    assert [(p["id"], p["url"]) for p in answer["passages"]] == [(ROW, f"/documents/plan#{ROW}")]
    assert parse(c.get("/documents/plan").text).by_id(ROW) is not None

    unticked = {**draft, "csrf": csrf(saved.text), "action": "save", "enabled": "on"}
    again = c.post(str(saved.url).split("?")[0], data=unticked)  # the box left unticked
    assert again.status_code == 200
    assert c.post("/ask", json={"question": QUESTION}).json()["passages"] == []


def test_find_with_nothing_typed_looks_for_the_question(office):
    signed_in(office, "编辑甲")
    page = _form(office)
    r = office.post(
        "/admin/curated",
        data={"csrf": csrf(page), "question": "地理标志保护工程", "answer": "", "action": "find"},
    )
    assert r.status_code == 200 and "按“地理标志保护工程”找到" in r.text
    assert parse(r.text).find("input", name="cite") is not None


def test_a_cited_passage_gone_from_the_index_is_said_so(office):
    signed_in(office, "编辑甲")
    page = _form(office)
    saved = office.post(
        "/admin/curated",
        data={
            "csrf": csrf(page),
            "question": QUESTION,
            "answer": ANSWER,
            "passages": "p-0000000000",
        },
    )
    assert saved.status_code == 200
    assert "这一段已不在当前的文件中" in saved.text
    assert parse(saved.text).find("input", name="cite", value="p-0000000000") is not None
