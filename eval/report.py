"""Rich tables for an eval report: one per mode, then the failures grouped by cause."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

CAUSES = ("false refusal", "retrieval miss", "wrong answer", "wrong indicator", "missed ood")


# Two tables per mode, each narrow enough for an 80-column terminal or a pipe (rich then
# assumes 80): fourteen columns in one table left room for "0.…" only.
RETRIEVAL = [
    ("n", "n"),
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("hit@5", "hit@5"),
    ("mrr@10", "MRR@10"),
    ("ndcg@10", "nDCG@10"),
]
ANSWERS = [
    ("answer_accuracy", "answer"),
    ("indicator_accuracy", "indic."),
    ("ood_precision", "ood P"),
    ("ood_recall", "ood R"),
    ("false_refusal_rate", "false ref."),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
]
COLUMNS = RETRIEVAL + ANSWERS


def _cell(key: str, value) -> str:
    if value is None:
        return "—"
    if key == "n":
        return str(value)
    if key.startswith("latency"):
        return f"{value:.1f}"
    return f"{value:.3f}"


def _table(title: str, result: dict, columns: list[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("category", overflow="fold")  # the names wrap, never the figures
    for _, header in columns:
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    table.add_row("[bold]overall[/]", *(_cell(k, result["overall"].get(k)) for k, _ in columns))
    table.add_section()
    for cat, summary in result["categories"].items():
        table.add_row(cat, *(_cell(k, summary.get(k)) for k, _ in columns))
    return table


def mode_tables(mode: str, result: dict) -> list[Table]:
    return [
        _table(f"mode: {mode} — retrieval", result, RETRIEVAL),
        _table(f"mode: {mode} — answers and latency", result, ANSWERS),
    ]


def print_report(report: dict, console: Console) -> None:
    for mode, result in report["modes"].items():
        for table in mode_tables(mode, result):
            console.print(table)
    if report["gold_without_relevant_passage"]:
        console.print(
            "[yellow]gold questions whose passage_contains no passage contains "
            f"(left out of IR metrics): {', '.join(report['gold_without_relevant_passage'])}[/]"
        )


def print_failures(report: dict, console: Console) -> None:
    for mode, result in report["modes"].items():
        rows = {row["id"]: row for row in result["questions"]}
        total = sum(1 for row in rows.values() if row["causes"])
        console.rule(f"failures: {mode} ({total} questions)")
        for cause in CAUSES:
            ids = result["failures"][cause]
            if not ids:
                continue
            console.print(f"\n[bold]{cause}[/] ({len(ids)})")
            for qid in ids:
                _print_failure(rows[qid], console)


def _print_failure(row: dict, console: Console) -> None:
    p = console.print
    p(f"  [bold]{row['id']}[/] [{row['category']}] {row['question']}", highlight=False)
    for turn in row["history"]:
        p(f"      history {turn['role']}: {turn['content']}", highlight=False)
    p(f"    normalized: {row['normalized_question']}   found: {row['found']}", highlight=False)
    if row["ood"]:
        p("    expected: out of scope (found false)", highlight=False)
    else:
        p(
            f"    expected answer contains: {row['expected_answer_contains']}   "
            f"passage contains: {row['passage_contains']!r}",
            highlight=False,
        )
    if row["expected_indicator"] is not None:
        p(
            f"    expected indicator: {row['expected_indicator']}   returned: "
            f"{row['returned_indicators'][:3]}",
            highlight=False,
        )
    p(f"    answer: {row['answer']}", highlight=False)
    rank = row["first_relevant_rank"]
    if "retrieval_if_answered" in row:
        rank = row["retrieval_if_answered"]["first_relevant_rank"]
        p(
            f"    (refused; retrieval alone would rank the first relevant passage at {rank}; "
            f"evidence {row['retrieval_if_answered']['evidence']})",
            highlight=False,
        )
    elif not row["ood"]:
        p(f"    first relevant passage at rank: {rank}", highlight=False)
    for n, passage in enumerate(row["top_passages"], start=1):
        section = " › ".join(passage["section"])
        p(f"    {n}. [{passage['id']}] {section}: {passage['text'][:160]}", highlight=False)


def _pair(values: list, key: str) -> str:
    """Both sets in one cell, two decimals each, so the table fits 80 columns."""
    cells = ["—" if v is None else str(v) if key == "n" else f"{v:.2f}" for v in values]
    return " ".join(cells)


def sets_table(reports: dict[str, dict], mode: str = "hybrid") -> Table | None:
    """The tuning and held-out sets side by side, per category: what a reader needs first."""
    results = {name: r["modes"][mode] for name, r in reports.items() if mode in r["modes"]}
    if not results:
        return None
    names = list(results)
    table = Table(
        title=f"{mode}, each cell {' | '.join(names)}",
        title_justify="left",
        box=box.SIMPLE,
        padding=(0, 1, 0, 0),
        pad_edge=False,
    )
    for header in ("category", "n", "answered", "hit@1", "hit@5", "answer", "refused"):
        table.add_column(header, justify="left" if header == "category" else "right", no_wrap=True)
    keys = ("n", "answered_rate", "hit@1", "hit@5", "answer_accuracy", "ood_recall")
    categories = ["ALL"] + sorted({c for r in results.values() for c in r["categories"]})
    for cat in categories:
        rows = [
            r["overall"] if cat == "ALL" else r["categories"].get(cat, {}) for r in results.values()
        ]
        table.add_row(cat, *(_pair([row.get(k) for row in rows], k) for k in keys))
        if cat == "ALL":
            table.add_section()
    return table


def print_sets(reports: dict[str, dict], console: Console) -> None:
    table = sets_table(reports)
    if table is not None and len(reports) > 1:
        console.print(table)
        console.print(
            "[dim]answered: share of answerable questions answered (found); refused: "
            "share of unanswerable ones refused (related or none)[/]"
        )
