"""A follow-up that names a section or a 专栏 by its place: "下一节", "排在专栏5前面的",
"最后一个专栏", "第三条" of the sections or 专栏 an answer just listed."""

from __future__ import annotations

import re

from corpus.numerals import chinese_to_int, int_to_chinese
from service.qa.followups.turns import Turn

ORDER = ("before", "after", "last", "first")
_ITEM_ORDINAL = re.compile(r"[条项]$")
_NTH = re.compile(r"第\s*([一二三四五六七八九十\d]{1,2})\s*[条项个](?!专栏)")
_SECTION_NUMBER = re.compile(r"[(（]([一二三四五六七八九十]+)[)）]|第([一二三四五六七八九十]+)节")
# "司法保护那一节": a section named by words of its heading
_SECTION_BY_WORDS = re.compile(r"([\u4e00-\u9fff]{2,10}?)(?:那|这)?一?节")
_ABOUT_SECTIONS = re.compile(r"[上下前后]一节|一节|哪节|节次")


def section_numbers(text: str) -> list[int]:
    """Sections a text names by number, "(九)" or "第九节", in the order written."""
    found = [chinese_to_int(a or b) for a, b in _SECTION_NUMBER.findall(text)]
    return [n for n in found if n]


def _kind(question: str, marks) -> str | None:
    kinds = [k for k in ORDER if k in marks]
    return kinds[0] if kinds else None


def from_listing(question: str, marks, turns: list[Turn], titles: dict[int, str]) -> str | None:
    """ "第三条是"/"最后那条呢" right after an answer that listed sections or 专栏: that one
    of the listing ("八、实施保障" → its four sections → "(二十一)狠抓工作落实")."""
    m = _NTH.search(question)
    which = "last" if "last" in marks else "first" if "first" in marks else None
    if which is None and m is None:
        return None
    # the newest answer, among the last few, that listed sections or numbered 专栏
    listing = next(
        (
            t
            for t in turns[:4]
            if t.role == "assistant" and (len(t.sections) >= 2 or len(t.numbered) >= 2)
        ),
        None,
    )
    if listing is None or ("专栏" in question and not listing.numbered):
        return None
    items = (
        [f"专栏{n} {titles[n]}" for n in listing.numbered if n in titles]
        if len(listing.numbered) >= 2
        else list(listing.sections)
    )
    if not items:
        return None
    if which == "last":
        return items[-1]
    if which == "first":
        return items[0]
    n = chinese_to_int(m.group(1))
    return items[n - 1] if n and 1 <= n <= len(items) else None


def newest_column(turns: list[Turn]) -> int | None:
    """The 专栏 the conversation is on: the newest written as "专栏N" or by its full title
    (an answer's "地理标志兴农" is an item of 专栏11, not 专栏5 by its short name)."""
    for t in turns:
        if t.numbered:
            return t.numbered[-1]
    return next((t.columns[-1] for t in turns if t.columns), None)


def column_in_order(
    question: str, marks, own: list[int], turns: list[Turn], titles: dict[int, str]
) -> int | None:
    """ "排在专栏5前面的", "下一个专栏", "最后一个专栏": a 专栏 by its place in the plan.
    "最后一条" is an item of a list (of a 专栏 too), not a 专栏; "下一节" is a section."""
    kind = _kind(question, marks)
    if kind is None or not titles or asks_sections(question):
        return None
    phrase = marks[kind][0][0]
    about_columns = "专栏" in question or any(t.columns for t in turns[:4])
    if not about_columns or (kind in ("last", "first") and _ITEM_ORDINAL.search(phrase)):
        return None
    numbers = sorted(titles)
    if kind == "last":
        return numbers[-1]
    if kind == "first":
        return numbers[0]
    current = own[-1] if own else newest_column(turns)
    if current is None:
        return None
    target = current + (-1 if kind == "before" else 1)
    return target if target in titles else None


def asks_sections(question: str) -> bool:
    """ "下一节", "司法保护那一节的上一节": the question is about sections, not 专栏."""
    return bool(_ABOUT_SECTIONS.search(question)) and "专栏" not in question


def section_named(text: str, sections: dict[int, str]) -> int | None:
    """The section a text names, by number or by words of its heading."""
    numbers = section_numbers(text)
    if numbers:
        return numbers[0]
    for words in _SECTION_BY_WORDS.findall(text):
        for start in range(len(words) - 1):  # "我想问司法保护那一节": its tail names it
            found = [n for n, title in sections.items() if words[start:] in title]
            if len(found) == 1:
                return found[0]
    return None


def newest_section(turns: list[Turn], sections: dict[int, str]) -> int | None:
    """The section the conversation is on: the newest turn naming exactly one by number."""
    for t in turns[:4]:
        numbers = set(section_numbers(t.text))
        if len(numbers) == 1:
            return numbers.pop()
    return None


def section_in_order(
    question: str, marks, turns: list[Turn], sections: dict[int, str]
) -> str | None:
    """ "(八)的上一节", "司法保护那一节的下一节", "下一节讲什么": a section by its place."""
    kind = _kind(question, marks)
    if kind not in ("before", "after") or not sections or not asks_sections(question):
        return None
    current = section_named(question, sections) or newest_section(turns, sections)
    if current is None:
        return None
    target = current + (-1 if kind == "before" else 1)
    return sections.get(target)


# "下一条", "它前面那一章", "上一部分": one part before or after, named by its noun.
_RELATIVE = re.compile(r"([上前下后])(?:面|边)?(?:那|的)?一?(章|条|节|部分)")
_PART = re.compile(r"^\s*第\s*([一二三四五六七八九十百零〇\d]{1,4})\s*(章|条|节|部分)")
_ASKS = re.compile(r"(讲|说|写|是|叫|规定|标题|内容|有|什么|啥|哪)")


def part_in_order(question: str, turns: list[Turn]) -> str | None:
    """ "下一条呢" after the answer "第十二条 …", "它前面那一章" after "第六章 附则：…": the part
    of the same kind one before or after the one the newest answer starts with (an article or
    a chapter of any document; the plan's list items are not such answers)."""
    m = _RELATIVE.search(question)
    if m is None:
        return None
    answer = next((t for t in turns[:2] if t.role == "assistant"), None)
    start = _PART.match(answer.text) if answer else None
    if start is None or start.group(2) != m.group(2):
        return None
    number = chinese_to_int(start.group(1))
    target = number + (-1 if m.group(1) in "上前" else 1) if number else 0
    if target < 1:
        return None
    rest = question[m.end() :].strip(" ，,。？?呢吗")
    return f"第{int_to_chinese(target)}{m.group(2)}{rest if _ASKS.search(rest) else '讲的是什么'}"


def kind_asked(question: str) -> str | None:
    """ "那个指标", "这个专栏", "那一节": the kind of thing the question points at."""
    if "指标" in question:
        return "indicators"
    if "专栏" in question:
        return "columns"
    return "sections" if asks_sections(question) else None
