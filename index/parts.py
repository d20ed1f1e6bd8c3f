"""The numbered parts a search finds by number or name: a document's 专栏 (boxes) and its
numbered sections ("(九)", "第九节"), for Searcher."""

from __future__ import annotations

import re
from collections import Counter

from corpus.headings import column_mentions, column_number
from corpus.lexicon import PhraseIndex, lexicon
from corpus.numerals import chinese_to_int
from corpus.tokens import tokenize
from index.fusion import Fused, boost

_SECTION_MARK = re.compile(r"^[(（]([一二三四五六七八九十]+)[)）]")
_SECTION_ASKED = re.compile(r"[(（]([一二三四五六七八九十]+)[)）]|第([一二三四五六七八九十]+)节")


class NumberedParts:
    """A mixin over self.passages: the 专栏 and sections, by number."""

    def _index_parts(self, indexed: list[frozenset[str]] | None = None) -> None:
        """indexed: each passage's tokens as BM25 has them (an alias another document's
        passage holds whole is that document's word too, not a 专栏's name)."""
        self._column_aliases = self._aliases_of_columns(indexed)
        # each document's 专栏 by number (its first passage); a number several documents have
        # is, unless a question names the document, that of the one with the most 专栏
        self._doc_columns: dict[tuple[str, int | None], int] = {}
        for i, p in enumerate(self.passages):
            if p.kind == "column" and p.section:
                self._doc_columns.setdefault((p.doc, column_number(p.section[-1])), i)
        boxes = Counter(doc for doc, _ in self._doc_columns)
        ranked = sorted(self._doc_columns.items(), key=lambda item: boxes[item[0][0]])
        self._columns = {n: i for (_, n), i in ranked}
        # "(九)", "第九节": a section's overview, by the number it is written with
        self._sections = {
            m.group(1): i
            for i, p in enumerate(self.passages)
            if p.kind == "overview" and p.section and (m := _SECTION_MARK.match(p.section[-1]))
        }

    def _aliases_of_columns(self, indexed: list[frozenset[str]] | None) -> PhraseIndex:
        """The lexicon's other names of each 专栏, and its own title, → its number; less the
        other names a passage of another document holds whole ("数据知识产权" with a guide to
        数据知识产权登记 loaded is the guide's subject, not 专栏2's name)."""
        aliases = lexicon().column_aliases
        names = {}
        for p in self.passages:
            if p.kind == "column" and p.section:
                number = column_number(p.section[-1])
                title = p.section[-1].split(maxsplit=1)[-1]
                names[title] = number
                for name in aliases.get(title, ()):
                    if not (indexed and self._elsewhere(name, p.doc, indexed)):
                        names[name] = number
        return PhraseIndex(names)

    def _elsewhere(self, name: str, doc: str | None, indexed: list[frozenset[str]]) -> bool:
        """Whether a passage of a document other than doc holds every token of name (as BM25
        indexed it): the name is that document's word too (a 专栏's or a row's other name)."""
        mine = set(tokenize(name, normalized=True))
        return bool(mine) and any(
            p.doc != doc and mine <= ws for p, ws in zip(self.passages, indexed, strict=True)
        )

    @property
    def column_titles(self) -> dict[int, str]:
        """专栏 number → its title ("地理标志保护工程")."""
        return {
            n: self.passages[i].section[-1].split(maxsplit=1)[-1] for n, i in self._columns.items()
        }

    @property
    def section_titles(self) -> dict[int, str]:
        """Section number → its heading as written ("(五) 加强知识产权司法保护"), in plan order."""
        return {
            chinese_to_int(mark): self.passages[i].section[-1]
            for mark, i in sorted(self._sections.items(), key=lambda kv: kv[1])
        }

    def columns_named(self, text: str) -> list[int]:
        """The 专栏 a (normalized) text names, by number or by name, in order."""
        found = column_mentions(text)
        found += [(start, n) for _, n, start, _ in self._column_aliases.finditer(text)]
        numbers = [n for _, n in sorted(found) if n in self._columns]
        return list(dict.fromkeys(numbers))

    def column_passage(self, number: int) -> int | None:
        """The position of a 专栏's own passage."""
        return self._columns.get(number)

    def _boost_sections(self, fused: dict[int, Fused], question: str) -> None:
        for number in _SECTION_ASKED.findall(question):
            i = self._sections.get(next(n for n in number if n))
            if i is not None:
                boost(fused, i, f"小节编号匹配：({number[0] or number[1]})")
