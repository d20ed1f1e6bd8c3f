"""Arithmetic over indicator rows in decimals, keeping the table's printed precision."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from corpus.records import Indicator
from service.qa.table import sayings

PRINTED = ("base", "target", "change")  # columns of the table itself, by their roles
# Computed from the base and target columns; the first three are rates (never added up).
RATES = ("growth", "multiple", "annual_growth")
DERIVED = (*RATES, "annual_increase")
MEASURES = PRINTED + DERIVED
# Shown precision of what the table does not print: rates in % (1 place), multiples (2).
PLACES = {"growth": Decimal("0.1"), "annual_growth": Decimal("0.1"), "multiple": Decimal("0.01")}
MINUS, DIVIDE = "−", "÷"
TOLERANCE = Decimal("0.02")  # a rounded growth rate or multiple still counts as the same


@dataclass(frozen=True)
class Figure:
    """One number of one row: exact value, the text shown, its unit as shown, the working."""

    row: Indicator
    measure: str
    value: Decimal  # as shown (rounded for derived measures)
    exact: Decimal  # for ranking and checking at another precision
    text: str
    unit: str
    working: str = ""

    @property
    def shown(self) -> str:
        return f"{self.text}{self.unit}"

    @property
    def rounded(self) -> bool:
        return self.value != self.exact


def printed(row: Indicator, column: str) -> str | None:
    """The number as the table prints it (rows built without it: the value), by its role."""
    return row.text(column)


def decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc


def show(number: Decimal) -> str:
    return format(number, "f")


def unit_of(row: Indicator, measure: str) -> str:
    """What a measure of this row is counted in: a % row grows by 个百分点."""
    if measure in ("growth", "annual_growth"):
        return "%"
    if measure == "multiple":
        return sayings.TIMES
    if measure in ("change", "annual_increase") and row.unit == "%":
        return sayings.POINTS
    return row.unit


def _rounded(exact: Decimal, measure: str) -> tuple[Decimal, str]:
    value = exact.quantize(PLACES[measure], rounding=ROUND_HALF_UP)
    return value, "=" if value == exact else "≈"


def figure(row: Indicator, measure: str) -> Figure | None:
    """The measure for this row, or None where the table has '—' (or a base value of 0, or no
    two years in its header for a yearly measure)."""
    unit = unit_of(row, measure)
    if measure in ("base", "target"):
        text = printed(row, measure)
        return (
            None if text is None else Figure(row, measure, decimal(text), decimal(text), text, unit)
        )
    base, target = printed(row, "base"), printed(row, "target")
    years = row.span  # from the base year to the target year, as the header names them
    if measure in ("annual_increase", "annual_growth") and years is None:
        return None
    if measure in ("change", "annual_increase"):
        text = printed(row, "change")
        working = f"{target} {MINUS} {base}" if base is not None and target is not None else ""
        if text is None and working:
            text = show(decimal(target) - decimal(base))
        if text is None:
            return None
        if measure == "annual_increase":
            return _per_year(row, text, years, unit)
        return Figure(row, measure, decimal(text), decimal(text), text, unit, _eq(working, text))
    if base is None or target is None or decimal(base) == 0:
        return None
    b, t = decimal(base), decimal(target)
    if measure == "growth":
        exact = (t - b) / b * 100
        value, sign = _rounded(exact, measure)
        working = f"({target} {MINUS} {base}) {DIVIDE} {base} {sign} {show(value)}%"
    elif measure == "annual_growth":  # compound: the rate that, each year, gets b to t
        exact = ((t / b) ** (Decimal(1) / years) - 1) * 100
        value, sign = _rounded(exact, measure)
        working = f"({target} {DIVIDE} {base})^(1/{years}) {MINUS} 1 {sign} {show(value)}%"
    else:
        exact = t / b
        value, sign = _rounded(exact, measure)
        working = f"{target} {DIVIDE} {base} {sign} {show(value)}"
    return Figure(row, measure, value, exact, show(value), unit, working)


def _per_year(row: Indicator, text: str, years: int, unit: str) -> Figure:
    """The change ÷ the years: exact where it ends within two more decimals than the change
    is printed with (÷ 5 always does), else rounded to those."""
    exact = decimal(text) / years
    places = Decimal(1).scaleb(decimal(text).as_tuple().exponent - 2)
    value = exact if exact == exact.quantize(places) else exact.quantize(places, ROUND_HALF_UP)
    sign = "=" if value == exact else "≈"
    working = f"{text} {DIVIDE} {years} {sign} {show(value)}"
    return Figure(row, "annual_increase", value, exact, show(value), unit, working)


def _eq(expression: str, result: str) -> str:
    return f"{expression} = {result}" if expression else ""


def difference(a: Figure, b: Figure) -> Figure:
    """a − b, with as many decimals as the operands; a % row's difference is in 个百分点.
    The text is the size of the difference; its sign is in value."""
    exact = a.exact - b.exact if a.measure in DERIVED else a.value - b.value
    value = a.value - b.value
    unit = sayings.POINTS if a.unit in ("%", sayings.POINTS) else a.unit
    size = show(abs(value))
    working = f"{a.text} {MINUS} {b.text} = {show(value)}"
    return Figure(a.row, a.measure, value, exact, size, unit, working)


def total(figures: list[Figure]) -> Figure:
    value = sum((f.value for f in figures), Decimal(0))
    working = " + ".join(f.text for f in figures) + f" = {show(value)}"
    return Figure(
        figures[0].row, figures[0].measure, value, value, show(value), figures[0].unit, working
    )


def same_value(stated: Decimal, fig: Figure) -> bool:
    """A stated number matches a printed one exactly ("13" is "13.0"); a computed one at the
    precision it was stated with and within 2% of it ("约47%" is 46.8%, "2倍" is not 2.25)."""
    if fig.measure not in DERIVED:
        return stated == fig.value
    places = Decimal(1).scaleb(stated.as_tuple().exponent)
    close = abs(fig.exact - stated) <= abs(fig.exact) * TOLERANCE
    return close and fig.exact.quantize(places, rounding=ROUND_HALF_UP) == stated
