"""A follow-up with no conversation before it ("那2020年呢？", "它后面一条呢？") is not guessed:
the service asks back, offering the full questions the best passages suggest."""

from __future__ import annotations

import re

from corpus.lexicon import lexicon

_PUNCT = re.compile(r"[\s，。？！?!,.、：:；;“”\"'（）()]+")


_EDGE = " \t，。？！?!,.、：:；;“”\"'"


def _spoken(question: str, rules: dict) -> str:
    """The question without a leading interjection or a closing particle, and with one
    opener where a spoken one runs into another ("嗯，那个那要交多少钱啊" → "那要交多少钱")."""
    text = question.strip().lstrip("".join(rules.get("fillers", ())) + _EDGE)
    text = text.rstrip("".join(rules.get("particles", ())) + _EDGE)
    openers = sorted(rules.get("openers", ()), key=len, reverse=True)
    first = next((w for w in openers if text.lower().startswith(w)), None)
    if first and any(text[len(first) :].lstrip(_EDGE).lower().startswith(w) for w in openers):
        text = text[len(first) :].lstrip(_EDGE)
    return text


def elliptical(question: str) -> bool:
    """Short, opening or closing like a follow-up, as language.toml [ellipsis] says, measured
    as spoken (_spoken)."""
    rules = lexicon().raw["language.toml"].get("ellipsis", {})
    text = _spoken(question, rules).lower()
    bare = _PUNCT.sub("", text)
    if not bare:
        return False
    if any(text.startswith(w) for w in rules.get("subjectless", ())) and not any(
        text.startswith(w) for w in rules.get("not_subjectless", ())
    ):  # "那要几个工作日才能办好"
        return len(bare) <= int(rules.get("subjectless_max_chars", 16))
    if len(bare) > int(rules.get("max_chars", 12)):
        return False
    opens = any(text.startswith(w) for w in rules.get("openers", ()))
    closes = any(
        text.rstrip("？?。.! ").endswith(w.rstrip("？?")) for w in rules.get("closers", ())
    )
    return opens and (closes or len(bare) <= 6)


def unplaced(kinds: tuple[str, ...], subject: list[str], kind_docs: dict[str, set[str]]) -> str:
    """The one kind of thing a question with no subject asks for ("电话多少", "收费吗"), when
    more than one loaded document gives that kind: whose is not guessed ("" otherwise)."""
    asked = {k for k in kinds if k in kind_docs}
    if subject or len(asked) != 1:
        return ""
    kind = asked.pop()
    return kind if len(kind_docs[kind]) > 1 else ""


def candidates(question: str, headings: list[str], limit: int = 3) -> list[str]:
    """Full questions to offer: the rest of the question asked about each likely subject."""
    rules = lexicon().raw["language.toml"].get("ellipsis", {})
    rest = _spoken(question, rules).rstrip("？?。.! ")
    for w in sorted(rules.get("openers", ()), key=len, reverse=True):
        if rest.lower().startswith(w):
            rest = rest[len(w) :].lstrip("，, ")
            break
    for w in sorted(rules.get("closers", ()), key=len, reverse=True):
        stripped = w.rstrip("？?")
        if stripped and rest.endswith(stripped):
            rest = rest[: -len(stripped)]
            break
    rest = rest.strip("，, ") or "是什么"
    out = [f"{h}：{rest}？" for h in dict.fromkeys(headings) if h]
    return out[:limit]
