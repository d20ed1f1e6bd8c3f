"""A follow-up about a sibling subject, asked as the earlier question was."""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.lexicon import lexicon
from corpus.tokens import cut_with_places
from index.boosts import asked_ways


@lru_cache(maxsize=1)
def _ip_names() -> re.Pattern:
    """One or more names of kinds of IP in a row ("发明专利", "实用新型", "商标"): the
    lexicon's kinds and their names (evidence.toml [objects])."""
    objects = lexicon().ip_objects
    names = {n for ns in objects.values() for n in ns} | set(objects)
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
    return re.compile(f"(?:{alternatives})+" if alternatives else "(?!)")


def swap_subject(previous: str, rest: str) -> str | None:
    """The earlier question about a sibling subject: "变更登记呢" after "专利质押设立登记
    多久能办完" → "专利质押变更登记多久能办完": the follow-up's last word (登记) is in the
    earlier question, and the words before it there give way to the follow-up's. Without
    a last word in common, None: which words were the subject is not known."""
    new = [w for w, _, _ in cut_with_places(rest) if w.strip()]
    if len(new) < 2:
        return None
    head, lead = new[-1], "".join(new[:-1])
    if len(head) < 2 or len(lead) < 2:
        return None  # "第6个": a number, not a subject
    at = previous.rfind(head)
    start = at - len(lead)
    if at < 0 or start < 0 or previous[start:at] == lead:
        return None  # no word in common, or the same subject again
    return previous[:start] + lead + previous[at:]


def swap_kind(previous: str, rest: str) -> str | None:
    """A follow-up that is only a kind of IP takes the place of the kind the earlier question
    named: "实用新型呢" after "发明专利一般多久能授权" → "实用新型一般多久能授权". Here the
    lexicon says which words were the subject (evidence.toml [objects]); None otherwise."""
    names = _ip_names()
    rest = rest.removesuffix("的")  # "那外观设计的呢": the design patent's
    if not names.fullmatch(rest):
        return None
    m = names.search(previous)
    if m is None or m.group() == rest:
        return None
    return previous[: m.start()] + rest + previous[m.end() :]


_YEAR_ONLY = re.compile(r"^(?:那么?|那)?\s*(\d{4})\s*年?\s*(?:的|的话)?\s*(?:呢|怎么样|如何)?$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?=\s*年)")


def swap_year(previous: str, question: str, table_years=()) -> str | None:
    """ "那2026年呢" after "快速维权中心到2027年要达到几家": the earlier question of that year.
    None when the follow-up is not a year alone, the earlier question names none or the same,
    or both years are the indicator table's columns (the conversation is on the table, whose
    follow-ups name its columns); "那2024年呢" after a 2025 question is that question of 2024
    though 2025 is a column: the table has no 2024 to follow up with."""
    m = _YEAR_ONLY.match(question.strip(" ，,。？?"))
    years = list(_YEAR.finditer(previous))
    if m is None or not years:
        return None
    old, new = years[-1], m.group(1)
    if old.group(1) == new or (old.group(1) in table_years and new in table_years):
        return None
    return previous[: old.start()] + new + previous[old.end() :]


def _other_contact(earlier: str, question: str) -> bool:
    """ "在哪里办公" after "服务热线多少": another way of reaching the office than the one
    asked before (evidence.toml [contacts]), so a new ask of the same subject."""

    def ways(text: str) -> set:
        found = [p for p, kind, _, _ in lexicon().qualifiers.finditer(text) if kind == "contact"]
        return set(asked_ways(tuple(found)))

    mine = ways(question)
    return bool(mine) and not mine <= ways(earlier)


# "那注销登记呢，也要交这么多吗": a subject in place of the last one, then more said about it.
_OPENING = re.compile(r"^(?:那么?|那)?\s*([^\s,，。？?！!]{2,8})呢[\s,，]+\S")


def swap_opening(question: str, previous: str) -> str | None:
    """A follow-up that opens with "X呢" and says more: the earlier question about X (the rest
    only leans on what it asked, "这么多"); None when it does not open so or X swaps nothing."""
    m = _OPENING.match(question)
    if m is None:
        return None
    return swap_subject(previous, m.group(1)) or swap_kind(previous, m.group(1))


def asked_anew(earlier: str, question: str) -> tuple[str, str] | None:
    """A follow-up that asks a kind of thing of its own ("收钱吗" after "…要多久能办好"): the
    earlier question less what it asked, and the follow-up with the words it asks by (its
    "吗" too: "收钱吗" asks a fee, "收钱" says nothing). None when the follow-up asks no kind
    the earlier did not (scope.toml [qualifiers])."""
    phrases = lexicon().qualifiers
    mine = {kind for _, kind, _, _ in phrases.finditer(question) if kind}
    theirs = [(start, kind) for _, kind, start, _ in phrases.finditer(earlier) if kind]
    if not mine or not theirs:
        return None
    if mine <= {kind for _, kind in theirs} and not _other_contact(earlier, question):
        return None
    subject = earlier[: min(start for start, _ in theirs)].rstrip("要得需还能可的，, ")
    own = _OPENER.sub("", question).strip(" ，,。？?")
    return (subject, own) if len(subject) >= 2 else None


_OPENER = re.compile(r"^(?:那么?|那个|还有|另外)\s*")
