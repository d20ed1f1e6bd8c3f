"""Every sentence the service says, in one place; numbers come in as the plan prints them."""

from __future__ import annotations

from corpus.records import Indicator
from service.qa.fields import Asked
from service.qa.understand import Qualifier

PLAN = "《“十四五”国家知识产权保护和运用规划》"
NONE_ANSWER = (
    f"抱歉，{PLAN}中没有与这个问题相关的内容。您可以问规划的主要指标、重点工程（专栏）或各项任务。"
)
SUGGESTIONS = [
    "2025年海外发明专利授权量目标是多少？",
    "地理标志怎么保护？",
    "“十四五”时期知识产权发展有哪些主要指标？",
]
RELATED_LEAD = "规划中没有直接的答案，以下内容可能相关"
# What the plan does not contain, by the kind of thing asked.
MISSING = {
    "procedure": "办理流程、条件和所需材料",
    "fee": "费用、补贴或资金数额",
    "duration": "办理时限或期限",
    "contact": "联系电话、地址、网址或办公时间",
    "definition": "这个概念的定义或计算方法",
    "who": "由哪个机构或部门负责、发布",
    "where": "具体的地点",
    "when": "具体的时间",
    "detail": "这样的细分数据或名单",
    "reason": "原因方面的说明",
    "opinion": "评价或个人看法",
    "figure": "这个数字",
}


def value(number_text: str | None, unit: str) -> str:
    return f"{number_text}{unit}" if number_text is not None else "—"


def increase(ind: Indicator) -> str:
    unit = "个百分点" if ind.unit == "%" else ind.unit
    return f"{ind.text_increase}{unit}"


def indicator_sentence(ind: Indicator, field: Asked) -> str:
    v20, v25 = value(ind.text_2020, ind.unit), value(ind.text_2025, ind.unit)
    if field is Asked.V2020:
        if ind.text_2020 is None:
            return f"规划的指标表没有给出{ind.name}的2020年数值（表中为“—”），2025年目标为{v25}。"
        return f"2020年，{ind.name}为{v20}；2025年目标为{v25}。"
    if field is Asked.INCREASE:
        if ind.text_increase is None:
            return f"规划的指标表没有给出{ind.name}的累计增加值（表中为“—”），2025年目标为{v25}。"
        return f"“十四五”时期{ind.name}累计增加{increase(ind)}（2020年{v20}，2025年目标{v25}）。"
    if field is Asked.T2025:
        rest = f"（2020年为{v20}）" if ind.text_2020 is not None else ""
        return f"到2025年，{ind.name}的目标为{v25}{rest}。"
    parts = [
        f"2020年为{v20}" if ind.text_2020 is not None else "2020年无数值（表中为“—”）",
        f"2025年目标为{v25}",
    ]
    if ind.text_increase is not None:
        parts.append(f"累计增加{increase(ind)}")
    return f"{ind.name}：" + "，".join(parts) + "。"


def all_indicators(indicators: list[Indicator]) -> str:
    lines = [
        f"{i.id}. {i.name}：2020年{value(i.text_2020, i.unit)}，2025年{value(i.text_2025, i.unit)}"
        for i in indicators
    ]
    return f"“十四五”时期知识产权发展主要指标共{len(indicators)}项：\n" + "\n".join(lines)


def location(section: list[str]) -> str:
    return f"这部分内容位于：{' › '.join(section)}。"


def sentence(text: str) -> str:
    return text if text.endswith(("。", "！", "？")) else text + "。"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]


def related(
    qualifiers: tuple[Qualifier, ...], rows: list[Indicator], passage_text: str | None, field: Asked
) -> str:
    """The plan does not answer this: say what it lacks, then what it does say."""
    kinds = {q.kind: q.words for q in qualifiers}
    whose = [w for k in ("place", "organization") for w in kinds.get(k, ())]
    when = list(kinds.get("period", ()))
    if rows and (whose or when):
        scope = _join(whose) if whose else ""
        lacks = (
            f"规划只给出全国的指标，没有{scope}的数据"
            if whose
            else "规划的指标表只给出2020年的数值和2025年的目标"
        )
        if when:
            lacks += f"，没有{_join(when)}的数据" if not whose else f"，也没有{_join(when)}的数据"
        lacks += "。"
        national = "".join(indicator_sentence(r, Asked.NONE) for r in rows[:2])
        return f"{lacks}规划中的全国数据：{national}"
    missing = [MISSING[k] for k in kinds if k in MISSING]
    if whose:
        missing.insert(0, f"{_join(whose)}的具体情况")
    if when:
        missing.insert(0, f"{_join(when)}的情况")
    lacks = f"规划中没有写到{'，也没有写到'.join(missing)}。" if missing else f"{RELATED_LEAD}。"
    if rows:
        return (
            lacks + "规划中的相关指标：" + "".join(indicator_sentence(r, field) for r in rows[:2])
        )
    if passage_text:
        return lacks + "规划中相关的内容是：" + sentence(passage_text)
    return lacks
