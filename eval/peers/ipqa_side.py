"""ipqa's side of the comparison: each question read as ipqa reads it, and its searcher's modes."""

from __future__ import annotations

from collections.abc import Sequence

from eval.askers import EngineAsker
from eval.gold import GoldQuestion
from eval.peers.score import Probe, Ranker
from eval.run import TOP_K  # passages per question, as `ipqa eval` asks for

ANSWERED = "ipqa /ask, the answer's passages"


def probes(engine, questions: Sequence[GoldQuestion]) -> dict[str, Probe]:
    """Each single-turn question as Engine.ask reads it before searching: normalized (script,
    width, abbreviations), fillers out and spelling fixed (what the model reads), and the
    lexicon's terms for its everyday words (which ipqa gives its BM25 alone)."""
    out = {}
    for q in questions:
        typed = q.question.strip()
        normalized = engine.normalize(typed, [])
        text = engine.reader.clean(normalized) or normalized
        query = engine.reader.read(text, cleaned=True)
        out[q.id] = Probe(q.id, query.text, typed, tuple(query.expansions))
    return out


def rankers(engine) -> dict[str, Ranker]:
    """index.search.Searcher in each mode on the probe's text; then with the lexicon's
    expansions, as Engine.ask searches. The last row is not retrieval alone: the passages
    Engine.ask's answer cites (eval.askers, as `ipqa eval` reads them), after the answer's own
    steps (the table, the documents' structure, a passage moved first; none on a refusal)."""
    searcher = engine.searcher

    def mode(name: str, expand: bool = False) -> Ranker:
        def rank(p: Probe) -> list[str]:
            extra = p.expansions if expand else ()
            result = searcher.search(p.text, mode=name, top_k=TOP_K, expansions=extra)
            return [h.passage.id for h in result.hits]

        return rank

    asker = EngineAsker(engine)

    def answered(p: Probe) -> list[str]:
        return [s.id for s in asker.ask(p.typed, (), TOP_K, "hybrid").passages]

    return {
        "ipqa dense": mode("dense"),
        "ipqa bm25 (jieba)": mode("bm25"),
        "ipqa hybrid (fused + boosts)": mode("hybrid"),
        "ipqa hybrid + lexicon expansions": mode("hybrid", expand=True),
        ANSWERED: answered,
    }
