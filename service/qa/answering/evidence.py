"""Answerability by evidence: does a retrieved passage give the kind of thing the question asks
for (a fee, a time limit, a contact, a figure for that place…)? The shapes are data
(corpus/lexicon/evidence.toml); no list says what one document lacks."""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.lexicon import lexicon
from corpus.normalize import normalize_text
from index.boosts import asked_ways, kind_patterns, under_kind_heading
from service.qa.reading.understand import Qualifier

# Kinds shown by the question's own words appearing in the passage.
BY_WORDS = frozenset({"place", "organization", "period"})
# How many of the best passages are read for evidence.
EVIDENCE_DEPTH = 3
# …and for a question asking several things, each of which one passage may give.
PARTS_DEPTH = 5


def shows(q: Qualifier, text: str) -> bool:
    """Whether this passage text gives what the qualifier asks for."""
    if q.kind in BY_WORDS:
        norm = normalize_text(text)
        return bool(q.words) and all(
            normalize_text(w) in norm or (q.kind == "place" and _abroad(w, norm)) for w in q.words
        )
    if q.named and any(w in text for w in q.words):
        return True
    if q.kind == "contact" and (ways := asked_ways(q.words)):
        return all(any(p.search(text) for p in way) for way in ways)
    found = kind_patterns().get(q.kind)
    return bool(found) and any(p.search(text) for p in found)


def _abroad(place: str, text: str) -> bool:
    """A foreign place, and a passage about what happens abroad (境外, 海外: scope.toml [abroad])."""
    abroad = lexicon().raw.get("scope.toml", {}).get("abroad", {})
    return place.lower() in abroad.get("places", ()) and any(
        w in text for w in abroad.get("words", ())
    )


def _shown(q: Qualifier, p) -> bool:
    """shows() of a passage: a place, company or period also by its headings ("八、2026年工作
    打算" is about 2026 for each of its items)."""
    if q.years and all(y in (p.doc_title or "") for y in q.years):
        return True  # "去年赔了多少钱" in 2026, and the 2025 annual report
    if q.kind in BY_WORDS and p.section:
        return shows(q, " ".join([*p.section, p.text]))
    return shows(q, p.text)


def _about(p, objects: tuple[str, ...], framed: bool = False) -> bool:
    """Whether a passage is about every kind of IP the question names (by its text, its
    headings or its document's title). framed: the kinds are named only in the question's
    story ("平台说我们侵犯他的外观专利，最晚几天内要申诉"), so a passage that names no kind of
    IP at all (how any complaint is answered) is about them too; one about another kind is not."""
    if not objects:
        return True
    names = lexicon().ip_objects
    context = normalize_text(" ".join([p.doc_title or "", *p.section, p.text]))
    if all(any(n in context for n in names.get(k, ())) for k in objects):
        return True
    return framed and not any(n in context for ns in names.values() for n in ns)


def mentions(query, p, known) -> bool:
    """Whether a passage names what a yes/no question asks about: every word of its asking
    part (not a stopword, not a way of naming the documents or of asking) is one the documents
    use, and one of them is in the passage, its headings or its document's title. Only then
    does the answer start by saying it does ("规划提到要建火星基地吗": 火星 it never uses).
    known(tokens): those of the tokens the documents use."""
    from corpus.tokens import tokenize

    lex = lexicon()
    framing = {w for index in (lex.plan_reference, lex.yes_no) for w in index.find(query.asking)}
    words = [
        t
        for t in tokenize(query.asking, normalized=True)
        if len(t) >= 2 and not any(t in f or f in t for f in framing)
    ]
    if not words or len(known(words)) < len(words):
        return False
    context = normalize_text(" ".join([p.doc_title or "", *p.section, p.text]))
    return any(normalize_text(t) in context for t in words)


@lru_cache(maxsize=1)
def _service_heads() -> tuple[str, ...]:
    """What a named service or fee ends with (evidence.toml [services] heads)."""
    return tuple(lexicon().raw.get("evidence.toml", {}).get("services", {}).get("heads", []))


@lru_cache(maxsize=1)
def _service_pattern() -> re.Pattern | None:
    heads = _service_heads()
    if not heads:
        return None
    return re.compile(f"(?=([\u4e00-\u9fff]{{2}})({'|'.join(map(re.escape, heads))}))")


def services(asking: str) -> tuple[str, ...]:
    """The services the asking part names by what they register ("转让登记"): a word of its
    own before the head, not a way of asking or doing (evidence.toml [services])."""
    from corpus.tokens import word_frequency

    pattern = _service_pattern()
    if pattern is None:
        return ()
    generic = set(lexicon().raw.get("evidence.toml", {}).get("services", {}).get("generic", []))
    names = lexicon().ip_objects
    ip_words = {n for ns in names.values() for n in ns}
    out = []
    for m in pattern.finditer(normalize_text(asking)):
        word, head = m.group(1), m.group(2)
        if word in generic or word in ip_words or word_frequency(word) <= 0:
            continue
        out.append(word + head)
    return tuple(dict.fromkeys(out))


