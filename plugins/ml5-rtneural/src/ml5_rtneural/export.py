"""Writing a trained model as RTNeural JSON: the layouts of RTNEURAL_FORMAT.md, from PyTorch's.

Dense: [weight.T, bias]. LSTM: [weight_ih.T, weight_hh.T, bias_ih + bias_hh] (PyTorch's gate
order i, f, g, o is RTNeural's). GRU: both matrices transposed with PyTorch's (r, z, n) blocks
reordered to (z, r, n), the two biases kept as two rows. Compact text whose numbers read back
as the same float32, written atomically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from ml5.atomic import atomic_write
from ml5.run import card_json
from ml5.specs import ModelSpec


def _gru_blocks(m: np.ndarray) -> np.ndarray:
    """PyTorch (r, z, n) gate blocks along axis 0 → RTNeural's (z, r, n)."""
    r, z, n = np.split(m, 3, axis=0)
    return np.concatenate([z, r, n], axis=0)


def layer_arrays(kind: str, w: Mapping[str, Any]) -> list[np.ndarray]:
    """A layer's ``weights`` arrays in RTNeural layout, from PyTorch-layout arrays."""
    if kind == "dense":
        return [np.asarray(w["weight"]).T, np.asarray(w["bias"])]
    if kind == "lstm":
        return [np.asarray(w["weight_ih"]).T, np.asarray(w["weight_hh"]).T, np.asarray(w["bias_ih"]) + np.asarray(w["bias_hh"])]
    if kind == "gru":
        return [
            _gru_blocks(np.asarray(w["weight_ih"])).T,
            _gru_blocks(np.asarray(w["weight_hh"])).T,
            np.stack([_gru_blocks(np.asarray(w["bias_ih"])), _gru_blocks(np.asarray(w["bias_hh"]))]),
        ]
    raise ValueError(f"no RTNeural layout for layer kind {kind!r}")


def _number(x: np.float32) -> str:
    text = str(x)  # shortest text that reads back as this float32
    if np.float32(float(text)) != x:  # read through double, as RTNeural's JSON library does
        text = repr(float(x))
    return text


def _array_text(a: np.ndarray) -> str:
    a = np.asarray(a, dtype=np.float32)
    if not np.isfinite(a).all():
        raise ValueError("weights hold NaN or infinity: the model diverged; nothing was written")
    if a.ndim == 1:
        return "[" + ",".join(_number(x) for x in a) + "]"
    return "[" + ",".join(_array_text(row) for row in a) + "]"


def model_text(spec: ModelSpec, layer_weights: tuple[Mapping[str, Any], ...], card: Mapping[str, Any] | None = None) -> str:
    layers = []
    for layer, weights in zip(spec.layers, layer_weights):
        head = {"type": layer.kind, "shape": [None, layer.out_size]}
        if layer.kind == "dense":
            head["activation"] = layer.activation
        arrays = ",".join(_array_text(a) for a in layer_arrays(layer.kind, weights))
        layers.append(json.dumps(head, separators=(",", ":"))[:-1] + ',"weights":[' + arrays + "]}")
    text = '{"in_shape":[null,' + str(spec.input_size) + '],"layers":[' + ",".join(layers) + "]"
    if card is not None:
        text += ',"model_card":' + card_json(card)
    return text + "}\n"


def export(model: Any, card: Mapping[str, Any], path: Path) -> None:
    atomic_write(path, model_text(model.spec, model.layer_weights, card))
