"""The sentences of answers computed over a table (service/qa/table/compute.py and its
checks): every number comes in as the document prints it."""

from __future__ import annotations

from corpus.numerals import int_to_chinese
from corpus.records import Indicator
from service.qa.answering.wording import (
    change_name,
    joined,
    kind_of,
    sentence,
    table_caption,
    value,
    year_label,
)

RIGHT, WRONG = "没错", "不对"
TIMES, POINTS = "倍", "个百分点"  # units of a multiple and of a difference between % values
VERB = {"sum": "相加", "difference": "相减"}
RESULT = {"sum": "合计", "difference": "差值"}
UNIT_GROUP = "单位为{unit}的"
MISSING_VALUE = "{kind}的指标表没有给出{name}的{what}（表中为“—”）"
WHOLE_TABLE = "表中有数值的"  # how a comparison over every row names its scope
MORE = {"%": "高", "个百分点": "高", "分": "高", "倍": "高"}  # default 多
LESS = {"%": "低", "个百分点": "低", "分": "低", "倍": "低"}  # default 少


def measure_name(measure: str, row: Indicator) -> str:
    """What a measure of a row is called in an answer, its years as the table's header has
    them: "2020年数值", "2020年到2025年的增长率"."""
    base, target = year_label(row, "base"), year_label(row, "target")
    return {
        "base": f"{base}数值",
        "target": f"{target}目标",
        "change": change_name(row),
        "growth": f"{base}到{target}的增长率",
        "multiple": f"{target}目标与{base}数值之比",
        "annual_growth": f"{base}到{target}的年均增长率",
        "annual_increase": "年均增加值",
    }[measure]


def _columns_listed(rows) -> str:
    """ "2020年数值、2025年目标和累计增加值": what the table gives for each row."""
    row = rows[0]
    named = [measure_name(m, row) for m in ("base", "target", "change") if row.column(m)]
    return joined(named)


def binding(rows) -> str:
    return (
        f"{kind_of(rows[0])}的指标表只列出各项指标的{_columns_listed(rows)}，"
        "没有标明哪些是约束性指标、哪些是预期性指标，这里不作推断。"
    )


def judgement(rows) -> str:
    return (
        f"{kind_of(rows[0])}没有比较这些指标的重要程度或完成难度，这里不作评价。"
        f"指标表列出的是各项指标的{_columns_listed(rows)}。"
    )


def more_or_less(unit: str, positive: bool) -> str:
    return MORE.get(unit, "多") if positive else LESS.get(unit, "少")


def superlative(largest: bool) -> str:
    return "最高" if largest else "最低"


def names(rows) -> str:
    return joined([r.name for r in rows])


def missing_value(ind: Indicator, what: str) -> str:
    return MISSING_VALUE.format(kind=kind_of(ind), name=ind.name, what=what)


def claim(fig) -> str:
    """What the table says, as one clause: '2025年的目标是3200亿元'."""
    base, target = year_label(fig.row, "base"), year_label(fig.row, "target")
    return {
        "base": f"{base}为{{v}}",
        "target": f"{target}的目标是{{v}}",
        "change": "累计增加{v}",
        "growth": f"从{base}到{target}增长{{about}}{{v}}",
        "multiple": f"{target}目标是{base}的{{v}}",
        "annual_growth": f"从{base}到{target}年均增长{{about}}{{v}}",
        "annual_increase": "年均增加{v}",
    }[fig.measure].format(v=fig.shown, about="约" if fig.rounded else "")


def not_in_table(ind: Indicator, what: str, stated: str) -> str:
    """A figure stated for a cell the table leaves empty ("—")."""
    return f"{missing_value(ind, what)}，{stated}不是{kind_of(ind)}中的数字"


def verdict_before(right: bool, text: str) -> str:
    """A worked-out answer, led by whether the statement it checks was right."""
    return f"{RIGHT if right else WRONG}。{text}"


def verdict(right: bool, clauses: list[str]) -> str:
    return f"{RIGHT if right else WRONG}，" + "；".join(clauses) + "。"


def checked(fig, stated: str | None, again: bool = False) -> str:
    """One checked statement: '规划中X2025年的目标是3200亿元，不是3500亿元' (again: same row),
    led by the kind of document the row's table is in."""
    said = claim(fig) if again else f"{kind_of(fig.row)}中{fig.row.name}{claim(fig)}"
    return said if stated is None else f"{said}，不是{stated}"


def derived(fig, base: str, target: str, increase=None) -> str:
    """A rate, multiple or yearly increase of one row, with the working; base and target are
    its printed base and target numbers; increase (a figure) is added where it was asked too."""
    row = fig.row
    v_base, v_target = value(base, row.unit), value(target, row.unit)
    y_base, y_target = year_label(row, "base"), year_label(row, "target")
    about = "约" if fig.rounded else ""
    if fig.measure == "annual_increase":
        span = int_to_chinese(row.span)
        return f"{row.name}{span}年累计增加{increase.shown}，平均每年增加{fig.shown}（{fig.working}）。"
    if fig.measure == "multiple":
        return (
            f"{row.name}{y_target}目标{v_target}是{y_base}{v_base}的{fig.shown}（{fig.working}）。"
        )
    kind = "年均增长" if fig.measure == "annual_growth" else "增长"
    kind = ("相对" + kind) if row.unit == "%" and fig.measure == "growth" else kind
    rest = f"，即累计增加{increase.shown}" if increase is not None else ""
    return (
        f"{row.name}从{y_base}的{v_base}到{y_target}的{v_target}，"
        f"{kind}{about}{fig.shown}（{fig.working}）{rest}。"
    )


