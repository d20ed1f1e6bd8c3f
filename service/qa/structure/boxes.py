"""专栏 (boxes) by the words of their headings: "专利导航是第几个专栏" → 专栏7, in any document
whose passages are boxes (kind "column", headed "专栏N …")."""

from __future__ import annotations

import re

from corpus.headings import column_number
from corpus.markers import ordinal
from corpus.records import Passage
from index.boosts import char_pairs, squash
from service.qa.structure.found import Found, Part, book
from service.qa.structure.patterns import NUMERAL, WHERE_SHARE, heading_words

# "是第几个专栏", "在哪个专栏里", "算专栏几": which box, by number.
WHICH_BOX = re.compile(r"(?:第几|哪一|哪)\s*个?\s*专栏|专栏\s*(?:第几|几)(?![个项条])")
_NUMBER = re.compile(r"^专栏\s*\S+?\s+")
# "第四部分有几个专栏", "国际合作那部分有哪些专栏": the boxes inside a part, by its number or
# by words of its heading.
BOXES_IN = re.compile(
    rf"(?:第\s*({NUMERAL})\s*(部分|大部分|章)|([\u4e00-\u9fff]{{2,12}}?)[那这]一?(?:部分|章|块))"
    r"[里中内下面的]{0,3}\s*(?:一共|总共|共)?\s*(?:有|包括|设了|列了)?\s*"
    r"(?:哪些|哪几个|几个|多少个)\s*专栏"
)


class Boxes:
    def __init__(self, passages: list[Passage]):
        self.numbers: dict[str, set[int]] = {}  # per document, the boxes it has
        # (doc, n, heading, its name without "专栏N", passage)
        self.headings: list[tuple[str, int, str, str, Passage]] = []
        for p in passages:
            if p.kind == "column" and p.section and (n := column_number(p.section[-1])):
                if n not in self.numbers.setdefault(p.doc, set()):
                    heading = p.section[-1]
                    self.headings.append((p.doc, n, heading, _NUMBER.sub("", heading), p))
                self.numbers[p.doc].add(n)

    def which(self, question: str, titles: dict[str, str]) -> Found | None:
        """The box whose heading's words the question has before asking which one it is
        (most of their character pairs; one box clearly best), by its number."""
        m = WHICH_BOX.search(question)
        if m is None:
            return None
        mine = char_pairs(squash(question[: m.start()]))
        scored = []
        for doc, n, _, name, passage in self.headings:
            theirs = char_pairs(squash(name))
            if theirs:
                scored.append((len(theirs & mine) / len(theirs), doc, n, name, passage))
        scored.sort(key=lambda s: s[0], reverse=True)
        if not scored or scored[0][0] < WHERE_SHARE:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None
        _, doc, n, name, passage = scored[0]
        count = len(self.numbers[doc])
        return Found(
            f"{name}是{book(titles[doc])}的专栏{n}（共有{count}个专栏）。", (passage,), True
        )

    def inside(
        self, question: str, parts: dict[tuple[str, str], list[Part]], titles: dict[str, str]
    ) -> Found | None:
        """The boxes inside the part the question names (one document's, a part of its
        numbered kind or the only one whose heading has the words), listed."""
        m = BOXES_IN.search(question)
        if m is None or not self.headings:
            return None
        having = {doc for doc, *_ in self.headings}
        kinds = ("章",) if m.group(2) == "章" else ("部分", "章")
        candidates = [
            p
            for (doc, kind), ps in parts.items()
            if doc in having and kind in kinds
            for p in ps
            if (m.group(1) and p.number == ordinal(m.group(1)))
            or (m.group(3) and m.group(3) in squash(heading_words(p.heading)))
        ]
        if len(candidates) != 1:
            return None
        part = candidates[0]
        boxes = [
            (n, h, p)
            for doc, n, h, _, p in self.headings
            if doc == part.doc and part.heading in p.section
        ]
        where = f"{book(titles[part.doc])}的“{part.heading}”"
        if not boxes:
            return Found(f"{where}里没有专栏。", (part.passage,), True)
        listed = "；".join(h for _, h, _ in boxes)
        return Found(
            f"{where}里有{len(boxes)}个专栏：{listed}。", tuple(p for *_, p in boxes), True
        )
