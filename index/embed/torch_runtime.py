"""Any sentence-transformers model, run by torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.embed.base import QUERY_TOKENS, Embedder, Kind, keep_ends
from index.embed.passes import model_threads
from index.model.folder import ModelNotFound, resolve_model


class SentenceTransformerEmbedder(Embedder):
    """Uses the model's own query/passage prompts when it has them."""

    def __init__(
        self,
        model: str,
        models_dir: Path,
        threads: int | None = None,
        batch: int | None = None,
        query_tokens: int = QUERY_TOKENS,
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
        super().__init__(threads, batch)
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
        # None: the model's default prompt, if any
        self._prompts = {"query": prompts.get("query"), "passage": prompts.get("passage")}
        self._query_tokens = min(query_tokens, self._model.max_seq_length)

    def _within_budget(self, text: str) -> str:
        """The question with the middle cut out that keep_ends drops, at token boundaries,
        so it reads as the onnx runtime reads it; the model's own limit is for passages."""
        prompt = self._prompts["query"] or ""
        full = prompt + text
        offsets = self._model.tokenizer(
            full, add_special_tokens=False, return_offsets_mapping=True
        )["offset_mapping"]
        # two special tokens (<s>, </s>) are part of the budget, one at each end
        head, tail = keep_ends(len(offsets) + 2, self._query_tokens)
        if not tail:
            return text
        head_end = offsets[head - 2][1]
        tail_start = offsets[len(offsets) - (tail - 1)][0]
        return full[len(prompt) : max(len(prompt), head_end)] + full[tail_start:]

    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        if kind == "query":
            texts = [self._within_budget(t) for t in texts]
        vectors = self._model.encode(
            texts,
            prompt=self._prompts[kind],
            batch_size=len(texts),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
