"""The Nth item of a list, asked without naming where the list stands ("申请材料第四样是啥",
"哪些标志不能注册商标 第四种是啥", "基本原则里第三条原则", "最后一种情形"): read from the list
the best passages hold — numbered ((一), 1., 一是) across the passages of their section, else
the items after a colon separated by "；". And in a conversation, "最后一项是啥" right after a
question asking for a list is asked of that list (follow_item)."""

from __future__ import annotations

import re
from collections.abc import Callable

from corpus.lists import CHECK_MARKS
from corpus.markers import ordinal
from corpus.records import Passage
from service.qa.structure.items import numbered_items
from service.qa.structure.patterns import NOT_ARTICLE, NUMERAL

# 第四样 / 第二类 / 第3个 / 最后一种; 条 and 步 only before a word naming what is listed
# ("第三条原则"; "第十二条" alone is an article, "第二步" a step: structure answers those).
_COUNTERS = "个项种样类点"
DEPTH = 3  # hits whose section may hold the list asked about
_NOUN = re.compile(r"[\u4e00-\u9fff]{2}")  # what is listed, named after the ordinal
# a checklist's items, their marks kept: a mark after a colon, a "；" or a space, not a quoted one
_MARK = re.compile(rf"(?<![^：:；;。！？\s])(?=[{CHECK_MARKS}]\s*[^\s”\"’」』])")
_NUMBERED = re.compile(r"\s*(?:\d{1,2}[.．]|[(（]\d{1,2}[)）])")


# "六类产业里排第三个": how many the list has, said before the item asked.
_COUNT = re.compile(rf"({NUMERAL})\s*(?:[{_COUNTERS}]|个方面|方面)")
_LISTING = re.compile(r"(?:即|包括|：|为)([^；。：]+、[^；。：]+)")


_COUNTED = rf"[{_COUNTERS}]|[条步](?={NOT_ARTICLE})"  # NOT_ARTICLE: the listed nouns
_ITEM_ASKED = re.compile(rf"第\s*({NUMERAL})\s*(?:{_COUNTED})|最后\s*一?\s*(?:{_COUNTED})")


# An item named as the text numbers it with 一是/二是: quoted, or before 指/讲/说.
_SHI = re.compile(
    r"[“\"「]([一二三四五六七八九十]{1,2})是[”\"」]"
    r"|(?<![\u4e00-\u9fff])([一二三四五六七八九十]{1,2})是(?=指|讲|说)"
)


def _asked(question: str) -> tuple[re.Match, int | None] | None:
    """The item asked: the last one named ("…清单第一项是什么 第二个": a follow-up's own)."""
    m = next(reversed(list(_ITEM_ASKED.finditer(question))), None)
    if m is None and (shi := _SHI.search(question)):  # "“三是”指的是哪一类"
        return shi, ordinal(shi.group(1) or shi.group(2))
    if m is None or re.match(r"\s*(?:专栏|附件|部分|章|节)", question[m.end() :]):
        return None
    return m, (ordinal(m.group(1)) if m.group(1) else None)


def _runs(items: list) -> list[list]:
    """Numbered items split where the numbering starts again (two lists in one section)."""
    runs: list[list] = []
    for item in items:
        if not runs or item.number <= runs[-1][-1].number:
            runs.append([])
        runs[-1].append(item)
    return runs


def _colon_list(text: str) -> list[str]:
    """The items of "…包括：甲；乙；丙。" (at least three), else []."""
    if "：" not in text:
        return []
    body = text.split("：", 1)[1]
    items = [i.strip(" 。") for i in body.split("；") if i.strip(" 。")]
    return items if len(items) >= 3 else []


