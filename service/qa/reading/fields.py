"""Which value of an indicator a question asks for: the base, the target, or the change.

The years a question names are matched against the table's columns, as their headers name
them ("2020年" asks for the column headed 2020年): `years` is year → role, read from the table
(corpus.records.Indicator.years)."""

from __future__ import annotations

import re
from enum import Enum

from corpus.lexicon import lexicon
from corpus.records import table_years

__all__ = ["Asked", "detect_field", "field_phrase", "field_words", "table_years", "years_said"]


class Asked(Enum):
    """The table column a question asks about (NONE: the whole row)."""

    NONE = "none"
    BASE = "base"
    TARGET = "target"
    CHANGE = "change"


# A year anywhere in a question ("2020年", "in 2020"), not glued to a Latin word or a number.
YEAR_SAID = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d\d)(?![0-9A-Za-z])")


def years_said(question: str, years: dict[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, role) of each year the question names that a column's header has."""
    found = YEAR_SAID.finditer(question)
    return [(m.start(), m.end(), years[m.group(1)]) for m in found if m.group(1) in years]


def field_words(years: dict[str, str] | None = None) -> frozenset[str]:
    """Words that only say which value is asked, not what about ("累计增加多少？"); the
    table's years too."""
    return lexicon().field_words | frozenset(years or ())


def detect_field(question: str, years: dict[str, str] | None = None) -> Asked:
    found = {value for _, value, _, _ in lexicon().fields.finditer(question)}
    named = {role for _, _, role in years_said(question, years or {})}
    found |= named
    if "change" in found:
        return Asked.CHANGE
    if "base" in found and "target" not in named:
        return Asked.BASE
    if "target" in found:
        return Asked.TARGET
    return Asked.NONE


def field_phrase(field: Asked, years: dict[str, str] | None = None) -> str:
    """How a follow-up carries the value asked before: "2020年是多少" (its column's year)."""
    year = {role: y for y, role in (years or {}).items()}
    if field is Asked.CHANGE:
        return "累计增加多少"
    if field is Asked.BASE:
        return f"{year['base']}年是多少" if "base" in year else "基数是多少"
    if field is Asked.TARGET:
        return f"{year['target']}年目标是多少" if "target" in year else "目标是多少"
    return ""
