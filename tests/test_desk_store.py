"""The front desk's store on real SQLite and real PostgreSQL (migration 0006): 留言 (consent,
masking, status, notes, retention), 办事指引 (validation, matching, versions), the question
log's search and filters, the unanswered questions with their marks, 热门问题, and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, inspect, select

from service.office import guidance, log_csv, messages, question_log
from service.office.audit import Actor, entries
from service.office.db import migrate, open_engine
from service.office.tables import feedback, questions
from service.office.tables_desk import DESK, message_notes

pytestmark = pytest.mark.postgres
ED = Actor("王编辑")


@pytest.fixture
def db(db_url):
    engine = open_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _ask(db, n: int, question: str, outcome: str, channel: str = "widget", **kw) -> str:
    """One logged question, as the log writer stores it; its answer id."""
    at = kw.pop("at", datetime.now(UTC).replace(tzinfo=None))
    answer_id = f"a-{n:020x}"
    row = {
        "answer_id": answer_id,
        "asked_at": at,
        "day": kw.pop("day", date.today()),
        "channel": channel,
        "question": question,
        "normalized": kw.pop("normalized", question.rstrip("？")),
        "outcome": outcome,
        "found": outcome in ("answer", "curated"),
        "top_passage": kw.pop("top_passage", None),
        "latency_ms": 3.0,
        "answer": kw.pop("answer", f"回答{n}"),
    }
    with db.begin() as c:
        c.execute(insert(questions).values(**row))
        if "rating" in kw:
            c.execute(
                insert(feedback).values(
                    answer_id=answer_id,
                    rating=kw["rating"],
                    comment=kw.get("comment"),
                    created_at=at,
                    day=row["day"],
                )
            )
    return answer_id


def test_the_migration_makes_the_desk_tables(db):
    names = set(inspect(db).get_table_names())
    assert {t.name for t in DESK} <= names
    assert "ix_questions_channel" in {i["name"] for i in inspect(db).get_indexes("questions")}


def test_a_message_keeps_a_contact_only_with_consent(db):
    with pytest.raises(messages.MessageError, match="勾选同意"):
        messages.create(db, "商标被仿冒怎么办？", "13812345678", False, None)
    with db.connect() as c:
        assert c.execute(select(func.count()).select_from(messages.messages)).scalar_one() == 0
    plain = messages.create(db, "  商标被仿冒\n怎么办？ 我的电话13812345678 ", None, False, None)
    kept = messages.create(db, "专利费减缓怎么申请？", "138 1234 5678", True, "a-" + "0" * 20)
    item = messages.get(db, plain, full_contact=True)
    assert item["question"] == "商标被仿冒 怎么办？ 我的电话***********"  # digits as in the log
    assert item["contact"] == "" and not item["has_contact"]
    assert messages.get(db, kept, full_contact=True)["contact"] == "138 1234 5678"
    assert messages.get(db, kept, full_contact=False)["contact"] == "138****5678"
    listed, total = messages.listing(db)
    assert total == 2 and [m["id"] for m in listed] == [kept, plain]  # newest first
    assert all("1234" not in m["contact"] for m in listed)
    for bad in ("hello", "12345", "a@b", "1" * 20):
        with pytest.raises(messages.MessageError, match="电话号码或电子邮箱"):
            messages.create(db, "问题", bad, True, None)
    with pytest.raises(messages.MessageError, match="请写下"):
        messages.create(db, " \n ", None, False, None)


def test_contacts_are_masked(db):
    assert messages.mask_contact("13812345678") == "138****5678"
    assert messages.mask_contact("010-12345678") == "010****5678"
    assert messages.mask_contact("zhangsan@example.cn") == "z***@example.cn"
    assert messages.mask_contact(None) == ""


def test_status_and_notes_name_the_account_and_go_to_the_audit_log(db):
    mid = messages.create(db, "地理标志产品怎么申请？", "zhang@example.cn", True, None)
    assert messages.set_status(db, ED, mid, "open")
    assert messages.add_note(db, ED, mid, "已电话答复 13812345678，告知申请材料。")
    assert messages.set_status(db, Actor("李四"), mid, "answered")
    item = messages.get(db, mid, full_contact=True)
    assert item["status"] == "answered" and item["status_label"] == "已答复"
    assert item["handled_by"] == "李四"
    assert [n["author"] for n in item["notes"]] == ["王编辑"]
    assert messages.counts(db) == {"new": 0, "open": 0, "answered": 1}
    log = list(reversed(entries(db)))
    assert [e["action"] for e in log] == ["message.status", "message.note", "message.status"]
    assert log[0]["before"] == {"status": "new"} and log[0]["after"] == {"status": "open"}
    assert log[1]["after"] == {"note": "已电话答复 ***********，告知申请材料。"}  # kept for good
    assert "zhang@" not in repr(log)
    assert not messages.set_status(db, ED, 999, "open")
    with pytest.raises(messages.MessageError):
        messages.set_status(db, ED, mid, "closed")
    with pytest.raises(messages.MessageError):
        messages.add_note(db, ED, mid, "  ")


def test_messages_past_the_retention_period_are_deleted_with_their_notes(db):
    old = messages.create(db, "旧留言", "13812345678", True, None)
    messages.add_note(db, ED, old, "旧记录")
    new = messages.create(db, "新留言", None, False, None)
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=31)
    with db.begin() as c:  # the new one is a day younger than the period when it is purged
        c.execute(
            messages.messages.update()
            .where(messages.messages.c.id == new)
            .values(created_at=later - timedelta(days=29))
        )
    assert messages.purge(db, 30, now=later) == 1
    assert messages.get(db, old, True) is None and messages.get(db, new, True) is not None
    with db.connect() as c:
        assert c.execute(select(func.count()).select_from(message_notes)).scalar_one() == 0
    purge = entries(db)[0]
    assert purge["action"] == "messages.purge" and purge["via"] == "system"
    assert purge["after"] == {"deleted": 1}
    assert messages.purge(db, 30, now=later) == 0
    assert entries(db)[0]["action"] == "messages.purge" and len(entries(db)) == 2


def test_guidance_is_validated_versioned_and_audited(db):
    bad = [
        ("", "", "请拨打热线", "12330", "", "选择一个文件"),
        ("", "维权", "", "12330", "", "指引的文字"),
        ("", "维权", "请拨打热线", "", "", "电话或链接"),
        ("", "维权", "请拨打热线", "call me", "", "电话只能"),
        ("", "维权", "请拨打热线", "", "javascript:alert(1)", "http"),
        ("", "维" * 21, "请拨打热线", "12330", "", "关键词最多"),
    ]
    for doc, words, text, phone, url, error in bad:
        with pytest.raises(guidance.GuidanceError, match=error):
            guidance.clean(doc, words, text, phone, url)
    values = guidance.clean("", "维权，山寨\n假冒、维权", " 请拨打 维权援助热线 ", "12330", "")
    assert (
        values["keywords"] == ["维权", "山寨", "假冒"] and values["text"] == "请拨打 维权援助热线"
    )
    gid = guidance.save(db, ED, values, True, None)
    changed = guidance.clean("guide", "", "到政务服务大厅办理", "", "https://example.gov.cn/x")
    guidance.save(db, Actor("李四"), changed, False, gid)
    g = guidance.get(db, gid)
    assert g.version == 2 and g.doc_id == "guide" and not g.enabled and g.updated_by == "李四"
    assert guidance.remove(db, ED, gid) and guidance.get(db, gid) is None
    assert [e["action"] for e in reversed(entries(db))] == [
        "guidance.create",
        "guidance.update",
        "guidance.delete",
    ]
    assert entries(db)[1]["before"]["keywords"] == ["维权", "山寨", "假冒"]


def _guide(gid, doc=None, words=(), text="指引", enabled=True) -> guidance.Guide:
    at = datetime.now(UTC)
    return guidance.Guide(gid, doc, tuple(words), text, "12330", "", enabled, 1, "ed", at)


def test_a_topic_guide_wins_over_a_documents_and_the_longest_keyword_wins():
    m = guidance.GuidanceMatcher()
    m.load(
        [
            _guide(1, doc="plan", text="规划"),
            _guide(2, words=["商标"], text="商标"),
            _guide(3, words=["山寨商标", "假冒"], text="维权"),
            _guide(4, words=["天气"], enabled=False),
        ]
    )
    assert len(m) == 3
    assert m.pick(["有人卖山寨商标的货"], ["plan"]).text == "维权"
    assert m.pick(["商标怎么注册"], ["plan"]).text == "商标"
    assert m.pick(["ＩＰ 维权"], ["other", "plan"]).text == "规划"  # from the passages' doc
    assert m.pick(["明天天气"], []) is None  # disabled
    assert m.pick(["别的问题"], ["other"]) is None


def test_the_log_is_searched_and_filtered(db):
    today = date.today()
    _ask(db, 1, "地理标志怎么保护？", "answer", top_passage="p-a", rating="up")
    _ask(db, 2, "深圳市的目标是多少？", "related", top_passage="p-b", rating="down", comment="没用")
    _ask(db, 3, "明天天气怎么样？", "none", channel="api")
    ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=10)
    _ask(db, 4, "100%_完成了吗？", "none", day=today - timedelta(days=10), at=ago)
    every = question_log.LogFilter()
    rows, total = question_log.search(db, every)
    assert total == 4 and rows[0]["question"] == "明天天气怎么样？"

    def found(**params):
        f = question_log.LogFilter.of(params, lambda doc: {"plan": ["p-a", "p-x"]}.get(doc, []))
        return [r["question"] for r in question_log.search(db, f)[0]]

    assert found(q="标志") == ["地理标志怎么保护？"]
    assert found(q="%_") == ["100%_完成了吗？"]  # LIKE's wildcards are text here
    assert found(q="_") == ["100%_完成了吗？"]
    assert found(outcome="related") == ["深圳市的目标是多少？"]
    assert found(channel="api") == ["明天天气怎么样？"]
    assert found(rating="down") == ["深圳市的目标是多少？"]
    assert found(rating="rated") == ["深圳市的目标是多少？", "地理标志怎么保护？"]
    assert len(found(rating="unrated")) == 2
    assert found(doc="plan") == ["地理标志怎么保护？"]
    assert found(doc="gone") == []
    assert found(**{"to": (today - timedelta(days=1)).isoformat()}) == ["100%_完成了吗？"]
    assert len(found(**{"from": today.isoformat()})) == 3
    assert len(found(outcome="nonsense")) == 4  # unknown values filter nothing
    f = question_log.LogFilter.of({"from": "2026-13-45"})
    assert f.errors and f.since is None
    page2, total = question_log.search(db, every, page=2, per_page=3)
    assert total == 4 and len(page2) == 1


def test_unanswered_groups_shows_the_reply_and_takes_marks(db):
    _ask(db, 1, "深圳市的目标？", "related", answer="旧回答", normalized="深圳市 目标")
    _ask(db, 2, "深圳市的目标是多少？", "related", answer="新回答", normalized="深圳市 目标")
    _ask(db, 3, "天气？", "none", channel="api", normalized="天气")
    _ask(db, 4, "地理标志？", "answer", normalized="地理标志")
    since = date.today() - timedelta(days=29)
    rows, total = question_log.unanswered(db, since)
    assert total == 2 and rows[0]["normalized"] == "深圳市 目标" and rows[0]["count"] == 2
    assert rows[0]["answer"] == "新回答" and rows[0]["outcome_label"] == "相关内容"
    assert [r["normalized"] for r in question_log.unanswered(db, since, channel="api")[0]] == [
        "天气"
    ]
    question_log.set_mark(db, ED, "深圳市 目标", "done")
    assert [r["normalized"] for r in question_log.unanswered(db, since)[0]] == ["天气"]
    done = question_log.unanswered(db, since, mark="done")[0]
    assert done[0]["mark_label"] == "已处理" and done[0]["marked_by"] == "王编辑"
    assert question_log.unanswered(db, since, mark="all")[1] == 2
    question_log.set_mark(db, ED, "深圳市 目标", "ignored")
    question_log.set_mark(db, ED, "深圳市 目标", "ignored")  # no change: no second entry
    question_log.set_mark(db, ED, "深圳市 目标", "")
    assert question_log.unanswered(db, since)[1] == 2
    log = list(reversed(entries(db)))
    assert [(e["before"], e["after"]) for e in log] == [
        (None, {"status": "done"}),
        ({"status": "done"}, {"status": "ignored"}),
        ({"status": "ignored"}, None),
    ]


def test_hot_questions_are_the_most_asked_answered(db):
    for n in range(3):
        _ask(db, 10 + n, "地理标志怎么保护？", "answer", normalized="地理标志 保护")
    _ask(db, 20, "专利怎么申请？", "curated", normalized="专利 申请")
    _ask(db, 21, "我的号码***********能查吗？", "answer", normalized="号码")
    _ask(db, 22, "天气？", "none", normalized="天气")
    hot = question_log.hot(db, date.today() - timedelta(days=29))
    assert [(h["question"], h["count"]) for h in hot] == [
        ("地理标志怎么保护？", 3),
        ("专利怎么申请？", 1),
    ]
    assert question_log.hot(db, date.today() - timedelta(days=29), channel="api") == []


def test_the_csv_opens_with_chinese_intact_and_no_formulas(db):
    _ask(db, 1, '=HYPERLINK("http://x")，地理标志？', "answer", top_passage="p-a", rating="up")
    _ask(db, 2, "深圳，“目标”是多少？\n第二行", "related", rating="down", comment="-没用")
    text = "".join(
        log_csv.lines(
            question_log.each(db, question_log.LogFilter()), lambda p: "规划（plan）" if p else ""
        )
    )
    assert text.startswith("\ufeff时间,渠道,问题")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == log_csv.HEADER and len(rows) == 3
    assert rows[1][2] == "深圳，“目标”是多少？\n第二行" and rows[1][8] == "差评"
    assert rows[1][9] == "'-没用"
    assert rows[2][2].startswith("'=HYPERLINK") and rows[2][7] == "规划（plan）"
