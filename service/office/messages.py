"""Citizens' messages (留言): stored as left (a contact only with consent), listed with contacts
masked, handled by staff (status, notes, who), deleted after the retention period."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, insert, select, update

from service.office import audit
from service.office.audit import SYSTEM, Actor
from service.office.mask import mask_numbers
from service.office.tables import questions
from service.office.tables_desk import message_notes, messages

STATUSES = {"new": "新", "open": "处理中", "answered": "已答复"}
MAX_QUESTION_CHARS = 500
MAX_CONTACT_CHARS = 100
MAX_NOTE_CHARS = 2000
PAGE = 50
_PHONE = re.compile(r"\+?[\d][\d\s()-]{5,24}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,200}\.[^@\s.]{2,20}")


class MessageError(ValueError):
    """Bad input, said in words a citizen or staff member can act on (Chinese, and English
    for the API's message_en)."""

    def __init__(self, message: str, message_en: str = "Invalid message."):
        super().__init__(message)
        self.message_en = message_en


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def clean_question(raw: str) -> str:
    text = " ".join(str(raw).split())
    if not text:
        raise MessageError("请写下您的问题。", "The question is empty.")
    if len(text) > MAX_QUESTION_CHARS:
        raise MessageError(
            f"问题最多 {MAX_QUESTION_CHARS} 字。",
            f"The question is longer than {MAX_QUESTION_CHARS} characters.",
        )
    return text


def clean_contact(raw: str) -> str:
    """A phone number (7–15 digits, spaces, dashes, brackets, a leading +) or an e-mail."""
    text = " ".join(str(raw).split())
    digits = re.sub(r"\D", "", text)
    if _PHONE.fullmatch(text) and 7 <= len(digits) <= 15:
        return text
    if len(text) <= MAX_CONTACT_CHARS and _EMAIL.fullmatch(text):
        return text
    raise MessageError(
        "联系方式请填写电话号码或电子邮箱。", "The contact must be a phone number or an e-mail."
    )


def mask_contact(contact: str | None) -> str:
    """'13812345678' → '138****5678'; 'zhang@example.cn' → 'z***@example.cn'."""
    if not contact:
        return ""
    if "@" in contact:
        name, _, domain = contact.partition("@")
        return f"{name[:1]}***@{domain}"
    digits = re.sub(r"\D", "", contact)
    if len(digits) >= 8:
        return digits[:3] + "****" + digits[-4:]
    return "*" * (len(digits) - 2) + digits[-2:]


def create(
    db: Engine, question: str, contact: str | None, consent: bool, answer_id: str | None
) -> int:
    """Store one message; its id. A contact without consent is refused, never stored."""
    question = mask_numbers(clean_question(question))
    contact = (contact or "").strip() or None
    if contact is not None and not consent:
        raise MessageError(
            "留下联系方式须先勾选同意。", "A contact is only taken with consent (consent: true)."
        )
    contact = clean_contact(contact) if contact is not None else None
    with db.begin() as c:
        done = c.execute(
            insert(messages).values(
                created_at=_now(),
                question=question,
                contact=contact,
                consent=bool(consent and contact),
                answer_id=answer_id,
                status="new",
            )
        )
        return int(done.inserted_primary_key[0])


def _view(r, full_contact: bool = False) -> dict:
    return {
        "id": r.id,
        "created_at": r.created_at,
        "question": r.question,
        "has_contact": bool(r.contact),
        "contact": (r.contact or "") if full_contact else mask_contact(r.contact),
        "status": r.status,
        "status_label": STATUSES.get(r.status, r.status),
        "handled_by": r.handled_by,
        "handled_at": r.handled_at,
        "answer_id": r.answer_id,
    }


def listing(
    db: Engine, status: str | None = None, page: int = 1, per_page: int = PAGE
) -> tuple[list[dict], int]:
    """One page of messages, newest first, contacts masked; and how many there are in all."""
    where = [messages.c.status == status] if status in STATUSES else []
    query = select(messages).where(*where).order_by(messages.c.id.desc())
    with db.connect() as c:
        total = c.execute(select(func.count()).select_from(messages).where(*where)).scalar_one()
        rows = c.execute(query.limit(per_page).offset((max(page, 1) - 1) * per_page))
        return [_view(r) for r in rows], total


def counts(db: Engine) -> dict[str, int]:
    with db.connect() as c:
        rows = c.execute(select(messages.c.status, func.count()).group_by(messages.c.status))
        found = {status: n for status, n in rows}
    return {s: found.get(s, 0) for s in STATUSES}


def get(db: Engine, message_id: int, full_contact: bool) -> dict | None:
    """One message with its notes and the reply it was left from (while the log keeps it)."""
    with db.connect() as c:
        r = c.execute(select(messages).where(messages.c.id == message_id)).first()
        if r is None:
            return None
        item = _view(r, full_contact)
        item["notes"] = [
            {"at": n.at, "author": n.author, "text": n.text}
            for n in c.execute(
                select(message_notes)
                .where(message_notes.c.message_id == message_id)
                .order_by(message_notes.c.id)
            )
        ]
        reply = None
        if r.answer_id:
            q = questions.c
            reply = c.execute(
                select(q.answer, q.outcome, q.channel).where(q.answer_id == r.answer_id)
            ).first()
        item["reply"] = dict(reply._mapping) if reply is not None else None
    return item


def set_status(db: Engine, actor: Actor, message_id: int, status: str) -> bool:
    """Change a message's status (the account becomes its handler); False: no such message."""
    if status not in STATUSES:
        raise MessageError("没有这种状态。")
    with db.begin() as c:
        before = c.execute(select(messages.c.status).where(messages.c.id == message_id)).first()
        if before is None:
            return False
        if before.status == status:
            return True
        c.execute(
            update(messages)
            .where(messages.c.id == message_id)
            .values(status=status, handled_by=actor.name[:80], handled_at=_now())
        )
        audit.record(
            c,
            actor,
            "message.status",
            f"留言 #{message_id}",
            {"status": before.status},
            {"status": status},
        )
    return True


def add_note(db: Engine, actor: Actor, message_id: int, text: str) -> bool:
    """A reply note by the signed-in account (who handled it); False: no such message."""
    text = str(text).strip()
    if not text:
        raise MessageError("请写下答复或处理记录。")
    if len(text) > MAX_NOTE_CHARS:
        raise MessageError(f"记录最多 {MAX_NOTE_CHARS} 字。")
    now = _now()
    with db.begin() as c:
        found = c.execute(select(messages.c.id).where(messages.c.id == message_id)).first()
        if found is None:
            return False
        c.execute(
            insert(message_notes).values(
                message_id=message_id, at=now, author=actor.name[:80], text=text
            )
        )
        c.execute(
            update(messages)
            .where(messages.c.id == message_id)
            .values(handled_by=actor.name[:80], handled_at=now)
        )
        # the audit log is kept for good, the message is not: no digits that could be a phone
        audit.record(
            c, actor, "message.note", f"留言 #{message_id}", None, {"note": mask_numbers(text)}
        )
    return True


def purge(db: Engine, retention_days: int, now: datetime | None = None) -> int:
    """Delete messages (and their notes) older than the retention period; how many went."""
    cutoff = (now or _now()) - timedelta(days=retention_days)
    with db.begin() as c:
        old = select(messages.c.id).where(messages.c.created_at < cutoff)
        c.execute(delete(message_notes).where(message_notes.c.message_id.in_(old)))
        gone = c.execute(delete(messages).where(messages.c.created_at < cutoff)).rowcount
        if gone:
            audit.record(
                c,
                Actor(SYSTEM, "system"),
                "messages.purge",
                "留言",
                {"older_than_days": retention_days},
                {"deleted": gone},
            )
    return gone
