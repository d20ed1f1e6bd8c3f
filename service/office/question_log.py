"""Reading the whole question log: search and filters (date, outcome, channel, document,
rating) with paging; the unanswered questions grouped, with the reply given and staff marks
(已处理 / 忽略); the most-asked answered questions (热门问题)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine, and_, delete, func, insert, or_, select

from service.office import audit
from service.office.audit import Actor
from service.office.tables import feedback, questions
from service.office.tables_desk import question_marks

OUTCOMES = {
    "answer": "已回答",
    "curated": "人工答案",
    "related": "相关内容",
    "clarify": "请求澄清",
    "none": "未找到",
}
CHANNELS = {"widget": "网页组件", "api": "API", "chat": "对话接口"}
RATINGS = {"up": "好评", "down": "差评", "rated": "有评价", "unrated": "无评价"}
MARKS = {"done": "已处理", "ignored": "忽略"}
MARK_FILTERS = {"todo": "待处理", **MARKS, "all": "全部"}
PAGE = 50


@dataclass
class LogFilter:
    """What the 问题记录 page, its CSV and the API filter by; unknown values are ignored."""

    text: str = ""
    since: date | None = None
    until: date | None = None
    outcome: str = ""
    channel: str = ""
    rating: str = ""
    doc: str = ""
    passage_ids: frozenset[str] | None = None  # the doc's passages, resolved by the caller
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, params, passages_of=None) -> LogFilter:
        """From query parameters (q, from, to, outcome, channel, rating, doc); passages_of(doc)
        gives the passage ids of a document the serving index holds."""
        f = cls(text=" ".join(str(params.get("q", "")).split())[:100])
        for name, label in (("from", "起始日期"), ("to", "截止日期")):
            raw = str(params.get(name, "")).strip()
            try:
                day = date.fromisoformat(raw) if raw else None
            except ValueError:
                day = None
                f.errors.append(f"{label}应为 年-月-日（如 2026-12-01）。")
            setattr(f, "since" if name == "from" else "until", day)
        f.outcome = _known(params.get("outcome"), OUTCOMES)
        f.channel = _known(params.get("channel"), CHANNELS)
        f.rating = _known(params.get("rating"), RATINGS)
        f.doc = str(params.get("doc", "")).strip()[:200]
        if f.doc and passages_of is not None:
            f.passage_ids = frozenset(passages_of(f.doc))
        return f

    def query(self) -> dict[str, str]:
        """The filter as query parameters (for paging links and the CSV link)."""
        out = {
            "q": self.text,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
            "outcome": self.outcome,
            "channel": self.channel,
            "rating": self.rating,
            "doc": self.doc,
        }
        return {k: v for k, v in out.items() if v}


def _known(value, allowed: dict) -> str:
    value = str(value or "").strip()
    return value if value in allowed else ""


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(f: LogFilter) -> list:
    q, fb = questions.c, feedback.c
    where = []
    if f.text:
        pattern = _like(f.text)
        where.append(
            or_(q.question.like(pattern, escape="\\"), q.normalized.like(pattern, escape="\\"))
        )
    if f.since:
        where.append(q.day >= f.since)
    if f.until:
        where.append(q.day <= f.until)
    if f.outcome:
        where.append(q.outcome == f.outcome)
    if f.channel:
        where.append(q.channel == f.channel)
    if f.rating in ("up", "down"):
        where.append(fb.rating == f.rating)
    elif f.rating == "rated":
        where.append(fb.rating.is_not(None))
    elif f.rating == "unrated":
        where.append(fb.rating.is_(None))
    if f.doc and f.passage_ids is not None:
        where.append(q.top_passage.in_(sorted(f.passage_ids)) if f.passage_ids else False)
    return where


def _joined():
    return questions.outerjoin(feedback, feedback.c.answer_id == questions.c.answer_id)


def _row(r) -> dict:
    return {
        "id": r.id,
        "answer_id": r.answer_id,
        "asked_at": r.asked_at,
        "channel": r.channel,
        "channel_label": CHANNELS.get(r.channel, r.channel),
        "question": r.question,
        "normalized": r.normalized,
        "searched": _searched(r.question, r.normalized),
        "outcome": r.outcome,
        "outcome_label": OUTCOMES.get(r.outcome, r.outcome),
        "top_passage": r.top_passage,
        "latency_ms": r.latency_ms,
        "answer": r.answer,
        "rating": r.rating,
        "rating_label": RATINGS.get(r.rating or "", ""),
        "comment": r.comment,
    }


def _searched(question: str, normalized: str) -> str:
    """What was searched, when it says more than the question without its punctuation (a
    follow-up completed, a spelling corrected); else ""."""
    bare = re.sub(r"[\s\W_]+", "", question)
    return "" if re.sub(r"[\s\W_]+", "", normalized) == bare else normalized


def _columns():
    return (*questions.c, feedback.c.rating, feedback.c.comment)


def search(db: Engine, f: LogFilter, page: int = 1, per_page: int = PAGE) -> tuple[list[dict], int]:
    """One page of logged questions, newest first, and how many match in all."""
    where = _where(f)
    with db.connect() as c:
        total = c.execute(select(func.count()).select_from(_joined()).where(*where)).scalar_one()
        rows = c.execute(
            select(*_columns())
            .select_from(_joined())
            .where(*where)
            .order_by(questions.c.asked_at.desc(), questions.c.id.desc())
            .limit(per_page)
            .offset((max(page, 1) - 1) * per_page)
        )
        return [_row(r) for r in rows], total


def each(db: Engine, f: LogFilter, batch: int = 1000):
    """Every matching question, newest first, read in batches (for the CSV)."""
    stmt = (
        select(*_columns())
        .select_from(_joined())
        .where(*_where(f))
        .order_by(questions.c.asked_at.desc(), questions.c.id.desc())
    )
    with db.connect() as c:
        for r in c.execution_options(yield_per=batch).execute(stmt):
            yield _row(r)


def mark_key(normalized: str) -> str:
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def unanswered(
    db: Engine,
    since: date,
    channel: str = "",
    mark: str = "todo",
    page: int = 1,
    per_page: int = PAGE,
) -> tuple[list[dict], int]:
    """Questions not answered (related, clarify, none), grouped by their normalized form, most
    asked first: how often, when last, the latest reply given and its outcome, staff's mark."""
    q, m = questions.c, question_marks.c
    where = [q.day >= since, q.found.is_(False)]
    if channel in CHANNELS:
        where.append(q.channel == channel)
    groups = (
        select(
            q.normalized,
            func.count().label("count"),
            func.max(q.asked_at).label("last"),
            func.max(q.id).label("last_id"),
        )
        .where(and_(*where))
        .group_by(q.normalized)
        .subquery()
    )
    latest = questions.alias("latest")
    marked = []
    if mark in MARKS:
        marked.append(m.status == mark)
    elif mark == "todo":
        marked.append(m.status.is_(None))
    base = (
        select(
            groups.c.normalized,
            groups.c.count,
            groups.c.last,
            latest.c.question,
            latest.c.answer,
            latest.c.outcome,
            latest.c.channel,
            m.status,
            m.marked_by,
            m.marked_at,
        )
        .select_from(
            groups.join(latest, latest.c.id == groups.c.last_id).outerjoin(
                question_marks, m.normalized == groups.c.normalized
            )
        )
        .where(*marked)
    )
    with db.connect() as c:
        total = c.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        rows = c.execute(
            base.order_by(groups.c.count.desc(), groups.c.last.desc())
            .limit(per_page)
            .offset((max(page, 1) - 1) * per_page)
        )
        out = [
            {
                "normalized": r.normalized,
                "count": r.count,
                "last": r.last,
                "example": r.question,
                "searched": _searched(r.question, r.normalized),
                "answer": r.answer,
                "outcome": r.outcome,
                "outcome_label": OUTCOMES.get(r.outcome, r.outcome),
                "channel_label": CHANNELS.get(r.channel, r.channel),
                "mark": r.status,
                "mark_label": MARKS.get(r.status or "", ""),
                "marked_by": r.marked_by,
                "marked_at": r.marked_at,
            }
            for r in rows
        ]
    return out, total


