"""A smaller copy of the ONNX model, its vocabulary cut to the pieces Chinese and ASCII text use."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from index.model.onnx_export import save_onnx

TRIMMED_MODEL = Path("onnx") / "model_trimmed.onnx"
TRIMMED_TOKENIZER = Path("onnx") / "tokenizer_trimmed.json"

# The multilingual model carries ~250k vocabulary rows (384 MB as float32) for a hundred
# languages; ONNX Runtime holds them all in memory. The tokenizer is a Unigram model: a piece
# can be part of a text's segmentation only if every one of its characters occurs in the
# text. So dropping the pieces that contain any character outside KEEP (Han ideographs, kana,
# ASCII, Latin-1, the punctuation Chinese text uses) changes nothing for a text made of KEEP
# characters: same pieces, same rows, same vectors (tests/test_onnx_backend.py checks the
# plan and the gold questions). Other scripts (Hangul, Cyrillic, Arabic…) become <unk>: such a
# question gets a different vector than the full model gives it, and no answer either way.
KEEP = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: ×, ÷, ±, °, ·, accented letters
    (0x2000, 0x206F),  # general punctuation: — … “ ” ‰
    (0x2100, 0x21FF),  # letterlike symbols, number forms, arrows: ℃ Ⅳ →
    (0x2460, 0x24FF),  # enclosed numbers: ①
    (0x2581, 0x2581),  # the tokenizer's word-start mark ▁
    (0x3000, 0x30FF),  # CJK punctuation 、。《》【】, kana
    (0x3400, 0x4DBF),  # Han, extension A
    (0x4E00, 0x9FFF),  # Han
    (0xF900, 0xFAFF),  # Han compatibility ideographs
    (0xFF00, 0xFFEF),  # full- and half-width forms
)


def keeps(text: str) -> bool:
    return all(any(lo <= ord(ch) <= hi for lo, hi in KEEP) for ch in text)


def kept_ids(tokenizer: dict) -> list[int]:
    """Old ids to keep, in order: the special tokens and every piece made of KEEP characters."""
    specials = {t["id"] for t in tokenizer.get("added_tokens", []) if t.get("special")}
    return [
        i
        for i, (piece, _score) in enumerate(tokenizer["model"]["vocab"])
        if i in specials or keeps(piece)
    ]


def trimmed_tokenizer(tokenizer: dict, keep: list[int]) -> dict:
    """The same tokenizer over the kept pieces, renumbered in their old order."""
    if tokenizer["model"].get("type") != "Unigram":
        raise ValueError("vocabulary trimming handles Unigram tokenizers only")
    new_id = {old: new for new, old in enumerate(keep)}
    out = json.loads(json.dumps(tokenizer))  # a deep copy
    vocab = tokenizer["model"]["vocab"]
    out["model"]["vocab"] = [vocab[i] for i in keep]
    out["model"]["unk_id"] = new_id[tokenizer["model"]["unk_id"]]
    for token in out.get("added_tokens", []):
        token["id"] = new_id[token["id"]]
    for special in (out.get("post_processor") or {}).get("special_tokens", {}).values():
        special["ids"] = [new_id[i] for i in special["ids"]]
    if (out.get("padding") or {}).get("pad_id") is not None:
        out["padding"]["pad_id"] = new_id[out["padding"]["pad_id"]]
    return out


def trimmable(folder: Path) -> bool:
    tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    return tokenizer.get("model", {}).get("type") == "Unigram"


def trim(folder: Path, source: Path) -> Path:
    """Write TRIMMED_MODEL and TRIMMED_TOKENIZER next to `source` (the exported model.onnx).
    The tokenizer is written last, and only after the model: a half-done trim is never used."""
    import onnx
    from onnx import numpy_helper

    tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    keep = kept_ids(tokenizer)
    size = len(tokenizer["model"]["vocab"])
    graph = onnx.load(str(source))
    tables = [
        t
        for t in graph.graph.initializer
        if len(t.dims) == 2 and t.dims[0] >= size and "word_embeddings" in t.name
    ]
    if len(tables) != 1:
        raise ValueError(f"expected one word-embedding table in {source}, found {len(tables)}")
    table = tables[0]
    rows = numpy_helper.to_array(table)[np.asarray(keep)]
    table.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(rows), table.name))

    tokenizer_path = folder / TRIMMED_TOKENIZER
    tokenizer_path.unlink(missing_ok=True)  # the marker that a trim is complete goes first
    model_path = save_onnx(graph, folder / TRIMMED_MODEL)
    tmp = tokenizer_path.with_name(f".{tokenizer_path.name}.{os.getpid()}.tmp")
    tmp.write_text(
        json.dumps(trimmed_tokenizer(tokenizer, keep), ensure_ascii=False), encoding="utf-8"
    )
    os.replace(tmp, tokenizer_path)
    return model_path
