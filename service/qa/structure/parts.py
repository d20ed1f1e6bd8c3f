"""Structure questions over any document's tree: 第N条/章/部分/节, 最后/倒数第N, 一共几条 — from
the section paths of the passages, in the document the question names (or the only one)."""

from __future__ import annotations

import re
from dataclasses import replace

from corpus.headings import NUMBERING
from corpus.markers import ordinal
from corpus.records import Passage
from index.boosts import char_pairs, squash
from service.qa.structure.boxes import Boxes
from service.qa.structure.found import (
    Found,
    Part,
    book,
    chapter_of,
    chapter_said,
    each,
    each_article,
    inside,
    marks_of,
    missing_box,
    missing_mark,
    opening_of,
    said,
    several,
    titled,
    unnumbered,
)
from service.qa.structure.neighbor import neighbor
from service.qa.structure.patterns import (
    ABOUT,
    ABOUT_ASK,
    ARTICLE,
    ASK,
    CHAPTER_ARTICLES,
    CHAPTER_NUMBER,
    CLAUSES,
    DIVIDED,
    EACH_REST,
    ITEM,
    ITEMS_ASKED,
    KINDS,
    MIN_HEADING,
    NEIGHBOR,
    PART_WORDS,
    WHERE,
    WHERE_SHARE,
    heading_words,
    names_part,
)
from service.qa.structure.within import within

_HAN = re.compile(r"[\u4e00-\u9fff]")
_NAMES = re.compile(r"分别|叫什么|是什么|是哪|有哪|哪些|哪几|都有|都是|名称|标题")


