"""The RTNeural JSON format, as rules: the one place this package states them.

``parse_text`` turns a file into checked layers or raises ``FormatError`` naming the layer and
the problem. It refuses everything RTNeural would crash on or silently misread (see
RTNEURAL_FORMAT.md): unknown types or activations, arrays of the wrong size or layout,
missing keys, non-numeric or non-finite numbers, truncated text.
"""

from __future__ import annotations

import json
import math
from typing import Any

import attrs
import numpy as np

#: activation strings RTNeural accepts ("" = none); anything else crashes it
ACTIVATIONS = ("tanh", "relu", "sigmoid", "softmax", "elu", "")
#: layer types whose "activation" key RTNeural reads
WITH_ACTIVATION = ("dense", "time-distributed-dense", "conv1d", "activation")
LAYER_TYPES = ("dense", "time-distributed-dense", "activation", "lstm", "gru", "conv1d", "prelu", "batchnorm")


class FormatError(ValueError):
    """The text is not a model RTNeural would read correctly."""


@attrs.frozen
class Layer:
    type: str
    in_size: int
    out_size: int
    activation: str = ""
    #: named float64 arrays in the file's own layout (kernel in×out, recurrent H×gates …);
    #: only what the file holds (a dense bias or batch-norm gamma/beta may be absent)
    arrays: dict[str, np.ndarray] = attrs.field(factory=dict)
    options: dict[str, int | float] = attrs.field(factory=dict)  # kernel_size, dilation, groups, epsilon

    @property
    def n_numbers(self) -> int:
        return sum(int(a.size) for a in self.arrays.values())


@attrs.frozen
class Model:
    in_size: int
    layers: tuple[Layer, ...]
    extra: dict[str, Any]  # top-level keys RTNeural ignores (model card …)

    @property
    def out_size(self) -> int:
        return self.layers[-1].out_size

    @property
    def n_numbers(self) -> int:
        return sum(layer.n_numbers for layer in self.layers)


def _reject_constant(token: str) -> float:
    raise FormatError(f"the token {token} is not JSON (a non-finite weight); RTNeural's parser refuses it")


def loads(text: str | bytes) -> Any:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(f"not UTF-8 text: {exc}") from None
    if not text.strip():
        raise FormatError("empty file")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise FormatError(f"invalid or truncated JSON: {exc}") from None
    except RecursionError:
        raise FormatError("invalid JSON: nested too deeply") from None


def _last_int(value: Any, where: str) -> int:
    if not isinstance(value, list) or not value:
        raise FormatError(f"{where} must be a non-empty array, got {json.dumps(value)[:40]}")
    last = value[-1]
    if not isinstance(last, int) or isinstance(last, bool) or last <= 0:
        raise FormatError(f"{where}: its last entry must be a positive integer, got {json.dumps(last)[:40]}")
    return last


