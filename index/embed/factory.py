"""The one way to get an Embedder: the runtime a config names, in this process or its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from index.embed.base import QUERY_TOKENS, Embedder
from index.model.folder import ModelNotFound


class EmbedderConfig(Protocol):
    """What the factory reads; service.settings.Settings has these fields too."""

    model: str
    models_dir: Path
    backend: str
    threads: int | None
    batch: int | None
    vocab: str
    query_tokens: int
    precision: str


@dataclass(frozen=True)
class EmbedderSpec:
    model: str
    models_dir: Path
    backend: str = "onnx"
    threads: int | None = None
    batch: int | None = None
    vocab: str = "trimmed"  # the onnx runtime's only
    query_tokens: int = QUERY_TOKENS
    precision: str = "fp32"  # the onnx runtime's only (index/model/quantize.py)


def _onnx(c: EmbedderConfig) -> Embedder:
    from index.embed.onnx_runtime import OnnxEmbedder

    return OnnxEmbedder(
        c.model,
        Path(c.models_dir),
        c.threads,
        c.batch,
        c.vocab,
        query_tokens=c.query_tokens,
        precision=c.precision,
    )


def _torch(c: EmbedderConfig) -> Embedder:
    from index.embed.torch_runtime import SentenceTransformerEmbedder

    if c.precision != "fp32":
        raise ModelNotFound(f"precision {c.precision} needs IPQA_BACKEND=onnx")

    return SentenceTransformerEmbedder(
        c.model, Path(c.models_dir), c.threads, c.batch, query_tokens=c.query_tokens
    )


# Each runtime imports its libraries only when chosen: the server never imports torch.
RUNTIMES: dict[str, Callable[[EmbedderConfig], Embedder]] = {"onnx": _onnx, "torch": _torch}


def create_embedder(
    config: EmbedderConfig, *, own_process: bool = False, wait: bool = True
) -> Embedder:
    """The runtime `config.backend` names; with `own_process`, the same runtime in a child
    process (model_process.py), which builds it with this function again (with `wait=False`
    returned at once, still loading: see `Embedder.loading`). Both runtimes give the same
    vectors (cosine ≥ 0.9999, tested)."""
    if config.backend not in RUNTIMES:
        raise ValueError(f"backend must be one of {tuple(RUNTIMES)}, not {config.backend!r}")
    if own_process:
        from index.embed.model_process import ModelProcess

        return ModelProcess(
            config.model,
            Path(config.models_dir),
            config.threads,
            backend=config.backend,
            batch=config.batch,
            vocab=config.vocab,
            query_tokens=config.query_tokens,
            precision=config.precision,
            wait=wait,
        )
    return RUNTIMES[config.backend](config)
