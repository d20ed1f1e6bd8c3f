"""Answer the part asked: of a passage that answers, the clauses that give the kind of thing
the question asks for (a fee, a time limit, a contact…) about its subject, whole clauses only;
an FAQ pair answers with its 答, not by repeating the 问."""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.lexicon import lexicon
from service.qa.answering.evidence import shows
from service.qa.reading.understand import Qualifier

_FAQ = re.compile(r"^\s*问[：:].*?答[：:]\s*", re.S)
# Clause ends: a sentence's end, a list's semicolon, a line.
_UNITS = re.compile(r"(?<=[。；！？])|\n+")
_ARTICLE = re.compile(r"^(第[一二三四五六七八九十百零〇\d]+条)\s*")
_LEAD = re.compile(r"^([^，。；：]{2,20})：")
# Kinds a clause can show by itself; a procedure, a list of materials or a definition is
# the whole passage.
EXTRACTED = frozenset({"fee", "duration", "contact", "when", "where", "who", "figure"})
FAQ_WHOLE = 200  # an FAQ answer up to this long is given whole
MAX_UNITS = 3  # clauses in one answer, at most
MAX_CHARS = 160  # …and characters, beyond the first clause


def answer_body(text: str) -> str:
    """The passage less an FAQ pair's question."""
    return _FAQ.sub("", text, count=1)


def _lead(text: str) -> str:
    """What the clauses belong to: '第十一条', '（二）相关服务费用' ('' for none)."""
    m = _ARTICLE.match(text) or _LEAD.match(text)
    return m.group(1) if m else ""


def _units(body: str) -> list[str]:
    return [u.strip(" ；") for u in _UNITS.split(body) if u.strip(" ；。")]


def _shared(words: tuple[str, ...], unit: str) -> int:
    return sum(len(w) for w in words if w in unit)


def part_asked(
    text: str,
    kinds: tuple[str | Qualifier, ...],
    words: tuple[str, ...],
    kind: str = "text",
    asking: tuple[str, ...] = (),
    question: str = "",
) -> str | None:
    """The clauses of a passage (of this kind: text, article, faq, row…) that show every kind
    asked (or, failing that, any), those sharing the question's words first and kept in the
    document's order; None when the passage is one clause already or none shows what is
    asked (kinds, or the question's qualifiers, whose own words may ask more narrowly: "电话"
    is a number). words: the question's content words; asking: those of the clauses that ask
    ("…开副本要收钱，我们学校也要交吗": 学校), which count first. An FAQ answer short enough is
    given whole; a table row keeps its first cell (whose row it is), and gives the cells
    whose column the question asks for (`_column_asked`)."""
    faq, row = kind == "faq", kind == "row"
    body = answer_body(text) if faq else text
    if faq and len(body) <= FAQ_WHOLE:
        return body.strip()
    units = _units(body.replace("；", "；\n") if row else body)
    quals = [k if isinstance(k, Qualifier) else Qualifier(k, ()) for k in kinds]
    # a programme named ("交资助申请的时候要不要翻译": 资助) chooses no clause: the words asked do
    quals = [q for q in quals if q.kind in EXTRACTED and not q.named]
    asked = tuple(dict.fromkeys(q.kind for q in quals))
    cells = units[1:] if row else units
    named = [u for u in cells if _column_asked(u, question)] if row else []
    if not asked and not named:
        return _first_of(body, units) if faq else None
    showing = [(u, {q.kind for q in quals if shows(q, u)}) for u in cells]
    showing = [(u, ks | ({"cell"} if u in named else set())) for u, ks in showing]
    showing = [(u, ks) for u, ks in showing if ks]
    asked = (*asked, "cell") if named else asked
    if not showing or (len(units) <= 1 and not faq):
        return None
    # the clause most about the question's subject, then one showing more of what is asked;
    # a time asked in advance: one saying how long before, first
    ahead = ahead_of(question)
    ranked = sorted(
        showing,
        key=lambda pair: (
            -ahead(pair[0]),
            -_shared(asking, pair[0]),
            -_shared(words, pair[0]),
            -len(pair[1]),
        ),
    )
    first = [ranked[0]]
    for kind in asked:  # "由谁来做，要几个工作日": a clause for each thing asked
        if not any(kind in ks for _, ks in first):
            first += [pair for pair in ranked if kind in pair[1]][:1]
    more = [pair for pair in ranked if pair not in first and _shared(words, pair[0]) > 0]
    if row:  # a row is one short record: every cell that shows what is asked
        more = [pair for pair in ranked if pair not in first]
    picked: list[str] = []
    for u, _ in first + more:
        full = len(picked) >= MAX_UNITS or sum(map(len, picked)) + len(u) > MAX_CHARS
        if picked and full and not row:
            break
        picked.append(u)
    picked = [u for u in units if u in picked]  # in the document's order
    out = "；".join(u.rstrip("。；") for u in picked)
    if row:  # the row's first cell says whose row it is
        return f"{units[0].rstrip('；')}；{out}"
    lead = _lead(body)
    return f"{lead}：{out}" if lead and not out.startswith(lead) else out


def _column_asked(cell: str, question: str) -> bool:
    """Whether the question asks for this cell by its column: the column's name said ("责任
    部门是哪个"), or an everyday way of asking for what the column holds ("办完给个啥": 结果;
    evidence.toml [cells])."""
    column = cell.split("：", 1)[0] if "：" in cell else ""
    if len(column) < 2 or not question:
        return False
    if column in question:
        return True
    for ways in _cell_asks():
        if any(c in column for c in ways["columns"]) and any(a in question for a in ways["asks"]):
            return True
    return False


@lru_cache(maxsize=1)
def _cell_asks() -> tuple[dict, ...]:
    cells = lexicon().raw.get("evidence.toml", {}).get("cells", {})
    return tuple(
        {"asks": tuple(v.get("asks", ())), "columns": tuple(v.get("columns", ()))}
        for v in cells.values()
    )


@lru_cache(maxsize=1)
def _advance() -> tuple[tuple[str, ...], tuple[re.Pattern, ...]]:
    table = lexicon().raw.get("evidence.toml", {}).get("advance", {})
    return tuple(table.get("asks", ())), tuple(re.compile(p) for p in table.get("shows", ()))


def ahead_of(question: str):
    """unit → 1 when the question asks how long in advance and the unit says how long before
    (evidence.toml [advance]), else 0."""
    asks, shows = _advance()
    if not any(a in question for a in asks):
        return lambda unit: 0
    return lambda unit: int(any(p.search(unit) for p in shows))


def _first_of(body: str, units: list[str]) -> str:
    """An FAQ answer asked about as a whole: all of it when short, else its first clauses."""
    if len(body) <= MAX_CHARS or not units:
        return body.strip()
    picked: list[str] = []
    for u in units:
        if picked and sum(map(len, picked)) + len(u) > MAX_CHARS:
            break
        picked.append(u)
    return "；".join(u.rstrip("。；") for u in picked)
