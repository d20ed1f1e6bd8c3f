"""jieba tokens for BM25, with the plan's own terms kept whole."""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache
from pathlib import Path

from corpus.lexicon import lexicon
from corpus.normalize import normalize_text
from corpus.numerals import CN_NUM

USERDICT = Path(__file__).with_name("userdict.txt")

# Function words and question words (corpus/lexicon/language.toml): they carry no topic, and
# matching them ("是多少", "什么") would pull every passage toward every question.
STOPWORDS = lexicon().stopwords
_TOKEN_OK = re.compile(r"[\w%.]+", re.UNICODE)
# Ordinals ("第三条", "第2项") point into a list; they name no topic of their own.
_ORDINAL = re.compile(rf"^第[{CN_NUM}\d]{{0,3}}[条项个点部分节章]?$|^[{CN_NUM}]{{1,3}}[条项个]$")


@lru_cache(maxsize=1)
def analysis_fingerprint() -> str:
    """Changes whenever tokens would: the user dictionary, the stopwords, the ordinal rule.
    An index records it, so one built with other tokens is refused, not silently wrong."""
    digest = hashlib.sha256(USERDICT.read_bytes())
    # The lexicon's normalization rewrites, periods and stopwords; nothing else of it changes
    # how text is indexed.
    lex = lexicon()
    for table in (lex.replacements.values, lex.periods.values):
        digest.update(repr(sorted(table.items())).encode("utf-8"))
    digest.update("\n".join(sorted(STOPWORDS)).encode("utf-8"))
    digest.update(_ORDINAL.pattern.encode("utf-8"))
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.load_userdict(str(USERDICT))
    return tok


def tokenize(text: str, *, normalized: bool = False) -> list[str]:
    """Search-mode jieba tokens of normalized text, lower-cased, without stopwords."""
    return list(_tokens(text if normalized else normalize_text(text)))


@lru_cache(maxsize=1024)  # a request tokenizes a text a few times; keep the cache small
def _tokens(text: str) -> tuple[str, ...]:
    # One question is tokenized by the search, the indicator matcher and the follow-up
    # resolver: the cache makes that one jieba pass.
    words = _tokenizer().lcut_for_search(text.lower())
    return tuple(
        w
        for w in words
        if w.strip()
        and _TOKEN_OK.fullmatch(w)
        and w not in STOPWORDS
        and not (_ORDINAL.match(w) and not w.isdigit())
    )


def word_frequency(word: str) -> int:
    """How common a word is in jieba's dictionary (0: not a word of it)."""
    tok = _tokenizer()
    tok.check_initialized()
    return int(tok.FREQ.get(word, 0))


def cut(text: str) -> list[str]:
    """Plain (accurate-mode) jieba words, used to split long text at word boundaries."""
    return _tokenizer().lcut(text)


@lru_cache(maxsize=256)
def cut_with_places(text: str) -> list[tuple[str, int, int]]:
    """Accurate-mode jieba words with their (start, end) in the text."""
    return [(w, a, b) for w, a, b in _tokenizer().tokenize(text)]
