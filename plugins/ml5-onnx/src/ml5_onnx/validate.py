"""Checking an exported ONNX file against the model spec it claims to be: ``ml5 validate``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from ml5.specs import ModelSpec
from onnx import numpy_helper

from ml5_onnx.format import (
    ACTIVATION_OPS,
    BATCH,
    CARD_KEY,
    INPUT,
    LAYER_OPS,
    OPSET,
    OPSET_KEY,
    OUTPUT,
    expected_ops,
    unsupported,
)


def load(path: Path) -> onnx.ModelProto:
    """The model in ``path``, checked by onnx's checker; ValueError saying why it is not one
    (``ml5 validate`` puts the file's name in front, as for every problem)."""
    try:
        model = onnx.load_model_from_string(Path(path).read_bytes())
        onnx.checker.check_model(model)
    except OSError as exc:
        raise ValueError(f"cannot be read ({exc.strerror or exc})") from exc
    except (DecodeError, onnx.checker.ValidationError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"not a valid ONNX model ({first}); export it again") from exc
    return model


def _io_problems(what: str, values: list, name: str, width: int) -> list[str]:
    if [v.name for v in values] != [name]:
        return [f"graph {what}s are {[v.name for v in values]}, expected [{name!r}]"]
    tensor = values[0].type.tensor_type
    dims = [d.dim_param or d.dim_value for d in tensor.shape.dim]
    found = []
    if tensor.elem_type != onnx.TensorProto.FLOAT:
        found.append(f"{what} {name!r} holds {onnx.TensorProto.DataType.Name(tensor.elem_type)}, expected FLOAT")
    if dims != [BATCH, width]:
        found.append(f"{what} {name!r} has shape {dims}, expected [{BATCH!r}, {width}]")
    return found


def _metadata_problems(model: onnx.ModelProto) -> list[str]:
    props = {p.key: p.value for p in model.metadata_props}
    found = []
    try:
        if not isinstance(json.loads(props[CARD_KEY]), dict):
            found.append(f"metadata {CARD_KEY!r} is not a JSON object")
    except KeyError:
        found.append(f"metadata {CARD_KEY!r} (the model card) is missing")
    except ValueError as exc:
        found.append(f"metadata {CARD_KEY!r} is not JSON ({exc})")
    if props.get(OPSET_KEY) != str(OPSET):
        found.append(f"metadata {OPSET_KEY!r} is {props.get(OPSET_KEY)!r}, expected {str(OPSET)!r}")
    return found


def problems(path: Path, spec: ModelSpec) -> list[str]:
    """One line per problem ([] = the file is a correct ml5 ONNX export of ``spec``)."""
    try:
        model = load(path)
    except ValueError as exc:
        return [str(exc)]
    found = []
    opsets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    if opsets != {"ai.onnx": OPSET}:
        found.append(f"operator sets {opsets}, expected {{'ai.onnx': {OPSET}}}")
    graph = model.graph
    if graph.name != spec.title:
        found.append(f"graph {graph.name!r}, but the spec is {spec.title!r}")
    found += _io_problems("input", list(graph.input), INPUT, spec.input_size)
    found += _io_problems("output", list(graph.output), OUTPUT, spec.output_size)
    reason = unsupported(spec)
    if reason:
        found.append(reason)
    else:
        layer_ops = {*LAYER_OPS.values(), *(op for op in ACTIVATION_OPS.values() if op)}
        ops = [node.op_type for node in graph.node if node.op_type in layer_ops]
        if ops != expected_ops(spec):
            found.append(f"operators {' '.join(ops)}, expected {' '.join(expected_ops(spec))} for {spec.title}")
    arrays = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    weights = sum(a.size for a in arrays.values() if a.dtype == np.float32)
    if weights != spec.param_count:
        found.append(f"{weights:,} weights, expected {spec.param_count:,} for {spec.title}")
    found += [f"initializer {name!r} holds non-finite values" for name, a in arrays.items()
              if a.dtype == np.float32 and not np.isfinite(a).all()]
    return found + _metadata_problems(model)
