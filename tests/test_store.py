"""The index folder: atomic builds, refusing mismatches, BM25 with the user dictionary."""

from __future__ import annotations

import json
import shutil

import pytest

from corpus.load import DEFAULT_CORPUS_DIR
from corpus.tokens import tokenize
from index.lexical import LexicalIndex
from index.store import InvalidIndex, build_index, load_index
from tests.fakes import FakeEmbedder


@pytest.fixture
def built(tmp_path):
    index_dir = tmp_path / "index"
    build_index(DEFAULT_CORPUS_DIR, FakeEmbedder(), index_dir, hnsw_threshold=10**6)
    return index_dir


def test_load_checks_model_dimension_and_corpus(built, tmp_path):
    ok = load_index(built, model=FakeEmbedder.model_id, dim=64, corpus_dir=DEFAULT_CORPUS_DIR)
    assert len(ok.passages) == ok.dense.size == ok.manifest["passages"]
    with pytest.raises(InvalidIndex, match=r"built with model .*ipqa build"):
        load_index(built, model="another-model", dim=64)
    with pytest.raises(InvalidIndex, match=r"dimension 64 != model dimension 384.*ipqa build"):
        load_index(built, model=FakeEmbedder.model_id, dim=384)
    changed = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS_DIR, changed)
    (changed / "extra.md").write_text("新增的一段说明文字。", encoding="utf-8")
    with pytest.raises(InvalidIndex, match=r"corpus .* changed.*ipqa build"):
        load_index(built, model=FakeEmbedder.model_id, corpus_dir=changed)


def test_missing_and_corrupt_index_are_refused(built, tmp_path):
    with pytest.raises(InvalidIndex, match=r"no index at .*ipqa build"):
        load_index(tmp_path / "nowhere", model=FakeEmbedder.model_id)
    (built / "dense.faiss").write_bytes(b"garbage")
    with pytest.raises(InvalidIndex, match=r"corrupt.*ipqa build"):
        load_index(built, model=FakeEmbedder.model_id)


def test_failed_rebuild_leaves_old_index_intact(built):
    before = json.loads((built / "manifest.json").read_text())
    passages_before = (built / "passages.jsonl").read_text()
    target_before = built.resolve()
    with pytest.raises(RuntimeError, match="simulated"):
        # fails on the second batch of passages: midway through embedding
        build_index(DEFAULT_CORPUS_DIR, FakeEmbedder(fail_after=1), built, hnsw_threshold=10**6)
    assert built.resolve() == target_before
    assert json.loads((built / "manifest.json").read_text()) == before
    assert (built / "passages.jsonl").read_text() == passages_before
    load_index(built, model=FakeEmbedder.model_id, corpus_dir=DEFAULT_CORPUS_DIR)
    leftovers = [
        p.name for p in built.parent.joinpath("index.builds").iterdir() if p.name.startswith(".tmp")
    ]
    assert leftovers == []


def test_rebuild_swaps_to_a_new_build(built):
    first = built.resolve()
    build_index(DEFAULT_CORPUS_DIR, FakeEmbedder(), built, hnsw_threshold=10**6)
    assert built.resolve() != first and (built / "manifest.json").is_file()


def test_hnsw_past_threshold(tmp_path):
    index_dir = tmp_path / "index"
    build_index(DEFAULT_CORPUS_DIR, FakeEmbedder(), index_dir, hnsw_threshold=10)
    loaded = load_index(index_dir, model=FakeEmbedder.model_id)
    assert loaded.manifest["dense_index"] == "hnsw" and loaded.dense.name == "hnsw"


def test_userdict_keeps_plan_terms_whole():
    # Without the user dictionary jieba cuts 服判息诉率 into pieces; with it the term is one token.
    import jieba

    plain = jieba.Tokenizer()
    assert "服判息诉率" not in plain.lcut("知识产权民事一审案件服判息诉率")
    assert "服判息诉率" in tokenize("服判息诉率")


def test_bm25_finds_a_userdict_term():
    texts = [
        "知识产权民事一审案件服判息诉率 目标85%",
        "海外发明专利授权量 9万件",
        "地理标志保护工程",
    ]
    lex = LexicalIndex.build(texts)
    scores = lex.scores(tokenize("服判息诉率是多少"))
    assert scores.argmax() == 0 and scores[0] > 0 and scores[1] == 0


def test_index_from_other_text_analysis_is_refused(built):
    manifest_path = built / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["analysis"] = "0000000000000000"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(InvalidIndex, match=r"another text analysis.*ipqa build"):
        load_index(built, model=FakeEmbedder.model_id)
