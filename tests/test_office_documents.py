"""文件管理 over HTTP (fake embedder, a private index): upload each format and see how it will be
read, a scanned PDF refused, publish → a new build answers from the document, replace → the
new version answers, retire → it is gone; every version with who and when, every change in
the audit log, the build of each logged answer, roles and the scripted API."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from corpus.load import DEFAULT_CORPUS_DIR
from index.store import build_index
from service.app import create_app
from service.office.documents import hub
from service.office.documents.tables import document_versions, documents
from service.office.tables import questions
from tests import documents_files as files
from tests.conftest import make_settings
from tests.fakes import FakeEmbedder
from tests.staff_session import add, audit_entries, csrf, signed_in

pytestmark = pytest.mark.staff
TOKEN = "documents-test-admin-token"


@pytest.fixture
def app(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_bytes((DEFAULT_CORPUS_DIR / "plan.txt").read_bytes())
    settings = make_settings(
        tmp_path,
        model=FakeEmbedder.model_id,
        dense_index="numpy",
        corpus_dir=corpus,
        admin_token=TOKEN,
        index_watch=0,
    )
    build_index(
        corpus, FakeEmbedder(), settings.index_dir, hnsw_threshold=10**6, dense_index="numpy"
    )
    app = create_app(settings, embedder=FakeEmbedder())
    with TestClient(app):
        hub.builder(app).calibrate = False  # the tuning questions take a while; not the point here
        add(app, "ed", "editor")
        add(app, "vi", "viewer")
        yield app


def _client(app, username: str) -> TestClient:
    c = TestClient(app, base_url="http://testserver")
    signed_in(c, username)
    return c


def _upload(c: TestClient, name: str, data: bytes, **fields):
    token = csrf(c.get("/admin/documents").text)
    return c.post(
        "/admin/documents",
        data={"csrf": token, **fields},
        files={"file": (name, data)},
        follow_redirects=False,
    )


def _publish(c: TestClient, location: str, action: str = "publish"):
    token = csrf(c.get(location).text)
    return c.post(location, data={"csrf": token, "action": action}, follow_redirects=False)


def _built(app, timeout: float = 60) -> None:
    builder = hub.builder(app)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        builder.wait(timeout)
        if not builder._thread or not builder._thread.is_alive():
            return
    raise AssertionError("the documents build did not finish")


FORMATS = [
    ("guide.md", files.markdown().encode("utf-8")),
    ("guide.txt", files.text().encode("gb18030")),  # an office's Chinese Windows default
    ("guide.docx", files.docx()),
    ("guide.pdf", files.pdf()),
]


@pytest.mark.parametrize(("name", "data"), FORMATS, ids=[n for n, _ in FORMATS])
def test_each_format_is_read_and_previewed(app, name, data):
    ed = _client(app, "ed")
    r = _upload(ed, name, data, doc_id="haitang")
    assert r.status_code == 303, r.text[-2000:]
    page = ed.get(r.headers["location"])
    assert page.status_code == 200
    html = page.text
    assert files.TITLE in html
    for heading in ("服务内容", "常见问题"):
        assert heading in html
    assert "问答</span> 问：咨询电话是多少？" in html  # the FAQ pair read as one
    assert files.PHONE in html
    if not name.endswith(".pdf"):  # a PDF's table is lines of text (the page says so)
        assert "列：办理事项、收费、办理时限" in html
        assert (
            "<td>品牌培育辅导</td><td>免费</td><td>10个工作日</td>" in html
        )  # its rows, by column
    else:
        assert "PDF 中的表格按文字行收录" in html
    assert 'value="publish"' in html  # a draft an editor may publish
    with app.state.office.database().connect() as c:
        row = c.execute(
            select(document_versions).where(document_versions.c.doc_id == "haitang")
        ).one()
    assert (row.state, row.uploaded_by, row.filename, row.content) == ("draft", "ed", name, data)


def test_a_scanned_pdf_is_refused_with_a_reason(app):
    ed = _client(app, "ed")
    r = _upload(ed, "scan.pdf", files.scanned(), doc_id="scan")
    assert r.status_code == 422
    assert "扫描件" in r.text and "OCR" in r.text
    with app.state.office.database().connect() as c:
        assert not c.execute(
            select(document_versions).where(document_versions.c.doc_id == "scan")
        ).all()
    for name, data, says in [
        ("old.doc", b"\xd0\xcf\x11\xe0 old word", "另存为 .docx"),
        ("pic.png", b"\x89PNG", "不支持这种文件"),
        ("bad.docx", b"not a zip", "无法读取这个 Word 文件"),
        ("empty.txt", b"   \n", "几乎没有文字"),
    ]:
        r = _upload(ed, name, data)
        assert r.status_code == 422 and says in r.text, (name, r.text[-500:])


def _ask(c: TestClient, question: str) -> dict:
    r = c.post("/ask", json={"question": question})
    assert r.status_code == 200, r.text
    return r.json()


def test_publish_replace_retire(app):
    ed = _client(app, "ed")
    before = ed.get("/healthz").json()["build_id"]
    assert "haitang" not in {p["doc"]["id"] for p in _ask(ed, files.QUESTION)["passages"]}

    location = _upload(ed, "guide.docx", files.docx(), doc_id="haitang").headers["location"]
    r = _publish(ed, location)
    assert r.status_code == 303 and r.headers["location"] == "/admin/documents?published=haitang"
    page = ed.get("/admin/documents")
    assert "haitang" in page.text
    _built(app)
    first = ed.get("/healthz").json()["build_id"]
    assert first != before
    answer = _ask(ed, files.QUESTION)
    assert answer["passages"][0]["doc"]["id"] == "haitang", answer
    assert files.PHONE in answer["answer"], answer["answer"]
    assert ed.get("/documents/haitang").status_code == 200
    page = ed.get("/admin/documents").text
    assert "使用中" in page and first in page

    # replace: version 2 says another number; the answer follows it
    new_phone = "0100-1111 2222"
    location = _upload(ed, "guide-v2.docx", files.docx(phone=new_phone), doc_id="haitang").headers[
        "location"
    ]
    assert location.endswith("/versions/2")
    _publish(ed, location)
    _built(app)
    second = ed.get("/healthz").json()["build_id"]
    assert second != first
    answer = _ask(ed, files.QUESTION)
    assert new_phone in answer["answer"] and files.PHONE not in answer["answer"], answer
    versions = ed.get("/admin/documents/haitang").text
    assert "第 1 版" in versions and "第 2 版" in versions and "已被替换" in versions
    assert (
        versions.count(">ed<br>") >= 2 or versions.count("ed<br>") >= 2
    )  # who uploaded, who published

    # the question log names the build that answered
    app.state.office.log.flush()
    with app.state.office.database().connect() as c:
        builds = {r.build_id for r in c.execute(select(questions.c.build_id))}
    assert {before, first, second} <= builds, builds

    # retire: the next build leaves it out
    token = csrf(ed.get("/admin/documents/haitang").text)
    r = ed.post("/admin/documents/haitang/retire", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    _built(app)
    assert ed.get("/healthz").json()["build_id"] not in (first, second)
    assert "haitang" not in {p["doc"]["id"] for p in _ask(ed, files.QUESTION)["passages"]}
    assert ed.get("/documents/haitang").status_code == 404
    with app.state.office.database().connect() as c:
        doc = c.execute(select(documents).where(documents.c.id == "haitang")).one()
        kept = c.execute(
            select(document_versions.c.version, document_versions.c.state)
            .where(document_versions.c.doc_id == "haitang")
            .order_by(document_versions.c.version)
        ).all()
    assert (doc.status, doc.serving_version) == ("retired", None)
    assert [tuple(k) for k in kept] == [(1, "replaced"), (2, "published")]
    actions = [
        (e["action"], e["actor"]) for e in audit_entries(app) if e["action"].startswith("document")
    ]
    assert actions == [
        ("documents.seed", "（系统）"),
        ("document.upload", "ed"),
        ("document.publish", "ed"),
        ("document.upload", "ed"),
        ("document.replace", "ed"),
        ("document.retire", "ed"),
    ], actions


def test_viewers_read_but_do_not_change(app):
    ed, vi = _client(app, "ed"), _client(app, "vi")
    location = _upload(ed, "guide.md", files.markdown().encode(), doc_id="haitang").headers[
        "location"
    ]
    page = vi.get("/admin/documents")
    assert page.status_code == 200 and "haitang" in page.text
    assert 'enctype="multipart/form-data"' not in page.text  # no upload form for a viewer
    preview = vi.get(location)
    assert preview.status_code == 200 and 'value="publish"' not in preview.text
    token = csrf(page.text)
    refused = [
        vi.post("/admin/documents", data={"csrf": token}, files={"file": ("x.md", b"# x\n\nabc")}),
        vi.post(location, data={"csrf": token, "action": "publish"}),
        vi.post("/admin/documents/plan/retire", data={"csrf": token}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    # an editor without the form's token is refused too
    assert ed.post(location, data={"action": "publish"}).status_code == 403
    with app.state.office.database().connect() as c:
        assert (
            c.execute(select(documents.c.status).where(documents.c.id == "plan")).scalar()
            == "serving"
        )
        assert (
            c.execute(
                select(document_versions.c.state).where(document_versions.c.doc_id == "haitang")
            ).scalar()
            == "draft"
        )


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.get("children", []))


def test_the_scripted_api(app):
    c = TestClient(app)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert c.get("/admin/api/documents").status_code == 401
    listed = c.get("/admin/api/documents", headers=bearer).json()
    assert [(d["id"], d["version"], d["status"]) for d in listed] == [("plan", 1, "serving")]

    preview = c.post(
        "/admin/api/documents/preview",
        headers=bearer,
        files={"file": ("g.docx", files.docx(), files.DOCX_TYPE)},
    ).json()
    assert (
        preview["title"] == files.TITLE
        and preview["counts"]["table"] == 1
        and preview["counts"]["faq"] == 2
    )
    table = next(n for n in _walk(preview["tree"]) if n["kind"] == "table")
    assert table["columns"] == ["办理事项", "收费", "办理时限"] and table["rows"] == 2

    r = c.post(
        "/admin/api/documents/preview", headers=bearer, files={"file": ("s.pdf", files.scanned())}
    )
    assert r.status_code == 422 and "扫描件" in r.json()["message"]

    r = c.post("/admin/api/documents", headers=bearer, files={"file": ("haitang.pdf", files.pdf())})
    assert r.status_code == 202, r.text
    body = r.json()
    assert (body["id"], body["version"], body["status"]) == ("haitang", 1, "building")
    _built(app)
    listed = {d["id"]: d for d in c.get("/admin/api/documents", headers=bearer).json()}
    assert (listed["haitang"]["status"], listed["haitang"]["serving_version"]) == ("serving", 1)
    progress = c.get("/admin/api/documents/builds", headers=bearer).json()
    assert progress["builds"][0]["state"] == "done"
    assert progress["builds"][0]["build_id"] == progress["serving_build"]
    assert progress["builds"][0]["documents"] == {"haitang": 1, "plan": 1}

    assert c.delete("/admin/api/documents/haitang", headers=bearer).status_code == 202
    assert c.delete("/admin/api/documents/haitang", headers=bearer).status_code == 409
    assert c.delete("/admin/api/documents/plan", headers=bearer).status_code == 409  # the last one
    _built(app)
    detail = c.get("/admin/api/documents/haitang", headers=bearer).json()
    assert detail["status"] == "retired" and detail["versions"][0]["uploaded_by"] == "（令牌）"


def test_nginx_lets_uploads_through_as_the_replicas_do():
    """deploy/nginx: the upload paths allow what service/middleware.py allows, and no more."""
    import re
    from pathlib import Path

    from service.middleware import UPLOAD_MAX_BYTES, UPLOADS

    conf = (Path(__file__).resolve().parents[1] / "deploy/nginx/ipqa.conf").read_text()
    blocks = dict(re.findall(r"location (?:= )?(/admin/\S+) \{([^}]*)\}", conf))
    for _, path in UPLOADS:
        block = next(b for prefix, b in blocks.items() if path.startswith(prefix))
        size = re.search(r"client_max_body_size (\d+)m;", block).group(1)
        assert int(size) * 1024 * 1024 == UPLOAD_MAX_BYTES, (path, size)


def test_a_document_published_on_one_replica_is_served_by_another(app):
    """Two servers on one index folder and one database: the one that took the upload builds
    and loads the build; the other sees the index link move and loads it by itself."""
    settings = app.state.runtime.settings.model_copy(update={"index_watch": 0.1})
    other = create_app(settings, embedder=FakeEmbedder())
    with TestClient(other) as b:
        ed = _client(app, "ed")
        location = _upload(ed, "guide.md", files.markdown().encode(), doc_id="haitang")
        _publish(ed, location.headers["location"])
        _built(app)
        built = ed.get("/healthz").json()["build_id"]
        deadline = time.monotonic() + 20
        while b.get("/healthz").json()["build_id"] != built and time.monotonic() < deadline:
            time.sleep(0.1)
        assert b.get("/healthz").json()["build_id"] == built
        answer = _ask(b, files.QUESTION)
        assert answer["passages"][0]["doc"]["id"] == "haitang" and files.PHONE in answer["answer"]
        assert b.get("/documents/haitang").status_code == 200
        # its staff page shows the same documents and the same build
        signed_in(b, "vi")
        page = b.get("/admin/documents?auto=0").text
        assert "haitang" in page and built in page and "本服务器正在使用" in page
