"""Vocabulary trimming on a tiny Unigram tokenizer: kept pieces renumbered, same pieces for
text of kept characters, <unk> for other scripts; and bm25s loads without numba."""

from __future__ import annotations

import json
import subprocess
import sys

from index.model.vocab_trim import keeps, kept_ids, trimmed_tokenizer

VOCAB = [
    ["<s>", 0.0],
    ["<pad>", 0.0],
    ["</s>", 0.0],
    ["<unk>", 0.0],
    ["▁", -2.0],
    ["知识产权", -3.0],
    ["Привет", -3.0],
    ["知", -5.0],
    ["识", -5.0],
    ["产", -5.0],
    ["权", -5.0],
    ["П", -6.0],
    ["р", -6.0],
    ["▁GDP", -4.0],
    ["G", -6.0],
    ["D", -6.0],
    ["P", -6.0],
    ["한", -6.0],
    ["<mask>", 0.0],
]


def tiny_tokenizer() -> dict:
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram([tuple(v) for v in VOCAB], unk_id=3))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    tok.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    return json.loads(tok.to_str())


def test_keeps_han_ascii_and_punctuation_only():
    assert keeps("知识产权保护，GDP比重13%。“十四五”") and keeps("▁地理標誌")
    assert not keeps("Привет") and not keeps("한국") and not keeps("知识🙂")


def test_trimmed_tokenizer_renumbers_and_segments_the_same():
    from tokenizers import Tokenizer

    full_json = tiny_tokenizer()
    keep = kept_ids(full_json)
    assert [VOCAB[i][0] for i in keep] == [
        "<s>",
        "<pad>",
        "</s>",
        "<unk>",
        "▁",
        "知识产权",
        "知",
        "识",
        "产",
        "权",
        "▁GDP",
        "G",
        "D",
        "P",
        "<mask>",
    ]
    trimmed_json = trimmed_tokenizer(full_json, keep)
    full, trimmed = (Tokenizer.from_str(json.dumps(t)) for t in (full_json, trimmed_json))
    for text in ["知识产权", "产权知识 GDP", "GDP", "权知"]:
        old, new = full.encode(text), trimmed.encode(text)
        assert new.tokens == old.tokens and [keep[i] for i in new.ids] == old.ids, text
    assert trimmed.token_to_id("<mask>") == len(keep) - 1
    unk = trimmed.token_to_id("<unk>")
    assert trimmed.encode("Привет").ids[1:-1] == [trimmed.token_to_id("▁"), unk]
    assert full.encode("Привет").ids[1:-1] == [full.token_to_id("▁"), VOCAB.index(["Привет", -3.0])]


def test_the_lexical_index_keeps_numba_out_of_the_server():
    code = (
        "import sys; from index.lexical import LexicalIndex; "
        "LexicalIndex.build(['知识产权保护', '地理标志']); "
        "print('numba' in sys.modules); import numba; print(numba.__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "numba"]  # not loaded, yet still importable