def nth_item(
    question: str, hits: list, section_of: Callable[[Passage], list[Passage]]
) -> tuple[str, Passage] | None:
    """(the item's text, its passage) of the first of the best passages whose list has the
    item asked; section_of(p): the passages of p's section, in document order."""
    asked = _asked(question)
    if asked is None:
        return None
    m, n = asked
    said = _COUNT.search(question[: m.start()])
    size = ordinal(said.group(1)) if said else None
    noun = _NOUN.match(question, m.end())  # "第四个目标": lists headed by 目标 first
    heads = [h for h in hits[:DEPTH] if noun and noun.group(0) in " ".join(h.passage.section)]
    ordered = [h.passage for h in heads + [h for h in hits[:DEPTH] if h not in heads]]
    # "核对的三点里，第二点": a list of three first, of any of the best passages
    for fits in ((lambda k: k == size), (lambda k: True)) if size else ((lambda k: True),):
        found = _from(ordered, n, size, fits, section_of)
        if found:
            return found
    return None


def _from(ordered: list[Passage], n: int | None, size: int | None, fits, section_of):
    """The item asked of the first of these passages with a list whose length fits."""
    for p in ordered:
        if p.kind == "overview":  # its sub-parts, numbered, are a list ("主要目标：1. …；2. …")
            listed = _colon_list(p.text)
            numbered = _NUMBERED.match(listed[0] if listed else "")
            if numbered and fits(len(listed)) and (n is None or n <= len(listed)):
                return listed[-1 if n is None else n - 1], p
            continue
        if size:  # "六类产业里第三个": a list of that many, also one written with 、
            for listing in _LISTING.finditer(p.text):
                named = [x.strip() for x in listing.group(1).split("、")]
                if len(named) == size and (n is None or n <= size):
                    return named[-1 if n is None else n - 1], p
        if p.kind in ("row", "indicator", "column", "title", "publisher"):
            continue
        passages = [q for q in section_of(p) if q.kind != "overview"] or [p]
        marked = _marked(p, passages)
        if len(marked) >= 2 and fits(len(marked)) and (n is None or n <= len(marked)):
            return marked[-1 if n is None else n - 1], p
        runs = _runs(numbered_items(passages))
        mine = [r for r in runs if any(i.passage is p for i in r)]
        for run in mine or runs[:1]:
            item = run[-1] if n is None else next((i for i in run if i.number == n), None)
            if item is not None and len(run) >= 2 and fits(len(run)):
                return item.text, item.passage
        listed = _colon_list(p.text)
        if listed and fits(len(listed)) and (n is None or n <= len(listed)):
            return listed[-1 if n is None else n - 1], p
    return None


def _marked(p: Passage, passages: list[Passage]) -> list[str]:
    """The items of the checklist p is a piece of ("□ 申请表（原件2份）；□ …"), each with its
    mark, over the pieces it was cut into: a list starts at a piece with words before its
    first mark (what introduces it) and goes on through the pieces that start with a mark."""
    lists: list[list[str]] = []
    mine = None
    for q in passages:
        cut = _MARK.split(q.text)
        if len(cut) < 2:
            lists.append([])
            continue
        if cut[0].strip() or not lists:
            lists.append([])
        lists[-1].extend(x.strip(" ；;") for x in cut[1:])
        mine = lists[-1] if q is p else mine
    return mine or []


# A question that asks for a list or its size ("申请材料一共几项", "有哪些条件")
_LIST_ASKED = re.compile(r"几项|几个|几种|几样|几条|多少项|多少个|哪些|哪几|有什么|有啥|都有")
FOLLOW_MAX = 10  # characters of a follow-up asking an item by its place ("最后一项是啥")


def follow_item(question: str, history: list[tuple[str, str]]) -> str | None:
    """'最后一项是啥' / '第二个呢' right after a question asking for a list: that question with
    the item asked ("质押设立登记申请材料一共几项 最后一项是啥")."""
    users = [text for role, text in history if role == "user"]
    if not users or _asked(question) is None or len(question.strip()) > FOLLOW_MAX:
        return None
    last = users[-1]
    return f"{last} {question}" if _LIST_ASKED.search(last) and _asked(last) is None else None
