"""Answer quality for staff: the latest `ipqa eval` reports (in-sample, held-out) kept in the
office database, drawn as charts with the failures listed; also written as one HTML file.
Everything is named in plain Chinese (service/office/quality_labels.py), the eval's own name
beside it in a title attribute."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, func, insert, select

from service.office import quality_labels as labels
from service.office.chart import hbars
from service.office.tables import eval_reports

MODE = "hybrid"  # the mode the service answers with; the others are for comparison
MAX_FAILURES = 100


def save(db: Engine, label: str, report: dict) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with db.begin() as c:
        c.execute(
            insert(eval_reports).values(
                created_at=now, label=label[:40], report=json.dumps(report, ensure_ascii=False)
            )
        )


def latest(db: Engine) -> dict[str, dict]:
    """The newest report of each label: the plan's sets, then the documents', tuning first."""
    newest = (
        select(eval_reports.c.label, func.max(eval_reports.c.id).label("id"))
        .group_by(eval_reports.c.label)
        .subquery()
    )
    stmt = select(eval_reports.c.label, eval_reports.c.report).join(
        newest, eval_reports.c.id == newest.c.id
    )
    with db.connect() as c:
        rows = {r.label: json.loads(r.report) for r in c.execute(stmt)}
    return dict(sorted(rows.items(), key=lambda kv: labels.set_order(kv[0])))


def _value(summary: dict, key: str) -> str:
    value = summary.get(key)
    if value is None:
        return "—"
    return f"{value:.1f}" if key.startswith("latency") else f"{value:.3f}"


def _expected(row: dict) -> str:
    if row.get("ood"):
        return "文件中没有答案（应拒答）"
    parts = []
    if row.get("expected_answer_contains"):
        parts.append("回答包含：" + "、".join(row["expected_answer_contains"]))
    if row.get("expected_indicator"):
        parts.append(f"指标：{row['expected_indicator']}")
    if row.get("passage_contains"):
        parts.append(f"段落包含：{row['passage_contains']}")
    return "；".join(parts)


def _named(table: dict, key: str) -> dict:
    return {"key": key, "name": labels.name(table, key), "note": labels.note(table, key)}


def view(label: str, report: dict) -> dict:
    """What the template shows of one report: figures per mode, charts and the failures."""
    modes = report.get("modes", {})
    main = modes.get(MODE) or next(iter(modes.values()), {"overall": {}, "categories": {}})
    kinds = labels.CATEGORIES
    categories = sorted(
        ((key, s) for key, s in main.get("categories", {}).items() if s.get("n")),
        key=lambda kv: labels.order(kinds, kv[0]),
    )
    rows = [
        (labels.name(kinds, key), s.get("hit@1"))
        for key, s in categories
        if s.get("hit@1") is not None
    ]
    answers = [
        (labels.name(kinds, key), s.get("answer_accuracy"))
        for key, s in categories
        if s.get("answer_accuracy") is not None
    ]
    failures = [
        {
            "id": row["id"],
            "category": _named(kinds, row.get("category", "")),
            "question": row.get("question", ""),
            "expected": _expected(row),
            "answer": row.get("answer", ""),
            "found": row.get("found"),
            "causes": [_named(labels.CAUSES, c) for c in row.get("causes", [])],
        }
        for row in main.get("questions", [])
        if row.get("causes")
    ]
    name = labels.set_name(label)
    documents = [
        {"key": key, "name": labels.DOCUMENTS.get(key, key), "summary": s}
        for key, s in sorted(
            main.get("documents", {}).items(), key=lambda kv: labels.order(labels.DOCUMENTS, kv[0])
        )
        if s.get("n")
    ]
    return {
        "label": label,
        "name": name,
        "note": labels.note(labels.SETS, label.removesuffix(labels.CURATED[0])),
        "created": report.get("created", ""),
        "questions": report.get("questions"),
        "measures": [_named(labels.MEASURES, key) for key in labels.MEASURES],
        "modes": [
            {**_named(labels.MODES, key), "overall": result.get("overall", {})}
            for key, result in sorted(modes.items(), key=lambda kv: kv[0] != MODE)
        ],
        "categories": [_named(kinds, key) for key, _ in categories],
        "documents": documents,
        "document_measures": [_named(labels.MEASURES, k) for k in labels.DOCUMENT_MEASURES],
        "value": _value,
        "hit_chart": hbars(
            rows,
            "#1d6fb8",
            f"{name}：各类问题的首条命中率",
            "每类问题中，第一条出处就是正确段落的比例",
        ),
        "answer_chart": hbars(
            answers,
            "#1c7c3c",
            f"{name}：各类问题的回答正确率",
            "每类问题中，回答包含应有内容的比例",
        ),
        "glossary": {
            "sets": [_named(labels.SETS, key) for key in labels.SETS],
            "causes": [_named(labels.CAUSES, key) for key in labels.CAUSES],
        },
        "failures": failures[:MAX_FAILURES],
        "failures_total": len(failures),
    }


def render_file(reports: dict[str, dict]) -> str:
    """The answer-quality page as one self-contained HTML file (`ipqa eval --html FILE`)."""
    from service.office.pages import HERE, templates

    css = (HERE / "static" / "admin.css").read_text(encoding="utf-8")
    ordered = sorted(reports.items(), key=lambda kv: labels.set_order(kv[0]))
    views = [view(label, report) for label, report in ordered]
    return templates().get_template("quality_file.html").render(views=views, css=css)
