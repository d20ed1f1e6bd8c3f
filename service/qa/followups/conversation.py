"""Follow-up questions resolved against the whole conversation, in bounded work; stateless.

"那这两个加起来呢？" after two questions that each named an indicator, "另一个呢？" after an
answer that named a pair, "排在它前面的那个专栏" after one about 专栏5, "那2020年呢？" after a
comparison: the question is rewritten to name what it refers to. Only the last MAX_TURNS
turns, each cut to MAX_TURN_CHARS (an answer's listing to MAX_LISTING_CHARS), are read, and
the result is cut to MAX_RESOLVED_CHARS, so no history can make the work or the searched text
grow.
"""

from __future__ import annotations

import re

from corpus.lexicon import lexicon
from service.qa.followups import order
from service.qa.followups import turns as refer
from service.qa.followups.chain import MAX_TURNS, SHORT, TRAILING, chained
from service.qa.followups.order import ORDER
from service.qa.followups.swap import asked_anew, swap_kind, swap_opening, swap_subject, swap_year
from service.qa.followups.turns import Turn, TurnReader, section_mentions
from service.qa.reading.fields import Asked, detect_field, field_phrase, table_years
from service.qa.reading.question_words import QuestionWords
from service.qa.structure.nth import follow_item
from service.qa.structure.procedure import Procedure

MAX_RESOLVED_CHARS = 120
MAX_TOPIC_CHARS = 60  # of an earlier question, when it is what a follow-up leans on
_THIS_SECTION = re.compile(r"这一?[节章部]|该[节章部]|本[节章]|这一?部分|这个部分")
_TAIL = re.compile(
    r"(有哪些|是什么|包括哪些|包括什么|有什么|怎么样|如何|是多少|是第几节|第几节|哪一节)\S*$"
)
_DEMONSTRATIVE_AFTER = re.compile(r"[\u4e00-\u9fff]")
_DEMONSTRATIVES = frozenset({"那个", "这个", "那条", "这条", "这项"})
_ITEM_WORDS = frozenset({"那条", "这条", "这项"})
_NOT_A_SUBJECT = frozenset("是的在了把跟和与从对那这它")
POINTING = ("singular", "plural", "other", "first_turn")
SWAP_MAX = 8  # a follow-up this short ("实用新型呢") takes the earlier question's ask


def _words(text: str) -> list[tuple[str, int, int]]:
    """jieba's words of a text with their places."""
    from corpus.tokens import cut_with_places

    return cut_with_places(text)


