"""Split long text at sentence, then clause, then jieba word boundaries."""

from __future__ import annotations

import re

from corpus.tokens import cut

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_CLAUSE_END = re.compile(r"(?<=[，,、：:])")
LEAD_CHARS = 40  # the most of a unit's opening a later chunk of it carries


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    """Greedily join consecutive pieces into chunks no longer than max_chars."""
    chunks: list[str] = []
    buf = ""
    for piece in pieces:
        if buf and len(buf) + len(piece) > max_chars:
            chunks.append(buf)
            buf = ""
        buf += piece
    if buf:
        chunks.append(buf)
    return chunks


def split_text(text: str, max_chars: int = 160) -> list[str]:
    """Chunks of at most max_chars that, concatenated, give back the input exactly."""
    if len(text) <= max_chars:
        return [text] if text else []
    pieces: list[str] = []
    for sentence in filter(None, _SENTENCE_END.split(text)):
        if len(sentence) <= max_chars:
            pieces.append(sentence)
            continue
        for clause in filter(None, _CLAUSE_END.split(sentence)):
            if len(clause) <= max_chars:
                pieces.append(clause)
                continue
            # No punctuation to cut at: cut between jieba words, never inside one.
            words = cut(clause)
            pieces.extend(w[i : i + max_chars] for w in words for i in range(0, len(w), max_chars))
    return _pack(pieces, max_chars)


def lead_of(text: str, max_chars: int = LEAD_CHARS) -> str:
    """A text's opening: its first sentence ("问：哪些标志不能注册？", "第八条 国外发明专利资助。"),
    else its first clause, cut to max_chars."""
    text = text.strip()
    for pattern in (_SENTENCE_END, _CLAUSE_END):
        first = next(iter(filter(None, pattern.split(text))), "").strip()
        if len(first) <= max_chars:
            return first
        text = first
    return text[:max_chars]


def split_with_lead(text: str, max_chars: int = 160, carry: bool = True) -> list[tuple[str, str]]:
    """split_text's chunks, each with the opening of the whole text (lead_of) when it does not
    start it and `carry` asks for it, else "": what a later chunk is about ("问：…？" of an
    FAQ answer) may be said only at the start."""
    chunks = split_text(text, max_chars)
    opening = lead_of(text) if carry and len(chunks) > 1 else ""
    return [(chunk, "" if k == 0 else opening) for k, chunk in enumerate(chunks)]
