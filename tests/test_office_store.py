"""The office database on real SQLite and real PostgreSQL: migrations, log, feedback, curated
answers, retention, suggestions and the report."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, inspect, select

from service.office import curated as store
from service.office import report
from service.office.db import HEAD, current_revision, migrate, open_engine
from service.office.mask import mask_numbers
from service.office.office import DEFAULT_SUGGESTIONS, Office
from service.office.qlog import Entry, QuestionLog
from service.office.tables import ALL, feedback, questions
from service.settings import Settings

pytestmark = pytest.mark.postgres


def _entry(answer_id: str, question: str, found: bool, at: float | None = None) -> Entry:
    return Entry(
        answer_id=answer_id,
        asked_at=at or time.time(),
        channel="api",
        question=question,
        normalized=question.rstrip("？"),
        outcome="answer" if found else "none",
        found=found,
        top_passage="p-1" if found else None,
        latency_ms=12.3,
        answer="答" if found else "抱歉",
    )


def _office(db_url: str, **settings) -> Office:
    office = Office(Settings(database_url=db_url, **settings))
    office.start()
    return office


def test_migrations_from_an_empty_database(db_url):
    db = open_engine(db_url)
    migrate(db)
    assert current_revision(db) == HEAD
    names = set(inspect(db).get_table_names())
    assert {t.name for t in ALL} <= names
    migrate(db)  # a second start changes nothing
    assert current_revision(db) == HEAD


def test_migration_from_the_previous_schema_keeps_its_rows(db_url):
    db = open_engine(db_url)
    migrate(db, "0001")  # what the first version of the office loop created
    assert "curated" not in inspect(db).get_table_names()
    with db.begin() as c:
        c.execute(insert(questions), [_entry("a-old", "旧问题？", True).row()])
        c.execute(
            insert(feedback),
            [
                {
                    "answer_id": "a-old",
                    "rating": "up",
                    "comment": None,
                    "created_at": datetime.now(UTC).replace(tzinfo=None),
                    "day": datetime.now().date(),
                }
            ],
        )
    office = _office(db_url)  # starting the new version upgrades it
    try:
        assert current_revision(db) == HEAD
        assert office.knows("a-old")
        store.save(office.database(), "测试", "旧库也能加人工答案吗？", [], "能。")
        with db.connect() as c:
            assert c.execute(select(func.count()).select_from(questions)).scalar() == 1
    finally:
        office.close()


def test_log_masks_numbers_and_never_blocks(db_url):
    office = _office(db_url)
    try:
        log = office.log
        log.submit(_entry("a-1", "我的电话13812345678，身份证11010519491231002X", False))
        log.submit(_entry("a-2", "座机 010-12345678 或 138 1234 5678", False))
        log.submit(_entry("a-3", "2021-2025年专利目标是多少？", True))
        assert log.flush()
        with office.database().connect() as c:
            rows = {r.answer_id: r for r in c.execute(select(questions))}
        assert rows["a-1"].question == "我的电话***********，身份证******************"
        assert "13812345678" not in rows["a-1"].normalized
        assert rows["a-2"].question == "座机 ***-******** 或 *** **** ****"
        assert rows["a-3"].question == "2021-2025年专利目标是多少？"  # years stay
        assert log.written == 3 and log.dropped == 0
    finally:
        office.close()


def test_mask_numbers_leaves_the_plans_figures():
    assert mask_numbers("3200亿元、13.0%、12件、2025年") == "3200亿元、13.0%、12件、2025年"
    assert mask_numbers("+86 139-1234-5678") == "+** ***-****-****"
    assert mask_numbers("１３８１２３４５６７８") == "*" * 11  # full-width digits too


def test_feedback_one_vote_per_answer_latest_wins(db_url):
    office = _office(db_url)
    try:
        office.log.submit(_entry("a-9", "地理标志怎么保护？", True))
        assert office.log.flush()
        assert office.rate("a-9", "down", None)
        assert office.rate("a-9", "down", "数字不对，打 13812345678 问过")
        assert not office.rate("a-unknown", "up", None)
        with office.database().connect() as c:
            rows = list(c.execute(select(feedback)))
        assert len(rows) == 1 and rows[0].rating == "down"
        assert rows[0].comment == "数字不对，打 *********** 问过"
        data = report.build(office.database(), 30)
        assert data["feedback"] == {"up": 0, "down": 1, "up_share": 0.0}
        assert data["downvoted"][0]["question"] == "地理标志怎么保护？"
    finally:
        office.close()


def test_curated_versions_disable_export_import(db_url):
    office = _office(db_url)
    try:
        db = office.database()
        cid = store.save(db, "张三", "办事大厅在哪？", ["办事大厅地址", "办事大厅地址"], "见官网。")
        store.save(
            db, "李四", "办事大厅在哪？", ["办事大厅地址"], "见官网“联系我们”。", [], True, cid
        )
        store.set_enabled(db, "王五", cid, False)
        item = store.get(db, cid)
        assert item.version == 3 and not item.enabled and item.updated_by == "王五"
        versions = store.history(db, cid)
        assert [(v["version"], v["changed_by"]) for v in versions] == [
            (3, "王五"),
            (2, "李四"),
            (1, "张三"),
        ]
        assert versions[2]["answer"] == "见官网。" and versions[2]["variants"] == ["办事大厅地址"]
        assert store.enabled_entries(db) == []
        exported = store.export_jsonl(db)
        store.set_enabled(db, "王五", cid, True)
        added, changed = store.import_jsonl(
            db, exported + '{"question": "新问题？", "answer": "新回答。"}\n', "导入"
        )
        assert (added, changed) == (1, 1)
        assert not store.get(db, cid).enabled  # the exported state came back as version 5
        with pytest.raises(store.CuratedError):
            store.import_jsonl(db, '{"question": "缺回答"}\n', "导入")
        with pytest.raises(store.CuratedError):
            store.save(db, "x", "？？", [], "回答")
    finally:
        office.close()


def test_retention_purges_old_questions_and_feedback(db_url):
    office = _office(db_url, log_retention_days=30)
    try:
        old = time.time() - 31 * 86400
        office.log.submit(_entry("a-old", "很久以前的问题？", False, at=old))
        office.log.submit(_entry("a-new", "今天的问题？", False))
        assert office.log.flush()
        office.rate("a-old", "up", None)
        with office.database().begin() as c:
            c.execute(feedback.update().values(created_at=datetime.now() - timedelta(days=40)))
        # the writer purges too (at its start, then hourly): whoever runs it, both rows go
        office.log.purge(office.database())
        with office.database().connect() as c:
            left = [r.answer_id for r in c.execute(select(questions.c.answer_id))]
            assert c.execute(select(func.count()).select_from(feedback)).scalar() == 0
        assert left == ["a-new"]
    finally:
        office.close()
    db = open_engine(db_url)
    with db.begin() as c:
        c.execute(insert(questions), [_entry("a-older", "更早的问题？", False, at=old).row()])
    assert QuestionLog(lambda: db, retention_days=30).purge(db) == 1


def test_suggestions_staff_then_most_asked_then_defaults(db_url):
    office = _office(db_url)
    try:
        assert office.suggestions == DEFAULT_SUGGESTIONS and office.suggestions_source == "default"
        for n in range(3):
            office.log.submit(_entry(f"a-g{n}", "地理标志怎么保护？", True))
            office.log.submit(_entry(f"a-p{n}", "我的手机13812345678能查专利吗？", True))
        office.log.submit(_entry("a-once", "只问过一次的问题？", True))
        assert office.log.flush()
        office.refresh()
        assert office.suggestions_source == "asked"
        assert office.suggestions[0] == "地理标志怎么保护？"
        assert not any("*" in s or "一次" in s for s in office.suggestions)
        assert len(office.suggestions) == 3
        office.set_suggestions(["专栏5是什么？", "", "主要指标有哪些？"], "张三")
        assert office.suggestions == ["专栏5是什么？", "主要指标有哪些？"]
        office.set_suggestions([], "张三")
        assert office.suggestions_source == "asked"
    finally:
        office.close()


def test_report_groups_unanswered_by_normalized_question(db_url):
    office = _office(db_url)
    try:
        for n, q in enumerate(["北京天气？", "北京天气", "北京天气？", "股价多少？"]):
            office.log.submit(_entry(f"a-{n}", q, False))
        office.log.submit(_entry("a-ok", "专栏5是什么？", True))
        assert office.log.flush()
        data = report.build(office.database(), 7)
        assert [(u["question"], u["count"]) for u in data["unanswered"]] == [
            ("北京天气", 3),
            ("股价多少", 1),
        ]
        assert data["questions"] == 5 and data["answered_share"] == 0.2
        assert len(data["per_day"]) == 7 and data["per_day"][-1]["questions"] == 5
    finally:
        office.close()


def test_a_broken_database_counts_drops_and_never_raises(tmp_path):
    log = QuestionLog(lambda: None, retention_days=180)
    log.start()
    try:
        for n in range(5):
            log.submit(_entry(f"a-{n}", "问题？", True))
        assert log.flush(timeout=15)
        assert log.dropped == 5 and log.written == 0 and log.last_error
    finally:
        log.stop()
    full = QuestionLog(lambda: None, retention_days=180, queue_size=2)  # writer not started
    for n in range(5):
        full.submit(_entry(f"a-{n}", "问题？", True))
    assert full.dropped == 3
