"""Which clauses of a question ask, and which times it asks about: a question is often a story
and then its question ("公司去年新授权了几件发明专利，按市里的资助办法每件能拿多少"), and what is
asked is read in the clauses that ask."""

from __future__ import annotations

import re

ASK_SPLIT = re.compile(r"[，,。；;！!？?：:]+")
# A verb asked as "A不A" ("收不收钱", "交不交"): a question whatever the verb.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])不\1")
# A clause closed by a bare negation asks too: "要钱不", "收费不", "交了没".
_NOT_TAG = re.compile(r"[\u4e00-\u9fff](不|没|没有)\s*$")
# "了几件" in a clause not closed by a question mark tells, not asks: "去年新授权了几件专利，…".
_SEVERAL = re.compile(r"了几(?=[个件项次家条份本台笔位名])")
_CLAUSE_TEXT = re.compile(r"[^，,。；;！!？?：:]+")
_TOLD = re.compile(r"[了过]")  # after a time: what happened then ("去年新授权了")


def asking_clauses(text: str, lex) -> list[tuple[int, int]]:
    """(start, end) of the clauses that ask, when only some do (else []). lex: the lexicon
    (its ask_markers and yes_no)."""
    clauses, start = [], 0
    for m in [*ASK_SPLIT.finditer(text), None]:
        end = m.start() if m else len(text)
        asks = bool(m and ("?" in m.group() or "？" in m.group()))
        said = text[start:end]
        if said.strip():
            told = said if asks or m is None else _SEVERAL.sub("了", said)
            asks = (
                asks
                or any(asks for _, asks, _, _ in lex.ask_markers.finditer(told))
                or lex.yes_no.search(said)
                or _A_NOT_A.search(said)
                or _NOT_TAG.search(said)
            )
            clauses.append((start, end, asks))
        start = m.end() if m else end
    asking = [(a, b) for a, b, asks in clauses if asks]
    return asking if len(asking) < len(clauses) else []


def times_asked(text: str, lex) -> list[str]:
    """Other times than the plan's ("去年", "明年"), less those of a clause that does not ask and
    tells what happened then: "公司去年新授权了几件发明专利，按市里的资助办法每件能拿多少" asks
    what a patent earns, not last year's figure; "去年的数据，有多少件" still asks last year's;
    "我们计划参加明年的展会，…" is the asker's story."""
    asking = asking_clauses(text, lex)
    out = []
    for m in _CLAUSE_TEXT.finditer(text):
        clause = m.group()
        times = lex.other_times.find(clause)
        asks = not asking or any(a <= m.start() < b for a, b in asking)
        told = any(_TOLD.search(clause, clause.find(t) + len(t)) for t in times)
        # "我们计划参加明年的展会，排查应该什么时候做": the asker's own story, not what is asked
        mine = any(w in clause[: clause.find(t)] for t in times for w in lex.narrative)
        out += times if asks or not (told or mine) else []
    return out


def relative_years(words: tuple[str, ...], this_year: int | None, lex) -> tuple[str, ...]:
    """The years words like 去年 stand for in this_year (scope.toml [relative_years]), when
    every word of a period is one; else ()."""
    offsets = lex.raw.get("scope.toml", {}).get("relative_years", {})
    if this_year is None or not words or not all(w in offsets for w in words):
        return ()
    return tuple(str(this_year + int(offsets[w])) for w in words)
