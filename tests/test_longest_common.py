"""index.boosts.longest_common: the size difflib's find_longest_match gives, without difflib."""

import random
from difflib import SequenceMatcher

import pytest

from index.boosts import longest_common


def _difflib(a: str, b: str) -> int:
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


@pytest.mark.parametrize(
    ("a", "b", "size"),
    [
        ("", "", 0),
        ("知识产权", "", 0),
        ("", "知识产权", 0),
        ("国际合作的主要目标", "知识产权国际合作取得新突破", 4),
        ("商标", "专利", 0),
        ("aaab", "aab", 3),
        ("abcxabcd", "zabcdz", 4),
    ],
)
def test_known_sizes(a, b, size):
    assert longest_common(a, b) == size == _difflib(a, b)


def test_the_same_size_as_difflib_on_random_texts():
    rnd = random.Random(23)
    alphabet = "知识产权保护运用规划商标专利ab1 "
    for _ in range(20_000):
        a = "".join(rnd.choice(alphabet[: rnd.randint(1, 16)]) for _ in range(rnd.randint(0, 24)))
        b = "".join(rnd.choice(alphabet[: rnd.randint(1, 16)]) for _ in range(rnd.randint(0, 200)))
        assert longest_common(a, b) == _difflib(a, b), (a, b)
