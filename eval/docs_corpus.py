"""The plan with sample documents (corpus/samples…): a corpus and an index of their own for
each document set of the eval (eval.sets.DOCUMENT_SETS), built when missing or when a document
changed."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from corpus.load import corpus_files
from eval.sets import DOCUMENT_SETS, sample_folders
from index.store import InvalidIndex, check_manifest, read_manifest

DOCS_DIR = DOCUMENT_SETS["samples"].folder
DOCUMENTS = sample_folders()  # the documents themselves: the corpus hash covers them
SOURCES = DOCUMENT_SETS["samples"].sources
# Each corpus the document sets are asked over: its folder (corpus and index) and its sources.
CORPORA = {name: (d.folder, d.sources) for name, d in DOCUMENT_SETS.items()}


def docs_corpus(folder: Path = DOCS_DIR / "corpus", sources: tuple[Path, ...] = SOURCES) -> Path:
    """A corpus folder holding the plan and every sample document of `sources` (copies,
    rewritten only when they differ, so the corpus hash changes only when a document does)."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {p.name: p for d in sources for p in corpus_files(d)}
    sidecars = {p.name: p for d in sources[1:] for p in d.glob("*.toml")}
    for stale in folder.iterdir():
        if stale.name not in wanted and stale.name not in sidecars:
            stale.unlink()
    for name, source in {**wanted, **sidecars}.items():
        target = folder / name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copyfile(source, target)
    return folder


def docs_settings(settings, root: Path = DOCS_DIR, sources: tuple[Path, ...] = SOURCES):
    """The settings with the plan-and-samples corpus and its index (built here if needed)."""
    corpus = docs_corpus(root / "corpus", sources)
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
        stamp = root / "reader.sha256"
        if not stamp.exists() or stamp.read_text() != reader_fingerprint():
            raise InvalidIndex("the document reader's code changed since the index was built")
    except InvalidIndex:  # none yet, or built from other documents, model, format or analysis
        build(ready)
        (root / "reader.sha256").write_text(reader_fingerprint())
    return ready


def reader_fingerprint() -> str:
    """A hash of the code and data that read documents into passages (the corpus package):
    an index served in production is rebuilt by `ipqa build`, but this cached one would
    otherwise outlive a change to the parser."""
    import corpus

    digest = hashlib.sha256()
    package = Path(corpus.__file__).parent
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if path.suffix in {".py", ".toml", ".txt"} and relative.parts[0] not in DOCUMENTS:
            digest.update(relative.as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


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
