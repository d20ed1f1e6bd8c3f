"""Shared state across replicas, in-process: answers through Redis's JSON and back, the rate
limit and the answer cache shared by two apps, Redis down (degraded, never failed), and the
index link watched (a new build loads, a broken one leaves the old serving and says so)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eval.gold import question_texts
from index.store import build_index
from service.app import create_app
from service.office.matcher import CuratedEntry, CuratedMatcher
from service.schemas import AskResponse
from service.shared.answer_cache import SharedAnswerCache, decode, encode
from service.shared.redis_link import RedisLink
from tests.fakes import FakeEmbedder
from tests.polling import until

QUESTIONS = question_texts()


@pytest.fixture
def redis_server():
    from tests.redisserver import RedisServer

    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.remove()


def _app(settings, **overrides):
    return create_app(settings.model_copy(update=overrides), embedder=FakeEmbedder())


def _until(check, timeout: float = 15.0, every: float = 0.1):
    return until(check, timeout, every)


def test_answers_cross_redis_as_json_unchanged(client):
    """Every kind of answer (found, related, none, computed) reads back as it was written."""
    engine = client.app.state.runtime.engine
    outcomes, computed = set(), 0
    for q in QUESTIONS:
        answer = engine.ask(q)
        back = decode(encode(answer))
        assert back is not None, q
        assert back == answer and back.extra == answer.extra, q
        assert AskResponse.of(back) == AskResponse.of(answer), q
        outcomes.add(answer.outcome)
        computed += bool(answer.extra)
    assert {"answer", "none"} <= outcomes and computed, (outcomes, computed)
    assert decode(b'{"question": 1}') is None and decode(b"\x80 not json") is None


def test_curated_generation_names_the_content():
    """Replicas holding the same curated answers share cached answers; a change does not."""
    entry = CuratedEntry(1, "办事指南在哪里", (), "见网站", ())
    a, b = CuratedMatcher(), CuratedMatcher()
    assert a.generation == b.generation
    a.load([entry])
    b.load([])
    b.load([entry])
    assert a.generation == b.generation
    b.load([CuratedEntry(1, "办事指南在哪里", (), "见网站首页", ())])
    assert a.generation != b.generation


@pytest.mark.redis
def test_answer_cache_is_shared_per_build_with_a_ttl(client, redis_server):
    link = RedisLink(redis_server.url)
    link.start()
    answer = client.app.state.runtime.engine.ask("地理标志怎么保护？")
    one = SharedAnswerCache(link, "build-1", 60, local_size=0)
    other_replica = SharedAnswerCache(link, "build-1", 60, local_size=0)
    next_build = SharedAnswerCache(link, "build-2", 60, local_size=0)
    key = ("地理标志怎么保护", 5, "hybrid", "g")
    one.put(key, answer)  # written behind, off the request path
    assert _until(lambda: other_replica.get(key)) == answer
    assert next_build.get(key) is None  # a new build never serves an old answer
    assert 0 < link.client.ttl(one.key(key)) <= 60
    link.close()


@pytest.mark.redis
def test_two_apps_share_the_rate_limit_and_the_cache(fake_settings, redis_server):
    settings = dict(redis_url=redis_server.url, rate_limit="5/minute", cache_size=64)
    with (
        TestClient(_app(fake_settings, **settings)) as a,
        TestClient(_app(fake_settings, **settings)) as b,
    ):
        codes = [
            (a if n % 2 else b).post("/ask", json={"question": f"地理标志怎么保护{n}"}).status_code
            for n in range(12)
        ]
        assert codes.count(200) == 5 and codes.count(429) == 7, codes
        assert a.post("/feedback", json={"answer_id": "x", "rating": "up"}).status_code == 404
        # The answer routes and feedback count apart: a vote is not refused for asking.
        refused = b.post("/ask", json={"question": "专栏5是什么"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1

        health = a.get("/healthz").json()
        assert health["status"] == "ok" and health["redis"]["status"] == "ok", health
        assert health["build_id"] == b.get("/healthz").json()["build_id"]
        # what a asked (and cached) b finds in Redis before it asks anything itself
        engine_a = a.app.state.runtime.engine
        engine_b = b.app.state.runtime.engine
        engine_a.ask("商业秘密保护有哪些举措")
        assert _until(lambda: engine_b.cached("商业秘密保护有哪些举措")) is not None


@pytest.mark.redis
def test_redis_down_degrades_and_recovers(fake_settings, tmp_path):
    from tests.redisserver import RedisServer

    redis_server = RedisServer()  # its port, with nothing listening yet
    try:
        settings = dict(redis_url=redis_server.url, rate_limit="3/minute", cache_size=64)
        with TestClient(_app(fake_settings, **settings)) as c:
            health = c.get("/healthz").json()
            assert health["status"] == "degraded" and health["redis"]["status"] == "down"
            assert "per process" in health["warnings"][0], health
            started = time.perf_counter()
            codes = [
                c.post("/ask", json={"question": f"地理标志{n}"}).status_code for n in range(5)
            ]
            took = time.perf_counter() - started
            assert codes == [200, 200, 200, 429, 429], codes  # this process still limits
            assert took < 2.0, took  # and nobody waits for the missing Redis
            redis_server.start()
            _until(lambda: c.get("/healthz").json()["status"] == "ok")
            assert c.get("/healthz").json()["redis"]["fallbacks"] > 0
    finally:
        redis_server.remove()


def _relink(index_dir: Path, target: Path) -> None:
    tmp = index_dir.parent / ".relink"
    tmp.symlink_to(os.path.relpath(target, index_dir.parent))
    os.replace(tmp, index_dir)


def test_each_replica_loads_a_new_build_and_keeps_the_old_one_when_it_cannot(
    fake_settings, tmp_path
):
    index_dir = tmp_path / "index"

    def build() -> str:
        return build_index(
            fake_settings.corpus_dir,
            FakeEmbedder(),
            index_dir,
            hnsw_threshold=10**6,
            dense_index="numpy",
        ).name

    first = build()
    with TestClient(_app(fake_settings, index_dir=index_dir, index_watch=0.1)) as c:
        health = c.get("/healthz").json()
        assert health["build_id"] == first and health["status"] == "ok"
        second = build()
        _until(lambda: c.get("/healthz").json()["build_id"] == second)

        broken = index_dir.parent / "index.builds" / "00000000T000000000000Z-broken"
        shutil.copytree(index_dir.resolve(), broken)
        (broken / "passages.jsonl").write_text("", encoding="utf-8")
        manifest = json.loads((broken / "manifest.json").read_text(encoding="utf-8"))
        manifest["build_id"] = broken.name
        (broken / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        _relink(index_dir, broken)
        health = _until(lambda: (h := c.get("/healthz").json())["status"] == "degraded" and h)
        assert health["build_id"] == second, health
        assert f"build {broken.name} could not be loaded" in health["warnings"][0]
        assert f"still serving build {second}" in health["warnings"][0], health
        assert c.post("/ask", json={"question": "地理标志怎么保护？"}).status_code == 200

        third = build()
        _until(lambda: c.get("/healthz").json()["build_id"] == third)
        assert c.get("/healthz").json()["status"] == "ok"


@pytest.mark.redis
@pytest.mark.parametrize("limit", ["4/minute", "4/minute;100/hour", "100/hour;4/minute"])
def test_limiters_on_one_redis_admit_the_limit_in_all(redis_server, limit):
    """Two replicas' limiters, one window or several: 4 admitted in all, the rest told how
    long to wait; a refused request uses up no window."""
    import asyncio

    from service.shared.ratelimit import SharedLimiter

    link = RedisLink(redis_server.url)
    replicas = [SharedLimiter(limit, "answers", link) for _ in range(2)]

    async def run() -> list[int | None]:
        return [await replicas[n % 2].admit("203.0.113.7") for n in range(10)]

    waits = asyncio.run(run())
    assert waits[:4] == [None] * 4 and all(w is not None and w >= 1 for w in waits[4:]), waits
    keys = link.client.keys("ipqa:limits*")
    assert keys and all(link.client.llen(k) == 4 for k in keys), keys
    link.close()
