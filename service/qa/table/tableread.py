"""Read a question about the indicator table: rows, columns, operations, stated figures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from corpus.lexicon import PhraseIndex, lexicon
from corpus.records import Indicator, table_years
from service.qa.table import sayings
from service.qa.table.tablemath import DERIVED, decimal

# A figure someone states: "4000亿元", "85%", "15.8件", "百分之五十" is not (digits only).
_FIGURE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(万件|件|亿元|亿|个百分点|百分点|%|分|倍)?")
_PER_CENT = re.compile(r"百分之\s*(\d+(?:\.\d+)?)")
# After a bare number these make it a count, a date or a year, not a figure.
_NOT_FIGURE_AFTER = ("年", "个", "项", "条", "月", "日", "号", "位", "大", "五")
_NOT_FIGURE_BEFORE = ("专栏", "第")
_YEAR = re.compile(r"(19|20)\d\d")
# A year the table may have no column for: "2023年", "in 2030".
_OTHER_YEAR = re.compile(
    r"(?<!\d)((?:19|20)\d\d)(?=\s*年)|\b(?:in|by|for)\s+((?:19|20)\d\d)\b", re.I
)
# A year a column's header may name, as a question says it ("2020年", "in 2020", "2025").
_YEAR_SAID = re.compile(r"(?<![0-9a-z])((?:19|20)\d\d)(?![0-9a-z])(年)?", re.I)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")
UNIT_SPELLING = {"亿": "亿元", "百分点": "个百分点"}


@dataclass(frozen=True)
class Stated:
    """A number the question states, with its unit as written (normalized), if any."""

    value: Decimal
    text: str
    unit: str | None
    start: int


@dataclass
class Reading:
    """What a question says about the table, each thing with where it is said."""

    text: str
    rows: list[Indicator]  # named, in the order the question names them
    row_at: list[tuple[int, Indicator]]  # (position, row) of each naming
    columns: list[tuple[int, str]]  # (position, measure or "from_base")
    ops: dict[str, list[str]]  # operation → the phrases that said it
    groups: list[str]  # row groups (money, percent…) in the order said
    stated: list[Stated] = field(default_factory=list)
    years: frozenset[str] = frozenset()  # the years the table's header names

    def has(self, *ops: str) -> bool:
        return any(op in self.ops for op in ops)

    @property
    def measures(self) -> list[str]:
        """Measures asked, in the order first said (the check-only "from" left out)."""
        return list(dict.fromkeys(m for _, m in self.columns if m != "from_base"))

    @property
    def other_time(self) -> bool:
        """About a year or plan period the table has no numbers for."""
        years = {a or b for a, b in _OTHER_YEAR.findall(self.text)}
        return bool(years - self.years) or self.has("other_period")

    @property
    def about_table(self) -> bool:
        return bool(self.rows) or self.has("table")


@lru_cache(maxsize=8)
def _row_index(names: tuple[str, ...]) -> PhraseIndex:
    """Each row's name and the lexicon's other names for it (loose and English)."""
    aliases = lexicon().indicator_aliases
    phrases = {name: name for name in names}
    for name in names:
        phrases.update({a: name for a in aliases.get(name, ()) if a not in phrases})
    return PhraseIndex(phrases)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _figures(text: str) -> tuple[list[Stated], str]:
    """The stated figures, and the text with them blanked out (so "85分" is no unit word)."""
    found = []
    for m in _PER_CENT.finditer(text):
        found.append(Stated(decimal(m.group(1)), m.group(1), "%", m.start()))
        text = _blank(text, m.start(), m.end())
    for m in _FIGURE.finditer(text):
        number, unit = m.group(1), m.group(2)
        if unit is None:
            after = text[m.end() : m.end() + 1]
            before = text[max(0, m.start() - 2) : m.start()]
            if _YEAR.fullmatch(number) or after.startswith(_NOT_FIGURE_AFTER):
                continue
            if before.endswith(_NOT_FIGURE_BEFORE):
                continue
        unit = UNIT_SPELLING.get(unit, unit)
        found.append(Stated(decimal(number), number, unit, m.start()))
        text = _blank(text, m.start(), m.end())
    found.sort(key=lambda s: s.start)
    return found, text


def read(text: str, rows: list[Indicator], named: list[Indicator]) -> Reading:
    """text: a normalized question; named: rows someone else's matcher found (a fallback)."""
    text = _THOUSANDS.sub("", text.translate(_QUOTES))
    by_name = {r.name: r for r in rows}
    row_at, blanked = [], text
    for _, name, start, end in _row_index(tuple(by_name)).finditer(text):
        row_at.append((start, by_name[name]))
        blanked = _blank(blanked, start, end)  # "per 10,000 people" states no figure
    found = list(dict.fromkeys(r for _, r in row_at))
    if not found:
        found = [r for r in named if r.name in by_name]
    stated, blanked = _figures(blanked)
    years = table_years(rows)
    columns, ops, groups, bare = [], {}, [], []
    for m in _YEAR_SAID.finditer(blanked):  # "2020年": the column whose header has 2020
        if m.group(1) in years:
            columns.append((m.start(), years[m.group(1)]))
            blanked = _blank(blanked, m.start(), m.end())
    for phrase, (section, key), start, _ in lexicon().table_words.finditer(blanked):
        if section == "columns":
            columns.append((start, key))
        elif section == "operations":
            ops.setdefault(key, []).append(phrase)
        elif section == "group":
            groups.append(key)
        elif section == "bare":
            bare.append(key)
    if "unit_cue" in ops:  # "件" counts as a unit only where units are talked about
        groups += bare
    columns.sort(key=lambda c: c[0])
    groups = list(dict.fromkeys(groups))
    return Reading(text, found, row_at, columns, ops, groups, stated, frozenset(years))


