"""The model in a child process (index/model_process.py), with the real model: the same
vectors as in-process, restarts after the child dies, clear errors, no child left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import numpy as np
import pytest

from eval.bench.machine import child_pids
from index.embed.model_process import ModelProcess, ModelUnavailable
from index.model.folder import DEFAULT_MODEL, ModelNotFound
from tests.serverproc import MODELS_DIR, ROOT, alive, gone_within, require_model

pytestmark = pytest.mark.real_model
QUESTIONS = [
    "专利质押融资金额是多少",
    "地理标志怎么保护？",
    "2025年海外发明专利授权量目标",
    "IP保护",
]


@pytest.fixture(scope="module")
def model():
    require_model()
    m = ModelProcess(DEFAULT_MODEL, MODELS_DIR)
    yield m
    m.close()


def test_same_vectors_as_in_process(model, real_embedder):
    assert model.pid != os.getpid() and alive(model.pid)
    assert (model.model_id, model.dim) == (real_embedder.model_id, real_embedder.dim)
    np.testing.assert_array_equal(
        model.encode_queries(QUESTIONS), real_embedder.encode_queries(QUESTIONS)
    )
    np.testing.assert_array_equal(
        model.encode_passages(QUESTIONS), real_embedder.encode_passages(QUESTIONS)
    )
    started = model.start_query(QUESTIONS[0])
    np.testing.assert_array_equal(started(), real_embedder.encode_queries(QUESTIONS[:1])[0])


def test_questions_at_once_share_passes_and_keep_their_vectors(model, real_embedder):
    texts = [f"{q}（第{i}问）" for i in range(4) for q in QUESTIONS]
    results: dict[int, np.ndarray] = {}
    before = (model.passes.passes, model.passes.texts)

    def ask(i: int) -> None:
        results[i] = model.encode_queries([texts[i]])[0]

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    expected = real_embedder.encode_queries(texts)
    for i, text in enumerate(texts):
        assert float(results[i] @ expected[i]) > 0.9999, text  # padding in a shared pass
    assert model.passes.texts - before[1] == len(texts)
    assert model.passes.passes - before[0] < len(texts)  # some rode along


def test_a_killed_child_is_replaced_and_the_request_still_answered(model, real_embedder, caplog):
    old = model.pid
    os.kill(old, signal.SIGKILL)
    assert gone_within(old, 5)
    vector = model.encode_queries(QUESTIONS[:1])
    assert model.pid != old and alive(model.pid)
    np.testing.assert_array_equal(vector, real_embedder.encode_queries(QUESTIONS[:1]))
    assert "model process ended" in caplog.text


def test_a_missing_model_is_one_clear_error(tmp_path):
    require_model()
    started = time.perf_counter()
    with pytest.raises(ModelNotFound, match="not provisioned"):
        ModelProcess(DEFAULT_MODEL, tmp_path)  # nothing provisioned there
    assert time.perf_counter() - started < 30


def test_close_ends_the_child_and_later_calls_fail_clearly():
    require_model()
    m = ModelProcess(DEFAULT_MODEL, MODELS_DIR)
    pid = m.pid
    m.close()
    assert gone_within(pid, 10)
    with pytest.raises(ModelUnavailable):
        m.encode_queries(["专利"])


def test_the_child_ends_when_the_server_process_is_killed(tmp_path):
    require_model()
    script = (
        "import sys, time\nfrom pathlib import Path\n"
        "from index.embed.model_process import ModelProcess\n"
        f"m = ModelProcess({DEFAULT_MODEL!r}, Path({str(MODELS_DIR)!r}))\n"
        "print(m.pid, flush=True)\ntime.sleep(600)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.kill()
        parent.wait(10)
        assert gone_within(child, 10), "the model process outlived its server"
    finally:
        parent.kill()
        parent.wait()


def test_ipqa_serve_survives_its_model_process_dying_and_takes_it_along_on_ctrl_c(tmp_path):
    from tests.serverproc import Server, ipqa_env, plan_index

    require_model()
    server = Server(ipqa_env(index_dir=plan_index(), rate_limit=""), tmp_path / "serve.log")
    try:
        server.wait_ready()
        children = child_pids(server.proc.pid)
        assert len(children) == 1, children  # the model process
        ask = {"question": "知识产权质押融资登记金额2025年目标是多少？"}
        first = httpx.post(f"{server.url}/ask", json=ask, timeout=30)
        assert first.status_code == 200 and "3200" in first.json()["answer"]
        os.kill(children[0], signal.SIGKILL)
        assert gone_within(children[0], 5)
        again = httpx.post(
            f"{server.url}/ask", json={"question": "海外发明专利授权量目标"}, timeout=60
        )
        assert again.status_code == 200 and again.json()["found"], again.text
        replacement = child_pids(server.proc.pid)
        assert len(replacement) == 1 and replacement != children
        server.proc.send_signal(signal.SIGINT)
        assert server.proc.wait(15) == 0
        assert gone_within(replacement[0], 10)
        log = server.tail(20000)
        assert "model process ended" in log and "Traceback" not in log, log
    finally:
        server.stop()


def test_a_stuck_child_is_replaced_too(monkeypatch, real_embedder):
    import index.embed.model_process as mp

    require_model()
    m = ModelProcess(DEFAULT_MODEL, MODELS_DIR)
    try:
        stuck = m.pid
        os.kill(stuck, signal.SIGSTOP)  # alive, but never answers
        monkeypatch.setattr(mp, "PASS_TIMEOUT_S", 1.0)
        started = time.perf_counter()
        vector = m.encode_queries(QUESTIONS[:1])
        assert time.perf_counter() - started < 30
        assert m.pid != stuck and gone_within(stuck, 5)
        np.testing.assert_array_equal(vector, real_embedder.encode_queries(QUESTIONS[:1]))
    finally:
        m.close()
