"""The same sentence-transformers model run by ONNX Runtime: no torch import, less per-call cost."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import numpy as np

from index.embedder import (
    ModelNotFound,
    encode_in_passes,
    model_passes,
    model_threads,
    resolve_model,
)
from index.vocab_trim import TRIMMED_MODEL, TRIMMED_TOKENIZER, trim, trimmable

ONNX_FILE = Path("onnx") / "model.onnx"  # where sentence-transformers keeps its own export
INSTALL = "pip install onnxruntime onnx (or set IPQA_BACKEND=torch)"


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


def export_onnx(folder: Path, target: Path) -> Path:
    """Export the transformer (last hidden state) once, offline, from the local model folder.
    Pooling and normalization stay in numpy: they cost nothing and follow the model's config."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    # eager attention traces to plain ops that ONNX Runtime fuses; sdpa traces badly
    model = AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    sample = tokenizer(
        ["query: 示例", "passage: 一个更长一些的示例文本"], padding=True, return_tensors="pt"
    )

    class Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(target)
    axes = {0: "batch", 1: "tokens"}
    try:
        import onnx

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Hidden(model),
                (sample["input_ids"], sample["attention_mask"]),
                str(tmp),
                dynamo=False,
                opset_version=17,
                input_names=["input_ids", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            )
        # Weights in a separate file: ONNX Runtime maps it instead of parsing a 470 MB
        # protobuf, so the server starts in a fraction of a second and its peak memory is
        # ~150 MB instead of ~900 MB (eval/bench.py).
        graph = onnx.load(str(tmp))
        tmp.unlink()
        save_onnx(graph, target)
    except ModuleNotFoundError as exc:
        raise ModelNotFound(f"exporting the model to ONNX needs {exc.name}: {INSTALL}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _tmp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def save_onnx(graph, target: Path) -> Path:
    """Write `graph` to `target` with its weights in `target`_data beside it; the graph file is
    replaced last, so a half-written model is never loaded."""
    import onnx

    tmp, data = _tmp_name(target), target.with_name(target.name + "_data")
    try:
        data.unlink(missing_ok=True)  # onnx appends to an existing data file
        onnx.save_model(
            graph,
            str(tmp),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=data.name,
            size_threshold=1024,
        )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def onnx_files(
    location: Path,
    vocab: str = "trimmed",
    status: Callable[[str], AbstractContextManager] = lambda _: nullcontext(),
) -> tuple[Path, Path, str]:
    """The model and tokenizer files the onnx backend serves, made once if missing: the ONNX
    export, then (for `vocab="trimmed"` and a Unigram tokenizer, index/vocab_trim.py) its
    trimmed copy. Returns (model, tokenizer, vocabulary used)."""
    path = location / ONNX_FILE
    if not path.is_file():
        with status("Exporting the model to ONNX (once)…"):
            export_onnx(location, path)
    trimmed = (location / TRIMMED_MODEL, location / TRIMMED_TOKENIZER, "trimmed")
    if vocab == "trimmed" and trimmed[1].is_file():
        return trimmed
    if vocab == "trimmed" and trimmable(location):
        with status("Trimming its vocabulary to Chinese and ASCII (once)…"):
            trim(location, path)
        return trimmed
    return path, location / "tokenizer.json", "full"


class OnnxEmbedder:
    """Tokenizers + ONNX Runtime; the first start exports `onnx/model.onnx` into the model folder."""

    def __init__(
        self,
        model: str,
        models_dir: Path,
        threads: int | None = None,
        batch: int | None = None,
        vocab: str = "trimmed",
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
            from tokenizers import Tokenizer
        except ModuleNotFoundError as exc:
            raise ModelNotFound(f"IPQA_BACKEND=onnx needs {exc.name}: {INSTALL}") from exc
        path, tokenizer_path, self.vocab = onnx_files(location, vocab)
        options = ort.SessionOptions()
        options.intra_op_num_threads = model_threads(threads)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.passes = model_passes(self._forward, threads, batch)

        st_config = _read_json(location / "config_sentence_transformers.json")
        prompts = st_config.get("prompts") or {}
        self._query_prompt = prompts.get("query", "")
        self._passage_prompt = prompts.get("passage", "")
        tok_config = _read_json(location / "tokenizer_config.json")
        max_len = _read_json(location / "sentence_bert_config.json").get("max_seq_length") or min(
            int(tok_config.get("model_max_length", 512)), 512
        )
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(int(max_len))
        self._tokenizer.no_padding()
        pad = tok_config.get("pad_token") or "<pad>"
        self._pad_id = self._tokenizer.token_to_id(pad) or 0
        self._pooling = _pooling(location)
        self.model_id = model
        self.dim = int(self._forward(["x"], "").shape[1])

    def tokenizer_count(self, text: str) -> int:
        return len(self._tokenizer.encode(text).ids)

    def _forward(self, texts: list[str], prompt: str | None) -> np.ndarray:
        encodings = self._tokenizer.encode_batch([(prompt or "") + t for t in texts])
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        if self._pooling == "cls":
            vectors = hidden[:, 0]
        else:
            weights = mask[:, :, None].astype(np.float32)
            vectors = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return encode_in_passes(self.passes, self._query_prompt, texts, self.dim, 32)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return encode_in_passes(self.passes, self._passage_prompt, texts, self.dim, 16)
