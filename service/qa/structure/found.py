"""What the structure answerer finds: a document's numbered parts and an answer made of them."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.records import Passage


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
    if kind != "条":
        text = f"{part.heading}：" + text.split("：", 1)[1] if "：" in text else part.heading
    return Found(text if text.endswith("。") else text + "。", (part.passage, *part.rest), True)
