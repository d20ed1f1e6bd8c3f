"""Mask digit runs that look like phone or ID numbers before anything is stored."""

from __future__ import annotations

import re

# Seven or more digits in a row (mobile numbers are 11, ID cards 15 or 18, the last maybe X);
# phone numbers written in groups ("138 1234 5678", "010-12345678", "+86 138-…").
# Years, ranges ("2021-2025") and the plan's figures are shorter and stay readable.
_RUN = re.compile(r"(?<!\d)\d{7,}[Xx]?(?!\d)")
_GROUPED = re.compile(
    r"(?<!\d)(?:\+?86[\s-]?)?(?:1\d{2}[\s-]\d{4}[\s-]\d{4}|0\d{2,3}[\s-]\d{7,8})(?!\d)"
)


def _stars(match: re.Match) -> str:
    return re.sub(r"[\dXx]", "*", match.group(0))


def mask_numbers(text: str) -> str:
    """'我的电话13812345678' → '我的电话***********'."""
    return _RUN.sub(_stars, _GROUPED.sub(_stars, text))
