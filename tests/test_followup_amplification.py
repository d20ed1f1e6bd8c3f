"""History that chains itself (issue 15, finding 3): on a real `ipqa serve`, 1,000 crafted
follow-up requests must each cost under 100 ms of engine time and leave the server's memory
within +50 MB. service/qa/followups/conversation.py reads the last 8 turns, 200 characters each, and
resolves to at most 120 characters, whatever the history holds."""

from __future__ import annotations

import random
import string
from pathlib import Path

import httpx
import pytest

from service.qa.followups.conversation import MAX_RESOLVED_CHARS
from tests.serverproc import Server, ipqa_env, plan_index, require_model

pytestmark = pytest.mark.real_model
REQUESTS, WARM_UP = 1000, 20
MAX_ENGINE_MS, MAX_GROWTH_MB = 100.0, 50.0
PAIRED_FACTOR = 3.0  # a chained follow-up may cost this many of its question asked alone


def _memory_mb(pid: int) -> tuple[float, float]:
    """(anonymous, file-backed) resident memory of the server and its children (the model
    process). The model's weights are memory-mapped: text that touches more of its vocabulary
    maps more of the file (reclaimable page cache, not a leak), so the anonymous part is what
    must stay flat."""
    anon = file = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except FileNotFoundError:
            continue
        fields = {
            line.split(":")[0]: int(line.split()[1])
            for line in status.splitlines()
            if line.startswith(("RssAnon", "RssFile"))
        }
        anon, file = anon + fields["RssAnon"], file + fields["RssFile"]
        pids += [int(c) for c in children]
    return anon / 1024, file / 1024


def _chained(rng: random.Random) -> dict:
    """20 user turns of 2,000 characters, each opening with a pronoun, so each is taken as a
    follow-up of the last and glued onto it; then a short follow-up question (~40 KB)."""

    def turn() -> str:
        words = []
        while sum(len(w) + 1 for w in words) < 1990:
            words.append("".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))))
        return ("它" + " ".join(words))[:2000]

    return {
        "question": "它呢？",
        "history": [{"role": "user", "content": turn()} for _ in range(20)],
    }


def test_chained_history_is_bounded(tmp_path):
    require_model()
    server = Server(
        ipqa_env(index_dir=plan_index(), rate_limit="", log_questions="false"),
        tmp_path / "server.log",
    )
    rng = random.Random(15)
    try:
        server.wait_ready()
        times, plains = [], []
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for n in range(REQUESTS + WARM_UP):
                if n == WARM_UP:
                    before, before_file = _memory_mb(server.proc.pid)
                r = client.post("/ask", json=_chained(rng))
                assert r.status_code == 200, r.text[:300]
                # the work is bounded: what is searched never grows with the history
                resolved = r.json()["normalized_question"]
                assert len(resolved) <= MAX_RESOLVED_CHARS
                if n >= WARM_UP:
                    times.append(r.json()["took_ms"])
                    # the question it resolved to, asked without history in the same moment:
                    # what the same search costs the machine now, so the pair differs only by
                    # the history (a nonce keeps it out of the cache)
                    plain = client.post("/ask", json={"question": f"{resolved} {n}"})
                    assert plain.status_code == 200, plain.text[:300]
                    plains.append(plain.json()["took_ms"])
        after, after_file = _memory_mb(server.proc.pid)
        growth = after - before
        times.sort()
        p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
        print(
            f"\nchained history: {REQUESTS} requests, engine time p50 {p50:.1f} ms, p99 "
            f"{p99:.1f} ms, max {times[-1]:.1f} ms; anonymous memory {before:.0f} → {after:.0f} MB "
            f"({growth:+.1f} MB), file-backed {before_file:.0f} → {after_file:.0f} MB"
        )
        plains.sort()
        plain99 = plains[int(len(plains) * 0.99)]
        print(
            f"the same questions alone: p50 {plains[len(plains) // 2]:.1f} ms, p99 {plain99:.1f} ms"
        )
        # A busy shared machine stalls single requests; the 99th percentile is what is held,
        # and on a machine slowed by other work the bound scales with what the same question
        # without history costs in the same run (paired), never below MAX_ENGINE_MS.
        bound = max(MAX_ENGINE_MS, PAIRED_FACTOR * plain99)
        assert p99 < bound, f"p99 {p99:.0f} ms of engine time (plain questions p99 {plain99:.0f})"
        assert growth <= MAX_GROWTH_MB, f"memory grew {growth:.0f} MB over {REQUESTS} requests"
    finally:
        server.stop()
