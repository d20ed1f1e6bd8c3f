"""Structure questions over any document's tree: 第N条/章/部分/节, 最后/倒数第N, 一共几条 —
answered from the section paths the parser gave each passage, for whichever document the
question names (or the only one that has such parts)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from corpus.headings import NUMBERING, column_number
from corpus.markers import document_kind, ordinal
from corpus.numerals import CN_NUM
from corpus.records import Passage
from index.boosts import longest_common, squash

_N = rf"[{CN_NUM}百零〇两\d]+"
# What each kind of part is called in a question, and how its heading starts.
KINDS = {
    "条": re.compile(rf"^第({_N})条"),
    "章": re.compile(rf"^第({_N})章"),
    "部分": re.compile(rf"^([{CN_NUM}]+)、"),
    "节": re.compile(rf"^[(（]({_N})[)）]"),
}
_ASK = re.compile(
    rf"(?:(倒数)?第\s*({_N})\s*个?\s*|(最后)\s*一?\s*个?\s*)(条|章|部分|大部分|小节|节)|"
    rf"(一共|总共|共|有|分了|分为|分成)\s*(?:有|分了|分为|分成|分)?\s*(多少|几)\s*个?\s*(条|章|部分|节)"
)
# "申报与审核那一章是从第几条到第几条", "第四章有哪几条": the articles of one chapter, named by
# its number or by its heading's words.
_CHAPTER_ARTICLES = re.compile(
    rf"(?:第\s*{_N}\s*章|[\u4e00-\u9fff]{{2,12}}?(?:那|这)?一?章)[^？?。]{{0,8}}?"
    r"(?:第几条到第几条|哪几条|哪些条|几条|多少条)"
)
_CHAPTER_NUMBER = re.compile(rf"第\s*({_N})\s*章")
# A part named, then the one after or before it: "（六）那一节后面紧接着的是哪一节",
# "第五部分的下一部分", "第十九条前面那一条".
_NEIGHBOR = re.compile(
    rf"(?:第\s*({_N})\s*个?\s*(条|章|部分|节)|[(（]({_N})[)）])[^，,。？?]{{0,8}}?"
    r"(后面|之后|下一|后一|紧接着|接下来|前面|之前|上一|前一)"
)
_AFTER = ("后面", "之后", "下一", "后一", "紧接着", "接下来")
# "分成了哪几大类", "分为哪几个部分": the parts of the document the question names, listed.
_DIVIDED = re.compile(
    r"(?:分成|分为|分了|划分为|划分成)了?\s*哪(?:几|些)\s*(?:个|大)?\s*(?:部分|大类|类|块|章)\s*$"
)
# "一共列了几条", "总共有几项": a count of the numbered items under a heading the question names.
_ITEMS_ASKED = re.compile(
    r"(?:一共|总共|共)\s*(?:列了|列出|写了|有|规定了)?\s*(?:多少|几)\s*[条项种点]"
)
# An item's number where it starts: "（3）…", "3. …".
_ITEM = re.compile(r"(?:^|(?<=[。；\s]))(?:[（(](\d{1,2})[)）]|(\d{1,2})[.．](?!\d))")
MIN_HEADING = 3  # characters of a heading's own words a question must quote to name it
# A 专栏 named by its number ("专栏16", "专栏十六"), not a year after the word ("专栏 2025年").
_BOX = re.compile(rf"专栏\s?(\d{{1,3}}|[{CN_NUM}]{{1,3}})(?![\d年])")
# Words of a title that say nothing about which document it is.
_GENERIC = re.compile(r"本市|（示例）|\(示例\)|关于|《|》|“|”")
MIN_TITLE_MATCH = 2
KIND_NAMED = 10  # the question says which kind of document: "规划的第五部分", "办法第三条"


@dataclass(frozen=True)
class Part:
    doc: str
    number: int
    heading: str
    passage: Passage  # the part's own passage (an article) or its overview
    rest: tuple[Passage, ...] = ()  # an article too long for one passage: its other pieces


@dataclass(frozen=True)
class Found:
    text: str
    passages: tuple[Passage, ...]
    answered: bool  # False: the document has no such part (the answer says so)


class Structure:
    def __init__(self, passages: list[Passage]):
        self.titles: dict[str, str] = {}
        self.parts: dict[tuple[str, str], list[Part]] = {}
        # the passages under each heading, for counting its numbered items
        self.under: dict[tuple[str, str], list[Passage]] = {}
        for p in passages:
            if p.section and p.kind in ("text", "heading"):
                self.under.setdefault((p.doc, p.section[-1]), []).append(p)
        # 专栏 (boxes) by number, per document
        self.boxes: dict[str, set[int]] = {}
        for p in passages:
            if p.kind == "column" and p.section and (n := column_number(p.section[-1])):
                self.boxes.setdefault(p.doc, set()).add(n)
        seen: set[tuple[str, str, str]] = set()
        pieces: dict[tuple[str, tuple[str, ...]], list[Passage]] = {}
        for p in passages:
            if p.kind == "article":
                pieces.setdefault((p.doc, tuple(p.section)), []).append(p)
            self.titles.setdefault(p.doc, p.doc_title or p.doc)
            for kind, marker in KINDS.items():
                for depth, heading in enumerate(p.section):
                    m = marker.match(heading)
                    if not m or (p.doc, kind, heading) in seen:
                        continue
                    own = depth == len(p.section) - 1
                    if kind != "条" and not (own and p.kind == "overview"):
                        continue
                    if kind == "条" and not own:
                        continue
                    n = ordinal(m.group(1))
                    if n is not None:
                        seen.add((p.doc, kind, heading))
                        self.parts.setdefault((p.doc, kind), []).append(Part(p.doc, n, heading, p))

        for (doc, kind), parts in self.parts.items():
            if kind == "条":
                self.parts[(doc, kind)] = [
                    replace(part, rest=tuple(pieces[(doc, tuple(part.passage.section))][1:]))
                    if (doc, tuple(part.passage.section)) in pieces
                    else part
                    for part in parts
                ]

    def _doc(self, question: str, kind: str, named_only: bool = False) -> str | None:
        """The document the question names by its title, else (unless named_only) the only
        one with such parts."""
        having = [d for (d, k) in self.parts if k == kind]
        if not having:
            return None
        q = squash(question)
        scored = sorted(
            (
                (
                    longest_common(q, squash(_GENERIC.sub("", self.titles[d])))
                    + KIND_NAMED * (document_kind(self.titles[d]) in q),
                    d,
                )
                for d in having
            ),
            reverse=True,
        )
        if scored[0][0] >= MIN_TITLE_MATCH and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            return scored[0][1]
        return having[0] if len(having) == 1 and not named_only else None

    def answer(self, question: str, finer: bool = False) -> Found | None:
        """finer: the question also names a smaller part (专栏, a numbered section), so only
        its neighbour is read here ("（六）那一节后面是哪一节")."""
        missing = self._missing_box(question)
        if missing is not None:
            return missing
        if _DIVIDED.search(question.rstrip("?？。 ")):
            return self._divided(question)
        if _ITEMS_ASKED.search(question):
            counted = self._items_under(question)
            if counted is not None:
                return counted
        articles = self._articles_of(question)
        if articles is not None:
            return articles
        near = _NEIGHBOR.search(question)
        if near:
            return self._neighbor(question, near)
        m = None if finer else _ASK.search(question)
        if not m:
            return None
        kind = (m.group(4) or m.group(7) or "").replace("大部分", "部分").replace("小节", "节")
        doc = self._doc(question, kind)
        if doc is None:
            return None
        parts = sorted(self.parts[(doc, kind)], key=lambda p: p.number)
        if kind == "节":  # "收费标准那一部分的第三小节": the sections of the part it names
            parts = [p for p in parts if _names_part(question, p.passage.section)] or parts
        title = self.titles[doc]
        if m.group(5):  # 一共几条
            listed = "、".join(p.heading for p in parts[:3])
            return Found(
                f"《{title}》共有{len(parts)}{kind}（{listed}……{parts[-1].heading}）。",
                tuple({p.passage.id: p.passage for p in (*parts[:3], parts[-1])}.values()),
                True,
            )
        if m.group(3):
            part = parts[-1]
        else:
            n = ordinal(m.group(2))
            if n is None:
                return None
            if m.group(1):
                part = parts[-n] if 0 < n <= len(parts) else None
            else:
                part = next((p for p in parts if p.number == n), None)
            if part is None:
                return Found(
                    f"《{title}》共有{len(parts)}{kind}，没有{m.group(0)}。",
                    (),
                    False,
                )
        return _said(part, kind)

    def _articles_of(self, question: str) -> Found | None:
        """The articles of the chapter the question names by number (in the document it names,
        or the only one with chapters) or by its heading's words (in any document)."""
        m = _CHAPTER_ARTICLES.search(question)
        if m is None:
            return None
        named = self._doc(question, "章")
        number = _CHAPTER_NUMBER.search(question)
        n = ordinal(number.group(1)) if number else None
        found = [
            (doc, c)
            for (doc, kind), chapters in self.parts.items()
            if kind == "章" and (named is None or doc == named)
            for c in chapters
            if (n is not None and named and c.number == n)
            or (n is None and len(words := _heading_words(c.heading)) >= 2 and words in m.group(0))
        ]
        if len(found) != 1:
            return None
        doc, chapter = found[0]
        articles = [
            a for a in self.parts.get((doc, "条"), ()) if chapter.heading in a.passage.section
        ]
        if not articles:
            return None
        return Found(
            f"{chapter.heading}共有{len(articles)}条：从{articles[0].heading}到{articles[-1].heading}。",
            tuple(a.passage for a in articles),
            True,
        )

    def _divided(self, question: str) -> Found | None:
        """The top-level parts (章, else 一、二、…) of the document the question names."""
        for kind in ("章", "部分"):
            doc = self._doc(question, kind, named_only=True)
            if doc is not None:
                parts = self.parts[(doc, kind)]  # in the document's order
                listed = "；".join(p.heading for p in parts)
                return Found(
                    f"《{self.titles[doc]}》分为{len(parts)}{'章' if kind == '章' else '个部分'}：{listed}。",
                    tuple(p.passage for p in parts),
                    True,
                )
        return None

    def _items_under(self, question: str) -> Found | None:
        """ "常见退件原因一共列了几条": the numbered items under the heading the question
        quotes (its own words, the longest quoted), counted by their numbers."""
        named = [
            (len(core), doc, heading)
            for doc, heading in self.under
            if len(core := NUMBERING.sub("", heading).strip()) >= MIN_HEADING and core in question
        ]
        if not named:
            return None
        _, doc, heading = max(named)
        found = self.under[(doc, heading)]
        numbered = [
            (int(m.group(1) or m.group(2)), i)
            for i, p in enumerate(found)
            for m in _ITEM.finditer(p.text)
        ]
        if not numbered:
            return None
        last, at = max(numbered)
        return Found(  # the passage with the last item first: it shows the count
            f"《{self.titles[doc]}》的“{heading}”共列了{last}条。",
            (found[at], *found[:at], *found[at + 1 :]),
            True,
        )

    def _missing_box(self, question: str) -> Found | None:
        """ "专栏16讲什么" where no document has a 专栏16: say how many it has."""
        named = [n for m in _BOX.finditer(question) if (n := ordinal(m.group(1)))]
        if not named or any(n in ns for ns in self.boxes.values() for n in named):
            return None
        having = list(self.boxes)
        if len(having) != 1:
            return None
        doc = having[0]
        return Found(
            f"《{self.titles[doc]}》共有{len(self.boxes[doc])}个专栏，没有专栏{named[0]}。",
            (),
            False,
        )

    def _neighbor(self, question: str, m: re.Match) -> Found | None:
        kind = (m.group(2) or "节").replace("大部分", "部分")
        doc = self._doc(question, kind)
        n = ordinal(m.group(1) or m.group(3))
        if doc is None or n is None:
            return None
        parts = self.parts[(doc, kind)]  # in the document's order
        at = next((i for i, p in enumerate(parts) if p.number == n), None)
        if at is None:
            return None
        step = 1 if m.group(4) in _AFTER else -1
        if not 0 <= at + step < len(parts):
            where = "最后" if step == 1 else "第一"
            title = self.titles[doc]
            return Found(
                f"{parts[at].heading}是《{title}》的{where}一{kind}。", (parts[at].passage,), True
            )
        return _said(parts[at + step], kind)


def _heading_words(heading: str) -> str:
    """A heading less its number: "第四章 申报与审核" → "申报与审核"."""
    return NUMBERING.sub("", re.sub(rf"^第\s*{_N}\s*[章条节]", "", heading)).strip()


def _names_part(question: str, section: list[str]) -> bool:
    """Whether the question names the part a section belongs to, by its heading's words."""
    core = NUMBERING.sub("", section[0]).strip() if len(section) >= 2 else ""
    return len(core) >= 2 and core in question


def _said(part: Part, kind: str) -> Found:
    """A part as an answer: an article whole, another part by its heading and its items."""
    text = " ".join(p.text for p in (part.passage, *part.rest))
    if kind != "条":
        text = f"{part.heading}：" + text.split("：", 1)[1] if "：" in text else part.heading
    return Found(text if text.endswith("。") else text + "。", (part.passage, *part.rest), True)
