"""Each replica watches the index link: when it names a new build, the replica loads it, so
one `ipqa build` (or a build copied to each machine and linked there) reaches them all."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("ipqa")


class IndexWatcher:
    """Every `interval_s`, `check()`: `reload` when `linked()` differs from `loaded()` and is
    not a build that already failed to load (that one is retried by POST /admin/reload, or
    by a restart; a newer build is tried at once)."""

    def __init__(
        self,
        interval_s: float,
        linked: Callable[[], str],
        loaded: Callable[[], str | None],
        failed: Callable[[], str | None],
        reload: Callable[[], object],
    ):
        self.interval_s = interval_s
        self.linked, self.loaded, self.failed, self.reload = linked, loaded, failed, reload
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.interval_s > 0:
            self._thread = threading.Thread(target=self._run, name="ipqa-index-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.check()
            except Exception as exc:  # noqa: BLE001 - the watch must outlive any one build
                log.warning("ipqa: index watch: %s", exc)

    def check(self) -> bool:
        """True when a new build was loaded."""
        target = self.linked()
        if target in (self.loaded(), self.failed()):
            return False
        log.info("ipqa: the index link names build %s: loading it", target)
        self.reload()
        return True
