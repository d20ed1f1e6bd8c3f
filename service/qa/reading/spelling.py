"""Homophone typos and pinyin spellings of the plan's own words, fixed by sound (pypinyin).

Voice input and pinyin keyboards replace a word with one that sounds the same ("知识产全",
"商标注侧", "地里标志"), or leave pinyin ("zscq", "yidaiyilu"). A window of the question that
sounds exactly like one of the plan's words, and shares at least one character with it, is
replaced by that word; so are Latin letters spelling one in full pinyin or by initials.

The terms' readings are worked out by `ipqa build` and kept in the index folder (SOUNDS_FILE):
`import pypinyin` costs the server ~50 MiB and 0.24 s of CPU (its phrase dictionary) and each
question only needs single characters' readings, read from pypinyin's data file alone. A term
the file lacks (a lexicon changed since the build), or a file written by another pypinyin, is
read with pypinyin as before.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from corpus.tokens import STOPWORDS

MIN_TERM = 2
MAX_TERM = 10
# Readings of a typed character tried, in pypinyin's order (most usual first).
USUAL_READINGS = 2
MIN_INITIALS = 3  # "zscq" yes, "zl"/"sb" no: two letters are too often something else
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_RUN = re.compile(r"[A-Za-z]{3,}")
_TONE_MARKS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")
# Function characters (与, 和, 的…) and negations: a window whose only sound-alike change is one
# of these is a phrase of its own ("申报与审核"; "能不能", 不 read fǒu like 否), not a typo of a
# word ("预审核", "能否").
FUNCTION_CHARS = frozenset(w for w in STOPWORDS if len(w) == 1) | frozenset("不没未非无")
SOUNDS_FILE = "spelling.json"  # in the index folder: {"pypinyin": version, "terms": {term: …}}

Sound = tuple[str, ...] | None


@lru_cache(maxsize=1)
def _character_readings() -> dict[int, str]:
    """pypinyin's single-character table (code point → "zhōng,zhòng"), read from its data file
    without importing the package (`pypinyin.pinyin_dict` would import pypinyin/__init__ and
    with it the phrase dictionary)."""
    spec = importlib.util.find_spec("pypinyin")
    data = Path(spec.origin).parent / "pinyin_dict.json" if spec and spec.origin else None
    if data is None or not data.is_file():
        from pypinyin.pinyin_dict import pinyin_dict

        return pinyin_dict
    return {int(k): v for k, v in json.loads(data.read_text(encoding="utf-8")).items()}


@lru_cache(maxsize=8192)
def _readings(ch: str) -> frozenset[str]:
    """Toneless pinyin readings of one character, its usual ones (重 is zhong and chong; 个's
    rare gàn would make "一个部分" sound like "一干部分")."""
    raw = _character_readings().get(ord(ch))
    if not raw:
        return frozenset()
    return frozenset(r.translate(_TONE_MARKS) for r in raw.split(",")[:USUAL_READINGS])


def _term_syllables(term: str) -> Sound:
    """The reading of a whole term as a word (pypinyin resolves heteronyms by phrase)."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(term, style=Style.NORMAL, errors="ignore")
    return tuple(syllables) if len(syllables) == len(term) else None


def _pypinyin_version() -> str:
    try:
        return version("pypinyin")
    except PackageNotFoundError:
        return ""


def write_sounds(folder: Path, sounds: Mapping[str, Sound]) -> None:
    """Keep the terms' readings (Speller.sounds) in an index folder, for read_sounds."""
    terms = {t: " ".join(s) if s else None for t, s in sorted(sounds.items())}
    doc = {"pypinyin": _pypinyin_version(), "terms": terms}
    (Path(folder) / SOUNDS_FILE).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def read_sounds(folder: Path | None) -> dict[str, Sound]:
    """The readings an index folder keeps; {} when it has none, they cannot be read, or another
    pypinyin (which may read a term otherwise) wrote them."""
    if folder is None:
        return {}
    try:
        doc = json.loads((Path(folder) / SOUNDS_FILE).read_text(encoding="utf-8"))
        if doc.get("pypinyin") != _pypinyin_version():
            return {}
        return {t: tuple(s.split()) if s else None for t, s in doc["terms"].items()}
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return {}


