"""`ipqa bench`: model cost, /ask over HTTP, throughput, cold start, memory and index scale."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from eval.scale import bench_scale, percentiles, suggest_threshold, timed

QUESTIONS = Path(__file__).with_name("questions.jsonl")
ROOT = Path(__file__).resolve().parents[1]
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
LEVELS = (1, 4, 16)
WRK_SCRIPT = Path(__file__).with_name("wrk_ask.lua")
ENCODE_SAMPLE = 60  # questions of each load level encoded in-process, for its yardstick
SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 5_000)
COLD_START_LIMIT_S = 120


# ---------------------------------------------------------------- pure helpers (tested)


def variants(questions: list[str], n: int, offset: int = 0) -> list[str]:
    """n distinct questions: the gold questions, then each again with a polite tag."""
    out = []
    for i in range(offset, offset + n):
        q = questions[i % len(questions)]
        tag = TAGS[(i // len(questions)) % len(TAGS)]
        out.append(f"{tag}，{q}" if tag else q)
    return out


# ---------------------------------------------------------------- the machine


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = round(kb / 1024 / 1024, 1)
    except (OSError, AttributeError):
        pass
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": ram,
        "python": platform.python_version(),
        "load_avg_at_start": os.getloadavg()[0],
    }
    for name in ("torch", "faiss", "onnxruntime", "sentence_transformers", "bm25s"):
        try:
            module = __import__(name)
            info[name] = getattr(module, "__version__", "?")
        except ImportError:
            info[name] = None
    return info


def child_pids(pid: int) -> list[int]:
    """The process's children (the server's model process), from /proc."""
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids += [int(k) for k in task.read_text().split()]
        except OSError:
            pass
    return kids


def rss_peak_mib(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of the process plus its children (the model process):
    the sum of each one's peak, an upper bound on their peak together."""
    total, seen = 0, False
    for p in [pid, *child_pids(pid)]:
        try:
            text = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        m = re.search(r"VmHWM:\s+(\d+) kB", text)
        if m:
            total, seen = total + int(m.group(1)), True
    return round(total / 1024, 1) if seen else None


def load_questions() -> list[str]:
    with QUESTIONS.open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


# ---------------------------------------------------------------- in-process: model and build


def bench_encode(embedder, questions: list[str], n: int) -> dict:
    for q in questions[-5:]:  # warm-up: first calls allocate
        embedder.encode_queries([q])
    times = timed(lambda q: embedder.encode_queries([q]), questions[:n])
    return {"n": n, **percentiles(times, (50, 95))}


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
        )
        return round(time.perf_counter() - started, 2)


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(port: int, log: Path, settings: dict[str, str] | None = None):
    env = {**os.environ, "IPQA_RATE_LIMIT": "", "IPQA_HOST": "127.0.0.1", **(settings or {})}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
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


def http_latency(client: Client, questions: list[str], encode=None) -> dict:
    """Latency of each /ask, and where it went: the engine's own time (took_ms) and the app's
    (Server-Timing). With `encode`, an in-process encode of the same question runs just before
    each request, so the two see the same load on a shared machine."""
    out: dict[str, list[float]] = {"round_trip": [], "app": [], "engine": [], "encode": []}
    errors = 0
    for q in questions:
        if encode is not None:
            t = time.perf_counter()
            encode([q])
            out["encode"].append((time.perf_counter() - t) * 1000)
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


def bench_server(
    questions: list[str], n_latency: int, n_load: int, workdir: Path, encode=None
) -> dict:
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}/ask"
    out: dict = {}
    started = time.perf_counter()
    with server(port, workdir / "server.log") as proc, httpx.Client(timeout=60) as probe_client:
        probe = "商业秘密保护有哪些举措"  # not a gold question: the runs below stay uncached
        out["cold_start_s"] = round(wait_first_answer(probe_client, url, proc, started, probe), 2)
        out["rss_after_start_mib"] = rss_peak_mib(proc.pid)
        client = Client(port)
        distinct = questions[:n_latency]
        for q in questions[-3:]:  # warm the HTTP path on questions not measured
            client.request("POST", "/ask", {"question": q + "？"})
        out["uncached"] = http_latency(client, distinct, encode)
        out["cached"] = http_latency(client, distinct * 3)  # now all in the cache
        # The floor any request pays here (client, uvicorn, middleware): GET /healthz.
        times = timed(lambda _: client.request("GET", "/healthz"), range(len(distinct)))
        out["healthz"] = {"n": len(distinct), "round_trip": percentiles(times)}
        client.close()
        offset = len(questions)  # variants past the plain gold questions: never cached yet
        out["throughput"] = []
        tool = load_tool()
        for level in LEVELS:
            # wrk runs for a time, not a count: it gets questions for 150 req/s, so it never repeats
            batch = variants(questions, max(2 * n_load, 300) + 4 * level + 8, offset)
            offset += len(batch)
            result = throughput(url, batch, level, n_load, workdir, tool)
            if encode is not None:
                # The variants carry polite words (~3 tokens more than the gold questions):
                # their own bare encode, measured with the server idle, is the fair yardstick.
                sample = batch[4 * level + 8 :][:ENCODE_SAMPLE]
                result["encode_p50"] = percentiles(timed(lambda q: encode([q]), sample), (50,))[
                    "p50"
                ]
            out["throughput"].append(result)
        out["rss_peak_mib"] = rss_peak_mib(proc.pid)
    return out


