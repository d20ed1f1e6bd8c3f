"""Curated answers in the database: add, edit, disable, every version kept; JSONL in and out."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import Engine, insert, select, update

from service.office import audit
from service.office.audit import Actor
from service.office.matcher import CuratedEntry, text_key
from service.office.tables import curated, curated_versions

MAX_ANSWER_CHARS = 2000
MAX_QUESTION_CHARS = 500


class CuratedError(ValueError):
    """Bad curated input, said in words staff can act on."""


@dataclass
class Curated:
    id: int
    question: str
    variants: list[str]
    answer: str
    passage_ids: list[str]
    enabled: bool
    version: int
    updated_by: str
    updated_at: datetime

    def entry(self) -> CuratedEntry:
        return CuratedEntry(
            self.id, self.question, tuple(self.variants), self.answer, tuple(self.passage_ids)
        )

    def as_json(self) -> dict:
        return {
            "question": self.question,
            "variants": self.variants,
            "answer": self.answer,
            "passages": self.passage_ids,
            "enabled": self.enabled,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat(timespec="seconds"),
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _row(r) -> Curated:
    return Curated(
        id=r.id,
        question=r.question,
        variants=json.loads(r.variants),
        answer=r.answer,
        passage_ids=json.loads(r.passage_ids),
        enabled=bool(r.enabled),
        version=r.version,
        updated_by=r.updated_by,
        updated_at=r.updated_at,
    )


def _lines(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        v = " ".join(str(v).split())
        if v and v not in out:
            out.append(v)
    return out


def clean(
    question: str, variants: Iterable[str], answer: str, passage_ids: Iterable[str]
) -> tuple[str, list[str], str, list[str]]:
    question = " ".join(question.split())
    answer = answer.strip()
    if not question or len(question) > MAX_QUESTION_CHARS:
        raise CuratedError(f"问题不能为空，最多 {MAX_QUESTION_CHARS} 字。")
    if not text_key(question):
        raise CuratedError("问题至少要有一个字或数字。")
    if not answer or len(answer) > MAX_ANSWER_CHARS:
        raise CuratedError(f"回答不能为空，最多 {MAX_ANSWER_CHARS} 字。")
    variants = [v for v in _lines(variants) if v != question and text_key(v)]
    if any(len(v) > MAX_QUESTION_CHARS for v in variants):
        raise CuratedError(f"每种问法最多 {MAX_QUESTION_CHARS} 字。")
    return question, variants, answer, _lines(passage_ids)


def all_curated(db: Engine) -> list[Curated]:
    with db.connect() as c:
        return [_row(r) for r in c.execute(select(curated).order_by(curated.c.id))]


def get(db: Engine, curated_id: int) -> Curated | None:
    with db.connect() as c:
        r = c.execute(select(curated).where(curated.c.id == curated_id)).first()
    return _row(r) if r is not None else None


def enabled_entries(db: Engine) -> list[CuratedEntry]:
    return [c.entry() for c in all_curated(db) if c.enabled]


def history(db: Engine, curated_id: int) -> list[dict]:
    with db.connect() as c:
        rows = c.execute(
            select(curated_versions)
            .where(curated_versions.c.curated_id == curated_id)
            .order_by(curated_versions.c.version.desc())
        )
        return [
            {
                "version": r.version,
                "question": r.question,
                "variants": json.loads(r.variants),
                "answer": r.answer,
                "passages": json.loads(r.passage_ids),
                "enabled": bool(r.enabled),
                "changed_by": r.changed_by,
                "changed_at": r.changed_at,
            }
            for r in rows
        ]


def _version_row(curated_id: int, values: dict) -> dict:
    return {
        "curated_id": curated_id,
        "version": values["version"],
        "question": values["question"],
        "variants": values["variants"],
        "answer": values["answer"],
        "passage_ids": values["passage_ids"],
        "enabled": values["enabled"],
        "changed_by": values["updated_by"],
        "changed_at": values["updated_at"],
    }


def save(
    db: Engine,
    who: str,
    question: str,
    variants: Iterable[str],
    answer: str,
    passage_ids: Iterable[str] = (),
    enabled: bool = True,
    curated_id: int | None = None,
    via: str = "web",
) -> int:
    """Create (curated_id None) or change one curated answer; returns its id. `who` (an
    account, or a shell user when `via` is "cli") and the change go to the audit log."""
    question, variants, answer, passage_ids = clean(question, variants, answer, passage_ids)
    who = (" ".join(who.split()) or "staff")[:80]
    values = {
        "question": question,
        "variants": json.dumps(variants, ensure_ascii=False),
        "answer": answer,
        "passage_ids": json.dumps(passage_ids, ensure_ascii=False),
        "enabled": enabled,
        "updated_by": who,
        "updated_at": _now(),
    }
    before = None
    with db.begin() as c:
        if curated_id is None:
            values["version"] = 1
            curated_id = c.execute(insert(curated).values(**values)).inserted_primary_key[0]
        else:
            current = c.execute(select(curated).where(curated.c.id == curated_id)).first()
            if current is None:
                raise CuratedError(f"没有编号为 {curated_id} 的人工答案。")
            before = _audited(_row(current))
            values["version"] = current.version + 1
            c.execute(update(curated).where(curated.c.id == curated_id).values(**values))
        c.execute(insert(curated_versions).values(**_version_row(curated_id, values)))
        after = _audited(_row(SimpleNamespace(id=curated_id, **values)))
        action = "curated.create" if before is None else "curated.update"
        audit.record(c, Actor(who, via), action, f"人工答案 #{curated_id}", before, after)
    return curated_id


def _audited(item: Curated) -> dict:
    """A curated answer as the audit log keeps it (who and when are the entry's own)."""
    keep = ("question", "variants", "answer", "passages", "enabled")
    return {"version": item.version, **{k: v for k, v in item.as_json().items() if k in keep}}


def set_enabled(db: Engine, who: str, curated_id: int, enabled: bool) -> None:
    item = get(db, curated_id)
    if item is None:
        raise CuratedError(f"没有编号为 {curated_id} 的人工答案。")
    save(db, who, item.question, item.variants, item.answer, item.passage_ids, enabled, item.id)


def find_by_question(db: Engine, question: str) -> Curated | None:
    key = text_key(question)
    return next((c for c in all_curated(db) if text_key(c.question) == key), None)


def export_jsonl(db: Engine) -> str:
    return "".join(json.dumps(c.as_json(), ensure_ascii=False) + "\n" for c in all_curated(db))


def import_jsonl(db: Engine, text: str, who: str, via: str = "cli") -> tuple[int, int]:
    """(added, changed). A line whose question matches an existing one is a new version of it;
    every line is checked before anything is written."""
    items = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("not an object")
            item = (
                str(obj["question"]),
                [str(v) for v in obj.get("variants", [])],
                str(obj["answer"]),
                [str(p) for p in obj.get("passages", [])],
                bool(obj.get("enabled", True)),
            )
            clean(*item[:4])
        except (ValueError, KeyError, TypeError) as exc:
            raise CuratedError(f"line {n}: {exc}") from None
        items.append(item)
    added = changed = 0
    for question, variants, answer, passages, enabled in items:
        existing = find_by_question(db, question)
        save(db, who, question, variants, answer, passages, enabled, existing and existing.id, via)
        added, changed = (added, changed + 1) if existing else (added + 1, changed)
    return added, changed
