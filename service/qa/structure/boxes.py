"""专栏 (boxes) by the words of their headings: "专利导航是第几个专栏" → 专栏7, in any document
whose passages are boxes (kind "column", headed "专栏N …")."""

from __future__ import annotations

import re

from corpus.headings import column_number
from corpus.records import Passage
from index.boosts import char_pairs, squash
from service.qa.structure.found import Found, book
from service.qa.structure.patterns import WHERE_SHARE

# "是第几个专栏", "在哪个专栏里", "算专栏几": which box, by number.
WHICH_BOX = re.compile(r"(?:第几|哪一|哪)\s*个?\s*专栏|专栏\s*(?:第几|几)(?![个项条])")
_NUMBER = re.compile(r"^专栏\s*\S+?\s+")


class Boxes:
    def __init__(self, passages: list[Passage]):
        self.numbers: dict[str, set[int]] = {}  # per document, the boxes it has
        self.headings: list[tuple[str, int, str, Passage]] = []  # (doc, n, heading, passage)
        for p in passages:
            if p.kind == "column" and p.section and (n := column_number(p.section[-1])):
                if n not in self.numbers.setdefault(p.doc, set()):
                    self.headings.append((p.doc, n, p.section[-1], p))
                self.numbers[p.doc].add(n)

    def which(self, question: str, titles: dict[str, str]) -> Found | None:
        """The box whose heading's words the question has before asking which one it is
        (most of their character pairs; one box clearly best), by its number."""
        m = WHICH_BOX.search(question)
        if m is None:
            return None
        mine = char_pairs(squash(question[: m.start()]))
        scored = []
        for doc, n, heading, passage in self.headings:
            theirs = char_pairs(squash(_NUMBER.sub("", heading)))
            if theirs:
                scored.append((len(theirs & mine) / len(theirs), doc, n, heading, passage))
        scored.sort(key=lambda s: s[0], reverse=True)
        if not scored or scored[0][0] < WHERE_SHARE:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None
        _, doc, n, heading, passage = scored[0]
        count = len(self.numbers[doc])
        name = _NUMBER.sub("", heading)
        return Found(
            f"{name}是{book(titles[doc])}的专栏{n}（共有{count}个专栏）。", (passage,), True
        )