# ---------------------------------------------------------------- scale

# ---------------------------------------------------------------- verdicts and output


def targets(r: dict) -> list[dict]:
    s = r.get("server", {})
    enc = s.get("uncached", {}).get("encode", r["encode"])["p50"]  # beside the /ask calls
    out = []

    def add(name, value, limit, ok, unit):
        out.append({"target": name, "value": value, "limit": limit, "unit": unit, "met": bool(ok)})

    if s:
        # Judged on the unrounded figures: 1.3006 shows as 1.3 but misses.
        ratio = s["uncached"]["round_trip"]["p50"] / enc
        add("uncached /ask p50 ≤ 1.3 × bare encode p50", round(ratio, 3), 1.3, ratio <= 1.3, "×")
        cached = s["cached"]["round_trip"]["p50"]
        add("cached /ask p50 ≤ 3 ms", cached, 3, cached <= 3, "ms")
        c4 = next(t for t in s["throughput"] if t["concurrency"] == 4)
        need = 0.8 * (os.cpu_count() or 1) / (c4.get("encode_p50", enc) / 1000)
        add(
            "throughput @4 ≥ 0.8 × cores ÷ encode, 0 errors",
            c4["rps"],
            round(need, 1),
            c4["rps"] >= need and c4["errors"] == 0 and c4.get("repeats", 0) == 0,
            "req/s",
        )
        add("cold start ≤ 8 s", s["cold_start_s"], 8, s["cold_start_s"] <= 8, "s")
        add(
            "server peak RSS ≤ 1 GB",
            s["rss_peak_mib"],
            1024,
            (s["rss_peak_mib"] or 1e9) <= 1024,
            "MiB",
        )
    return out


