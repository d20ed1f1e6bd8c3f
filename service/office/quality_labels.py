"""What the answer-quality page calls the eval's sets, measures, kinds of question, documents,
retrieval modes and causes of failure: plain Chinese for staff, each with a one-line note.
The eval's own name (the key) stays beside it in a title attribute, for whoever runs the eval.
A name missing here is shown as the eval writes it."""

from __future__ import annotations

# The label `ipqa eval` stores a report under (eval/office.py) -> (name, note); the page shows
# the sets in this order.
SETS: dict[str, tuple[str, str]] = {
    "in-sample": ("规划问题 · 调优集", "关于规划的问题，调整服务时反复对照过"),
    "held-out": (
        "规划问题 · 留出集（未参与调优）",
        "关于规划的问题，调整服务时从没看过，更接近市民真实提问时的表现",
    ),
    "documents in-sample": ("文件问题 · 调优集", "关于规划和其他示例文件的问题，调整服务时对照过"),
    "documents held-out": (
        "文件问题 · 留出集（未参与调优）",
        "关于规划和其他示例文件的问题，调整服务时从没看过",
    ),
}
CURATED = (" + curated", "（含人工答案）")  # a run with the office's curated answers

# measure -> (name, one-line note); the page's figures, in this order
MEASURES: dict[str, tuple[str, str]] = {
    "hit@1": ("首条命中率", "第一条出处就是正确段落的问题所占比例"),
    "hit@5": ("前五命中率", "前五条出处里有正确段落的问题所占比例"),
    "mrr@10": (
        "出处排名得分",
        "正确段落排第 1 条得 1 分、第 2 条得 1/2 分……前 10 条里没有得 0 分，取平均",
    ),
    "answer_accuracy": ("回答正确率", "文件能回答的问题里，回答包含应有内容的比例"),
    "indicator_accuracy": ("指标正确率", "问到主要指标的问题里，附上的指标正确的比例"),
    "ood_precision": ("拒答准确率", "服务说“没有找到”的问题里，文件确实没有答案的比例"),
    "ood_recall": ("应拒答而拒答", "文件里没有答案的问题里，服务如实说“没有找到”的比例"),
    "false_refusal_rate": ("误拒率", "文件能回答、服务却说“没有找到”的比例（越低越好）"),
    "latency_p50_ms": ("回答用时中位数（毫秒）", "一半的问题在这个时间内答完"),
}

# Per document, the few figures that say most.
DOCUMENT_MEASURES = ("hit@1", "hit@5", "answer_accuracy", "false_refusal_rate")

# retrieval mode -> (name, note)
MODES: dict[str, tuple[str, str]] = {
    "hybrid": ("混合检索", "服务实际使用的方式：按意思和按字词两种找法合在一起"),
    "dense": ("按意思检索", "只按意思找（向量模型），仅作对比"),
    "bm25": ("按字词检索", "只按字词找（BM25），仅作对比"),
}

# kind of question (the eval's category) -> (name, note)
CATEGORIES: dict[str, tuple[str, str]] = {
    "indicator": ("主要指标", "规划主要指标的 2020 年数值、2025 年目标"),
    "shisanwu": ("往期数据", "规划里回顾的上一个、上上个五年期末数值"),
    "overall": ("总体要求", "指导思想、基本原则、发展目标"),
    "column": ("专栏", "规划中各专栏（重点工程）的内容"),
    "section": ("章节内容", "某一章、某一节讲了什么"),
    "publisher": ("发布单位", "文件由哪个单位发布、宣传"),
    "colloquial": ("口语化提问", "随口一问：缩写、省略、不规范的说法"),
    "traditional": ("繁体字提问", "用繁体字提问"),
    "typo": ("有错别字", "问题里有错别字或拼音缩写"),
    "english": ("英文提问", "用英文提问"),
    "followup": ("追问", "接着上一个问题问（如“那2020年呢？”）"),
    "multiturn": ("多轮对话", "要结合前面几轮对话才能答"),
    "computed": ("需要计算", "要把文件里的数字相加、相减或比较"),
    "false_premise": ("说法有误", "问题里的数字或说法与文件不符，应当指出"),
    "ood": ("规划以外（应拒答）", "规划没有涉及的问题，应当如实说没有"),
    "near_domain": ("相近但没有（应拒答）", "话题相近，但文件里没有这个内容"),
    "far_ood": ("无关问题（应拒答）", "与知识产权无关的问题，或要求改变服务行为的指令"),
    "ellipsis": ("缺上文的追问", "没有上文、看不出问的是什么，应请对方说完整"),
    "practical": ("办事问题", "怎么办、去哪办、要多久"),
    "faq": ("常见问题", "常见问题解答里的问题"),
    "article": ("条款", "办法中某一条讲了什么"),
    "table": ("表格内容", "答案在文件的表格里"),
    "structure": ("文件结构", "文件有几部分、第几部分讲什么"),
    "item": ("列举中的一项", "答案是一串列举里的某一项"),
}

# document id (its file name) -> name
DOCUMENTS: dict[str, str] = {
    "plan": "知识产权规划",
    "faq": "常见问题解答",
    "guide": "质押登记和贴息办事指南",
    "regulation": "资助和奖励办法",
    "notice": "优势企业申报通知",
    "interpretation": "纠纷快速处理政策解读",
}

# cause of a failure (eval/run.py) -> (name, note)
CAUSES: dict[str, tuple[str, str]] = {
    "retrieval miss": ("没找到出处", "前五条出处里没有正确段落"),
    "wrong answer": ("回答不对", "回答没有包含应有的内容"),
    "wrong indicator": ("指标不对", "附上的主要指标不是问到的那个"),
    "false refusal": ("误拒", "文件能回答，服务却说没有找到"),
    "missed ood": ("该拒答没拒答", "文件里没有答案，服务却给了回答"),
}


def set_name(label: str) -> str:
    base, curated = (
        (label[: -len(CURATED[0])], True) if label.endswith(CURATED[0]) else (label, False)
    )
    name = SETS[base][0] if base in SETS else base
    return name + CURATED[1] if curated else name


def set_order(label: str) -> tuple[int, bool, str]:
    """Where a set comes on the page: the known sets in their order, each before its run with
    curated answers, then any other label."""
    curated = label.endswith(CURATED[0])
    base = label[: -len(CURATED[0])] if curated else label
    order = list(SETS)
    return (order.index(base) if base in order else len(order), curated, label)


def name(table: dict[str, tuple[str, str]], key: str) -> str:
    return table[key][0] if key in table else key


def note(table: dict[str, tuple[str, str]], key: str) -> str:
    return table[key][1] if key in table else ""


def order(table: dict, key: str) -> tuple[int, str]:
    """A key's place in its table (the page's order), then any other key by name."""
    keys = list(table)
    return (keys.index(key) if key in keys else len(keys), key)
