"""Chinese numerals as the plan writes them: 一 to 十 in headings, 〇 to 九 digit by digit in years."""

from __future__ import annotations

# The numerals of chapter, section and column numbers (一、 … 十三、, (二十一), 专栏十五).
CN_NUM = "一二三四五六七八九十"
DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_DIGITS = "".join(DIGITS)


def chinese_to_int(text: str) -> int | None:
    """'十五' → 15, '二十一' → 21, '7' → 7; None for anything else."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[ones] if ones else 0)


def digits_to_ascii(text: str) -> str:
    """'二〇二五' → '2025': Chinese digits written one by one, as in years."""
    return "".join(str(DIGITS[c]) for c in text)


def int_to_chinese(number: int) -> str:
    """5 → '五', 10 → '十', 15 → '十五', 21 → '二十一' (1 to 99, as a count of years is said)."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_NUM[tens - 1] + "十")
    return head + (CN_NUM[ones - 1] if ones else "")
