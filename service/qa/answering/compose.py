"""Compose a short, extractive answer from the plan's own words and numbers."""

from __future__ import annotations

import re
from collections.abc import Callable

from corpus.lexicon import lexicon
from corpus.markers import ARTICLE
from corpus.numerals import chinese_to_int
from corpus.records import Indicator, Passage
from index.boosts import longest_common, squash, title_core
from index.search import Hit
from service.qa.answering import wording
from service.qa.answering.extract import ahead_of, part_asked
from service.qa.reading.fields import detect_field, table_years
from service.qa.reading.understand import Qualifier

_ALL_INDICATORS = re.compile(
    r"(主要|哪些|哪几个|几个|几项|所有|全部|各项|一共|总共|多少个|都有什么)"
    r".{0,6}指标|指标.{0,4}(有哪些|是什么|都有|一览|列表)|指标表|主要指标"
)
_LABELLED = re.compile(r"^([^：；]{1,8})：(.+)$")
MIN_ITEM_PHRASE = 6
# Passages that are one unit of their document: an article, an FAQ pair, a table row.
WHOLE_UNITS = frozenset({"article", "faq", "row"})
ProseOf = Callable[[tuple[str, ...]], Passage | None]


def asked_kinds(query) -> tuple[Qualifier, ...]:
    """What the answer should show: the question's qualifiers, and a figure when it asks for a
    number ("资助最多算几个": the clause with 5个 as well as the one in 元)."""
    return query.qualifiers + ((Qualifier("figure", ()),) if query.asks_figure else ())


def asks_all_indicators(question: str) -> bool:
    return bool(_ALL_INDICATORS.search(question))


def about_past_period(question: str) -> bool:
    """The 十三五 achievements: their figures live in the plan's background, not the table."""
    return lexicon().past_period.search(question)


def _labelled_item(question: str, text: str) -> str | None:
    """'主线是什么' over '…：主题：…；主线：全面加强知识产权保护；…' → '主线：全面加强知识产权保护'
    (every labelled item the question names: '目标和根本动力分别是啥' gets both)."""
    body = text.split("：", 1)[1] if "：" in text else text
    items = [
        item for item in body.split("；") if (m := _LABELLED.match(item)) and m.group(1) in question
    ]
    return "；".join(items) if items else None


def _matching_item(question: str, text: str) -> str | None:
    """The one list item the question quotes more closely than the list's own title
    ('国际合作的主要目标' → '4. 知识产权国际合作取得新突破')."""
    if "：" not in text or "；" not in text:
        return None
    head, body = text.split("：", 1)
    q = squash(question)
    sizes = [(longest_common(q, squash(item)), item) for item in body.split("；")]
    best = max(sizes, default=(0, ""))
    unique = sum(1 for size, _ in sizes if size == best[0]) == 1
    if best[0] >= MIN_ITEM_PHRASE and unique and best[0] > longest_common(q, title_core(head)):
        return f"{head}：{best[1]}"  # the item with the list it belongs to
    return None


_ORDINAL = re.compile(
    r"第\s*([一二三四五六七八九十\d]{1,3})\s*[条项个点]|最后一[条项个点]|最后那[条项个]"
)
_WHICH_ITEM = re.compile(r"哪一?[条项]|那一?[条项]|哪一点")
_NUMBERED = re.compile(r"^\s*(?:\(\d+\)|\d+\.)")


def _items(text: str) -> tuple[str, list[str]] | None:
    """(head, items) of a list passage ("基本原则：(1) …；(2) …"); numbered items only when
    the list is numbered (a table caption may trail a numbered list)."""
    if "：" not in text or "；" not in text:
        return None
    head, body = text.split("：", 1)
    items = body.split("；")
    numbered = [i for i in items if _NUMBERED.match(i)]
    return head, (numbered if len(numbered) >= 2 else items)


def _item_by_position(question: str, text: str) -> str | None:
    """'第三条基本原则是什么', '最后一条呢' → that item of the list."""
    m = _ORDINAL.search(question)
    listed = _items(text)
    if not m or listed is None or question[m.end() : m.end() + 2] == "专栏":
        return None  # "第二个专栏" names a 专栏, not an item of its list
    head, items = listed
    if m.group(1) is None:
        return f"{head}：{items[-1]}"
    n = chinese_to_int(m.group(1))
    return f"{head}：{items[n - 1]}" if n and 1 <= n <= len(items) else None


_EXCEPT = re.compile(
    r"除了\s*([^，,。？?\s]{2,12}?)(?:那一?[条项个])?[,，\s]*[^，,。？?]{0,8}?"
    r"(?:另一条|另外一条|另一项|还有|另一个)"
)


def _item_other_than(question: str, text: str) -> str | None:
    """'专栏3里除了维权援助 另一条是啥', '除了构建保护规则那一条，专栏2的另一条' → the items
    of the list other than the one the question quotes (by the longest run they share)."""
    m = _EXCEPT.search(question)
    listed = _items(text)
    if not m or listed is None:
        return None
    head, items = listed
    said = squash(m.group(1))
    sizes = [longest_common(said, squash(item)) for item in items]
    best = max(sizes, default=0)
    if best < 2 or sizes.count(best) != 1:
        return None
    others = [item for item, size in zip(items, sizes, strict=True) if size != best]
    return f"{head}：{'；'.join(others)}" if others else None


