"""More than one replica, all real, on 127.0.0.1: Redis, PostgreSQL, two `ipqa serve`
replicas and nginx in front with deploy/nginx/ipqa.conf. Through nginx: both replicas answer;
N/minute admits N in all; feedback given through one replica is in the other's report; a
replica killed, a rebuild, Redis stopped, each in the middle of a load: no request fails.
Then throughput, two replicas behind nginx against one direct. Figures go to
docs/replicas-figures.md. The tests share one cluster and run in this order."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from eval.bench.load import load_tool, throughput, variants
from eval.gold import question_texts
from index.store import linked_build_id
from tests.cluster import ADMIN_TOKEN, Cluster, Load, write_figures
from tests.nginxserver import Nginx
from tests.polling import until
from tests.serverproc import ipqa, require_model

pytestmark = [
    pytest.mark.replicas,
    pytest.mark.real_model,
    pytest.mark.postgres,
    pytest.mark.redis,
]
RATE = 20  # per minute, for the rate-limit check


@pytest.fixture(scope="module")
def cluster(pg_server, tmp_path_factory):
    require_model()
    tmp = tmp_path_factory.mktemp("replicas")
    c = Cluster(tmp, pg_server.fresh_database("replicas"))
    try:
        c.start()  # no rate limit: the load tests send thousands from one address
        yield c
    finally:
        c.close()


def _until(check, timeout: float = 60.0, every: float = 0.2):
    return until(check, timeout, every)


def _by_replica(entries: list[dict]) -> dict[str, list[int]]:
    """The statuses each replica gave (a retried request counts for every replica tried)."""
    out: dict[str, list[int]] = {}
    for e in entries:
        for addr, status in zip(e["upstreams"], e["upstream_statuses"], strict=False):
            out.setdefault(addr, []).append(int(status) if status.isdigit() else 0)
    return out


def test_both_replicas_answer_and_share_one_rate_limit(cluster):
    """Two clients, named by the X-Forwarded-For nginx passes on (the replicas trust nginx's
    address, IPQA_TRUSTED_PROXIES): each is admitted RATE in all, across both replicas. The
    test client sits on 127.0.0.1 too, a trusted address, so its own header names it here."""
    clients = ["203.0.113.5", "203.0.113.6"]
    cluster.start(rate_limit=f"{RATE}/minute")
    try:
        healths = [cluster.health(n) for n in range(2)]
        seen = len(cluster.nginx.access())
        questions = variants(question_texts(), 3 * RATE, 10_000)
        codes: dict[str, list[int]] = {}
        with httpx.Client(base_url=cluster.nginx.url, timeout=30) as client:
            for address in clients:
                codes[address] = [
                    client.post(
                        "/ask", json={"question": q}, headers={"X-Forwarded-For": address}
                    ).status_code
                    for q in questions
                ]
        per = _by_replica(cluster.nginx.access()[seen:])
    finally:
        cluster.start()
    for h in healths:
        assert h["status"] == "ok" and h["redis"]["status"] == "ok", h
        assert h["office"]["database"] == "ok", h
    assert healths[0]["build_id"] == healths[1]["build_id"] == linked_build_id(cluster.index_dir)
    for address in clients:
        got = codes[address]
        assert got.count(200) == RATE and got.count(429) == 2 * RATE, (address, got)
    assert len(per) == 2, per
    for addr, statuses in per.items():  # each replica answered some and refused some
        assert 200 in statuses and 429 in statuses, (addr, statuses)
    write_figures(
        "Rate limit",
        [
            f"- `IPQA_RATE_LIMIT={RATE}/minute`; two clients (as nginx's X-Forwarded-For names "
            f"them), {len(questions)} POST /ask each through nginx: "
            + "; ".join(
                f"{a}: {codes[a].count(200)} answered, {codes[a].count(429)} refused with 429"
                for a in clients
            )
            + f" (without Redis each replica would have admitted {RATE} of each: {2 * RATE})",
            *(
                f"- replica {addr}: {s.count(200)} answered, {s.count(429)} refused"
                for addr, s in sorted(per.items())
            ),
        ],
    )


def test_feedback_through_one_replica_is_in_the_others_report(cluster):
    a, b = (cluster.replicas[n].url for n in range(2))
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(timeout=30) as client:
        answer_id = client.post(f"{a}/ask", json={"question": "地理标志怎么保护？"}).json()[
            "answer_id"
        ]
        started = time.perf_counter()
        # at once, on the other replica: before replica a's log writer has stored the id
        voted = client.post(
            f"{b}/feedback",
            json={"answer_id": answer_id, "rating": "down", "comment": "副本测试 b"},
        )
        vote_ms = (time.perf_counter() - started) * 1000
        assert voted.status_code == 204, voted.text
        report = client.get(f"{a}/admin/api/report?days=1", headers=auth).json()
        mine = [d for d in report["downvoted"] if d["answer_id"] == answer_id]
        assert mine and mine[0]["comment"] == "副本测试 b", report["downvoted"][:3]

        # and as the widget does it, through nginx: each request lands where it lands
        via = cluster.nginx.url
        answer_id = client.post(f"{via}/ask", json={"question": "专栏5是什么？"}).json()[
            "answer_id"
        ]
        voted = client.post(f"{via}/feedback", json={"answer_id": answer_id, "rating": "up"})
        assert voted.status_code == 204, voted.text
        for replica in (a, b):
            report = client.get(f"{replica}/admin/api/report?days=1", headers=auth).json()
            assert report["feedback"]["up"] >= 1 and report["feedback"]["down"] >= 1, report
    write_figures(
        "Feedback",
        [
            "- an answer from replica a, 👎 with a comment sent at once to replica b: 204 after "
            f"{vote_ms:.0f} ms (b waits for a's log writer to store the answer id in "
            "PostgreSQL), and in replica a's `GET /admin/api/report` with its comment",
            "- an answer and a 👍 through nginx: in both replicas' reports",
        ],
    )


def test_a_replica_killed_midway_fails_no_request(cluster):
    seen = len(cluster.nginx.access())
    killed_at: dict[str, float] = {}

    def kill() -> None:
        killed_at["t"] = time.perf_counter()
        cluster.kill(1)

    load = Load(cluster.nginx.url, concurrency=16, total=2000, hooks={1000: kill})
    load.start()
    load.join()
    entries = [e for e in cluster.nginx.access()[seen:] if e["path"] == "/ask"]
    retried = [e for e in entries if len(e["upstreams"]) > 1]
    per = _by_replica(entries)
    dead = f"127.0.0.1:{cluster.ports[1]}"
    restart_s = cluster.restart(1)
    write_figures(
        "Replica killed",
        [
            f"- {load.summary()}",
            "- replica b SIGKILLed (its model process with it) after the 1,000th answer; "
            f"nginx retried {len(retried)} requests on replica a "
            f"(upstream statuses {sorted({','.join(e['upstream_statuses']) for e in retried})})",
            *(
                f"- replica {addr}: {sum(1 for s in st if s == 200)} answered"
                for addr, st in sorted(per.items())
            ),
            f"- replica b started again: ready in {restart_s:.1f} s",
        ],
    )
    assert load.done == 2000 and load.failures == [], (load.outcomes, load.failures[:5])
    assert "t" in killed_at and any(200 in st for addr, st in per.items() if addr != dead)
    assert all(e["status"] == 200 for e in entries), [e for e in entries if e["status"] != 200]


def test_a_rebuild_goes_live_on_every_replica_under_load(cluster):
    _until(lambda: all(cluster.health(n)["status"] == "ok" for n in range(2)))
    before = cluster.health(0)["build_id"]
    load = Load(cluster.nginx.url, concurrency=16)
    load.start()
    try:
        load.wait_for(200)
        started = time.perf_counter()
        done = ipqa("build", env=cluster.env(), timeout=600)
        build_s = time.perf_counter() - started
        assert done.returncode == 0, done.stderr[-2000:]
        after = linked_build_id(cluster.index_dir)
        assert after != before
        _until(lambda: all(cluster.health(n)["build_id"] == after for n in range(2)), 120)
        live_s = time.perf_counter() - started - build_s
        load.wait_for(load.done + 300)
    finally:
        load.stop.set()
        load.join()
    healths = [cluster.health(n) for n in range(2)]
    write_figures(
        "Rebuild",
        [
            f"- `ipqa build` under load: {build_s:.0f} s (model load, embedding, calibration); "
            f"both replicas on build `{after}` {live_s:.1f} s after it swapped the link "
            "(`IPQA_INDEX_WATCH=0.5`)",
            f"- {load.summary()}",
        ],
    )
    assert load.failures == [], (load.outcomes, load.failures[:5])
    assert [h["build_id"] for h in healths] == [after, after]
    assert all(h["status"] == "ok" for h in healths), healths


def test_redis_stopped_during_load_degrades_and_fails_no_request(cluster):
    degraded: dict[int, dict] = {}

    def watch_health() -> None:
        cluster.redis.kill()
        for n in range(2):
            degraded[n] = _until(
                lambda n=n: (h := cluster.health(n))["status"] == "degraded" and h, 30
            )

    load = Load(
        cluster.nginx.url,
        concurrency=16,
        total=1500,
        hooks={300: watch_health, 1100: cluster.redis.start},
    )
    load.start()
    load.join()
    if not cluster.redis.running():  # the hook never came: leave Redis up for what follows
        cluster.redis.start()
    recovered = [_until(lambda n=n: cluster.health(n)["status"] == "ok", 30) for n in range(2)]
    fallbacks = [cluster.health(n)["redis"]["fallbacks"] for n in range(2)]
    write_figures(
        "Redis stopped",
        [
            f"- {load.summary()}",
            "- Redis SIGKILLed after the 300th answer, started again after the 1,100th; while "
            "down, both replicas' /healthz said `degraded`: "
            + "; ".join(f"“{degraded[n]['warnings'][0]}”" for n in sorted(degraded)),
            f"- calls that went to the per-process fallback: {fallbacks}; /healthz back to ok "
            "by itself",
        ],
    )
    assert load.failures == [], (load.outcomes, load.failures[:5])
    assert sorted(degraded) == [0, 1] and all(recovered)
    for h in degraded.values():
        assert h["redis"]["status"] == "down" and "per process" in h["warnings"][0], h


def test_throughput_two_replicas_behind_nginx_against_one_direct(cluster):
    """Alternating rounds (the machine is shared: its load moves), the answer cache off so
    every request is answered afresh; "one replica" is replica a alone taking requests (b
    idles); one replica behind nginx tells nginx's hop from the second replica's work."""
    from eval.bench.machine import machine, rss_peak_mib

    tool, questions = load_tool(), question_texts()
    offset, rounds, levels, n = 0, 5, (4, 16), 300
    cluster.start(cache_size="0", cache_ttl="0")  # every request answered afresh
    one = Nginx([cluster.ports[0]])
    one.start()
    setups = {
        "one replica, direct": cluster.replicas[0].url,
        "one replica behind nginx": one.url,
        "two replicas behind nginx": cluster.nginx.url,
    }
    results: dict[tuple[str, int], list[dict]] = {}
    load_avg = [os.getloadavg()[0]]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(rounds):
                for level in levels:
                    for name, url in setups.items():
                        batch = variants(questions, 2 * n + 4 * level + 8, offset)
                        offset += len(batch)
                        r = throughput(f"{url}/ask", batch, level, n, Path(tmp), tool)
                        results.setdefault((name, level), []).append(r)
            load_avg.append(os.getloadavg()[0])
        rss = [rss_peak_mib(cluster.replicas[n].proc.pid) for n in range(2)]
    finally:
        one.remove()
    info = machine()

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    rows = []
    for (name, level), runs in results.items():
        rps = [r["rps"] for r in runs]
        rows.append(
            f"| {name} | {level} | {median(rps):.0f} ({min(rps):.0f}–{max(rps):.0f}) | "
            f"{median([r['latency_ms']['p50'] for r in runs]):.0f} ms | "
            f"{median([r['latency_ms']['p95'] for r in runs]):.0f} ms | "
            f"{sum(r['errors'] for r in runs)} |"
        )
    write_figures(
        "Throughput",
        [
            f"{info['cores']} cores ({info['cpu']}); load average {load_avg[0]:.1f} before, "
            f"{load_avg[-1]:.1f} after; {tool}, {rounds} alternating rounds of "
            f"~{n // 100} s each, the answer cache off (`IPQA_CACHE_SIZE=0`, "
            "`IPQA_CACHE_TTL=0`): every request answered afresh; median (range) of the rounds:",
            "",
            "| setup | concurrency | req/s | p50 | p95 | errors |",
            "| --- | --- | --- | --- | --- | --- |",
            *sorted(rows, key=lambda r: (int(r.split("|")[2]), r)),
            "",
            f"Peak memory of each replica (server + model process): {rss[0]:.0f} and "
            f"{rss[1]:.0f} MiB.",
        ],
    )
    assert all(r["errors"] == 0 for runs in results.values() for r in runs), results
