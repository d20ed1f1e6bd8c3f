"""Follow-up questions resolved against the whole conversation, in bounded work; stateless.

"那这两个加起来呢？" after two questions that each named an indicator, "另一个呢？" after an
answer that named a pair, "排在它前面的那个专栏" after one about 专栏5, "那2020年呢？" after a
comparison: the question is rewritten to name what it refers to. Only the last MAX_TURNS
turns, each cut to MAX_TURN_CHARS, are read, and the result is cut to MAX_RESOLVED_CHARS,
so no history can make the work or the searched text grow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.lexicon import lexicon
from corpus.normalize import normalize_question
from corpus.tokens import tokenize
from service.qa.fields import Asked, detect_field, field_phrase, field_words

MAX_TURNS = 8
MAX_TURN_CHARS = 300
MAX_RESOLVED_CHARS = 200
SHORT = 14
_THIS_SECTION = re.compile(r"这一?[节章部]|该[节章部]|本[节章]|这一?部分|这个部分")
_SECTION_MENTION = re.compile(r"[(（][一二三四五六七八九十]+[)）]\s*[^\s›，。；、,]+")
_TAIL = re.compile(r"(有哪些|是什么|包括哪些|包括什么|有什么|怎么样|如何|是多少)\S*$")
_TRAILING = re.compile(r"(呢|吗|呀|啊|嘛)[?？!！。.\s]*$")
ORDER = ("before", "after", "last", "first")


@dataclass(frozen=True)
class Turn:
    """What one earlier turn names."""

    role: str
    text: str
    indicators: tuple[str, ...]
    columns: tuple[int, ...]
    sections: tuple[str, ...]
    field: Asked
    past: bool


class Resolver:
    """Rewrites a follow-up to name what it refers to; needs the search's matchers."""

    def __init__(self, searcher, is_plan_word=None):
        """is_plan_word(token): whether the plan uses the word (default: BM25's vocabulary)."""
        self.is_plan_word = is_plan_word or searcher.knows
        self.matcher = searcher.matcher
        self.columns_named = searcher.columns_named
        self.titles = searcher.column_titles
        self.lex = lexicon()

    # --- reading turns -----------------------------------------------------------------------

    def _turn(self, role: str, content: str) -> Turn | None:
        text = normalize_question(content[:MAX_TURN_CHARS])
        if not text:
            return None
        return Turn(
            role=role,
            text=text,
            indicators=tuple(i.name for i, _ in self.matcher.match(text)),
            columns=tuple(self.columns_named(text)),
            sections=tuple(_SECTION_MENTION.findall(text)),
            field=detect_field(text),
            past=self.lex.past_period.search(text),
        )

    def _history(self, history: list[tuple[str, str]]) -> list[Turn]:
        """The last turns, newest first."""
        turns = []
        for role, content in reversed(history[-MAX_TURNS:]):
            turn = self._turn(role, content)
            if turn is not None:
                turns.append(turn)
        return turns

    # --- the current question ----------------------------------------------------------------

    def _marks(self, question: str) -> dict[str, list[str]]:
        marks: dict[str, list[str]] = {}
        for phrase, kind, _, _ in self.lex.conversation.finditer(question):
            if kind != "plan":
                marks.setdefault(kind, []).append(phrase)
        return marks

    def _strip(self, question: str, marks: dict[str, list[str]]) -> str:
        """The question less its pointing words ("那", "这两个", "呢")."""

        def keep(kind: str, phrase: str) -> str:
            if kind == "back_in_time":
                return "十三五"
            return phrase if kind in (*ORDER, "plan") else ""  # "最后一条" says which one

        kept = "".join(keep(k, p) if k else p for k, p in self._pieces(question))
        return _TRAILING.sub("", kept).strip(" ,，。？?")

    def _pieces(self, text: str):
        """(kind or None, text) pieces: the pointing phrases and what lies between them."""
        last = 0
        for _, kind, start, end in self.lex.conversation.finditer(text):
            if start > last:
                yield None, text[last:start]
            yield kind, text[start:end]
            last = end
        if last < len(text):
            yield None, text[last:]

    def _subject_words(self, text: str) -> list[str]:
        """The plan's own words in the text, less those that only say which value or which
        computation ("2025年", "几倍"): what the text is about."""
        skip = field_words() | self.lex.computing_words
        return [
            t for t in tokenize(text, normalized=True) if t not in skip and self.is_plan_word(t)
        ]

    def _computes(self, text: str) -> bool:
        return any(t in self.lex.computing_words for t in tokenize(text, normalized=True))

    def _elliptical(self, question: str, marks: dict[str, list[str]], named: bool) -> bool:
        if {"plural", "other", *ORDER} & set(marks):
            return True
        if "singular" in marks and not named:
            # "它属于哪一部分" leans on the last turn; "这个规划的主线是什么" does not
            first = next(
                (
                    start
                    for _, kind, start, _ in self.lex.conversation.finditer(question)
                    if kind == "singular"
                ),
                len(question),
            )
            if first <= 2 or len(question) <= 2 * SHORT:
                return True
        short = len(question) <= 2 * SHORT or len(question.split()) <= 6
        leaning = ("leading" in marks or question.endswith("呢")) and short
        if named:
            return leaning  # "专利密集型产业呢？": the earlier question's value, about this one
        if self._subject_words(question):
            return leaning  # "主要目标呢？": a subject of its own, maybe the earlier question
        return short

    # --- resolving ---------------------------------------------------------------------------

    def resolve(self, question: str, history: list[tuple[str, str]]) -> str:
        """The question to search; question is normalized, history (role, content) pairs."""
        if not history:
            return question
        turns = self._history(history)
        if not turns:
            return question
        section = self._this_section(question, turns)
        if section:
            return section
        marks = self._marks(question)
        own_rows = [i.name for i, _ in self.matcher.match(question)]
        own_cols = self.columns_named(question)
        named = bool(own_rows or own_cols)
        if not self._elliptical(question, marks, named):
            return question
        rest = self._strip(question, marks)
        field = detect_field(question)
        computes = self._computes(question)
        carried = "" if field is not Asked.NONE or computes else self._carried_field(turns)
        past = "十三五" if not computes and self._carry_past(question, marks, turns) else ""
        about_columns = any(t.columns for t in turns[:4]) or "专栏" in question
        if any(k in marks for k in ORDER) and about_columns:
            column = self._column_in_order(marks, turns)
            if column is not None:
                return self._cut(f"专栏{column} {self.titles[column]} {rest or '是什么'}")
        if named and not ({"plural", "other"} & set(marks)):
            # a new subject with the earlier question: "专利密集型产业呢？" after "…2025年目标"
            if own_cols and not own_rows and len(rest) <= 6:
                return self._cut(f"{rest}是什么")
            return self._cut(f"{past} {rest} {carried}".strip())
        users = [t for t in turns if t.role == "user"]
        # the last question with a subject of its own ("基本原则有几条", not "第二条具体叫啥")
        previous = next(
            (t for t in users if self._subject_words(t.text)), users[0] if users else None
        )
        pointing = {"singular", "plural", "other"} & set(marks)
        if self._subject_words(rest) and not computes and not pointing:
            # another subject, the same question: "主要目标呢？" after "基本原则有哪些？"
            tail = _TAIL.search(previous.text) if previous else None
            return self._cut(f"{rest}{tail.group(1)}" if tail and not _TAIL.search(rest) else rest)
        referent = self._referent(marks, turns)
        if not referent and previous is not None:
            referent = [self._topic(previous.text)]
        return self._cut(" ".join([*referent, past, rest, carried]).strip())

    def _cut(self, text: str) -> str:
        return " ".join(text.split())[:MAX_RESOLVED_CHARS]

    def _topic(self, question: str) -> str:
        return self._strip(question, {})

    def _carried_field(self, turns: list[Turn]) -> str:
        """The value the conversation was about (2025 target…), for a follow-up that names none."""
        for turn in turns:
            if turn.role == "user" and turn.field is not Asked.NONE:
                return field_phrase(turn.field)
        return ""

    def _carry_past(self, question: str, marks, turns: list[Turn]) -> bool:
        """ "版权产业那个呢？" two turns into 十三五 figures is still about 十三五."""
        if "back_in_time" in marks or self.lex.past_period.search(question):
            return False  # already about the past (当时 became 十三五 in _strip)
        if "十四五" in question or detect_field(question) is not Asked.NONE:
            return False
        users = [t for t in turns if t.role == "user"][:2]
        return any(t.past for t in users)

    def _referent(self, marks, turns: list[Turn]) -> list[str]:
        """Names of what the pointing words point at, from the most recent turns."""
        users = [t for t in turns if t.role == "user"]
        if "plural" in marks:
            for kind in ("indicators", "columns"):
                for t in turns:
                    names = getattr(t, kind)
                    if len(names) >= 2:
                        return self._names(kind, names)
                singles = [getattr(t, kind) for t in users[:2] if getattr(t, kind)]
                if len(singles) == 2:
                    return self._names(kind, [singles[1][0], singles[0][0]])
        if "other" in marks:
            last = users[0] if users else None
            for kind in ("columns", "indicators"):
                for t in turns:
                    names = getattr(t, kind)
                    if len(names) >= 2 and last is not None:
                        others = [n for n in names if n not in getattr(last, kind)]
                        if others:
                            return self._names(kind, others[:1])
        for t in users + [t for t in turns if t.role == "assistant"]:
            if t.indicators:
                return list(t.indicators[:2])
            if t.columns:
                return self._names("columns", t.columns[:1])
        return []

    def _names(self, kind: str, names) -> list[str]:
        if kind == "columns":
            return [f"专栏{n} {self.titles[n]}" for n in names]
        return list(names)

    def _column_in_order(self, marks, turns: list[Turn]) -> int | None:
        numbers = sorted(self.titles)
        if not numbers:
            return None  # a corpus without 专栏
        if "last" in marks:
            return numbers[-1]
        if "first" in marks:
            return numbers[0]
        current = next((t.columns[-1] for t in turns if t.columns), None)
        if current is None:
            return None
        step = -1 if "before" in marks else 1
        target = current + step
        return target if target in self.titles else None

    def _this_section(self, question: str, turns: list[Turn]) -> str | None:
        """ "这一节还有哪些内容？": the section the last answer named, if it named one."""
        if not _THIS_SECTION.search(question):
            return None
        for t in turns:
            if t.role == "assistant" and t.sections:
                rest = _THIS_SECTION.sub("", self._strip(question, {}))
                return self._cut(f"{t.sections[-1]} {rest}")
        return None
