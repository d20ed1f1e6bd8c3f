"""`ipqa bench --compare`: c=4 throughput and /ask latency as set against one setting changed,
in pairs of servers."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from eval.bench.load import load_tool, throughput, variants
from eval.bench.machine import machine
from eval.bench.scale import percentiles
from eval.bench.server import Client, free_port, server, wait_first_answer
from eval.gold import question_texts
from eval.run import REPORTS

LATENCY_N = 60  # sequential /ask requests to each side per pair, uncached and cached
# Settings the index records: B gets an index of its own, built with B's settings first.
INDEX_SETTINGS = frozenset({"IPQA_PRECISION", "IPQA_PASSAGE_PRECISION"})


def own_index(key: str, value: str, folder: Path) -> dict[str, str]:
    """B's settings: the one changed, and for a setting the index records, an index built
    with it (`ipqa build`, here) that only B's servers load."""
    import os
    import subprocess
    import sys

    if key not in INDEX_SETTINGS:
        return {key: value}
    changed = {key: value, "IPQA_INDEX_DIR": str(folder / "index-B")}
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "build"],
        env={**os.environ, **changed},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"B's index ({key}={value}) failed to build: {done.stdout[-500:]}")
    return changed


def paired_latency(port_a: int, port_b: int, questions: list[str]) -> dict:
    """Each question to A and to B on one keep-alive connection each, one right after the
    other (A first for even questions): both servers' p50, and every A − B difference."""
    clients = {"A": Client(port_a), "B": Client(port_b)}
    times: dict[str, list[float]] = {"A": [], "B": []}
    try:
        for n, q in enumerate(questions):
            for side in ("A", "B") if n % 2 == 0 else ("B", "A"):
                t = time.perf_counter()
                status, _, _ = clients[side].request("POST", "/ask", {"question": q})
                if status != 200:
                    raise RuntimeError(f"/ask on {side} answered {status}")
                times[side].append((time.perf_counter() - t) * 1000)
    finally:
        for c in clients.values():
            c.close()
    return {
        "A": percentiles(times["A"])["p50"],
        "B": percentiles(times["B"])["p50"],
        "a_minus_b": [a - b for a, b in zip(times["A"], times["B"], strict=True)],
    }


