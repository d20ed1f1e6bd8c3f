"""Loading the model and index into an engine (checked first), and swapping in a rebuilt index."""

from __future__ import annotations

import gc
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from corpus.load import CorpusError
from index.embed.base import Embedder
from index.embed.factory import create_embedder
from index.model.folder import ModelNotFound
from index.search import Searcher
from index.store import InvalidIndex, check_manifest, linked_build_id, load_index, read_manifest
from service.qa.engine import Engine
from service.settings import Settings
from service.shared.answer_cache import SharedAnswerCache
from service.shared.index_watch import IndexWatcher
from service.shared.redis_link import RedisLink

log = logging.getLogger("ipqa")


class LoadError(RuntimeError):
    """The model, the index or the corpus cannot be loaded; the message names the fix."""


def load_embedder(settings: Settings, serving: bool = False, passages: bool = False) -> Embedder:
    """In this process, or (`serving` with IPQA_MODEL_PROCESS) in a child process of its own,
    returned while it loads (`load_engine` loads the index meanwhile); at the questions'
    precision, or (`passages`) at the one `ipqa build` embeds passages at."""
    if passages and settings.precisions[0] != settings.precision:
        settings = settings.model_copy(update={"precision": settings.precisions[0]})
    own = serving and settings.model_process
    return create_embedder(settings, own_process=own, wait=not own)


def load_engine(
    settings: Settings, embedder: Embedder, cache=None, curated=None, cache_for=None
) -> Engine:
    """An engine over the index the settings name; `cache` replaces the answer LRU (the eval
    passes one that keeps nothing), or `cache_for(manifest)` makes one for this build."""
    # A model process still loading (the server's first start) goes on loading on the other
    # core while the index and the engine load here; what it reports is checked against the
    # index once both are there, before the first question (the warm-up) is asked.
    loading = embedder.loading
    index = load_index(
        settings.index_dir,
        model=settings.model if loading else embedder.model_id,
        dim=None if loading else embedder.dim,
        corpus_dir=settings.corpus_dir,
        # questions at the loaded model's precision, passages at the one the settings name
        precision=(
            settings.passage_precision,
            settings.precision if loading else embedder.precision,
        ),
        query_model=None if loading else embedder.fingerprint,
    )
    if cache is None and cache_for is not None:
        cache = cache_for(index.manifest)
    engine = Engine(
        Searcher(index, embedder),
        cache_size=settings.cache_size,
        cache=cache,
        curated=curated,
        today=settings.today,
    )
    if loading:
        check_manifest(
            index.manifest,
            model=embedder.model_id,  # waits for the model process
            dim=embedder.dim,
            corpus_dir=None,  # checked above
            precision=(settings.passage_precision, embedder.precision),
            query_model=embedder.fingerprint,
        )
    engine.warm_up()
    # The dictionaries loaded by now (jieba's, OpenCC's, pypinyin's, the index) are millions of
    # objects that live as long as the process: out of the collector's sight, a full
    # collection no longer stalls a request for 100+ ms.
    gc.collect()
    gc.freeze()
    return engine


