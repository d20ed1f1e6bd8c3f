"""How structure questions are asked and how parts are headed: the patterns Structure
(parts.py) reads a question with."""

from __future__ import annotations

import re

from corpus.headings import NUMBERING
from corpus.lexicon import lexicon
from corpus.markers import BRACKET
from corpus.numerals import CN_NUM

# Other words a question uses for a kind of part: "第五大部分", "第三小节", "哪一块".
PART_WORDS = {"大部分": "部分", "块": "部分", "大块": "部分", "小节": "节"}
# A number as a part is numbered: Chinese numerals or digits.
NUMERAL = rf"[{CN_NUM}百零〇两\d]+"
# "第三条原则", "第二条建议": an item of a list, not an article (language.toml [items]).
NOT_ARTICLE = "|".join(lexicon().raw["language.toml"].get("items", {}).get("listed", ())) or "$^"
ARTICLE_WORD = rf"条(?!件|{NOT_ARTICLE})"  # 条件 is no article either
# What each kind of part is called in a question, and how its heading starts.
KINDS = {
    "条": re.compile(rf"^第({NUMERAL})条"),
    "章": re.compile(rf"^第({NUMERAL})章"),
    "部分": re.compile(rf"^([{CN_NUM}]+)、"),
    "节": re.compile(rf"^[(（]({NUMERAL})[)）]"),
}
ASK = re.compile(
    rf"(?:(倒数)?第\s*({NUMERAL})\s*个?\s*|(最后)\s*[那这]?\s*一?\s*个?\s*)"
    rf"({ARTICLE_WORD}|章|部分|大部分|小节|节|大块|块)|"
    rf"(一共|总共|共|有|分了|分为|分成)\s*(?:有|分了|分为|分成|分)?\s*(多少|几)\s*个?\s*"
    r"(?:【\s*】)?(条|章|部分|大部分|节|大块|块)"  # "分了几个【】部分"
)
# "申报与审核那一章是从第几条到第几条", "第四章有哪几条": the articles of one chapter, named by
# its number or by its heading's words.
CHAPTER_ARTICLES = re.compile(
    rf"(?:第\s*{NUMERAL}\s*章|[\u4e00-\u9fff]{{2,12}}?[”\"」]?(?:那|这)?一?章)[^？?。]{{0,8}}?"
    r"(?:第几条[^？?。]{0,6}?(?:到|至)第几条|哪几条|哪些条|几条|多少条)"
)
CHAPTER_NUMBER = re.compile(rf"第\s*({NUMERAL})\s*章")
ARTICLE = re.compile(rf"第\s*({NUMERAL})\s*{ARTICLE_WORD}")
# A part named, then the one after or before it: "（六）那一节后面紧接着的是哪一节",
# "第五部分的下一部分", "第十九条前面那一条".
NEIGHBOR = re.compile(
    rf"(?:第\s*(?P<n>{NUMERAL})\s*个?\s*(?P<kind>{ARTICLE_WORD}|章|部分|节)"
    rf"|[(（](?P<sub>{NUMERAL})[)）]|(?<![\u4e00-\u9fff])(?P<part>[{CN_NUM}]{{1,3}})、"
    rf"|(?P<mark>{BRACKET}))"  # "【收费标准】后面": a part headed so
    # the heading's words may follow, quoted or not ("第二部分“适用范围与申请条件”后面",
    # "四、知识产权保护那部分，嗯，它后面紧接着")
    r"(?:\s*[“\"「][^”\"」]{1,30}[”\"」])?[^。？?第(（]{0,16}?"
    r"(?<!最)(?P<dir>后面|之后|下一|后一|紧接着|接下来|前面|之前|上一|前一)"  # "最后一条" is no 后一
)
AFTER = ("后面", "之后", "下一", "后一", "紧接着", "接下来")
# "合作银行跟贷款条件是在第几章里头讲的", "异议处理那一块在指南的第几部分": where a part the
# question names by its heading's words is.
WHERE = re.compile(r"(?:第几|哪一|哪个|哪)\s*个?\s*(章|大部分|部分|小节|节|大块|块)")
WHERE_SHARE = 0.6  # of a heading's character pairs the question must have to name it
# "分成了哪几大类", "分为哪几个部分": the parts of the document the question names, listed.
DIVIDED = re.compile(
    r"(?:分成|分为|分了|划分为|划分成)了?\s*哪(?:几|些|[两二三四五六七八九十])\s*(?:个|大)?\s*(?:部分|大类|类|块|章)\s*$"
)
# "一共列了几条", "总共有几项": a count of the numbered items under a heading the question names.
ITEMS_ASKED = re.compile(
    r"(?:一共|总共|共)\s*(?:列了|列出|写了|有|规定了)?\s*(?:多少|几)\s*[条项种点]"
)
# An item's number where it starts: "（3）…", "3. …".
ITEM = re.compile(r"(?:^|(?<=[。；\s]))(?:[（(](\d{1,2})[)）]|(\d{1,2})[.．](?!\d))")
MIN_HEADING = 3  # characters of a heading's own words a question must quote to name it
# A 专栏 named by its number ("专栏16", "专栏十六"), not a year after the word ("专栏 2025年").
BOX = re.compile(rf"专栏\s?(\d{{1,3}}|[{CN_NUM}]{{1,3}})(?![\d年])")
# Words of a title that say nothing about which document it is.
GENERIC = re.compile(r"本市|（示例）|\(示例\)|关于|《|》|“|”")
MIN_TITLE_MATCH = 1  # character pairs of a title a question must have to name it
KIND_NAMED = 10  # the question says which kind of document: "规划的第五部分", "办法第三条"
# Questions asked one after another: "共有多少条？分为几章？".
CLAUSES = re.compile(r"[？?；;]")
# Characters besides the part a question may have to be asked of every document that has it
# ("第五部分讲的是什么内容": 7).
EACH_REST = 8
# Words that ask what a part is about or point at the document, not what is in it: they do
# not count among those characters ("这个办法第四章主要规定了什么").
ABOUT_ASK = re.compile(
    r"(?:这个|这份|这部|该)?(?:办法|规则|指南|通知|规定|文件)?[的里中]?"
    r"(?:主要)?(?:规定|讲|说|写|涉及|包括)(?:了|的是|的)?(?:哪些|什么|啥)(?:内容|方面)?"
)
# After a part, what the question asks about inside it: "最后一章里，…", "第五部分关于…".
ABOUT = re.compile(r"^\s*(?:里|中|内|当中)|关于|有关|对于")


def heading_words(heading: str) -> str:
    """A heading less its number: "第四章 申报与审核" → "申报与审核"."""
    return NUMBERING.sub("", re.sub(rf"^第\s*{NUMERAL}\s*[章条节]", "", heading)).strip()


def names_part(question: str, section: list[str]) -> bool:
    """Whether the question names the part a section belongs to, by its heading's words."""
    core = NUMBERING.sub("", section[0]).strip() if len(section) >= 2 else ""
    return len(core) >= 2 and core in question