def _names(p, named: tuple[str, ...]) -> bool:
    """Whether a passage names every service the question does (text, headings, title): as
    asked, or its own word and its head apart ("数据登记" in a guide titled 数据知识产权登记;
    "转让登记" still not in one about 变更登记 that never says 转让)."""
    if not named:
        return True
    context = normalize_text(" ".join([p.doc_title or "", *p.section, p.text]))
    return all(n in context or _apart(n, context) for n in named)


def _apart(name: str, context: str) -> bool:
    head = next((h for h in _service_heads() if name.endswith(h)), None)
    return head is not None and name[: -len(head)] in context and head in context


def answering(
    qualifiers: tuple[Qualifier, ...],
    passages: list,
    objects: tuple[str, ...] = (),
    named: tuple[str, ...] = (),
    framed: bool = False,
    rows_count: bool = True,
    asking: str = "",
) -> int | None:
    """The position of the first of the best passages that shows every qualifier, about the
    kinds of IP and the services the question names (None: none does, so the question is
    only `related`). An indicator row shows a figure, nothing else (rows_count: and only
    for a question with some word of the documents)."""
    only_figure = rows_count and all(q.kind == "figure" for q in qualifiers)
    for i, p in enumerate(passages[:EVIDENCE_DEPTH]):
        if p.kind == "row" and cell_asked(p.text, asking):
            return i  # "表里维权援助的服务对象是谁": that row's 服务对象 cell
        if p.kind == "indicator":
            if only_figure:
                return i  # the row is the figure
            continue
        if (
            all(_shown(q, p) for q in qualifiers)
            and _about(p, objects, framed)
            and _names(p, named)
        ):
            return i
    return None


_CELL = re.compile(r"(?:^|；)([^：；]{2,12})：([^；]+)")


def cell_asked(row: str, asking: str) -> bool:
    """Whether a question asks one cell of a table row by its column ("服务对象是谁") of the
    row it names by another of its cells ("知识产权维权援助")."""
    cells = _CELL.findall(row)
    asked = [c for c, _ in cells if c in asking]
    return bool(asked) and any(len(v) >= 4 and v in asking for c, v in cells if c not in asked)


def elsewhere(
    qualifiers: tuple[Qualifier, ...],
    passages: list,
    objects: tuple[str, ...],
    named: tuple[str, ...] = (),
    framed: bool = False,
) -> tuple[str, ...]:
    """The kinds of IP and services the question names that keep one of the best passages
    from answering it: the passage shows what is asked, but of another kind of IP or another
    service ("商标质押怎么登记" and a guide to 专利质押登记; "转让登记要几个工作日" and the
    time limit of 变更登记). Empty when no such passage is among the best."""
    for p in passages[:EVIDENCE_DEPTH]:
        if p.kind != "indicator" and all(_shown(q, p) for q in qualifiers):
            missing = tuple(k for k in objects if not _about(p, (k,), framed))
            missing += tuple(n for n in named if not _names(p, (n,)))
            if missing:
                return missing
    return ()


def answering_each(
    qualifiers: tuple[Qualifier, ...],
    passages: list,
    objects: tuple[str, ...] = (),
    named: tuple[str, ...] = (),
    framed: bool = False,
) -> tuple[tuple[tuple[int, tuple[Qualifier, ...]], ...], tuple[Qualifier, ...]]:
    """A question asking several things at once ("要带什么材料，要多久，收不收钱") that no one
    passage answers: of the best passages, the first that shows each thing asked, about the
    place, company or period it names, its kinds of IP and its services, as ((position, what
    it shows), …) in the order asked; and apart, what none of them shows. ((), ()) for a
    question asking one thing."""
    subject = [q for q in qualifiers if q.kind in BY_WORDS]
    asked = [q for q in qualifiers if q.kind not in BY_WORDS]
    if len(asked) < 2:
        return (), ()
    parts: dict[int, list[Qualifier]] = {}
    missing = []
    for q in asked:
        showing = [
            i
            for i, p in enumerate(passages[:PARTS_DEPTH])
            if p.kind != "indicator"
            and _shown(q, p)
            and all(_shown(c, p) for c in subject)
            and _about(p, objects, framed)
            and _names(p, named)
        ]
        # one under a heading for what is asked ("五、办理时限") before a step's own time
        at = next((i for i in showing if under_kind_heading(passages[i], q.kind)), None)
        at = showing[0] if at is None and showing else at
        if at is None:
            missing.append(q)
        else:
            parts.setdefault(at, []).append(q)
    return tuple((i, tuple(qs)) for i, qs in parts.items()), tuple(missing)
