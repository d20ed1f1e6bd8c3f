"""Which value of an indicator a question asks for: 2020, the 2025 target, or the increase."""

from __future__ import annotations

import re
from enum import Enum


class Field(Enum):
    NONE = "none"
    V2020 = "value_2020"
    T2025 = "target_2025"
    INCREASE = "increase"


_INCREASE = re.compile(
    r"增加多少|增加了多少|累计增加值|增量|增长多少|增幅|提高多少|提升多少|"
    r"多少个百分点|百分点|涨多少|差多少|差距|增加几|增长了?多少|累计增加|提高了多少"
)
_V2020 = re.compile(r"2020|二〇二〇|二零二零|基期|基数|起点|原来|当时|现在|目前|现状|十三五末")
_T2025 = re.compile(
    r"2025|二〇二五|二零二五|目标|要达到|达到多少|预期|计划|十四五末|到时候|将来|未来"
)
_YEAR = re.compile(r"(19|20)\d\d(?=年|$|\D)")


# Words that only say which value is asked, not what about: "累计增加多少" names no subject.
FIELD_WORDS = frozenset(
    """2020 2025 年 累计 增加 增加值 累计增加 增长 提高 提升 目标 达到 要 预期 百分点
    个 数值 数据 值 基期 当时 现在 目前 到时候 多少 呢 那 那么 是 的 十四五 十三五 十四 四五 十三 三五
    末 时期 期间 期末""".split()
)


def detect_field(question: str) -> Field:
    if _INCREASE.search(question):
        return Field.INCREASE
    has_2020, has_2025 = bool(_V2020.search(question)), bool(_T2025.search(question))
    if has_2020 and not re.search(r"2025", question):
        return Field.V2020
    if has_2025:
        return Field.T2025
    return Field.NONE


def unsupported_year(question: str) -> str | None:
    """A year the indicator table has no value for (it gives only 2020 and 2025)."""
    for m in _YEAR.finditer(question):
        if m.group(0) not in {"2020", "2025"}:
            return m.group(0)
    return None


def field_phrase(field: Field) -> str:
    return {
        Field.V2020: "2020年是多少",
        Field.T2025: "2025年目标是多少",
        Field.INCREASE: "累计增加多少",
        Field.NONE: "",
    }[field]
