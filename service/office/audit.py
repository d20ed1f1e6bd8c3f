"""The audit log: every change staff make (curated answers, suggestions, accounts, sessions,
lockouts lifted), who made it, when, how, and the thing before and after, as JSON. Written in
the same transaction as the change itself, so there is no change without its entry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select

from service.office.tables import audit_log

# What each action is called on the audit page.
ACTIONS = {
    "curated.create": "新增人工答案",
    "curated.update": "修改人工答案",
    "suggestions.set": "设定推荐问题",
    "account.create": "新建账号",
    "account.role": "修改角色",
    "account.disable": "停用账号",
    "account.enable": "启用账号",
    "account.password": "修改密码",
    "account.unlock": "解除账号锁定",
    "address.unlock": "解除地址锁定",
    "session.start": "登录",
    "session.end": "结束会话",
    "sign_in.locked": "登录失败次数过多，锁定",
    "message.status": "修改留言状态",
    "message.note": "写留言处理记录",
    "messages.purge": "删除过期留言",
    "guidance.create": "新增办事指引",
    "guidance.update": "修改办事指引",
    "guidance.delete": "删除办事指引",
    "question.mark": "标记未回答的问题",
    "document.upload": "上传文件（草稿）",
    "document.publish": "发布文件",
    "document.replace": "替换文件（新版本）",
    "document.retire": "撤下文件",
    "document.discard": "放弃文件草稿",
    "documents.seed": "纳入文件管理（初始文件）",
}
VIA = {"web": "网页", "cli": "命令行", "setup": "令牌创建", "system": "系统", "api": "接口"}
SYSTEM = "（系统）"


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an account's username (web), or a shell user (cli)."""

    name: str
    via: str = "web"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _json(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    raise TypeError(f"not JSON: {type(value).__name__}")


def record(
    c: Connection, actor: Actor | str, action: str, target: str, before=None, after=None
) -> None:
    """One entry, inside the caller's transaction. A plain string actor is a web change."""
    if isinstance(actor, str):
        actor = Actor(actor)
    c.execute(
        insert(audit_log).values(
            at=_now(),
            actor=(" ".join(actor.name.split()) or "staff")[:80],
            via=actor.via[:10],
            action=action[:40],
            target=target[:200],
            before=_json(before),
            after=_json(after),
        )
    )


def entries(db: Engine, limit: int = 100, before_id: int | None = None) -> list[dict]:
    """The newest entries first (older ones than before_id, for the next page)."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    with db.connect() as c:
        rows = list(c.execute(query))
    return [
        {
            "id": r.id,
            "at": r.at,
            "actor": r.actor,
            "via": r.via,
            "via_label": VIA.get(r.via, r.via),
            "action": r.action,
            "action_label": ACTIONS.get(r.action, r.action),
            "target": r.target,
            "before": json.loads(r.before) if r.before is not None else None,
            "after": json.loads(r.after) if r.after is not None else None,
        }
        for r in rows
    ]
