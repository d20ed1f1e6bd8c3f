"""`python -m eval.peers`: ipqa's retrieval beside txtai's on the eval's sets.

The plan's tuning and held-out sets against the plan's index (IPQA_INDEX_DIR, var/index), the
documents' sets against the indexes `ipqa eval` keeps for them (var/eval-docs, -docs3, -docs4, -docs5;
built here too when missing or stale). One embedder, ipqa's, serves every index and every
txtai configuration. Retrieval only: `ipqa eval` gives ipqa's answer-level figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from eval.gold import GoldQuestion
from eval.peers import INSTALL, ipqa_side
from eval.peers.score import GoldSet, Ranker, Scored, run_set, scorable, table
from eval.sets import DOCUMENT_SETS, QUESTION_SETS, over_documents

# The sets asked of each index, as the tables name them → their name in eval/sets.py; the
# document sets' indexes are named for their folders ("plan + samples + samples5").
SETS_BY_INDEX: dict[str, dict[str, str]] = {"plan": {"tuning": "in-sample", "held-out": "held-out"}}
CORPUS_OF: dict[str, str] = {}
for _name, _set in over_documents().items():
    _index = " + ".join(("plan", *DOCUMENT_SETS[_set.documents].samples))
    SETS_BY_INDEX.setdefault(_index, {})[_name] = _name
    CORPUS_OF[_index] = _set.documents

Results = dict[str, tuple[GoldSet, dict[str, Scored]]]


def one_index(engine, sets: dict[str, Sequence[GoldQuestion]], peers: dict[str, Ranker]) -> Results:
    """ipqa's rankers and the peers' over the sets asked of one index: {set: (gold, scored)}."""
    rankers = {**ipqa_side.rankers(engine), **peers}
    out = {}
    for name, questions in sets.items():
        gold = scorable(name, questions, engine.searcher.passages)
        out[name] = (gold, run_set(gold, ipqa_side.probes(engine, gold.questions), rankers))
    return out


def report(results: Results, markdown: bool = False) -> str:
    """The metrics table, then what was left out of each set and the search times."""
    sizes = {name: len(gold.questions) for name, (gold, _) in results.items()}
    lines = [table({name: scored for name, (_, scored) in results.items()}, sizes, markdown)]
    for name, (gold, _) in results.items():
        left = ", ".join(f"{n} {why}" for why, n in gold.skipped.items() if n)
        lines.append(f"{name}: {sizes[name]} scored" + (f"; left out: {left}" if left else ""))
    labels = list(dict.fromkeys(label for _, scored in results.values() for label in scored))
    lines.append("ms per question (searches one at a time, the question's vector included):")
    width = max(len(label) for label in labels) + 2
    for label in labels:
        times = "  ".join(
            f"{name} {scored[label].ms_per_question:5.1f}"
            for name, (_, scored) in results.items()
            if label in scored
        )
        lines.append(f"  {label:<{width}}{times}")
    return "\n".join(lines)


def _sets(names: dict[str, str]) -> dict[str, list[GoldQuestion]]:
    from eval import gold

    return {shown: gold.load_questions(QUESTION_SETS[name].path) for shown, name in names.items()}


def _machine() -> str:
    import platform

    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    """Print the comparison for both indexes; 2 (and one line on stderr) when txtai is not
    installed or ipqa's index cannot be loaded."""
    parser = argparse.ArgumentParser(
        prog="python -m eval.peers",
        description="ipqa's retrieval beside txtai's, same passages and model (needs txtai: "
        f"{INSTALL})",
    )
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--no-docs", action="store_true", help="only the plan's two sets")
    args = parser.parse_args(argv)
    try:
        from eval.peers import txtai_peer
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "txtai":
            raise
        print(f"the peer comparison needs txtai, an optional extra: {INSTALL}", file=sys.stderr)
        return 2

    from eval.run import NoCache
    from index.store import package_version
    from service.settings import Settings
    from service.state import LoadError, load_engine, open_engine

    started = time.perf_counter()
    settings = Settings()
    try:
        plan = open_engine(settings, cache=NoCache())  # the model in this process
    except LoadError as exc:
        print(f"ipqa: {exc}", file=sys.stderr)
        return 2
    embedder = plan.searcher.embedder
    prompts = txtai_peer.model_prompts(settings.model, settings.models_dir)
    engines = {"plan": plan}
    if not args.no_docs:
        from eval.docs_corpus import CORPORA, docs_settings

        for name, corpus in CORPUS_OF.items():
            ready = docs_settings(settings, *CORPORA[corpus])
            engines[name] = load_engine(ready, embedder, NoCache())
    print(
        f"ipqa {package_version()} (model {embedder.model_id}, backend {settings.backend}), "
        f"txtai {txtai_peer.version()}; {_machine()}",
        flush=True,
    )
    for index_name, engine in engines.items():
        peer = txtai_peer.TxtaiPeer(engine.searcher.passages, embedder, prompts)
        try:
            results = one_index(engine, _sets(SETS_BY_INDEX[index_name]), peer.rankers())
        finally:
            peer.close()
        builds = ", ".join(f"{label} {s:.1f} s" for label, s in peer.build_seconds.items())
        print(f"\n{index_name} index, {len(engine.searcher.passages)} passages")
        print(report(results, args.markdown))
        print(f"txtai index builds: {builds}", flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    embedder.close()
    return 0
