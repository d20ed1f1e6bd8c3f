"""The question log as CSV for Excel: UTF-8 with a BOM (so Chinese opens right), one row per
question, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from service.office.pages import local_time

BOM = "\ufeff"
HEADER = [
    "时间",
    "渠道",
    "问题",
    "检索为",
    "结果",
    "回答",
    "首个段落",
    "文件",
    "评价",
    "评价意见",
    "耗时（毫秒）",
    "回答编号",
]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    """A cell as text; one that starts like a formula gets a leading apostrophe (a citizen's
    '=HYPERLINK(…)' stays text in Excel)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def lines(rows: Iterable[dict], doc_of: Callable[[str | None], str]) -> Iterator[str]:
    """The CSV text in pieces: the BOM and header first, then a piece per 500 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for n, r in enumerate(rows, 1):
        writer.writerow(
            safe(v)
            for v in (
                local_time(r["asked_at"], seconds=True),
                r["channel_label"],
                r["question"],
                r["normalized"],
                r["outcome_label"],
                r["answer"],
                r["top_passage"],
                doc_of(r["top_passage"]),
                r["rating_label"],
                r["comment"],
                r["latency_ms"],
                r["answer_id"],
            )
        )
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
