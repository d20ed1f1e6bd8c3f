"""An earlier follow-up read as what it asked, so the next one leans on the subject it switched
to: after "专利权质押登记怎么办理", "那商标呢" asked "商标权质押登记怎么办理", and a third "那要多
少钱" is about that, not about 专利 (the service is stateless: each request re-reads them)."""

from __future__ import annotations

import re

from corpus.normalize import normalize_question

MAX_TURNS = 8
SHORT = 14
TRAILING = re.compile(r"(呢|吗|呀|啊|嘛)[?？!！。.\s]*$")


def swaps(resolver, question: str) -> bool:
    """ "那商标呢": a subject of its own in place of the last one, nothing pointed at (not "最后
    一条呢", "它属于第四部分吧")."""
    marks = set(resolver._marks(question))
    return not marks - {"leading"} and bool(resolver.words.subject_words(resolver._strip(question)))


def chained(resolver, history: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The last turns, each short question that swaps the subject replaced by what it asked
    against the turns before it (one level: those are not chained again)."""
    out: list[tuple[str, str]] = []
    for role, content in history[-MAX_TURNS:]:
        asked = normalize_question(content) if role == "user" and out else ""
        if asked and len(asked) <= SHORT and TRAILING.search(asked) and swaps(resolver, asked):
            content = resolver.resolve(asked, out, chain=False)
        out.append((role, content))
    return out
