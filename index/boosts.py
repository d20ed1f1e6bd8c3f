"""Light, explained boosts on top of rank fusion: named things the question points at."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from corpus.headings import NUMBERING
from corpus.lexicon import lexicon
from corpus.records import Passage
from index.fusion import Fused, boost

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_LABEL = re.compile(r"(?:^|[：；])([^：；]{2,6})：")


def _alternatives(words) -> str:
    return "|".join(re.escape(w) for w in words if w) or "(?!)"


def past_periods() -> re.Pattern:
    """The periods before the plan's own (十三五, 十二五: the lexicon's period_names)."""
    lex = lexicon()
    return re.compile(_alternatives([lex.period_past, *lex.periods_earlier]))


PAST = past_periods()
# Plan periods are everywhere in the text; they say when, not what, so they never count
# toward a title or phrase match.
_lex = lexicon()
_PERIOD = re.compile(
    rf"({_alternatives([_lex.period_current, _lex.period_past, *_lex.periods_earlier])})"
    r"(时期|末|期间)?"
)
MIN_PHRASE = 6  # characters in common before a shared phrase counts
# A phrase more passages than this hold is what the documents are about ("知识产权质押贷款" in
# the pledge rules, in half their articles), not what sets one passage apart: its boost is
# shared out, PHRASE_HOLDERS / holders of it.
PHRASE_HOLDERS = 6
# A match found only through the terms searched with the question (the lexicon's words for its
# everyday ones), not in the question's own words, counts this share of one found in them: the
# lexicon maps words to the plan's terms, and another document may use those for other things
# ("服务大厅" → "知识产权公共服务" matched an FAQ pair about booking through a service platform).
# With several documents loaded their BM25 weight is this share too ("纠纷" → the plan's
# "纠纷多元化解决机制" put the plan first for a guide's question about 纠纷).
EXPANDED_SHARE = 0.5
# A row named by its first cell earns a full boost from this many characters on, less for a
# shorter name ("受理" is also part of "受理期"): enough to rank it above its table's other
# rows, not to pull a table over another document's passage that matches the question better.
ROW_NAME_FULL = 4
# An FAQ pair whose question shares more than this share of its character pairs with the
# user's is boosted, fully when it shares all.
FAQ_SHARE = 0.5


# A passage under a heading that gives the kind of thing asked for ("五、办理时限").
HEADING_WEIGHT = 0.1
# Such a heading is a short title ("五、办理时限"), not a table's lead-in that mentions the word.
HEADING_LEN = 8
# An item the question names by its label ("主题是什么" and "主题：推动高质量发展；…"): worth
# being first in both lists (index.fusion), more than a shared phrase.
LABEL_WEIGHT = 2.0


@lru_cache(maxsize=1)
def kind_patterns() -> dict[str, tuple[re.Pattern, ...]]:
    """What a passage giving one kind of thing looks like, per kind (evidence.toml
    [patterns]: a fee's 元, a time limit's 工作日…)."""
    raw = lexicon().raw.get("evidence.toml", {}).get("patterns", {})
    return {kind: tuple(re.compile(p, re.M) for p in ps) for kind, ps in raw.items()}


def kind_headings() -> dict[str, list[str]]:
    """Words of a heading that gives one kind of thing, per kind (evidence.toml [headings])."""
    return lexicon().raw.get("evidence.toml", {}).get("headings", {})


@lru_cache(maxsize=1)
def contact_ways() -> dict[str, tuple[frozenset[str], tuple[re.Pattern, ...]]]:
    """Per way of contacting the office (evidence.toml [contacts]: email, phone…), the words
    asking for it and what a passage giving it shows."""
    raw = lexicon().raw.get("evidence.toml", {}).get("contacts", {})
    return {
        way: (frozenset(w.lower() for w in c["asks"]), tuple(re.compile(p) for p in c["shows"]))
        for way, c in raw.items()
    }


@lru_cache(maxsize=512)
def asked_ways(words: tuple[str, ...]) -> tuple[tuple[re.Pattern, ...], ...]:
    """The patterns of each way of contacting asked for, when every word asks for one of
    them ("邮箱地址"); () when a word asks for contact details at large ("联系方式")."""
    ways = []
    for w in words:
        way = next((shows for asks, shows in contact_ways().values() if w.lower() in asks), None)
        if way is None:
            return ()
        ways.append(way)
    return tuple(dict.fromkeys(ways))


_GIVEN = re.compile("地址")


def gives_contact(text: str) -> bool:
    """A phone number, an e-mail address or the word 地址 in the text."""
    ways = contact_ways()
    shown = [p for way in ("phone", "email") for p in ways.get(way, ((), ()))[1]]
    return any(p.search(text) for p in [*shown, _GIVEN])


def under_kind_heading(p: Passage, kind: str) -> bool:
    """Whether a passage sits under a short heading that gives this kind of thing."""
    words = kind_headings().get(kind, ())
    return any(w in s for s in p.section if len(s) <= HEADING_LEN for w in words)


# (passage, why, weight, only if it is already a candidate by then)
Planned = tuple[int, str, float, bool]


def apply_plan(fused: dict[int, Fused], planned: list[Planned]) -> None:
    """Boosts in their planned order; a conditional one only for a passage that is a
    candidate by then (an earlier boost may have made it one)."""
    for i, why, weight, if_candidate in planned:
        if not if_candidate or i in fused:
            boost(fused, i, why, weight)


def squash(text: str) -> str:
    """Text without spaces and punctuation, for containment checks."""
    return _PUNCT.sub("", text)


def title_core(title: str) -> str:
    return _PERIOD.sub("", squash(NUMBERING.sub("", title)))


def _faq_question(text: str) -> str:
    """An FAQ pair's question ("问：…？ 答：…" → "…？")."""
    asked = text.split("答：", 1)[0].split("答:", 1)[0]
    return asked.split("：", 1)[-1] if asked.startswith(("问", "Q", "q")) else asked


