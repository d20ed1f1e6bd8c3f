"""A build of the published documents, in the background: the versions the database says are
published are written into a folder, indexed with index/store.py's write_index (a new build
beside the old one, then the link swap: the old build answers until the new one is ready),
calibrated as `ipqa build` does, and the folder kept inside the build as `corpus/`, so a build
carries the documents it was made from. Every replica watching the link loads it
(service/shared/index_watch.py); the one that built it loads it at once."""

from __future__ import annotations

import fcntl
import json
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from corpus.load import CorpusError, load_corpus
from index.store import read_manifest, write_index
from service.office.documents import catalog, jobs
from service.settings import Settings

log = logging.getLogger("ipqa.office")
CORPUS = "corpus"  # the folder inside a build with the documents it was made from
SOURCE = "office"  # the manifest's corpus_source for such a build (index/store.py)
# (passages embedder, questions embedder, what to call when done with them)
Embedders = Callable[[], tuple[object, object, Callable[[], None]]]


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One documents build at a time on this machine (replicas share its index folder)."""
    builds = index_dir.parent / f"{index_dir.name}.builds"
    builds.mkdir(parents=True, exist_ok=True)
    with (builds / ".documents.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_corpus(rows, folder: Path) -> None:
    """Each published version as `<id>.txt` (or .md) in UTF-8, its title in `<id>.toml`."""
    folder.mkdir(parents=True, exist_ok=True)
    for r in rows:
        suffix = ".md" if r.format == "md" else ".txt"
        (folder / f"{r.doc_id}{suffix}").write_text(r.text, encoding="utf-8")
        title = json.dumps(r.title, ensure_ascii=False)  # a JSON string is a TOML basic string
        (folder / f"{r.doc_id}.toml").write_text(f"title = {title}\n", encoding="utf-8")


def served_corpus(index_dir: Path) -> Path | None:
    """The documents folder of the serving build, when the office made it."""
    try:
        manifest = read_manifest(Path(index_dir).resolve())
    except Exception:  # noqa: BLE001 - no index yet, or an unreadable one: none
        return None
    folder = Path(index_dir).resolve() / CORPUS
    return folder if manifest.get("corpus_source") == SOURCE and folder.is_dir() else None


def failure_text(exc: BaseException) -> str:
    if isinstance(exc, CorpusError) and "no .txt or .md" in str(exc):
        return "没有可以收录的文件：至少要有一份文件在使用中。"
    return f"{type(exc).__name__}: {exc}"[:2000]


class DocumentBuilder:
    """Builds what is queued, one build at a time, on a thread of its own (`kick`), or in the
    caller's thread (`run`, for `ipqa documents`)."""

    def __init__(
        self,
        settings: Settings,
        database: Callable[[], Engine],
        embedders: Embedders,
        loaded: Callable[[], object] | None = None,
        calibrate: bool = True,
    ):
        self.settings, self.database, self.embedders = settings, database, embedders
        self.loaded = loaded  # this process's reload, run once its build is linked
        self.calibrate = calibrate
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def kick(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self.work, name="ipqa-documents-build", daemon=True
                )
                self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def work(self) -> None:
        """Every queued build, until none waits (or another process is building one)."""
        worker = jobs.worker_name()
        try:
            while (job := jobs.claim(self.database(), worker)) is not None:
                self.run(job)
        except Exception as exc:  # noqa: BLE001 - a thread that dies says why in the log
            log.error("documents build worker stopped: %s", exc)

    def run(self, job_id: int, on_progress: Callable[[str, int, int], None] | None = None):
        """Build for the claimed job; the new build's id, or None when it failed."""
        db = self.database()
        progress = jobs.Progress(db, job_id)
        carried: dict[str, int] = {}
        try:
            with build_lock(Path(self.settings.index_dir)):
                with db.connect() as c:
                    rows = catalog.published_set(c)
                carried = {r.doc_id: r.version for r in rows}
                jobs.carrying(db, job_id, carried)
                path = self._build(rows, carried, progress, on_progress)
            build_id = read_manifest(path)["build_id"]
        except Exception as exc:  # noqa: BLE001 - the old build keeps serving; the page says why
            log.error("documents build %s failed: %s", job_id, exc)
            catalog.mark_built(db, carried, None)
            jobs.finish(db, job_id, None, failure_text(exc))
            return None
        catalog.mark_built(db, carried, build_id)
        if self.loaded is not None:
            progress.stage("switching")
            try:
                self.loaded()
            except Exception as exc:  # noqa: BLE001 - /healthz and the page name the failure
                log.error("documents build %s made but not loaded here: %s", build_id, exc)
        jobs.finish(db, job_id, build_id)
        return build_id

    def _build(self, rows, carried: dict[str, int], progress, on_progress) -> Path:
        from service.qa.calibrate import finalizer

        index_dir = Path(self.settings.index_dir)
        builds = index_dir.parent / f"{index_dir.name}.builds"
        with tempfile.TemporaryDirectory(dir=builds, prefix=".documents-") as tmp:
            folder = Path(tmp) / CORPUS
            write_corpus(rows, folder)
            corpus = load_corpus(folder)
            passages, queries, close = self.embedders()
            calibrate = finalizer(queries) if self.calibrate else None

            def embedded(done: int, total: int) -> None:
                progress.embedded(done, total)
                if on_progress:
                    on_progress("embedding", done, total)

            def finalize(built: Path) -> dict:
                progress.stage("calibrating")
                if on_progress:
                    on_progress("calibrating", 0, 0)
                extra = calibrate(built) if calibrate else {}
                shutil.copytree(folder, built / CORPUS)
                return {**extra, "corpus_source": SOURCE, "documents": carried}

            try:
                return write_index(
                    corpus,
                    passages,
                    index_dir,
                    hnsw_threshold=self.settings.hnsw_threshold,
                    dense_index=self.settings.dense_index,
                    progress=embedded,
                    finalize=finalize,
                    queries=queries,
                )
            finally:
                close()


def runtime_embedders(runtime) -> Embedders:
    """A server's: the loaded model for questions, and for passages too unless the settings
    embed passages at another precision (then that model, loaded for the build only)."""

    def make():
        from service.state import load_embedder

        queries = runtime.embedder
        settings = runtime.settings
        if settings.precisions[0] == getattr(queries, "precision", settings.precisions[0]):
            return queries, queries, lambda: None
        passages = load_embedder(settings, passages=True)
        return passages, queries, passages.close

    return make
