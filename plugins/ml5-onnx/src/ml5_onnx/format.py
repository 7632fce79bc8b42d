"""The facts of an ml5 ONNX file, stated once: the exporter writes them, the validator and the
verifier read them. Imports nothing heavy: ``ml5 plugins`` reads this module.

A file holds one network run as it was trained: each recurrent layer takes one step from a zero
state. Input ``input`` (batch, input_size) float32, output ``output`` (batch, output_size)
float32; the batch dimension is symbolic, named ``batch``.
"""

from __future__ import annotations

from typing import Any

#: the ONNX operator set the files are written for (default domain); also in their metadata
OPSET = 17

INPUT = "input"
OUTPUT = "output"
BATCH = "batch"

#: metadata_props keys: the model card as a JSON object, and the opset as text
CARD_KEY = "model_card"
OPSET_KEY = "opset"

#: the ONNX operator each layer kind of ml5.specs becomes
LAYER_OPS = {"dense": "Gemm", "lstm": "LSTM", "gru": "GRU"}

#: the ONNX operator each activation of ml5.specs.ACTIVATIONS becomes ("" = none applied)
ACTIVATION_OPS = {"tanh": "Tanh", "relu": "Relu", "sigmoid": "Sigmoid", "softmax": "Softmax", "elu": "Elu", "": None}


def unsupported(spec: Any) -> str | None:
    """Why ``spec`` (an ``ml5.ModelSpec``) cannot be written as ONNX, or None when it can."""
    for i, layer in enumerate(spec.layers):
        if layer.kind not in LAYER_OPS:
            return (f"model {spec.name!r}: layers[{i}] is a {layer.kind!r} layer, which ml5-onnx cannot write "
                    f"(it writes {', '.join(LAYER_OPS)})")
        if layer.activation not in ACTIVATION_OPS:
            return (f"model {spec.name!r}: layers[{i}] applies activation {layer.activation!r}, which ml5-onnx "
                    f"cannot write (it writes {', '.join(a for a in ACTIVATION_OPS if a)})")
    return None


def expected_ops(spec: Any) -> list[str]:
    """The layer and activation operators a file of ``spec`` applies, in order (a spec that
    ``unsupported`` accepts)."""
    ops = []
    for layer in spec.layers:
        ops.append(LAYER_OPS[layer.kind])
        if ACTIVATION_OPS[layer.activation]:
            ops.append(ACTIVATION_OPS[layer.activation])
    return ops
