"""Several machines' worth on one, for tests/test_replicas.py: Redis, PostgreSQL, `ipqa serve`
replicas and nginx in front, all real, on 127.0.0.1; and a load of /ask at a concurrency
that can kill, rebuild or stop things at a given request."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from eval.bench.load import variants
from eval.gold import question_texts
from tests.docs_out import doc_file
from tests.nginxserver import Nginx
from tests.redisserver import RedisServer
from tests.serverproc import ROOT, Server, free_port, ipqa_env, plan_index

ADMIN_TOKEN = "replicas-test-admin-token-0123456789"
REDIS_CONF = ROOT / "deploy" / "redis" / "ipqa.conf"
FIGURES = "replicas-figures.md"  # under docs/ with IPQA_UPDATE_DOCS=1, else a scratch copy


def private_index(tmp: Path) -> Path:
    """The run's plan index, copied as one build under `tmp` with a link of its own, so a
    rebuild here moves no other test's index."""
    built = plan_index().resolve()
    builds = tmp / "index.builds"
    builds.mkdir()
    shutil.copytree(built, builds / built.name)
    link = tmp / "index"
    link.symlink_to(os.path.relpath(builds / built.name, tmp))
    return link


class Cluster:
    def __init__(self, tmp: Path, database_url: str, replicas: int = 2):
        self.tmp = tmp
        self.index_dir = private_index(tmp)
        self.redis = RedisServer(config=REDIS_CONF)
        self.redis.start()
        self.database_url = database_url
        self.ports = [free_port() for _ in range(replicas)]
        self.replicas: list[Server | None] = [None] * replicas
        self.nginx = Nginx(self.ports)
        self.settings: dict[str, str] = {}

    def env(self) -> dict[str, str]:
        settings = {
            "index_dir": self.index_dir,
            "database_url": self.database_url,
            "redis_url": self.redis.url,
            "trusted_proxies": '["127.0.0.1"]',  # nginx's address
            "admin_token": ADMIN_TOKEN,
            "index_watch": "0.5",
            "rate_limit": "",
            **self.settings,
        }
        return ipqa_env(**settings)

    def start(self, **settings: str) -> None:
        """(Re)start every replica with these settings, then nginx if it is not running."""
        self.stop_replicas()
        self.settings = settings
        for n, port in enumerate(self.ports):
            self.replicas[n] = Server(self.env(), self.tmp / f"replica-{n}.log", port=port)
        for server in self.replicas:
            server.wait_ready()
        if self.nginx.proc is None:
            self.nginx.start()

    def restart(self, n: int) -> float:
        """Start replica n again on its port; seconds until it is ready."""
        self.replicas[n] = Server(self.env(), self.tmp / f"replica-{n}.log", port=self.ports[n])
        return self.replicas[n].wait_ready()

    def kill(self, n: int) -> None:
        """SIGKILL: what a crashed machine looks like to nginx (its model process follows)."""
        self.replicas[n].proc.kill()
        self.replicas[n].proc.wait()

    def health(self, n: int) -> dict:
        return httpx.get(f"{self.replicas[n].url}/healthz", timeout=10).json()

    def stop_replicas(self) -> None:
        for server in self.replicas:
            if server is not None:
                server.stop()

    def close(self) -> None:
        self.stop_replicas()
        self.nginx.remove()
        self.redis.remove()


class Load(threading.Thread):
    """`total` POST /ask (or until `stop` is set) at `concurrency`, each a question not asked
    before in this run; `hooks[n]` runs (on a thread of its own) when n answers are in."""

    offset = 0  # variants already used by earlier loads: every load starts uncached

    def __init__(
        self,
        url: str,
        concurrency: int = 16,
        total: int | None = None,
        hooks: dict[int, Callable[[], None]] | None = None,
    ):
        super().__init__(daemon=True)
        self.url, self.concurrency, self.total = url, concurrency, total
        self.hooks = hooks or {}
        n = total or 20_000
        self.questions = variants(question_texts(), n, Load.offset)
        Load.offset += n
        self.stop = threading.Event()
        self.done = 0
        self.outcomes: Counter = Counter()
        self.failures: list = []
        self.latencies: list[float] = []
        self.elapsed = 0.0

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        limits = httpx.Limits(
            max_connections=self.concurrency, max_keepalive_connections=self.concurrency
        )
        sent = 0
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:

            async def worker() -> None:
                nonlocal sent
                while not self.stop.is_set() and sent < len(self.questions):
                    if self.total is not None and sent >= self.total:
                        return
                    question = self.questions[sent]
                    sent += 1
                    started = time.perf_counter()
                    try:
                        r = await client.post(f"{self.url}/ask", json={"question": question})
                        ok = r.status_code == 200 and bool(r.json().get("answer_id"))
                        outcome = r.status_code
                    except httpx.HTTPError as exc:
                        ok, outcome = False, type(exc).__name__
                    self.latencies.append(time.perf_counter() - started)
                    self.outcomes[outcome] += 1
                    if not ok:
                        self.failures.append((self.done, outcome))
                    self.done += 1
                    if self.done in self.hooks:
                        threading.Thread(target=self.hooks[self.done], daemon=True).start()

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
            self.elapsed = time.perf_counter() - started

    def wait_for(self, n: int, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while self.done < n and self.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)

    def summary(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        return (
            f"{self.done} requests at c={self.concurrency} in {self.elapsed:.1f} s "
            f"({self.done / max(self.elapsed, 1e-9):.0f} req/s), {len(self.failures)} failed; "
            f"latency p50 {lat[len(lat) // 2] * 1000:.0f} ms, "
            f"p99 {lat[int(len(lat) * 0.99)] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms"
        )


def write_figures(section: str, lines: list[str]) -> None:
    """Replace one `## section` of docs/replicas-figures.md, keeping the others."""
    head = (
        "# Replica figures\n\nWritten by `tests/test_replicas.py`: Redis, PostgreSQL, two real "
        "`ipqa serve` replicas (real model, real index) and nginx with "
        "`deploy/nginx/ipqa.conf`, all on this machine's 127.0.0.1. Rerun it to refresh.\n"
    )
    path = doc_file(FIGURES)
    text = path.read_text(encoding="utf-8") if path.is_file() else head
    parts = text.split("\n## ")
    body = {p.split("\n", 1)[0]: p for p in parts[1:]}
    body[section] = section + "\n\n" + "\n".join(lines) + "\n"
    order = ["Machine", "Rate limit", "Feedback", "Replica killed", "Rebuild", "Redis stopped"]
    order += ["Throughput"]
    keys = sorted(body, key=lambda k: order.index(k) if k in order else len(order))
    path.write_text(
        parts[0].rstrip("\n") + "\n\n## " + "\n## ".join(body[k].rstrip("\n") + "\n" for k in keys),
        encoding="utf-8",
    )
