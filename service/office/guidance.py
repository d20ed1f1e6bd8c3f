"""办事指引: the next step under a `related` or `none` reply — a short text with a phone or a
link, set by staff per document (it applies when the reply's passages come from it) or per
topic (keywords; any one in the question matches). Stored with the audit log; matched in
memory on the answer path."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, insert, select, update

from service.office import audit
from service.office.audit import Actor
from service.office.tables_desk import guidance

MAX_TEXT_CHARS = 200
MAX_KEYWORDS = 20
MAX_KEYWORD_CHARS = 20
_PHONE = re.compile(r"\+?\d[\d\s()-]{2,30}")
_SPLIT = re.compile(r"[\n,，、;；]+")


class GuidanceError(ValueError):
    """Bad input, said in words staff can act on."""


@dataclass(frozen=True)
class Guide:
    id: int
    doc_id: str | None
    keywords: tuple[str, ...]
    text: str
    phone: str
    url: str
    enabled: bool
    version: int
    updated_by: str
    updated_at: datetime

    def as_json(self) -> dict:
        """What the audit log keeps of it."""
        out = asdict(self)
        out.pop("updated_at")
        out["keywords"] = list(self.keywords)
        return out

    def public(self) -> dict:
        """What a reply carries (AskResponse.guidance)."""
        return {"text": self.text, "phone": self.phone or None, "url": self.url or None}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _row(r) -> Guide:
    return Guide(
        id=r.id,
        doc_id=r.doc_id,
        keywords=tuple(json.loads(r.keywords)),
        text=r.text,
        phone=r.phone,
        url=r.url,
        enabled=bool(r.enabled),
        version=r.version,
        updated_by=r.updated_by,
        updated_at=r.updated_at,
    )


def clean(doc_id: str, keywords: str, text: str, phone: str, url: str) -> dict:
    """The stored values of a form, or a GuidanceError that says what to fix."""
    doc_id = doc_id.strip() or None
    words: list[str] = []
    for w in _SPLIT.split(keywords):
        w = " ".join(w.split())
        if w and w not in words:
            words.append(w)
    if any(len(w) > MAX_KEYWORD_CHARS for w in words):
        raise GuidanceError(f"每个关键词最多 {MAX_KEYWORD_CHARS} 字。")
    if len(words) > MAX_KEYWORDS:
        raise GuidanceError(f"关键词最多 {MAX_KEYWORDS} 个。")
    if doc_id is None and not words:
        raise GuidanceError("请选择一个文件，或填写至少一个主题关键词。")
    text = " ".join(text.split())
    if not text:
        raise GuidanceError("请填写指引的文字。")
    if len(text) > MAX_TEXT_CHARS:
        raise GuidanceError(f"指引文字最多 {MAX_TEXT_CHARS} 字。")
    phone, url = " ".join(phone.split()), url.strip()
    if phone and not _PHONE.fullmatch(phone):
        raise GuidanceError("电话只能包含数字、空格、短横线、括号和开头的 +。")
    if url and (not re.fullmatch(r"https?://[^\s<>\"']+", url) or len(url) > 500):
        raise GuidanceError("链接须以 http:// 或 https:// 开头，不含空格，最多 500 个字符。")
    if not phone and not url:
        raise GuidanceError("请填写电话或链接（至少一项）。")
    return {"doc_id": doc_id, "keywords": words, "text": text, "phone": phone, "url": url}


def all_guides(db: Engine) -> list[Guide]:
    with db.connect() as c:
        return [_row(r) for r in c.execute(select(guidance).order_by(guidance.c.id))]


def get(db: Engine, guide_id: int) -> Guide | None:
    with db.connect() as c:
        r = c.execute(select(guidance).where(guidance.c.id == guide_id)).first()
    return _row(r) if r is not None else None


def save(db: Engine, actor: Actor, values: dict, enabled: bool, guide_id: int | None) -> int:
    """Create (guide_id None) or change a guide from clean() values; its id."""
    row = {**values, "keywords": json.dumps(values["keywords"], ensure_ascii=False)}
    row.update(enabled=enabled, updated_by=actor.name[:80], updated_at=_now())
    with db.begin() as c:
        if guide_id is None:
            done = c.execute(insert(guidance).values(version=1, **row))
            guide_id = int(done.inserted_primary_key[0])
            before = None
        else:
            found = c.execute(select(guidance).where(guidance.c.id == guide_id)).first()
            if found is None:
                raise GuidanceError("没有这条办事指引。")
            before = _row(found)
            row["version"] = before.version + 1
            c.execute(update(guidance).where(guidance.c.id == guide_id).values(**row))
            before = before.as_json()
        after = _row(c.execute(select(guidance).where(guidance.c.id == guide_id)).one())
        action = "guidance.create" if before is None else "guidance.update"
        audit.record(c, actor, action, f"办事指引 #{guide_id}", before, after.as_json())
    return guide_id


def remove(db: Engine, actor: Actor, guide_id: int) -> bool:
    with db.begin() as c:
        found = c.execute(select(guidance).where(guidance.c.id == guide_id)).first()
        if found is None:
            return False
        c.execute(delete(guidance).where(guidance.c.id == guide_id))
        audit.record(c, actor, "guidance.delete", f"办事指引 #{guide_id}", _row(found).as_json())
    return True


def fingerprint(db: Engine) -> tuple:
    """Changes whenever a guide is added, changed or deleted (here or on another replica)."""
    with db.connect() as c:
        seen = c.execute(
            select(func.count(), func.max(guidance.c.updated_at), func.sum(guidance.c.version))
        ).one()
    return tuple(seen)


class GuidanceMatcher:
    """The enabled guides, held in memory: the answer path never reads the database."""

    def __init__(self) -> None:
        self._topics: list[tuple[tuple[str, ...], Guide]] = []
        self._docs: dict[str, Guide] = {}

    def load(self, guides: list[Guide]) -> None:
        topics, docs = [], {}
        for g in guides:
            if not g.enabled:
                continue
            if g.keywords:
                topics.append((tuple(_fold(w) for w in g.keywords), g))
            if g.doc_id and g.doc_id not in docs:
                docs[g.doc_id] = g
        self._topics, self._docs = topics, docs

    def __len__(self) -> int:
        return len({g.id for _, g in self._topics} | {g.id for g in self._docs.values()})

    def pick(self, texts: list[str], doc_ids: list[str]) -> Guide | None:
        """A topic whose keyword is in the question (the longest keyword wins: the most
        particular), else the guide of the first document the reply's passages come from."""
        asked = " ".join(_fold(t) for t in texts if t)
        best, best_len = None, 0
        for words, guide in self._topics:
            hit = max((len(w) for w in words if w in asked), default=0)
            if hit > best_len:
                best, best_len = guide, hit
        if best is not None:
            return best
        for doc in doc_ids:
            if doc in self._docs:
                return self._docs[doc]
        return None