@contextmanager
def _no_collections():
    """No automatic garbage collection while a process loads what it will keep: the loading
    allocates millions of objects that nearly all live, and the collector walked them in five
    full collections (and ~480 younger ones): 0.30 s of the server's start-up CPU, 0.15 s
    without. The one collection `load_engine` makes at its end still runs (it then finds a
    few hundred objects; the peak memory is the same)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
            precision=settings.precisions,
        )
        embedder = load_embedder(settings, serving)
        with _no_collections():
            return load_engine(settings, embedder, cache)
    except BaseException as exc:
        if embedder is not None:
            embedder.close()  # a model process started for nothing ends here
        if isinstance(exc, InvalidIndex | CorpusError | ModelNotFound):  # CorpusError: folder gone
            raise LoadError(str(exc)) from exc
        raise


class Runtime:
    """What the app serves from; `engine` is replaced whole on reload, never mutated. With
    IPQA_REDIS_URL, answers are cached in Redis for every replica; each replica watches the
    index link and loads a new build itself (`IndexWatcher`)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder
        self.engine: Engine | None = None
        self.curated = None  # the office loop's curated-answer matcher, kept across reloads
        self.redis = RedisLink(settings.redis_url) if settings.redis_url else None
        self.reload_error: dict | None = None  # the build the link names that failed to load
        self._reload_lock = threading.Lock()
        # Answers are worked out on these threads (from start to close), one per request
        # admitted at once: a plain executor hop costs the event loop less than AnyIO's.
        self.threads: ThreadPoolExecutor | None = None
        self._watcher = IndexWatcher(
            settings.index_watch, self.linked_build, self.build_id, self._failed_build, self.reload
        )

    def load(self) -> None:
        if self.embedder is None:
            self.embedder = load_embedder(self.settings, serving=True)
        with _no_collections():
            self.engine = self._load()

    def start(self) -> None:
        """Load (unless `ipqa serve` did) with the shared cache: the lifespan's first step."""
        if self.redis is not None:
            self.redis.start()
        self.threads = ThreadPoolExecutor(
            max_workers=self.settings.max_concurrency, thread_name_prefix="ipqa-answer"
        )
        if self.engine is None:
            self.load()
        else:
            self.engine.cache = self._cache(self.engine.searcher.manifest, self.engine.cache)

    def watch(self) -> None:
        """Load each new build the index link names (once the office has hooked in)."""
        self._watcher.start()

    def close(self) -> None:
        """Stop watching, close Redis, stop the model process if the model runs in one."""
        self._watcher.stop()
        if self.threads is not None:
            self.threads.shutdown(wait=False, cancel_futures=True)
        if self.redis is not None:
            self.redis.close()
        if self.embedder is not None:
            self.embedder.close()

    def _cache(self, manifest: dict, cache=None):
        if self.redis is None or self.settings.cache_ttl <= 0:
            return cache
        return SharedAnswerCache(
            self.redis, manifest["build_id"], self.settings.cache_ttl, self.settings.cache_size
        )

    def _load(self) -> Engine:
        return load_engine(
            self.settings, self.embedder, curated=self.curated, cache_for=self._cache
        )

    def build_id(self) -> str | None:
        return self.engine.searcher.manifest["build_id"] if self.engine is not None else None

    def linked_build(self) -> str:
        """The build the index link names now (an unreadable one by its folder's name)."""
        try:
            return linked_build_id(self.settings.index_dir)
        except InvalidIndex:
            return Path(self.settings.index_dir).resolve().name

    def _failed_build(self) -> str | None:
        return self.reload_error["build_id"] if self.reload_error else None

    def reload(self) -> Engine:
        """Load the build the link names now, unless it is the one serving; requests in
        flight keep the old engine. A build that fails keeps the old one serving and is
        named in /healthz until a later build loads."""
        with self._reload_lock:
            target = self.linked_build()
            if self.engine is not None and target == self.build_id():
                return self.engine
            try:
                engine = self._load()
            except Exception as exc:
                self.reload_error = {
                    "build_id": target,
                    "error": str(exc)[:500],
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
                log.error(
                    "ipqa: build %s not loaded, still serving %s: %s", target, self.build_id(), exc
                )
                raise
            self.engine = engine  # a single reference assignment: atomic for readers
            self.reload_error = None
            log.info("ipqa: serving build %s", self.build_id())
            return engine

    def warnings(self) -> list[str]:
        """What /healthz reports as degraded: Redis down, a build that would not load."""
        out = []
        if self.redis is not None and (redis := self.redis.warning()):
            out.append(redis)
        if self.reload_error is not None:
            out.append(
                f"build {self.reload_error['build_id']} could not be loaded "
                f"({self.reload_error['error']}); still serving build {self.build_id()}"
            )
        return out
