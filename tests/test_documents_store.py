"""The documents' catalogue and build queue on SQLite and on real PostgreSQL: seeding, drafts,
publish, replace, a build claimed once, its end marking what serves, retire; and migration
0007 on a database that already holds questions (the build column is added, rows kept)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from service.office.audit import Actor
from service.office.db import migrate, open_engine
from service.office.documents import catalog, jobs
from service.office.documents.catalog import DocumentError, Upload
from service.office.documents.seed import seed
from service.office.documents.upload import read_upload
from service.office.tables import questions

pytestmark = pytest.mark.postgres
ED = Actor("ed")


def _upload(name: str, text: str) -> Upload:
    data = text.encode("utf-8")
    return Upload(name, data, read_upload(name, data))


def test_catalogue_and_builds(db_url, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text("某某规划（示例）\n\n一、总则\n\n内容。\n", encoding="utf-8")
    db = open_engine(db_url)
    migrate(db)
    assert seed(db, corpus, "b0") == 1 and seed(db, corpus, "b0") == 0  # once

    doc, version = catalog.add_draft(
        db, ED, _upload("Guide.md", "# 某某指南\n\n办事的正文写在这里。\n"), None, None
    )
    assert (doc, version) == ("guide", 1)
    assert catalog.get(db, "guide") is None  # a draft is no document yet
    assert catalog.publish(db, ED, "guide", 1) == "publish"
    with pytest.raises(DocumentError):
        catalog.publish(db, ED, "guide", 1)  # published already

    first = jobs.request(db, ED, "发布 guide")
    assert jobs.request(db, ED, "发布 other") == first  # joins the build still waiting
    assert jobs.claim(db, "w1") == first and jobs.claim(db, "w2") is None
    with db.connect() as c:
        carried = {r.doc_id: r.version for r in catalog.published_set(c)}
    assert carried == {"guide": 1, "plan": 1}
    catalog.mark_built(db, carried, "b1")
    jobs.finish(db, first, "b1")
    assert catalog.get(db, "guide").status == "serving"

    doc, version = catalog.add_draft(
        db, ED, _upload("v2.txt", "某某指南\n\n新的办事正文写在这里。\n"), "guide", None
    )
    assert (doc, version) == ("guide", 2)
    assert catalog.publish(db, ED, "guide", 2) == "replace"
    second = jobs.request(db, ED, "替换 guide")
    assert second != first and jobs.claim(db, "w1") == second
    catalog.mark_built(db, {"guide": 2, "plan": 1}, None)  # the build failed
    jobs.finish(db, second, None, "boom")
    guide = catalog.get(db, "guide")
    assert (guide.status, guide.version, guide.serving_version) == ("failed", 2, 1)
    assert [(v.version, v.state, v.build_id) for v in catalog.history(db, "guide")] == [
        (2, "published", None),
        (1, "replaced", "b1"),
    ]
    assert [b["state"] for b in jobs.recent(db)] == ["failed", "done"]

    catalog.retire(db, ED, "guide")
    with pytest.raises(DocumentError):
        catalog.retire(db, ED, "plan")  # the last one in use
    with db.connect() as c:
        assert [r.doc_id for r in catalog.published_set(c)] == ["plan"]
    catalog.mark_built(db, {"plan": 1}, "b3")
    assert (catalog.get(db, "guide").status, catalog.get(db, "guide").serving_version) == (
        "retired",
        None,
    )

    # the question log's build column (migration 0007)
    with db.begin() as c:
        c.execute(
            insert(questions).values(
                answer_id="a-1",
                asked_at=jobs._now(),
                day=jobs._now().date(),
                channel="api",
                question="q",
                normalized="q",
                outcome="answer",
                found=True,
                latency_ms=1.0,
                answer="a",
                build_id="b3",
            )
        )
        assert c.execute(select(questions.c.build_id)).scalar() == "b3"
    db.dispose()
