"""Loading the model and index into an engine (checked first), and swapping in a rebuilt index."""

from __future__ import annotations

import gc
import threading

from corpus.load import CorpusError
from index.embed.base import Embedder
from index.embed.factory import create_embedder
from index.model.folder import ModelNotFound
from index.search import Searcher
from index.store import InvalidIndex, check_manifest, load_index, read_manifest
from service.qa.engine import Engine
from service.settings import Settings


class LoadError(RuntimeError):
    """The model, the index or the corpus cannot be loaded; the message names the fix."""


def load_embedder(settings: Settings, serving: bool = False) -> Embedder:
    """In this process, or (`serving` with IPQA_MODEL_PROCESS) in a child process of its own."""
    return create_embedder(settings, own_process=serving and settings.model_process)


def load_engine(settings: Settings, embedder: Embedder, cache=None, curated=None) -> Engine:
    """An engine over the index the settings name; `cache` replaces the answer LRU (the eval
    passes one that keeps nothing)."""
    index = load_index(
        settings.index_dir,
        model=embedder.model_id,
        dim=embedder.dim,
        corpus_dir=settings.corpus_dir,
    )
    engine = Engine(
        Searcher(index, embedder), cache_size=settings.cache_size, cache=cache, curated=curated
    )
    engine.warm_up()
    # The dictionaries loaded by now (jieba's, OpenCC's, pypinyin's, the index) are millions of
    # objects that live as long as the process: out of the collector's sight, a full
    # collection no longer stalls a request for 100+ ms.
    gc.collect()
    gc.freeze()
    return engine


def open_engine(settings: Settings, *, serving: bool = False, cache=None) -> Engine:
    """What a command loads before it starts: the manifest is checked first (no index, or one
    for another model or corpus, fails in a second, before the model loads), then the model
    and the index. Every expected failure is one LoadError."""
    embedder = None
    try:
        check_manifest(
            read_manifest(settings.index_dir),
            model=settings.model,
            dim=None,
            corpus_dir=settings.corpus_dir,
        )
        embedder = load_embedder(settings, serving)
        return load_engine(settings, embedder, cache)
    except BaseException as exc:
        if embedder is not None:
            embedder.close()  # a model process started for nothing ends here
        if isinstance(exc, InvalidIndex | CorpusError | ModelNotFound):  # CorpusError: folder gone
            raise LoadError(str(exc)) from exc
        raise


class Runtime:
    """What the app serves from; `engine` is replaced whole on reload, never mutated."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder
        self.engine: Engine | None = None
        self.curated = None  # the office loop's curated-answer matcher, kept across reloads
        self._reload_lock = threading.Lock()

    def load(self) -> None:
        if self.embedder is None:
            self.embedder = load_embedder(self.settings, serving=True)
        self.engine = load_engine(self.settings, self.embedder, curated=self.curated)

    def close(self) -> None:
        """Stop the model process, if the model runs in one."""
        if self.embedder is not None:
            self.embedder.close()

    def reload(self) -> Engine:
        """Load the index the link points at now; requests in flight keep the old engine."""
        with self._reload_lock:
            engine = load_engine(self.settings, self.embedder, curated=self.curated)
            self.engine = engine  # a single reference assignment: atomic for readers
            return engine
