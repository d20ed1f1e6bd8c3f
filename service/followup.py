"""Resolve elliptical follow-ups ("那2020年呢？") against earlier turns; stateless."""

from __future__ import annotations

import re

from corpus.headings import column_number
from corpus.normalize import normalize_question
from corpus.tokens import tokenize
from index.match import IndicatorMatcher
from service.fields import FIELD_WORDS, Field, detect_field, field_phrase

_LEADING = re.compile(r"^(那么|那|还有|另外|再问一下|再问|请问|那请问)[,，\s]*")
_TRAILING = re.compile(r"(呢|吗|呀|啊|嘛)[?？!！。.\s]*$")
_PRONOUN = re.compile(r"^(它|它们|这个|这一项|这项|这个指标|该指标|其|这|该|那个|上面的?|刚才的?)")
_SHORT = 14
_THIS_SECTION = re.compile(r"这一?[节章部]|该[节章部]|本[节章]|这一?部分|这个部分")
_SECTION_MENTION = re.compile(r"[(（][一二三四五六七八九十]+[)）]\s*[^\s›，。；、]+")
_TAIL = re.compile(r"(有哪些|是什么|包括哪些|包括什么|有什么|怎么样|如何|是多少)\S*$")


def _strip(question: str) -> str:
    return _TRAILING.sub("", _LEADING.sub("", question)).strip()


def _is_elliptical(question: str, matcher: IndicatorMatcher) -> bool:
    if _PRONOUN.match(question):
        return True
    if (_LEADING.match(question) or question.endswith("呢")) and len(question) <= 2 * _SHORT:
        return True  # "那…" / "…呢": a short question leaning on the previous one
    if matcher.match(question) or column_number(question) is not None:
        return False
    # Short, and nothing but "which value" words: "累计增加多少？", "2025年的目标"
    subject = [t for t in tokenize(question, normalized=True) if t not in FIELD_WORDS]
    return len(question) <= _SHORT and not subject


def _topic(question: str, matcher: IndicatorMatcher) -> str:
    """What a resolved question is about, without its field words."""
    named = matcher.match(question)
    if named:
        return "、".join(ind.name for ind, _ in named)
    col = column_number(question)
    if col is not None:
        return f"专栏{col}"
    return _strip(question)


def _merge(previous: str, current: str, matcher: IndicatorMatcher) -> str:
    bare = _PRONOUN.sub("", _strip(current)).strip()
    cur_named = matcher.match(bare)
    cur_col = column_number(bare)
    if cur_named or cur_col is not None:
        # A new subject with the old question: "专利密集型产业呢？" after "…2025年目标是多少"
        prev_field = detect_field(previous)
        if detect_field(bare) is Field.NONE and prev_field is not Field.NONE:
            return f"{bare} {field_phrase(prev_field)}"
        if cur_col is not None and len(bare) <= 6:
            return f"{bare}是什么"
        return bare
    subject = [t for t in tokenize(bare, normalized=True) if t not in FIELD_WORDS]
    if subject and not _PRONOUN.match(_strip(current)):
        # Another subject, the same question: "主要目标呢？" after "基本原则有哪些？"
        tail = _TAIL.search(previous)
        return f"{bare}{tail.group(1)}" if tail and not _TAIL.search(bare) else bare
    topic = _topic(previous, matcher)
    return f"{topic} {bare}".strip() if bare else topic


def resolve(question: str, history: list[tuple[str, str]], matcher: IndicatorMatcher) -> str:
    """The question to search, given (role, content) history; question is normalized."""
    context: str | None = None
    for role, content in history:
        if role != "user":
            continue
        turn = normalize_question(content)
        if not turn:
            continue
        if context and _is_elliptical(turn, matcher):
            context = _merge(context, turn, matcher)
        else:
            context = turn
    if context is None:
        # No earlier user turn: an assistant answer may still name what "它" refers to.
        assistant = [normalize_question(c) for r, c in history if r == "assistant"]
        context = assistant[-1] if assistant else None
    if _THIS_SECTION.search(question):
        # "这一节还有哪些内容？": the section the last answer named, if it named one
        for role, content in reversed(history):
            mentions = _SECTION_MENTION.findall(normalize_question(content))
            if role == "assistant" and mentions:
                return f"{mentions[-1]} {_THIS_SECTION.sub('', _strip(question))}".strip()
    if context and _is_elliptical(question, matcher):
        return _merge(context, question, matcher)
    return question