def render(r: dict, console) -> None:
    from rich.table import Table

    m = r["machine"]
    title = (
        f"ipqa bench — {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB · backend "
        f"{r['backend']}, vocab {r.get('vocab', 'full')}, threads {r['threads']}, batch "
        f"{r.get('batch', 1)}, model process {'on' if r.get('model_process') else 'off'}"
        f" · torch {m['torch']}, faiss {m['faiss']}, "
        f"onnxruntime {m['onnxruntime']} · load {m['load_avg_at_start']:.1f}"
    )
    t = Table("measure", "p50", "p95", "p99", "other", title=title, title_justify="left")
    e = r["encode"]
    t.add_row(
        f"bare encode, 1 question, in-process n={e['n']}",
        f"{e['p50']} ms",
        f"{e['p95']} ms",
        "",
        "",
    )
    pol = r.get("encode_policy", {})
    if pol:
        t.add_row(
            "encode, 4 threads at once",
            "",
            "",
            "",
            " · ".join(
                f"{k}: {v['qps']} q/s ({v['questions_per_pass']} per pass)" for k, v in pol.items()
            ),
        )
    if "build_s" in r:
        t.add_row("index build (the plan)", "", "", "", f"{r['build_s']} s")
    s = r.get("server")
    if s:
        u = s["uncached"]
        rows = [
            (
                f"bare encode, interleaved with the uncached /ask n={u['n']}",
                u.get("encode"),
                "the ratio's denominator",
            ),
            (f"/ask uncached (distinct), engine took_ms n={u['n']}", u.get("engine"), ""),
            (f"/ask uncached, app (Server-Timing) n={u['n']}", u.get("app"), ""),
            (
                f"/ask uncached, HTTP round trip n={u['n']}",
                u["round_trip"],
                f"errors {u['errors']}",
            ),
            (
                f"/ask cached (repeats), HTTP round trip n={s['cached']['n']}",
                s["cached"]["round_trip"],
                f"errors {s['cached']['errors']}",
            ),
            (f"GET /healthz (HTTP floor) n={s['healthz']['n']}", s["healthz"]["round_trip"], ""),
        ]
        for label, v, other in rows:
            if v:
                p99 = f"{v['p99']} ms" if "p99" in v else ""
                t.add_row(label, f"{v['p50']} ms", f"{v['p95']} ms", p99, other)
        for tp in s["throughput"]:
            yardstick = (
                f"; bare encode of these questions {tp['encode_p50']} ms"
                if "encode_p50" in tp
                else ""
            )
            t.add_row(
                f"throughput c={tp['concurrency']}, {tp['requests']} uncached ({tp['tool']})",
                f"{tp['latency_ms']['p50']} ms",
                f"{tp['latency_ms']['p95']} ms",
                "",
                f"{tp['rps']} req/s, errors {tp['errors']}, repeats {tp['repeats']}" + yardstick,
            )
        t.add_row("cold start (spawn → first /ask 200)", "", "", "", f"{s['cold_start_s']} s")
        t.add_row(
            "server RSS peak (VmHWM, + model process)",
            "",
            "",
            "",
            f"{s['rss_peak_mib']} MiB (after start {s['rss_after_start_mib']} MiB)",
        )
    console.print(t)
    if r.get("scale"):
        st = Table(
            "passages",
            "bm25 build",
            "bm25 p50",
            "flat build",
            "flat p50",
            "hnsw build",
            "hnsw p50",
            "hnsw recall@10",
            title="scale (synthetic; FAISS on random unit vectors, 384-d)",
            title_justify="left",
        )
        for row in r["scale"]:
            d = row["dense"]
            st.add_row(
                f"{row['n']:,}",
                f"{row['bm25']['build_s']} s",
                f"{row['bm25']['score_ms']['p50']} ms",
                f"{d['flat']['build_s']} s",
                f"{d['flat']['search_ms']['p50']} ms",
                f"{d['hnsw']['build_s']} s",
                f"{d['hnsw']['search_ms']['p50']} ms",
                f"{d['hnsw_recall_at_10']}",
            )
        console.print(st)
        console.print(
            f"HNSW switch: set at {r['hnsw_threshold']:,} passages; exact search "
            f"reaches 10% of one encode ({r['flat_budget_ms']} ms) at about "
            f"{r['suggested_threshold']:,} passages."
        )
    v = Table("target", "value", "limit", "met", title="targets", title_justify="left")
    for x in r["targets"]:
        v.add_row(
            x["target"],
            f"{x['value']} {x['unit']}",
            f"{x['limit']} {x['unit']}",
            "[green]yes[/]" if x["met"] else "[red]NO[/]",
        )
    console.print(v)


