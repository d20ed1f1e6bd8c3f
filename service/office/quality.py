"""Answer quality for staff: the latest `ipqa eval` reports (in-sample, held-out) kept in the
office database, drawn as charts with the failures listed; also written as one HTML file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, func, insert, select

from service.office.chart import hbars
from service.office.tables import eval_reports

MODE = "hybrid"  # the mode the service answers with; the others are for comparison
FIGURES = [
    ("hit@1", "hit@1"),
    ("hit@5", "hit@5"),
    ("mrr@10", "MRR@10"),
    ("answer_accuracy", "回答正确率"),
    ("indicator_accuracy", "指标正确率"),
    ("ood_precision", "拒答精确率"),
    ("ood_recall", "拒答召回率"),
    ("false_refusal_rate", "误拒率"),
    ("latency_p50_ms", "p50 毫秒"),
]
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
    """The newest report of each label, in-sample first."""
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
    return dict(sorted(rows.items(), key=lambda kv: (kv[0] != "in-sample", kv[0])))


def _value(summary: dict, key: str) -> str:
    value = summary.get(key)
    if value is None:
        return "—"
    return f"{value:.1f}" if key.startswith("latency") else f"{value:.3f}"


def _expected(row: dict) -> str:
    if row.get("ood"):
        return "规划中没有（应拒答）"
    parts = []
    if row.get("expected_answer_contains"):
        parts.append("回答包含：" + "、".join(row["expected_answer_contains"]))
    if row.get("expected_indicator"):
        parts.append(f"指标：{row['expected_indicator']}")
    if row.get("passage_contains"):
        parts.append(f"段落包含：{row['passage_contains']}")
    return "；".join(parts)


def view(label: str, report: dict) -> dict:
    """What the template shows of one report: figures per mode, charts and the failures."""
    modes = report.get("modes", {})
    main = modes.get(MODE) or next(iter(modes.values()), {"overall": {}, "categories": {}})
    categories = [(name, s) for name, s in main.get("categories", {}).items() if s.get("n")]
    rows = [(name, s.get("hit@1")) for name, s in categories if s.get("hit@1") is not None]
    answers = [
        (name, s.get("answer_accuracy"))
        for name, s in categories
        if s.get("answer_accuracy") is not None
    ]
    failures = [
        {
            "id": row["id"],
            "category": row.get("category", ""),
            "question": row.get("question", ""),
            "expected": _expected(row),
            "answer": row.get("answer", ""),
            "found": row.get("found"),
            "causes": "、".join(row.get("causes", [])),
        }
        for row in main.get("questions", [])
        if row.get("causes")
    ]
    return {
        "label": label,
        "created": report.get("created", ""),
        "questions": report.get("questions"),
        "figures": FIGURES,
        "modes": [(name, result.get("overall", {})) for name, result in modes.items()],
        "categories": categories,
        "value": _value,
        "hit_chart": hbars(
            rows, "#1d6fb8", f"{label}：各类问题的 hit@1", "每类问题首个段落命中的比例"
        ),
        "answer_chart": hbars(
            answers, "#1c7c3c", f"{label}：各类问题的回答正确率", "每类问题回答包含预期内容的比例"
        ),
        "failures": failures[:MAX_FAILURES],
        "failures_total": len(failures),
    }


def render_file(reports: dict[str, dict]) -> str:
    """The answer-quality page as one self-contained HTML file (`ipqa eval --html FILE`)."""
    from service.office.pages import HERE, templates

    css = (HERE / "static" / "admin.css").read_text(encoding="utf-8")
    views = [view(label, report) for label, report in reports.items()]
    return templates().get_template("quality_file.html").render(views=views, css=css)
