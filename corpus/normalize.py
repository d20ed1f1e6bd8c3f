"""Text normalization shared by indexing and querying: script, width, spacing, aliases."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from corpus.numerals import CN_DIGITS, digits_to_ascii

# English words users mix in, mapped to the plan's own terms. "GDP" stays: the plan uses it.
_ALIASES = [
    (re.compile(r"(?<![A-Za-z])IPR?(?![A-Za-z])", re.IGNORECASE), "知识产权"),
    (re.compile(r"(?<![A-Za-z])gdp(?![A-Za-z])", re.IGNORECASE), "GDP"),
    (re.compile(r"(?<![A-Za-z])patents?(?![A-Za-z])", re.IGNORECASE), "专利"),
    (re.compile(r"(?<![A-Za-z])trademarks?(?![A-Za-z])", re.IGNORECASE), "商标"),
    (re.compile(r"(?<![A-Za-z])copyrights?(?![A-Za-z])", re.IGNORECASE), "版权"),
    # Everyday words for the plan's own: users say 每万人, 来源于; the plan says 每万人口, 源自.
    (re.compile(r"每万人(?!口)"), "每万人口"),
    (re.compile(r"来源于|来源|出处|出自"), "源自"),
]

# Years written in Chinese numerals ("二〇二五年") become digits so they match the table.
_CN_YEAR = re.compile(rf"([{CN_DIGITS}]{{4}})年")
# Ways of writing the plan period that are not "十四五"/"十三五".
_PERIODS = [
    (re.compile(r"第?十四个?五年规划|14五|１４五"), "十四五"),
    (re.compile(r"第?十三个?五年规划|13五"), "十三五"),
]
_SPACES = re.compile(r"\s+")
# A run of the same punctuation mark ("？？？", "!!!") is one mark.
_REPEAT_PUNCT = re.compile(r"([^\w\s])\1+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: nothing heavy at import time

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (OpenCC)."""
    return _t2s().convert(text) if text else text


def fold_width(text: str) -> str:
    """Full-width ASCII and ideographic space → half-width; keeps CJK punctuation like 。"""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def normalize_text(text: str) -> str:
    """Normalize text for matching: the same function runs on passages and questions."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    # NFC again: a folded letter can compose with a following mark ("Ａ\u0301" → "Á").
    text = unicodedata.normalize("NFC", fold_width(to_simplified(text)))
    text = text.replace("**", "")
    text = _CN_YEAR.sub(lambda m: digits_to_ascii(m.group(1)) + "年", text)
    for pattern, repl in _PERIODS:
        text = pattern.sub(repl, text)
    for pattern, repl in _ALIASES:
        text = pattern.sub(repl, text)
    text = _REPEAT_PUNCT.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def normalize_question(text: str) -> str:
    """Normalize a user question; also trims punctuation padding around it."""
    text = normalize_text(text)
    # Quotes stay: "“十四五”时期…" must keep its pair.
    return text.strip(" ,.;:!?，。；：！？、…~-_*#")
