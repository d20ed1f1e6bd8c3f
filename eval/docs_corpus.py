"""The plan with the sample documents (corpus/samples): a corpus and an index of their own for
the document sets of the eval, built when missing or when a document changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from corpus.load import DEFAULT_CORPUS_DIR, SAMPLES_DIR, corpus_files
from index.store import InvalidIndex, check_manifest, read_manifest

DOCS_DIR = Path("var/eval-docs")


def docs_corpus(folder: Path = DOCS_DIR / "corpus") -> Path:
    """A corpus folder holding the plan and every sample document (copies, rewritten only
    when they differ, so the corpus hash changes only when a document does)."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {p.name: p for d in (DEFAULT_CORPUS_DIR, SAMPLES_DIR) for p in corpus_files(d)}
    sidecars = {p.name: p for p in SAMPLES_DIR.glob("*.toml")}
    for stale in folder.iterdir():
        if stale.name not in wanted and stale.name not in sidecars:
            stale.unlink()
    for name, source in {**wanted, **sidecars}.items():
        target = folder / name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copyfile(source, target)
    return folder


def docs_settings(settings, root: Path = DOCS_DIR):
    """The settings with the plan-and-samples corpus and its index (built here if needed)."""
    corpus = docs_corpus(root / "corpus")
    ready = settings.model_copy(update={"corpus_dir": corpus, "index_dir": root / "index"})
    try:  # the same check a command makes before it loads an index
        check_manifest(
            read_manifest(ready.index_dir),
            model=settings.model,
            dim=None,
            corpus_dir=corpus,
            precision=settings.precisions,
            query_model=query_model(settings),
        )
    except InvalidIndex:  # none yet, or built from other documents, model, format or analysis
        build(ready)
    return ready


def query_model(settings) -> str | None:
    """The fingerprint of the question model the settings name (None: not made yet, or not
    an onnx model: the load checks it then)."""
    from index.model.folder import ModelNotFound, resolve_model
    from index.model.provision import onnx_files
    from index.model.quantize import model_fingerprint

    if settings.backend != "onnx":
        return None
    try:
        location = Path(resolve_model(settings.model, settings.models_dir))
        return model_fingerprint(onnx_files(location, settings.vocab)[0], settings.precision)
    except ModelNotFound:
        return None


def build(settings) -> Path:
    from index.store import build_index
    from service.model_files import build_embedders, prepare_precisions
    from service.qa.calibrate import finalizer

    prepare_precisions(settings)
    embedder, queries = build_embedders(settings)
    try:
        return build_index(
            settings.corpus_dir,
            embedder,
            settings.index_dir,
            hnsw_threshold=settings.hnsw_threshold,
            dense_index=settings.dense_index,
            finalize=finalizer(queries),
            queries=queries,
        )
    finally:
        for used in {id(e): e for e in (embedder, queries)}.values():
            used.close()
