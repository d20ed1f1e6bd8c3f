"""Follow-up questions resolved against the whole conversation, in bounded work; stateless.

"那这两个加起来呢？" after two questions that each named an indicator, "另一个呢？" after an
answer that named a pair, "排在它前面的那个专栏" after one about 专栏5, "那2020年呢？" after a
comparison: the question is rewritten to name what it refers to. Only the last MAX_TURNS
turns, each cut to MAX_TURN_CHARS, are read, and the result is cut to MAX_RESOLVED_CHARS,
so no history can make the work or the searched text grow.
"""

from __future__ import annotations

import re

from corpus.headings import column_mentions
from corpus.lexicon import lexicon
from corpus.normalize import normalize_question
from corpus.numerals import chinese_to_int
from corpus.tokens import tokenize
from service.qa import turns as refer
from service.qa.fields import Asked, detect_field, field_phrase, field_words
from service.qa.turns import Turn, section_mentions

MAX_TURNS = 8
MAX_TURN_CHARS = 200
MAX_RESOLVED_CHARS = 120
MAX_TOPIC_CHARS = 60  # of an earlier question, when it is what a follow-up leans on
SHORT = 14
_THIS_SECTION = re.compile(r"这一?[节章部]|该[节章部]|本[节章]|这一?部分|这个部分")
_TAIL = re.compile(r"(有哪些|是什么|包括哪些|包括什么|有什么|怎么样|如何|是多少)\S*$")
_TRAILING = re.compile(r"(呢|吗|呀|啊|嘛)[?？!！。.\s]*$")
_ITEM_ORDINAL = re.compile(r"[条项]$")
_NTH = re.compile(r"第\s*([一二三四五六七八九十\d]{1,2})\s*[条项个](?!专栏)")
ORDER = ("before", "after", "last", "first")
# Operations of the table's lexicon (table.toml) that compute, and those over several rows.
COMBINING = frozenset(
    {"sum", "difference", "largest", "smallest", "faster", "slower", "order", "order_up"}
)
COMPUTING = COMBINING | {
    "check",
    "compute",
    "growth",
    "multiple",
    "increase",
    "annual_growth",
    "annual_increase",
}
_DEMONSTRATIVE_AFTER = re.compile(r"[\u4e00-\u9fff]")
_DEMONSTRATIVES = frozenset({"那个", "这个", "那条", "这条", "这项"})
# "第(九)节", "（七）那节": a section named by its number
_SECTION_NUMBER = re.compile(r"[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+节")
_ITEM_WORDS = frozenset({"那条", "这条", "这项"})
_NOT_A_SUBJECT = frozenset("是的在了把跟和与从对那这它")
POINTING = ("singular", "plural", "other", "first_turn")


