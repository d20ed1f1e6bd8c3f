"""PassScheduler: at most `slots` passes at once, waiting texts share the next pass, every
caller gets its own rows back, and a failed pass fails only its own callers."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from index.embed.passes import PassScheduler


class SlowModel:
    """Each text becomes [hash, len(prompt)]; a pass takes `seconds`; passes are recorded."""

    def __init__(self, seconds: float = 0.05, fail_on: str | None = None):
        self.seconds, self.fail_on = seconds, fail_on
        self.passes: list[list[str]] = []
        self.running = self.most_running = 0
        self.lock = threading.Lock()

    def __call__(self, texts: list[str], prompt: str | None) -> np.ndarray:
        with self.lock:
            self.passes.append(list(texts))
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            time.sleep(self.seconds)
            if self.fail_on is not None and self.fail_on in texts:
                raise RuntimeError("simulated model failure")
            return np.array([[hash(t) % 1000, len(prompt or "")] for t in texts], dtype=np.float32)
        finally:
            with self.lock:
                self.running -= 1


def run_at_once(scheduler: PassScheduler, calls: list[tuple[list[str], str | None]]):
    results: dict[int, object] = {}
    start = threading.Barrier(len(calls))

    def call(i: int, texts: list[str], prompt: str | None) -> None:
        start.wait()
        try:
            results[i] = scheduler(texts, prompt)
        except Exception as exc:  # noqa: BLE001 - the test looks at what each caller got
            results[i] = exc

    threads = [threading.Thread(target=call, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def expected(texts: list[str], prompt: str | None = None) -> np.ndarray:
    return np.array([[hash(t) % 1000, len(prompt or "")] for t in texts], dtype=np.float32)


def test_a_lone_call_is_one_pass_of_its_own_texts():
    model = SlowModel(0)
    scheduler = PassScheduler(model, slots=2, max_batch=8)
    out = scheduler(["甲", "乙"], "query: ")
    assert model.passes == [["甲", "乙"]]
    assert np.array_equal(out, expected(["甲", "乙"], "query: "))


def test_waiting_calls_share_passes_and_get_their_own_rows():
    model = SlowModel(0.05)
    scheduler = PassScheduler(model, slots=2, max_batch=8)
    calls = [([f"问题{i}"], "query: ") for i in range(12)]
    results = run_at_once(scheduler, calls)
    for i, (texts, prompt) in enumerate(calls):
        assert np.array_equal(results[i], expected(texts, prompt)), i
    assert model.most_running <= 2  # never more passes at once than slots
    assert len(model.passes) < len(calls)  # some questions rode along in another's pass
    assert sorted(t for p in model.passes for t in p) == sorted(c[0][0] for c in calls)
    assert scheduler.texts == 12 and scheduler.passes == len(model.passes)


def test_max_batch_and_prompts_bound_what_shares_a_pass():
    model = SlowModel(0.05)
    scheduler = PassScheduler(model, slots=1, max_batch=3)
    calls = [([f"q{i}"], "query: ") for i in range(6)] + [
        ([f"p{i}"], "passage: ") for i in range(6)
    ]
    results = run_at_once(scheduler, calls)
    assert all(len(p) <= 3 for p in model.passes)
    for p in model.passes:  # a pass holds queries or passages, never both
        assert len({t[0] for t in p}) == 1
    for i, (texts, prompt) in enumerate(calls):
        assert np.array_equal(results[i], expected(texts, prompt))


def test_an_oversized_call_runs_whole_and_alone():
    model = SlowModel(0)
    scheduler = PassScheduler(model, slots=1, max_batch=2)
    texts = [f"段落{i}" for i in range(5)]
    assert np.array_equal(scheduler(texts), expected(texts))
    assert model.passes == [texts]


def test_a_failed_pass_fails_its_callers_and_frees_the_slot():
    model = SlowModel(0.05, fail_on="坏")
    scheduler = PassScheduler(model, slots=1, max_batch=8)
    results = run_at_once(scheduler, [(["好"], None), (["坏"], None), (["也好"], None)])
    failed = [i for i, r in results.items() if isinstance(r, RuntimeError)]
    assert 1 in failed  # the bad text's caller sees the model's error, nobody hangs
    for i in set(results) - set(failed):
        assert isinstance(results[i], np.ndarray)
    assert np.array_equal(scheduler(["之后"]), expected(["之后"]))  # the slot came back


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError):
        PassScheduler(SlowModel(), slots=0)
    with pytest.raises(ValueError):
        PassScheduler(SlowModel(), slots=1, max_batch=0)


def test_reserve_takes_a_free_slot_only_when_nobody_waits():
    model = SlowModel(seconds=0.3)
    scheduler = PassScheduler(model, slots=1)
    assert scheduler.reserve()  # the caller runs this pass itself
    assert not scheduler.reserve()  # no slot left
    waiter = threading.Thread(target=scheduler, args=(["甲"], None))
    waiter.start()
    time.sleep(0.05)
    assert waiter.is_alive()  # the scheduled text waits for the reserved slot
    scheduler.release(1)
    waiter.join(5)
    assert not waiter.is_alive() and model.passes == [["甲"]]
    assert scheduler.passes == 2 and scheduler.texts == 2


def test_reserve_does_not_jump_the_queue():
    model = SlowModel(seconds=0.3)
    scheduler = PassScheduler(model, slots=1)
    first = threading.Thread(target=scheduler, args=(["甲"], None))
    second = threading.Thread(target=scheduler, args=(["乙"], None))
    first.start()
    time.sleep(0.05)
    second.start()  # waits: the only slot is busy
    time.sleep(0.05)
    assert not scheduler.reserve()  # someone is waiting
    first.join(5)
    second.join(5)
    assert scheduler.reserve()  # idle again
    scheduler.release(0)
