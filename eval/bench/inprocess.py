"""In-process measures: the bare encode, shared passes against one question a pass, the build."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from eval.bench.scale import percentiles, timed


def bench_encode(embedder, questions: list[str], n: int) -> dict:
    for q in questions[-5:]:  # warm-up: first calls allocate
        embedder.encode_queries([q])
    times = timed(lambda q: embedder.encode_queries([q]), questions[:n])
    return {"n": n, **percentiles(times, (50, 95))}


# The longest question allowed, of characters the vocabulary does not merge (one token each):
# what a question can cost at most, against typical ones (IPQA_QUERY_TOKENS bounds it).
LONG_QUESTION = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(500))


def bench_long_question(embedder, questions: list[str], n: int = 15) -> dict:
    """p50 encode of the 500-character question against typical questions, interleaved so
    both see the same machine; the two count the same (each run is one question)."""
    long_times, typical_times = [], []
    for i in range(n):
        typical_times += timed(lambda q: embedder.encode_queries([q]), [questions[i]])
        long_times += timed(lambda q: embedder.encode_queries([q]), [LONG_QUESTION + str(i)])
    long_p50 = percentiles(long_times, (50,))["p50"]
    typical_p50 = percentiles(typical_times, (50,))["p50"]
    return {
        "n": n,
        "chars": len(LONG_QUESTION),
        "long_p50": long_p50,
        "typical_p50": typical_p50,
        "ratio": round(long_p50 / typical_p50, 2),
    }


def _drain(embedder, work: list[str], lock) -> None:
    while True:
        with lock:
            if not work:
                return
            q = work.pop()
        embedder.encode_queries([q])


def bench_encode_policy(embedder, questions: list[str], clients: int = 4, n: int = 96) -> dict:
    """Questions/s of `clients` threads encoding at once through the embedder's passes
    (cores ÷ threads at a time): one question per pass, against waiting questions sharing
    a pass (as shipped)."""
    passes = embedder.passes
    out = {}
    for name, batch in (("one per pass", 1), ("shared passes (as shipped)", passes.max_batch)):
        saved, passes.max_batch = passes.max_batch, batch
        work = list(questions[:n])
        lock = threading.Lock()
        before = (passes.passes, passes.texts)
        started = time.perf_counter()
        threads = [
            threading.Thread(target=_drain, args=(embedder, work, lock)) for _ in range(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        passes.max_batch = saved
        per_pass = (passes.texts - before[1]) / max(1, passes.passes - before[0])
        out[name] = {"qps": round(n / elapsed, 1), "questions_per_pass": round(per_pass, 2)}
    return out


def bench_build(settings, embedder) -> float:
    from index.store import build_index

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_index(
            settings.corpus_dir,
            embedder,
            Path(tmp) / "index",
            hnsw_threshold=settings.hnsw_threshold,
            dense_index=settings.dense_index,
        )
        return round(time.perf_counter() - started, 2)
