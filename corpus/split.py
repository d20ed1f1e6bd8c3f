"""Split long text at sentence, then clause, then jieba word boundaries."""

from __future__ import annotations

import re

from corpus.tokens import cut

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_CLAUSE_END = re.compile(r"(?<=[，,、：:])")


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
