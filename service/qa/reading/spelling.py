"""Homophone typos and pinyin spellings of the plan's own words, fixed by sound (pypinyin).

Voice input and pinyin keyboards replace a word with one that sounds the same ("知识产全",
"商标注侧", "地里标志"), or leave pinyin ("zscq", "yidaiyilu"). A window of the question that
sounds exactly like one of the plan's words, and shares at least one character with it, is
replaced by that word; so are Latin letters spelling one in full pinyin or by initials.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

MIN_TERM = 2
MAX_TERM = 10
# Readings of a typed character tried, in pypinyin's order (most usual first).
USUAL_READINGS = 2
MIN_INITIALS = 3  # "zscq" yes, "zl"/"sb" no: two letters are too often something else
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_RUN = re.compile(r"[A-Za-z]{3,}")
_TONE_MARKS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")


@lru_cache(maxsize=8192)
def _readings(ch: str) -> frozenset[str]:
    """Toneless pinyin readings of one character, its usual ones (重 is zhong and chong; 个's
    rare gàn would make "一个部分" sound like "一干部分")."""
    from pypinyin.pinyin_dict import pinyin_dict

    raw = pinyin_dict.get(ord(ch))
    if not raw:
        return frozenset()
    return frozenset(r.translate(_TONE_MARKS) for r in raw.split(",")[:USUAL_READINGS])


def _term_syllables(term: str) -> tuple[str, ...] | None:
    """The reading of a whole term as a word (pypinyin resolves heteronyms by phrase)."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(term, style=Style.NORMAL, errors="ignore")
    return tuple(syllables) if len(syllables) == len(term) else None


class Speller:
    """Corrects a question toward a fixed vocabulary (the plan's words, built once)."""

    def __init__(self, vocabulary: Iterable[str], is_word=None):
        """is_word(text): whether text is an ordinary word of its own ("主题" is, "主体" too):
        such a window is left alone even when it sounds like a plan word."""
        self.is_word = is_word or (lambda _text: False)
        self.vocabulary = set()
        self.trie: dict = {}  # syllable → subtree; the key None holds the terms ending there
        self.by_letters: dict[str, str] = {}
        for term in sorted(set(vocabulary), key=lambda t: (-len(t), t)):
            if not (MIN_TERM <= len(term) <= MAX_TERM) or not all(_HAN.match(c) for c in term):
                continue
            sound = _term_syllables(term)
            if sound is None:
                continue
            node = self.trie
            for syllable in sound:
                node = node.setdefault(syllable, {})
            node.setdefault(None, []).append(term)
            self.vocabulary.add(term)
            self.by_letters.setdefault("".join(sound), term)
            initials = "".join(s[0] for s in sound)
            if len(initials) >= MIN_INITIALS:
                self.by_letters.setdefault(initials, term)

    def _longest(self, text: str, start: int) -> str | None:
        """The longest vocabulary term that sounds like text[start:start+len(term)]."""
        best: str | None = None
        frontier = [self.trie]
        for end in range(start, min(len(text), start + MAX_TERM)):
            # in a fixed order: of two terms as long, the first found wins, whatever the hash seed
            readings = sorted(_readings(text[end]))
            frontier = [node[r] for node in frontier for r in readings if r in node]
            if not frontier:
                break
            for node in frontier:
                for term in node.get(None, ()):
                    if len(term) == end - start + 1 and (best is None or len(term) > len(best)):
                        best = term
        return best

    def correct(self, text: str) -> str:
        """The text with sound-alike windows and pinyin spellings replaced by plan words."""
        text = _LATIN_RUN.sub(lambda m: self.by_letters.get(m.group(0).lower(), m.group(0)), text)
        out, i, n = [], 0, len(text)
        while i < n:
            term = self._longest(text, i) if _HAN.match(text[i]) else None
            if term is None:
                out.append(text[i])
                i += 1
                continue
            window = text[i : i + len(term)]
            shares = any(a == b for a, b in zip(term, window, strict=True))
            keep = window in self.vocabulary or self.is_word(window)
            out.append(window if keep or not shares else term)
            i += len(term)
        return "".join(out)
