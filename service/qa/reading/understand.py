"""Read a question: what to search, which plan terms it means, and what it asks beyond the plan."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.lexicon import Lexicon, lexicon
from service.qa.reading.clauses import ASK_SPLIT, asking_clauses, relative_years, times_asked
from service.qa.reading.fields import Asked, detect_field, years_said
from service.qa.reading.spelling import Speller


def tokenize_cached(text: str) -> list[str]:
    from corpus.tokens import tokenize

    return tokenize(text, normalized=True)


_COUNTED_STRUCTURE = re.compile(
    r"(专栏|指标|原则|工程|部分|章|节)[^，,。？?]{0,3}(一共|总共|共有|有)"
)
_CLAUSE = re.compile(r"[，。！？；,.!?;:：\s]+")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?=年|$|\D)")
_HAN_OR_LATIN = r"[\u4e00-\u9fffA-Za-z]"
# Something a question is written in: a Chinese character, a Latin word, a number.
_WORDLIKE = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}|\d")


def _longest(words: list[str]) -> tuple[str, ...]:
    """The words, each once, without those inside another ("福州" beside "福州市")."""
    unique = list(dict.fromkeys(words))
    return tuple(w for w in unique if not any(w != o and w in o for o in unique))


# jieba's dictionary holds rare entries that are mostly slips ("注消" 3, "正书" 9 against
# "注销" 80, "证书" 1691): below this count a window is no word of its own.
MIN_WORD_FREQUENCY = 10


def _dictionary_word(text: str) -> bool:
    """A word of jieba's dictionary (so a real word, not a typo of a plan word)."""
    from corpus.tokens import word_frequency

    return word_frequency(text) >= MIN_WORD_FREQUENCY


# Qualifier kinds that ask about one service (how it is done, its fee, its time limit).
_SERVICE_KINDS = frozenset({"procedure", "fee", "duration"})


@dataclass(frozen=True)
class Qualifier:
    """Something the question asks about that the plan does not cover, and the words showing it."""

    kind: str  # place, organization, period, procedure, fee, duration, contact, definition, …
    words: tuple[str, ...]
    # shown by its own words too: a programme named, not an amount asked ("交资助申请的时候要不
    # 要翻译": a passage about 资助 answers, whether or not it gives a sum)
    named: bool = False
    # the years its relative words stand for today ("去年" → "2025"): a document whose title
    # names that year (an annual report) is about it
    years: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """A question as the engine understands it."""

    text: str  # normalized, fillers removed, plan words spelled right: what is searched
    expansions: tuple[str, ...]  # plan terms the question's everyday words stand for
    field: Asked
    qualifiers: tuple[Qualifier, ...] = ()
    domain: tuple[str, ...] = ()  # IP words in the question
    references_plan: bool = False
    off_task: tuple[str, ...] = ()  # asks the assistant to do something else ("帮我写")
    injection: tuple[str, ...] = ()  # tries to change its rules ("忽略之前的指令", "ignore")
    asks_figure: bool = False  # 多少, 几个, how many…
    counts_structure: bool = False  # …of the plan's own parts (专栏, 指标, 原则…)
    years: tuple[str, ...] = field(default_factory=tuple)
    objects: tuple[str, ...] = ()  # kinds of IP the asking part names (专利, 商标…)
    framed_objects: bool = False  # …named only in the framing (the story before the ask)
    junk: bool = False  # symbols only, or code (SQL, markup): not a question at all
    yes_no: bool = False  # asks whether (吗, 有没有…), not what/how much/which
    asking: str = ""  # the clauses that ask ("规划管不管" of "有人卖山寨货…，规划管不管")

    def has(self, *kinds: str) -> bool:
        return any(q.kind in kinds for q in self.qualifiers)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(q.kind for q in self.qualifiers)


