"""A document's text as paragraphs of cleaned lines, what the parser reads (parse.py)."""

from __future__ import annotations

import re

from corpus.markers import QUOTE

# A full-width (ideographic) or no-break space is a space: "第一条\u3000为了…", "第一章\u3000总则"
# are written with one as often as with an ASCII space.
WIDE_SPACE = str.maketrans({"\u3000": " ", "\xa0": " "})


def clean_line(line: str) -> str:
    """A line without Markdown bold, a quote mark or surrounding space."""
    return QUOTE.sub("", line.translate(WIDE_SPACE).replace("**", "").strip()).strip()


# A line drawn across the page ("━━━━", "——————", "* * *", "====="): no text; a paragraph of
# its own, RULE, which closes a box drawn with it (parse.py).
_RULE = re.compile(r"^[\u2500-\u257f\u2014\u2015=*~_·\s-]{3,}$")
RULE = "━━━"


def is_rule(line: str) -> bool:
    """A cleaned line that is a line drawn across the page, not text."""
    return bool(_RULE.match(line))


def paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs of cleaned, non-empty lines; a drawn rule is [RULE]."""
    paras: list[list[str]] = []
    cur: list[str] = []
    for raw in text.splitlines():
        line = clean_line(raw)
        if line and is_rule(line):
            if cur:
                paras.append(cur)
            paras.append([RULE])
            cur = []
            continue
        if line:
            cur.append(line)
        elif cur:
            paras.append(cur)
            cur = []
    if cur:
        paras.append(cur)
    return paras
