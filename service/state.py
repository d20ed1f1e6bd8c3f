"""Loading the model and index into the app, and swapping in a rebuilt index."""

from __future__ import annotations

import threading

from index.embedder import Embedder
from index.embedder import load_embedder as _load_embedder
from index.search import Searcher
from index.store import load_index
from service.qa.engine import Engine
from service.settings import Settings


def load_embedder(settings: Settings, serving: bool = False) -> Embedder:
    """In this process, or (`serving` with IPQA_MODEL_PROCESS) in a child process of its own."""
    if serving and settings.model_process:
        from index.model_process import ModelProcess

        return ModelProcess(
            settings.model,
            settings.models_dir,
            settings.threads,
            backend=settings.backend,
            batch=settings.batch,
            vocab=settings.vocab,
        )
    return _load_embedder(
        settings.model,
        settings.models_dir,
        settings.threads,
        backend=settings.backend,
        batch=settings.batch,
        vocab=settings.vocab,
    )


def load_engine(settings: Settings, embedder: Embedder) -> Engine:
    index = load_index(
        settings.index_dir,
        model=embedder.model_id,
        dim=embedder.dim,
        corpus_dir=settings.corpus_dir,
    )
    engine = Engine(Searcher(index, embedder), cache_size=settings.cache_size)
    engine.warm_up()
    return engine


class Runtime:
    """What the app serves from; `engine` is replaced whole on reload, never mutated."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder
        self.engine: Engine | None = None
        self._reload_lock = threading.Lock()

    def load(self) -> None:
        if self.embedder is None:
            self.embedder = load_embedder(self.settings, serving=True)
        self.engine = load_engine(self.settings, self.embedder)

    def close(self) -> None:
        """Stop the model process, if the model runs in one."""
        close = getattr(self.embedder, "close", None)
        if close is not None:
            close()

    def reload(self) -> Engine:
        """Load the index the link points at now; requests in flight keep the old engine."""
        with self._reload_lock:
            engine = load_engine(self.settings, self.embedder)
            self.engine = engine  # a single reference assignment: atomic for readers
            return engine
