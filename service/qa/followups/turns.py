"""What each earlier turn of a conversation names, and what pointing words point at."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.headings import column_mentions
from corpus.lexicon import lexicon
from corpus.normalize import normalize_question
from index.boosts import squash
from index.local import asks_locally
from service.qa.reading.fields import Asked, detect_field

_SECTION_MENTION = re.compile(
    r"[(（][一二三四五六七八九十]+[)）]\s*[^\s›，。；、,“”:：(（]+"
    r"|(?<![\u4e00-\u9fff])[一二三四五六七八九十]+、[^\s›，。；、,“”:：(（]+"
)


_THREE = re.compile(r"[这那]?(三|3)\s*[个项条]")


@dataclass(frozen=True)
class Turn:
    """What one earlier turn names, in the order it names them."""

    role: str
    text: str
    indicators: tuple[str, ...]
    columns: tuple[int, ...]
    sections: tuple[str, ...]
    field: Asked
    past: bool
    numbered: tuple[int, ...] = ()  # 专栏 written as "专栏N": what an answer lists

    def named(self, kind: str) -> tuple:
        return self.indicators if kind == "indicators" else self.columns


def section_mentions(text: str) -> list[str]:
    return _SECTION_MENTION.findall(text)


MAX_TURN_CHARS = 200
# An answer that lists (15 专栏, a chapter's articles) is read this far for what it lists, so
# that "最后一个呢" after it means the last listed, not the last within the first 200.
MAX_LISTING_CHARS = 1000


class TurnReader:
    """What one earlier turn names (searcher: index.search.Searcher; years: the indicator
    table's years, table_years)."""

    def __init__(self, searcher, years):
        self.matcher = searcher.matcher
        self.columns_named = searcher.columns_named
        self.titles = searcher.column_titles
        self.units = {i.name: i.unit for i in searcher.indicators}
        # a national table's rows, which a question about the city does not name (index.local)
        self.national = searcher.national_indicators
        self.years = years
        self.lex = lexicon()
        # the documents' headings: a "(一)…" an answer quotes is a section only if one is headed so
        self.headings = frozenset(squash(h) for p in searcher.passages for h in p.section)

    def __call__(self, role: str, content: str) -> Turn | None:
        text = normalize_question(content[:MAX_TURN_CHARS])
        if not text:
            return None
        # only 专栏 this corpus has: a user may write 专栏99, a smaller corpus may lack some
        listing = text
        if role == "assistant" and len(content) > MAX_TURN_CHARS:
            listing = normalize_question(content[:MAX_LISTING_CHARS])
        numbered = tuple(dict.fromkeys(n for _, n in column_mentions(listing) if n in self.titles))
        return Turn(
            role=role,
            text=text,
            indicators=self._rows_named(text, loosely=role == "user"),
            # "专栏11 …：推进商标品牌富农、地理标志兴农" is about 专栏11, not 专栏5 by its short name;
            # an answer names a 专栏 as 专栏N (one about a guide to 数据知识产权登记 names none)
            columns=numbered or (tuple(self.columns_named(text)) if role == "user" else ()),
            numbered=numbered,
            sections=tuple(m for m in section_mentions(listing) if self._heads(m)),
            field=detect_field(text, self.years),
            past=self.lex.past_period.search(text),
        )

    def _heads(self, mention: str) -> bool:
        """Whether a section the text names ("(九) 完善…", cut at a comma) starts a heading."""
        start = squash(mention)
        return any(h.startswith(start) for h in self.headings)

    def _rows_named(self, text: str, loosely: bool = True) -> tuple[str, ...]:
        """Rows a turn names: in full, in the order written (an answer may list two); else
        (loosely: a question's words) the matcher's best. An answer about a row names it in
        full; one quoting another document's title (…质押融资风险补偿资金管理办法) names none."""
        verbatim = sorted((text.find(n), n) for n in self.units if n in text)
        if verbatim or not loosely:
            return tuple(n for _, n in verbatim)
        skip = self.national if asks_locally(text) else ()  # "全市发明专利授权多少件"
        return tuple(i.name for i, _ in self.matcher.match(text) if i.name not in skip)


def _distinct(turns: list[Turn], kind: str) -> list:
    """Entities of a kind, newest turn first, each once."""
    seen: list = []
    for t in turns:
        for name in t.named(kind):
            if name not in seen:
                seen.append(name)
    return seen


def _in_group(question: str, names: list[str], units: dict[str, str]) -> list[str]:
    """ "那俩占GDP的", "钱那两个": only the rows of the group the question names, if it does."""
    lex = lexicon()
    groups = [
        key for _, (section, key), _, _ in lex.table_words.finditer(question) if section == "group"
    ]
    if not groups:
        return names
    keep = []
    for key in groups:
        group = lex.table_groups.get(key, {})
        contains, unit = group.get("name_contains", []), group.get("unit")
        keep += [n for n in names if any(c in n for c in contains) or units.get(n) == unit]
    return [n for n in names if n in keep] or names


def plural(question: str, turns: list[Turn], units: dict[str, str]) -> tuple[str, list] | None:
    """ "这两个", "它俩": the newest turn naming two of a kind, else the two newest named (in
    the order they were asked; "这三个" three); rows narrowed to a group the question names
    ("占GDP的那俩")."""
    how_many = 3 if _THREE.search(question) else 2
    for kind in ("indicators", "columns"):

        def narrow(names, kind: str = kind) -> list:
            return _in_group(question, list(names), units) if kind == "indicators" else list(names)

        newest = next((t for t in turns if len(narrow(t.named(kind))) >= 1), None)
        if newest is not None and len(narrow(newest.named(kind))) >= max(2, how_many):
            return kind, narrow(newest.named(kind))[:3]
        names = narrow(_distinct(turns, kind))
        if len(names) >= 2:
            return kind, list(reversed(names[: max(2, how_many)]))
    return None


def other(turns: list[Turn]) -> tuple[str, list] | None:
    """ "另一个": the newest pair named, less the one the conversation went on with."""
    for kind in ("columns", "indicators"):
        pair = next((t.named(kind) for t in turns if len(t.named(kind)) >= 2), None)
        if pair is None:
            continue
        one = next(
            (
                t.named(kind)[0]
                for t in turns
                if len(t.named(kind)) == 1 and t.named(kind)[0] in pair
            ),
            None,
        )
        rest = [n for n in pair if n != one]
        if one is not None and rest:
            return kind, rest[:1]
    return None


def first_asked(turns: list[Turn]) -> tuple[str, list] | None:
    """ "我第一个问的那个指标": what the earliest question in view named, or else the answer
    it got ("小企业IP有专门的专栏吗" → "专栏8 …")."""
    oldest_first = list(reversed(turns))
    for i, t in enumerate(oldest_first):
        if t.role != "user":
            continue
        answer = oldest_first[i + 1] if i + 1 < len(oldest_first) else None
        said = [t] + ([answer] if answer is not None and answer.role == "assistant" else [])
        for turn in said:
            for kind in ("indicators", "columns"):
                if turn.named(kind):
                    return kind, list(turn.named(kind)[:1])
    return None


def latest(turns: list[Turn], prefer: str | None = None) -> tuple[str, list] | None:
    """ "它", or no pointing word: the newest thing named, by either side (a section an answer
    named counts: "最后那条呢" after "八、实施保障" and its four sections); "那个指标" the
    newest of that kind."""
    if prefer in ("indicators", "columns"):
        named = next((t.named(prefer) for t in turns if t.named(prefer)), ())
        if named:
            return prefer, list(named[: 2 if prefer == "indicators" else 1])
    for t in turns:
        if t.indicators:
            return "indicators", list(t.indicators[:2])
        if t.columns:
            return "columns", list(t.columns[:1])
        if t.sections and t.role == "assistant":
            return "sections", list(t.sections[:1])
    return None