class Resolver:
    """Rewrites a follow-up to name what it refers to; needs the search's matchers."""

    def __init__(self, searcher, is_plan_word=None, procedure: Procedure | None = None):
        """is_plan_word(token): whether the plan uses the word (default: BM25's vocabulary);
        procedure: the documents' steps (structure.procedure), when already read."""
        self.is_plan_word = is_plan_word or searcher.knows
        self.matcher = searcher.matcher
        self.columns_named = searcher.columns_named
        self.titles = searcher.column_titles
        self.sections = searcher.section_titles
        self.units = {i.name: i.unit for i in searcher.indicators}
        self.years = table_years(searcher.indicators)  # year → role of the table's columns
        self.lex = lexicon()
        self.words = QuestionWords(self.is_plan_word, self.years)
        self.read_turn = TurnReader(searcher, self.years)
        self.procedure = procedure or Procedure(searcher.passages)

    # --- reading -----------------------------------------------------------------------------

    def _history(self, history: list[tuple[str, str]]) -> list[Turn]:
        """The last turns, newest first."""
        turns = []
        for role, content in reversed(history[-MAX_TURNS:]):
            turn = self.read_turn(role, content)
            if turn is not None:
                turns.append(turn)
        return turns

    def _marks(self, question: str) -> dict[str, list[tuple[str, int]]]:
        marks: dict[str, list[tuple[str, int]]] = {}
        for phrase, kind, start, _ in self._pointers(question):
            if kind == "plan":
                continue
            if self._demonstrative(question, phrase, start) or self._of_item(
                question, phrase, start
            ):
                if phrase in _ITEM_WORDS:  # "国际合作那条": an item of the list in play
                    marks.setdefault("item", []).append((phrase, start))
                continue
            marks.setdefault(kind, []).append((phrase, start))
        return marks

    def _pointers(self, question: str):
        """The lexicon's conversation phrases in the question, less those that end inside a
        word going on past them ("那个体户" is 那 + 个体户, not 那个 + 体户)."""
        words = _words(question)
        for phrase, kind, start, end in self.lex.conversation.finditer(question):
            if not any(a < end and b - end >= 2 and a >= start for _, a, b in words):
                yield phrase, kind, start, end

    @staticmethod
    def _demonstrative(question: str, phrase: str, start: int) -> bool:
        """ "版权那个", "乡村振兴那个专栏": 那个 after a subject points at that subject."""
        before = question[start - 1] if start else ""
        return (
            phrase in _DEMONSTRATIVES
            and bool(_DEMONSTRATIVE_AFTER.match(before))
            and before not in _NOT_A_SUBJECT
        )

    @staticmethod
    def _of_item(question: str, phrase: str, start: int) -> bool:
        """ "跟商标有关的那条": an item described by what it is about."""
        return phrase in _ITEM_WORDS and question[max(0, start - 3) : start].endswith("有关的")

    def _strip(self, question: str) -> str:
        """The question less its pointing words ("那", "这两个", "呢"); "当时" → 十三五."""
        out, last = [], 0
        for phrase, kind, start, end in self._pointers(question):
            out.append(question[last:start])
            if kind == "back_in_time":
                out.append(self.lex.period_past)
            elif kind in (*ORDER, "plan"):
                out.append(phrase)  # "最后一条" still says which one
            last = end
        out.append(question[last:])
        return TRAILING.sub("", "".join(out)).strip(" ,，。？?")

    def _elliptical(
        self, question: str, marks, named: bool, subject: bool, loose: bool = False
    ) -> bool:
        if {"plural", "other", "first_turn", *ORDER} & set(marks):
            return True
        if "item" in marks and not named:
            return True
        short = len(question) <= 2 * SHORT or len(question.split()) <= 6
        if "singular" in marks and (not named or loose):
            # "它属于哪一部分" leans on the last turn; "这个规划的主线是什么" does not
            first = min(start for _, start in marks["singular"])
            if first <= 2 or short:
                return True
        leaning = ("leading" in marks or "earlier" in marks or question.endswith("呢")) and short
        if named or subject:
            return leaning  # "专利密集型产业呢？": the earlier question's value, about this one
        return short

    # --- resolving ---------------------------------------------------------------------------

    def resolve(self, question: str, history: list[tuple[str, str]], chain: bool = True) -> str:
        """The question to search; question is normalized, history (role, content) pairs.
        chain: earlier short questions are first read as what they asked (_chained)."""
        if not history:
            return question
        stepped = self.procedure.follow(question, [content for _, content in history[-2:]])
        if stepped:  # "第二步呢" after a step: of that procedure
            return stepped
        item = follow_item(question, history)
        if item:  # "最后一项是啥" after "申请材料一共几项"
            return self._cut(item)
        turns = self._history(chained(self, history) if chain else history)
        if not turns:
            return question
        section = self._this_section(question, turns)
        if section:
            return section
        marks = self._marks(question)
        own_rows = self._own_rows(question, turns)
        own_cols = self.columns_named(question)
        own_sections = section_mentions(question) or order.section_numbers(question)
        rest = self._strip(question)
        partial = [] if own_rows else self._partly_named(rest, turns)
        if partial:  # "版权那个" two turns after 版权产业增加值占GDP比重 was named in full
            own_rows, rest = partial, f"{partial[0]} {rest}"
        named = bool(own_rows or own_cols or own_sections)
        subject = bool(self.words.subject_words(rest))
        if self.words.new_subject(question, rest, marks, named or subject):
            return question  # "办事大厅周六开门吗": a subject of its own, one the plan lacks
        # "那个比重": a row only by a loose word, which the conversation says which of
        loose = bool(own_rows) and not any(n in question for n in own_rows)
        if not self._elliptical(question, marks, named, subject, loose):
            return question
        # "累计最多能获得多少" computes over the table only when a row is in play
        tabled = bool(own_rows) or any(t.indicators for t in turns)
        computes = tabled and self.words.computes(question)
        # "那这两个加起来呢" adds the value the conversation was about; "涨了百分之几" says its own
        asked = detect_field(question, self.years)
        says_measure = asked is not Asked.NONE or self.words.names_measure(question)
        carried = "" if says_measure else self._carried_field(turns)
        if computes:  # "加一起多少" after the targets: of the targets, not a second ask
            carried = carried.removesuffix("是多少")
        carry = not computes and self._carry_past(question, marks, turns)
        past = self.lex.period_past if carry else ""
        users = [t for t in turns if t.role == "user"]
        previous = self._topic(users)
        earlier = self._strip(previous.text) if previous else ""
        # "那注销登记呢 也要交这么多吗": the earlier question about 注销登记; "那2026年呢"
        # after "…到2027年要达到几家": the earlier question of 2026
        opening = swap_opening(question, earlier) or swap_year(earlier, question, self.years)
        if opening:
            return self._cut(opening)
        listed = order.from_listing(question, marks, turns, self.titles)
        if listed is not None:
            return self._cut(f"{listed} {rest}")
        column = order.column_in_order(question, marks, own_cols, turns, self.titles)
        if column is not None:
            return self._cut(f"专栏{column} {self.titles[column]} {rest or '是什么'}")
        section = order.section_in_order(question, marks, turns, self.sections)
        if section is not None:
            return self._cut(f"{section} {rest}")
        part = order.part_in_order(question, turns)
        if part is not None:  # "下一条呢" after "第十二条 …": 第十三条
            return self._cut(part)
        if own_cols and "other" in marks and not own_rows:
            # "专栏3里除了维权援助 另一条是啥": the other item of the 专栏 it names
            return self._cut(TRAILING.sub("", question).strip(" ,，。？?"))
        if named and not ({"plural", "other", "first_turn"} & set(marks)):
            # a new subject with the earlier question: "专利密集型产业呢？" after "…2025年目标"
            if own_cols and not own_rows and len(rest) <= 6:
                return self._cut(f"{rest}是什么")
            if len(own_rows) == 1 and own_rows[0] not in rest:  # "拥有量" → its full name
                rest = f"{own_rows[0]} {rest}"
            return self._cut(f"{past} {rest} {carried}".strip())
        if "item" in marks and not named:
            # "国际合作那条咋说的" after "主要目标分几个方面": that item of the list in play
            listing = self._list_in_play(turns, previous)
            if listing:
                return self._cut(f"{listing} {rest}")
        if subject and not computes and not (set(POINTING) & set(marks)):
            # another subject, the same question: "主要目标呢？" after "基本原则有哪些？";
            # "刚才行政保护那一节…": a subject of its own, "刚才" points at nothing more
            tail = next((m for t in users[:3] if (m := _TAIL.search(t.text))), None)
            swapped = None
            if not tail and previous is not None and len(rest) <= SWAP_MAX:
                earlier = self._strip(previous.text)
                swapped = swap_subject(earlier, rest) or swap_kind(earlier, rest)
            if swapped:
                return self._cut(swapped)
            # a figure asked of a row is not asked of a topic: "那商标被抢注呢" after a target
            figure = tail and tail.group(1) == "是多少" and not own_rows and users[0].indicators
            tail = None if figure or (tail and _TAIL.search(rest)) else tail
            return self._cut(f"{rest}{tail.group(1)}" if tail else rest)
        kind, referent = self._referent(question, marks, turns)
        anew = (
            asked_anew(self._strip(previous.text), question) if previous and not referent else None
        )
        if anew:  # "收钱吗" after "…要多久能办好": its subject, this ask
            return self._cut(" ".join([anew[0][:MAX_TOPIC_CHARS], past, anew[1]]).strip())
        if not referent and previous is not None:
            referent = [self._strip(previous.text)[:MAX_TOPIC_CHARS]]  # its gist, not a whole turn
        if kind != "indicators":
            carried = ""  # a 2025 target belongs to a row, not to a 专栏 or a section
        return self._cut(" ".join([*referent, past, rest, carried]).strip())

    def _own_rows(self, question: str, turns: list[Turn]) -> list[str]:
        """Rows the question names; a loose match ("拥有量") keeps those the conversation named."""
        rows = [i.name for i, _ in self.matcher.match(question)]
        if len(rows) < 2 or any(n in question for n in rows):
            return rows
        named = {n for t in turns for n in t.indicators}
        return [n for n in rows if n in named] or rows

    def _topic(self, users: list[Turn]) -> Turn | None:
        """The last question with a subject of its own ("主要目标分几个方面", not "第二条
        具体叫啥" nor "服务呢")."""
        subjects = [t for t in users if self.words.subject_words(t.text)]
        whole = (t for t in subjects if len(self._strip(t.text)) > 4 and not t.text.endswith("呢"))
        return next(whole, subjects[0] if subjects else users[0] if users else None)

    def _list_in_play(self, turns: list[Turn], topic: Turn | None) -> str:
        """What "X那条" picks from: a 专栏 a recent answer wrote as 专栏N, else the topic."""
        for t in turns[:4]:
            if t.numbered and len(t.numbered) == 1:
                return f"专栏{t.numbered[0]} {self.titles.get(t.numbered[0], '')}"
            if t is topic:
                break
        return self._strip(topic.text)[:MAX_TOPIC_CHARS] if topic else ""

    def _partly_named(self, rest: str, turns: list[Turn]) -> list[str]:
        """An indicator the conversation named in full, which the question names by a part."""
        words = [w for w in self.words.subject_words(rest) if len(w) >= 2]
        named = {n for t in turns for n in t.indicators}
        found = [n for n in named if any(w in n for w in words)]
        return found if len(found) == 1 else []

    def _cut(self, text: str) -> str:
        return " ".join(text.split())[:MAX_RESOLVED_CHARS]

    def _carried_field(self, turns: list[Turn]) -> str:
        """The value the conversation was about (the target…), for a follow-up that names none."""
        for turn in turns:
            if turn.role == "user" and turn.field is not Asked.NONE:
                return field_phrase(turn.field, self.years)
        return ""

    def _carry_past(self, question: str, marks, turns: list[Turn]) -> bool:
        """ "版权产业那个呢？" two turns into 十三五 figures is still about 十三五."""
        if "back_in_time" in marks or self.lex.past_period.search(question):
            return False  # already about the past (当时 became 十三五 in _strip)
        current = self.lex.period_current
        asked = detect_field(question, self.years)
        if (current and current in question) or asked is not Asked.NONE:
            return False
        users = [t for t in turns if t.role == "user"][:2]
        return any(t.past for t in users)

    def _referent(self, question: str, marks, turns: list[Turn]) -> tuple[str | None, list[str]]:
        """(kind, names) of what the pointing words point at."""
        found = None
        if "plural" in marks or (self.words.combines(question) and "other" not in marks):
            found = refer.plural(question, turns, self.units)
        elif "other" in marks:
            found = refer.other(turns)
        elif "first_turn" in marks:
            found = refer.first_asked(turns)
        prefer = "indicators" if self.words.computes(question) else order.kind_asked(question)
        found = found or refer.latest(turns, prefer=prefer)
        if found is None:
            return None, []
        kind, names = found
        if kind == "columns":
            return kind, [f"专栏{n} {self.titles[n]}" for n in names if n in self.titles]
        return kind, list(names)

    def _this_section(self, question: str, turns: list[Turn]) -> str | None:
        """ "这一节还有哪些内容？": the section the conversation is on, if a turn named one."""
        if not _THIS_SECTION.search(question):
            return None
        rest = _THIS_SECTION.sub("", self._strip(question))
        for t in turns:
            numbers = order.section_numbers(t.text)
            if numbers and numbers[-1] in self.sections:
                return self._cut(f"{self.sections[numbers[-1]]} {rest}")
            if t.role == "assistant" and t.sections:
                return self._cut(f"{t.sections[-1]} {rest}")
        return None
