"""Properties (hypothesis): normalization is idempotent, the parser never loses text,
the splitter's chunks fit and give back their input."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus.normalize import normalize_question, normalize_text
from corpus.paragraphs import clean_line, is_rule
from corpus.parse import parse_document
from corpus.split import split_text

BOUNDED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any character but surrogates (st.characters' default), weighted towards what users type.
CHARS = st.one_of(
    st.characters(codec="utf-8"),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # full-width ASCII
    st.characters(min_codepoint=0x3000, max_codepoint=0x303F),  # CJK punctuation
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
    st.characters(min_codepoint=0x0300, max_codepoint=0x036F),  # combining marks
    st.sampled_from(
        list("IPipGDPatentrdmk*!?？！。，、 \t\n\u3000\u200b〇一二三四五年十規劃著個國際專利")
    ),
)
TEXT = st.text(alphabet=CHARS, max_size=60)


@BOUNDED
@given(TEXT)
@example("Ａ\u0301")  # a full-width letter and a combining mark: NFC must run after folding
@example("ＩＰ和ＧＤＰ、１４五、二〇二五年？？？")
@example("智慧財產權\u200b**保護**")
def test_normalize_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    question = normalize_question(text)
    assert normalize_question(question) == question


# ---- the parser on documents built from the plan's markers --------------------------------
PLAN_CHARS = list(
    "知识产权保护运用规划专利商标地理标志版权创新建设体系完善加强提高推动质量服务工程"
    "，。；：、？！ 0123456789%（）()“”-"
)
WORDS = st.text(alphabet=st.sampled_from(PLAN_CHARS), min_size=1, max_size=50).filter(str.strip)
CN = st.sampled_from(["一", "二", "三", "八", "十", "十一", "二十一"])
BRACKETS = st.sampled_from(["()", "（）"])

LINE = st.one_of(
    st.builds("{}、{}".format, CN, WORDS),  # chapter
    st.builds("{} {}".format, st.integers(1, 12), WORDS),  # numbered block
    st.builds(lambda n, b, t: f"{b[0]}{n}{b[1]} {t}", CN, BRACKETS, WORDS),  # section
    st.builds("专栏{} {}".format, st.integers(1, 15), WORDS),  # column
    st.builds("- {}".format, WORDS),  # bullet
    st.builds("- ({}) {}".format, st.integers(1, 9), WORDS),
    st.builds("- {}. {}".format, st.integers(1, 9), WORDS),
    st.builds("{} {}".format, st.sampled_from(["#", "##", "###"]), WORDS),  # markdown heading
    st.builds(
        "{}**{}**{}".format, WORDS, st.sampled_from(["6.3", "15.8", "11.6%", "80.05"]), WORDS
    ),
    st.builds("{}\t{}".format, WORDS, WORDS),  # a tab inside ordinary text
    st.builds("宣传单位：\n{}".format, WORDS),
    WORDS,
    st.builds("{}。".format, WORDS),
    st.just(""),
)
ROW = st.builds(
    lambda n, name, unit, vals: f"{n} {name} ({unit})\t" + "\t".join(vals),
    st.integers(1, 20),
    st.text(alphabet=st.sampled_from(PLAN_CHARS[:30]), min_size=1, max_size=20),
    st.sampled_from(["件", "万件", "亿元", "%", "分"]),
    st.lists(
        st.sampled_from(["6.3", "12", "13.0", "—", "**5.7**", "3,200"]), min_size=3, max_size=3
    ),
)
TABLE = st.builds(
    lambda rows: (
        "“十四五”时期知识产权发展主要指标\n\n指标\t2020年\t2025年\t累计增加值\n" + "\n".join(rows)
    ),
    st.lists(ROW, min_size=1, max_size=4),
)
DOCUMENT = st.lists(st.one_of(LINE, LINE, LINE, TABLE), max_size=25).map("\n".join)
_BULLET = re.compile(r"^[-•·*]\s+")
_MD = re.compile(r"^#{1,6}\s+")


def _content(line: str) -> str:
    """What of an input line must survive: markers and emphasis stripped; a list item's own
    closing "；" stands as the separator between items (corpus/lists.py joined); a line drawn
    across the page ("---", "━━━━") is a marker, no text (corpus/paragraphs.py)."""
    if is_rule(clean_line(line)):
        return ""
    line = line.replace("**", "").strip()
    if _BULLET.match(line):
        line = _BULLET.sub("", line).strip()
        line = line.rstrip("；;") or line
    line = _MD.sub("", line).strip()
    return line.rstrip("：:") if line.startswith("宣传单位") else line


@BOUNDED
@given(DOCUMENT)
@example("一、总则\n\n加强\t知识产权保护。")  # a tab in text once made the line vanish
@example("指标\t2020年\t2025年\t累计增加值\n1 甲 (件)\t1\t2\t1")  # a table first once crashed
@example("指标\t2020年\t2025年\t累计增加值\n1 甲 (件)\t1\t2\t1\n一、总则")  # text under a table
@example("一、总则\n- -\n---\n加强保护。")  # drawn rules, which hypothesis found losing "-"
@example("一、0\n- 1：")  # an item's colon, once dropped with a heading's in the overview
def test_parse_never_crashes_and_never_loses_text(text):
    doc = parse_document(text)
    # Chunks of one passage are consecutive, so joining them gives back split text.
    haystack = (
        "".join(p.text for p in doc.passages)
        + "\n"
        + "\n".join(s for p in doc.passages for s in p.section)
    )
    rows = {(i.name, i.unit) for i in doc.indicators}
    for line in text.splitlines():
        if line.strip() in {"", "指标\t2020年\t2025年\t累计增加值"}:
            continue
        cells = line.split("\t")
        row = re.match(r"^\d+ (.+?) \((.+)\)$", cells[0])
        if row and len(cells) == 4:  # an indicator row: its parts, as rendered
            name, unit = row.group(1), row.group(2)
            assert (name, unit) in rows and f"{name}（{unit}）" in haystack
            continue
        if len(cells) > 1:  # a cell of a table: each cell is kept, under its column's name
            assert all(_content(c) in haystack for c in cells), f"lost a cell of {line!r}"
            continue
        content = _content(line)
        assert content in haystack, f"lost {content!r}"
    for p in doc.passages:
        assert p.text.strip() and len(p.text) <= 160


@BOUNDED
@given(
    st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\t"), max_size=40),
        max_size=20,
    ).map("\n".join)
)
def test_parse_never_crashes_on_arbitrary_text(text):
    parse_document(text)  # tabs aside (a malformed indicator row is a loud error on purpose)


# ---- the splitter -------------------------------------------------------------------------
SPLIT_TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(PLAN_CHARS + list("!?;,:\n ")), CHARS), max_size=600
)


@BOUNDED
@given(SPLIT_TEXT, st.integers(1, 200))
@example("知识产权" * 100, 7)
@example("加强知识产权保护。" * 40, 160)
def test_split_chunks_fit_and_concatenate(text, max_chars):
    chunks = split_text(text, max_chars)
    assert "".join(chunks) == text
    assert all(0 < len(c) <= max_chars for c in chunks)
