"""The steps of a procedure as a list of its own: "办理流程一共分几步，最后一步叫什么", "337调查
第二步要干什么", and in a conversation "第二步呢" / "那下一步是啥" after a step was answered.
A procedure's steps are paragraphs opening "第N步", else the numbered items or the numbered
sub-parts of a part whose heading names a procedure (language.toml [items] procedure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.headings import NUMBERING
from corpus.lexicon import lexicon
from corpus.markers import ordinal
from corpus.records import Passage
from index.boosts import longest_common, squash
from service.qa.answering.wording import book
from service.qa.structure.found import Found
from service.qa.structure.items import numbered_items
from service.qa.structure.patterns import NUMERAL

STEP_LINE = re.compile(rf"^\s*第\s*({NUMERAL})\s*步")
NTH = re.compile(rf"第\s*({NUMERAL})\s*步|(最后)\s*一\s*步")
COUNT = re.compile(r"(?:分|有|共|一共|总共)\s*(?:多少|几)\s*个?\s*(?:步|步骤|环节)")
NEAR = re.compile(r"下一步|后一步|接下来|上一步|前一步")
NAMED_RUN = 2  # characters of a procedure's headings a question repeats to name it
QUOTED_RUN = 8  # characters of a step an earlier answer repeats to have said it
FOLLOW_MAX = 14  # characters of a follow-up pointing at a step ("那下一步是啥")


@dataclass(frozen=True)
class Step:
    text: str
    passage: Passage


@dataclass(frozen=True)
class Steps:
    doc: str
    section: tuple[str, ...]
    steps: tuple[Step, ...]

    @property
    def heading(self) -> str:
        return self.section[-1] if self.section else ""


def _core(heading: str) -> str:
    return NUMBERING.sub("", heading).strip()


class Procedure:
    def __init__(self, passages: list[Passage]):
        self.titles = {p.doc: p.doc_title or p.doc for p in passages}
        words = lexicon().raw["language.toml"].get("items", {}).get("procedure", ())
        sections: dict[tuple[str, tuple[str, ...]], list[Passage]] = {}
        for p in passages:
            sections.setdefault((p.doc, tuple(p.section)), []).append(p)
        self.lists: list[Steps] = []
        for (doc, section), ps in sections.items():
            lines = [Step(p.text, p) for p in ps if STEP_LINE.match(p.text)]
            if len(lines) >= 2:
                self.lists.append(Steps(doc, section, tuple(lines)))
            elif section and any(w in section[-1] for w in words):
                self._numbered(doc, section, ps, sections)

    def _numbered(self, doc, section, ps, sections) -> None:
        """A procedure part's steps: its numbered items (the first list), else its sub-parts."""
        items = numbered_items([p for p in ps if p.kind != "overview"])
        run = [i for k, i in enumerate(items) if i.number == k + 1]
        if len(run) >= 2:
            self.lists.append(Steps(doc, section, tuple(Step(i.text, i.passage) for i in run)))
            return
        children: dict[str, Passage] = {}
        for (d, s), under in sections.items():
            if d == doc and len(s) == len(section) + 1 and s[: len(section)] == section:
                first = next((p for p in under if p.kind != "overview"), under[0])
                children.setdefault(s[-1], first)
        if len(children) >= 2:
            steps = tuple(Step(f"{h}：{p.text}", p) for h, p in children.items())
            self.lists.append(Steps(doc, section, steps))

    def named(self, question: str) -> Steps | None:
        """The procedure whose headings the question repeats the most of, when one does."""
        q = squash(question)
        scored = sorted(
            (
                (max(longest_common(q, squash(_core(h))) for h in s.section), k)
                for k, s in enumerate(self.lists)
                if s.section
            ),
            reverse=True,
        )
        if scored and scored[0][0] >= NAMED_RUN:
            if len(scored) == 1 or scored[0][0] > scored[1][0]:
                return self.lists[scored[0][1]]
        return self.lists[0] if len(self.lists) == 1 else None

    def answer(self, question: str) -> Found | None:
        nth, count = NTH.search(question), COUNT.search(question)
        if not (nth or count) or not self.lists:
            return None
        steps = self.named(question)
        if steps is None:
            return None
        where = f"{book(self.titles[steps.doc])}{steps.heading}"
        n = len(steps.steps)
        said = f"{where}共{n}步。" if count else ""
        if nth is None:
            last = steps.steps[-1]
            return Found(f"{said}最后一步：{_sentence(last.text)}", (last.passage,), True)
        at = n - 1 if nth.group(2) else (ordinal(nth.group(1)) or 0) - 1
        if not 0 <= at < n:
            return Found(f"{where}共{n}步，没有{nth.group(0)}。", (), False)
        step = steps.steps[at]
        label = "" if STEP_LINE.match(step.text) else f"{nth.group(0)}："
        return Found(f"{said}{label}{_sentence(step.text)}", (step.passage,), True)

    def follow(self, question: str, said: list[str]) -> str | None:
        """'第二步呢', '那下一步是啥' after an answer that gave a step: the question asked of
        that procedure ("（二）电商平台投诉应对 第二步"); said: the conversation's turns, latest
        last."""
        near, nth = NEAR.search(question), NTH.search(question)
        if not (near or nth) or len(squash(question)) > FOLLOW_MAX or not said:
            return None
        for text in reversed(said):
            q = squash(text)
            for steps in self.lists:
                at = next(
                    (
                        k
                        for k, s in enumerate(steps.steps)
                        if longest_common(q, squash(s.text)) >= QUOTED_RUN
                    ),
                    None,
                )
                if at is None:
                    continue
                if nth:
                    asked = nth.group(0)
                else:
                    k = at + (1 if near.group(0) in ("下一步", "后一步", "接下来") else -1)
                    if not 0 <= k < len(steps.steps):
                        return None
                    asked = f"第{k + 1}步"
                return f"{steps.heading} {asked}是什么"
        named = self.named(" ".join(said)) if nth and len(self.lists) > 1 else None
        return f"{named.heading} {nth.group(0)}是什么" if named else None  # "申报程序分几步"


def _sentence(text: str) -> str:
    return text if text.endswith("。") else text + "。"
