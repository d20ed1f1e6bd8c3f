"""What staff read: questions per day, answered and 👍 shares, unanswered, 👎 with comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, and_, case, func, select

from service.office.tables import feedback, questions

ANSWERED = ("answer", "curated")
LIST_LIMIT = 200


def _utc(at: datetime) -> str:
    """Stored naive in UTC; said so in the JSON ("…+00:00")."""
    return at.replace(tzinfo=UTC).isoformat(timespec="seconds")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def per_day(db: Engine, since: date) -> list[dict]:
    q = questions.c
    asked = select(
        q.day,
        func.count().label("questions"),
        func.sum(case((q.found, 1), else_=0)).label("answered"),
        func.sum(case((q.outcome == "curated", 1), else_=0)).label("curated"),
    ).where(q.day >= since)
    votes = select(
        feedback.c.day,
        func.sum(case((feedback.c.rating == "up", 1), else_=0)).label("up"),
        func.sum(case((feedback.c.rating == "down", 1), else_=0)).label("down"),
    ).where(feedback.c.day >= since)
    with db.connect() as c:
        days = {
            r.day: {
                "questions": r.questions,
                "answered": int(r.answered),
                "curated": int(r.curated),
            }
            for r in c.execute(asked.group_by(q.day))
        }
        rated = {r.day: (int(r.up), int(r.down)) for r in c.execute(votes.group_by(feedback.c.day))}
    out = []
    day, today = since, date.today()
    while day <= today:  # every day of the period, quiet ones as zeros, so a chart has no gaps
        row = days.get(day, {"questions": 0, "answered": 0, "curated": 0})
        up, down = rated.get(day, (0, 0))
        out.append({"day": day.isoformat(), **row, "up": up, "down": down})
        day += timedelta(days=1)
    return out


def unanswered(db: Engine, since: date, limit: int = LIST_LIMIT) -> list[dict]:
    """Refused questions grouped by their normalized form, most asked first."""
    q = questions.c
    stmt = (
        select(
            q.normalized,
            func.count().label("count"),
            func.max(q.asked_at).label("last"),
            func.min(q.question).label("example"),
        )
        .where(and_(q.day >= since, q.found.is_(False)))
        .group_by(q.normalized)
        .order_by(func.count().desc(), func.max(q.asked_at).desc())
        .limit(limit)
    )
    with db.connect() as c:
        return [
            {
                "question": r.normalized,
                "example": r.example,
                "count": r.count,
                "last_asked": _utc(r.last),
            }
            for r in c.execute(stmt)
        ]


def most_asked_answered(db: Engine, since: date, min_count: int, limit: int) -> list[str]:
    """The most-asked answered questions (as asked, the commonest form of each)."""
    q = questions.c
    stmt = (
        select(q.normalized, func.count().label("n"), func.min(q.question).label("example"))
        .where(and_(q.day >= since, q.found.is_(True)))
        .group_by(q.normalized)
        .having(func.count() >= min_count)
        .order_by(func.count().desc(), q.normalized)
        .limit(limit * 3)
    )
    with db.connect() as c:
        rows = list(c.execute(stmt))
    # a masked number means someone typed private digits: never show it to others
    return [r.example for r in rows if "*" not in r.example][:limit]


def downvoted(db: Engine, since: date, limit: int = LIST_LIMIT) -> list[dict]:
    f, q = feedback.c, questions.c
    stmt = (
        select(f.answer_id, f.comment, f.created_at, q.question, q.answer, q.outcome)
        .select_from(feedback.outerjoin(questions, q.answer_id == f.answer_id))
        .where(and_(f.day >= since, f.rating == "down"))
        .order_by(f.created_at.desc())
        .limit(limit)
    )
    with db.connect() as c:
        return [
            {
                "answer_id": r.answer_id,
                "question": r.question,
                "answer": r.answer,
                "outcome": r.outcome,
                "comment": r.comment,
                "at": _utc(r.created_at),
            }
            for r in c.execute(stmt)
        ]


def build(db: Engine, days: int) -> dict:
    """The whole report for the last `days` days (today included)."""
    since = date.today() - timedelta(days=days - 1)
    daily = per_day(db, since)
    asked = sum(d["questions"] for d in daily)
    answered = sum(d["answered"] for d in daily)
    up, down = sum(d["up"] for d in daily), sum(d["down"] for d in daily)
    return {
        "days": days,
        "since": since.isoformat(),
        "questions": asked,
        "answered": answered,
        "answered_share": _share(answered, asked),
        "curated": sum(d["curated"] for d in daily),
        "feedback": {"up": up, "down": down, "up_share": _share(up, up + down)},
        "per_day": daily,
        "unanswered": unanswered(db, since),
        "downvoted": downvoted(db, since),
    }
