"""Throughput under load: distinct questions at a concurrency, with wrk or an httpx fallback."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from eval.bench.scale import percentiles

WRK_SCRIPT = Path(__file__).with_name("wrk_ask.lua")
# Variants make a repeated question distinct for the cache but not for the model's work.
TAGS = (
    "",
    "谢谢",
    "请问",
    "麻烦告诉我",
    "想了解一下",
    "急问",
    "请简要回答",
    "劳驾",
    "您好",
    "打扰一下",
    "问一下",
    "请教一下",
    "我想知道",
    "帮我查查",
    "同事想问",
    "顺便问下",
)


def variants(questions: list[str], n: int, offset: int = 0) -> list[str]:
    """n distinct questions: the gold questions, then each again with a polite tag."""
    out = []
    for i in range(offset, offset + n):
        q = questions[i % len(questions)]
        tag = TAGS[(i // len(questions)) % len(TAGS)]
        out.append(f"{tag}，{q}" if tag else q)
    return out


async def _load_httpx(url: str, questions: list[str], concurrency: int) -> dict:
    import httpx

    queue: asyncio.Queue = asyncio.Queue()
    for q in questions:
        queue.put_nowait(q)
    errors = 0
    times: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker():
            nonlocal errors
            while not queue.empty():
                q = queue.get_nowait()
                t = time.perf_counter()
                try:
                    r = await client.post(url, json={"question": q})
                    errors += r.status_code != 200
                except httpx.HTTPError:
                    errors += 1
                times.append((time.perf_counter() - t) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "requests": len(questions),
        "errors": errors,
        "repeats": 0,
        "rps": round(len(questions) / elapsed, 1),
        "latency_ms": percentiles(times, (50, 95)),
        "tool": "httpx",
    }


def _load_wrk(
    url: str, questions: list[str], concurrency: int, seconds: float, workdir: Path
) -> dict:
    bodies = workdir / "bodies.jsonl"
    bodies.write_text(
        "".join(json.dumps({"question": q}, ensure_ascii=False) + "\n" for q in questions),
        encoding="utf-8",
    )
    cmd = [
        "wrk",
        "-t1",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(WRK_SCRIPT),
        url,
    ]
    done = subprocess.run(
        cmd,
        env={**os.environ, "WRK_ASK_BODIES": str(bodies)},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    r = json.loads(lines[-1])
    return {
        "concurrency": concurrency,
        "requests": r["requests"],
        "errors": r["errors"] + r["non_2xx"],
        "repeats": max(0, r["requests"] - r["bodies"]),
        "rps": round(r["requests"] / (r["duration_us"] / 1e6), 1),
        "latency_ms": {p: round(r[f"{p}_us"] / 1000, 2) for p in ("p50", "p95", "p99")},
        "tool": "wrk",
    }


def load_tool() -> str:
    """wrk when installed (C, one core's sliver: the 2-core server keeps its CPU), else an
    httpx asyncio client, which costs ~2 ms of CPU a request on this machine's cores."""
    return "wrk" if shutil.which("wrk") else "httpx"


def throughput(
    url: str, questions: list[str], concurrency: int, n: int, workdir: Path, tool: str
) -> dict:
    """Requests/s at `concurrency` after a short warm-up at the same concurrency (the first
    shared passes allocate); every request a question the server has not cached."""
    warm, measured = questions[: 4 * concurrency + 8], questions[4 * concurrency + 8 :]
    if tool == "wrk":
        seconds = max(2, round(n / 100))  # about n requests at ~100 req/s; repeats reported
        _load_wrk(url, warm, concurrency, 1, workdir)
        return _load_wrk(url, measured, concurrency, seconds, workdir)
    asyncio.run(_load_httpx(url, warm, concurrency))
    return asyncio.run(_load_httpx(url, measured[:n], concurrency))
