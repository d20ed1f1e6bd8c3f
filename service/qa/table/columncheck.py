"""Checking what someone says a 专栏 is ("专栏5是商标品牌建设工程，对吧？") against the plan."""

from __future__ import annotations

import re

from corpus.lexicon import lexicon
from index.boosts import squash
from service.qa.table import sayings


def _asks_to_check(text: str) -> bool:
    found = [
        p
        for p, (section, key), _, _ in lexicon().table_words.finditer(text)
        if (section, key) == ("operations", "check")
    ]
    strong = lexicon().table_roles.get("strong_checks", frozenset())
    return any(p in strong for p in found) or text.endswith(("吗", "吧"))


_CALLED = re.compile(
    r"专栏\s*(\d{1,2})\s*(?:叫|名叫|名字叫|名称是|名字是|是)\s*[“\"「]([^”\"」]{2,30})[”\"」]"
)


def _name_claim(text: str, titles: dict[int, str]) -> tuple[str, int] | None:
    """ "专栏5叫“地理标志农产品保护工程”吧": a quoted name, checked against the title."""
    m = _CALLED.search(text)
    if not m or int(m.group(1)) not in titles:
        return None
    number, said = int(m.group(1)), m.group(2).strip()
    title = titles[number]
    if squash(said) == squash(title):
        return sayings.column_right(number, title), number
    return sayings.column_misnamed(number, title, said), number


def check_column(text: str, named: list[int], titles: dict[int, str]) -> tuple[str, int] | None:
    """(answer, the column it is about) when the text states which 专栏 has which name.
    named: the 专栏 the text names, by number and by name, in order of mention."""
    if "专栏" not in text or not _asks_to_check(text):
        return None
    claim = _name_claim(text, titles)
    if claim is not None:
        return claim
    if not named:
        return None
    numbered = [n for n in named if f"专栏{n}" in text.replace(" ", "")]
    titled = [n for n in named if titles[n] in text]
    if not numbered or not titled:
        return None
    number, title_of = numbered[0], titled[0]
    if number == title_of:
        return sayings.column_right(number, titles[number]), number
    return sayings.column_wrong(number, titles[number], titles[title_of], title_of), number
