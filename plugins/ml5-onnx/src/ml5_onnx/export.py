"""Writing a trained model as ONNX: the graph is built from the model spec's layer stack and
the trained weights with ``onnx.helper`` (no tracing, so no torch and no exporter warnings).

Dense: ``Gemm(x, W, b, transB=1)`` keeps PyTorch's out×in weight, then the activation's
operator. LSTM / GRU: the ONNX operator run over a sequence of one step with no initial state
(ONNX's default is zero), which is how the networks are trained; PyTorch's gate blocks are
reordered to ONNX's (LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h, with
``linear_before_reset=1``, PyTorch's GRU arithmetic) and its two bias vectors concatenated.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from ml5.atomic import atomic_write
from ml5.run import card_json
from ml5.specs import ModelSpec
from onnx import TensorProto, helper, numpy_helper

from ml5_onnx.format import ACTIVATION_OPS, BATCH, CARD_KEY, INPUT, LAYER_OPS, OPSET, OPSET_KEY, OUTPUT, unsupported

#: PyTorch's gate blocks, in the order ONNX stacks them
_GATE_ORDER = {"lstm": (0, 3, 1, 2), "gru": (1, 0, 2)}
_GATES = {"dense": 1, "lstm": 4, "gru": 3}
#: name of the shared int64 [0] tensor: the axis Unsqueeze/Squeeze add and drop around a step
_AXIS0 = "axis0"


def _producer_version() -> str:
    try:
        return version("ml5-onnx")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def _checked_arrays(spec: ModelSpec, i: int, weights: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Layer ``i``'s arrays as float32, each of the shape its spec gives and finite."""
    layer = spec.layers[i]
    rows, cols = _GATES[layer.kind] * layer.out_size, layer.in_size
    shapes = (
        {"weight": (rows, cols), "bias": (rows,)}
        if layer.kind == "dense"
        else {"weight_ih": (rows, cols), "weight_hh": (rows, layer.out_size), "bias_ih": (rows,), "bias_hh": (rows,)}
    )
    arrays = {}
    for key, shape in shapes.items():
        where = f"model {spec.name!r}: layers[{i}] ({layer.kind}) {key}"
        if key not in weights:
            raise ValueError(f"{where} is missing (the layer's weights hold {', '.join(weights) or 'nothing'})")
        a = np.asarray(weights[key], dtype=np.float32)
        if a.shape != shape:
            raise ValueError(f"{where} has shape {a.shape}, expected {shape} (PyTorch's layout)")
        if not np.isfinite(a).all():
            raise ValueError(f"{where} holds NaN or infinity: the model diverged; nothing was written")
        arrays[key] = a
    return arrays


def _dense(prefix: str, layer: Any, w: dict[str, np.ndarray], x: str, y: str) -> tuple[list, list]:
    inits = [numpy_helper.from_array(w["weight"], f"{prefix}.weight"), numpy_helper.from_array(w["bias"], f"{prefix}.bias")]
    op = ACTIVATION_OPS[layer.activation]
    linear = f"{prefix}.linear" if op else y
    nodes = [helper.make_node("Gemm", [x, f"{prefix}.weight", f"{prefix}.bias"], [linear], f"{prefix}.gemm", transB=1)]
    if op:
        extra = {"axis": -1} if op == "Softmax" else {"alpha": 1.0} if op == "Elu" else {}  # torch's defaults
        nodes.append(helper.make_node(op, [linear], [y], f"{prefix}.{layer.activation}", **extra))
    return nodes, inits


def _blocks(a: np.ndarray, kind: str) -> np.ndarray:
    parts = np.split(a, _GATES[kind], axis=0)
    return np.concatenate([parts[k] for k in _GATE_ORDER[kind]], axis=0)


def _recurrent(prefix: str, layer: Any, w: dict[str, np.ndarray], x: str, y: str) -> tuple[list, list]:
    kind, op = layer.kind, LAYER_OPS[layer.kind]
    inits = [
        numpy_helper.from_array(_blocks(w["weight_ih"], kind)[None], f"{prefix}.W"),
        numpy_helper.from_array(_blocks(w["weight_hh"], kind)[None], f"{prefix}.R"),
        numpy_helper.from_array(np.concatenate([_blocks(w["bias_ih"], kind), _blocks(w["bias_hh"], kind)])[None], f"{prefix}.B"),
    ]
    extra = {"linear_before_reset": 1} if kind == "gru" else {}
    nodes = [
        # (batch, in) → a sequence of one step (1, batch, in); no initial state inputs: zeros
        helper.make_node("Unsqueeze", [x, _AXIS0], [f"{prefix}.step"], f"{prefix}.unsqueeze"),
        helper.make_node(op, [f"{prefix}.step", f"{prefix}.W", f"{prefix}.R", f"{prefix}.B"], ["", f"{prefix}.state"],
                         f"{prefix}.{kind}", hidden_size=layer.out_size, **extra),
        # the final hidden state (directions=1, batch, H) → (batch, H)
        helper.make_node("Squeeze", [f"{prefix}.state", _AXIS0], [y], f"{prefix}.squeeze"),
    ]
    return nodes, inits


_BUILDERS = {"dense": _dense, "lstm": _recurrent, "gru": _recurrent}


def model_proto(spec: ModelSpec, layer_weights: tuple[Mapping[str, Any], ...], card: Mapping[str, Any] | None = None) -> onnx.ModelProto:
    """The checked ONNX model of ``spec`` with these weights (PyTorch layout, see TrainedModel)."""
    problem = unsupported(spec)
    if problem:
        raise ValueError(problem)
    if len(layer_weights) != len(spec.layers):
        raise ValueError(f"model {spec.name!r}: {len(layer_weights)} layers of weights for {len(spec.layers)} layers")
    nodes: list = []
    inits: list = []
    if any(layer.kind in _GATE_ORDER for layer in spec.layers):
        inits.append(numpy_helper.from_array(np.zeros(1, dtype=np.int64), _AXIS0))
    x = INPUT
    for i, (layer, weights) in enumerate(zip(spec.layers, layer_weights)):
        y = OUTPUT if i == len(spec.layers) - 1 else f"layers.{i}.out"
        layer_nodes, layer_inits = _BUILDERS[layer.kind](f"layers.{i}", layer, _checked_arrays(spec, i, weights), x, y)
        nodes += layer_nodes
        inits += layer_inits
        x = y
    graph = helper.make_graph(
        nodes,
        spec.title,
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [BATCH, spec.input_size])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, [BATCH, spec.output_size])],
        initializer=inits,
        doc_string=spec.description,
    )
    opsets = [helper.make_opsetid("", OPSET)]
    model = helper.make_model(
        graph,
        opset_imports=opsets,
        ir_version=helper.find_min_ir_version_for(opsets),  # the oldest IR that holds this opset: widest reach
        producer_name="ml5-onnx",
        producer_version=_producer_version(),
        doc_string=f"{spec.title} ({spec.name}): {spec.input_meaning} → {spec.output_meaning}",
    )
    card_text = card_json(card or {})
    helper.set_model_props(model, {CARD_KEY: card_text, OPSET_KEY: str(OPSET)})
    onnx.checker.check_model(model, full_check=True)  # also infers every shape: input to output
    return model


def export(model: Any, card: Mapping[str, Any], path: Path) -> None:
    """Write ``model`` (an ``ml5.TrainedModel``) to ``path``, atomically."""
    atomic_write(path, model_proto(model.spec, model.layer_weights, card).SerializeToString())
