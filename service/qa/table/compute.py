"""Computed answers over the indicator table: compare, rank, add, divide, filter, count, check."""

from __future__ import annotations

from dataclasses import dataclass, replace

from corpus.records import Indicator
from service.qa.table import sayings
from service.qa.table.tablecheck import absent, check
from service.qa.table.tablemath import (
    DERIVED,
    PRINTED,
    RATES,
    Figure,
    difference,
    figure,
    printed,
    total,
)
from service.qa.table.tableread import (
    Reading,
    group_label,
    group_rows,
    primary_measure,
    read,
    selection,
    trigger,
    unit_label,
)

ANSWER, RELATED = "answer", "related"


@dataclass(frozen=True)
class Computation:
    """A computed answer: its text (working included), the rows used, and what was done."""

    text: str
    rows: tuple[Indicator, ...]
    outcome: str  # answer | related (the table does not determine it)
    operation: str
    working: tuple[str, ...] = ()
    leaders: tuple[Indicator, ...] = ()  # a ranking's first place (ties included)


def interpret(text: str, rows: list[Indicator], named: list[Indicator]) -> Computation | None:
    """The computation a normalized question asks for over the table, or None (not one)."""
    if not text or not rows or not trigger().search(text):
        return None
    reading = read(text, rows, named)
    if reading.other_time:  # "2023年哪个最高": the normal path says the plan has no such year
        return None
    for operation in (_undetermined, _check, _rank, _sum, _difference, _count, _which, _derived):
        result = operation(reading, rows)
        if result is not None:
            return _claimed(reading, result)
    return None


def _claimed(r: Reading, done: Computation) -> Computation:
    """ "使用费那个累计增加得最多，对吧？": a ranking someone states, checked against the ranking."""
    if done.operation != "rank" or not done.leaders or not r.has("check") or len(r.rows) != 1:
        return done
    right = r.rows[0] in done.leaders
    return replace(done, text=sayings.verdict_before(right, done.text))


def _done(text: str, rows, operation: str, figures=(), outcome: str = ANSWER) -> Computation:
    working = tuple(f.working for f in figures if f.working)
    return Computation(text, tuple(dict.fromkeys(rows)), outcome, operation, working)


def _not_computed(rows: list[Indicator], result: str) -> str:
    return sayings.not_computed([(row, absent(row)) for row in rows], result)


def _figures(rows: list[Indicator], measure: str) -> tuple[list[Figure], list[Indicator]]:
    figs = [figure(row, measure) for row in rows]
    return [f for f in figs if f], [row for row, f in zip(rows, figs, strict=True) if not f]


# --- operations, in the order they are tried --------------------------------------------------


def _undetermined(r: Reading, rows: list[Indicator]) -> Computation | None:
    if not (r.about_table or r.groups):
        return None
    chosen = selection(r, rows)[0] or rows
    if r.has("binding"):
        return _done(sayings.binding(rows), chosen, "undetermined", outcome=RELATED)
    judged = r.ops.get("judgement", [])
    if judged and (r.has("which", "order") or any(p.startswith(("最", "most")) for p in judged)):
        return _done(sayings.judgement(rows), chosen, "undetermined", outcome=RELATED)
    return None


def _check(r: Reading, rows: list[Indicator]) -> Computation | None:
    checked = check(r)
    return None if checked is None else _done(checked[0], checked[1], "check", checked[2])


def _rank(r: Reading, rows: list[Indicator]) -> Computation | None:
    ranks = r.has("largest", "smallest", "faster", "slower", "order", "order_up")
    if not (ranks or (r.has("which") and r.has("higher", "lower"))):
        return None
    chosen, label = selection(r, rows)
    if len(chosen) < 2 or not (r.has("which", "order", "order_up") or r.about_table):
        return None
    measure = primary_measure(r)
    what = sayings.measure_name(measure, chosen[0])
    figs, lacking = _figures(chosen, measure)
    note = sayings.left_out(lacking, what)
    if not figs:
        return _done(_not_computed(chosen, what), chosen, "rank", outcome=RELATED)
    largest = not r.has("smallest", "slower", "order_up") and (ranks or r.has("higher"))
    ordered = sorted(figs, key=lambda f: f.exact, reverse=largest)
    by_unit: dict[str, list[Figure]] = {}
    for f in ordered:
        by_unit.setdefault(f.unit, []).append(f)
    if len(by_unit) > 1:  # 件 and 亿元 cannot be compared: rank within each unit
        parts = [
            sayings.per_unit(unit_label(unit), len(fs), largest, _ties(fs))
            for unit, fs in by_unit.items()
            if len(fs) > 1
        ]
        text = sayings.units_differ(what, list(by_unit), parts, note)
        return _done(text, [f.row for f in figs], "rank", ordered)
    if r.has("order", "order_up") and not r.has("largest", "smallest", "faster", "slower"):
        text = sayings.ranking(what, sayings.scope(label, len(figs)), ordered, note)
        return _done(text, [f.row for f in figs], "order", ordered)
    winners = _ties(ordered)
    runner, diff = None, None
    if len(ordered) == 2 and len(winners) == 1:
        runner = ordered[1]
        diff = difference(ordered[0], runner)
    text = sayings.best(what, sayings.scope(label, len(figs)), largest, winners, runner, diff)
    done = _done(text + note, [f.row for f in figs], "rank", winners)
    return replace(done, leaders=tuple(f.row for f in winners))


