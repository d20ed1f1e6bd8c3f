"""Faults: `ipqa serve` refuses a bad setup in one line; a hot index swap drops nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.fakes import FakeEmbedder
from tests.serverproc import (
    PYTHON,
    ROOT,
    Server,
    build,
    ipqa_env,
    plan_index,
    require_model,
    write_figures,
)

TOKEN = "test-reload-token-0123456789"


# ---- (a) a bad setup stops `ipqa serve` with one line ------------------------------------
def _bad_setups(tmp: Path) -> dict[str, tuple[dict, str]]:
    good = plan_index().resolve()
    empty = tmp / "empty-index"
    empty.mkdir()
    corrupt = tmp / "corrupt-index"
    shutil.copytree(good, corrupt)
    (corrupt / "dense.faiss").write_bytes(b"this is not a faiss index\n" * 100)
    mismatch = tmp / "mismatch-index"
    shutil.copytree(good, mismatch)
    manifest = json.loads((mismatch / "manifest.json").read_text(encoding="utf-8"))
    manifest["model"] = "some-other-model"
    (mismatch / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp / "no-models").mkdir()
    return {  # name: (settings, what the one line must tell the user to run)
        "empty index dir": ({"index_dir": empty}, "ipqa build"),
        "corrupt dense.faiss": ({"index_dir": corrupt}, "ipqa build"),
        "manifest names another model": ({"index_dir": mismatch}, "ipqa build"),
        "model not provisioned": (
            {"index_dir": good, "models_dir": tmp / "no-models"},
            "ipqa setup",
        ),
        "corpus folder missing": ({"index_dir": good, "corpus_dir": tmp / "no-corpus"}, ""),
    }


@pytest.mark.real_model
def test_serve_refuses_bad_setups_in_one_line(tmp_path):
    require_model()
    cases = _bad_setups(tmp_path)
    started = time.perf_counter()
    procs = {
        name: subprocess.Popen(  # side by side: each may load the model before failing
            [PYTHON, "-m", "service.cli", "serve", "--port", "9"],
            cwd=ROOT,
            env=ipqa_env(**settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (settings, _) in cases.items()
    }
    for name, proc in procs.items():
        try:
            out, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail(f"{name}: `ipqa serve` still running after 120 s")
        lines = [line for line in err.splitlines() if line.strip()]
        assert proc.returncode not in (0, None), (name, out, err)
        assert len(lines) == 1, (name, err)
        assert lines[0].startswith("ipqa: ") and "Traceback" not in err, (name, err)
        assert cases[name][1] in lines[0], (name, lines[0])
    assert time.perf_counter() - started < 120


# ---- (b) hot swap under load ----------------------------------------------------------------
def _small_corpus(tmp: Path) -> Path:
    """The plan's opening and its indicator table: quick to rebuild, still answers."""
    corpus = tmp / "corpus"
    corpus.mkdir()
    lines = (ROOT / "corpus" / "data" / "plan.txt").read_text(encoding="utf-8").splitlines()
    end = next(n for n, line in enumerate(lines) if line.startswith("8 ") and "\t" in line)
    (corpus / "plan.txt").write_text("\n".join(lines[: end + 1]) + "\n", encoding="utf-8")
    return corpus


class Asker(threading.Thread):
    """Sends /ask one after another until stopped; counts every outcome."""

    QUESTIONS = [
        "海外发明专利授权量2025年目标是多少？",
        "知识产权保护社会满意度",
        "十三五时期的成就",
        "版权产业增加值占GDP比重2020年是多少？",
    ]

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.stop = url, threading.Event()
        self.outcomes: Counter = Counter()
        self.failures: list = []
        self.latencies: list[float] = []

    def run(self) -> None:
        n = 0
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                # Mostly cached answers, some fresh searches: the swap must not break either,
                # and the rebuild running beside it needs the CPU more than this client does.
                question = self.QUESTIONS[n % len(self.QUESTIONS)] + ("" if n % 10 else f" {n}")
                n += 1
                started = time.perf_counter()
                try:
                    r = client.post("/ask", json={"question": question})
                    ok = r.status_code == 200 and r.json()["answer"]
                    self.outcomes[r.status_code] += 1
                    if not ok:
                        self.failures.append((r.status_code, r.text[:200]))
                except (httpx.HTTPError, ValueError) as exc:
                    self.outcomes[type(exc).__name__] += 1
                    self.failures.append(repr(exc))
                self.latencies.append(time.perf_counter() - started)
                self.stop.wait(0.005)