class Speller:
    """Corrects a question toward a fixed vocabulary (the plan's words, built once)."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        is_word=None,
        sounds: Mapping[str, Sound] | None = None,
        keep: frozenset[str] = frozenset(),
    ):
        """is_word(text): whether text is an ordinary word of its own ("主题" is, "主体" too):
        such a window is left alone even when it sounds like a plan word. sounds: terms'
        readings worked out before (read_sounds); the others are read with pypinyin. keep:
        characters never taken for a typo, as FUNCTION_CHARS are."""
        self.is_word = is_word or (lambda _text: False)
        self.kept = FUNCTION_CHARS | keep
        known = sounds or {}
        self.sounds: dict[str, Sound] = {}  # what write_sounds keeps
        self.vocabulary = set()
        self.trie: dict = {}  # syllable → subtree; the key None holds the terms ending there
        self.by_letters: dict[str, str] = {}
        for term in sorted(set(vocabulary), key=lambda t: (-len(t), t)):
            if not (MIN_TERM <= len(term) <= MAX_TERM) or not all(_HAN.match(c) for c in term):
                continue
            sound = known.get(term, ())  # () for a term the file lacks or gets wrong
            if sound == () or (sound is not None and len(sound) != len(term)):
                sound = _term_syllables(term)
            self.sounds[term] = sound
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
        self._chars = _Chars(self.trie)

    def _longest(self, chars: list[tuple[tuple[str, ...], bool]], start: int) -> str | None:
        """The longest vocabulary term that sounds like the text from start (chars: each
        character's entry in self._chars)."""
        best: str | None = None
        frontier = [self.trie]
        for end in range(start, min(len(chars), start + MAX_TERM)):
            # in a fixed order: of two terms as long, the first found wins, whatever the hash seed
            readings = chars[end][0]
            frontier = [node[r] for node in frontier for r in readings if r in node]
            if not frontier:
                break
            for node in frontier:  # a term ending here is longer than any found before
                if terms := node.get(None):
                    best = terms[0]
                    break
        return best

    def _in_word(self, text: str, at: int, start: int, end: int) -> bool:
        """Whether text[at] belongs to a document word, spelled right, that reaches outside the
        window text[start:end]: "放出知识产权" holds 知识产权, so its "出知" is no typo of 出质.
        Only the documents' words: any dictionary word would keep "工成都" from being 工程 都."""
        for left in range(max(0, at - MAX_TERM + 1), at + 1):
            for right in range(max(at + 1, left + MIN_TERM), min(len(text), left + MAX_TERM) + 1):
                if left >= start and right <= end:
                    continue
                word = text[left:right]
                if word in self.vocabulary:
                    return True
        return False

    def correct(self, text: str) -> str:
        """The text with sound-alike windows and pinyin spellings replaced by plan words."""
        text = _LATIN_RUN.sub(lambda m: self.by_letters.get(m.group(0).lower(), m.group(0)), text)
        chars = [self._chars[c] for c in text]
        out, done = [], 0  # text[:done] is in out
        for start in [i for i, (_, starts) in enumerate(chars) if starts]:
            if start < done:  # inside a word replaced already
                continue
            term = self._longest(chars, start)
            if term is None:
                continue
            window = text[start : start + len(term)]
            pairs = list(zip(term, window, strict=True))
            shares = any(a == b for a, b in pairs)
            keep = window in self.vocabulary or self.is_word(window)
            keep = keep or all(b in self.kept for a, b in pairs if a != b)
            # …nor is one that would bring a function character or a negation in ("第2步是"
            # is not "第2不是")
            keep = keep or any(a in FUNCTION_CHARS for a, b in pairs if a != b)
            changed = [start + i for i, (a, b) in enumerate(pairs) if a != b]
            keep = keep or any(self._in_word(text, i, start, start + len(term)) for i in changed)
            out += (text[done:start], window if keep or not shares else term)
            done = start + len(term)
        out.append(text[done:])
        return "".join(out)


class _Chars(dict):
    """character → (its usual readings that some plan word has, sorted; whether a plan word
    can start with it): what the speller looks up for every character of a question. Other
    readings can never match, so leaving them out changes no correction."""

    LIMIT = 20_000  # distinct characters kept; a question of rare ones cannot grow it further

    def __init__(self, trie: dict):
        super().__init__()
        self.first = trie
        self.syllables: set[str] = set()
        nodes = [trie]
        while nodes:
            node = nodes.pop()
            for key, child in node.items():
                if key is not None:
                    self.syllables.add(key)
                    nodes.append(child)

    def __missing__(self, ch: str) -> tuple[tuple[str, ...], bool]:
        readings = tuple(r for r in sorted(_readings(ch)) if r in self.syllables)
        han = "\u4e00" <= ch <= "\u9fff"
        if len(self) >= self.LIMIT:
            self.clear()
        entry = self[ch] = (readings, han and any(r in self.first for r in readings))
        return entry


def plan_vocabulary(searcher) -> list[str]:
    """The documents' own words, for spelling fixes: the dictionary, the indicator rows'
    names, the lexicon's terms and every passage's words (searcher: index.search.Searcher)."""
    from corpus.lexicon import lexicon
    from corpus.tokens import USERDICT, cut

    lines = USERDICT.read_text(encoding="utf-8").splitlines()
    words = {line.split()[0] for line in lines if line.strip()}
    words |= {i.name for i in searcher.indicators}
    words |= set(lexicon().plan_terms)
    for p in searcher.passages:
        words |= {w for w in cut(p.text) if len(w) >= 2}
    return sorted(words)
