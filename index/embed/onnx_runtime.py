"""The same sentence-transformers model run by ONNX Runtime: no torch import, less per-call cost."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from index.embed.base import QUERY_TOKENS, Embedder, Kind, keep_ends
from index.embed.passes import model_threads
from index.model.folder import ModelNotFound, resolve_model
from index.model.onnx_export import INSTALL
from index.model.provision import onnx_files
from index.model.quantize import (
    FP32,
    RECIPES,
    calibration_digest,
    check_precision,
    model_fingerprint,
    quantized_model,
    read_fingerprint,
)
from index.model.spm_tokenizer import load_tokenizer


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def check_supported(folder: Path) -> None:
    """Only Transformer → mean/CLS Pooling (→ Normalize): what this file re-implements."""
    modules = _read_json(folder / "modules.json") if (folder / "modules.json").is_file() else []
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or set(kinds[2:]) - {"Normalize"}:
        raise ModelNotFound(
            f"the onnx backend runs Transformer+Pooling(+Normalize) models; "
            f"{folder} has {kinds}: set IPQA_BACKEND=torch"
        )
    pooling = _pooling(folder)
    if pooling not in ("mean", "cls"):
        raise ModelNotFound(
            f"the onnx backend does mean or cls pooling, not {pooling!r}: set IPQA_BACKEND=torch"
        )


def _pooling(folder: Path) -> str:
    modules = _read_json(folder / "modules.json") or []
    path = next((m["path"] for m in modules if m["type"].endswith("Pooling")), "1_Pooling")
    config = _read_json(folder / path / "config.json")
    if "pooling_mode" in config:
        return config["pooling_mode"]
    for mode in ("cls_token", "mean_tokens", "max_tokens"):
        if config.get(f"pooling_mode_{mode}"):
            return mode.split("_")[0]
    return "mean"


class OnnxEmbedder(Embedder):
    """Tokenizers + ONNX Runtime; the first start exports `onnx/model.onnx` into the model folder."""

    def __init__(
        self,
        model: str,
        models_dir: Path,
        threads: int | None = None,
        batch: int | None = None,
        vocab: str = "trimmed",
        query_tokens: int = QUERY_TOKENS,
        precision: str = FP32,
    ):
        location = Path(resolve_model(model, models_dir))
        if not location.is_dir():
            raise ModelNotFound(
                f"the onnx backend needs a local model folder, not {model!r}: "
                "set IPQA_BACKEND=torch"
            )
        check_supported(location)
        try:
            import onnxruntime as ort
            import tokenizers  # noqa: F401 - the normalizer and pre-tokenizer, either way
        except ModuleNotFoundError as exc:
            raise ModelNotFound(f"IPQA_BACKEND=onnx needs {exc.name}: {INSTALL}") from exc
        source, tokenizer_path, self.vocab = onnx_files(location, vocab)
        # fp32: the exported file, its embedding table packed (table_pack.py); another
        # precision: its quantized copy (quantize.py), made here if a dynamic recipe's is
        # missing; a calibrated one needs `ipqa setup`.
        path = self.model_file = quantized_model(source, check_precision(precision))
        self.precision, self.fingerprint = precision, model_fingerprint(source, precision)
        options = ort.SessionOptions()
        options.intra_op_num_threads = model_threads(threads)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        super().__init__(threads, batch)

        st_config = _read_json(location / "config_sentence_transformers.json")
        prompts = st_config.get("prompts") or {}
        self._prompts = {"query": prompts.get("query", ""), "passage": prompts.get("passage", "")}
        tok_config = _read_json(location / "tokenizer_config.json")
        max_len = _read_json(location / "sentence_bert_config.json").get("max_seq_length") or min(
            int(tok_config.get("model_max_length", 512)), 512
        )
        # Read whole, then cut in _forward: a passage to the model's limit (as the tokenizer's
        # own truncation would), a question to its budget by keep_ends. One tokenizer for
        # both. SentencePiece segments (spm_tokenizer.py): the same ids as `tokenizers` in
        # ~25 MiB instead of ~100.
        self._max_len = int(max_len)
        self._query_tokens = min(query_tokens, self._max_len)
        self._tokenizer = load_tokenizer(tokenizer_path)
        pad = tok_config.get("pad_token") or "<pad>"
        self._pad_id = self._tokenizer.token_to_id(pad) or 0
        self._pooling = _pooling(location)
        self.model_id = model
        self.dim = int(self._forward(["x"], "").shape[1])

    def inputs(self, texts: list[str], kind: Kind) -> dict[str, np.ndarray]:
        """The model's inputs for `texts` (what a pass feeds; calibration feeds the same)."""
        return self._inputs(texts, self._prompts[kind], kind)

    def _inputs(self, texts: list[str], prompt: str | None, kind: Kind) -> dict[str, np.ndarray]:
        encodings = self._tokenizer.encode_batch([(prompt or "") + t for t in texts])
        rows = [e.ids for e in encodings]
        if kind == "query":
            cuts = [keep_ends(len(r), self._query_tokens) for r in rows]
            rows = [
                r[:head] + r[len(r) - tail :] for r, (head, tail) in zip(rows, cuts, strict=True)
            ]
        else:  # as the tokenizer's own truncation: the start, then the closing token
            rows = [r if len(r) <= self._max_len else r[: self._max_len - 1] + r[-1:] for r in rows]
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for row, r in enumerate(rows):
            ids[row, : len(r)] = r
            mask[row, : len(r)] = 1
        return {"input_ids": ids, "attention_mask": mask}

    def _forward(self, texts: list[str], prompt: str | None, kind: Kind = "passage") -> np.ndarray:
        feed = self._inputs(texts, prompt, kind)
        mask = feed["attention_mask"]
        hidden = self._session.run(None, feed)[0]
        if self._pooling == "cls":
            vectors = hidden[:, 0]
        else:
            weights = mask[:, :, None].astype(np.float32)
            vectors = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)

    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        return self._forward(texts, self._prompts[kind], kind)


def prepare_precision(
    model: str,
    models_dir: Path,
    precision: str,
    vocab: str = "trimmed",
    calibration: list[tuple[Kind, str]] | None = None,
) -> Path:
    """Make the model file for `precision` now (`ipqa setup`, `ipqa build`): a calibrated
    recipe is calibrated on `calibration` (kind, text) pairs, each fed alone as the server
    feeds a question, and made again whenever they change (the fingerprint records them)."""
    location = Path(resolve_model(model, models_dir))
    source, _, _ = onnx_files(location, vocab)
    if precision == FP32 or not RECIPES[check_precision(precision)].static:
        return quantized_model(source, precision)
    if not calibration:
        raise ModelNotFound(f"the {precision} model needs calibration texts")
    reader = OnnxEmbedder(model, models_dir, vocab=vocab)
    feeds = [reader.inputs([text], kind) for kind, text in calibration]
    made = read_fingerprint(source, precision)
    digest = calibration_digest(feeds)
    stale = made is None or (made.get("calibration") or {}).get("sha256") != digest
    return quantized_model(source, precision, lambda: feeds, force=stale)
