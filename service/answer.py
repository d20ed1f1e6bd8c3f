"""Compose a short, extractive answer from the plan's own words and numbers."""

from __future__ import annotations

import re
from collections.abc import Callable

from corpus.records import Indicator, Passage
from index.boosts import longest_common, squash, title_core
from index.search import Hit
from service.fields import Field, detect_field

NOT_FOUND = (
    "抱歉，《“十四五”国家知识产权保护和运用规划》中没有与这个问题相关的内容。"
    "您可以问规划的主要指标、重点工程（专栏）或各项任务，例如："
)
SUGGESTIONS = [
    "2025年海外发明专利授权量目标是多少？",
    "地理标志怎么保护？",
    "“十四五”时期知识产权发展有哪些主要指标？",
]
_ALL_INDICATORS = re.compile(
    r"(主要|哪些|哪几个|几个|几项|所有|全部|各项|一共|总共|多少个|都有什么)"
    r".{0,6}指标|指标.{0,4}(有哪些|是什么|都有|一览|列表)|指标表|主要指标"
)
_WHERE = re.compile(
    r"属于|哪一部分|哪个部分|哪一章|哪章|哪个章节|哪一节|在哪|哪个板块|第几部分|出自"
)
_SHISANWU = re.compile(r"十三五|十二五|过去五年|取得.{0,4}成就|成绩")
_LABELLED = re.compile(r"^([^：；]{1,8})：(.+)$")
_LIST_QUESTION = re.compile(r"哪些|哪几|包括|包含|有什么|几个|几项|几条|列举|都有|内容")
MIN_ITEM_PHRASE = 6


def show(number_text: str | None, unit: str) -> str:
    return f"{number_text}{unit}" if number_text is not None else "—"


def _increase(ind: Indicator) -> str:
    unit = "个百分点" if ind.unit == "%" else ind.unit
    return f"{ind.text_increase}{unit}"


def indicator_sentence(ind: Indicator, field: Field) -> str:
    v20, v25 = show(ind.text_2020, ind.unit), show(ind.text_2025, ind.unit)
    if field is Field.V2020:
        if ind.text_2020 is None:
            return f"规划的指标表没有给出{ind.name}的2020年数值（表中为“—”），2025年目标为{v25}。"
        return f"2020年，{ind.name}为{v20}；2025年目标为{v25}。"
    if field is Field.INCREASE:
        if ind.text_increase is None:
            return f"规划的指标表没有给出{ind.name}的累计增加值（表中为“—”），2025年目标为{v25}。"
        return f"“十四五”时期{ind.name}累计增加{_increase(ind)}（2020年{v20}，2025年目标{v25}）。"
    if field is Field.T2025:
        rest = f"（2020年为{v20}）" if ind.text_2020 is not None else ""
        return f"到2025年，{ind.name}的目标为{v25}{rest}。"
    parts = [
        f"2020年为{v20}" if ind.text_2020 is not None else "2020年无数值（表中为“—”）",
        f"2025年目标为{v25}",
    ]
    if ind.text_increase is not None:
        parts.append(f"累计增加{_increase(ind)}")
    return f"{ind.name}：" + "，".join(parts) + "。"


def all_indicators_answer(indicators: list[Indicator]) -> str:
    lines = [
        f"{i.id}. {i.name}：2020年{show(i.text_2020, i.unit)}，2025年{show(i.text_2025, i.unit)}"
        for i in indicators
    ]
    return f"“十四五”时期知识产权发展主要指标共{len(indicators)}项：\n" + "\n".join(lines)


def asks_all_indicators(question: str) -> bool:
    return bool(_ALL_INDICATORS.search(question))


def is_shisanwu(question: str) -> bool:
    return bool(_SHISANWU.search(question))


def _labelled_item(question: str, text: str) -> str | None:
    """'主线是什么' over '…：主题：…；主线：全面加强知识产权保护；…' → '主线：全面加强知识产权保护'."""
    body = text.split("：", 1)[1] if "：" in text else text
    for item in body.split("；"):
        m = _LABELLED.match(item)
        if m and m.group(1) in question:
            return item
    return None


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


def passage_answer(
    question: str, hits: list[Hit], prose_of: Callable[[tuple[str, ...]], Passage | None]
) -> str:
    best = hits[0].passage
    if is_shisanwu(question):  # the 十三五 figures live in their own block, not the table
        best = next(
            (
                h.passage
                for h in hits
                if h.passage.kind != "overview" and any("十三五" in s for s in h.passage.section)
            ),
            best,
        )
    if _WHERE.search(question) and best.section:
        return f"这部分内容位于：{' › '.join(best.section)}。"
    item = _labelled_item(question, best.text) or _matching_item(question, best.text)
    if item:
        return item + "。"
    if best.kind == "overview" and not _LIST_QUESTION.search(question):
        # "指导思想是什么": the section's own words, when it has any, not its list of parts
        best = prose_of(tuple(best.section)) or best
    text = best.text
    return text if text.endswith(("。", "！", "？")) else text + "。"


def compose(
    question: str,
    hits: list[Hit],
    matched: list[Indicator],
    all_rows: list[Indicator],
    prose_of: Callable[[tuple[str, ...]], Passage | None],
) -> tuple[str, list[Indicator]]:
    """(answer, indicator rows to show) for an in-scope question."""
    if asks_all_indicators(question) and not matched:
        return all_indicators_answer(all_rows), list(all_rows)
    if matched and not is_shisanwu(question):
        field = detect_field(question)
        return "".join(indicator_sentence(i, field) for i in matched[:3]), matched
    return passage_answer(question, hits, prose_of), matched
