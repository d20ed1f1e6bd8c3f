"""The plan's language as data: everyday and English terms, names, scope words (TOML files here)."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent
FILES = (
    "terms.toml",
    "english.toml",
    "names.toml",
    "scope.toml",
    "language.toml",
    "table.toml",
    "evidence.toml",
)
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


class LexiconError(ValueError):
    """A lexicon file cannot be read; the message names the file and the problem."""


def _is_ascii_word_char(ch: str) -> bool:
    return ch in _ASCII_WORD


class PhraseIndex:
    """Finds listed phrases in text: longest match first, left to right, no overlaps.

    Text and phrases are compared lower-cased; a phrase that starts or ends with a Latin letter
    or digit must not be glued to another one ("ip" is not found in "tip")."""

    def __init__(self, phrases: dict[str, object] | Iterable[str], prepare=None):
        """prepare: applied to each phrase first (the normalization questions get)."""
        items = phrases.items() if isinstance(phrases, dict) else ((p, p) for p in phrases)
        self.values: dict[str, object] = {}
        for phrase, value in items:
            key = (prepare(phrase) if prepare else phrase).strip().lower()
            if key:
                self.values.setdefault(key, value)
        # Per first character, the lengths of the phrases that start with it (longest first):
        # a position whose character starts no phrase costs one dict lookup.
        starts: dict[str, set[int]] = {}
        for key in self.values:
            starts.setdefault(key[0], set()).add(len(key))
        self.by_first = {ch: sorted(sizes, reverse=True) for ch, sizes in starts.items()}

    def __bool__(self) -> bool:
        return bool(self.values)

    def finditer(self, text: str):
        """(phrase, value, start, end) for each match."""
        low = text.lower()
        i, n = 0, len(low)
        while i < n:
            sizes = self.by_first.get(low[i])
            # a Latin phrase cannot start inside a Latin word ("ip" in "tip")
            if sizes and not (
                i and _is_ascii_word_char(low[i]) and _is_ascii_word_char(low[i - 1])
            ):
                for size in sizes:
                    key = low[i : i + size]
                    if (
                        len(key) == size
                        and key in self.values
                        and self._bounded(low, i, i + size, key)
                    ):
                        yield key, self.values[key], i, i + size
                        i += size
                        break
                else:
                    i += 1
            else:
                i += 1

    @staticmethod
    def _bounded(text: str, start: int, end: int, key: str) -> bool:
        if _is_ascii_word_char(key[0]) and start > 0 and _is_ascii_word_char(text[start - 1]):
            return False
        return not (
            _is_ascii_word_char(key[-1]) and end < len(text) and _is_ascii_word_char(text[end])
        )

    def find(self, text: str) -> list[str]:
        return [phrase for phrase, _, _, _ in self.finditer(text)]

    def search(self, text: str) -> bool:
        return next(self.finditer(text), None) is not None

    def remove(self, text: str, repl: str = " ") -> str:
        """The text with every match replaced by `repl`."""
        return self.replace(text, lambda _value: repl)

    def replace(self, text: str, by=None) -> str:
        """The text with every match replaced by by(value) (default: the value itself)."""
        out, last = [], 0
        for _, value, start, end in self.finditer(text):
            out.append(text[last:start])
            out.append(str(value) if by is None else by(value))
            last = end
        out.append(text[last:])
        return "".join(out)


@dataclass(frozen=True)
class Lexicon:
    """Everything the lexicon files say, ready to match. Built once per process."""

    fingerprint: str  # of all the files
    fingerprints: dict[str, str]  # of each file (language.toml decides how text is indexed)
    expansions: PhraseIndex  # saying → tuple of plan terms
    plan_terms: tuple[str, ...]
    indicator_aliases: dict[str, tuple[str, ...]]
    column_aliases: dict[str, tuple[str, ...]]
    plan_reference: PhraseIndex
    domain: PhraseIndex
    national_places: frozenset[str]
    places: PhraseIndex
    place_suffixes: tuple[str, ...]
    not_places: frozenset[str]
    narrative: tuple[str, ...]
    organizations: PhraseIndex
    organization_suffixes: tuple[str, ...]
    company_forms: tuple[str, ...]
    generic_org_heads: frozenset[str]
    other_plans: PhraseIndex
    other_times: PhraseIndex
    now_words: PhraseIndex
    plan_answers: PhraseIndex
    off_task: PhraseIndex
    injection: PhraseIndex
    qualifiers: PhraseIndex  # phrase → qualifier kind
    fillers: PhraseIndex
    stopwords: frozenset[str]
    periods: PhraseIndex  # variant → canonical period
    replacements: PhraseIndex  # variant → the word that replaces it in normalization
    fields: PhraseIndex  # phrase → "change" | "base" | "target" (the role of a table column)
    field_words: frozenset[str]
    figure_asks: PhraseIndex
    structure_nouns: tuple[str, ...]
    plan_location: PhraseIndex
    past_period: PhraseIndex
    list_asks: PhraseIndex
    # words that make a clause the asking part of a question (True), and those that do not
    # though they hold one ("没什么用": False)
    ask_markers: PhraseIndex
    ip_objects: dict[str, tuple[str, ...]]  # kind of IP → its names (evidence.toml)
    period_current: str  # the plan's own period (十四五)
    period_past: str  # the period before it, whose figures its background gives (十三五)
    periods_earlier: tuple[str, ...]  # periods before that (十二五)
    past_years: frozenset[str]  # the year the past period's figures start from (its background)
    suggestions: tuple[str, ...]  # example questions offered when nothing answers
    topic_qualifiers: frozenset[str]  # qualifier words that name a topic, not what is asked
    inclusion_asks: PhraseIndex  # 算不算, 包不包括: whether a topic is counted in, not its fee
    local_words: PhraseIndex  # 本市, 全市: the office's own city, as its documents call it
    yes_no: PhraseIndex  # 吗, 是不是, 有没有…
    wh_words: PhraseIndex  # 什么, 多少, 哪…
    code_like: tuple[re.Pattern, ...]  # SQL, markup: input that is not a question
    conversation: PhraseIndex  # phrase → plural | other | before | after | last | first | …
    computing_words: frozenset[str]
    table_words: PhraseIndex  # phrase → (section, key): ("columns", "growth"), ("group", "money")…
    table_groups: dict[str, dict]  # group key → {label, unit | name_contains, say, bare}
    table_roles: dict[str, frozenset[str]]  # combining, computing, not_triggers, strong_checks
    table_header: dict[str, tuple[str, ...]]  # header words of a column's role: change → 累计增加…
    english_parts: dict[str, str] = field(default_factory=dict)  # "article" → "第{}条"
    english_words: PhraseIndex | None = None  # "mediation" → ("调解",): english.toml alone
    raw: dict = field(repr=False, default_factory=dict)


def _read(folder: Path) -> tuple[dict, str, dict[str, str]]:
    data, digest, each = {}, hashlib.sha256(), {}
    for name in FILES:
        path = folder / name
        try:
            raw = path.read_bytes()
            data[name] = tomllib.loads(raw.decode("utf-8"))
        except FileNotFoundError as exc:
            raise LexiconError(f"lexicon file missing: {path}") from exc
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise LexiconError(f"lexicon file {path.name} is not valid UTF-8 TOML: {exc}") from exc
        digest.update(name.encode() + b"\0" + raw + b"\0")
        each[name] = hashlib.sha256(raw).hexdigest()[:16]
    return data, digest.hexdigest()[:16], each


def _words(value) -> list[str]:
    """A TOML list of strings, or one string of space-separated words."""
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value or []]


def build_lexicon(folder: Path = LEXICON_DIR) -> Lexicon:
    data, fingerprint, fingerprints = _read(Path(folder))
    terms, names = data["terms.toml"].get("term", []), data["names.toml"]
    scope, lang = data["scope.toml"], data["language.toml"]
    expansions: dict[str, tuple[str, ...]] = {}
    for entry in terms:
        plan = entry["plan"]
        for saying in [plan, *_words(entry.get("say"))]:
            key = saying.lower()
            expansions[key] = tuple(dict.fromkeys([*expansions.get(key, ()), plan]))
    # English words → the ordinary Chinese words of any document (not only the plan's terms)
    english = {
        k.lower(): tuple(_words(v)) for k, v in data["english.toml"].get("words", {}).items()
    }
    for key, chinese in english.items():
        expansions[key] = tuple(dict.fromkeys([*expansions.get(key, ()), *chinese]))
    periods = {
        v: canon for canon, variants in lang.get("periods", {}).items() for v in _words(variants)
    }
    replace_map = {
        v: canon for canon, variants in lang.get("replace", {}).items() for v in _words(variants)
    }
    period_index, replace_index = PhraseIndex(periods), PhraseIndex(replace_map)

    def prepare(phrase: str) -> str:
        """Phrases are matched against normalized questions, so they get the same rewrites."""
        return replace_index.replace(period_index.replace(phrase))

    def index(values) -> PhraseIndex:
        return PhraseIndex(values, prepare)

    # Listed non-qualifiers win by being longer ("黑名单" is not a request for a 名单).
    qualifiers = {p: None for p in _words(scope.get("not_qualifiers"))}
    qualifiers.update(
        {p: kind for kind, phrases in scope.get("qualifiers", {}).items() for p in _words(phrases)}
    )
    figure_asks = {p: True for p in _words(lang.get("figure_asks"))}
    figure_asks.update({p: False for p in _words(scope.get("not_figure_asks"))})
    fields = {
        p: name
        for name in ("change", "base", "target")  # a phrase listed twice: the later role
        for p in _words(lang.get("fields", {}).get(name))
    }
    table = data["table.toml"]
    table_words = {
        p: (section, key)
        for section in ("columns", "operations")
        for key, phrases in table.get(section, {}).items()
        for p in _words(phrases)
    }
    for key, group in table.get("groups", {}).items():
        table_words.update({p: ("group", key) for p in _words(group.get("say"))})
        table_words.update({p: ("bare", key) for p in _words(group.get("bare"))})
    return Lexicon(
        fingerprint=fingerprint,
        fingerprints=fingerprints,
        expansions=index(expansions),
        plan_terms=tuple(dict.fromkeys(e["plan"] for e in terms)),
        indicator_aliases={
            k: tuple(prepare(a).lower() for a in v) for k, v in names.get("indicators", {}).items()
        },
        column_aliases={
            k: tuple(prepare(a).lower() for a in v) for k, v in names.get("columns", {}).items()
        },
        plan_reference=index(_words(scope.get("plan_reference"))),
        domain=index(_words(scope.get("domain"))),
        national_places=frozenset(_words(scope.get("national_places"))),
        places=index(_words(scope.get("places"))),
        place_suffixes=tuple(_words(scope.get("place_suffixes"))),
        not_places=frozenset(_words(scope.get("not_places"))),
        narrative=tuple(_words(scope.get("narrative"))),
        organizations=index(_words(scope.get("organizations"))),
        organization_suffixes=tuple(_words(scope.get("organization_suffixes"))),
        company_forms=tuple(_words(scope.get("company_forms"))),
        generic_org_heads=frozenset(_words(scope.get("generic_org_heads"))),
        other_plans=index(_words(scope.get("other_plans"))),
        other_times=index(_words(scope.get("other_times"))),
        now_words=index(_words(scope.get("now_words"))),
        plan_answers=index(_words(scope.get("plan_answers"))),
        off_task=index(_words(scope.get("off_task"))),
        injection=index(_words(scope.get("injection"))),
        qualifiers=index(qualifiers),
        fillers=index(_words(lang.get("fillers"))),
        stopwords=frozenset(_words(lang.get("stopwords"))),
        periods=period_index,
        replacements=replace_index,
        fields=index(fields),
        field_words=frozenset(_words(lang.get("fields", {}).get("words"))),
        figure_asks=index(figure_asks),
        structure_nouns=tuple(_words(lang.get("structure_nouns"))),
        plan_location=index(_words(lang.get("plan_location"))),
        past_period=index(_words(lang.get("past_period"))),
        list_asks=index(_words(lang.get("list_asks"))),
        ask_markers=index(
            {
                **{w: False for w in _words(lang.get("not_ask_markers"))},
                **{w: True for w in _words(lang.get("ask_markers"))},
            }
        ),
        period_current=str(lang.get("period_names", {}).get("current", "")),
        period_past=str(lang.get("period_names", {}).get("past", "")),
        periods_earlier=tuple(_words(lang.get("period_names", {}).get("earlier"))),
        past_years=frozenset(_words(lang.get("period_names", {}).get("past_years"))),
        suggestions=tuple(_words(lang.get("suggestions"))),
        topic_qualifiers=frozenset(_words(scope.get("topic_qualifiers"))),
        inclusion_asks=index(_words(scope.get("inclusion_asks"))),
        local_words=index(_words(scope.get("local_words"))),
        yes_no=index(_words(lang.get("yes_no"))),
        wh_words=index(_words(lang.get("wh_words"))),
        code_like=tuple(re.compile(p) for p in lang.get("code_like", [])),
        ip_objects={
            kind: tuple(prepare(n).lower() for n in _words(names))
            for kind, names in data.get("evidence.toml", {}).get("objects", {}).items()
        },
        computing_words=frozenset(_words(lang.get("computing_words"))),
        english_words=index(english),
        english_parts={k.lower(): str(v) for k, v in data["english.toml"].get("parts", {}).items()},
        conversation=index(
            {
                p: kind
                for kind, phrases in lang.get("conversation", {}).items()
                for p in _words(phrases)
            }
        ),
        table_words=index(table_words),
        table_groups=dict(table.get("groups", {})),
        table_roles={k: frozenset(_words(v)) for k, v in table.get("roles", {}).items()},
        table_header={k: tuple(_words(v)) for k, v in table.get("header", {}).items()},
        raw=data,
    )


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicon shipped with the package (corpus/lexicon/*.toml)."""
    return build_lexicon(LEXICON_DIR)