def _ties(ordered: list[Figure]) -> list[Figure]:
    return [f for f in ordered if f.exact == ordered[0].exact]


def _sum(r: Reading, rows: list[Indicator]) -> Computation | None:
    if not r.has("sum") or r.has("count"):  # "一共几项" counts rows, adds nothing
        return None
    chosen, _ = selection(r, rows)
    if len(chosen) < 2:
        return None
    measure = primary_measure(r)
    what = sayings.measure_name(measure, chosen[0])
    figs, lacking = _figures(chosen, measure)
    if measure in RATES or len({f.unit for f in figs}) > 1:
        text = sayings.cannot_combine(what, figs, "sum", rates=measure in RATES)
        return _done(text, chosen, "sum", outcome=RELATED)
    if lacking:
        text = _not_computed(lacking, sayings.RESULT["sum"])
        return _done(text, chosen, "sum", outcome=RELATED)
    result = total(figs)
    return _done(sayings.total(what, chosen, result), chosen, "sum", [result])


def _difference(r: Reading, rows: list[Indicator]) -> Computation | None:
    if not r.has("difference"):
        return None
    chosen, _ = selection(r, rows)
    if len(chosen) == 1:  # "差几分": one row's target against its base
        return _increase(chosen, "difference")
    if len(chosen) < 2 or (len(chosen) > 2 and not r.rows):  # no pair named to subtract
        return None
    measure = primary_measure(r)
    what = sayings.measure_name(measure, chosen[0])
    a, b = figure(chosen[0], measure), figure(chosen[1], measure)
    if a is None or b is None:
        lacking = [x for x, f in zip(chosen[:2], (a, b), strict=True) if f is None]
        text = _not_computed(lacking, sayings.RESULT["difference"])
        return _done(text, chosen[:2], "difference", outcome=RELATED)
    if a.unit != b.unit:
        text = sayings.cannot_combine(what, [a, b], "difference")
        return _done(text, chosen[:2], "difference", outcome=RELATED)
    diff = difference(a, b)
    return _done(sayings.difference(what, a, b, diff), chosen[:2], "difference", [diff])


def _increase(chosen: list[Indicator], operation: str) -> Computation | None:
    fig = figure(chosen[0], "change")
    if fig is None:
        text = _not_computed(chosen, sayings.measure_name("change", chosen[0]))
        return _done(text, chosen, operation, outcome=RELATED)
    return _done(sayings.increase_of(fig), chosen, operation, [fig])


def _filtered(r: Reading, rows: list[Indicator]) -> tuple[list[Indicator], str]:
    """Rows a listing or count keeps: by group (unit), by a '—' in a column, or all."""
    kept, label = list(rows), ""
    if r.groups:
        chosen = {row.name for key in r.groups for row in group_rows(key, rows)}
        kept = [row for row in kept if row.name in chosen]
        label = sayings.group_scope([group_label(k) for k in r.groups], either=True)
    if r.has("missing"):
        years = [m for _, m in r.columns if m in PRINTED]
        columns = years[-1:] or list(PRINTED)
        kept = [row for row in kept if any(figure(row, c) is None for c in columns)]
        said = sayings.measure_name(years[-1], rows[0]) if years else None
        label = sayings.missing_label(said)
    return kept, label


def _count(r: Reading, rows: list[Indicator]) -> Computation | None:
    if not (r.has("count") and r.has("table")) or r.rows:
        return None
    if r.measures and not r.has("missing"):  # "几个百分点" asks a value, not how many rows
        return None
    kept, label = _filtered(r, rows)
    return _done(sayings.counted(label, kept), kept or rows, "count")


def _which(r: Reading, rows: list[Indicator]) -> Computation | None:
    if not (r.has("which") and r.has("table")) or r.rows:
        return None
    if not (r.groups or r.has("missing")):
        return None  # "主要指标有哪些": the engine lists the table already
    kept, label = _filtered(r, rows)
    return _done(sayings.listing(label, kept), kept or rows, "which")


def _derived(r: Reading, rows: list[Indicator]) -> Computation | None:
    """Rates, multiples or yearly increases of each row asked about; an increase when asked
    to compute one ("能算出来吗")."""
    said = r.measures
    asked = [m for m in said if m in DERIVED]
    if "annual_increase" in asked and "growth" in asked:  # "年均增长百分之几" is one rate
        asked = ["annual_growth" if m == "annual_increase" else m for m in asked if m != "growth"]
    asked = list(dict.fromkeys(asked))
    if not asked and not (r.has("compute") and "change" in said):
        return None
    chosen, _ = selection(r, rows)
    if not chosen:
        return None
    if not asked:
        return _increase(chosen[:1], "increase")
    texts, figs, lacking = [], [], []
    for row in chosen:
        for measure in asked:
            fig = figure(row, measure)
            if fig is None:
                lacking.append(row)
                continue
            shown = measure == "annual_increase" or ("change" in said and measure == "growth")
            increase = figure(row, "change") if shown else None
            base, target = printed(row, "base"), printed(row, "target")
            texts.append(sayings.derived(fig, base, target, increase))
            figs.append(fig)
    lacking = list(dict.fromkeys(lacking))
    if lacking:
        texts.append(_not_computed(lacking, sayings.measure_name(asked[0], lacking[0])))
    outcome = ANSWER if figs else RELATED
    return _done("".join(texts), chosen, asked[0], figs, outcome)
