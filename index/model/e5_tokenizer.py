"""Rebuild the XLM-R unigram tokenizer of an e5 model file as a Hugging Face fast tokenizer."""

from __future__ import annotations

import io

from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)

SPECIAL_TOKENS = {"bos": "<s>", "pad": "<pad>", "eos": "</s>", "unk": "<unk>", "mask": "<mask>"}


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def _proto_fields(buf: bytes):
    """Yield (field, value) of a protobuf message: enough to walk ModelProto without protobuf."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, value


def nmt_nfkc_charsmap() -> bytes:
    """SentencePiece's built-in nmt_nfkc charsmap, obtained offline.

    The charsmap is compiled into the sentencepiece library but only exposed inside a trained
    model, so train a throwaway char model in memory and read
    ModelProto.normalizer_spec (field 3).precompiled_charsmap (field 2). protobuf is not a
    dependency, hence the tiny wire-format reader above.
    """
    import sentencepiece as spm

    buf = io.BytesIO()
    lines = ["the quick brown fox jumps over the lazy dog", "知识产权保护 2025"] * 20
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buf,
        model_type="char",
        vocab_size=40,
        normalization_rule_name="nmt_nfkc",
        minloglevel=2,
    )
    for field, value in _proto_fields(buf.getvalue()):
        if field == 3:
            spec = dict(_proto_fields(value))
            if spec.get(1) != b"nmt_nfkc" or not spec.get(2):
                raise RuntimeError("sentencepiece produced no nmt_nfkc charsmap")
            return spec[2]
    raise RuntimeError("sentencepiece model has no normalizer_spec")


def _outside_class(pieces: list[str]) -> str:
    """Regex class matching one char that occurs in no (non-special) piece."""
    cps = sorted({ord(c) for p in pieces if p not in SPECIAL_TOKENS.values() for c in p})
    ranges: list[list[int]] = []
    for cp in cps:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\x{{{a:X}}}" + (f"-\\x{{{b:X}}}" if b > a else "") for a, b in ranges)
    return f"[^{body}]"


def build_tokenizer(pieces: list[str], scores: list[float], ids: dict[str, int]) -> Tokenizer:
    """The same pipeline as e5.c's tok_content plus <s> … </s>, as a `tokenizers.Tokenizer`."""
    if ids["unk"] != 3 or pieces[ids["unk"]] != SPECIAL_TOKENS["unk"]:
        raise ValueError(f"unexpected unk piece/id: {ids['unk']}")
    tok = Tokenizer(
        models.Unigram(
            [(p, float(s)) for p, s in zip(pieces, scores, strict=True)], ids["unk"], False
        )
    )
    tok.normalizer = normalizers.Sequence(
        [
            # The e5 file's own map (from the original XLM-R charsmap) turns ZWJ into a space;
            # sentencepiece 0.2's newer nmt_nfkc keeps it, which would change the tokens.
            normalizers.Replace("\u200d", " "),
            normalizers.Precompiled(nmt_nfkc_charsmap()),
            # e5.c collapses runs of spaces after normalizing, as XLM-R's tokenizer.json does.
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # prepend "▁" unless the text already starts with a space, like e5.c; no whitespace
    # stripping (a trailing space is a "▁" token there too).
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"),
            # tokenizers' Unigram fuses consecutive unknown chars into one <unk>; e5.c emits one
            # <unk> per char. Every char of the vocab is also a one-char piece, so isolating each
            # char outside the vocab reproduces e5.c without changing any other segmentation.
            pre_tokenizers.Split(Regex(_outside_class(pieces)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = SPECIAL_TOKENS["bos"], SPECIAL_TOKENS["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    specials = [SPECIAL_TOKENS[k] for k in ("bos", "pad", "eos", "unk")]
    if pieces[-1] == SPECIAL_TOKENS["mask"]:
        specials.append(SPECIAL_TOKENS["mask"])
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def wrap_tokenizer(tok: Tokenizer, max_length: int):
    """Wrap for transformers; the generic fast class keeps this exact pipeline on reload
    (XLMRobertaTokenizer in transformers 5 rebuilds its own pre-tokenizer)."""
    from transformers import PreTrainedTokenizerFast

    names = {k: v for k, v in SPECIAL_TOKENS.items() if v in tok.get_vocab()}
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        model_max_length=max_length,
        bos_token=names["bos"],
        cls_token=names["bos"],
        eos_token=names["eos"],
        sep_token=names["eos"],
        pad_token=names["pad"],
        unk_token=names["unk"],
        mask_token=names.get("mask"),
        model_input_names=["input_ids", "attention_mask"],
    )