def char_pairs(text: str) -> frozenset[str]:
    """The character pairs of a squashed text (FAQ questions, headings named loosely)."""
    return frozenset(text[k : k + 2] for k in range(len(text) - 1))


_REMARK = re.compile(r"[（(][^（）()]*[）)]")


def _first_cell(row: str) -> str:
    """A table row's first cell, less its column's name ("办理环节：受理；…" → "受理")."""
    first = row.split("；", 1)[0]
    return first.split("：", 1)[-1]


def _cell_names(cell: str) -> tuple[str, str]:
    """A cell as written and without its remarks in brackets."""
    return cell, _REMARK.sub("", cell)


def longest_common(a: str, b: str) -> int:
    """The length of the longest text a and b share: the size difflib's find_longest_match
    gives (no junk), without building its table of b for every call. Every prefix of a shared
    text is shared too, so from each start in a the length found so far only has to grow
    while `in` (C) still finds it in b."""
    size = 0
    for start in range(len(a)):
        while start + size < len(a) and a[start : start + size + 1] in b:
            size += 1
    return size


class Booster:
    """Precomputes what each passage can be matched by; applies boosts to fused candidates."""

    def __init__(self, passages: list[Passage]):
        self.passages = passages
        # Overview passages, by the core of their own title ("加强知识产权源头保护").
        self.titles = [
            (title_core(p.section[-1]), i)
            for i, p in enumerate(passages)
            if p.kind == "overview" and p.section and len(title_core(p.section[-1])) >= 4
        ]
        # (a table row's "收费：" is its column's name, which every row of the table has: it
        # names no row, and pulled a whole table of free services over a rule saying 不收费)
        self.labels = [
            (set(_LABEL.findall(p.text)), i) for i, p in enumerate(passages) if p.kind != "row"
        ]
        self.squashed = [_PERIOD.sub("", squash(self._phrase_text(p))) for p in passages]
        # Which passages hold each MIN_PHRASE-character run: a phrase match needs one in common,
        # so only those passages are compared with the question.
        self.grams: dict[str, set[int]] = {}
        for i, text in enumerate(self.squashed):
            for k in range(len(text) - MIN_PHRASE + 1):
                self.grams.setdefault(text[k : k + MIN_PHRASE], set()).add(i)
        # A chapter's overview passes a title match on to its sections' overviews.
        self.children = {
            i: [j for core, j in self.titles if passages[j].section[:-1] == passages[i].section]
            for _, i in self.titles
        }
        past = lexicon().period_past
        self.past = [
            i for i, p in enumerate(passages) if past and any(past in s for s in p.section)
        ]
        self.demoted = [i for i, p in enumerate(passages) if p.kind in ("title", "publisher")]
        # An FAQ pair by the character pairs of its question ("问：专利费减能减多少？").
        self.faq_asks = [
            (pairs, i)
            for i, p in enumerate(passages)
            if p.kind == "faq" and (pairs := char_pairs(squash(_faq_question(p.text))))
        ]
        # The passages under a heading that gives one kind of thing ("五、办理时限"); and for
        # a contact, those that give a phone, an e-mail or an address wherever they stand
        # ("第七条 调解委员会设在…，地址为…，联系电话为…").
        self.kind_sections = {
            kind: [
                i
                for i, p in enumerate(passages)
                if p.kind != "overview"
                and (under_kind_heading(p, kind) or (kind == "contact" and gives_contact(p.text)))
            ]
            for kind in kind_headings()
        }
        # A table row by its first cell ("受理", "评估费补助"), within its table; a cell with a
        # remark in brackets by its name alone too ("评估费补助（各类主体）").
        self.row_keys = [
            (key, tuple(p.section), i)
            for i, p in enumerate(passages)
            if p.kind == "row"
            for key in dict.fromkeys(squash(c) for c in _cell_names(_first_cell(p.text)))
            if len(key) >= 2
        ]

    def _faqs_asked(self, q: str) -> list[Planned]:
        """The FAQ pairs whose question the user's mostly repeats: the share of its character
        pairs found in the question, past FAQ_SHARE, earns up to a full boost."""
        mine = char_pairs(q)
        out: list[Planned] = []
        for pairs, i in self.faq_asks:
            share = len(pairs & mine) / len(pairs)
            if share > FAQ_SHARE:
                weight = round((share - FAQ_SHARE) / (1 - FAQ_SHARE), 3)
                out.append((i, f"常见问题匹配（{share:.0%}）", weight, True))
        return out

    def _rows_named(self, q: str) -> list[Planned]:
        """The rows whose first cell the question names ("受理那一步要几个工作日"); of one
        table's rows only those with the longest such cell ("设立登记" over "登记")."""
        named: dict[tuple[str, ...], list[tuple[str, int]]] = {}
        for key, table, i in self.row_keys:
            if key in q:
                named.setdefault(table, []).append((key, i))
        out: list[Planned] = []
        for rows in named.values():
            best: dict[int, str] = {}  # a row named by its full cell and its name: the longer
            for key, i in rows:
                if len(key) > len(best.get(i, "")):
                    best[i] = key
            rows = [(key, i) for i, key in best.items()]
            longest = max(len(key) for key, _ in rows)
            weight = min(1.0, longest / ROW_NAME_FULL)
            out += [
                (i, f"表格行名匹配：{key}", weight, True) for key, i in rows if len(key) == longest
            ]
        return out

    def _holders(self, phrase: str) -> int:
        """How many passages hold a phrase (at most: those holding each of its MIN_PHRASE runs)."""
        size = MIN_PHRASE
        runs = [self.grams.get(phrase[k : k + size], set()) for k in range(len(phrase) - size + 1)]
        return max(1, len(set.intersection(*runs)))

    @staticmethod
    def _phrase_text(p: Passage) -> str:
        """An overview's own items, without its title and without the titles of its parts
        (those have passages of their own, matched by title)."""
        if p.kind != "overview" or "：" not in p.text:
            return p.text
        items = p.text.split("：", 1)[1].split("；")
        return "；".join(item for item in items if not NUMBERING.match(item))

    def kinds_asked(self, kinds) -> list[Planned]:
        """The passages under a heading that gives what the question asks for (its qualifier
        kinds: duration, fee…), if they are candidates."""
        return [
            (i, f"章节讲{kind}", HEADING_WEIGHT, True)
            for kind in dict.fromkeys(kinds)
            for i in self.kind_sections.get(kind, ())
        ]

    def plan(self, question: str, named_indicator: bool, asked: str | None = None) -> list[Planned]:
        """The boosts the question earns, in the order they are applied; worked out before
        the question's vector is there (the search runs this while the model does).
        asked: the question's own words, without the terms searched with it (for row names)."""
        out: list[Planned] = []
        q = _PERIOD.sub("", squash(question))
        rest = q  # the question less the titles it names, for label matching
        for core, i in self.titles:
            if core in q:
                out.append((i, f"章节标题匹配：{self.passages[i].section[-1]}", 1.0, False))
                rest = rest.replace(core, "")
                for j in self.children.get(i, []):
                    out.append((j, f"所属章节标题匹配：{self.passages[i].section[-1]}", 0.5, False))
        if not named_indicator:
            for labels, i in self.labels:
                hit = next((lab for lab in labels if lab in rest), None)
                if hit:
                    out.append((i, f"条目名称匹配：{hit}", LABEL_WEIGHT, False))
        past = lexicon().period_past
        if PAST.search(question):
            out += [(i, f"“{past}”时期", 0.5, False) for i in self.past]
        else:  # the background's past achievements answer only questions about the past
            out += [(i, f"“{past}”成绩，问题不问过去", -0.5, True) for i in self.past]
        out += self._faqs_asked(q)
        own = _PERIOD.sub("", squash(asked if asked is not None else question))
        out += self._rows_named(own)
        # A long phrase of the question found verbatim in a candidate ("助力区域经济协调发展").
        # The question is the fixed side: SequenceMatcher indexes it once, not per passage.
        sharing = set()
        for k in range(len(q) - MIN_PHRASE + 1):
            sharing |= self.grams.get(q[k : k + MIN_PHRASE], set())
        matcher = SequenceMatcher(None, "", q, autojunk=False)
        holders: dict[str, int] = {}
        for i in sorted(sharing):
            text = self.squashed[i]
            matcher.set_seq1(text)
            found = matcher.find_longest_match(0, len(text), 0, len(q))
            size = found.size
            if size >= MIN_PHRASE:
                weight = min(1.0, (size - 3) / 6)
                phrase = q[found.b : found.b + size]
                if phrase not in own:  # the lexicon's term, not the user's
                    weight *= EXPANDED_SHARE
                if phrase not in holders:
                    holders[phrase] = self._holders(phrase)
                weight *= min(1.0, PHRASE_HOLDERS / holders[phrase])
                out.append((i, f"短语匹配（{size}字）", weight, True))
        # the publisher block answers who put the digest out, not what the plan says
        about_publisher = lexicon().plan_answers.search(question)
        for i in self.demoted:
            if self.passages[i].kind == "title":
                out.append((i, "标题行降权", -1.0, True))
            elif not about_publisher:
                out.append((i, "宣传单位，问题不问出处", -1.0, True))
        return out
