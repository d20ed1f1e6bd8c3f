"""Parts asked inside a numbered part: "第五章的第一条", "第三章第二条", "第六部分最后一个小节",
"第八部分底下分了哪几个小节" — in the document the question names, else in each document that
has such a part (all shown, the question named none)."""

from __future__ import annotations

import re

from corpus.markers import ordinal
from service.qa.structure.found import Found, Part, said, several
from service.qa.structure.patterns import NUMERAL, PART_WORDS

# 第N章/部分, then within it: the Mth (or last) 条/节, or which 节 it has.
_OUTER = rf"第\s*({NUMERAL})\s*(章|部分|大部分)[的里中内下底面]{{0,3}}"
NTH_INSIDE = re.compile(
    _OUTER + rf"(?:第\s*({NUMERAL})\s*个?|(最后)\s*一?\s*个?|(倒数)第\s*({NUMERAL})\s*个?)"
    r"\s*(条|小节|节)"
)
LISTED_INSIDE = re.compile(
    _OUTER
    + r"[^？?。，,]{0,3}?(?:分了|分为|分成|有|包括|包含|设了)\s*(?:哪几|哪些|几)\s*个?\s*(小节|节)"
)
INNER = {"条": "条", "小节": "节", "节": "节"}


def _outer(structure, doc: str, kind: str, n: int | None) -> Part | None:
    return next((p for p in structure.parts.get((doc, kind), ()) if p.number == n), None)


def _inner(structure, doc: str, outer: Part, kind: str) -> list[Part]:
    """The parts of a kind inside an outer one, in document order."""
    return [p for p in structure.parts.get((doc, kind), ()) if outer.heading in p.passage.section]


def within(structure, question: str, naming: str) -> Found | None:
    """A part inside a numbered one (structure: parts.Structure); None when none is asked."""
    m = NTH_INSIDE.search(question)
    listed = None if m else LISTED_INSIDE.search(question)
    if m is None and listed is None:
        return None
    hit = m or listed
    outer_kind = PART_WORDS.get(hit.group(2), hit.group(2))
    n = ordinal(hit.group(1))
    inner_kind = INNER[(m.group(7) if m else listed.group(3))]
    docs, _ = structure._docs(naming, outer_kind, number=n)
    found = []
    for doc in docs:
        outer = _outer(structure, doc, outer_kind, n)
        inner = _inner(structure, doc, outer, inner_kind) if outer else []
        if not inner:
            continue
        if listed is not None:
            names = "；".join(p.heading for p in inner)
            text = f"{outer.heading}下分{len(inner)}{inner_kind}：{names}。"
            found.append((doc, text, (outer.passage, *(p.passage for p in inner))))
            continue
        if m.group(4):
            part = inner[-1]
        else:
            k = ordinal(m.group(3) or m.group(6))
            # "第三章第二条": the article numbered 2 if the chapter has it, else its second
            own = next((p for p in inner if p.number == k), None) if m.group(3) else None
            at = (-k if m.group(5) else k - 1) if k else None
            part = own or (inner[at] if at is not None and -len(inner) <= at < len(inner) else None)
        if part is not None:
            shown = said(part, inner_kind)
            body = structure.under.get((doc, part.heading), [])
            if inner_kind == "节" and "：" not in shown.text and body:  # no items: its text
                text = body[0].text.rstrip("。") + "。"
                shown = Found(f"{part.heading}：{text}", (body[0], part.passage), True)
            # an article starts with its own number, which a follow-up counts from ("它前面一条呢")
            text = shown.text if inner_kind == "条" else f"{outer.heading}：{shown.text}"
            found.append((doc, text, shown.passages))
    if not found:
        return None
    return several(found, structure.titles, f"有第{hit.group(1)}{outer_kind}")