def increase_of(fig) -> str:
    working = f"（{fig.working}）" if fig.working else ""
    more = more_or_less(fig.unit, True)
    return (
        f"{fig.row.name}{year_label(fig.row, 'target')}目标比{year_label(fig.row, 'base')}"
        f"{more}{fig.shown}{working}。"
    )


def total(what: str, rows, fig) -> str:
    return f"{names(rows)}的{what}合计{fig.shown}（{fig.working}）。"


def difference(what: str, a, b, diff) -> str:
    word = more_or_less(diff.unit, diff.value >= 0)
    return (
        f"{a.row.name}的{what}（{a.shown}）比{b.row.name}（{b.shown}）"
        f"{word}{diff.shown}（{diff.working}）。"
    )


def best(what: str, scope: str, largest: bool, winners, runner_up=None, diff=None) -> str:
    """'按增长率，这7项中最高的是X：125.0%（…）'; ties name every row that shares it."""
    top = winners[0]
    working = f"（{top.working}）" if top.working else ""
    tie = "并列" if len(winners) > 1 else ""
    text = (
        f"按{what}，{scope}中{tie}{superlative(largest)}的是"
        f"{names([w.row for w in winners])}：{top.shown}{working}。"
    )
    if runner_up is not None and diff is not None:
        word = more_or_less(diff.unit, largest)
        text = (
            text[:-1]
            + f"，比{runner_up.row.name}（{runner_up.shown}）{word}{diff.shown}（{diff.working}）。"
        )
    return text


def ranking(what: str, scope: str, figures, note: str = "") -> str:
    lines = [f"{i}. {f.row.name}：{f.shown}" for i, f in enumerate(figures, start=1)]
    return f"按{what}，{scope}依次为：\n" + "\n".join(lines + ([note] if note else []))


def scope(label: str, count: int) -> str:
    """'以亿元计的2项指标', '这2项', '有数值的7项指标'."""
    return f"{label}{count}项指标" if label else f"这{count}项"


def units_differ(what: str, units: list[str], parts: list[str], note: str) -> str:
    """A ranking over rows of several units: one winner per unit that has more than one row."""
    head = f"这几项单位不同（{'、'.join(units)}），{what}只能在同一单位内比较"
    return head + ("：" + "；".join(parts) if parts else "") + "。" + note


def per_unit(label: str, count: int, largest: bool, winners) -> str:
    return (
        f"{label}{count}项中{superlative(largest)}的是"
        f"{names([w.row for w in winners])}（{winners[0].shown}）"
    )


def cannot_combine(what: str, figures, operation: str, rates: bool = False) -> str:
    """Rows in different units (or rates) are not added or subtracted; their values are given."""
    units = "、".join(dict.fromkeys(f.unit for f in figures))
    why = f"{what}是比率" if rates else f"这几项单位不同（{units}）"
    listed = "；".join(f"{f.row.name}：{f.shown}" for f in figures)
    return f"{why}，不能直接{VERB[operation]}。各项的{what}：{listed}。"


def group_scope(labels: list[str], either: bool = False) -> str:
    """'以亿元计的' + '占GDP比重的' → '以亿元计、占GDP比重的' (或 for a filter: any of them)."""
    return ("或" if either else "、").join(label.removesuffix("的") for label in labels) + "的"


def not_computed(lacks, result: str) -> str:
    """lacks: (row, what it lacks) pairs; result: what cannot be worked out without them."""
    return "；".join(missing_value(r, what) for r, what in lacks) + f"，算不出{result}。"


def left_out(rows, what: str) -> str:
    return f"{names(rows)}在表中为“—”，算不出{what}，未参与比较。" if rows else ""


def listing(label: str, rows) -> str:
    return f"{label}指标有{len(rows)}项：{names(rows)}。" if rows else f"没有{label}指标。"


def counted(label: str, rows) -> str:
    head = f"{label}指标" if label else table_caption(rows)
    return f"{head}共{len(rows)}项：{names(rows)}。"


def missing_label(what: str | None) -> str:
    return f"{what}为“—”（表中没有数值）的" if what else "有“—”（表中没有数值）的"


def column_right(number: int, title: str) -> str:
    return f"{RIGHT}，专栏{number}是{title}。"


def column_wrong(number: int, title: str, stated: str, stated_number: int) -> str:
    return f"{WRONG}，专栏{number}是{title}；{stated}是专栏{stated_number}。"


# kind: the kind of document the 专栏, label or passage comes from ("规划"), read from its title.
def column_count(kind: str, count: int, titles: str) -> str:
    return f"{kind}共有{count}个专栏（重点工程）：{titles}。"


def count_checked(kind: str, right: bool, noun: str, actual: int, said: int) -> str:
    if right:
        return f"{RIGHT}，{kind}共有{actual}个{noun}。"
    return f"{WRONG}，{kind}共有{actual}个{noun}，不是{said}个。"


def label_checked(kind: str, right: bool, label: str, value: str, said: str) -> str:
    if right:
        return f"{RIGHT}，{kind}的{label}是{value}。"
    return f"{WRONG}，{kind}的{label}是{value}，不是{said}。"


def past_checked(kind: str, right: bool, text: str) -> str:
    return f"{RIGHT if right else WRONG}，{kind}中写的是：{sentence(text)}"


def column_misnamed(number: int, title: str, said: str) -> str:
    return f"{WRONG}，专栏{number}是{title}，不叫{said}。"
