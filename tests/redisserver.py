"""A throwaway Redis for tests: Debian's redis-server on a free port of 127.0.0.1, no disk."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.serverproc import free_port


def require(program: str, package: str) -> str:
    """The program's path; fail in CI (`.ci/run` installs the package), skip elsewhere."""
    found = shutil.which(program) or next(
        (p for p in (f"/usr/sbin/{program}", f"/usr/bin/{program}") if os.path.exists(p)), None
    )
    if found is None:
        message = f"{program} not found: run `apt-get install {package}`"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


class RedisServer:
    """`start()`, `stop()` (a clean shutdown), `kill()` (SIGKILL: what a crash looks like)."""

    def __init__(self, port: int | None = None, config: Path | None = None):
        """config: a redis.conf to start from (deploy/redis/ipqa.conf); the port, address
        and folder are the test's whatever it says."""
        self.binary = require("redis-server", "redis-server")
        self.config = config
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="ipqa-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> None:
        log = (self.root / "redis.log").open("ab")
        self.proc = subprocess.Popen(
            [
                self.binary,
                *([str(self.config)] if self.config else []),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        import redis

        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self.tail()}")
            try:
                if client.ping():
                    client.close()
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server not up after {timeout} s: {self.tail()}")

    def flush(self) -> None:
        import redis

        with redis.Redis(port=self.port, socket_timeout=5) as client:
            client.flushall()

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.running():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def tail(self, n: int = 2000) -> str:
        path = self.root / "redis.log"
        return path.read_text(errors="replace")[-n:] if path.exists() else ""
