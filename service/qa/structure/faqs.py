"""The questions of a document's FAQ as its parts: how many there are ("一共收录了多少个问答",
"专利那块有几个问题"), the Nth or the last ("最后一个问题问的是什么"), the one before or after
a question quoted ("问夜里找不到人怎么办的那个，它前面一个问题"). A document's questions are its
FAQ pairs (问：…答：…), or, with none, its top-level headings that are questions ("一、为什么
要出台《若干措施》？")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.headings import NUMBERING
from corpus.markers import ordinal
from corpus.records import Passage
from index.boosts import char_pairs, longest_common, squash
from index.titles import document_named, title_pairs
from service.qa.answering.wording import book
from service.qa.structure.found import Found
from service.qa.structure.patterns import KINDS, NUMERAL

PART_NAMED = re.compile(rf"第\s*({NUMERAL})\s*(?:部分|大部分)")

_Q = r"(?:问题|问答|提问)"
# "一共收录了多少个问答", "专利那块有几个问题" — not "我想问几个问题：…"
COUNT = re.compile(
    rf"(?:一共|总共|共|收录了?|列了|设置了?|包括)\s*(?:有|了)?\s*(?:多少|几)\s*个?\s*{_Q}"
    rf"|有\s*(?:多少|几)\s*个\s*{_Q}\s*[？?呢啊吗]?\s*$"
)
NTH = re.compile(rf"(?:(倒数)\s*)?第\s*({NUMERAL})\s*个?\s*{_Q}|(最后)\s*[那这]?\s*一?\s*个\s*{_Q}")
NEAR = re.compile(rf"(?<!最)(前面|前一|上一|后面|后一|下一)\s*[那这]?\s*一?\s*个\s*{_Q}")
HEADED_MIN = 3  # top-level headings ending in ？ that make a document's questions
TITLE_RUN = 4  # characters of a title a question repeats to name it ("常见问题解答")
QUOTED_SHARE = 0.5
QUOTED_RUN = 6  # of a question's character pairs the asker must repeat to quote it


@dataclass(frozen=True)
class _Pair:
    doc: str
    part: str  # the heading of the part it is in ("" at the top)
    ask: str  # the question ("专利分为哪几种？")
    passage: Passage


def _ask_of(p: Passage) -> str:
    return p.text.split("答：", 1)[0].removeprefix("问：").strip()


class Faqs:
    def __init__(self, passages: list[Passage]):
        self.titles = {p.doc: p.doc_title or p.doc for p in passages}
        self.pairs: dict[str, list[_Pair]] = {}
        for p in passages:
            if p.kind == "faq" and not p.lead:  # a pair's first chunk
                part = p.section[0] if p.section else ""
                self.pairs.setdefault(p.doc, []).append(_Pair(p.doc, part, _ask_of(p), p))
        headed: dict[str, dict[str, Passage]] = {}
        for p in passages:
            if p.doc not in self.pairs and len(p.section) == 1 and p.section[0].endswith("？"):
                headed.setdefault(p.doc, {}).setdefault(p.section[0], p)
        for doc, heads in headed.items():
            if len(heads) >= HEADED_MIN:
                self.pairs[doc] = [
                    _Pair(doc, "", NUMBERING.sub("", h).strip(), p) for h, p in heads.items()
                ]
        self.named = title_pairs([p for p in passages if p.doc in self.pairs])

    def answer(self, question: str) -> Found | None:
        count, nth, near = COUNT.search(question), NTH.search(question), NEAR.search(question)
        if not self.pairs or not (count or nth or near):
            return None
        doc = self._doc(question)
        if doc is None:
            return None
        pairs, part = self._within(question, self.pairs[doc])
        where = book(self.titles[doc]) + (part or "")
        if near:
            return self._near(question, pairs, near, where)
        if nth:
            if nth.group(3):
                at = len(pairs) - 1
            else:
                n = ordinal(nth.group(2)) or 0
                at = len(pairs) - n if nth.group(1) else n - 1
            if not 0 <= at < len(pairs):
                return Found(f"{where}共有{len(pairs)}个问题，没有{nth.group(0)}。", (), False)
            return _said(pairs[at], f"{where}{nth.group(0)}", count and len(pairs))
        first, last = pairs[0].ask, pairs[-1].ask
        text = f"{where}共有{len(pairs)}个问题，第一个是“{first}”，最后一个是“{last}”。"
        return Found(text, (pairs[0].passage, pairs[-1].passage), True)

    def _doc(self, question: str) -> str | None:
        """The document asked about: the only one with questions; else one named by its
        title's words, or the only one with the question it quotes, or one named by a run of
        its title ("常见问题解答"), or the only one with a part the question names ("专利那块")."""
        if len(self.pairs) == 1:
            return next(iter(self.pairs))
        named = document_named(question, self.named)
        if named:
            return named
        near = NEAR.search(question)
        if near:
            said = question[: near.start()]
            quoted = [d for d, ps in self.pairs.items() if _quoted(said, ps) is not None]
            if len(quoted) == 1:
                return quoted[0]
        q = squash(question)
        runs = sorted(
            ((longest_common(q, squash(self.titles[d])), d) for d in self.pairs), reverse=True
        )
        if runs[0][0] >= TITLE_RUN and runs[0][0] > runs[1][0]:
            return runs[0][1]
        parted = [d for d, pairs in self.pairs.items() if self._within(question, pairs)[1]]
        return parted[0] if len(parted) == 1 else None

    @staticmethod
    def _within(question: str, pairs: list[_Pair]) -> tuple[list[_Pair], str]:
        """The pairs of a part the question names by its heading's words ("专利那块"), else
        all of the document's."""
        parts = list(dict.fromkeys(p.part for p in pairs if p.part))
        numbered = PART_NAMED.search(question)  # "第七部分里一共有几个问题"
        if numbered:
            n = ordinal(numbered.group(1))
            hit = [h for h in parts if (m := KINDS["部分"].match(h)) and ordinal(m.group(1)) == n]
            if hit:
                return [p for p in pairs if p.part == hit[0]], hit[0]
        named = [
            h for h in parts if len(core := NUMBERING.sub("", h).strip()) >= 2 and core in question
        ]
        if len(named) == 1:
            return [p for p in pairs if p.part == named[0]], named[0]
        return pairs, ""

    @staticmethod
    def _near(question: str, pairs: list[_Pair], near: re.Match, where: str) -> Found | None:
        """The question before or after the one the asker quotes."""
        best = _quoted(question[: near.start()], pairs)
        if best is None:
            return None
        at = best + (-1 if near.group(1).startswith(("前", "上")) else 1)
        if not 0 <= at < len(pairs):
            return None
        return _said(pairs[at], f"{where}“{pairs[best].ask}”{near.group(0)}", 0)


def _quoted(text: str, pairs: list[_Pair]) -> int | None:
    """The pair whose question the text repeats: QUOTED_SHARE of its character pairs or a run
    of QUOTED_RUN characters ("夜里找不到人怎么办"), the most of it."""
    mine, q = char_pairs(squash(text)), squash(text)
    scored = []
    for k, p in enumerate(pairs):
        own = char_pairs(squash(p.ask))
        share, run = len(mine & own) / max(1, len(own)), longest_common(q, squash(p.ask))
        if share >= QUOTED_SHARE or run >= QUOTED_RUN:
            scored.append((run, share, k))
    return max(scored)[2] if scored else None


def _said(pair: _Pair, label: str, count: int) -> Found:
    counted = f"共{count}个问题，" if count else ""
    text = pair.passage.text
    return Found(
        f"{counted}{label}：{text if text.endswith('。') else text + '。'}", (pair.passage,), True
    )
