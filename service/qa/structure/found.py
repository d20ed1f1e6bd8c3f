"""What the structure answerer finds: a document's numbered parts and an answer made of them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.markers import BRACKET, document_kind, opening, ordinal
from corpus.records import Passage
from index.boosts import char_pairs, squash
from service.qa.answering.wording import book
from service.qa.structure.patterns import BOX, GENERIC, KIND_NAMED, KINDS, MIN_TITLE_MATCH


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


def said(part: Part, kind: str) -> Found:
    """A part as an answer: an article whole, another part by its heading and its items."""
    text = " ".join(p.text for p in (part.passage, *part.rest))
    if kind != "条":  # an overview lists its sub-parts after a colon; one with none, its text
        own = part.passage.text
        if "：" in own:
            text = f"{part.heading}：" + own.split("：", 1)[1]
        else:
            body = " ".join(p.text for p in part.rest).rstrip("：:")
            text = f"{part.heading}：{body}" if body else own
    return Found(text if text.endswith("。") else text + "。", (part.passage, *part.rest), True)


def opening_of(overview: Passage, passages: list[Passage], most: int = 2) -> tuple:
    """A part with no sub-parts (its overview lists none): the first passages of its section,
    up to the one that ends a sentence ("…五个方面发力：" and the list after it); () else."""
    if "：" in overview.text:
        return ()
    found: list[Passage] = []
    for p in passages:
        if p.section == overview.section and p is not overview and p.kind != "overview":
            found.append(p)
            if len(found) >= most or p.text.rstrip().endswith("。"):
                break
    return tuple(found)


OPENING = 24  # characters of an article's opening shown in its chapter's summary


def chapter_said(chapter: Part, articles: list[Part]) -> Found:
    """A chapter as an answer ("第四章主要规定了什么"): its heading and each article's opening
    words, not only their numbers."""
    said = []
    for a in articles:
        about = opening(a.passage.text[len(a.heading) :], OPENING)
        said.append(f"{a.heading} {about}" if about else a.heading)
    text = f"{chapter.heading}共{len(articles)}条：" + "；".join(said) + "。"
    return Found(text, (chapter.passage, *(a.passage for a in articles)), True)


def each(
    parts: dict[str, list[Part]], titles: dict[str, str], kind: str, m: re.Match
) -> Found | None:
    """The same part asked of no one document where several have one ("第五部分讲什么" over a
    plan and a guide, "一共几章" over two regulations): each document's, by its title.
    parts: each document's parts of the kind; m: the ask (patterns.ASK)."""
    n = ordinal(m.group(2)) if m.group(2) else None
    found = []
    for doc, theirs in parts.items():
        ordered = sorted(theirs, key=lambda p: p.number)
        if m.group(5):
            found.append(
                (doc, f"共有{len(ordered)}{kind}（最后是“{ordered[-1].heading}”）", ordered[-1])
            )
        elif m.group(3):
            found.append((doc, f"是“{ordered[-1].heading}”", ordered[-1]))
        elif n is not None and 0 < n <= len(ordered):
            part = ordered[-n] if m.group(1) else next((p for p in ordered if p.number == n), None)
            if part is not None:
                found.append((doc, f"是“{part.heading}”", part))
    if len(found) < 2:
        return None
    asked = "" if m.group(5) else f"有{m.group(0)}"
    listed = [(doc, text, (part.passage,)) for doc, text, part in found]
    return several(listed, titles, asked, shown=None)


ARTICLE_START = 60  # characters of each document's article shown when several have it


def each_article(parts: dict[str, Part], titles: dict[str, str]) -> Found:
    """ "第十二条讲的是什么" where several documents have a 第十二条 and the question names
    none: each one's, its start, by its document's title."""
    found = [(doc, part.passage.text, (part.passage,)) for doc, part in parts.items()]
    heading = next(iter(parts.values())).heading
    return several(found, titles, f"有{heading}", shown=ARTICLE_START)


SHOWN = 80  # characters of each document's answer shown when several have one


def several(
    found: list[tuple[str, str, tuple[Passage, ...]]],
    titles: dict[str, str],
    asked: str,
    shown: int | None = SHOWN,
) -> Found:
    """The same thing asked of no one document where several have it: each one's, by title,
    cut to `shown` characters (None: whole). found: (doc, what it says, its passages), the
    first of each cited; asked: what they have ("有第三章"). One: its own answer."""
    if len(found) == 1:
        doc, text, passages = found[0]
        return Found(text, passages, True)
    listed = "；".join(f"{book(titles[doc])}{_cut(text, shown)}" for doc, text, _ in found)
    return Found(
        f"已收录的文件中有{len(found)}份{asked}：{listed}。您想问哪一份，可以带上文件名再问。",
        tuple(passages[0] for _, _, passages in found),
        True,
    )


