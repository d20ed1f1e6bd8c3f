"""An indicator table's value columns, read from its header: each keeps its header as printed
and gets its role from it. A header naming a year holds that year's value: the earliest year
is the base, the latest the target (a single year: the target). A header saying a change
(table.toml [header] change: "累计增加值"…) holds the change between them. And which lines
are such a table's (is_row, is_table)."""

from __future__ import annotations

import re

from corpus.lexicon import lexicon
from corpus.records import Column, Indicator, parse_number

YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def columns(headers: list[str]) -> tuple[Column, ...]:
    """The value columns of a table whose header cells (less the first, 指标) are these."""
    change = tuple(lexicon().table_header.get("change", ()))
    read = []
    for header in headers:
        header = header.strip()
        years = YEAR.findall(header)
        if any(word in header for word in change):
            read.append(Column(header, "change", ""))
        else:
            read.append(Column(header, "", years[-1] if years else ""))
    dated = sorted({c.year for c in read if c.year})
    roles = {dated[-1]: "target"} if dated else {}
    if len(dated) > 1:
        roles[dated[0]] = "base"
    out, taken = [], set()
    for c in read:
        role = c.role or ("" if c.year in taken else roles.get(c.year, ""))
        taken.add(c.year)
        out.append(Column(c.header, role, c.year))
    return tuple(out)


def row(
    number: int,
    name: str,
    unit: str,
    header: tuple[Column, ...],
    cells: list[str],
    table: str,
    doc_title: str = "",
) -> Indicator:
    """One row: its cells under the header's columns (a missing cell reads as '—'); doc_title
    is the title of the document the table is in, which answers name it by."""
    cells = [*cells[: len(header)], *[""] * (len(header) - len(cells))]
    read = [parse_number(c) for c in cells]
    return Indicator(
        number,
        name,
        unit,
        header,
        tuple(v for v, _ in read),
        tuple(t for _, t in read),
        table,
        doc_title,
    )


# An indicator table's row: "N name (unit)" in its first cell.
TABLE_ROW = re.compile(r"^(\d+)\s+(.+?)\s*[(（]([^()（）]+)[)）]\s*$")


def is_row(line: str) -> bool:
    """A table line: the header, four or more tab-separated cells, or a numbered row with
    two values (a table without a change column)."""
    cells = line.split("\t")
    head = cells[0].strip()
    return (
        len(cells) >= 4
        or (len(cells) > 1 and head == "指标")
        or bool(len(cells) == 3 and TABLE_ROW.match(head))
    )


def is_table(para: list[str]) -> bool:
    """The indicator table (its header, or rows "N name (unit)<TAB>…"); other text may hold tabs."""
    heads = [line.split("\t")[0].strip() for line in para if "\t" in line]
    return any(h == "指标" or TABLE_ROW.match(h) for h in heads)