def run(
    quick: bool = False,
    out: Path = Path("eval/reports/bench.json"),
    skip_scale: bool = False,
    console=None,
) -> dict:
    from rich.console import Console

    from index.embedder import model_threads
    from service.settings import Settings
    from service.state import load_embedder

    console = console or Console()
    if not console.is_terminal:  # a log file or a pipe: do not squeeze the table to 80 columns
        console = Console(width=max(console.width, 150), file=console.file)
    settings = Settings()
    questions = load_questions()
    n_encode, n_latency, n_load = (20, 20, 40) if quick else (50, 50, 400)
    report: dict = {
        "machine": machine(),
        "quick": quick,
        "backend": settings.backend,
        "vocab": settings.vocab if settings.backend == "onnx" else "full",
        "batch": settings.batch,
        "model_process": settings.model_process,
        "threads": model_threads(settings.threads),
        "hnsw_threshold": settings.hnsw_threshold,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    with console.status("loading the model in-process…"):
        embedder = load_embedder(settings)
    with console.status("bare encode…"):
        report["encode"] = bench_encode(embedder, questions, n_encode)
        report["encode_policy"] = bench_encode_policy(
            embedder, questions[n_encode:], n=32 if quick else 96
        )
    if not quick:
        with console.status("index build…"):
            report["build_s"] = bench_build(settings, embedder)
    with tempfile.TemporaryDirectory() as tmp, console.status("server: cold start, /ask, load…"):
        report["server"] = bench_server(
            questions, n_latency, n_load, Path(tmp), encode=embedder.encode_queries
        )
    del embedder
    if not skip_scale:
        with console.status("scale: BM25 and FAISS on synthetic corpora…"):
            report["scale"] = bench_scale(
                QUICK_SIZES if quick else SIZES,
                settings,
                load_questions(),
                queries_n=50 if quick else 200,
            )
        report["flat_budget_ms"] = round(0.1 * report["encode"]["p50"], 2)
        report["suggested_threshold"] = suggest_threshold(report["scale"], report["flat_budget_ms"])
    report["targets"] = targets(report)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    render(report, console)
    console.print(f"written: {out}")
    return report


# ---------------------------------------------------------------- one setting against another


def compare(
    setting: str,
    pairs: int = 8,
    seconds: int = 6,
    concurrency: int = 4,
    out: Path = Path("eval/reports/bench-compare.json"),
    console=None,
) -> dict:
    """Throughput at `concurrency` of the settings as they are (A) against the same with one
    IPQA_ setting changed (B), in pairs of fresh servers taking turns to go first (A B, B A,
    …), so that the shared machine's drift falls on both sides alike. Each server answers the
    same distinct questions, so none is cached."""
    import httpx
    from rich.console import Console
    from rich.table import Table

    from service.settings import Settings

    console = console or Console()
    key, _, value = setting.partition("=")
    if (
        key.upper() != key
        or not key.startswith("IPQA_")
        or not _
        or key[5:].lower() not in Settings.model_fields
    ):
        raise RuntimeError(f"--compare takes one setting as IPQA_NAME=value, not {setting!r}")
    from pydantic import ValidationError

    try:
        Settings(**{key[5:].lower(): value})
    except ValidationError as exc:  # a bad value fails here, in one line
        raise RuntimeError(f"{setting}: {exc.errors()[0]['msg']}") from None
    tool = load_tool()
    questions = variants(load_questions(), 4 * concurrency + 8 + seconds * 200)
    runs: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp, console.status("comparing…") as status:
        for pair in range(pairs):
            sides = [("A", {}), ("B", {key: value})]
            for side, changed in sides if pair % 2 == 0 else sides[::-1]:
                status.update(
                    f"pair {pair + 1}/{pairs}, {side} ({setting if changed else 'as set'})"
                )
                port = free_port()
                url = f"http://127.0.0.1:{port}/ask"
                with (
                    server(port, Path(tmp) / "server.log", changed) as proc,
                    httpx.Client(timeout=60) as client,
                ):
                    wait_first_answer(
                        client, url, proc, time.perf_counter(), "商业秘密保护有哪些举措"
                    )
                    r = throughput(url, questions, concurrency, seconds * 100, Path(tmp), tool)
                runs.append(
                    {
                        "pair": pair,
                        "side": side,
                        "rps": r["rps"],
                        "errors": r["errors"],
                        "repeats": r["repeats"],
                        "p50_ms": r["latency_ms"]["p50"],
                    }
                )
    rps = {side: [r["rps"] for r in runs if r["side"] == side] for side in "AB"}
    ratios = [b / a for a, b in zip(rps["A"], rps["B"], strict=True)]
    report = {
        "machine": machine(),
        "setting": setting,
        "concurrency": concurrency,
        "seconds": seconds,
        "tool": tool,
        "runs": runs,
        "median_rps": {side: round(statistics.median(v), 1) for side, v in rps.items()},
        "median_ratio_b_to_a": round(statistics.median(ratios), 3),
        "b_faster_in": sum(r > 1 for r in ratios),
        "pairs": pairs,
        "errors": sum(r["errors"] for r in runs),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    t = Table(
        "pair",
        "A req/s (as set)",
        f"B req/s ({setting})",
        "B ÷ A",
        title=f"c={concurrency}, {seconds} s of {tool} per server, load "
        f"{report['machine']['load_avg_at_start']:.1f} at the start",
        title_justify="left",
    )
    for pair, (a, b) in enumerate(zip(rps["A"], rps["B"], strict=True)):
        t.add_row(str(pair + 1), f"{a}", f"{b}", f"{b / a:.3f}")
    t.add_row(
        "median",
        f"{report['median_rps']['A']}",
        f"{report['median_rps']['B']}",
        f"{report['median_ratio_b_to_a']:.3f}",
    )
    console.print(t)
    console.print(
        f"B faster in {report['b_faster_in']} of {pairs} pairs; errors "
        f"{report['errors']}; written: {out}"
    )
    return report
