"""The model's Unigram tokenizer with SentencePiece doing the segmenting: the same ids as
`tokenizers`, in a quarter of the memory and less than half the load time.

`tokenizers` holds a Unigram vocabulary as a trie with one hash map per UTF-8 byte of every
piece: the trimmed vocabulary's 120k pieces take ~100 MiB of the model process and 0.5 s to
load (docs/benchmark.md, "Memory"). SentencePiece, which the same kind of vocabulary comes
from, keeps them in a double-array trie: ~25 MiB, 0.2 s. The two run the same Viterbi
search over the same pieces and scores (tokenizers' Unigram is a port of SentencePiece's).

Everything around the search stays `tokenizers`' own, so nothing there is re-implemented:
a stub `tokenizers.Tokenizer` with the source's normalizer and pre-tokenizer but a one-word
model (`<stem>.spm.json`, a few hundred kB) normalizes each stretch of text and splits it
into the words the Unigram model sees; SentencePiece (`<stem>.spm.model`: the pieces,
scores and unknown id, identity normalization) segments each word. The special tokens the
source matches in the raw text (`<s>`, `</s>`…) are matched here the same way, leftmost and
longest first, and the post-processor's tokens (`<s>` … `</s>`) are added around the ids.

The files are made once from the source tokenizer (at `ipqa setup`, or the first load) and
made again when it changes (its size and time, then its hash, are recorded). Only a source
of the shape described is taken over — a Unigram model without byte fallback, special added
tokens matched as written, a template post-processor of special tokens around the text — any
other keeps `tokenizers` (`load_tokenizer`). The one difference in kind: SentencePiece sums
scores in float32, `tokenizers` in float64, so two segmentations whose scores differ by less
than ~1e-5 could be ranked differently; none did over the shipped documents, every question
set and 2 × 40,000 random and mutated texts (tests/test_perf23_tokenizer.py checks a sample).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from pathlib import Path

log = logging.getLogger("ipqa")

FORMAT = 1  # bump when the files' content changes for the same source
CHAR_CACHE = 4096  # one-character words remembered (bounded: any character may be sent)


class Unsupported(ValueError):
    """The source tokenizer is not of the shape this module reproduces."""


def spm_paths(source: Path) -> tuple[Path, Path]:
    stem = source.name.removesuffix(".json")
    return source.with_name(f"{stem}.spm.model"), source.with_name(f"{stem}.spm.json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _stat(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _template(tokenizer: dict) -> tuple[list[int], list[int]]:
    """The ids the post-processor puts before and after a single text."""
    post = tokenizer.get("post_processor")
    if not post or post.get("type") != "TemplateProcessing":
        raise Unsupported(f"post-processor {post and post.get('type')!r}")
    specials = post.get("special_tokens") or {}
    before: list[int] = []
    after: list[int] = []
    seen_text = False
    for item in post["single"]:
        if "Sequence" in item:
            if seen_text or item["Sequence"]["id"] != "A":
                raise Unsupported("template")
            seen_text = True
        elif "SpecialToken" in item:
            (after if seen_text else before).extend(specials[item["SpecialToken"]["id"]]["ids"])
        else:
            raise Unsupported("template")
    if not seen_text:
        raise Unsupported("template")
    return before, after


def _check(tokenizer: dict) -> None:
    model = tokenizer.get("model") or {}
    if model.get("type") != "Unigram" or model.get("byte_fallback"):
        raise Unsupported(
            f"model {model.get('type')!r} (byte fallback {model.get('byte_fallback')})"
        )
    if tokenizer.get("truncation") or tokenizer.get("padding"):
        raise Unsupported("truncation or padding in the file")
    for token in tokenizer.get("added_tokens") or []:
        if (
            not token.get("special")
            or token.get("normalized")
            or token.get("lstrip")
            or token.get("rstrip")
            or token.get("single_word")
            or not token.get("content")
        ):
            raise Unsupported(f"added token {token.get('content')!r}")
    pieces = [p for p, _ in model["vocab"]]
    if len(set(pieces)) != len(pieces):
        raise Unsupported("repeated pieces")


def _spm_model(tokenizer: dict) -> bytes:
    from sentencepiece import sentencepiece_model_pb2 as pb

    model = tokenizer["model"]
    unk = model.get("unk_id")
    control = {t["id"] for t in tokenizer.get("added_tokens") or []}
    proto = pb.ModelProto()
    kinds = pb.ModelProto.SentencePiece
    for i, (piece, score) in enumerate(model["vocab"]):
        entry = proto.pieces.add()
        entry.piece, entry.score = piece, float(score)
        entry.type = kinds.UNKNOWN if i == unk else kinds.CONTROL if i in control else kinds.NORMAL
    if unk is None:
        raise Unsupported("no unknown piece")
    spec = proto.trainer_spec
    spec.model_type = pb.TrainerSpec.UNIGRAM
    spec.vocab_size = len(model["vocab"])
    spec.unk_id, spec.bos_id, spec.eos_id, spec.pad_id = unk, -1, -1, -1
    norm = proto.normalizer_spec  # the stub has normalized the text already
    norm.name = "identity"
    norm.add_dummy_prefix = norm.remove_extra_whitespaces = norm.escape_whitespaces = False
    return proto.SerializeToString()


def _stub(tokenizer: dict, source: Path) -> dict:
    """`tokenizer`: a tokenizers.Tokenizer with the source's normalizer and pre-tokenizer and a
    one-word model; `ipqa`: what the segmenter needs besides (special tokens, the template's
    ids) and the record of the source it was made from."""
    before, after = _template(tokenizer)
    stub = {
        "version": tokenizer.get("version", "1.0"),
        "truncation": None,
        "padding": None,
        "added_tokens": [],
        "normalizer": tokenizer.get("normalizer"),
        "pre_tokenizer": tokenizer.get("pre_tokenizer"),
        "post_processor": None,
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": {"<unk>": 0}, "unk_token": "<unk>"},
    }
    return {
        "tokenizer": stub,
        "ipqa": {
            "format": FORMAT,
            "source": {**_stat(source), "sha256": _sha256(source)},
            "specials": {t["content"]: t["id"] for t in tokenizer.get("added_tokens") or []},
            "before": before,
            "after": after,
            "vocab_size": len(tokenizer["model"]["vocab"]),
        },
    }


def _read_stub(stub_path: Path) -> dict | None:
    try:
        stub = json.loads(stub_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stub if isinstance(stub, dict) and "ipqa" in stub and "tokenizer" in stub else None


def _current(source: Path, stub_path: Path, model_path: Path) -> bool:
    record = (_read_stub(stub_path) or {}).get("ipqa")
    if record is None or record.get("format") != FORMAT or not model_path.is_file():
        return False
    made = record["source"]
    if {k: made.get(k) for k in ("size", "mtime_ns")} == _stat(source):
        return True
    return made.get("sha256") == _sha256(source)  # touched, not changed


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def make_spm_files(source: Path) -> tuple[Path, Path]:
    """`<stem>.spm.model` and `<stem>.spm.json` beside `source` (a tokenizer.json), made if
    missing or made from another source; the stub, which records the source, is written
    last. Unsupported: the source is of another shape."""
    model_path, stub_path = spm_paths(source)
    if _current(source, stub_path, model_path):
        return model_path, stub_path
    tokenizer = json.loads(source.read_text(encoding="utf-8"))
    _check(tokenizer)
    stub = _stub(tokenizer, source)
    stub_path.unlink(missing_ok=True)
    _write(model_path, _spm_model(tokenizer))
    _write(stub_path, json.dumps(stub, ensure_ascii=False).encode("utf-8"))
    return model_path, stub_path


class Encoding:
    """What the code reads of a tokenizers.Encoding: its ids."""

    __slots__ = ("ids",)

    def __init__(self, ids: list[int]):
        self.ids = ids


class SpmTokenizer:
    """tokenizers.Tokenizer's `encode`/`encode_batch` (ids only, no truncation or padding),
    `token_to_id` and `get_vocab_size` over the two files."""

    def __init__(self, model_path: Path, stub_path: Path):
        import sentencepiece as spm
        from tokenizers import Tokenizer

        stub = _read_stub(stub_path)
        if stub is None:
            raise Unsupported(f"{stub_path} is not readable")
        words = Tokenizer.from_str(json.dumps(stub["tokenizer"]))
        self._normalizer, self._pre = words.normalizer, words.pre_tokenizer
        record = stub["ipqa"]
        self._specials: dict[str, int] = record.get("specials") or {}
        self._before, self._after = record.get("before", []), record.get("after", [])
        self._vocab_size = int(record.get("vocab_size", 0))
        # leftmost match first, the longest of those that start there
        names = sorted(self._specials, key=len, reverse=True)
        self._split = re.compile("(" + "|".join(map(re.escape, names)) + ")") if names else None
        self._marks = {name[0] for name in names}
        self._sp = spm.SentencePieceProcessor(model_file=str(model_path))
        self._segment = self._sp.EncodeAsIds
        # One-character words: a 500-character question of characters outside every piece
        # is ~430 of them, one SentencePiece call each (1.6 µs) without this.
        self._chars: dict[str, list[int]] = {}

    def _ids(self, text: str) -> list[int]:
        ids = list(self._before)
        if self._split is not None and any(m in text for m in self._marks):
            parts = self._split.split(text)
        else:
            parts = [text]
        for i, part in enumerate(parts):
            if i % 2:  # a special token as written
                ids.append(self._specials[part])
            elif part:
                normalized = self._normalizer.normalize_str(part) if self._normalizer else part
                if self._pre is None:
                    ids += self._segment(normalized)
                    continue
                for word, _ in self._pre.pre_tokenize_str(normalized):
                    if len(word) == 1:  # a character the pre-tokenizer isolated, or "▁"
                        got = self._chars.get(word)
                        if got is None:
                            got = self._segment(word)
                            if len(self._chars) < CHAR_CACHE:
                                self._chars[word] = got
                        ids += got
                    else:
                        ids += self._segment(word)
        ids += self._after
        return ids

    def encode(self, text: str) -> Encoding:
        return Encoding(self._ids(text))

    def encode_batch(self, texts: list[str]) -> list[Encoding]:
        return [Encoding(self._ids(t)) for t in texts]

    def token_to_id(self, token: str) -> int | None:
        if token in self._specials:
            return self._specials[token]
        i = self._sp.PieceToId(token)
        return None if i == self._sp.unk_id() and token != self._sp.IdToPiece(i) else i

    def get_vocab_size(self) -> int:
        return self._vocab_size or self._sp.GetPieceSize()


def load_tokenizer(source: Path):
    """The tokenizer of `source` (a tokenizer.json): SentencePiece-backed when its shape is
    supported and the files can be made, else `tokenizers`' own, without truncation or
    padding either way."""
    try:
        return SpmTokenizer(*make_spm_files(source))
    except ImportError as exc:  # sentencepiece is a dependency; a bare install may lack it
        log.info("ipqa: tokenizer %s through tokenizers (%s)", source.name, exc)
    except Unsupported as exc:
        log.info("ipqa: tokenizer %s through tokenizers: %s", source.name, exc)
    except OSError as exc:  # a read-only model folder
        log.warning("ipqa: tokenizer %s through tokenizers: %s", source.name, exc)
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(source))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer
