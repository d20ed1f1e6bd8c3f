"""Check a figure someone states about a row ("…2025年是4000亿元吗？") against the table."""

from __future__ import annotations

from corpus.records import Indicator
from service.qa.table import sayings
from service.qa.table.tablemath import DERIVED, PRINTED, Figure, figure, same_value
from service.qa.table.tableread import Reading, Stated

# A % row's increase is in 个百分点, and people say "提高1.4%" for it too.
RATE_OF = {"change": "growth", "annual_increase": "annual_growth"}
UNIT_EQUIVALENT = {"%": {"%", sayings.POINTS}, sayings.POINTS: {"%", sayings.POINTS}}


def _nearest(r: Reading, pos: int) -> tuple[Indicator | None, str | None]:
    """The row and measure a stated figure belongs to: the last said before it (else after)."""
    row = next((x for p, x in reversed(r.row_at) if p < pos), None) or (r.rows or [None])[0]
    before = [m for p, m in r.columns if p < pos]
    after = [m for p, m in r.columns if p > pos]
    measure = before[-1] if before else (after[0] if after else None)
    return row, ("base" if measure == "from_base" else measure)


def _compatible(stated: Stated, fig: Figure) -> bool:
    if stated.unit is None or stated.unit == fig.unit:
        return True
    return stated.unit in UNIT_EQUIVALENT.get(fig.unit, ())


def _candidates(row: Indicator, measure: str | None, stated: Stated) -> list[Figure]:
    """What a stated figure may mean: the measure said before it if its unit fits ("增长2.4%"
    of a 分 row is a growth rate, "是2倍吗" a multiple); any column when none was said. A figure
    in a unit nothing fits ("9件" of a 万件 row) is set against the measure said, to be corrected."""
    said = [measure] if measure else list(PRINTED)
    if measure == "change" and row.unit == "%" and stated.unit == "%":
        said.append("growth")  # "提高1.4%" of a % row: points or rate, either may be meant
    figures = [f for f in (figure(row, m) for m in said) if f]
    found = [f for f in figures if _compatible(stated, f)]
    if not found and figures and stated.unit:
        rate = RATE_OF.get(measure)  # "年均增长8%" of a 亿元 row is the yearly rate
        others = [
            figure(row, m) for m in dict.fromkeys([rate, *PRINTED, *DERIVED]) if m and m not in said
        ]
        found = [f for f in others if f and _compatible(stated, f)] or figures
    return found


def check(r: Reading) -> tuple[str, list[Indicator], list[Figure]] | None:
    """(answer, rows used, figures) when the question states a figure of a row to check."""
    if not (r.has("check") and r.stated and r.rows):
        return None
    clauses, used, figs, right = [], [], [], True
    for stated in r.stated:
        row, measure = _nearest(r, stated.start)
        said = stated.text + (stated.unit or "")
        again = bool(used) and used[-1] == row
        used.append(row)
        found = _candidates(row, measure, stated)
        match = next(
            (f for f in found if _compatible(stated, f) and same_value(stated.value, f)), None
        )
        if match is not None:
            clauses.append(sayings.checked(match, None, again))
            figs.append(match)
        elif found:
            right = False
            clauses.append(sayings.checked(found[0], said, again))
            figs.append(found[0])
        else:
            right = False
            what = sayings.measure_name(measure, row) if measure in PRINTED else absent(row)
            clauses.append(sayings.not_in_table(row, what, said))
    return sayings.verdict(right, clauses), used, figs


def absent(row: Indicator) -> str:
    """Which of the two columns a row lacks, as an answer calls it."""
    column = "base" if figure(row, "base") is None else "target"
    return sayings.measure_name(column, row)
