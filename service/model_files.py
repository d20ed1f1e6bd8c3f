"""The model files the settings' precisions need, made by `ipqa setup` and `ipqa build` (before
anything loads them), and the embedders a build uses: passages at one precision, questions
at another when the settings pair them."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from index.embed.base import Embedder
from index.model.quantize import FP32, RECIPES
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
# The tuning sets shipped beside the code: never the held-out ones (heldout*.jsonl).
TUNING_SETS = (ROOT / "eval" / "questions.jsonl", ROOT / "eval" / "docs_tuning.jsonl")


def calibration_texts() -> list[tuple[str, str]]:
    """What a calibrated precision (int8-static) is calibrated on: every passage of the shipped
    documents (the plan and the samples), as `ipqa build` embeds them, and every tuning
    question, as (kind, text). Fixed by the code, not by IPQA_CORPUS_DIR: the eval's
    plan-and-samples index and the plan's own index share one model file."""
    from corpus.load import DEFAULT_CORPUS_DIR, SAMPLES_DIR, load_corpus
    from corpus.normalize import normalize_text

    texts: dict[tuple[str, str], None] = {}
    for folder in (DEFAULT_CORPUS_DIR, SAMPLES_DIR):
        if folder.is_dir():
            for p in load_corpus(folder).passages:
                texts[("passage", normalize_text(p.search_text))] = None
    for path in TUNING_SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts[("query", normalize_text(json.loads(line)["question"]))] = None
    return list(texts)


def prepare_precisions(
    settings: Settings,
    status=lambda _: nullcontext(),
    calibrate: bool = False,
) -> list[Path]:
    """The model file of each precision the settings use (passages', questions'), made if
    missing or stale. `calibrate` (`ipqa setup`): a calibrated precision is calibrated again
    when its calibration texts changed; without it, only when missing."""
    from index.embed.onnx_runtime import prepare_precision
    from index.model.folder import ModelNotFound, resolve_model
    from index.model.provision import onnx_files
    from index.model.quantize import quantized_model, read_fingerprint

    made = []
    for precision in dict.fromkeys(settings.precisions):
        if settings.backend != "onnx":
            if precision == FP32:
                continue
            raise ModelNotFound(f"precision {precision} needs IPQA_BACKEND=onnx")
        location = Path(resolve_model(settings.model, settings.models_dir))
        source = onnx_files(location, settings.vocab)[0]
        if precision == FP32:  # its embedding table packed (table_pack.py), once: ~4 s
            made.append(quantized_model(source, FP32))
            continue
        ready = read_fingerprint(source, precision) is not None
        static = RECIPES[precision].static
        if ready and not (static and calibrate):
            made.append(quantized_model(source, precision))
            continue
        label: AbstractContextManager = status(f"Making the {precision} model (once)…")
        with label:
            made.append(
                prepare_precision(
                    settings.model,
                    settings.models_dir,
                    precision,
                    settings.vocab,
                    calibration_texts() if static else None,
                )
            )
    return made


def build_embedders(settings: Settings) -> tuple[Embedder, Embedder]:
    """(passages, questions) for `ipqa build`: one embedder when the precisions agree."""
    from service.state import load_embedder

    queries = load_embedder(settings)
    if settings.precisions[0] == settings.precision:
        return queries, queries
    try:
        return load_embedder(settings, passages=True), queries
    except BaseException:
        queries.close()
        raise
