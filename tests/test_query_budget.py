"""A question's token budget (IPQA_QUERY_TOKENS): the model reads at most that many tokens of
a question, its start and its end, in both runtimes and through the model process; passages
keep the model's limit. (What that saves is `ipqa bench`'s "encode, 500-character question".)"""

from __future__ import annotations

import numpy as np
import pytest

from index.embed.base import QUERY_TOKENS, keep_ends
from index.model.folder import DEFAULT_MODEL
from tests.serverproc import MODELS_DIR, require_model

pytestmark = pytest.mark.real_model
PROMPT = "query: "
# 500 characters that the model's vocabulary does not merge: one token each, ~500 in all.
RARE = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(500))


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float((a * b).sum())


def _ends(embedder, text: str, budget: int) -> str:
    """What keep_ends leaves of `text` under `budget`, for text of one token per character
    (checked): its start and its end, the middle gone."""

    def count(t: str) -> int:
        return len(embedder._tokenizer.encode(PROMPT + t).ids)

    n = count(text)
    prompt_tokens = n - len(text) - 2  # and <s>, </s>
    assert count(text[:100]) == 100 + prompt_tokens + 2, "not one token per character"
    head, tail = keep_ends(n, budget)
    return text[: head - 1 - prompt_tokens] + text[len(text) - (tail - 1) :]


@pytest.fixture(scope="module")
def onnx():
    require_model()
    from index.embed.onnx_runtime import OnnxEmbedder

    return OnnxEmbedder(DEFAULT_MODEL, MODELS_DIR)


def test_a_long_question_is_read_to_its_budget_its_two_ends(onnx):
    assert len(onnx._tokenizer.encode(PROMPT + RARE).ids) > 3.5 * QUERY_TOKENS
    ends = _ends(onnx, RARE, QUERY_TOKENS)
    assert len(ends) == QUERY_TOKENS - 5 and ends[:10] == RARE[:10] and ends[-10:] == RARE[-10:]
    whole, cut = onnx.encode_queries([RARE, ends])
    assert _cos(whole, cut) >= 0.9999, "the question was not read as its budget's two ends"
    # a passage is still read to the model's limit
    p_whole, p_cut = onnx.encode_passages([RARE, ends])
    assert _cos(p_whole, p_cut) < 0.99


def test_short_questions_are_untouched(onnx):
    from index.embed.onnx_runtime import OnnxEmbedder

    unlimited = OnnxEmbedder(DEFAULT_MODEL, MODELS_DIR, query_tokens=512)
    questions = [
        "2025年海外发明专利授权量目标是多少？",
        "地理標誌怎麼保護？",
        RARE[: QUERY_TOKENS - 10],
    ]
    same = (onnx.encode_queries(questions) * unlimited.encode_queries(questions)).sum(axis=1)
    assert same.min() >= 0.99999


def test_torch_and_the_model_process_keep_the_same_budget(onnx):
    from index.embed.model_process import ModelProcess
    from index.embed.torch_runtime import SentenceTransformerEmbedder

    reference = onnx.encode_queries([RARE])[0]
    torch_vector = SentenceTransformerEmbedder(DEFAULT_MODEL, MODELS_DIR).encode_queries([RARE])[0]
    assert _cos(torch_vector, reference) >= 0.999
    child = ModelProcess(DEFAULT_MODEL, MODELS_DIR, query_tokens=48)
    try:
        at_48 = onnx.encode_queries([_ends(onnx, RARE, 48)])[0]
        assert _cos(child.encode_queries([RARE])[0], at_48) >= 0.9999
    finally:
        child.close()