def set_mark(db: Engine, actor: Actor, normalized: str, status: str) -> None:
    """Mark an unanswered question 已处理 (done) or 忽略 (ignored); "" takes the mark away."""
    if status and status not in MARKS:
        raise ValueError(f"unknown mark {status!r}")
    key = mark_key(normalized)
    with db.begin() as c:
        found = c.execute(select(question_marks).where(question_marks.c.key == key)).first()
        before = {"status": found.status} if found is not None else None
        c.execute(delete(question_marks).where(question_marks.c.key == key))
        if status:
            c.execute(
                insert(question_marks).values(
                    key=key,
                    normalized=normalized,
                    status=status,
                    marked_by=actor.name[:80],
                    marked_at=datetime.now(UTC).replace(tzinfo=None),
                )
            )
        after = {"status": status} if status else None
        if before != after:
            audit.record(
                c, actor, "question.mark", f"未回答的问题：{normalized[:150]}", before, after
            )


def hot(db: Engine, since: date, channel: str = "", limit: int = 20) -> list[dict]:
    """The most-asked answered questions (answer or curated), grouped as searched, each shown as
    one of its wordings; none with a masked number (someone's private digits are never offered to others)."""
    q = questions.c
    where = [q.day >= since, q.found.is_(True)]
    if channel in CHANNELS:
        where.append(q.channel == channel)
    stmt = (
        select(q.normalized, func.count().label("n"), func.min(q.question).label("example"))
        .where(and_(*where))
        .group_by(q.normalized)
        .order_by(func.count().desc(), q.normalized)
        .limit(limit * 3)
    )
    with db.connect() as c:
        rows = list(c.execute(stmt))
    out = [{"question": r.example, "normalized": r.normalized, "count": r.n} for r in rows]
    return [h for h in out if "*" not in h["question"]][:limit]
