"""Which document a question names: by its title's own words ("推荐优先审查…现场窗口在哪"
names the 优先审查推荐 guide), or by its kind when it is the only one of that kind ("白皮书")."""

from __future__ import annotations

import re
from typing import NamedTuple

from corpus.markers import document_kind
from corpus.records import Passage
from index.boosts import char_pairs, squash

# A title's words that name no one document: where it is from, that it is an example, and
# the kind of document (a question saying "办事指南" of two guides names neither).
_TITLE_GENERIC = re.compile(r"本市|示例|关于|办事指南|指南|办法|规则|通知|解答|解读|问题|常见")
# Kinds of document a question names a document by when only one is of that kind ("白皮书专栏2");
# not those that are everyday words too ("收到通知", "情况说明", "材料清单", "解决方案").
NAMING_KINDS = frozenset(
    {"白皮书", "公报", "指引", "指南", "规划", "纲要", "条例", "细则", "章程", "办法"}
)
NAMED_PAIRS = 3  # character pairs of a title's own words a question must share to name it


class Title(NamedTuple):
    pairs: frozenset[str]  # the character pairs of its own words
    kind: str  # the kind of document it names ("白皮书", "指引"; "文件" for none)


def title_pairs(passages: list[Passage]) -> dict[str, Title]:
    """Each document's title, as the character pairs of its own words, and its kind."""
    titles = {p.doc: p.doc_title for p in passages if p.doc_title}
    # a year or a number in a title ("2027年度…的通知") names no document: others share it
    return {
        doc: Title(
            frozenset(p for p in char_pairs(_TITLE_GENERIC.sub("", squash(t))) if p.isalpha()),
            document_kind(t),
        )
        for doc, t in titles.items()
    }


def document_named(question: str, titles: dict[str, Title]) -> str | None:
    """The one document whose title's own words the question shares most, NAMED_PAIRS or more
    ("推荐优先审查…现场窗口在哪" names the 优先审查推荐 guide), else the only one of the kind
    the question names ("白皮书专栏2"); None when two tie or none does."""
    if len(titles) < 2:
        return None
    mine = char_pairs(squash(question))
    scored = sorted(((len(mine & t.pairs), doc) for doc, t in titles.items()), reverse=True)
    best, doc = scored[0]
    if best >= NAMED_PAIRS and best > scored[1][0]:
        return doc
    kinds = [d for d, t in titles.items() if t.kind in NAMING_KINDS and t.kind in question]
    return kinds[0] if len(kinds) == 1 else None
