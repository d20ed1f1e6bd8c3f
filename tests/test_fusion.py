"""index.fusion: the lists' scores on one scale, added with equal weights."""

import numpy as np
import pytest

from index.fusion import BOOST, SCALE, Fused, boost, fuse


def test_first_in_both_lists_scores_the_scale_and_a_boost_half_of_it():
    bm25 = np.array([4.0, 2.0, 0.0])
    fused = fuse([0, 1], bm25, [0, 1], [0.9, 0.8])
    assert fused[0].score == pytest.approx(SCALE)
    assert fused[0].ranks == {"bm25": 1, "dense": 1}
    assert fused[1].score == pytest.approx(0.5 * SCALE * 0.5)  # half the BM25, the dense floor
    boost(fused, 1, "test")
    assert fused[1].score == pytest.approx(0.25 * SCALE + BOOST) and BOOST == SCALE / 2


def test_how_far_ahead_counts_not_only_the_order():
    """Rank fusion would tie these two (each first in one list, second in the other); here the
    passage far ahead in BM25 and barely behind in the vector wins."""
    bm25 = np.array([10.0, 1.0, 0.5])
    fused = fuse([0, 1, 2], bm25, [1, 0, 2], [0.90, 0.89, 0.80])
    assert fused[0].score > fused[1].score > fused[2].score


def test_one_list_alone_and_an_empty_one():
    bm25 = np.array([3.0, 1.5])
    only_bm25 = fuse([0, 1], bm25, [], [], weight=1.0)
    assert [f.score for f in only_bm25.values()] == pytest.approx([SCALE, SCALE / 2])
    only_dense = fuse([], bm25, [1, 0], [0.7, 0.7], weight=0.0)
    assert only_dense[1].score == pytest.approx(SCALE) == only_dense[0].score  # no spread
    assert fuse([], np.zeros(2), [], []) == {}


def _fuse_as_before(lexical, bm25, dense, cosines, weight=0.5):
    """fuse as it was written before it read the scores in one call (index/fusion.py)."""
    fused = {}
    top = float(bm25[lexical[0]]) if len(lexical) else 0.0
    for rank, idx in enumerate(lexical, start=1):
        item = fused.setdefault(idx, Fused(idx, 0.0))
        item.score += weight * SCALE * float(bm25[idx]) / top
        item.ranks["bm25"] = rank
    if len(dense):
        high, low = float(cosines[0]), float(cosines[-1])
        spread = high - low
        for rank, (idx, cos) in enumerate(zip(dense, cosines, strict=True), start=1):
            item = fused.setdefault(idx, Fused(idx, 0.0))
            share = (float(cos) - low) / spread if spread > 0 else 1.0
            item.score += (1.0 - weight) * SCALE * share
            item.ranks["dense"] = rank
    return fused


@pytest.mark.parametrize("seed", range(40))
def test_the_same_scores_to_the_bit_as_float_of_each_element(seed):
    """Scores read with tolist() are the floats float() gives, summed in the same order: the
    same dict, in the same order, as fuse before it (float32 and float64, ties, one list)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    bm25 = (rng.random(n) * 20).astype(np.float32 if seed % 2 else np.float64)
    lexical = [int(i) for i in np.argsort(-bm25, kind="stable")[:50] if bm25[i] > 0]
    dense = [int(i) for i in rng.choice(n, size=min(50, n), replace=False)]
    cosines = np.sort(rng.random(len(dense)).astype(np.float32))[::-1]
    if seed % 5 == 0:
        cosines[:] = cosines[0]  # no spread
    for args in (
        (lexical, bm25, dense, cosines, 0.5),
        (lexical, bm25, dense, cosines.tolist(), 0.3),
        (lexical, bm25, [], [], 1.0),
        ([], bm25, dense, list(cosines), 0.0),
    ):
        new, old = fuse(*args), _fuse_as_before(*args)
        assert list(new) == list(old)
        assert [(f.index, f.score, f.ranks, f.why) for f in new.values()] == [
            (f.index, f.score, f.ranks, f.why) for f in old.values()
        ]


def test_one_fused_entry_made_per_passage(monkeypatch):
    """A passage in both lists gets its entry once: none built and dropped for the second."""
    import index.fusion

    made = []

    class Counted(Fused):
        def __init__(self, index, score):
            made.append(index)
            super().__init__(index, score)

    monkeypatch.setattr(index.fusion, "Fused", Counted)
    fuse([0, 1, 2], np.array([3.0, 2.0, 1.0]), [2, 1, 0, 3], [0.9, 0.8, 0.7, 0.6])
    assert sorted(made) == [0, 1, 2, 3]