class Reader:
    """Turns a normalized question into a Query, with the lexicon and the plan's vocabulary."""

    def __init__(
        self,
        vocabulary: list[str],
        lex: Lexicon | None = None,
        synonyms: dict[str, tuple[str, ...]] | None = None,
        years: dict[str, str] | None = None,
        sounds: dict | None = None,
        this_year: int | None = None,
    ):
        """synonyms: word → plan words (同义词词林's groups, corpus/lexicon/cilin.py);
        years: year → role of the indicator table's columns, as its header names them;
        sounds: the plan words' readings kept with the index (spelling.read_sounds)."""
        self.years = dict(years or {})
        self.this_year = this_year
        self.lex = lex or lexicon()
        self.synonyms = synonyms or {}
        # a place's one-character suffix is no typo: "按市里的办法" is not 按时 (on time)
        places = frozenset(s for s in self.lex.place_suffixes if len(s) == 1)
        self.speller = Speller(vocabulary, is_word=_dictionary_word, sounds=sounds, keep=places)
        suffixes = "|".join(map(re.escape, self.lex.organization_suffixes))
        self._org = re.compile(rf"({_HAN_OR_LATIN}{{2,10}}?)({suffixes})") if suffixes else None

    def clean(self, question: str) -> str:
        """Fillers out, spelling fixed; the rest of the words stay as the user wrote them."""
        text = self.lex.fillers.remove(question, " ")
        text = self.speller.correct(text)
        return " ".join(text.split()).strip(" ,.;:!?，。；：！？、")

    def read(self, question: str, tokens: list[str] | None = None, cleaned: bool = False) -> Query:
        """tokens: jieba search-mode tokens of the question, if the caller has them;
        cleaned: the question is already `clean`'s output."""
        text = question if cleaned else self.clean(question) or question
        lex = self.lex
        expansions = tuple(
            dict.fromkeys(t for _, terms, _, _ in lex.expansions.finditer(text) for t in terms)
        )
        # "这份材料" is the plan, not a form to hand in; "哪个单位宣传的" the plan does say.
        bare = lex.plan_reference.remove(lex.plan_answers.remove(text, "，"), "，")
        asks = [(p, end) for p, real, _, end in lex.figure_asks.finditer(bare) if real]
        # "规划一共有几个专栏" counts the plan's own parts; "要认定多少个地理标志产品" does not
        counts = any(
            bare[end : end + 3].lstrip("个项条").startswith(lex.structure_nouns) for _, end in asks
        ) or bool(_COUNTED_STRUCTURE.search(bare) and asks)
        years = tuple(y for y in _YEAR.findall(bare) if y not in self.years)
        if tokens is None:
            from corpus.tokens import tokenize

            tokens = tokenize(bare, normalized=True)
        yes_no = bool(lex.yes_no.search(bare)) and not lex.wh_words.search(bare)
        asking = "，".join(bare[a:b] for a, b in self._asking_clauses(bare)) or bare
        # "风险补偿算不算利息": whether 利息 is counted in, not what interest costs
        included = yes_no and bool(lex.inclusion_asks.search(asking))
        qualifiers = self._qualifiers(bare, tokens, years, bool(asks), included)
        objects, framed = self._objects(bare, qualifiers)
        if self.synonyms:  # the thesaurus's plan words for the question's other words
            more = [w for t in tokenize_cached(text) for w in self.synonyms.get(t, ())]
            expansions = tuple(dict.fromkeys([*expansions, *more]))
        return Query(
            text=text,
            expansions=expansions,
            field=detect_field(text, self.years),
            qualifiers=qualifiers,
            domain=tuple(lex.domain.find(text)),
            references_plan=lex.plan_reference.search(text),
            off_task=tuple(lex.off_task.find(text)),
            injection=tuple(lex.injection.find(text)),
            asks_figure=bool(asks),
            counts_structure=bool(counts),
            years=years,
            objects=objects,
            framed_objects=framed,
            junk=not _WORDLIKE.search(text) or any(p.search(text) for p in lex.code_like),
            yes_no=yes_no,
            asking=asking,
        )

    # --- qualifiers --------------------------------------------------------------------------

    def _qualifiers(
        self, text: str, tokens: list[str], years: tuple[str, ...], asks: bool, included: bool
    ) -> tuple[Qualifier, ...]:
        """included: a yes/no question whether something is counted in ("算不算利息"): the
        words naming a topic are what it asks about, not a fee or a procedure asked for."""
        lex, found = self.lex, {}
        for phrase, kind in self._asked(text):
            if not (included and phrase in lex.topic_qualifiers):
                found.setdefault(kind, []).append(phrase)
        places = self._places(text, tokens)
        orgs = self._organizations(text)
        # "北京知识产权局": one organization named by its place, not a place and an office
        orgs = [next((p + o for p in places if p + o in text), o) for o in orgs]
        places = [p for p in places if not any(o.startswith(p) for o in orgs)]
        if places:
            found["place"] = places
        if orgs:
            found["organization"] = orgs
        period = lex.other_plans.find(text)
        if asks or self._about_target(text):
            # the year the past period's figures start from (十二五末) the plan does give
            period += [y for y in years if y not in lex.past_years] + times_asked(text, self.lex)
            # "现在几分，打算提到几分": both columns
            if detect_field(text, self.years) is not Asked.TARGET:
                period += self._now(text)
        if period:
            found["period"] = period
        topics = lex.topic_qualifiers
        return tuple(
            Qualifier(
                kind,
                ws := _longest(words),
                kind == "fee" and not asks and set(ws) <= topics,
                relative_years(ws, self.this_year, lex) if kind == "period" else (),
            )
            for kind, words in found.items()
        )

    def _now(self, text: str) -> list[str]:
        """ "现在/目前" in a clause that asks a figure of its own ("目前一年期LPR是多少"); not in
        one asking a service's fee or time limit ("现在撤回能退多少钱": the one in force, so
        现在 says when, not which period's figure)."""
        now = []
        for clause in ASK_SPLIT.split(text):
            words = self.lex.now_words.find(clause)
            kinds = {kind for _, kind, _, _ in self.lex.qualifiers.finditer(clause) if kind}
            if words and not kinds & _SERVICE_KINDS:
                now += words
        return now

    def _asked(self, text: str) -> list[tuple[str, str]]:
        """(phrase, kind) of the qualifiers in the part of the question that asks: when some
        clauses ask (a question word, a question mark) and carry something to ask for of their
        own, the words of the other clauses are the question's framing ("单位写总结要用：……",
        "新认定为优势企业，市里奖多少钱")."""
        found = [
            (p, kind, start) for p, kind, start, _ in self.lex.qualifiers.finditer(text) if kind
        ]
        asking = self._asking_clauses(text)
        if not found or not asking:
            return self._less_topics([(p, kind) for p, kind, _ in found])

        def inside(at: int) -> bool:
            return any(a <= at < b for a, b in asking)

        asked = [(p, kind) for p, kind, start in found if inside(start)]
        figure = any(
            real and inside(start) for _, real, start, _ in self.lex.figure_asks.finditer(text)
        )
        if asked or figure:
            return self._less_topics(asked, self._alone(found, asking))
        # nothing asked in the clauses that ask: the framing's qualifiers count, less the words
        # that only name its topic ("准备报贴息补助。这个凭证有什么要求吗")
        topics = self.lex.topic_qualifiers
        return self._less_topics([(p, k) for p, k, _ in found if p not in topics])

    def _less_topics(
        self, found: list[tuple[str, str]], alone: frozenset[str] = frozenset()
    ) -> list[tuple[str, str]]:
        """Words that only name the topic (补助, 申报) when something else is asked of it;
        alone: those asked by a clause of their own ("要带什么材料，要多久"), which stay."""
        topics = self.lex.topic_qualifiers - alone
        asked = {kind for p, kind in found if p not in topics}
        return [(p, kind) for p, kind in found if p not in topics or not asked or kind in asked]

    def _alone(self, found: list, asking: list[tuple[int, int]]) -> frozenset[str]:
        """The topic words that are the only qualifier of an asking clause."""
        by_clause: dict[int, list[str]] = {}
        for p, _, start in found:
            for n, (a, b) in enumerate(asking):
                if a <= start < b:
                    by_clause.setdefault(n, []).append(p)
        topics = self.lex.topic_qualifiers
        return frozenset(ps[0] for ps in by_clause.values() if len(ps) == 1 and ps[0] in topics)

    def _objects(
        self, text: str, qualifiers: tuple[Qualifier, ...] = ()
    ) -> tuple[tuple[str, ...], bool]:
        """The kinds of IP the asking part of the question names ("我们的商标被仿冒了，援助热线
        是多少" asks for a hotline, whatever the trouble is with), else those its framing names;
        and whether they are the framing's."""
        low = text.lower()

        def named(spans: list[tuple[int, int]]) -> tuple[str, ...]:
            return tuple(
                kind
                for kind, names in self.lex.ip_objects.items()
                if any(n in low[a:b] for n in names for a, b in spans)
            )

        # when the asking part names none and asks how a service is done, what it costs or how
        # long it takes, the framing's kind is the service's ("想拿专利去银行贷款，质押登记要准备
        # 哪些材料": 专利); a hotline or an address is the office's, whatever the trouble is with
        asked = named(self._asking_clauses(text) or [(0, len(text))])
        if asked or not any(q.kind in _SERVICE_KINDS for q in qualifiers):
            return asked, False
        framed = named([(0, len(text))])
        return framed, bool(framed)

    def _asking_clauses(self, text: str) -> list[tuple[int, int]]:
        return asking_clauses(text, self.lex)

    def _about_target(self, text: str) -> bool:
        return self.lex.fields.search(text) or bool(years_said(text, self.years)) or "指标" in text

    def _narrative(self, text: str, start: int) -> bool:
        """Whether the words before `start`, in the same clause, are someone's own story."""
        clause_start = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
        before = text[clause_start:start]
        return any(marker in before for marker in self.lex.narrative)

    def _places(self, text: str, tokens: list[str]) -> list[str]:
        lex, out = self.lex, []
        spans = [(p, s) for p, _, s, _ in lex.places.finditer(text)]
        low = text.lower()
        for token in tokens:  # "海淀区", "晋江市": a word ending in 省/市/县/区/州
            if (
                len(token) >= 3
                and token.endswith(lex.place_suffixes)
                and token not in lex.not_places
                and not any(n in token for n in lex.national_places)
                and low.find(token) >= 0
            ):
                spans.append((token, low.find(token)))
        for place, start in spans:
            if place in lex.national_places:
                continue
            if self._narrative(text, start) and not self._named_again(text, place, start):
                continue
            out.append(place)
        return list(dict.fromkeys(out))

    def _named_again(self, text: str, place: str, start: int) -> bool:
        """ "我们在隔壁临江市还有个分公司，临江那边的电话是多少": a place of someone's story,
        named again (by itself or less its 市/县/区) in a later clause."""
        stem = place[:-1] if place.endswith(self.lex.place_suffixes) else place
        later = _CLAUSE.search(text, start + len(place))
        return len(stem) >= 2 and later is not None and stem in text[later.end() :]

    def _organizations(self, text: str) -> list[str]:
        lex, out = self.lex, []
        for name, _, start, _ in lex.organizations.finditer(text):
            if not self._narrative(text, start):
                out.append(name)
        if self._org:
            for m in self._org.finditer(text):
                head = m.group(1)
                if any(head.endswith(g) for g in lex.generic_org_heads):
                    continue
                # "福州大学", "华为技术有限公司": named by a place or a company's legal form
                named = lex.places.search(head[-3:]) or text[: m.end()].endswith(lex.company_forms)
                if named and not self._narrative(text, max(m.start(), m.start(2) - 4)):
                    out.append(m.group(0))
        return list(dict.fromkeys(out))
