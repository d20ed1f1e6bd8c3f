"""ModelProcess's restart logic with scripted children (pipes answered by threads): a child
that dies, dies again, or will not start never leaves a request hanging."""

from __future__ import annotations

import threading
from multiprocessing import Pipe
from pathlib import Path

import numpy as np
import pytest

from index.embed.model_process import ModelProcess, ModelUnavailable
from index.embed.wire import vectors_reply
from index.model.folder import ModelNotFound


class FakeProc:
    pid = 4242

    def wait(self, timeout=None):
        return -9

    def kill(self):
        pass


class Scripted(ModelProcess):
    """Each start follows the next step of `plan`: "ok" answers every pass, "die" closes its
    sockets at the first pass, "no-start" fails to load."""

    def __init__(self, plan: list[str]):
        self.plan, self.starts = list(plan), 0
        super().__init__("fake", Path("."), threads=64)  # one pass slot on any machine

    def _spawn(self):
        self.starts += 1
        step = self.plan.pop(0) if self.plan else "ok"
        if step == "no-start":
            raise ModelNotFound("no model here")
        ours = []
        for _ in range(self.slots):
            mine, theirs = Pipe()
            ours.append(mine)
            threading.Thread(target=self._child, args=(theirs, step), daemon=True).start()
        meta = {"model_id": "fake", "dim": 2, "vocab": None, "precision": "fp32"}
        return FakeProc(), ours, {**meta, "fingerprint": "fp32"}

    @staticmethod
    def _child(conn, step: str) -> None:
        while True:
            try:
                texts, _ = conn.recv()
            except EOFError:
                return
            if step == "die":
                conn.close()
                return
            conn.send_bytes(vectors_reply(np.full((len(texts), 2), len(texts), dtype=np.float32)))


def _encode_within(model: ModelProcess, seconds: float = 10):
    """encode_queries in a thread, so a hang fails the test instead of stalling it."""
    box: dict = {}

    def run():
        try:
            box["value"] = model.encode_queries(["甲", "乙"])
        except Exception as exc:  # noqa: BLE001
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "encode_queries hung"
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_a_child_that_dies_is_replaced_and_the_pass_answered():
    model = Scripted(["die", "ok"])
    assert _encode_within(model).shape == (2, 2) and model.starts == 2


def test_two_deaths_in_a_row_fail_one_request_and_the_next_starts_afresh():
    model = Scripted(["die", "die", "ok"])
    with pytest.raises(ModelUnavailable, match="twice"):
        _encode_within(model)
    assert _encode_within(model).shape == (2, 2) and model.starts == 3


def test_a_child_that_will_not_start_fails_requests_until_one_does():
    model = Scripted(["die", "no-start", "no-start", "ok"])
    for _ in range(2):
        with pytest.raises(ModelUnavailable, match="could not be restarted: no model here"):
            _encode_within(model)
    assert _encode_within(model).shape == (2, 2) and model.starts == 4


def test_after_close_every_call_fails_at_once():
    model = Scripted(["ok"])
    model.close()
    with pytest.raises(ModelUnavailable, match="shut down"):
        _encode_within(model, 5)


def _readable(pending, seconds: float = 10) -> None:
    import select

    assert select.select([pending.fileno], [], [], seconds)[0], "no reply"


def test_the_loop_reads_a_ready_reply_in_one_go_and_frees_the_slot():
    model = Scripted(["ok"])
    pending = model.start_query("甲")
    _readable(pending)
    assert pending.ready().tolist() == [1.0, 1.0]
    assert model.passes.reserve()  # the slot came back (one slot here)
    model.passes.release(0)
    assert _encode_within(model).shape == (2, 2) and model.starts == 1


def test_a_closed_socket_reads_as_none_and_the_call_replaces_the_process():
    model = Scripted(["die", "ok"])
    pending = model.start_query("甲")
    _readable(pending)  # end of file
    assert pending.ready() is None
    assert pending().tolist() == [1.0, 1.0] and model.starts == 2


def test_an_error_reply_raises_the_childs_message():
    from index.embed.wire import ModelError, decode, error_reply

    with pytest.raises(ModelError, match="ValueError: bad kind"):
        decode(error_reply("ValueError: bad kind"), 1)


def test_the_child_runs_one_text_as_its_forward_pass_and_several_through_encode():
    from index.embed.model_child import _encode
    from tests.fakes import FakeEmbedder

    embedder = FakeEmbedder()
    for texts, scheduled in (
        (["地理标志怎么保护"], 0),
        (["专利", "商标保护有哪些举措", "版权"], 1),
    ):
        expected = embedder.encode(texts, "query")
        before = embedder.passes.passes
        np.testing.assert_array_equal(_encode(embedder, texts, "query"), expected)
        assert embedder.passes.passes - before == scheduled  # the child's own scheduler
