"""The SentencePiece-backed tokenizer (index/model/spm_tokenizer.py) gives exactly the ids of
`tokenizers` for the same tokenizer.json, is made again when its source changes, and falls
back to `tokenizers` for a source of another shape. (Its memory and load time are measured by
`ipqa bench`: docs/benchmark.md, "Memory".)"""

from __future__ import annotations

import json
import os
import random
import shutil

import pytest
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

from index.model.spm_tokenizer import (
    SpmTokenizer,
    Unsupported,
    load_tokenizer,
    make_spm_files,
    spm_paths,
)
from tests.serverproc import MODELS_DIR, require_model

PIECES = [
    ("<s>", 0.0),
    ("<pad>", 0.0),
    ("</s>", 0.0),
    ("<unk>", 0.0),
    ("▁", -2.0),
    ("知", -6.0),
    ("识", -6.5),
    ("产", -6.2),
    ("权", -6.1),
    ("知识", -7.0),
    ("产权", -7.5),
    ("知识产权", -9.0),
    ("▁知识产权", -9.5),
    ("保", -6.0),
    ("护", -6.0),
    ("保护", -7.0),
    ("a", -4.0),
    ("b", -4.0),
    ("ab", -5.5),
    ("▁ab", -6.0),
    ("1", -4.0),
    ("2", -4.0),
    ("12", -6.0),
    (",", -3.0),
    ("?", -3.0),
    ("<mask>", 0.0),
]
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def _small_tokenizer() -> Tokenizer:
    """A Unigram tokenizer of the shape the model's has (e5_tokenizer.py), a few pieces."""
    tok = Tokenizer(models.Unigram(PIECES, 3, False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace("\u200d", " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"),
            # characters outside every piece, isolated (one <unk> each)
            pre_tokenizers.Split(Regex("[^▁知识产权保护ab12,?]"), behavior="isolated"),
        ]
    )
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    from tokenizers import AddedToken

    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in SPECIALS])
    return tok


def _fuzz(seed: int, n: int, base: list[str]) -> list[str]:
    rnd = random.Random(seed)
    alphabet = list("知识产权保护ab12,?？，。 　  \t\u200d\u00a0ＡＢ１２한국😀é") + [
        *SPECIALS,
        "<",
        ">",
        "▁",
        "e\u0301",
    ]
    joined = "".join(base) or "知识产权保护"
    out = []
    for _ in range(n):
        if rnd.random() < 0.5:
            i = rnd.randrange(len(joined))
            s = list(joined[i : i + rnd.randrange(1, 120)])
            for _ in range(rnd.randrange(0, 5)):
                s.insert(rnd.randrange(len(s) + 1), rnd.choice(alphabet))
            out.append("".join(s))
        else:
            out.append("".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 30))))
    return out


def _same_ids(reference: Tokenizer, lean: SpmTokenizer, texts: list[str]) -> list[str]:
    return [
        t
        for t in texts
        for p in ("query: ", "passage: ", "")
        if reference.encode(p + t).ids != lean.encode(p + t).ids
    ]


def test_a_small_unigram_tokenizer_gives_the_same_ids(tmp_path):
    source = tmp_path / "tokenizer.json"
    _small_tokenizer().save(str(source))
    reference = Tokenizer.from_file(str(source))
    lean = load_tokenizer(source)
    assert isinstance(lean, SpmTokenizer)
    texts = [
        "知识产权保护",
        " ab12 ",
        "ab  ab",
        "<s>知识</s>产权",
        "한국어",
        "",
        "？",
        "保护\u200d",
    ]
    assert _same_ids(reference, lean, texts + _fuzz(1, 2000, texts)) == []
    assert lean.get_vocab_size() == len(PIECES)
    assert lean.token_to_id("<pad>") == 1 and lean.token_to_id("知识") == 9
    assert lean.token_to_id("不在") is None


def test_the_files_are_made_again_only_when_the_source_changes(tmp_path):
    source = tmp_path / "tokenizer.json"
    _small_tokenizer().save(str(source))
    model, stub = make_spm_files(source)
    assert (model, stub) == spm_paths(source)
    made = (model.stat().st_mtime_ns, stub.stat().st_mtime_ns)
    make_spm_files(source)
    assert (model.stat().st_mtime_ns, stub.stat().st_mtime_ns) == made  # unchanged: kept
    os.utime(source)  # touched, same content: kept
    make_spm_files(source)
    assert (model.stat().st_mtime_ns, stub.stat().st_mtime_ns) == made
    data = json.loads(source.read_text(encoding="utf-8"))
    data["model"]["vocab"][9][1] = -5.0  # "知识" scores higher now
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    make_spm_files(source)
    assert stub.stat().st_mtime_ns != made[1]
    lean, reference = load_tokenizer(source), Tokenizer.from_file(str(source))
    assert lean.encode("知识产权").ids == reference.encode("知识产权").ids


def test_another_shape_keeps_tokenizers(tmp_path):
    source = tmp_path / "tokenizer.json"
    tok = Tokenizer(models.WordLevel({"a": 0, "[UNK]": 1}, unk_token="[UNK]"))
    tok.save(str(source))
    assert isinstance(load_tokenizer(source), Tokenizer)
    byte_fallback = _small_tokenizer()
    data = json.loads(byte_fallback.to_str())
    data["model"]["byte_fallback"] = True
    source.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(Unsupported):
        make_spm_files(source)
    assert isinstance(load_tokenizer(source), Tokenizer)


@pytest.mark.real_model
def test_the_models_tokenizer_gives_the_same_ids_on_the_documents_and_questions(tmp_path):
    """The trimmed tokenizer the onnx runtime serves: every passage of the shipped documents,
    every question of the gold and held-out sets, and random and mutated texts."""
    require_model()
    from corpus.load import load_corpus
    from eval.gold import question_texts
    from index.model.folder import DEFAULT_MODEL
    from index.model.vocab_trim import TRIMMED_TOKENIZER
    from service.settings import Settings

    shipped = MODELS_DIR / DEFAULT_MODEL / TRIMMED_TOKENIZER
    source = tmp_path / shipped.name
    shutil.copy(shipped, source)
    reference = Tokenizer.from_file(str(source))
    lean = load_tokenizer(source)
    assert isinstance(lean, SpmTokenizer)
    passages = [p.text for p in load_corpus(Settings().corpus_dir).passages]
    questions = question_texts()
    texts = passages + questions + _fuzz(7, 3000, passages)
    assert _same_ids(reference, lean, texts) == []
    assert lean.get_vocab_size() == reference.get_vocab_size()


@pytest.mark.real_model
def test_the_onnx_runtime_reads_with_it():
    require_model()
    from index.embed.onnx_runtime import OnnxEmbedder
    from index.model.folder import DEFAULT_MODEL

    assert isinstance(OnnxEmbedder(DEFAULT_MODEL, MODELS_DIR)._tokenizer, SpmTokenizer)
