"""Every sentence the service says, in one place; numbers come in as the plan prints them."""

from __future__ import annotations

from corpus.lexicon import lexicon
from corpus.markers import document_kind
from corpus.records import Indicator
from service.qa.reading.fields import Asked
from service.qa.reading.understand import Qualifier

NONE_ANSWER = "抱歉，已收录的文件中没有与这个问题相关的内容。您可以换个说法，或者从下面的问题问起。"
SUGGESTIONS = list(lexicon().suggestions)  # corpus/lexicon/language.toml
CLARIFY_ANSWER = "这个问题要结合前面的对话才能理解。您想问的是下面哪一个？也可以把问题说完整。"
# A question with no subject ("电话多少") that several documents answer, each its own way.
WHICH_ANSWER = (
    "已收录的文件中有好几份写到了{what}，您问的是哪一份？请点下面的问题，或把事情说完整。"
)
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
# What a place, an office or a kind of IP has of its own: "北京知识产权局的联系电话".
OWNED = frozenset({"procedure", "fee", "duration", "contact"})


def value(number_text: str | None, unit: str) -> str:
    return f"{number_text}{unit}" if number_text is not None else "—"


def increase(ind: Indicator) -> str:
    unit = "个百分点" if ind.unit == "%" else ind.unit
    return f"{ind.text('change')}{unit}"


def kind_of(ind: Indicator) -> str:
    """The kind of document a row's table is in ("规划", "方案"…), read from the title the row
    keeps; "文件" for a row without one (an index built before rows kept their title)."""
    return document_kind(ind.doc_title)


def year_label(ind: Indicator, role: str) -> str:
    """A column as an answer names it: its header's year ("2020年"), else its header."""
    column = ind.column(role)
    if column is None:
        return ""
    return f"{column.year}年" if column.year else column.header


def change_name(ind: Indicator) -> str:
    """The change column as its header prints it ("累计增加值")."""
    column = ind.column("change")
    return column.header if column else "累计增加值"


def indicator_sentence(ind: Indicator, field: Asked) -> str:
    base, target = year_label(ind, "base"), year_label(ind, "target")
    t_base, t_target, t_change = ind.text("base"), ind.text("target"), ind.text("change")
    v_base, v_target = value(t_base, ind.unit), value(t_target, ind.unit)
    if field is Asked.BASE:
        if t_base is None:
            return (
                f"{kind_of(ind)}的指标表没有给出{ind.name}的{base}数值（表中为“—”），"
                f"{target}目标为{v_target}。"
            )
        return f"{base}，{ind.name}为{v_base}；{target}目标为{v_target}。"
    if field is Asked.CHANGE:
        if t_change is None:
            return (
                f"{kind_of(ind)}的指标表没有给出{ind.name}的{change_name(ind)}（表中为“—”），"
                f"{target}目标为{v_target}。"
            )
        return (
            f"{_period(kind_of(ind))}{ind.name}累计增加{increase(ind)}"
            f"（{base}{v_base}，{target}目标{v_target}）。"
        )
    if field is Asked.TARGET:
        rest = f"（{base}为{v_base}）" if t_base is not None else ""
        return f"到{target}，{ind.name}的目标为{v_target}{rest}。"
    parts = [
        f"{base}为{v_base}" if t_base is not None else f"{base}无数值（表中为“—”）",
        f"{target}目标为{v_target}",
    ]
    if t_change is not None:
        parts.append(f"累计增加{increase(ind)}")
    return f"{ind.name}：" + "，".join(parts) + "。"


def all_indicators(indicators: list[Indicator]) -> str:
    lines = [
        f"{i.id}. {i.name}：{year_label(i, 'base')}{value(i.text('base'), i.unit)}，"
        f"{year_label(i, 'target')}{value(i.text('target'), i.unit)}"
        for i in indicators
    ]
    return f"{table_caption(indicators)}共{len(indicators)}项：\n" + "\n".join(lines)


