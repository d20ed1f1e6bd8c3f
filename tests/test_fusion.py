"""index.fusion: the lists' scores on one scale, added with equal weights."""

import numpy as np
import pytest

from index.fusion import BOOST, SCALE, boost, fuse


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
