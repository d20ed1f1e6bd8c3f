"""Which value of an indicator a question asks for: 2020, the 2025 target, or the increase."""

from __future__ import annotations

import re
from enum import Enum

from corpus.lexicon import lexicon


class Asked(Enum):
    """The table column a question asks about (NONE: the whole row)."""

    NONE = "none"
    V2020 = "value_2020"
    T2025 = "target_2025"
    INCREASE = "increase"


_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?=年|$|\D)")


def field_words() -> frozenset[str]:
    """Words that only say which value is asked, not what about ("累计增加多少？")."""
    return lexicon().field_words


def detect_field(question: str) -> Asked:
    found = {value for _, value, _, _ in lexicon().fields.finditer(question)}
    if "increase" in found:
        return Asked.INCREASE
    if "value_2020" in found and "2025" not in question:
        return Asked.V2020
    if "target_2025" in found:
        return Asked.T2025
    return Asked.NONE


def unsupported_year(question: str) -> str | None:
    """A year the indicator table has no value for (it gives only 2020 and 2025)."""
    for m in _YEAR.finditer(question):
        if m.group(0) not in {"2020", "2025"}:
            return m.group(0)
    return None


def field_phrase(field: Asked) -> str:
    return {
        Asked.V2020: "2020年是多少",
        Asked.T2025: "2025年目标是多少",
        Asked.INCREASE: "累计增加多少",
        Asked.NONE: "",
    }[field]