def group_rows(key: str, rows: list[Indicator]) -> list[Indicator]:
    """The rows of a group (lexicon table.toml [groups]), in table order."""
    group = lexicon().table_groups[key]
    unit, parts = group.get("unit"), tuple(group.get("name_contains", ()))
    return [
        r for r in rows if (unit is not None and r.unit == unit) or any(p in r.name for p in parts)
    ]


def group_label(key: str) -> str:
    return lexicon().table_groups[key].get("label", "")


def unit_label(unit: str) -> str:
    """How a unit's rows are called: the group for that unit, if the lexicon has one."""
    for group in lexicon().table_groups.values():
        if group.get("unit") == unit and group.get("label"):
            return group["label"]
    return sayings.UNIT_GROUP.format(unit=unit)


# Which measure a question that says several means: the most specific one.
PRIORITY = ("annual_growth", "annual_increase", "multiple", "growth", "change")


def selection(r: Reading, rows: list[Indicator]) -> tuple[list[Indicator], str]:
    """(rows the question is about, how to call them): named, a group, or the whole table.
    A ranking someone claims names one row of a group ("两个亿元的指标里，使用费那个最多，
    对吧？"): the group is what is ranked."""
    claim = r.has("check") and len(r.rows) == 1 and bool(r.groups)
    if r.rows and not claim:
        return r.rows, ""
    if r.groups and r.about_table:
        chosen = {row.name for key in r.groups for row in group_rows(key, rows)}
        label = sayings.group_scope([group_label(k) for k in r.groups])
        return [row for row in rows if row.name in chosen], label
    if r.about_table:
        return list(rows), sayings.WHOLE_TABLE
    return [], ""


def primary_measure(r: Reading, default: str = "target") -> str:
    """The one measure a ranking, sum or difference is over."""
    said = r.measures
    if "annual_increase" in said and "growth" in said:
        return "annual_growth"  # "年均增长百分之几"
    if r.has("faster", "slower") and not {"multiple", "annual_growth"} & set(said):
        return "growth"  # speed is a rate: "涨得最快"
    for m in PRIORITY:
        if m in said:
            return m
    years = [m for _, m in r.columns if m in ("base", "target")]
    return years[-1] if years else default


@lru_cache(maxsize=1)
def trigger() -> re.Pattern:
    """A cheap first look: words without which no question is a computation over the table."""
    words = [
        phrase
        for phrase, (section, key) in lexicon().table_words.values.items()
        if (section == "operations" and key not in lexicon().table_roles.get("not_triggers", ()))
        or (section == "columns" and key in DERIVED)
    ]
    words.sort(key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)), re.IGNORECASE)
