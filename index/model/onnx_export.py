"""Export a sentence-transformers folder's transformer to ONNX, once, offline."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

from index.model.folder import ModelNotFound

ONNX_FILE = Path("onnx") / "model.onnx"  # where sentence-transformers keeps its own export
INSTALL = "pip install onnxruntime onnx (or set IPQA_BACKEND=torch)"


def export_onnx(folder: Path, target: Path) -> Path:
    """Export the transformer (last hidden state) from the local model folder. Pooling and
    normalization stay in numpy: they cost nothing and follow the model's config."""
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
        # Weights in a separate file: ONNX Runtime maps it instead of parsing one large
        # protobuf, so the server starts sooner and holds much less memory (`ipqa bench`).
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


def file_sha256(path: Path) -> str:
    """The hash of an ONNX file together with its external weights file, if any."""
    digest = hashlib.sha256()
    for part in (path, path.with_name(path.name + "_data")):
        if part.is_file():
            with part.open("rb") as fh:
                while block := fh.read(1 << 20):
                    digest.update(block)
    return digest.hexdigest()


def file_stat(path: Path) -> dict:
    data = path.with_name(path.name + "_data")
    files = [p for p in (path, data) if p.is_file()]
    return {"size": sum(p.stat().st_size for p in files), "mtime_ns": path.stat().st_mtime_ns}
