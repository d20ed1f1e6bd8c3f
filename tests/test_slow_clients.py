"""Slow clients against a real `ipqa serve`: half-sent bodies and headers from one address must
not lock other clients out, and whatever never completes is closed at its deadline."""

from __future__ import annotations

import json
import os
import socket
import statistics
import time
from pathlib import Path

import httpx
import pytest

from tests.docs_out import doc_file
from tests.serverproc import Server, ipqa_env, plan_index, require_model

pytestmark = pytest.mark.real_model

DEADLINE_S = 10.0  # IPQA_HEADER_TIMEOUT and IPQA_BODY_TIMEOUT, their defaults
ATTACKER, PROBE = "127.0.0.2", "127.0.0.3"  # all of 127/8 is loopback on Linux
WARMER = "127.0.0.5"  # the warm-up's address: its asks count against its own rate limit
HALF_HEADER = b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
HALF_BODY = HALF_HEADER + b"Content-Length: 300\r\n\r\n" + b'{"question": "'


# What the tests saw, for docs/bad-inputs.md's section (written by the last test).
SEEN: dict[str, str] = {}
DOC = doc_file("bad-inputs.md")
SECTION = "Slow and greedy clients (a real `ipqa serve`)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_model()
    started = Server(ipqa_env(index_dir=plan_index()), tmp_path_factory.mktemp("slow") / "s.log")
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()


def _open(port: int, source: str, first: bytes) -> socket.socket | None:
    s = socket.socket()
    s.bind((source, 0))
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(first)
    except OSError:
        s.close()
        return None
    return s


def _open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _wait_closed(
    s: socket.socket, limit_s: float, started: float | None = None
) -> tuple[float | None, bytes]:
    """Seconds from `started` (default: now) until the server closes `s` (None: still open
    limit_s after that), and what it sent."""
    started, got = started or time.perf_counter(), b""
    s.settimeout(0.5)
    while time.perf_counter() - started < limit_s:
        try:
            data = s.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            return time.perf_counter() - started, got
        if not data:
            return time.perf_counter() - started, got
        got += data
    return None, got


