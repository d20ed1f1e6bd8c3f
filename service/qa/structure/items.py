"""One item of a list asked by its number, in the part the question names: "附件2第6项",
"申请材料里第10项要交啥", "第十一条列出的禁止行为中，第一个是什么", "第一部分第（三）项" — the
items as the document numbers them (1. / （1） / （一）), under that article or heading."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.headings import NUMBERING
from corpus.markers import ordinal
from corpus.records import Passage
from index.boosts import char_pairs, squash
from service.qa.structure.found import Found, book
from service.qa.structure.patterns import AFTER, KINDS, MIN_HEADING, NUMERAL, PART_WORDS

# The item asked: 第6项, 第（四）项, 第一个, 最后一项.
ITEM_ASKED = re.compile(
    rf"(?:第\s*[（(]?({NUMERAL})[)）]?\s*|(最后)\s*一\s*)(?:项|个|点|种)"
    r"(?!\s*(?:小节|节|章|部分|大部分|块|条|专栏|附件))"  # "最后一个小节" is a part, not an item
    r"|([①-⑳])"  # "服务对象说明里的②"
)
# A part named by its number before the item: 第十一条, 第一部分, 第三章.
PART_NAMED = re.compile(rf"第\s*({NUMERAL})\s*(条|章|部分|大部分)")
# "日常防范建议第一条": an item called 条 after a heading named by its words, where the heading
# holds no articles (then 条 is an article: within.py, parts.py).
ITEM_AS_ARTICLE = re.compile(rf"第\s*({NUMERAL})\s*条")
# Where an item starts: "（3）", "(三)", "3." or "二是" after the start, a sentence end or a
# colon.
ITEM_MARK = re.compile(
    r"(?:^|(?<=[。；;：:\s]))(?:[（(](\d{1,2}|[一二三四五六七八九十]{1,3})[)）]|(\d{1,2})[.．](?!\d)"
    r"|([一二三四五六七八九十]{1,3})是(?=[\u4e00-\u9fff])|([①-⑳]))"
)
# The item after or before the one asked: a follow-up "它后面那项呢" read with the last question.
_NEXT = re.compile(r"^[^？?。，,]{0,12}?(后面|之后|下一|后一|接下来|紧接着|前面|之前|上一|前一)")
# A heading's label before its colon names it too: "附件2：申报材料清单" is 附件2.
_LABEL = re.compile(r"^([^：:，,。]{2,8}?)\s*[：:]")


# A heading named by its opening words alone, at least this many ("存在的问题里第二个").
PREFIX = 4


def _prefix_in(name: str, text: str) -> int:
    """The length of the longest opening of `name` found in `text` (0 below PREFIX)."""
    for size in range(len(name) - 1, PREFIX - 1, -1):
        if name[:size] in text:
            return size
    return 0


def circled(mark: str | None) -> int | None:
    """'②' → 2 (None: no mark)."""
    return ord(mark) - ord("①") + 1 if mark else None


@dataclass(frozen=True)
class _Item:
    number: int
    text: str
    passage: Passage


def numbered_items(passages: list[Passage]) -> list[_Item]:
    """The numbered items of these passages, in order: each from its mark to the next."""
    found = []
    for p in passages:
        marks = list(ITEM_MARK.finditer(p.text))
        for k, m in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(p.text)
            n = (
                circled(m.group(4))
                if m.group(4)
                else ordinal(m.group(1) or m.group(2) or m.group(3))
            )
            text = p.text[m.start() : end].strip().rstrip("；;，, ")
            if n is not None and len(text) > len(m.group(0)):
                found.append(_Item(n, text, p))
    return found


class Items:
    def __init__(self, passages: list[Passage]):
        self.passages = passages
        self.titles = {p.doc: p.doc_title or p.doc for p in passages}
        # every heading of every document, with the passages under it (at any depth)
        self.under: dict[tuple[str, str], list[Passage]] = {}
        for p in passages:
            for heading in p.section:
                self.under.setdefault((p.doc, heading), []).append(p)

    def answer(self, question: str) -> Found | None:
        asked = ITEM_ASKED.search(question)
        if asked is not None:
            before = question[: asked.start()]
            containers = self._named(before) or self._named(question[asked.end() :])
        elif (asked := ITEM_AS_ARTICLE.search(question)) is not None:
            before = question[: asked.start()]
            containers = [] if PART_NAMED.search(before) else self._named(before)
            containers = [c for c in containers if not any(p.kind == "article" for p in c[1])]
        else:
            return None
        if not containers:
            return None
        n = ordinal(asked.group(1)) if asked.group(1) else circled(asked.group(3))
        step = _NEXT.match(question[asked.end() :])
        if n is not None and step:
            n += 1 if step.group(1) in AFTER else -1
        mine = char_pairs(squash(question))
        best = None
        for (doc, heading), passages in containers:
            items = numbered_items([p for p in passages if p.kind != "overview"])
            if n is None:
                item = items[-1] if items else None
            else:
                item = next((i for i in items if i.number == n), None)
            if item is None:
                continue
            shared = len(mine & char_pairs(squash(heading + item.text)))
            if best is None or shared > best[0]:
                best = (shared, doc, heading, item, passages)
        if best is None:
            return None
        _, doc, heading, item, passages = best
        where = heading if len(self.titles) < 2 else f"{book(self.titles[doc])}{heading}"
        own = tuple(p for p in passages if p is not item.passage)[:2]
        text = item.text if item.text.endswith("。") else item.text + "。"
        label = f"第{n}项" if step and n is not None else asked.group(0)
        return Found(f"{where}{label}：{text}", (item.passage, *own), True)

    def _named(self, text: str) -> list[tuple[tuple[str, str], list[Passage]]]:
        """The parts a piece of the question names: by number (第十一条, 第一部分), else by
        the label of a heading (附件2) or its own words (申请材料); the longest name wins."""
        if not text.strip():
            return []
        parts = list(PART_NAMED.finditer(text))  # the last one holds the item ("第二条第（四）项")
        if parts:
            part = parts[-1]
            kind = PART_WORDS.get(part.group(2), part.group(2))
            n = ordinal(part.group(1))
            return [
                (key, passages)
                for key, passages in self.under.items()
                if (m := KINDS[kind].match(key[1])) and ordinal(m.group(1)) == n
            ]
        named = []
        for key, passages in self.under.items():
            label = _LABEL.match(key[1])
            core = NUMBERING.sub("", key[1]).strip()
            for name in (label.group(1) if label else "", core):
                if len(name) >= MIN_HEADING and name in text:
                    named.append((len(name), key, passages))
                elif len(name) > PREFIX and (size := _prefix_in(name, text)) >= PREFIX:
                    named.append((size, key, passages))  # "存在的问题" of 存在的问题与不足
        if not named:
            return []
        longest = max(size for size, _, _ in named)
        return [(key, passages) for size, key, passages in named if size == longest]
