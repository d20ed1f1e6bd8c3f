"""Helpers for tests that run the real `ipqa` command: env, builds, a server subprocess."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import httpx
import pytest

from eval.bench.server import free_port, serve_argv
from index.model.folder import DEFAULT_MODEL
from tests.docs_out import doc_file

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "var" / "models"
PYTHON = sys.executable


def require_model() -> None:
    if not (MODELS_DIR / DEFAULT_MODEL / "modules.json").is_file():
        message = "the default model is not provisioned: run `make setup` (or `ipqa setup`)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def ipqa_env(**settings: str | Path) -> dict[str, str]:
    """This process's environment without IPQA_* variables, plus the given settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPQA_")}
    env.update(
        {
            "IPQA_MODELS_DIR": str(MODELS_DIR),
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    # the office database in a temp dir, never the checkout's var/ipqa.db
    scratch = _scratch("ipqa-test-db-")
    env["IPQA_DATABASE_URL"] = f"sqlite:///{scratch}/ipqa.db"
    env["IPQA_SPOOL_DIR"] = str(scratch / "spool")  # the question log's, never var/spool
    env.update({f"IPQA_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def _scratch(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def ipqa(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `ipqa ARGS` (as `python -m service.cli`, so no installed script is needed)."""
    return subprocess.run(
        [PYTHON, "-m", "service.cli", *args],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def build(env: dict[str, str]) -> None:
    done = ipqa("build", env=env)
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]


@cache
def plan_index() -> Path:
    """The real plan indexed with the real model by `ipqa build`, once per test run."""
    tmp = Path(tempfile.mkdtemp(prefix="ipqa-test-index-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    build(ipqa_env(index_dir=tmp / "index"))
    return tmp / "index"


class Server:
    def __init__(self, env: dict[str, str], log: Path, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("ab") as fh:  # a file, not a pipe: a full pipe would block the server
            self.proc = subprocess.Popen(
                serve_argv(self.port),
                cwd=ROOT,
                env=env,
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
        self.started = time.perf_counter()
        self.ready_s: float | None = None

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds from start until /healthz answers 200."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    self.ready_s = time.perf_counter() - self.started
                    return self.ready_s
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"server not ready after {timeout} s: {self.tail()}")

    def tail(self, n: int = 3000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-n:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def servers(envs: list[dict[str, str]], logdir: Path) -> Iterator[list[Server]]:
    """Start servers side by side (each loads the model), wait for all, stop them after."""
    started = [Server(env, logdir / f"server-{n}.log") for n, env in enumerate(envs)]
    try:
        for s in started:
            s.wait_ready()
        yield started
    finally:
        for s in started:
            s.stop()


def write_figures(section: str, lines: list[str]) -> None:
    """Replace one `## section` of docs/load-figures.md (the load and swap tests share it)."""
    path = doc_file("load-figures.md")
    head = (
        "# Load and hot-swap figures\n\nGenerated by `tests/test_load.py` and "
        "`tests/test_faults.py` against a real `ipqa serve` subprocess on this machine "
        "(127.0.0.1, real model, real index). `make docs` reruns them and rewrites this file.\n"
    )
    text = path.read_text(encoding="utf-8") if path.is_file() else head
    parts = text.split("\n## ")
    body = {p.split("\n", 1)[0]: p for p in parts[1:]}
    body[section] = section + "\n\n" + "\n".join(lines) + "\n"
    order = ["Load", "Rate limit", "Hot swap"]
    keys = sorted(body, key=lambda k: order.index(k) if k in order else len(order))
    path.write_text(
        parts[0].rstrip("\n") + "\n\n## " + "\n## ".join(body[k].rstrip("\n") + "\n" for k in keys),
        encoding="utf-8",
    )


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def gone_within(pid: int, seconds: float) -> bool:
    """Whether the process ends within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False