def _period(kind: str) -> str:
    """'“十四五”时期': the plan's own period, as the lexicon names it; without one, the time
    the document of that kind covers ("方案期内")."""
    current = lexicon().period_current
    return f"“{current}”时期" if current else f"{kind}期内"


def table_caption(rows) -> str:
    """The indicator table's caption, as its document prints it."""
    return next((r.table for r in rows if r.table), "主要指标")


def book(title: str) -> str:
    """A title in book marks, one inside another as 〈〉: 《〈若干措施〉政策解读》."""
    return "《" + title.replace("《", "〈").replace("》", "〉") + "》"


def says_so(title: str) -> str:
    """The start of an answer to a yes/no question whose document says so."""
    return f"《{title}》写到了：" if title and not title.startswith("《") else f"{title}写到了："


def location(section: list[str]) -> str:
    return f"这部分内容位于：{' › '.join(section)}。"


def sentence(text: str) -> str:
    """The text as a sentence: a full stop unless it has one; a "；" or "，" a passage cut at
    its length limit ends on is replaced, not followed ("…除外）；。")."""
    text = text.rstrip("；;，,、 ")
    return text if text.endswith(("。", "！", "？")) else text + "。"


def joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]


def scope_of(titles: list[str]) -> str:
    """The only document's kind ("规划", "办法"), or "已收录的文件" for several."""
    return document_kind(titles[0]) if len(set(titles)) == 1 else "已收录的文件"


def kind_of_passages(passages) -> str:
    """What passages come from, named as scope_of names it: their document's kind ("规划"),
    read from its title, or "已收录的文件" when they come from several ("文件" for none)."""
    titles = [p.doc_title or p.doc for p in passages]
    return scope_of(titles) if titles else "文件"


def related_lead(scope: str) -> str:
    """The lead of a related answer that names nothing missing, naming the documents in scope
    (scope_of: the only document's kind, read from its title, or 已收录的文件)."""
    return f"{scope}中没有直接的答案，以下内容可能相关"


def related(
    qualifiers: tuple[Qualifier, ...],
    rows: list[Indicator],
    passage_text: str | None,
    field: Asked,
    scope: str,
) -> str:
    """Not answered: say what the documents lack, then what they do say. scope names the
    documents searched (scope_of); the rows' own document is named by its kind (kind_of)."""
    kinds = {q.kind: q.words for q in qualifiers}
    whose = [w for k in ("place", "organization") for w in kinds.get(k, ())]
    when = list(kinds.get("period", ()))
    if rows and (whose or when):
        doc = kind_of(rows[0])
        lacks = (
            f"{doc}只给出全国的指标，没有{joined(whose)}的数据"
            if whose
            else f"{doc}的指标表只给出{year_label(rows[0], 'base')}的数值"
            f"和{year_label(rows[0], 'target')}的目标"
        )
        if when:
            lacks += f"，没有{joined(when)}的数据" if not whose else f"，也没有{joined(when)}的数据"
        lacks += "。"
        national = "".join(indicator_sentence(r, Asked.NONE) for r in rows[:2])
        return f"{lacks}{doc}中的全国数据：{national}"
    missing = [MISSING[k] for k in kinds if k in MISSING]
    whose += kinds.get("object", ())  # the kind of IP whose procedure, fee… is not described
    if whose and missing and all(k in OWNED for k in kinds if k in MISSING):
        # "没有写到北京知识产权局的联系电话…", not "北京的具体情况，也没有写到联系电话…"
        missing = [f"{joined(whose)}的{'、'.join(missing)}"]
    elif whose:
        missing.insert(0, f"{joined(whose)}的具体情况")
    if when:
        missing.insert(0, f"{joined(when)}的情况")
    lacks = (
        f"{scope}中没有写到{'，也没有写到'.join(missing)}。"
        if missing
        else f"{related_lead(scope)}。"
    )
    if rows:
        listed = "".join(indicator_sentence(r, field) for r in rows[:2])
        return f"{lacks}{kind_of(rows[0])}中的相关指标：{listed}"
    if passage_text:
        return lacks + f"{scope}中相关的内容是：" + sentence(passage_text)
    return lacks