@pytest.mark.real_model
def test_hot_swap_under_load(tmp_path):
    require_model()
    env = ipqa_env(
        index_dir=tmp_path / "index",
        corpus_dir=_small_corpus(tmp_path),
        reload_token=TOKEN,
        rate_limit="",
    )
    build_s = [_timed(build, env)]
    server = Server(env, tmp_path / "server.log")
    asker = None
    try:
        server.wait_ready()
        closed = httpx.post(f"{server.url}/admin/reload")
        assert closed.status_code == 404 and closed.json()["error"] == "not_found"
        wrong = httpx.post(f"{server.url}/admin/reload", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 404
        asker = Asker(server.url)
        asker.start()
        swaps = []
        for _ in range(3):
            before = httpx.get(f"{server.url}/healthz").json()["index_build_time"]
            time.sleep(1.1)  # build times are stamped to the second
            build_s.append(_timed(build, env))
            started = time.perf_counter()
            r = httpx.post(
                f"{server.url}/admin/reload",
                timeout=60,
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            reload_ms = (time.perf_counter() - started) * 1000
            assert r.status_code == 200, r.text
            after = httpx.get(f"{server.url}/healthz").json()["index_build_time"]
            assert after != before and after == r.json()["index_build_time"]
            swaps.append((before, after, reload_ms))
        time.sleep(1)  # answers keep coming after the last swap
    finally:
        if asker:
            asker.stop.set()
            asker.join(timeout=60)
        server.stop()
    sent = sum(asker.outcomes.values())
    latencies = sorted(asker.latencies)
    write_figures(
        "Hot swap",
        [
            f"- corpus: the plan's opening and indicator table; {len(build_s)} `ipqa build` runs "
            f"({', '.join(f'{s:.0f}' for s in build_s)} s each, process start and model load "
            "included)",
            f"- 3 × (`ipqa build`, then POST /admin/reload) while one client sent /ask back to back: "
            f"{sent} requests, {len(asker.failures)} failed (outcomes: {dict(asker.outcomes)})",
            f"- client latency during the swaps: median {latencies[len(latencies) // 2] * 1000:.0f} "
            f"ms, max {latencies[-1] * 1000:.0f} ms",
            *(
                f"- swap {n}: index_build_time {b} → {a}; /admin/reload took {ms:.0f} ms"
                for n, (b, a, ms) in enumerate(swaps, start=1)
            ),
            "- /admin/reload without the token, or with a wrong one: 404",
        ],
    )
    assert sent > 0 and not asker.failures, (asker.outcomes, asker.failures[:5])


def _timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


# ---- (c) before the engine is loaded ---------------------------------------------------------
def test_healthz_503_while_loading(fake_settings):
    app = create_app(fake_settings, embedder=FakeEmbedder())
    client = TestClient(app)  # no `with`: the lifespan never runs, nothing is loaded
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json()["status"] == "loading"
    ask = client.post("/ask", json={"question": "地理标志怎么保护？"})
    assert ask.status_code == 503 and ask.json()["error"] == "not_ready"
    assert client.get("/indicators").status_code == 503


def test_reload_closed_without_token(client):
    r = client.post("/admin/reload", headers={"Authorization": "Bearer anything"})
    assert r.status_code == 404 and r.json()["error"] == "not_found"
