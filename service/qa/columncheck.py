"""Checking what someone says a 专栏 is ("专栏5是商标品牌建设工程，对吧？") against the plan."""

from __future__ import annotations

from corpus.lexicon import lexicon
from service.qa import wording

STRONG_CHECKS = frozenset(
    {
        "对吗",
        "对不对",
        "对吧",
        "是吗",
        "是不是",
        "是这样吗",
        "没错吧",
        "没记错吧",
        "没问题吧",
        "是真的吗",
        "真的吗",
    }
)


def _asks_to_check(text: str) -> bool:
    found = [
        p
        for p, (section, key), _, _ in lexicon().table_words.finditer(text)
        if (section, key) == ("operations", "check")
    ]
    return any(p in STRONG_CHECKS for p in found) or text.endswith(("吗", "吧"))


def check_column(text: str, named: list[int], titles: dict[int, str]) -> tuple[str, int] | None:
    """(answer, the column it is about) when the text states which 专栏 has which name.
    named: the 专栏 the text names, by number and by name, in order of mention."""
    if len(named) < 1 or "专栏" not in text or not _asks_to_check(text):
        return None
    numbered = [n for n in named if f"专栏{n}" in text.replace(" ", "")]
    titled = [n for n in named if titles[n] in text]
    if not numbered or not titled:
        return None
    number, title_of = numbered[0], titled[0]
    if number == title_of:
        return wording.column_right(number, titles[number]), number
    return wording.column_wrong(number, titles[number], titles[title_of], title_of), number