def _cut(text: str, shown: int | None) -> str:
    text = text.rstrip("。；; ")
    return text if shown is None or len(text) <= shown else text[:shown] + "……"


MIN_ABOUT = 3  # character pairs a passage inside a part must share with what is asked of it


def inside(part: Part, passages: list[Passage], asked: str) -> Found | None:
    """What a part says about something ("最后一章里，关于施行时间和有效期…"): the passage
    under it sharing the most character pairs with the rest of the question; None when none
    shares MIN_ABOUT."""
    mine = char_pairs(squash(asked))
    scored = [
        (len(mine & char_pairs(squash(p.text))), -k, p)
        for k, p in enumerate(passages)
        if part.heading in p.section and p is not part.passage and p.kind != "title"
    ]
    if not scored:
        return None
    shared, _, best = max(scored, key=lambda s: s[:2])
    if shared < MIN_ABOUT:
        return None
    text = best.text if best.text.endswith("。") else best.text + "。"
    return Found(f"{part.heading}：{text}" if best.kind != "article" else text, (best,), True)


def title_score(question: str, title: str) -> int:
    """How closely a question names a document: the character pairs of its title's own words
    the question has ("那个质押登记办事指南": 质押登记 and 办事指南 name the pledge guide more
    than 登记办事指南 names the data guide), plus KIND_NAMED when it says which kind of document
    ("规划的", "办法第三条")."""
    q = squash(question)
    shared = char_pairs(q) & char_pairs(squash(GENERIC.sub("", title)))
    return len(shared) + KIND_NAMED * (document_kind(title) in q)


def titled(question: str, titles: dict[str, str]) -> tuple[list[str], bool]:
    """Of these documents (doc → title), those the question names best by their titles, tied,
    and True; or all of them and False when it names none (under MIN_TITLE_MATCH)."""
    scored = [(title_score(question, title), doc) for doc, title in titles.items()]
    best = max((score for score, _ in scored), default=0)
    if best >= MIN_TITLE_MATCH:
        return [doc for score, doc in scored if score == best], True
    return list(titles), False


def chapter_of(article: Part, title: str) -> Found | None:
    """ "第二十五条属于哪一章": the chapter an article is in, by its section path."""
    chapter = next((s for s in article.passage.section if KINDS["章"].match(s)), None)
    if chapter is None:
        return None
    return Found(f"{article.heading}在{book(title)}的{chapter}。", (article.passage,), True)


_MARKED = re.compile(BRACKET)


def marks_of(passages: list[Passage]) -> frozenset[str]:
    """Every 【…】 the documents write, in their text or as a heading."""
    return frozenset(m for p in passages for m in _MARKED.findall(" ".join([*p.section, p.text])))


def missing_mark(marks: frozenset[str], question: str) -> Found | None:
    """ "须知里【法律责任】那部分怎么规定": a 【…】 no document writes (where some write them)."""
    m = _MARKED.search(question)
    if m is None or not marks or m.group(0) in marks:
        return None
    return Found(f"已收录的文件中没有{m.group(0)}这一部分。", (), False)


def missing_box(boxes: dict[str, set[int]], titles: dict[str, str], question: str) -> Found | None:
    """ "专栏16讲什么" where no document has a 专栏16, or "白皮书专栏4" where the document it
    names has none: say how many that one has."""
    named = [n for m in BOX.finditer(question) if (n := ordinal(m.group(1)))]
    if not named:
        return None
    docs, by_title = titled(question, {d: titles[d] for d in boxes})
    if not (by_title and len(docs) == 1):
        if any(n in ns for ns in boxes.values() for n in named) or len(boxes) != 1:
            return None
        docs = list(boxes)
    doc = docs[0]
    if all(n in boxes[doc] for n in named):
        return None
    lacking = next(n for n in named if n not in boxes[doc])
    return Found(f"{book(titles[doc])}共有{len(boxes[doc])}个专栏，没有专栏{lacking}。", (), False)


def unnumbered(parts: dict[tuple[str, str], list[Part]], passages: list[Passage]) -> None:
    """A document whose top headings carry no number (【申请材料】, "## 办理条件") has them as
    its parts (部分), counted in order: "第三部分" is the third a reader sees."""
    numbered = {d for (d, k) in parts if k in ("部分", "章")}
    for p in passages:
        if p.kind == "overview" and len(p.section) == 1 and p.doc not in numbered:
            mine = parts.setdefault((p.doc, "部分"), [])
            mine.append(Part(p.doc, len(mine) + 1, p.section[0], p))
