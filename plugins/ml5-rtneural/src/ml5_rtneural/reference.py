"""A numpy reference engine for RTNeural-format models (float64, one frame per call).

Written for clarity, not speed: it is the yardstick exports and the native engine are checked
against. ``stateless=True`` resets recurrent and convolution state before every frame, which is
how the ml5 networks are trained.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ml5_rtneural.format import Layer, Model, parse_text


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # the same function, without exp overflow


def activate(name: str, x: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "sigmoid":
        return _sigmoid(x)
    if name == "softmax":
        e = np.exp(x - x.max())  # subtracting the max keeps large logits finite
        return e / e.sum()
    if name == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))
    return x


class Engine:
    def __init__(self, model: Model, stateless: bool = True) -> None:
        self.model = model
        self.stateless = stateless
        self.reset()

    @classmethod
    def load(cls, path: str | Path, stateless: bool = True) -> Engine:
        return cls(parse_text(Path(path).read_bytes()), stateless)

    @property
    def in_size(self) -> int:
        return self.model.in_size

    @property
    def out_size(self) -> int:
        return self.model.out_size

    def reset(self) -> None:
        self._state: list[dict[str, np.ndarray]] = []
        for layer in self.model.layers:
            state: dict[str, np.ndarray] = {}
            if layer.type in ("lstm", "gru"):
                state["h"] = np.zeros(layer.out_size)
                state["c"] = np.zeros(layer.out_size)
            if layer.type == "conv1d":
                span = (layer.options["kernel_size"] - 1) * layer.options["dilation"] + 1
                state["history"] = np.zeros((span, layer.in_size))  # row -1 is the current frame
            self._state.append(state)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (self.in_size,):
            raise ValueError(f"input has shape {x.shape}, expected ({self.in_size},)")
        if self.stateless:
            self.reset()
        for layer, state in zip(self.model.layers, self._state):
            x = _forward(layer, state, x)
        return x

    def forward_batch(self, xs: np.ndarray) -> np.ndarray:
        return np.stack([self.forward(x) for x in np.asarray(xs)])


def _forward(layer: Layer, state: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    a = layer.arrays
    if layer.type in ("dense", "time-distributed-dense"):
        return activate(layer.activation, x @ a["kernel"] + a.get("bias", 0.0))
    if layer.type == "activation":
        return activate(layer.activation, x)
    if layer.type == "lstm":
        h, c, n = state["h"], state["c"], layer.out_size
        z = x @ a["kernel"] + h @ a["recurrent"] + a["bias"]
        i, f, g, o = (z[k * n : (k + 1) * n] for k in range(4))
        c[:] = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h[:] = _sigmoid(o) * np.tanh(c)
        return h.copy()
    if layer.type == "gru":
        h, n = state["h"], layer.out_size
        xw = x @ a["kernel"] + a["bias"][0]
        hu = h @ a["recurrent"] + a["bias"][1]
        z = _sigmoid(xw[:n] + hu[:n])
        r = _sigmoid(xw[n : 2 * n] + hu[n : 2 * n])
        candidate = np.tanh(xw[2 * n :] + r * hu[2 * n :])
        h[:] = z * h + (1 - z) * candidate
        return h.copy()
    if layer.type == "conv1d":
        hist = state["history"]
        hist[:-1] = hist[1:]
        hist[-1] = x
        size, dilation, groups = (layer.options[k] for k in ("kernel_size", "dilation", "groups"))
        per_in, per_out = layer.in_size // groups, layer.out_size // groups
        y = a["bias"].copy()
        for k in range(size):
            frame = hist[-1 - (size - 1 - k) * dilation]  # W[K-1] multiplies the current frame
            for g in range(groups):
                y[g * per_out : (g + 1) * per_out] += frame[g * per_in : (g + 1) * per_in] @ a["kernel"][k][:, g * per_out : (g + 1) * per_out]
        return activate(layer.activation, y)
    if layer.type == "prelu":
        return np.where(x >= 0, x, a["alpha"] * x)
    # batchnorm
    scale = a.get("gamma", 1.0) / np.sqrt(a["var"] + layer.options["epsilon"])
    return scale * (x - a["mean"]) + a.get("beta", 0.0)
