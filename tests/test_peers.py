"""The peer comparison (eval/peers): its scoring on hand-made rankings and fake rankers, the
message without txtai, and (real model, txtai installed) txtai's dense search on ipqa's vectors
ranking exactly as ipqa's own."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from corpus.records import Passage
from eval.gold import DEFAULT_QUESTIONS, load_questions, parse_lines
from eval.peers import INSTALL
from eval.peers.score import METRICS, Scored, scorable, score, table
from eval.run import NoCache


def _gold(rows: list[dict]):
    base = {"category": "c", "answer_contains": [], "indicator": None, "ood": False}
    return parse_lines([json.dumps({**base, **r}, ensure_ascii=False) for r in rows])


PASSAGES = [
    Passage("p1", "plan", "专利密集型产业增加值占GDP比重达到13%"),
    Passage("p2", "plan", "地理标志保护工程"),
    Passage("p3", "plan", "知识产权保护社会满意度达到82分"),
    Passage("p4", "guide", "地理标志保护工程的申请指南"),
]


def test_only_single_turn_questions_with_a_gold_passage_are_scored():
    questions = _gold(
        [
            {"id": "a", "question": "专利密集型产业比重？", "passage_contains": "专利密集型"},
            {"id": "b", "question": "地理标志呢？", "passage_contains": "地理标志保护工程"},
            {
                "id": "c",
                "question": "那满意度呢？",
                "passage_contains": "满意度",
                "history": [{"role": "user", "content": "专利呢"}],
            },
            {"id": "d", "question": "北京的专利？", "passage_contains": None, "ood": True},
            {"id": "e", "question": "商标费多少？", "passage_contains": "商标费"},
            {"id": "f", "question": "指南？", "passage_contains": "地理标志", "doc": "guide"},
        ]
    )
    gold = scorable("t", questions, PASSAGES)
    assert [q.id for q in gold.questions] == ["a", "b", "f"]
    assert gold.skipped == {"multi-turn": 1, "no answer": 1, "gold matches no passage": 1}
    # relevance is the eval's own: by content, and within the document a question names
    assert gold.qrels == {"a": {"p1": 1}, "b": {"p2": 1, "p4": 1}, "f": {"p4": 1}}


def test_scores_are_the_evals_metrics_on_known_rankings():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}, "q4": {"d": 1}}
    ranked = {
        "q1": ["a", "x"],  # first
        "q2": ["x", "y", "b"],  # third: hit@5, RR 1/3
        "q3": ["x", "y", "z", "w", "v", "u", "c"],  # seventh: RR 1/7, no hit@5
        # q4 is not ranked at all: 0
    }
    got = score(ranked, qrels)
    assert got["hit@1"] == pytest.approx(1 / 4)
    assert got["hit@5"] == pytest.approx(2 / 4)
    assert got["mrr@10"] == pytest.approx((1 + 1 / 3 + 1 / 7) / 4)
    assert score({}, qrels) == {m: 0.0 for m in METRICS}


def test_the_table_puts_the_sets_side_by_side():
    results = {
        "tuning": {"ipqa dense": Scored({"hit@1": 0.5, "hit@5": 0.75, "mrr@10": 0.6}, 1.0, 4)},
        "held-out": {"ipqa dense": Scored({"hit@1": 0.25, "hit@5": 1.0, "mrr@10": 0.5}, 2.0, 4)},
    }
    text = table(results, {"tuning": 4, "held-out": 4})
    assert "tuning (n=4)" in text and "held-out (n=4)" in text
    row = next(line for line in text.splitlines() if line.startswith("ipqa dense"))
    assert row.split()[2:] == ["0.500", "0.750", "0.600", "0.250", "1.000", "0.500"]
    assert results["held-out"]["ipqa dense"].ms_per_question == pytest.approx(500.0)
    markdown = table(results, {"tuning": 4, "held-out": 4}, markdown=True).splitlines()
    assert markdown[0].startswith("| system | tuning hit@1 |")
    assert markdown[2] == "| ipqa dense | 0.500 | 0.750 | 0.600 | 0.250 | 1.000 | 0.500 |"


def test_one_index_scores_ipqa_and_fake_peers_alike(fake_settings):
    """ipqa's searcher (on the fake-embedder plan index) and three fake peers through the same
    path: a peer that puts a gold passage first scores 1, one that puts it second 0.5."""
    from eval.peers.compare import one_index, report
    from service.state import load_engine
    from tests.fakes import FakeEmbedder

    engine = load_engine(fake_settings, FakeEmbedder(), NoCache())
    questions = load_questions(DEFAULT_QUESTIONS)[:40]
    gold = scorable("tuning", questions, engine.searcher.passages)
    assert gold.questions, "the first tuning questions should include scorable ones"
    other = next(
        p.id for p in engine.searcher.passages if not any(p.id in r for r in gold.qrels.values())
    )

    peers = {
        "first": lambda p: sorted(gold.qrels[p.id]),
        "second": lambda p: [other, *sorted(gold.qrels[p.id])],
        "nothing": lambda p: [],
    }
    results = one_index(engine, {"tuning": questions}, peers)
    set_gold, scored = results["tuning"]
    assert [q.id for q in set_gold.questions] == [q.id for q in gold.questions]
    assert scored["first"].metrics == {"hit@1": 1.0, "hit@5": 1.0, "mrr@10": 1.0}
    assert scored["second"].metrics == {"hit@1": 0.0, "hit@5": 1.0, "mrr@10": 0.5}
    assert scored["nothing"].metrics == {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0}
    ipqa = [label for label in scored if label.startswith("ipqa ")]
    assert len(ipqa) == 5 and all(0 <= scored[x].metrics["hit@1"] <= 1 for x in ipqa)
    assert scored["ipqa hybrid (fused + boosts)"].questions == len(gold.questions)
    text = report(results)
    assert f"tuning: {len(gold.questions)} scored" in text


def test_without_txtai_the_message_names_the_extra(monkeypatch, capsys):
    import eval.peers
    from eval.peers.compare import main

    monkeypatch.setitem(sys.modules, "txtai", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "eval.peers.txtai_peer", raising=False)
    monkeypatch.delattr(eval.peers, "txtai_peer", raising=False)
    assert main(["--no-docs"]) == 2
    assert INSTALL in capsys.readouterr().err


@pytest.mark.real_model
@pytest.mark.skipif(  # before the fixtures build an index for nothing
    importlib.util.find_spec("txtai") is None, reason=f"txtai is an optional extra: {INSTALL}"
)
def test_txtai_dense_on_ipqas_vectors_ranks_as_ipqa(real_settings, real_embedder):
    """Same passages, same model, same prompts: txtai's dense top ten is ipqa's, question by
    question; its BM25 over jieba tokens reads ipqa's tokens."""
    pytest.importorskip("txtai", reason=f"txtai is an optional extra: {INSTALL}")
    from corpus.tokens import tokenize
    from eval.peers import txtai_peer
    from eval.peers.ipqa_side import probes, rankers
    from service.state import load_engine

    engine = load_engine(real_settings, real_embedder, NoCache())
    prompts = txtai_peer.model_prompts(real_settings.model, real_settings.models_dir)
    assert prompts == {"query": "query: ", "data": "passage: "}
    peer = txtai_peer.TxtaiPeer(engine.searcher.passages, real_embedder, prompts)
    try:
        gold = scorable("tuning", load_questions(DEFAULT_QUESTIONS)[:120], engine.searcher.passages)
        asked = probes(engine, gold.questions)
        ipqa_dense = rankers(engine)["ipqa dense"]
        txtai_dense = peer.rankers()["txtai dense (ipqa's vectors)"]
        differ = [
            q.id for q in gold.questions if ipqa_dense(asked[q.id]) != txtai_dense(asked[q.id])
        ]
        assert not differ, f"txtai's dense ranking differs from ipqa's for {differ}"
        bm25 = peer.indexes["txtai bm25, jieba tokens"].scoring
        assert bm25.tokenize("知识产权保护社会满意度") == tokenize("知识产权保护社会满意度")
    finally:
        peer.close()
