"""The part after or before one named: "第十四条后面一条", "（六）那一节后面紧接着的是哪一节",
"第五部分的上一部分" — in the document the question names, else in each that has the part."""

from __future__ import annotations

import re

from corpus.markers import ordinal
from service.qa.structure.found import Found, book, said, several
from service.qa.structure.patterns import AFTER


def neighbor(structure, question: str, m: re.Match) -> Found | None:
    """structure: parts.Structure; m: the question's NEIGHBOR match."""
    kind = m["kind"] or ("部分" if m["part"] or m["mark"] else "节")  # 条|章|部分|节 only
    number = m["n"] or m["sub"] or m["part"] or m["mark"]
    n = None if m["mark"] else ordinal(number)
    docs, _ = structure._docs(question, kind, number=n) if n is not None else ([], False)

    def asked(p) -> bool:  # by its number, or by its 【】 heading ("【收费标准】后面")
        return p.heading == number if m["mark"] else p.number == n

    if m["mark"]:  # the documents with a part so headed, those the question names first
        having = {d for (d, k), ps in structure.parts.items() if k == kind and any(map(asked, ps))}
        docs = [d for d in structure._docs(question, kind)[0] if d in having] or sorted(having)
    step = 1 if m["dir"] in AFTER else -1
    found = []
    for doc in docs:
        parts = structure.parts[(doc, kind)]  # in the document's order
        at = next((i for i, p in enumerate(parts) if asked(p)), None)
        if at is None:
            continue
        if not 0 <= at + step < len(parts):
            where = "最后一" if step == 1 else "第一"  # not "第一一部分"
            text = f"{parts[at].heading}是{book(structure.titles[doc])}的{where}{kind}"
            found.append((doc, text, (parts[at].passage,)))
        else:
            shown = said(parts[at + step], kind)
            found.append((doc, shown.text, shown.passages))
    if not found:
        return None
    if len(found) == 1:
        return Found(found[0][1].rstrip("。") + "。", found[0][2], True)
    return several(found, structure.titles, f"有第{number}{kind}")