def compare(
    setting: str,
    pairs: int = 8,
    seconds: int = 6,
    concurrency: int = 4,
    out: Path = REPORTS / "bench-compare.json",
    console=None,
) -> dict:
    """Throughput at `concurrency` of the settings as they are (A) against the same with one
    IPQA_ setting changed (B), in pairs of fresh servers taking turns to go first (A B, B A,
    …), so that the shared machine's drift falls on both sides alike. Each server answers the
    same distinct questions, so none is cached. Latency is paired request by request: in each
    pair A and B run side by side (idle until asked), and each question goes to both, one
    right after the other, so the machine's moods fall on both alike."""
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
    gold = question_texts()
    # distinct questions for 400 req/s: a server past 200 (c=4 on two cores does ~200 now)
    # ran out of them in a 2 s run and answered the rest from its cache
    questions = variants(gold, 4 * concurrency + 8 + seconds * 400)
    lone = variants(gold, LATENCY_N, offset=len(questions))  # never asked by the load
    runs: list[dict] = []
    paired: dict[str, list[float]] = {"uncached": [], "cached": []}
    with tempfile.TemporaryDirectory() as tmp, console.status("comparing…") as status:
        status.update(f"B's settings ({setting})")
        changed_b = own_index(key, value, Path(tmp))
        for pair in range(pairs):
            sides = [("A", {}), ("B", changed_b)]
            order = sides if pair % 2 == 0 else sides[::-1]
            status.update(f"pair {pair + 1}/{pairs}: starting A and B")
            with ExitStack() as stack:
                ports = {}
                for side, changed in order:
                    ports[side] = free_port()
                    proc = stack.enter_context(
                        server(ports[side], Path(tmp) / f"server-{side}.log", changed)
                    )
                    with httpx.Client(timeout=60) as client:
                        wait_first_answer(
                            client,
                            f"http://127.0.0.1:{ports[side]}/ask",
                            proc,
                            time.perf_counter(),
                            "商业秘密保护有哪些举措",
                        )
                status.update(f"pair {pair + 1}/{pairs}: latency, A and B in turn")
                lat = paired_latency(ports["A"], ports["B"], lone)
                hit = paired_latency(ports["A"], ports["B"], [lone[0]] * LATENCY_N)
                paired["uncached"] += lat["a_minus_b"]
                paired["cached"] += hit["a_minus_b"]
                for side, changed in order:
                    status.update(
                        f"pair {pair + 1}/{pairs}, {side} ({setting if changed else 'as set'})"
                    )
                    url = f"http://127.0.0.1:{ports[side]}/ask"
                    r = throughput(url, questions, concurrency, seconds * 100, Path(tmp), tool)
                    runs.append(
                        {
                            "pair": pair,
                            "side": side,
                            "rps": r["rps"],
                            "errors": r["errors"],
                            "repeats": r["repeats"],
                            "p50_ms": r["latency_ms"]["p50"],
                            "uncached_p50_ms": lat[side],
                            "cached_p50_ms": hit[side],
                        }
                    )
    rps = {side: [r["rps"] for r in runs if r["side"] == side] for side in "AB"}
    ratios = [b / a for a, b in zip(rps["A"], rps["B"], strict=True)]
    lat = {side: [r["uncached_p50_ms"] for r in runs if r["side"] == side] for side in "AB"}
    hit = {side: [r["cached_p50_ms"] for r in runs if r["side"] == side] for side in "AB"}
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
        "uncached_p50_ms": {side: round(statistics.median(v), 2) for side, v in lat.items()},
        "cached_p50_ms": {side: round(statistics.median(v), 2) for side, v in hit.items()},
        # what A (as set) costs over B per /ask: the median of the request-by-request
        # differences (each question to A and to B, one right after the other)
        "uncached_a_minus_b_ms": round(statistics.median(paired["uncached"]), 3),
        "cached_a_minus_b_ms": round(statistics.median(paired["cached"]), 3),
        "paired_requests": len(paired["uncached"]),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    t = Table(
        "pair",
        "A req/s (as set)",
        f"B req/s ({setting})",
        "B ÷ A",
        "uncached p50 A / B ms",
        "cached p50 A / B ms",
        title=f"c={concurrency}, {seconds} s of {tool} per server, load "
        f"{report['machine']['load_avg_at_start']:.1f} at the start",
        title_justify="left",
    )
    for pair, (a, b) in enumerate(zip(rps["A"], rps["B"], strict=True)):
        t.add_row(
            str(pair + 1),
            f"{a}",
            f"{b}",
            f"{b / a:.3f}",
            f"{lat['A'][pair]:.2f} / {lat['B'][pair]:.2f}",
            f"{hit['A'][pair]:.2f} / {hit['B'][pair]:.2f}",
        )
    t.add_row(
        "median",
        f"{report['median_rps']['A']}",
        f"{report['median_rps']['B']}",
        f"{report['median_ratio_b_to_a']:.3f}",
        "{A:.2f} / {B:.2f}".format(**report["uncached_p50_ms"]),
        "{A:.2f} / {B:.2f}".format(**report["cached_p50_ms"]),
    )
    console.print(t)
    console.print(
        f"B faster in {report['b_faster_in']} of {pairs} pairs; /ask, A − B (median of "
        f"{report['paired_requests']} paired requests): uncached "
        f"{report['uncached_a_minus_b_ms']:+.3f} ms, cached {report['cached_a_minus_b_ms']:+.3f}"
        f" ms; errors {report['errors']}; written: {out}"
    )
    return report
