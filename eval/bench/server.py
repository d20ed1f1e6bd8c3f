"""A real `ipqa serve` for the bench, and its single-client latency on one keep-alive connection."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from eval.bench.scale import percentiles

COLD_START_LIMIT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_argv(port: int) -> list[str]:
    """`ipqa serve` on loopback, run as `python -m service.cli` (no installed script needed)."""
    return [
        sys.executable,
        "-m",
        "service.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


@contextmanager
def server(port: int, log: Path, settings: dict[str, str] | None = None):
    env = {**os.environ, "IPQA_RATE_LIMIT": "", "IPQA_HOST": "127.0.0.1", **(settings or {})}
    # the bench's questions go to a scratch question log, not the office's own database
    env.setdefault("IPQA_DATABASE_URL", f"sqlite:///{log.parent}/office-{port}.db")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            serve_argv(port),
            cwd=os.getcwd(),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_first_answer(client, url: str, proc, started: float, question: str) -> float:
    import httpx

    while time.perf_counter() - started < COLD_START_LIMIT_S:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            if client.post(url, json={"question": question}).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no answer within {COLD_START_LIMIT_S} s")


class Client:
    """One keep-alive connection through the standard library's http.client: the leanest
    common client, so the latencies are the server's, not the measuring tool's (httpx adds
    ~0.5 ms a request here)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, method: str, path: str, payload: dict | None = None
    ) -> tuple[int, dict, bytes]:
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        headers = {} if body is None else {"content-type": "application/json"}
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()

    def close(self) -> None:
        self.conn.close()


def _app_ms(headers: dict) -> float | None:
    m = re.search(r"app;dur=([\d.]+)", headers.get("server-timing", ""))
    return float(m.group(1)) if m else None


def http_latency(client: Client, questions: list[str], encode=None, fp32=None) -> dict:
    """Latency of each /ask, and where it went: the engine's own time (took_ms) and the app's
    (Server-Timing). With `encode`, an in-process encode of the same question runs just before
    each request, so the two see the same load on a shared machine; with `fp32`, the fp32
    model's encode too (the yardstick when the server runs a quantized one)."""
    out: dict[str, list[float]] = {
        "round_trip": [],
        "app": [],
        "engine": [],
        "encode": [],
        "encode_fp32": [],
    }
    errors = 0
    for q in questions:
        for name, fn in (("encode", encode), ("encode_fp32", fp32)):
            if fn is not None:
                t = time.perf_counter()
                fn([q])
                out[name].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        status, headers, body = client.request("POST", "/ask", {"question": q})
        out["round_trip"].append((time.perf_counter() - t) * 1000)
        if status != 200:
            errors += 1
            continue
        out["engine"].append(json.loads(body)["took_ms"])
        if (app := _app_ms(headers)) is not None:
            out["app"].append(app)
    return {
        "n": len(questions),
        "errors": errors,
        **{k: percentiles(v) for k, v in out.items() if v},
    }
