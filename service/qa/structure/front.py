"""Who issued a document and when, from its front matter: the lines before its first heading
("本市知识产权局 2026年3月", "发布单位：市知识产权局。…自2025年4月1日起使用")."""

from __future__ import annotations

import re

from corpus.records import Passage
from service.qa.structure.found import Found, book, titled

# "是哪个单位发布的", "谁印发的", "什么时候出台的", "发布日期": who issued the document, or when;
# the asking words come before the verb ("最后出的是什么文书，要多长时间" asks neither).
_ISSUED = r"(?:发布|印发|发的|出的|出台|颁布|制定)"
ASKS_ISSUER = re.compile(
    rf"(?:(?:哪个|哪家|哪一个|什么)\s*(?:单位|部门|机关|机构)|谁)[^。？?！!]{{0,8}}?{_ISSUED}"
)
ASKS_DATE = re.compile(
    rf"(?:什么时候|何时|哪一?年|几月|哪一?天)[^。？?！!]{{0,8}}?{_ISSUED}"
    r"|(?:发布|印发|出台|颁布)的?(?:时间|日期)"
)
DATE = re.compile(r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?")
# An office's name as front matter writes it: "本市知识产权局 2026年3月", "发布单位：…".
ISSUER = re.compile(r"(?:局|厅|委员会|办公室|政府|中心|法院)(?![\u4e00-\u9fff])|发布单位|印发单位")
CLAUSE = re.compile(r"(?<=[。；])")
MAX_SAID = 80  # characters of each front-matter line quoted


class FrontMatter:
    def __init__(self, passages: list[Passage]):
        self.titles: dict[str, str] = {}
        self.front: dict[str, list[tuple[str, Passage]]] = {}
        for p in passages:
            self.titles.setdefault(p.doc, p.doc_title or p.doc)
            if p.kind == "title" and not p.section:
                rest = p.text.replace(self.titles[p.doc], "", 1).strip()
                if rest:
                    self.front.setdefault(p.doc, []).append((rest, p))

    def answer(self, question: str) -> Found | None:
        """The issuer or date a question asks of a document it names (or the only one), as
        its front matter gives them; None when it asks neither, or the front matter has not
        what is asked (the passages then answer, or say what they lack)."""
        issuer, date = ASKS_ISSUER.search(question), ASKS_DATE.search(question)
        if not (issuer or date):
            return None
        doc = self._doc(question)
        if doc is None:
            return None
        lines = [
            (_cut(line), p)
            for line, p in self.front.get(doc, ())
            if (date and DATE.search(line)) or (issuer and ISSUER.search(line))
        ]
        if not lines or (date and not any(DATE.search(line) for line, _ in lines)):
            return None
        said = "；".join(line for line, _ in lines)
        return Found(f"{book(self.titles[doc])}：{said}。", tuple(p for _, p in lines), True)

    def _doc(self, question: str) -> str | None:
        """The one document the question names by its title, else the only one loaded."""
        docs, _ = titled(question, self.titles)
        return docs[0] if len(docs) == 1 else None


def _cut(line: str) -> str:
    """A front-matter line up to MAX_SAID characters, at a clause's end when it is longer."""
    if len(line) <= MAX_SAID:
        return line.rstrip("。；")
    kept = ""
    for clause in CLAUSE.split(line):
        if kept and len(kept) + len(clause) > MAX_SAID:
            break
        kept += clause
    return kept[:MAX_SAID].rstrip("。；")