class Resolver:
    """Rewrites a follow-up to name what it refers to; needs the search's matchers."""

    def __init__(self, searcher, is_plan_word=None):
        """is_plan_word(token): whether the plan uses the word (default: BM25's vocabulary)."""
        self.is_plan_word = is_plan_word or searcher.knows
        self.matcher = searcher.matcher
        self.columns_named = searcher.columns_named
        self.titles = searcher.column_titles
        self.units = {i.name: i.unit for i in searcher.indicators}
        self.lex = lexicon()

    # --- reading -----------------------------------------------------------------------------

    def _turn(self, role: str, content: str) -> Turn | None:
        text = normalize_question(content[:MAX_TURN_CHARS])
        if not text:
            return None
        return Turn(
            role=role,
            text=text,
            indicators=self._rows_named(text),
            columns=tuple(self.columns_named(text)),
            numbered=tuple(dict.fromkeys(n for _, n in column_mentions(text))),
            sections=tuple(section_mentions(text)),
            field=detect_field(text),
            past=self.lex.past_period.search(text),
        )

    def _rows_named(self, text: str) -> tuple[str, ...]:
        """Rows a turn names: in full, in the order written (an answer may list two); else
        the matcher's best."""
        verbatim = sorted((text.find(n), n) for n in self.units if n in text)
        if verbatim:
            return tuple(n for _, n in verbatim)
        return tuple(i.name for i, _ in self.matcher.match(text))

    def _history(self, history: list[tuple[str, str]]) -> list[Turn]:
        """The last turns, newest first."""
        turns = []
        for role, content in reversed(history[-MAX_TURNS:]):
            turn = self._turn(role, content)
            if turn is not None:
                turns.append(turn)
        return turns

    def _marks(self, question: str) -> dict[str, list[tuple[str, int]]]:
        marks: dict[str, list[tuple[str, int]]] = {}
        for phrase, kind, start, _ in self.lex.conversation.finditer(question):
            if kind == "plan":
                continue
            if self._demonstrative(question, phrase, start):
                if phrase in _ITEM_WORDS:  # "国际合作那条": an item of the list in play
                    marks.setdefault("item", []).append((phrase, start))
                continue
            marks.setdefault(kind, []).append((phrase, start))
        return marks

    @staticmethod
    def _demonstrative(question: str, phrase: str, start: int) -> bool:
        """ "版权那个", "乡村振兴那个专栏": 那个 after a subject points at that subject."""
        before = question[start - 1] if start else ""
        return (
            phrase in _DEMONSTRATIVES
            and bool(_DEMONSTRATIVE_AFTER.match(before))
            and before not in _NOT_A_SUBJECT
        )

    def _strip(self, question: str) -> str:
        """The question less its pointing words ("那", "这两个", "呢"); "当时" → 十三五."""
        out, last = [], 0
        for phrase, kind, start, end in self.lex.conversation.finditer(question):
            out.append(question[last:start])
            if kind == "back_in_time":
                out.append("十三五")
            elif kind in (*ORDER, "plan"):
                out.append(phrase)  # "最后一条" still says which one
            last = end
        out.append(question[last:])
        return _TRAILING.sub("", "".join(out)).strip(" ,，。？?")

    def _subject_words(self, text: str) -> list[str]:
        """The plan's own words in the text, less those that only say which value or which
        computation ("2025年", "几倍"): what the text is about."""
        skip = field_words() | self.lex.computing_words
        return [
            t for t in tokenize(text, normalized=True) if t not in skip and self.is_plan_word(t)
        ]

    def _computes(self, text: str) -> bool:
        """Whether the question asks for a computation or a check over the table."""
        keys = {key for _, (_s, key), _, _ in self.lex.table_words.finditer(text)}
        words = tokenize(text, normalized=True)
        return bool(keys & COMPUTING) or any(t in self.lex.computing_words for t in words)

    def _combines(self, text: str) -> bool:
        """ "加一块", "差多少", "哪个多": an operation over more than one row."""
        return any(key in COMBINING for _, (_s, key), _, _ in self.lex.table_words.finditer(text))

    def _names_measure(self, text: str) -> bool:
        """Whether the question says which number of a row it means (增长率, 倍数, 2020年…)."""
        return any(
            section == "columns" for _, (section, _k), _, _ in self.lex.table_words.finditer(text)
        )

    def _elliptical(self, question: str, marks, named: bool, subject: bool) -> bool:
        if {"plural", "other", "first_turn", *ORDER} & set(marks):
            return True
        if "item" in marks and not named:
            return True
        short = len(question) <= 2 * SHORT or len(question.split()) <= 6
        if "singular" in marks and not named:
            # "它属于哪一部分" leans on the last turn; "这个规划的主线是什么" does not
            first = min(start for _, start in marks["singular"])
            if first <= 2 or short:
                return True
        leaning = ("leading" in marks or "earlier" in marks or question.endswith("呢")) and short
        if named or subject:
            return leaning  # "专利密集型产业呢？": the earlier question's value, about this one
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
        own_sections = section_mentions(question) or _SECTION_NUMBER.findall(question)
        rest = self._strip(question)
        partial = [] if own_rows else self._partly_named(rest, turns)
        if partial:  # "版权那个" two turns after 版权产业增加值占GDP比重 was named in full
            own_rows, rest = partial, f"{partial[0]} {rest}"
        named = bool(own_rows or own_cols or own_sections)
        subject = bool(self._subject_words(rest))
        if not self._elliptical(question, marks, named, subject):
            return question
        computes = self._computes(question)
        # "那这两个加起来呢" adds the value the conversation was about; "涨了百分之几" says its own
        says_measure = detect_field(question) is not Asked.NONE or self._names_measure(question)
        carried = "" if says_measure else self._carried_field(turns)
        past = "十三五" if not computes and self._carry_past(question, marks, turns) else ""
        listed = self._from_listing(question, marks, turns)
        if listed is not None:
            return self._cut(f"{listed} {rest}")
        column = self._column_in_order(question, marks, own_cols, turns)
        if column is not None:
            return self._cut(f"专栏{column} {self.titles[column]} {rest or '是什么'}")
        if own_cols and "other" in marks and not own_rows:
            # "专栏3里除了维权援助 另一条是啥": the other item of the 专栏 it names
            return self._cut(_TRAILING.sub("", question).strip(" ,，。？?"))
        if named and not ({"plural", "other", "first_turn"} & set(marks)):
            # a new subject with the earlier question: "专利密集型产业呢？" after "…2025年目标"
            if own_cols and not own_rows and len(rest) <= 6:
                return self._cut(f"{rest}是什么")
            return self._cut(f"{past} {rest} {carried}".strip())
        users = [t for t in turns if t.role == "user"]
        # the last question with a subject of its own ("基本原则有几条", not "第二条具体叫啥")
        previous = next(
            (t for t in users if self._subject_words(t.text)), users[0] if users else None
        )
        if "item" in marks and previous is not None and not named:
            # "国际合作那条咋说的" after "主要目标分几个方面": that item of the list in play
            return self._cut(f"{self._strip(previous.text)[:MAX_TOPIC_CHARS]} {rest}")
        if subject and not computes and not (set(POINTING) & set(marks)):
            # another subject, the same question: "主要目标呢？" after "基本原则有哪些？";
            # "刚才行政保护那一节…": a subject of its own, "刚才" points at nothing more
            tail = _TAIL.search(previous.text) if previous else None
            return self._cut(f"{rest}{tail.group(1)}" if tail and not _TAIL.search(rest) else rest)
        kind, referent = self._referent(question, marks, turns)
        if not referent and previous is not None:
            referent = [self._strip(previous.text)[:MAX_TOPIC_CHARS]]  # its gist, not a whole turn
        if kind != "indicators":
            carried = ""  # a 2025 target belongs to a row, not to a 专栏 or a section
        return self._cut(" ".join([*referent, past, rest, carried]).strip())

    def _partly_named(self, rest: str, turns: list[Turn]) -> list[str]:
        """An indicator the conversation named in full, which the question names by a part."""
        words = [w for w in self._subject_words(rest) if len(w) >= 2]
        named = {n for t in turns for n in t.indicators}
        found = [n for n in named if any(w in n for w in words)]
        return found if len(found) == 1 else []

    def _cut(self, text: str) -> str:
        return " ".join(text.split())[:MAX_RESOLVED_CHARS]

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

    def _referent(self, question: str, marks, turns: list[Turn]) -> tuple[str | None, list[str]]:
        """(kind, names) of what the pointing words point at."""
        found = None
        if "plural" in marks or (self._combines(question) and "other" not in marks):
            found = refer.plural(question, turns, self.units)
        elif "other" in marks:
            found = refer.other(turns)
        elif "first_turn" in marks:
            found = refer.first_asked(turns)
        found = found or refer.latest(turns)
        if found is None:
            return None, []
        kind, names = found
        if kind == "columns":
            return kind, [f"专栏{n} {self.titles[n]}" for n in names]
        return kind, list(names)

    def _from_listing(self, question: str, marks, turns: list[Turn]) -> str | None:
        """ "第三条是"/"最后那条呢" right after an answer that listed sections or 专栏: that one
        of the listing ("八、实施保障" → its four sections → "(二十一)狠抓工作落实")."""
        m = _NTH.search(question)
        which = "last" if "last" in marks else "first" if "first" in marks else None
        if which is None and m is None:
            return None
        # the newest answer, among the last few, that listed sections or numbered 专栏
        listing = next(
            (
                t
                for t in turns[:4]
                if t.role == "assistant" and (len(t.sections) >= 2 or len(t.numbered) >= 2)
            ),
            None,
        )
        if listing is None or ("专栏" in question and not listing.numbered):
            return None
        items = (
            [f"专栏{n} {self.titles[n]}" for n in listing.numbered if n in self.titles]
            if len(listing.numbered) >= 2
            else list(listing.sections)
        )
        if not items:
            return None
        if which == "last":
            return items[-1]
        if which == "first":
            return items[0]
        n = chinese_to_int(m.group(1))
        return items[n - 1] if n and 1 <= n <= len(items) else None

    def _column_in_order(
        self, question: str, marks, own: list[int], turns: list[Turn]
    ) -> int | None:
        """ "排在专栏5前面的", "下一个专栏", "最后一个专栏": a 专栏 by its place in the plan.
        "最后一条" is an item of a list, not a 专栏."""
        kinds = [k for k in ORDER if k in marks]
        if not kinds or not self.titles:
            return None
        phrase = marks[kinds[0]][0][0]
        about_columns = "专栏" in question or any(t.columns for t in turns[:4])
        if not about_columns or (
            kinds[0] in ("last", "first")
            and _ITEM_ORDINAL.search(phrase)
            and "专栏" not in question
        ):
            return None
        numbers = sorted(self.titles)
        if kinds[0] == "last":
            return numbers[-1]
        if kinds[0] == "first":
            return numbers[0]
        current = own[-1] if own else next((t.columns[-1] for t in turns if t.columns), None)
        if current is None:
            return None
        target = current + (-1 if kinds[0] == "before" else 1)
        return target if target in self.titles else None

    def _this_section(self, question: str, turns: list[Turn]) -> str | None:
        """ "这一节还有哪些内容？": the section the last answer named, if it named one."""
        if not _THIS_SECTION.search(question):
            return None
        for t in turns:
            if t.role == "assistant" and t.sections:
                rest = _THIS_SECTION.sub("", self._strip(question))
                return self._cut(f"{t.sections[-1]} {rest}")
        return None