def _ask_all(
    url: str, questions: list[str], source: str = "127.0.0.1"
) -> tuple[list[float], list[int], str]:
    """Each question once, one after the other: latencies, statuses, a non-200's body."""
    latencies, statuses, other = [], [], ""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=url, timeout=10, transport=transport) as client:
        for question in questions:
            started = time.perf_counter()
            r = client.post("/ask", json={"question": question})
            latencies.append(time.perf_counter() - started)
            statuses.append(r.status_code)
            if r.status_code != 200:
                other = r.text[:200]
                break
    return latencies, statuses, other


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def _json_body(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


def test_slow_bodies_and_half_open_headers_from_one_address_lock_no_one_out(server):
    """32 half-sent bodies and 200 half-sent headers from one address; another client's 100
    /ask answers all come back 200, p99 under 1 s; the attack's sockets close at the deadline.

    The asks must all land while the attack is held (DEADLINE_S from its start), so the
    machine's speed must not decide it: on a busy one, 100 model passes one after the other
    took 11.8 s at load 9.5. A measured warm-up first asks the same 100 questions (their
    time is reported); under the flood they are answered from the answer cache, through the
    same connection handling, body reading, rate limit and concurrency slot the flood would
    have to hold, and five new questions after them take the model's path. What is asserted
    does not change."""
    questions = [f"知识产权保护社会满意度2025年目标是多少？第{n}问" for n in range(100)]
    started = time.perf_counter()
    warm, warm_statuses, other = _ask_all(server.url, questions, WARMER)
    warm_s = time.perf_counter() - started
    assert warm_statuses == [200] * 100, other
    baseline_fds = _open_fds(server.proc.pid)
    attack_started = time.perf_counter()
    bodies = [_open(server.port, ATTACKER, HALF_BODY) for _ in range(32)]
    headers = [_open(server.port, ATTACKER, HALF_HEADER) for _ in range(200)]
    held = [s for s in bodies + headers if s is not None]
    time.sleep(0.5)  # let the server take them all in

    latencies, statuses, other = _ask_all(server.url, questions)
    fresh = [f"商标品牌建设有哪些措施？新问题{n}" for n in range(5)]
    _, fresh_statuses, fresh_other = _ask_all(server.url, fresh)
    during = time.perf_counter() - attack_started
    assert statuses == [200] * 100, (statuses, other)
    assert fresh_statuses == [200] * 5, (fresh_statuses, fresh_other)
    p99 = _p99(latencies)
    assert p99 < 1.0, f"p99 {p99 * 1000:.0f} ms while one address held {len(held)} sockets"
    assert during < DEADLINE_S, f"the 100 asks took {during:.1f} s: the attack had already expired"
    SEEN["flood"] = (
        f"| 32 half-sent bodies and 200 half-sent headers from one address ({len(held)} "
        f"connections tried) | — | — | another client's 100 `POST /ask` (asked once before the "
        f"flood: {warm_s:.1f} s, p99 {_p99(warm) * 1000:.0f} ms): all 200 in {during:.1f} s, p99 "
        f"{p99 * 1000:.0f} ms, and 5 new questions after them all 200; the flood holds no "
        "concurrency slot |"
    )

    # Past the deadline the server holds none of the attacker's connections.
    time.sleep(max(0.0, attack_started + DEADLINE_S + 2.0 - time.perf_counter()))
    assert _open_fds(server.proc.pid) <= baseline_fds + 4, "the slow connections are still open"
    for s in held:
        s.close()


def test_a_header_or_body_that_never_completes_is_closed_at_the_deadline(server):
    opened = time.perf_counter()
    header = _open(server.port, PROBE, HALF_HEADER)
    body = _open(server.port, PROBE, HALF_BODY)
    idle = _open(server.port, PROBE, b"")
    try:
        for name, s in (("header", header), ("body", body)):
            closed_s, raw = _wait_closed(s, DEADLINE_S + 5, opened)
            assert closed_s is not None, (
                f"a half-sent {name} is still open after {DEADLINE_S + 5} s"
            )
            assert closed_s <= DEADLINE_S + 1.5, (name, closed_s)
            status, error = _json_body(raw)
            assert status == 408 and error["error"] == "request_timeout", (name, raw[:300])
            assert error["message"] and error["message_en"]
            SEEN[name] = (
                f"| request {name} never completed | 408 | request_timeout | "
                f"{error['message']} / {error['message_en']} (closed after {closed_s:.1f} s) |"
            )
        closed_s, raw = _wait_closed(idle, 2)  # connected, sent nothing: closed quietly
        assert closed_s is not None and raw == b""
        SEEN["idle"] = "| connected, sent nothing | — | — | closed without a word at the deadline |"
    finally:
        for s in (header, body, idle):
            s.close()


def test_one_address_cannot_hold_more_than_its_share_of_connections(server):
    cap = 64  # IPQA_MAX_CONNECTIONS_PER_CLIENT's default
    held = [_open(server.port, "127.0.0.4", b"") for _ in range(cap)]
    extra = _open(server.port, "127.0.0.4", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        closed_s, raw = _wait_closed(extra, 5)
        assert closed_s is not None, "connection over the cap was kept"
        status, error = _json_body(raw)
        assert status == 503 and error["error"] == "too_many_connections", raw[:300]
        SEEN["cap"] = (
            f"| connection {cap + 1} from one address | 503 | too_many_connections | "
            f"{error['message']} / {error['message_en']} |"
        )
        assert httpx.get(f"{server.url}/healthz").status_code == 200  # other addresses: served
    finally:
        for s in [*held, extra]:
            if s is not None:
                s.close()


def test_the_server_log_names_no_traceback_and_the_doc_says_what_was_seen(server):
    assert "Traceback" not in Path(server.log).read_text(encoding="utf-8", errors="replace")
    assert set(SEEN) == {"flood", "header", "body", "idle", "cap"}, "an earlier test failed"
    section = "\n".join(
        [
            SECTION,
            "",
            "Generated by `tests/test_slow_clients.py` (defaults: `IPQA_HEADER_TIMEOUT` and "
            "`IPQA_BODY_TIMEOUT` 10 s, `IPQA_MAX_CONNECTIONS_PER_CLIENT` 64).",
            "",
            "| input | status | error | what happens |",
            "| --- | --- | --- | --- |",
            *(SEEN[k] for k in ("flood", "header", "body", "idle", "cap")),
            "",
        ]
    )
    text = DOC.read_text(encoding="utf-8")
    head = text.split(f"\n## {SECTION}", 1)[0].rstrip("\n")
    DOC.write_text(head + "\n\n## " + section, encoding="utf-8")
