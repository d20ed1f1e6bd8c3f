"""`ipqa bench --compare`: c=4 throughput as set against one setting changed, in pairs of servers."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from eval.bench.load import load_tool, throughput, variants
from eval.bench.machine import machine
from eval.bench.server import free_port, server, wait_first_answer
from eval.gold import question_texts
from eval.run import REPORTS


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
    questions = variants(question_texts(), 4 * concurrency + 8 + seconds * 200)
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
