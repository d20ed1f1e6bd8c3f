"""jieba tokens for BM25, with the plan's own terms kept whole."""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache
from pathlib import Path

from corpus.normalize import normalize_text
from corpus.numerals import CN_NUM

USERDICT = Path(__file__).with_name("userdict.txt")

# Function words and question words: they carry no topic, and matching them
# ("是多少", "什么") would pull every passage toward every question.
STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 等 为 对 把 被 让 给 从 到 向 以 于 之 其 这 那 这个 那个 这些 那些 就 都 也 还
    吗 呢 吧 啊 呀 么 嘛 哦 请问 请 问 一下 我 我们 你 你们 他 她 它 它们 想 想知道 知道 告诉 说说 介绍
    什么 啥 怎么 怎样 怎么样 如何 哪些 哪个 哪 多少 几 多 是否 有没有 有 没有 能 能否 可以 会 要 需要
    具体 内容 情况 方面 关于 规划 里 中 上 下 个 呗 是不是 属于 部分 提到 讲 说 做 哪一 一部分
    包括 包含 涉及 有关 相关 举措 措施 办法 方式 哪些方面 各项 分别 一项 几项 几个 一节 哪一节 第几
    第几个 哪里 哪儿 变化 期间 时期 提出 标题 名称 叫 叫做 还有 其中 咋 咋样 咋办 啥样 怎么办 为何
    为什么 意思 含义 指 什么样 一下子 主要 重点 点 比 比较 百分 分点 百分点 每 呢 嘛 么 请教 谢谢
    你好 您好 帮 帮我 查 查一下 看看 一些 多大 多高 多少钱 目标值 这篇 这份 这张 图文 项 条 节 章 节讲""".split()
)
_TOKEN_OK = re.compile(r"[\w%.]+", re.UNICODE)
# Ordinals ("第三条", "第2项") point into a list; they name no topic of their own.
_ORDINAL = re.compile(rf"^第[{CN_NUM}\d]{{0,3}}[条项个点部分节章]?$|^[{CN_NUM}]{{1,3}}[条项个]$")


@lru_cache(maxsize=1)
def analysis_fingerprint() -> str:
    """Changes whenever tokens would: the user dictionary, the stopwords, the ordinal rule.
    An index records it, so one built with other tokens is refused, not silently wrong."""
    digest = hashlib.sha256(USERDICT.read_bytes())
    digest.update("\n".join(sorted(STOPWORDS)).encode("utf-8"))
    digest.update(_ORDINAL.pattern.encode("utf-8"))
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.load_userdict(str(USERDICT))
    return tok


def tokenize(text: str, *, normalized: bool = False) -> list[str]:
    """Search-mode jieba tokens of normalized text, lower-cased, without stopwords."""
    return list(_tokens(text if normalized else normalize_text(text)))


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    # One question is tokenized by the search, the indicator matcher and the follow-up
    # resolver: the cache makes that one jieba pass.
    words = _tokenizer().lcut_for_search(text.lower())
    return tuple(
        w
        for w in words
        if w.strip()
        and _TOKEN_OK.fullmatch(w)
        and w not in STOPWORDS
        and not (_ORDINAL.match(w) and not w.isdigit())
    )


def cut(text: str) -> list[str]:
    """Plain (accurate-mode) jieba words, used to split long text at word boundaries."""
    return _tokenizer().lcut(text)