class Structure:
    def __init__(self, passages: list[Passage]):
        self.titles: dict[str, str] = {}
        self.parts: dict[tuple[str, str], list[Part]] = {}
        # the passages under each heading, for counting its numbered items
        self.under: dict[tuple[str, str], list[Passage]] = {}
        for p in passages:
            if p.section and p.kind in ("text", "heading"):
                self.under.setdefault((p.doc, p.section[-1]), []).append(p)
        self.passages_of: dict[str, list[Passage]] = {}
        for p in passages:
            self.passages_of.setdefault(p.doc, []).append(p)
        self.marks = marks_of(passages)  # 【申请材料】: each one the documents write
        self.box = Boxes(passages)  # 专栏, by number and by the words of their headings
        self.boxes = self.box.numbers
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

        unnumbered(self.parts, passages)  # 【申请材料】, "## 办理条件": in order
        for (doc, kind), parts in self.parts.items():
            if kind != "条":  # a part with no sub-parts is said by its first paragraphs
                self.parts[(doc, kind)] = [
                    replace(part, rest=opening_of(part.passage, self.passages_of[doc]))
                    for part in parts
                ]
            if kind == "条":
                self.parts[(doc, kind)] = [
                    replace(part, rest=tuple(pieces[(doc, tuple(part.passage.section))][1:]))
                    if (doc, tuple(part.passage.section)) in pieces
                    else part
                    for part in parts
                ]

    def _doc(
        self, question: str, kind: str, named_only: bool = False, number: int | None = None
    ) -> str | None:
        """The document the question names by its title, else (unless named_only) the only
        one with such parts; with a number, the only one with such a part of that number
        ("办法第三十五条" where one 办法 has 36 articles and the other 26)."""
        docs, named = self._docs(question, kind, number)
        if len(docs) == 1 and (named or not named_only):
            return docs[0]
        return None

    def _docs(self, question: str, kind: str, number: int | None = None) -> tuple[list[str], bool]:
        """The documents with such parts (of that number, if one has) that the question may
        mean: those its words name best, tied ("这个办事指南" of two guides), or
        all of them when it names none; and whether it named any."""
        having = [d for (d, k) in self.parts if k == kind]
        docs, named = titled(question, {d: self.titles[d] for d in having})
        if named and len(docs) == 1:  # "指引第八部分": that one, though it may have no 8th
            return docs, named
        if number is not None:
            having = [
                d for d in having if any(p.number == number for p in self.parts[(d, kind)])
            ] or having
        return titled(question, {d: self.titles[d] for d in having})

    def answer(self, question: str, finer: bool = False) -> Found | None:
        """A structure question, or several asked one after another ("共有多少条？分为几章？":
        each answered, the document named anywhere in the question); None when it is not
        one (or not every part of it is)."""
        clauses = [c for c in CLAUSES.split(question) if c.strip()]
        if len(clauses) > 1:
            found = [self._one(clause, finer, question) for clause in clauses]
            if all(f is not None and f.answered for f in found):
                passages = {p.id: p for f in found for p in f.passages}
                return Found("".join(f.text for f in found), tuple(passages.values()), True)
        return self._one(question, finer, question)

    def _one(self, question: str, finer: bool, naming: str) -> Found | None:
        """finer: the question also names a smaller part (专栏, a numbered section), so only
        its neighbour is read here ("（六）那一节后面是哪一节")."""
        missing = missing_box(self.boxes, self.titles, question)
        missing = missing or missing_mark(self.marks, question)  # 【法律责任】 none writes
        if missing is not None:
            return missing
        box = self.box.which(question, self.titles) or self.box.inside(
            question, self.parts, self.titles
        )  # "专利导航是第几个专栏", "第四部分有几个专栏"
        if box is not None:
            return box
        inner = within(self, question, naming)  # "第五章的第一条", "第八部分下有哪几节"
        if inner is not None:
            return inner
        if DIVIDED.search(question.rstrip("?？。 ")):
            return self._divided(naming)
        if ITEMS_ASKED.search(question):
            counted = self._items_under(question)
            if counted is not None:
                return counted
        articles = self._articles_of(question, naming)
        if articles is not None:
            return articles
        near = NEIGHBOR.search(question)  # "【收费标准】后面是哪一部分": next to it, not where
        where = None if near and near["mark"] else self._where(question, naming)
        if where is not None:
            return where
        if near:
            return neighbor(self, naming, near)
        asks = [] if finer else list(ASK.finditer(question))
        if not asks:
            return None
        m = asks[0]
        if len(asks) > 1 and (asks[-1].group(4) or asks[-1].group(7)) == (m.group(4) or m.group(7)):
            m = asks[-1]  # "白皮书第二部分讲什么 第三部分": a follow-up glued to its question
        kind = m.group(4) or m.group(7) or ""
        kind = PART_WORDS.get(kind, kind)
        asked = ordinal(m.group(2)) if m.group(2) and not m.group(1) else None
        doc = self._doc(naming, kind, number=asked)
        if doc is None:
            # "第五部分讲什么" with several documents that have one: each (not an article,
            # whose words choose it, nor a question with more to it than the part)
            more = ABOUT_ASK.sub("", question[: m.start()] + question[m.end() :])
            if len(_HAN.findall(more)) > EACH_REST:
                return None  # an article's other words choose it, as the search does
            docs, _ = self._docs(naming, kind, number=asked)
            if kind == "条" and asked is not None:
                having = {d: p for d in docs for p in self.parts[(d, kind)] if p.number == asked}
                return each_article(having, self.titles) if len(having) > 1 else None
            return each({d: self.parts[(d, kind)] for d in docs}, self.titles, kind, m)
        parts = sorted(self.parts[(doc, kind)], key=lambda p: p.number)
        if kind == "节":  # "收费标准那一部分的第三小节": the sections of the part it names
            parts = [p for p in parts if names_part(question, p.passage.section)] or parts
        title = self.titles[doc]
        if m.group(5):  # 一共几条; "…分别叫什么": each of a dozen or fewer named
            every = bool(_NAMES.search(question, m.end())) and len(parts) <= 12
            listed = "、".join(p.heading for p in (parts if every else parts[:3]))
            listed += "" if every else f"……{parts[-1].heading}"
            shown = parts if every else (*parts[:3], parts[-1])
            return Found(
                f"{book(title)}共有{len(parts)}{kind}（{listed}）。",
                tuple({p.passage.id: p.passage for p in shown}.values()),
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
                    f"{book(title)}共有{len(parts)}{kind}，没有{m.group(0)}。",
                    (),
                    False,
                )
        more = question[: m.start()] + question[m.end() :]
        if (
            kind != "条"
            and ABOUT.search(question[m.end() :])
            and len(_HAN.findall(more)) > EACH_REST
        ):
            # "最后一章里，关于施行时间和有效期是怎么规定的": what the part says about that
            return inside(part, self.passages_of[doc], more) or said(part, kind)
        articles = [a for a in self.parts.get((doc, "条"), ()) if part.heading in a.passage.section]
        return chapter_said(part, articles) if kind == "章" and articles else said(part, kind)

    def _articles_of(self, question: str, naming: str) -> Found | None:
        """The articles of the chapter the question names by number (in the document it names,
        or the only one with chapters) or by its heading's words (in any document)."""
        m = CHAPTER_ARTICLES.search(question)
        if m is None:
            return None
        named = self._doc(naming, "章")
        number = CHAPTER_NUMBER.search(question)
        n = ordinal(number.group(1)) if number else None
        found = [
            (doc, c)
            for (doc, kind), chapters in self.parts.items()
            if kind == "章" and (named is None or doc == named)
            for c in chapters
            if (n is not None and c.number == n)
            or (n is None and len(words := heading_words(c.heading)) >= 2 and words in m.group(0))
        ]
        listed = []  # each document's, when the question names none and several have it
        for doc, chapter in found:
            articles = [
                a for a in self.parts.get((doc, "条"), ()) if chapter.heading in a.passage.section
            ]
            if articles:
                first, last = articles[0].heading, articles[-1].heading
                text = f"{chapter.heading}共有{len(articles)}条：从{first}到{last}。"
                listed.append((doc, text, tuple(a.passage for a in articles)))
        asked = number.group(0) if number else found[0][1].heading if found else ""
        return several(listed, self.titles, f"有{asked}") if listed else None

    def _where(self, question: str, naming: str) -> Found | None:
        """ "异议处理那一块在第几部分": the chapter, part or section whose heading's words the
        question has (most of their character pairs; in the document it names, if it names
        one), by its number and heading. None when it asks no such thing or names none."""
        m = WHERE.search(question)
        if m is None:
            return None
        kind = PART_WORDS.get(m.group(1), m.group(1))
        kinds = [kind] if kind != "部分" else ["部分", "章"]
        article = ARTICLE.search(question[: m.start()])
        if article and kind in ("章", "部分"):  # "第二十五条属于哪一章": the chapter it is in
            return self._article_in(naming, ordinal(article.group(1)))
        q = squash(question[: m.start()])
        mine = char_pairs(q)
        scored = []
        for kind in kinds:
            named = self._doc(naming, kind, named_only=True)
            for (doc, k), parts in self.parts.items():
                if k != kind or (named is not None and doc != named):
                    continue
                for part in parts:
                    words = squash(heading_words(part.heading))
                    theirs = char_pairs(words)
                    if len(words) >= 2 and theirs:
                        share = len(theirs & mine) / len(theirs)
                        scored.append((share, len(words), kind, part))
        if not scored:
            return None
        scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
        share, size, kind, part = scored[0]
        if share < WHERE_SHARE or (len(scored) > 1 and scored[1][:2] == (share, size)):
            return None
        number = m.group(1) if (m := KINDS[kind].match(part.heading)) else part.number
        place = part.heading if kind == "章" else f"第{number}{kind}：{part.heading}"
        return Found(f"在{book(self.titles[part.doc])}的{place}。", (part.passage,), True)

    def _article_in(self, naming: str, n: int | None) -> Found | None:
        doc = self._doc(naming, "条", number=n)
        part = next((a for a in self.parts.get((doc, "条"), ()) if a.number == n), None)
        return chapter_of(part, self.titles[doc]) if part else None

    def _divided(self, question: str) -> Found | None:
        """The top-level parts (章, else 一、二、…) of the document the question names."""
        for kind in ("章", "部分"):
            doc = self._doc(question, kind, named_only=True)
            if doc is not None:
                parts = self.parts[(doc, kind)]  # in the document's order
                listed = "；".join(p.heading for p in parts)
                return Found(
                    f"{book(self.titles[doc])}分为{len(parts)}{'章' if kind == '章' else '个部分'}：{listed}。",
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
            for m in ITEM.finditer(p.text)
        ]
        if not numbered:
            return None
        last, at = max(numbered)
        return Found(  # the passage with the last item first: it shows the count
            f"{book(self.titles[doc])}的“{heading}”共列了{last}条。",
            (found[at], *found[:at], *found[at + 1 :]),
            True,
        )
