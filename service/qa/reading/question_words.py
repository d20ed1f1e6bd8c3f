"""What a question's words say, read the same way for every turn: its subject in the plan's
words, whether it asks for a computation over the table, whether it names which value."""

from __future__ import annotations

from corpus.lexicon import lexicon
from corpus.tokens import tokenize
from service.qa.reading.fields import Asked, detect_field, field_words, years_said


class QuestionWords:
    """The readings a follow-up's resolution needs, over the lexicon and the plan's words."""

    def __init__(self, is_plan_word, years: dict[str, str] | None = None):
        """is_plan_word(token): whether the plan uses the word; years: year → role of the
        indicator table's columns, as its header names them."""
        self.is_plan_word = is_plan_word
        self.years = dict(years or {})
        self.lex = lexicon()

    def subject_words(self, text: str) -> list[str]:
        """The plan's own words in the text, less those that only say which value or which
        computation ("2025年", "几倍") or ask ("多久", "什么"): what the text is about."""
        skip = field_words(self.years) | self.lex.computing_words | self.lex.stopwords
        words = [
            t
            for t in tokenize(text, normalized=True)
            if t not in skip
            and not (len(t) == 1 and "\u4e00" <= t <= "\u9fff")  # "那最多呢": 最 is no subject
            and not self.lex.wh_words.find(t)
            and self.is_plan_word(t)
        ]
        # words that only ask for one kind of thing ("收费吗", "那要准备啥材料": 要准备 and 材料
        # both ask how it is done): no subject of its own; two kinds ("有邮箱可以发材料吗") say
        # what the question is about
        asks = [(s, e, kind) for _, kind, s, e in self.lex.qualifiers.finditer(text) if kind]
        kinds = {_asked_kind(t, text, asks) for t in words}
        return [] if len(kinds) == 1 and None not in kinds else words

    def new_subject(self, question: str, rest: str, marks, plan_subject: bool) -> bool:
        """Two or more words of substance the plan never uses ("办事", "大厅", "周六"), no
        pointing word, no value or computation asked: not a follow-up."""
        if plan_subject or set(marks) - {"leading"} or self.computes(question, checks=False):
            return False
        if detect_field(question, self.years) is not Asked.NONE or self.names_measure(question):
            return False
        skip = self.lex.stopwords | field_words(self.years) | self.lex.computing_words
        words = [
            t
            for t in tokenize(rest, normalized=True)
            if len(t) >= 2
            and t not in skip
            and not self.lex.wh_words.find(t)
            and not self.is_plan_word(t)
        ]
        return len(words) >= 2

    def computes(self, text: str, checks: bool = True) -> bool:
        """Whether the question asks for a computation or (checks) a check over the table
        ("…对吗": any question ending in 吗 may be one)."""
        keys = {key for _, (_s, key), _, _ in self.lex.table_words.finditer(text)}
        roles = self.lex.table_roles  # table.toml [roles]
        computing = roles.get("combining", frozenset()) | roles.get("computing", frozenset())
        ops = computing if checks else computing - {"check"}
        words = tokenize(text, normalized=True)
        return bool(keys & ops) or any(t in self.lex.computing_words for t in words)

    def combines(self, text: str) -> bool:
        """ "加一块", "差多少", "哪个多": an operation over more than one row."""
        combining = self.lex.table_roles.get("combining", frozenset())
        return any(key in combining for _, (_s, key), _, _ in self.lex.table_words.finditer(text))

    def names_measure(self, text: str) -> bool:
        """Whether the question says which number of a row it means (增长率, 倍数, a year a
        column's header names…)."""
        return bool(years_said(text, self.years)) or any(
            section == "columns" for _, (section, _k), _, _ in self.lex.table_words.finditer(text)
        )


def _asked_kind(token: str, text: str, asks: list[tuple[int, int, str]]) -> str | None:
    """The kind of thing a word of the text asks for, as itself or inside a phrase that asks
    ("准备" in "要准备"; asks: (start, end, kind) of those phrases, scope.toml [qualifiers]);
    None for a word that does not."""
    at = text.find(token)
    return next((kind for s, e, kind in asks if s <= at and at + len(token) <= e), None)
