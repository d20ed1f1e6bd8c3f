"""Text normalization shared by indexing and querying: script, width, spacing, aliases."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from corpus.lexicon import lexicon
from corpus.numerals import CN_DIGITS, digits_to_ascii

# Years written in Chinese numerals ("二〇二五年") become digits so they match the table.
_CN_YEAR = re.compile(rf"([{CN_DIGITS}]{{4}})年")
_SPACES = re.compile(r"\s+")
# A run of the same punctuation mark ("？？？", "!!!") is one mark.
_REPEAT_PUNCT = re.compile(r"([^\w\s])\1+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


@lru_cache(maxsize=2)
def _opencc(config: str):
    import opencc  # imported lazily: nothing heavy at import time

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (OpenCC). Text that was Traditional also gets Taiwan's
    words turned into the mainland's (智慧財產權 → 知识产权, 資料 → 数据: OpenCC's tw2sp);
    Simplified text is left as it is, since those phrase rules would rewrite it too."""
    if not text:
        return text
    simplified = _opencc("t2s").convert(text)
    return simplified if simplified == text else _opencc("tw2sp").convert(text)


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
    lex = lexicon()
    text = lex.replacements.replace(lex.periods.replace(text))
    text = _REPEAT_PUNCT.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1)
def _english_parts() -> tuple[re.Pattern, dict[str, str]] | None:
    parts = lexicon().english_parts
    if not parts:
        return None
    names = "|".join(sorted(map(re.escape, parts), key=len, reverse=True))
    return re.compile(rf"(?<![a-z])({names})\s*(?:no\.\s*)?(\d{{1,3}})(?!\d)", re.I), parts


def english_parts(text: str) -> str:
    """A numbered part named in English written as the documents write it: "Article 7" →
    第7条, "Annex 2" → 附件2 (the words: the lexicon's english.toml)."""
    found = _english_parts()
    if found is None:
        return text
    pattern, parts = found
    return pattern.sub(lambda m: parts[m.group(1).lower()].format(m.group(2)), text)


def normalize_question(text: str) -> str:
    """Normalize a user question; also trims punctuation padding around it."""
    text = english_parts(normalize_text(text))
    # Quotes stay: "“十四五”时期…" must keep its pair.
    return text.strip(" ,.;:!?，。；：！？、…~-_*#")
