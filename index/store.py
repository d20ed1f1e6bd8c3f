"""The index folder: build it atomically, load it, refuse one that does not match."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from corpus.load import Corpus, corpus_sha256, load_corpus
from corpus.normalize import normalize_text
from corpus.records import Indicator, Passage
from corpus.tokens import analysis_fingerprint
from index.dense.base import VectorStore
from index.dense.factory import AUTO, backend, choose
from index.embed.base import Embedder
from index.lexical import LexicalIndex
from index.model.quantize import FP32

# 2: passages carry their document's title (doc_title); 3: indicator rows their table's caption;
# 4: indicator rows carry their value columns as the table's header names them (role, year)
# 5: a later chunk of an FAQ pair carries its question (Passage.lead), embedded and indexed
FORMAT_VERSION = 5
BUILD_FIX = "run `ipqa build` to rebuild it"
Progress = Callable[[int, int], None]
Finalize = Callable[[Path], dict]


class InvalidIndex(RuntimeError):
    """The index folder is missing, corrupt or does not match the settings."""


def package_version() -> str:
    try:
        return version("ipqa")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass
class LoadedIndex:
    manifest: dict
    passages: list[Passage]
    indicators: list[Indicator]
    dense: VectorStore
    lexical: LexicalIndex
    folder: Path | None = None  # the build's own folder (its other files: the service's)


def _encode_in_batches(
    embedder: Embedder, texts: list[str], progress: Progress | None, batch: int = 32
) -> np.ndarray:
    parts = []
    for start in range(0, len(texts), batch):
        parts.append(embedder.encode_passages(texts[start : start + batch]))
        if progress:
            progress(min(start + batch, len(texts)), len(texts))
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)


def write_index(
    corpus: Corpus,
    embedder: Embedder,
    index_dir: Path,
    *,
    hnsw_threshold: int,
    dense_index: str = AUTO,
    progress: Progress | None = None,
    finalize: Finalize | None = None,
    queries: Embedder | None = None,
) -> Path:
    """Build into a fresh folder beside index_dir, then swap a symlink: readers never see a
    half-written index, and a failure leaves the previous one in place. `finalize(folder)`
    runs on the complete folder before the swap; what it returns joins the manifest (the
    service stores its calibrated thresholds this way). `embedder` embeds the passages;
    `queries` (default: the same) is the one questions will be embedded with, whose
    precision the manifest records beside the passages'."""
    index_dir = Path(index_dir)
    builds = index_dir.parent / f"{index_dir.name}.builds"
    builds.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = builds / f"{stamp}-{os.getpid()}"
    tmp = builds / f".tmp-{target.name}"
    try:
        tmp.mkdir()
        texts = [normalize_text(p.search_text) for p in corpus.passages]
        started = time.perf_counter()
        vectors = _encode_in_batches(embedder, texts, progress)
        dense = choose(dense_index, len(vectors), hnsw_threshold).build(vectors)
        dense.save(tmp)
        LexicalIndex.build(texts).save(tmp / "bm25")
        with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
            for p in corpus.passages:
                fh.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
        (tmp / "indicators.json").write_text(
            json.dumps([i.to_dict() for i in corpus.indicators], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": embedder.model_id,
            "dim": embedder.dim,
            "corpus_sha256": corpus.sha256,
            "corpus_files": corpus.files,
            "analysis": analysis_fingerprint(),
            "passages": len(corpus.passages),
            "indicators": len(corpus.indicators),
            "dense_index": dense.name,  # loading rebuilds this same backend
            "precision": precision_record(embedder, queries or embedder),
            # The folder's name: every replica serving this build reports the same id, and the
            # shared answer cache is keyed by it.
            "build_id": target.name,
            "build_time": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 3),
            "package_version": package_version(),
        }
        # The manifest is written last: a folder without one is never a complete index.
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if finalize is not None:
            manifest.update(finalize(tmp))
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        tmp.rename(target)
        _swap_link(index_dir, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
        raise
    _prune(builds, keep={target.name})
    return target


def _swap_link(index_dir: Path, target: Path) -> None:
    if index_dir.exists() and not index_dir.is_symlink():
        raise InvalidIndex(f"{index_dir} is a real folder, not an index link; move it away first")
    link_tmp = index_dir.parent / f".{index_dir.name}.link-{os.getpid()}"
    if link_tmp.is_symlink():
        link_tmp.unlink()
    link_tmp.symlink_to(os.path.relpath(target, index_dir.parent))
    os.replace(link_tmp, index_dir)  # atomic on POSIX


def _prune(builds: Path, keep: set[str], retain: int = 2) -> None:
    """Keep the newest builds (a running server may still be reading the previous one)."""
    done = sorted((p for p in builds.iterdir() if not p.name.startswith(".")), reverse=True)
    for old in done[retain:]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def read_manifest(index_dir: Path) -> dict:
    path = Path(index_dir) / "manifest.json"
    if not path.is_file():
        raise InvalidIndex(f"no index at {index_dir}: {BUILD_FIX.replace('rebuild', 'build')}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidIndex(f"index manifest at {path} is unreadable ({exc}): {BUILD_FIX}") from exc


def linked_build_id(index_dir: Path) -> str:
    """The id of the build the index link points at now (what `load_index` would report)."""
    index_dir = Path(index_dir).resolve()
    return read_manifest(index_dir).get("build_id") or index_dir.name


def precision_record(passages: Embedder, queries: Embedder) -> dict:
    """What the manifest records of the weights: the passages' precision and the questions'
    (by default fp32 passages, embedded once at build, for int4 questions), and the
    fingerprint of the model file questions must be embedded with."""
    return {
        "passages": passages.precision,
        "queries": queries.precision,
        "query_model": queries.fingerprint,
    }


def recorded_precision(manifest: dict) -> dict:
    """The manifest's precision record; an index from before precisions is fp32 throughout."""
    return manifest.get("precision") or {"passages": FP32, "queries": FP32, "query_model": FP32}


def _pair(passages: str, queries: str) -> str:
    if passages == queries:
        return f"{queries} (passages and questions)"
    return f"{passages} passages with {queries} questions"


def check_precision(manifest: dict, precision: tuple[str, str], query_model: str | None) -> None:
    """Refuse vectors made at another precision than the settings' (passages, queries) pair,
    or (with `query_model`) by another copy of the question model than the one loaded."""
    recorded = recorded_precision(manifest)
    built = (recorded.get("passages"), recorded.get("queries"))
    if built != tuple(precision):
        raise InvalidIndex(
            f"index vectors are {_pair(*built)} but the settings ask for {_pair(*precision)} "
            f"(IPQA_PRECISION, IPQA_PASSAGE_PRECISION): {BUILD_FIX}, or set the "
            f"precision the index was built with"
        )
    if query_model is not None and recorded.get("query_model") != query_model:
        raise InvalidIndex(
            f"index was built for the question model {recorded.get('query_model')!r} but "
            f"the model loaded is {query_model!r} (its quantized copy was made again): "
            f"{BUILD_FIX}"
        )


def check_manifest(
    manifest: dict,
    *,
    model: str,
    dim: int | None,
    corpus_dir: Path | None,
    precision: tuple[str, str] | None = None,
    query_model: str | None = None,
) -> None:
    """Refuse an index built for another model, dimension, format, corpus or precision
    (`precision`: the (passages, queries) pair asked for; None: not checked)."""
    if manifest.get("format_version") != FORMAT_VERSION:
        raise InvalidIndex(
            f"index format {manifest.get('format_version')} is not {FORMAT_VERSION}: {BUILD_FIX}"
        )
    if manifest.get("model") != model:
        raise InvalidIndex(
            f"index was built with model {manifest.get('model')!r} but the "
            f"settings name {model!r}: {BUILD_FIX}"
        )
    if dim is not None and manifest.get("dim") != dim:
        raise InvalidIndex(
            f"index dimension {manifest.get('dim')} != model dimension {dim}: {BUILD_FIX}"
        )
    if manifest.get("analysis") != analysis_fingerprint():
        raise InvalidIndex(
            "index was built with another text analysis (user dictionary or "
            f"stopwords changed): {BUILD_FIX}"
        )
    if manifest.get("corpus_source") == "office":
        corpus_dir = None  # the build carries the documents staff published (its corpus/)
    if corpus_dir is not None and manifest.get("corpus_sha256") != corpus_sha256(corpus_dir):
        raise InvalidIndex(
            f"the corpus in {corpus_dir} changed since the index was built: {BUILD_FIX}"
        )
    if precision is not None:
        check_precision(manifest, precision, query_model)


def load_index(
    index_dir: Path,
    *,
    model: str,
    dim: int | None = None,
    corpus_dir: Path | None = None,
    precision: tuple[str, str] | None = None,
    query_model: str | None = None,
) -> LoadedIndex:
    index_dir = Path(index_dir).resolve()  # pin one build even if the link moves meanwhile
    manifest = read_manifest(index_dir)
    manifest.setdefault("build_id", index_dir.name)  # a build from before ids were recorded
    check_manifest(
        manifest,
        model=model,
        dim=dim,
        corpus_dir=corpus_dir,
        precision=precision,
        query_model=query_model,
    )
    try:
        store = backend(manifest.get("dense_index"))
    except ValueError as exc:
        raise InvalidIndex(f"index at {index_dir} has an {exc}: {BUILD_FIX}") from exc
    try:
        with (index_dir / "passages.jsonl").open(encoding="utf-8") as fh:
            passages = [Passage(**json.loads(line)) for line in fh if line.strip()]
        indicators = [
            Indicator(**row)
            for row in json.loads((index_dir / "indicators.json").read_text(encoding="utf-8"))
        ]
        dense = store.load(index_dir)
        lexical = LexicalIndex.load(index_dir / "bm25")
    except Exception as exc:  # any unreadable part means the folder is corrupt
        raise InvalidIndex(
            f"index at {index_dir} is corrupt ({type(exc).__name__}: {exc}): {BUILD_FIX}"
        ) from exc
    if dense.size != len(passages) or len(passages) != manifest.get("passages"):
        raise InvalidIndex(
            f"index at {index_dir} is inconsistent ({dense.size} vectors, "
            f"{len(passages)} passages): {BUILD_FIX}"
        )
    return LoadedIndex(manifest, passages, indicators, dense, lexical, index_dir)


def build_index(
    corpus_dir: Path,
    embedder: Embedder,
    index_dir: Path,
    *,
    hnsw_threshold: int,
    dense_index: str = AUTO,
    progress: Progress | None = None,
    finalize: Finalize | None = None,
    queries: Embedder | None = None,
) -> Path:
    return write_index(
        load_corpus(corpus_dir),
        embedder,
        index_dir,
        hnsw_threshold=hnsw_threshold,
        dense_index=dense_index,
        progress=progress,
        finalize=finalize,
        queries=queries,
    )
