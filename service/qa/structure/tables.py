"""A table's columns, asked of the table the question names by its caption or heading:
"“各环节时限”那张表有哪几列", "承诺办理时限那个表，表头都有哪些" — read from its rows, each of
which the parser wrote "column：cell；column：cell"."""

from __future__ import annotations

import re

from corpus.records import Passage
from index.boosts import char_pairs, squash
from service.qa.structure.found import Found, several
from service.qa.structure.patterns import WHERE_SHARE, heading_words

COLUMNS_ASKED = re.compile(r"哪几列|哪些列|几列|多少列|表头|列名|哪几栏|哪些栏|几栏|栏目有哪些")
TABLE_WORD = re.compile(r"表|列|栏")
QUOTED = re.compile(r"[“\"「]([^”\"」]{2,20})[”\"」]")
# what follows a table's name in a question: "…那张表有", "…的这个表格里"
BEFORE_TABLE = re.compile(r"(?:的|里)?(?:那|这)?(?:一)?(?:张|个)?(?:表格?|列表).*$")
MIN_SHARE = 0.5  # of a column name's rows that must have it for it to be the table's


def _columns(rows: list[Passage]) -> list[str]:
    """The column names, in order, that most of the rows have."""
    counts: dict[str, int] = {}
    for row in rows:
        for pair in row.text.split("；"):
            name = pair.split("：", 1)[0].strip() if "：" in pair else ""
            if name and len(name) <= 12:
                counts[name] = counts.get(name, 0) + 1
    return [name for name, n in counts.items() if n >= MIN_SHARE * len(rows)]


class Tables:
    def __init__(self, passages: list[Passage]):
        self.titles = {p.doc: p.doc_title or p.doc for p in passages}
        self.rows: dict[tuple[str, tuple[str, ...]], list[Passage]] = {}
        for p in passages:
            if p.kind == "row" and p.section:
                self.rows.setdefault((p.doc, tuple(p.section)), []).append(p)

    def answer(self, question: str) -> Found | None:
        asked = COLUMNS_ASKED.search(question)
        if asked is None or not TABLE_WORD.search(question):
            return None
        quoted = QUOTED.search(question)
        name = quoted.group(1) if quoted else BEFORE_TABLE.sub("", question[: asked.start()])
        mine = char_pairs(squash(name))
        if not mine:
            return None
        scored = []
        for (doc, path), rows in self.rows.items():
            for named in path[-2:]:  # its caption, or the heading it is under
                theirs = char_pairs(squash(heading_words(named)))
                if theirs:  # the share of the shorter: "各环节时限" names "各环节时限（以…为例）"
                    share = len(theirs & mine) / min(len(theirs), len(mine))
                    scored.append((share, len(theirs & mine), doc, path, rows))
        if not scored:
            return None
        best = max(s[:2] for s in scored)
        if best[0] < WHERE_SHARE:
            return None
        found = []  # the tables named best, tied: each document's (several have "各环节时限")
        tied = {(s[2], s[3]): s for s in scored if s[:2] == best}.values()
        for _, _, doc, path, rows in tied:
            columns = _columns(rows)
            if len(columns) >= 2:
                text = f"“{path[-1]}”这张表共{len(columns)}列：{'、'.join(columns)}。"
                found.append((doc, text, (rows[0],)))
        if len({doc for doc, _, _ in found}) != len(found):
            return None  # two tables of one document named alike: the search decides
        return several(found, self.titles, "有这样的表") if found else None
