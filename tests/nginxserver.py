"""nginx for tests: deploy/nginx/ipqa.conf as shipped, its upstream and listen port swapped
for the test's, under a throwaway prefix on 127.0.0.1; an access log naming the replica
that answered each request (and every replica tried)."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.redisserver import require
from tests.serverproc import ROOT, free_port

SHIPPED = ROOT / "deploy" / "nginx" / "ipqa.conf"
LOG_FORMAT = "$status|$upstream_addr|$upstream_status|$request_time|$request_method|$uri"


def render(replica_ports: list[int], port: int) -> str:
    """The shipped server block with this test's replicas and port, nothing else changed."""
    text = SHIPPED.read_text(encoding="utf-8")
    lines = re.findall(r"^ *server 127\.0\.0\.1:\d+ [^\n]*;$", text, flags=re.M)
    assert len(lines) >= 1, "no upstream servers in deploy/nginx/ipqa.conf"
    template = lines[0]
    servers = "\n".join(
        re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{p}", template) for p in replica_ports
    )
    text = text.replace("\n".join(lines), servers)
    text, n = re.subn(r"^    listen 80;$", f"    listen 127.0.0.1:{port};", text, flags=re.M)
    assert n == 1, "no `listen 80;` in deploy/nginx/ipqa.conf"
    return text


class Nginx:
    def __init__(self, replica_ports: list[int]):
        self.binary = require("nginx", "nginx")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.root = Path(tempfile.mkdtemp(prefix="ipqa-nginx-"))
        self.root.chmod(0o755)  # workers run as nobody when the tests run as root
        (self.root / "ipqa.conf").write_text(render(replica_ports, self.port), encoding="utf-8")
        (self.root / "nginx.conf").write_text(
            f"""daemon off;
worker_processes 1;
pid {self.root}/nginx.pid;
error_log {self.root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format replicas '{LOG_FORMAT}';
    access_log {self.root}/access.log replicas;
    client_body_temp_path {self.root}/body;
    proxy_temp_path {self.root}/proxy;
    fastcgi_temp_path {self.root}/fastcgi;
    uwsgi_temp_path {self.root}/uwsgi;
    scgi_temp_path {self.root}/scgi;
    include {self.root}/ipqa.conf;
}}
""",
            encoding="utf-8",
        )
        self.proc: subprocess.Popen | None = None

    def _cmd(self, *args: str) -> list[str]:
        return [self.binary, "-p", str(self.root), "-c", str(self.root / "nginx.conf"), *args]

    def check(self) -> None:
        done = subprocess.run(self._cmd("-t"), capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr

    def start(self, timeout: float = 20) -> None:
        self.check()
        with (self.root / "stderr.log").open("ab") as err:
            self.proc = subprocess.Popen(self._cmd(), stdout=err, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.errors()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx not listening after {timeout} s: {self.errors()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def errors(self) -> str:
        path = self.root / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def access(self) -> list[dict]:
        """One entry a request: its status, the replicas tried in order (a retried request
        names two) with their statuses, and the path."""
        path = self.root / "access.log"
        out = []
        for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
            status, addrs, statuses, seconds, method, uri = line.split("|")
            out.append(
                {
                    "status": int(status),
                    "upstreams": [a for a in re.split(r"[ ,:]+(?=\d+\.)", addrs) if a != "-"],
                    "upstream_statuses": [s for s in re.split(r"[ ,:]+", statuses) if s],
                    "seconds": float(seconds),
                    "method": method,
                    "path": uri,
                }
            )
        return out
