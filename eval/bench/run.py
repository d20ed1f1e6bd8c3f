"""`ipqa bench`: one run of every measure on this machine, judged and written to a report."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from eval.bench.inprocess import (
    bench_build,
    bench_encode,
    bench_encode_policy,
    bench_long_question,
)
from eval.bench.load import load_tool, throughput, variants
from eval.bench.machine import machine, rss_peak_mib
from eval.bench.report import render, targets
from eval.bench.scale import bench_scale, percentiles, suggest_threshold, timed
from eval.bench.server import Client, free_port, http_latency, server, wait_first_answer
from eval.gold import question_texts
from eval.run import REPORTS

LEVELS = (1, 4, 16)
ENCODE_SAMPLE = 60  # questions of each load level encoded in-process, for its yardstick
SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 5_000)


def bench_server(
    questions: list[str], n_latency: int, n_load: int, workdir: Path, encode=None, fp32=None
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
        out["uncached"] = http_latency(client, distinct, encode, fp32)
        if fp32 is None and "encode" in out["uncached"]:  # the server runs fp32 itself
            out["uncached"]["encode_fp32"] = out["uncached"]["encode"]
        out["cached"] = http_latency(client, distinct * 3)  # now all in the cache
        # The floor any request pays here (client, uvicorn, middleware): GET /healthz.
        times = timed(lambda _: client.request("GET", "/healthz"), range(len(distinct)))
        out["healthz"] = {"n": len(distinct), "round_trip": percentiles(times)}
        client.close()
        offset = len(questions)  # variants past the plain gold questions: never cached yet
        out["throughput"] = []
        tool = load_tool()
        for level in LEVELS:
            # wrk runs for a time, not a count: it gets questions for 400 req/s, so it never repeats
            batch = variants(questions, max(4 * n_load, 600) + 4 * level + 8, offset)
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


def run(
    quick: bool = False,
    out: Path = REPORTS / "bench.json",
    skip_scale: bool = False,
    console=None,
) -> dict:
    from rich.console import Console

    from index.embed.passes import model_threads
    from service.settings import Settings
    from service.state import load_embedder

    console = console or Console()
    if not console.is_terminal:  # a log file or a pipe: do not squeeze the table to 80 columns
        console = Console(width=max(console.width, 150), file=console.file)
    settings = Settings()
    questions = question_texts()
    n_encode, n_latency, n_load = (20, 20, 40) if quick else (50, 50, 400)
    report: dict = {
        "machine": machine(),
        "quick": quick,
        "backend": settings.backend,
        "vocab": settings.vocab if settings.backend == "onnx" else "full",
        "precision": settings.precisions[1],
        "passage_precision": settings.precisions[0],
        "batch": settings.batch,
        "model_process": settings.model_process,
        "threads": model_threads(settings.threads),
        "hnsw_threshold": settings.hnsw_threshold,
        "dense_index": settings.dense_index,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    with console.status("loading the model in-process…"):
        embedder = load_embedder(settings)
        # A quantized server is judged against the fp32 model's encode as well.
        fp32 = (
            load_embedder(settings.model_copy(update={"precision": "fp32"}))
            if settings.precision != "fp32"
            else None
        )
    with console.status("bare encode…"):
        report["encode"] = bench_encode(embedder, questions, n_encode)
        report["long_question"] = bench_long_question(embedder, questions, 10 if quick else 20)
        report["encode_policy"] = bench_encode_policy(
            embedder, questions[n_encode:], n=32 if quick else 96
        )
    if not quick:
        with console.status("index build…"):
            report["build_s"] = bench_build(settings, embedder)
    with tempfile.TemporaryDirectory() as tmp, console.status("server: cold start, /ask, load…"):
        report["server"] = bench_server(
            questions,
            n_latency,
            n_load,
            Path(tmp),
            encode=embedder.encode_queries,
            fp32=fp32.encode_queries if fp32 is not None else None,
        )
    del embedder, fp32
    if not skip_scale:
        with console.status("scale: BM25 and FAISS on synthetic corpora…"):
            report["scale"] = bench_scale(
                QUICK_SIZES if quick else SIZES,
                settings,
                questions,
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