def _array(value: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    """``value`` as a float64 array of exactly ``shape``; names the first thing that is off."""

    def check(v: Any, dims: tuple[int, ...], path: str) -> None:
        if not dims:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise FormatError(f"{where}{path}: expected a number, got {json.dumps(v)[:40]}")
            if not math.isfinite(v):
                raise FormatError(f"{where}{path}: non-finite number")
            return
        if not isinstance(v, list):
            raise FormatError(f"{where}{path}: expected an array of {dims[0]}, got {json.dumps(v)[:40]}")
        if len(v) != dims[0]:
            raise FormatError(f"{where}{path}: has {len(v)} entries, expected {dims[0]} (full shape {list(shape)})")
        for i, item in enumerate(v):
            check(item, dims[1:], f"{path}[{i}]")

    check(value, shape, "")
    return np.asarray(value, dtype=np.float64).reshape(shape)


def _activation(layer: dict[str, Any], where: str) -> str:
    if "activation" not in layer:
        return ""
    act = layer["activation"]
    if not isinstance(act, str):
        raise FormatError(f"{where}: activation must be a string, got {json.dumps(act)}")
    if act not in ACTIVATIONS:
        raise FormatError(
            f"{where}: activation {act!r} is not one RTNeural accepts ({', '.join(repr(a) for a in ACTIVATIONS)})"
        )
    return act


def _int_option(layer: dict[str, Any], key: str, where: str, default: int | None = None) -> int:
    if key not in layer:
        if default is None:
            raise FormatError(f"{where}: missing key {key!r}")
        return default
    value = layer[key]
    if isinstance(value, list) and value:
        value = value[-1]
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise FormatError(f"{where}: {key} must be a positive integer, got {json.dumps(layer[key])[:40]}")
    return value


def _weights(layer: dict[str, Any], count: tuple[int, ...], where: str) -> list[Any]:
    weights = layer["weights"]
    if not isinstance(weights, list) or len(weights) not in count:
        n = len(weights) if isinstance(weights, list) else "not an array"
        raise FormatError(f"{where}: weights must hold {' or '.join(map(str, count))} arrays, got {n}")
    return weights


def _parse_layer(layer: Any, index: int, in_size: int) -> Layer:
    where = f"layers[{index}]"
    if not isinstance(layer, dict):
        raise FormatError(f"{where}: expected an object")
    for key in ("type", "shape", "weights"):
        if key not in layer:
            raise FormatError(f"{where}: missing key {key!r}")
    kind = layer["type"]
    if kind not in LAYER_TYPES:
        raise FormatError(f"{where}: unknown layer type {json.dumps(kind)[:40]} (types are case-sensitive: {', '.join(LAYER_TYPES)})")
    where = f"layers[{index}] ({kind})"
    out = _last_int(layer["shape"], f"{where}: shape")
    act = _activation(layer, where) if kind in WITH_ACTIVATION else ""
    if kind in ("lstm", "gru") and layer.get("activation", "") not in ("", "tanh"):
        raise FormatError(f"{where}: RTNeural ignores the activation of a {kind} layer (always tanh); "
                          f"{json.dumps(layer['activation'])} would be silently misread")
    if kind in ("dense", "time-distributed-dense"):
        w = _weights(layer, (1, 2), where)
        kernel = w[0]
        if isinstance(kernel, list) and len(kernel) == out and out != in_size and isinstance(kernel[0], list) and len(kernel[0]) == in_size:
            raise FormatError(f"{where}: kernel is {out}×{in_size} (PyTorch out×in); RTNeural needs in×out = {in_size}×{out}: write weight.T")
        arrays = {"kernel": _array(kernel, (in_size, out), f"{where}: kernel")}
        if len(w) == 2:  # the bias may be left out: it is then zero
            arrays["bias"] = _array(w[1], (out,), f"{where}: bias")
        return Layer(kind, in_size, out, act, arrays)
    if kind == "activation":
        if out != in_size:
            raise FormatError(f"{where}: shape says {out} but the previous layer gives {in_size}")
        if layer["weights"] not in ([],):
            raise FormatError(f"{where}: weights must be []")
        return Layer(kind, in_size, out, act)
    if kind == "lstm":
        w = _weights(layer, (3,), where)
        if isinstance(w[2], list) and len(w[2]) == 2 and all(isinstance(b, list) for b in w[2]):
            raise FormatError(f"{where}: bias is two vectors (PyTorch b_ih, b_hh); RTNeural needs one: write b_ih + b_hh")
        return Layer(kind, in_size, out, "", {
            "kernel": _array(w[0], (in_size, 4 * out), f"{where}: kernel"),
            "recurrent": _array(w[1], (out, 4 * out), f"{where}: recurrent kernel"),
            "bias": _array(w[2], (4 * out,), f"{where}: bias"),
        })
    if kind == "gru":
        w = _weights(layer, (3,), where)
        return Layer(kind, in_size, out, "", {
            "kernel": _array(w[0], (in_size, 3 * out), f"{where}: kernel"),
            "recurrent": _array(w[1], (out, 3 * out), f"{where}: recurrent kernel"),
            "bias": _array(w[2], (2, 3 * out), f"{where}: bias (2×3H: input bias, recurrent bias)"),
        })
    if kind == "conv1d":
        size = _int_option(layer, "kernel_size", where)
        dilation = _int_option(layer, "dilation", where)
        groups = _int_option(layer, "groups", where, default=1)
        if in_size % groups or out % groups:
            raise FormatError(f"{where}: groups {groups} must divide both {in_size} input and {out} output channels")
        w = _weights(layer, (2,), where)
        return Layer(kind, in_size, out, act, {
            "kernel": _array(w[0], (size, in_size // groups, out), f"{where}: kernel (kernel_size×in/groups×out)"),
            "bias": _array(w[1], (out,), f"{where}: bias"),
        }, {"kernel_size": size, "dilation": dilation, "groups": groups})
    if kind == "prelu":
        w = _weights(layer, (1,), where)
        # weights = [[[alpha, ...]]]: RTNeural reads the alphas from weights[0][0]
        if not (isinstance(w[0], list) and len(w[0]) == 1 and isinstance(w[0][0], list)):
            raise FormatError(f"{where}: weights must be [[[alpha, ...]]] (the alphas at weights[0][0])")
        alpha = w[0][0]
        if len(alpha) not in (1, in_size):
            raise FormatError(f"{where}: {len(alpha)} alphas; expected 1 or {in_size} (one per channel)")
        if out != in_size:
            raise FormatError(f"{where}: shape says {out} but the previous layer gives {in_size}")
        return Layer(kind, in_size, out, "", {"alpha": _array(alpha, (len(alpha),), f"{where}: alpha")})
    # batchnorm
    if "epsilon" not in layer:
        raise FormatError(f"{where}: missing key 'epsilon'")
    eps = layer["epsilon"]
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not math.isfinite(eps) or eps < 0:
        raise FormatError(f"{where}: epsilon must be a non-negative number")
    if out != in_size:
        raise FormatError(f"{where}: shape says {out} but the previous layer gives {in_size}")
    w = _weights(layer, (2, 4), where)
    names = ("gamma", "beta", "mean", "var") if len(w) == 4 else ("mean", "var")
    arrays = {name: _array(a, (in_size,), f"{where}: {name}") for name, a in zip(names, w)}
    if (arrays["var"] + eps <= 0).any():
        raise FormatError(f"{where}: running variance + epsilon must be > 0")
    return Layer(kind, in_size, out, "", arrays, {"epsilon": float(eps)})


def parse(data: Any) -> Model:
    if not isinstance(data, dict):
        raise FormatError("top level must be an object with 'in_shape' and 'layers'")
    for key in ("in_shape", "layers"):
        if key not in data:
            raise FormatError(f"missing top-level key {key!r}")
    in_shape = data["in_shape"]
    if not isinstance(in_shape, list):
        raise FormatError("in_shape must be an array (e.g. [null, N])")
    size = _last_int(in_shape, "in_shape")
    if not isinstance(data["layers"], list):
        raise FormatError("layers must be an array of layer objects")
    if not data["layers"]:
        raise FormatError("layers is empty")
    layers = []
    for i, raw in enumerate(data["layers"]):
        layer = _parse_layer(raw, i, size)
        layers.append(layer)
        size = layer.out_size
    extra = {k: v for k, v in data.items() if k not in ("in_shape", "layers")}
    return Model(_last_int(in_shape, "in_shape"), tuple(layers), extra)


def parse_text(text: str | bytes) -> Model:
    return parse(loads(text))
