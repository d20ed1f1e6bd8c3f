"""Facts of the plan outside the table: how many 专栏 or indicators it has, what its 主线 is,
what a 十三五 figure was — asked, or stated to be checked ("一共20个专栏，对吧？")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.lexicon import lexicon
from corpus.numerals import chinese_to_int
from corpus.records import Passage
from index.boosts import longest_common, squash
from service.qa.answering.wording import kind_of_passages
from service.qa.table import sayings

# What can be counted, and how the plan's structure gives its number.
COUNTED = {"专栏": "columns", "指标": "indicators", "重点工程": "columns", "工程": "columns"}
_COUNT_ASK = re.compile(r"(几个|多少个|几项|多少项|几大|多少)")
# "一共列了20个专栏", "共有12个专栏": a count stated, not an ordinal ("第5个专栏") or a subject
_STATED_COUNT = re.compile(
    r"(?:一共|总共|共|有|列了|就|才|总计|合计)[^，,。？?\d一二三四五六七八九十]{0,3}"
    r"(\d{1,3}|[一二三四五六七八九十]{1,3})\s*(个|项|大)?\s*(专栏|指标|重点工程)"
    r"|(专栏|指标|重点工程)[^，,。？?\d]{0,4}?(?:一共|总共|共)[^，,。？?\d]{0,2}"
    r"(\d{1,3}|[一二三四五六七八九十]{1,3})\s*(?:个|项)"
)
_LABELLED = re.compile(
    r"(主题|主线|目标|根本动力)(?:是|为|叫)[“\"「]?([^”\"」，,。？?！!；;]{2,20})"
)
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(件|万件|亿元|%|分)")
PAST_MIN_OVERLAP = 4


@dataclass(frozen=True)
class Fact:
    text: str
    sources: tuple[Passage, ...]


def _checks(text: str) -> bool:
    """Whether the question states something to be checked (对吧, 听说, 我记得…)."""
    return any(
        key == ("operations", "check") for _, key, _, _ in lexicon().table_words.finditer(text)
    )


class Facts:
    """Answers about the plan's own structure, from the passages of one index."""

    def __init__(self, passages: list[Passage], indicators, column_titles: dict[int, str]):
        self.columns = column_titles
        self.indicators = list(indicators)
        self.column_passages = tuple(p for p in passages if p.kind == "column")
        self.indicator_passages = tuple(p for p in passages if p.kind == "indicator")
        self.labelled = {}  # 主线 → (value, passage)
        for p in passages:
            for label, value in re.findall(r"(主题|主线|目标|根本动力)：([^；。]+)", p.text):
                self.labelled.setdefault(label, (value.strip(), p))
        past = lexicon().period_past
        self.past = [
            p
            for p in passages
            if past and any(past in s for s in p.section) and _NUMBER.search(p.text)
        ]

    def _count(self, what: str) -> int:
        return len(self.columns) if COUNTED[what] == "columns" else len(self.indicators)

    def answer(self, text: str) -> Fact | None:
        return (
            self._claimed_count(text)
            or self._claimed_label(text)
            or self._claimed_past(text)
            or self._count_asked(text)
        )

    def _count_asked(self, text: str) -> Fact | None:
        """ "规划一共有几个专栏？": the number, and the names."""
        for noun in ("专栏", "重点工程"):
            if noun in text and _COUNT_ASK.search(text) and not re.search(r"专栏\s*\d", text):
                titles = "；".join(f"专栏{n} {t}" for n, t in sorted(self.columns.items()))
                kind = kind_of_passages(self.column_passages)
                return Fact(
                    sayings.column_count(kind, len(self.columns), titles), self.column_passages
                )
        return None

    def _claimed_count(self, text: str) -> Fact | None:
        m = _STATED_COUNT.search(text)
        if not (m and _checks(text)):
            return None
        number, what = (m.group(1), m.group(3)) if m.group(1) else (m.group(5), m.group(4))
        said = int(number) if number.isdigit() else chinese_to_int(number)
        actual = self._count(what)
        noun = "专栏" if COUNTED[what] == "columns" else "主要指标"
        sources = self.column_passages if noun == "专栏" else self.indicator_passages
        kind = kind_of_passages(sources)
        return Fact(sayings.count_checked(kind, said == actual, noun, actual, said), sources)

    def _claimed_label(self, text: str) -> Fact | None:
        m = _LABELLED.search(text)
        if not (m and _checks(text)) or m.group(1) not in self.labelled:
            return None
        label, said = m.group(1), m.group(2).strip()
        if re.search(r"\d", said):
            return None  # "2025年目标是3500亿元": an indicator's target, not the plan's 目标
        value, passage = self.labelled[label]
        right = squash(said) == squash(value)
        kind = kind_of_passages((passage,))
        return Fact(sayings.label_checked(kind, right, label, value, said), (passage,))

    def _claimed_past(self, text: str) -> Fact | None:
        """A 十三五 figure someone states, against the plan's background."""
        stated = _NUMBER.findall(text)
        if not (stated and _checks(text) and lexicon().past_period.search(text) and self.past):
            return None
        q = squash(text)
        best = max(self.past, key=lambda p: longest_common(q, squash(p.text)))
        if longest_common(q, squash(best.text)) < PAST_MIN_OVERLAP:
            return None
        figures = {(float(n), u) for n, u in _NUMBER.findall(best.text)}
        right = all((float(n), u) in figures for n, u in stated)
        return Fact(sayings.past_checked(kind_of_passages((best,)), right, best.text), (best,))
