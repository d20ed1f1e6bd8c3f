"""The answer-quality page speaks plain Chinese: every set, measure, kind of question, document,
mode and cause the eval writes has a Chinese name, and the eval's own name is only in a title."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from corpus.load import DEFAULT_CORPUS_DIR, SAMPLES_DIR, corpus_files
from eval.gold import (
    DEFAULT_QUESTIONS,
    DOCS_TUNING_QUESTIONS,
    HELDOUT2_QUESTIONS,
    HELDOUT_QUESTIONS,
    load_questions,
)
from eval.metrics import ALL_METRICS
from eval.office import label_for
from eval.report import CAUSES
from index.search import MODES
from service.office import quality
from service.office import quality_labels as labels

GOLD = (DEFAULT_QUESTIONS, HELDOUT_QUESTIONS, DOCS_TUNING_QUESTIONS, HELDOUT2_QUESTIONS)
HAN = re.compile(r"[\u4e00-\u9fff]")


def _categories() -> set[str]:
    return {q.category for path in GOLD for q in load_questions(path)}


def _documents() -> set[str]:
    return {p.stem for folder in (DEFAULT_CORPUS_DIR, SAMPLES_DIR) for p in corpus_files(folder)}


def test_everything_the_eval_writes_has_a_chinese_name_and_note():
    sets = {label_for(path) for path in GOLD}
    assert sets == set(labels.SETS)
    assert _categories() <= set(labels.CATEGORIES), _categories() - set(labels.CATEGORIES)
    assert set(CAUSES) == set(labels.CAUSES)
    assert set(MODES) == set(labels.MODES)
    assert _documents() <= set(labels.DOCUMENTS), _documents() - set(labels.DOCUMENTS)
    assert set(labels.MEASURES) <= set(ALL_METRICS)
    assert set(labels.DOCUMENT_MEASURES) <= set(labels.MEASURES)
    for table in (labels.SETS, labels.CATEGORIES, labels.CAUSES, labels.MODES, labels.MEASURES):
        for key, (name, note) in table.items():
            assert HAN.search(name) and HAN.search(note), key
    assert all(HAN.search(name) for name in labels.DOCUMENTS.values())


def test_sets_come_plan_first_tuning_before_held_out_each_before_its_curated_run():
    stored = [
        "documents held-out + curated",
        "zz-other",
        "held-out",
        "documents in-sample",
        "in-sample + curated",
        "documents held-out",
        "in-sample",
    ]
    assert sorted(stored, key=labels.set_order) == [
        "in-sample",
        "in-sample + curated",
        "held-out",
        "documents in-sample",
        "documents held-out",
        "documents held-out + curated",
        "zz-other",
    ]
    assert labels.set_name("held-out + curated") == "规划问题 · 留出集（未参与调优）（含人工答案）"
    assert labels.set_name("zz-other") == "zz-other"


class _Page(HTMLParser):
    """The text a reader sees (not <style>, not attributes) and every title attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.titles: list[str] = []
        self._style = False

    def handle_starttag(self, tag, attrs):
        self._style = self._style or tag == "style"
        self.titles += [value for name, value in attrs if name == "title" and value]

    def handle_endtag(self, tag):
        if tag == "style":
            self._style = False

    def handle_data(self, data):
        if not self._style:
            self.text.append(data)


def _report() -> dict:
    """A report of the eval's shape that uses every kind of question, document and cause."""
    summary = {"n": 2, "hit@1": 0.5, "hit@5": 1.0, "mrr@10": 0.75, "answer_accuracy": 0.5}
    summary |= {"false_refusal_rate": 0.0, "latency_p50_ms": 12.5}
    kinds = sorted(_categories())
    rows = [
        {
            "id": f"q{n}",
            "category": kind,
            "question": "专栏5讲的是什么？",
            "ood": False,
            "expected_answer_contains": ["地理标志"],
            "answer": "别的内容",
            "found": True,
            "causes": [CAUSES[n % len(CAUSES)]],
        }
        for n, kind in enumerate(kinds)
    ]
    hybrid = {
        "overall": summary,
        "categories": dict.fromkeys(kinds, summary),
        "documents": dict.fromkeys(sorted(_documents()), summary),
        "questions": rows,
    }
    modes = {mode: {"overall": summary, "categories": {}} for mode in MODES} | {"hybrid": hybrid}
    return {"created": "2026-12-01T10:00:00+00:00", "questions": len(rows), "modes": modes}


def test_the_page_shows_chinese_names_and_keeps_the_eval_names_in_titles():
    reports = {label_for(path): _report() for path in GOLD}
    reports["held-out + curated"] = _report()
    page = _Page()
    page.feed(quality.render_file(reports))
    text = "".join(page.text)
    english = [
        *labels.SETS,
        *labels.MEASURES,
        *labels.CATEGORIES,
        *labels.CAUSES,
        *labels.MODES,
        *_documents(),
        "MRR",
        "in-sample",
        "held-out",
    ]
    shown = [w for w in english if re.search(rf"(?<![\w@-]){re.escape(w)}(?![\w@-])", text)]
    assert shown == [], shown  # no developer term in the text a reader sees
    for words in (
        "规划问题 · 调优集",
        "规划问题 · 留出集（未参与调优）",
        "规划问题 · 留出集（未参与调优）（含人工答案）",
        "首条命中率",
        "前五命中率",
        "回答正确率",
        "应拒答而拒答",
        "混合检索",
        "说法有误",
        "办事问题",
        "质押登记和贴息办事指南",
        "回答不对",
        "名词说明",
    ):
        assert words in text, words
    for name in ("held-out", "hit@1", "mrr@10", "false_premise", "hybrid", "guide", "wrong answer"):
        assert any(t == name or t.startswith(name + "：") for t in page.titles), name
    # the plan's sets first, each before its run with curated answers
    order = [
        "规划问题 · 调优集（",
        "规划问题 · 留出集（未参与调优）（",
        "（含人工答案）（",
        "文件问题 · 调优集（",
    ]
    places = [text.index(words) for words in order]
    assert places == sorted(places)
