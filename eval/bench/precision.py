"""`ipqa bench --precisions`: each precision against fp32 in one run: its bare encode (paired,
question by question), its cosine to the fp32 vectors (passages, tuning and held-out
questions: aggregates only), its file and the model process's peak memory."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np

from eval.bench.machine import machine
from eval.gold import DOCS_TUNING_QUESTIONS, HELDOUT2_QUESTIONS, HELDOUT_QUESTIONS, question_texts
from eval.run import REPORTS

ENCODE_N = 120  # questions timed per precision, each `REPEATS` times on both sides
REPEATS = 3


def texts() -> dict[str, list[str]]:
    """The passages of the shipped documents as `ipqa build` embeds them, and the question
    sets (only their aggregates are reported)."""
    from corpus.load import DEFAULT_CORPUS_DIR, SAMPLES_DIR, load_corpus
    from corpus.normalize import normalize_text

    passages = [
        normalize_text(p.search_text)
        for folder in (DEFAULT_CORPUS_DIR, SAMPLES_DIR)
        if folder.is_dir()
        for p in load_corpus(folder).passages
    ]
    return {
        "passages": passages,
        "tuning": question_texts() + question_texts(DOCS_TUNING_QUESTIONS),
        "held-out": question_texts(HELDOUT_QUESTIONS) + question_texts(HELDOUT2_QUESTIONS),
    }


def _ms(fn, text: str) -> float:
    started = time.perf_counter()
    fn([text])
    return (time.perf_counter() - started) * 1000


def paired_encode(base, other, questions: list[str]) -> dict:
    """Each question on fp32 and on `other` in turn, REPEATS times (the order alternating):
    per question the median of each side, then the median over questions."""
    for q in questions[-5:]:  # warm-up
        base.encode_queries([q]), other.encode_queries([q])
    ours, theirs = [], []
    for n, q in enumerate(questions):
        a, b = [], []
        for r in range(REPEATS):
            if (n + r) % 2:
                b.append(_ms(other.encode_queries, q))
                a.append(_ms(base.encode_queries, q))
            else:
                a.append(_ms(base.encode_queries, q))
                b.append(_ms(other.encode_queries, q))
        ours.append(statistics.median(a))
        theirs.append(statistics.median(b))
    fp32, p50 = statistics.median(ours), statistics.median(theirs)
    return {"n": len(questions), "fp32_p50": round(fp32, 2), "p50": round(p50, 2),
            "ratio": round(p50 / fp32, 3)}  # fmt: skip


def cosines(reference: dict[str, np.ndarray], embedder, sets: dict[str, list[str]]) -> dict:
    out = {}
    for name, items in sets.items():
        vectors = (
            embedder.encode_passages(items)
            if name == "passages"
            else embedder.encode_queries(items)
        )
        cos = (vectors * reference[name]).sum(axis=1)
        out[name] = {"min": round(float(cos.min()), 4), "mean": round(float(cos.mean()), 4)}
    return out


def model_file_mib(settings, precision: str) -> float:
    from index.model.folder import resolve_model
    from index.model.provision import onnx_files
    from index.model.quantize import quantized_model

    source = onnx_files(Path(resolve_model(settings.model, settings.models_dir)), settings.vocab)[0]
    path = quantized_model(source, precision)  # the file served (fp32: its table packed)
    files = [path, path.with_name(path.name + "_data")]
    return round(sum(f.stat().st_size for f in files if f.is_file()) / 2**20, 1)


def child_peak_mib(settings, precision: str, questions: list[str]) -> float | None:
    """The model process's peak RSS after `questions`, one at a time and eight at once."""
    from eval.bench.machine import rss_peak_mib
    from index.embed.factory import create_embedder

    child = create_embedder(settings.model_copy(update={"precision": precision}), own_process=True)
    try:
        for q in questions:
            child.encode_queries([q])
        child.encode_queries(questions[:8])
        return rss_peak_mib(child.pid)
    finally:
        child.close()


def bench_precisions(precisions: list[str], out: Path = REPORTS / "bench-precision.json") -> dict:
    from service.model_files import prepare_precisions
    from service.settings import Settings
    from service.state import load_embedder

    settings = Settings().model_copy(update={"precision": "fp32", "passage_precision": "fp32"})
    sets = texts()
    base = load_embedder(settings)
    reference = {
        "passages": base.encode_passages(sets["passages"]),
        "tuning": base.encode_queries(sets["tuning"]),
        "held-out": base.encode_queries(sets["held-out"]),
    }
    timed = sets["tuning"][:ENCODE_N]
    report: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    rows = {}
    for precision in precisions:
        ready = settings.model_copy(update={"precision": precision})
        prepare_precisions(ready)
        embedder = base if precision == "fp32" else load_embedder(ready)
        rows[precision] = {
            "encode": paired_encode(base, embedder, timed),
            "cosine": cosines(reference, embedder, sets),
            "file_mib": model_file_mib(settings, precision),
            "model_process_peak_mib": child_peak_mib(settings, precision, sets["tuning"][:200]),
            "fingerprint": embedder.fingerprint,
        }
    report["precisions"] = rows
    report["load_avg_at_end"] = round(__import__("os").getloadavg()[0], 2)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def render(report: dict, console) -> None:
    from rich.table import Table

    m = report["machine"]
    t = Table(
        "precision",
        "encode p50",
        "fp32 p50",
        "ratio",
        "cos passages min/mean",
        "cos tuning min/mean",
        "cos held-out min/mean",
        "file",
        "model process peak",
        title=f"precisions — {m['cpu']}, {m['cores']} cores, load {m['load_avg_at_start']:.1f} "
        f"→ {report['load_avg_at_end']:.1f}; medians, paired question by question",
        title_justify="left",
    )
    for name, r in report["precisions"].items():
        e, c = r["encode"], r["cosine"]
        t.add_row(
            name,
            f"{e['p50']} ms",
            f"{e['fp32_p50']} ms",
            f"{e['ratio']}×",
            *(f"{c[k]['min']} / {c[k]['mean']}" for k in ("passages", "tuning", "held-out")),
            f"{r['file_mib']} MiB",
            f"{r['model_process_peak_mib']} MiB",
        )
    console.print(t)
