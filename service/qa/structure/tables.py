"""A table's columns and rows, asked of the table the question names by its caption, its label
or the heading it is under: "“各环节时限”那张表有哪几列", "补助标准表一共有几行", "白皮书表2
第一行是哪个区", "资助标准那个表最后一行是啥" — read from its rows, each of which the parser
wrote "column：cell；column：cell"."""

from __future__ import annotations

import re

from corpus.markers import ordinal, row_name
from corpus.records import Passage
from index.boosts import char_pairs, squash
from service.qa.structure.found import Found, several
from service.qa.structure.patterns import NUMERAL, heading_words

COLUMNS_ASKED = re.compile(r"哪几列|哪些列|几列|多少列|表头|列名|哪几栏|哪些栏|几栏|栏目有哪些")
# "一共有几行", "共列了多少项指标", "有几种纠纷类型", "分几种补助对象"
ROWS_COUNTED = re.compile(r"(?:几|多少)\s*(?:行|项|种|类|个)")
ROW_NTH = re.compile(rf"(倒数)?第\s*({NUMERAL})\s*[行项]|(最后)\s*一\s*[行项]")
TABLE_WORD = re.compile(r"表(?![示达彰明])|列(?![举出入])|栏")
LABEL = re.compile(r"表\s*(\d{1,2})(?!\d)")  # "表2": the caption "表2  2025年各区县…"
TOTALS = ("合计", "总计", "小计")
_LEAD_OUT = re.compile(r"(?:如下表|见下表|详见下表|按照下表|如下)[：:]?$")  # "…如下表": no name
QUOTED = re.compile(r"[“\"「]([^”\"」]{2,20})[”\"」]")
# what follows a table's name in a question: "…那张表有", "…的这个表格里"
BEFORE_TABLE = re.compile(r"(?:的|里)?(?:那|这)?(?:一)?(?:张|个)?(?:表格?|列表).*$")
MIN_SHARE = 0.5  # of a column name's rows that must have it for it to be the table's
NAMED_SHARE = 0.4  # of a table's name (the shorter's pairs) a question must have to name it


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
        asks = [
            m
            for m in (
                COLUMNS_ASKED.search(question),
                ROW_NTH.search(question),
                ROWS_COUNTED.search(question),
            )
            if m
        ]
        if not asks or not TABLE_WORD.search(question):
            return None
        columns = COLUMNS_ASKED.search(question)
        nth = next(reversed(list(ROW_NTH.finditer(question))), None)  # a follow-up's own
        counted = ROWS_COUNTED.search(question)
        if not (columns or nth or counted):
            return None
        label = LABEL.search(question)
        labels = {m.group(1) for _, path in self.rows if (m := LABEL.match(path[-1]))}
        if label and labels and label.group(1) not in labels:  # "表9" where they number 表1, 表2
            return Found(f"已收录的文件中没有{label.group(0)}。", (), False)
        asked_at = min(m.start() for m in asks)
        tied = self._named(question, asked_at)
        if not tied and len(self.rows) == 1 and not BEFORE_TABLE.sub("", question[:asked_at]):
            tied = [(*key, rows) for key, rows in self.rows.items()]  # "表格第7行": the only one
        found = []
        for doc, path, rows in tied:
            said = self._said(path, rows, columns, counted, nth)
            if said:
                at = _at(nth, rows) if nth else None  # none such: the table's first row
                found.append((doc, said, (rows[at or 0],)))
        if len({doc for doc, _, _ in found}) != len(found):
            return None  # two tables of one document named alike: the search decides
        if not found:
            return None
        reply = several(found, self.titles, "有这样的表")
        if nth and all(_at(nth, rows) is None for _, _, rows in tied):
            return Found(reply.text, reply.passages, False)  # no table has that row
        return reply

    def _named(self, question: str, asked_at: int) -> list:
        """The tables the question names best: by its label ("表2"), else the words quoted or
        before what it asks, against each table's caption and the heading it is under."""
        label = LABEL.search(question)
        if label:
            labelled = [
                (doc, path, rows)
                for (doc, path), rows in self.rows.items()
                if (m := LABEL.match(path[-1])) and m.group(1) == label.group(1)
            ]
            if labelled:
                named = [t for t in labelled if _title_named(question, self.titles[t[0]])]
                return named or labelled
        quoted = QUOTED.search(question)
        names = [quoted.group(1)] if quoted else [BEFORE_TABLE.sub("", question[:asked_at])]
        if not quoted:  # "…有个表，就是各个环节时限和责任部门的那个表": the words around it too
            names.append(TABLE_WORD.sub("", question[:asked_at]))
        scored = []
        for mine in filter(None, (char_pairs(squash(n)) for n in names)):
            for (doc, path), rows in self.rows.items():
                # its caption, the heading it is under, or its first column ("办理环节表")
                for named in (*path[-2:], *_columns(rows)[:1]):
                    theirs = char_pairs(squash(_LEAD_OUT.sub("", heading_words(named))))
                    if theirs:  # the share of the shorter: "各环节时限" names "各环节时限（…）"
                        share = len(theirs & mine) / min(len(theirs), len(mine))
                        if share >= NAMED_SHARE:
                            scored.append((len(theirs & mine), share, doc, path, rows))
        if not scored:
            return []
        best = max(s[:2] for s in scored)  # the most words of a name, then the most of it
        # the tables named best, tied: each document's (several have "各环节时限"), those of
        # a document the question names by its kind first ("解读中的…表")
        tied = list({(s[2], s[3]): s[2:] for s in scored if s[:2] == best}.values())
        named = {d for d, t in self.titles.items() if _title_named(question, t)}
        if named and not any(d in named for d, _, _ in tied):
            return []  # "规划里…主要指标的表": a table of another kind (the search decides)
        return [t for t in tied if t[0] in named] or tied

    @staticmethod
    def _said(path, rows, columns, counted, nth) -> str:
        """What is asked of one table, in the order a reader wants it."""
        names = _columns(rows)
        if len(names) < 2:
            return ""
        body = [r for r in rows if _first(r) not in TOTALS]
        said = []
        if columns:
            said.append(f"“{path[-1]}”这张表共{len(names)}列：{'、'.join(names)}。")
        if counted:
            firsts = "、".join(_first(r) for r in body)
            said.append(f"“{path[-1]}”这张表共{len(body)}行（{names[0]}：{firsts}）。")
        if nth:
            at = _at(nth, rows)
            if at is None:
                said.append(f"“{path[-1]}”这张表共{len(body)}行，没有{nth.group(0)}。")
            else:
                said.append(f"{nth.group(0)}：{rows[at].text}。")
        return "".join(said)


def _first(row: Passage) -> str:
    """A row's name ("补助对象：小微企业贴息；…" → "小微企业贴息"; "序号：3；服务事项：维权援助"
    → "维权援助"): corpus.markers.row_name of its cells."""
    return row_name([c.split("：", 1)[-1].strip() for c in row.text.split("；")])


def _at(nth, rows: list[Passage]) -> int | None:
    """The row asked for by place, the totals row left out of the count."""
    body = [k for k, r in enumerate(rows) if _first(r) not in TOTALS]
    if nth.group(3):
        k = len(body) - 1
    else:
        n = ordinal(nth.group(2)) or 0
        k = len(body) - n if nth.group(1) else n - 1
    return body[k] if 0 <= k < len(body) else None


def _title_named(question: str, title: str) -> bool:
    """Whether the question names a document by the word its title ends with ("白皮书表2",
    "解读中的…表")."""
    core = re.sub(r"[（(]示例[)）]|[》”\"\s]", "", title)
    return len(core) >= 2 and core[-2:] in question