def _closest_item(words: str, text: str) -> str | None:
    """ "head：item" of the one list item of `text` sharing the most with `words`, when it
    shares a word (two characters) or more and no other item shares as much."""
    listed = _items(text)
    if listed is None:
        return None
    head, items = listed
    q = squash(words)
    sizes = [(longest_common(q, squash(item)), item) for item in items]
    best = max(sizes)
    if best[0] >= 2 and sum(1 for size, _ in sizes if size == best[0]) == 1:
        return f"{head}：{best[1]}"
    return None


def _item_by_word(question: str, text: str) -> str | None:
    """'其中跟商标有关的是哪条' → the one item sharing the most words with the question."""
    return _closest_item(question, text) if _WHICH_ITEM.search(question) else None


def _item_in_ask(asking: str, text: str) -> str | None:
    """'…开副本要收钱，我们学校也要交吗' → the one list item sharing the most with the clause
    that asks ('高等学校和科研院所免收')."""
    return _closest_item(asking, text) if asking else None


AHEAD_DEPTH = 5  # hits searched for one saying how long before, when that is asked


def best_passage(question: str, hits: list[Hit]) -> Passage:
    best = hits[0].passage
    ahead = ahead_of(question)  # "要提前多久申请": of the best, one saying how long before
    best = next((h.passage for h in hits[:AHEAD_DEPTH] if ahead(h.passage.text)), best)
    if about_past_period(question):  # the 十三五 figures live in their own block
        best = next(
            (
                h.passage
                for h in hits
                if h.passage.kind != "overview"
                and any(lexicon().period_past in s for s in h.passage.section)
            ),
            best,
        )
    return best


def _content_words(question: str) -> tuple[str, ...]:
    from corpus.tokens import tokenize

    return tuple(t for t in tokenize(question, normalized=True) if len(t) >= 2)


def passage_answer(
    question: str,
    hits: list[Hit],
    prose_of: ProseOf,
    kinds: tuple[str | Qualifier, ...] = (),
    asking: str = "",
) -> str:
    """kinds: what the question asks for (fee, duration, contact…, or its qualifiers), which
    the answer shows; asking: the clauses of the question that ask, when only some do."""
    best = best_passage(question, hits)
    if lexicon().plan_location.search(question) and best.section:
        return wording.location(best.section)
    if kinds or best.kind in WHOLE_UNITS:
        asked = _content_words(asking) if asking and asking != question else ()
        part = part_asked(best.text, kinds, _content_words(question), best.kind, asked, question)
        if part:
            return wording.sentence(part)
        if best.kind in ("faq", "article"):
            return wording.sentence(best.text)  # one unit: never cut into the plan's list items
    item = (
        _labelled_item(question, best.text)
        or _item_other_than(question, best.text)
        or _item_by_position(question, best.text)
        or _item_by_word(question, best.text)
        or _item_in_ask(asking if asking != question else "", best.text)
        or _matching_item(question, best.text)
    )
    if item:
        return wording.sentence(item)
    if best.kind == "overview" and not lexicon().list_asks.search(question):
        # "指导思想是什么": the section's own words, when it has any, not its list of parts
        best = prose_of(tuple(best.section)) or best
    return wording.sentence(best.text)


def parts_answer(
    question: str,
    hits: list[Hit],
    parts: tuple[tuple[int, tuple[Qualifier, ...]], ...],
    prose_of: ProseOf,
    asking: str = "",
) -> str:
    """A question asking several things answered from several passages: each one's part that
    shows what it gives, in the order asked."""
    said = [passage_answer(question, [hits[i]], prose_of, kinds, asking) for i, kinds in parts]
    return "".join(dict.fromkeys(said))


def compose(
    question: str,
    hits: list[Hit],
    matched: list[Indicator],
    all_rows: list[Indicator],
    prose_of: ProseOf,
    kinds: tuple[str | Qualifier, ...] = (),
    asking: str = "",
) -> tuple[str, list[Indicator]]:
    """(answer, indicator rows to show) for a question the plan answers; kinds: what it asks
    for (fee, duration, contact…); asking: its clauses that ask."""
    if asks_all_indicators(question) and not matched:
        return wording.all_indicators(all_rows), list(all_rows)
    if matched and not about_past_period(question):
        field = detect_field(question, table_years(all_rows))
        return "".join(wording.indicator_sentence(i, field) for i in matched[:3]), matched
    return _article_named(
        question, hits, passage_answer(question, hits, prose_of, kinds, asking)
    ), matched


# "关于调解员回避的规定是规则的第几条", "哪一条规定了异议期限": which article says it
_WHICH_ARTICLE = re.compile(r"第几条(?![^？?。，,]{0,6}(?:到|至)第几条)|哪一条|哪条")


def _article_named(question: str, hits: list[Hit], text: str) -> str:
    """A question asking which article says something starts its answer with the article
    the best passage belongs to (its number and document), then what it says."""
    if not hits or not _WHICH_ARTICLE.search(question):
        return text
    top = hits[0].passage
    heading = top.section[-1] if top.kind == "article" and top.section else ""
    if not ARTICLE.match(heading):  # the article's own heading, as the parser marked it
        return text
    title = wording.book(top.doc_title) if top.doc_title else ""
    return f"是{title}{heading}。{text}"
