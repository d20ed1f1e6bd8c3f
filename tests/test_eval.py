"""The eval: metric code on hand-made runs, the gold file against the plan, and the CI floor."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest

from corpus.load import DEFAULT_CORPUS_DIR, load_corpus
from corpus.normalize import normalize_text
from corpus.records import Passage
from eval.askers import EngineAsker
from eval.gold import (
    DEFAULT_QUESTIONS,
    HELDOUT_QUESTIONS,
    GoldError,
    RelevanceIndex,
    is_relevant,
    load_questions,
    parse_lines,
)
from eval.metrics import (
    IR_METRICS,
    Outcome,
    answer_correct,
    build_qrels,
    build_run,
    indicator_correct,
    ir_scores,
    summarize,
)
from eval.run import NoCache, check_floor, export_beir, load_floor, run_eval, write_report


def _q(**overrides):
    row = {
        "id": "q",
        "category": "c",
        "question": "问？",
        "passage_contains": "甲",
        "answer_contains": [],
        "indicator": None,
        "ood": False,
    }
    row.update(overrides)
    return parse_lines([json.dumps(row, ensure_ascii=False)])[0]


# --- metric code on a tiny hand-made run --------------------------------------------------------


def test_ir_metrics_on_a_known_run():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}, "q4": {"d": 1}}
    run = build_run(
        {
            "q1": ["a", "x", "y"],  # first: hit@1, RR 1
            "q2": ["x", "b", "y"],  # second: hit@3, RR 1/2
            "q3": ["x", "y", "z", "w", "c"],  # fifth: hit@5, RR 1/5
            "q4": [],  # refused: nothing returned
        }
    )
    scores = ir_scores(qrels, run)
    mean = {m: sum(s[m] for s in scores.values()) / len(scores) for m in scores["q1"]}
    assert mean["hit@1"] == pytest.approx(1 / 4)
    assert mean["hit@3"] == pytest.approx(2 / 4)
    assert mean["hit@5"] == pytest.approx(3 / 4)
    assert mean["mrr@10"] == pytest.approx((1 + 1 / 2 + 1 / 5 + 0) / 4)
    assert scores["q1"]["ndcg@10"] == pytest.approx(1.0)
    assert scores["q4"] == {m: 0.0 for m in scores["q4"]}


def test_run_keeps_the_engine_order_even_with_tied_scores():
    run = build_run({"q": ["b", "a", "c"]})
    assert sorted(run["q"], key=run["q"].get, reverse=True) == ["b", "a", "c"]
    assert ir_scores({"q": {"a": 1}}, run)["q"]["mrr@10"] == pytest.approx(0.5)


def test_answer_indicator_and_ood_metrics():
    q = _q(answer_contains=["6.3件"])
    assert answer_correct(q, True, "2020年为6.3件。")
    assert not answer_correct(q, True, "2020年为6.3。")
    assert not answer_correct(q, False, "抱歉……6.3件")  # a refusal is never a right answer
    assert answer_correct(_q(), True, "任何")  # empty answer_contains: found is enough
    assert not answer_correct(_q(), False, "抱歉")
    assert answer_correct(_q(passage_contains=None, ood=True), False, "抱歉") is None
    names = ["甲", "乙"]
    assert indicator_correct(_q(indicator="甲"), ["甲", "乙"], names)
    assert not indicator_correct(_q(indicator="乙"), ["甲", "乙"], names)
    assert indicator_correct(_q(indicator="*"), ["乙", "甲"], names)
    assert not indicator_correct(_q(indicator="*"), ["甲"], names)
    assert indicator_correct(_q(), [], names) is None

    hit, miss = dict.fromkeys(IR_METRICS, 1.0), dict.fromkeys(IR_METRICS, 0.0)
    outcomes = [
        Outcome("a", "x", ood=False, found=True, took_ms=10, ir=hit, answer_ok=True),
        Outcome("b", "x", ood=False, found=False, took_ms=20, ir=miss, answer_ok=False),
        Outcome("c", "y", ood=True, found=False, took_ms=30),
        Outcome("d", "y", ood=True, found=True, took_ms=40),
    ]
    s = summarize(outcomes)
    assert s["answer_accuracy"] == 0.5
    assert s["hit@1"] == 0.5 and s["n_ir"] == 2
    assert s["ood_precision"] == 0.5  # refused: b (wrong) and c (right)
    assert s["ood_recall"] == 0.5  # of c, d only c refused
    assert s["false_refusal_rate"] == 0.5
    assert s["latency_p50_ms"] == 25
    assert summarize(outcomes[:2])["ood_precision"] is None


def test_relevance_is_by_normalized_content():
    p = Passage(
        "p1",
        "plan",
        "加强知识产权司法保护：完善知识产权司法保护体系",
        ["三、全面加强知识产权保护", "(五) 加强知识产权司法保护"],
    )
    assert is_relevant(p, "完善知识产权司法保护体系")
    assert is_relevant(p, "完善知識產權司法保護體系")  # Traditional on the gold side
    assert is_relevant(p, "(五) 加强知识产权司法保护")  # the section path counts
    assert is_relevant(p, "（五） 加强知识产权司法保护")  # full-width brackets
    assert not is_relevant(p, "地理标志")
    assert RelevanceIndex([p]).relevant("司法保护体系") == ["p1"]


def test_floor_check_names_the_metric_below():
    report = {"modes": {"hybrid": {"overall": {"hit@1": 0.5, "false_refusal_rate": 0.2}}}}
    assert (
        check_floor(report, {"mode": "hybrid", "hit@1": 0.5, "max_false_refusal_rate": 0.2}) == []
    )
    problems = check_floor(report, {"mode": "hybrid", "hit@1": 0.6, "max_false_refusal_rate": 0.1})
    assert len(problems) == 2
    assert "hit@1" in problems[0] and "below" in problems[0]
    assert "false_refusal_rate" in problems[1]
    floor = load_floor()
    assert floor["mode"] == "hybrid"
    assert {
        "hit@1",
        "hit@5",
        "mrr@10",
        "answer_accuracy",
        "indicator_accuracy",
        "ood_recall",
        "max_false_refusal_rate",
    } <= floor.keys()


# --- the gold file ----------------------------------------------------------------------------


def test_bad_gold_lines_are_reported_with_their_line_number():
    good = json.dumps(
        {
            "id": "a",
            "category": "c",
            "question": "问",
            "passage_contains": "甲",
            "answer_contains": [],
            "indicator": None,
            "ood": False,
        }
    )
    with pytest.raises(GoldError, match="line 3: not valid JSON"):
        parse_lines([good, "", "{oops"])
    with pytest.raises(GoldError, match="line 2: duplicate id 'a'"):
        parse_lines([good, good])
    with pytest.raises(GoldError, match="line 1: missing field"):
        parse_lines(['{"id": "x"}'])
    bad = json.loads(good) | {"ood": "no"}
    with pytest.raises(GoldError, match="line 1: 'ood'"):
        parse_lines([json.dumps(bad)])
    bad = json.loads(good) | {"passage_contains": None}
    with pytest.raises(GoldError, match="passage_contains"):
        parse_lines([json.dumps(bad)])


def _number_unit_forms(indicators) -> set[str]:
    forms = set()
    for i in indicators:
        for text in (i.text("base"), i.text("target"), i.text("change")):
            if text is not None:
                forms |= {text, f"{text}{i.unit}"}
        if i.text("change") is not None and i.unit == "%":
            forms.add(f"{i.text('change')}个百分点")
    return forms


# Computed answers (ratios, sums, growth) and a check's verdict are not the plan's words;
# their figures were worked out by hand from the table when the questions were written.
COMPUTED = re.compile(r"^\d+(\.\d+)?(件|万件|亿元|%|分|倍|个百分点|个|项|条)?$")
VERDICTS = {"不对", "没错"}


@pytest.mark.parametrize("which", ["tuning", "heldout"])
def test_every_gold_string_is_in_the_plan(which):
    corpus = load_corpus()
    plan = normalize_text(
        "\n".join(p.read_text(encoding="utf-8") for p in sorted(DEFAULT_CORPUS_DIR.glob("*.txt")))
    )
    passages = "\n".join(normalize_text(p.search_text) for p in corpus.passages)
    numbers = {normalize_text(f) for f in _number_unit_forms(corpus.indicators)}
    names = {i.name for i in corpus.indicators}
    questions = load_questions(DEFAULT_QUESTIONS if which == "tuning" else HELDOUT_QUESTIONS)
    assert len(questions) >= 200
    missing = []
    for q in questions:
        for s in filter(None, [q.passage_contains, *q.answer_contains]):
            n = normalize_text(s)
            computed = s in q.answer_contains and (COMPUTED.match(n) or n in VERDICTS)
            if n not in plan and n not in passages and n not in numbers and not computed:
                missing.append(f"{q.id}: {s!r}")
        if q.indicator not in (None, "*") and q.indicator not in names:
            missing.append(f"{q.id}: indicator {q.indicator!r}")
    assert not missing, "gold strings not in the plan:\n" + "\n".join(missing)
    # and every non-ood question has at least one relevant passage
    qrels = build_qrels(questions, RelevanceIndex(corpus.passages))
    assert not [qid for qid, rel in qrels.items() if not rel]


# --- the runner, end to end on the fake embedder ----------------------------------------------


def test_run_eval_report_and_beir_export(fake_settings, tmp_path):
    from eval.run import NoCache
    from service.state import load_engine
    from tests.fakes import FakeEmbedder

    engine = load_engine(fake_settings, FakeEmbedder(), cache=NoCache())
    questions = load_questions()
    report = run_eval(
        EngineAsker(engine), questions, ["bm25", "hybrid"], ["indicator", "ood", "followup"]
    )
    assert set(report["modes"]) == {"bm25", "hybrid"}
    hybrid = report["modes"]["hybrid"]
    assert set(hybrid["categories"]) == {"indicator", "ood", "followup"}
    assert hybrid["overall"]["n"] == sum(
        q.category in {"indicator", "ood", "followup"} for q in questions
    )
    for key in (
        "hit@1",
        "hit@3",
        "hit@5",
        "mrr@10",
        "ndcg@10",
        "answer_accuracy",
        "indicator_accuracy",
        "ood_precision",
        "ood_recall",
        "false_refusal_rate",
        "latency_p50_ms",
        "latency_p95_ms",
    ):
        assert key in hybrid["overall"]
    out = write_report(report, tmp_path / "r" / "latest.json")
    assert json.loads(out.read_text(encoding="utf-8"))["questions"] == hybrid["overall"]["n"]

    beir = export_beir(engine.searcher.passages, questions, tmp_path / "beir")
    corpus_rows = [json.loads(x) for x in (beir / "corpus.jsonl").read_text().splitlines()]
    assert {"_id", "title", "text"} <= corpus_rows[0].keys()
    lines = (beir / "qrels" / "test.tsv").read_text().splitlines()
    assert lines[0] == "query-id\tcorpus-id\tscore"
    query_ids = {json.loads(x)["_id"] for x in (beir / "queries.jsonl").read_text().splitlines()}
    assert {line.split("\t")[0] for line in lines[1:]} == query_ids
    assert not any(q.ood and q.id in query_ids for q in questions)


def test_replay_asks_follow_ups_after_the_services_own_answers(fake_settings):
    """`ipqa eval --replay`: the gold set's assistant turns are replaced by what the service
    answers to the user turns before them, each earlier answer asked with its own history."""
    from eval.askers import Replaying
    from eval.run import NoCache
    from service.state import load_engine
    from tests.fakes import FakeEmbedder

    class Recording(EngineAsker):
        def __init__(self, engine):
            super().__init__(engine)
            self.asked = []

        def ask(self, question, history, top_k, mode):
            self.asked.append((question, list(history)))
            return super().ask(question, history, top_k, mode)

    inner = Recording(load_engine(fake_settings, FakeEmbedder(), cache=NoCache()))
    gold = [
        ("user", "主要目标有哪些？"),
        ("assistant", "（一个作者写的回答）"),
        ("user", "基本原则呢？"),
        ("assistant", "（另一个）"),
    ]
    Replaying(inner).ask("那最后一条呢", gold, 5, "bm25")
    first = inner.ask("主要目标有哪些？", [], 5, "bm25").answer
    second = inner.ask(
        "基本原则呢？", [("user", "主要目标有哪些？"), ("assistant", first)], 5, "bm25"
    )
    asked = inner.asked[:3]
    assert [q for q, _ in asked] == ["主要目标有哪些？", "基本原则呢？", "那最后一条呢"]
    assert asked[1][1] == [("user", "主要目标有哪些？"), ("assistant", first)]
    assert asked[2][1] == [*asked[1][1], ("user", "基本原则呢？"), ("assistant", second.answer)]
    assert "作者" not in str(asked)


def test_ipqa_eval_command_is_wired():
    from typer.testing import CliRunner

    from service.cli import app

    result = CliRunner().invoke(app, ["eval", "--help"])
    assert result.exit_code == 0
    assert "--show-failures" in result.output and "--export-beir" in result.output
    assert "--replay" in result.output
    # a server option for each document set (a set without one stopped `ipqa eval` on a KeyError)
    from typer.main import get_command

    from eval.cli import URL_OPTIONS

    command = get_command(app).commands["eval"]
    assert set(URL_OPTIONS.values()) <= {o for p in command.params for o in p.opts}


# --- the CI floor ---------------------------------------------------------------------------


@pytest.mark.real_model
@pytest.mark.parametrize("which", ["tuning", "heldout"])
def test_hybrid_is_at_or_above_the_floor(real_engine, which):
    """eval/floor.json holds the measured hybrid figures rounded down (maxima rounded up):
    its top level for the tuning set, its "heldout" part for the held-out set."""
    floor = load_floor()
    path = DEFAULT_QUESTIONS if which == "tuning" else HELDOUT_QUESTIONS
    limits = (
        {k: v for k, v in floor.items() if not isinstance(v, dict)}
        if which == "tuning"
        else floor[which]
    )
    report = run_eval(EngineAsker(real_engine), load_questions(path), ["hybrid"])
    problems = check_floor(report, limits)
    assert not problems, f"{which} below eval/floor.json:\n" + "\n".join(problems)


@pytest.mark.real_model
def test_document_sets_are_at_or_above_the_floor(tmp_path, real_embedder):
    """The plan with the sample documents, indexed as `ipqa build` does with the real model:
    every set over documents (eval/sets.py: the document tuning sets, held-out-2, -3, -5…)
    at or above its floor; a set without a floor fails."""
    from eval.docs_corpus import docs_corpus
    from eval.sets import DOCUMENT_SETS, over_documents
    from index.store import build_index
    from service.qa.calibrate import finalizer
    from service.state import load_engine
    from tests.conftest import make_settings

    def asker_over(sources, where):
        corpus = docs_corpus(where / "corpus", sources)
        settings = make_settings(where, corpus_dir=corpus)
        build_index(
            corpus,
            real_embedder,
            settings.index_dir,
            hnsw_threshold=10**6,
            finalize=finalizer(real_embedder),
        )
        return EngineAsker(load_engine(settings, real_embedder, NoCache()))

    floor = load_floor()
    problems = []
    askers = {}  # one index per document set, each with one more folder of documents
    for question_set in over_documents().values():
        documents = question_set.documents
        if documents not in askers:
            askers[documents] = asker_over(DOCUMENT_SETS[documents].sources, tmp_path / documents)
        assert question_set.key in floor, f"{question_set.name} has no floor in eval/floor.json"
        report = run_eval(askers[documents], load_questions(question_set.path), ["hybrid"])
        problems += [
            f"{question_set.key} {m}" for m in check_floor(report, floor[question_set.key])
        ]
    assert not problems, "below eval/floor.json:\n" + "\n".join(problems)


@pytest.mark.real_model
def test_the_eval_over_http_matches_the_engine(real_engine):
    """`ipqa eval --url`: every question a real POST /ask to a real server, same outcomes."""
    from eval.askers import HttpAsker
    from tests.serverproc import Server, ipqa_env, plan_index

    questions = [q for q in load_questions() if q.category in {"multiturn", "near_domain"}][:24]
    env = ipqa_env(index_dir=plan_index(), rate_limit="", cache_size="0")
    server = Server(env, Path(tempfile.mkdtemp()) / "server.log")
    try:
        server.wait_ready()
        remote = run_eval(HttpAsker(server.url, DEFAULT_CORPUS_DIR), questions, ["hybrid"])
    finally:
        server.stop()
    local = run_eval(EngineAsker(real_engine), questions, ["hybrid"])

    def pick(r):
        return [(q["id"], q["outcome"], q["answer"]) for q in r["modes"]["hybrid"]["questions"]]  # noqa: E731

    assert pick(remote) == pick(local)


def test_an_asker_that_searches_one_way_refuses_other_modes(fake_settings):
    from eval.run import NoCache
    from service.state import load_engine
    from tests.fakes import FakeEmbedder

    asker = EngineAsker(load_engine(fake_settings, FakeEmbedder(), cache=NoCache()))
    asker.modes = ("hybrid",)  # as a server over HTTP does
    with pytest.raises(ValueError, match="hybrid mode only"):
        run_eval(asker, load_questions()[:3], ["bm25"])


def test_the_cached_document_index_follows_the_reader_code(tmp_path, monkeypatch):
    """The eval's cached plan-and-samples index is rebuilt when the code that reads documents
    into passages changes (a parser fix once went unmeasured until the cache was deleted by
    hand), and not when only a document changes (the corpus hash covers those)."""
    import corpus as corpus_package
    from eval.docs_corpus import reader_fingerprint

    package = tmp_path / "corpus"
    (package / "samples").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "parse.py").write_text("HEADING = '第一章'\n")
    (package / "samples" / "guide.txt").write_text("（示例）办事指南\n")
    monkeypatch.setattr(corpus_package, "__file__", str(package / "__init__.py"))
    before = reader_fingerprint()
    (package / "samples" / "guide.txt").write_text("（示例）办事指南，改过\n")
    assert reader_fingerprint() == before
    (package / "parse.py").write_text("HEADING = '第一节'\n")
    assert reader_fingerprint() != before
