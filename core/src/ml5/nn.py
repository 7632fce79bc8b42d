"""The torch side of a ``ModelSpec`` (any ``ml5.layers.LayerStack``): the module its layer stack
describes, and its loss.

This module imports torch; nothing in ``ml5``'s import path imports it. Recurrent layers run
ONE step from a zero state, which is how the five networks are trained and must be run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
from torch import nn

from ml5.layers import GRU, LSTM, Dense, LayerStack
from ml5.metrics import known_mean

_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "softmax": lambda: nn.Softmax(dim=-1),
    "elu": nn.ELU,
    "": nn.Identity,
}

#: which torch parameters make up each layer kind, in PyTorch's own names
WEIGHT_NAMES = {
    "dense": ("weight", "bias"),
    "lstm": ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
    "gru": ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
}


class _OneStep(nn.Module):
    """A recurrent layer run for one time step from a zero state: (batch, in) → (batch, H)."""

    def __init__(self, rnn: nn.Module) -> None:
        super().__init__()
        self.rnn = rnn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y, _ = self.rnn(x.unsqueeze(1))
        return y[:, 0]


class StackModel(nn.Module):
    """The module a layer stack describes; ``blocks[i]`` is ``spec.layers[i]``."""

    def __init__(self, spec: LayerStack) -> None:
        super().__init__()
        self.spec = spec
        blocks: list[nn.Module] = []
        for layer in spec.layers:
            if isinstance(layer, Dense):
                blocks.append(nn.Sequential(nn.Linear(layer.in_size, layer.out_size), _ACTIVATIONS[layer.activation]()))
            elif isinstance(layer, LSTM):
                blocks.append(_OneStep(nn.LSTM(layer.in_size, layer.out_size, batch_first=True)))
            elif isinstance(layer, GRU):
                blocks.append(_OneStep(nn.GRU(layer.in_size, layer.out_size, batch_first=True)))
            else:  # pragma: no cover - specs validate their layers
                raise TypeError(f"no torch builder for layer {layer!r}")
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return x

    def _core(self, i: int) -> Any:
        """The layer holding the parameters: the Linear of a dense block, the RNN of a step."""
        block = self.blocks[i]
        return block[0] if isinstance(block, nn.Sequential) else block.rnn

    def layer_weights(self) -> tuple[dict[str, np.ndarray], ...]:
        """Per layer, PyTorch's parameters as float32 numpy arrays (see ``TrainedModel``)."""
        out = []
        for i, layer in enumerate(self.spec.layers):
            core = self._core(i)
            out.append(
                {
                    name.removesuffix("_l0"): getattr(core, name).detach().cpu().numpy().astype(np.float32).copy()
                    for name in WEIGHT_NAMES[layer.kind]
                }
            )
        return tuple(out)

    def load_layer_weights(self, weights: tuple[Mapping[str, Any], ...]) -> None:
        with torch.no_grad():
            for i, layer in enumerate(self.spec.layers):
                core = self._core(i)
                for name in WEIGHT_NAMES[layer.kind]:
                    getattr(core, name).copy_(torch.as_tensor(np.asarray(weights[i][name.removesuffix("_l0")])))


def build_module(spec: LayerStack) -> StackModel:
    return StackModel(spec)


def _mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    # A NaN target is unknown (a data set labels some outputs only): left out of the mean.
    known = ~torch.isnan(target)
    if bool(known.all()):
        return torch.mean((pred - target) ** 2)
    squared = torch.where(known, pred - torch.nan_to_num(target), torch.zeros_like(pred)) ** 2
    return squared.sum() / known.sum().clamp_min(1)


def _bce(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    # The head already applied the sigmoid; clamp keeps log() finite at saturated outputs.
    return nn.functional.binary_cross_entropy(pred.clamp(1e-7, 1 - 1e-7), target)


def _kl(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    # KL(target ‖ pred) per example, averaged: 0 when the distributions agree, never negative.
    log_pred = torch.log(pred.clamp_min(1e-12))
    return nn.functional.kl_div(log_pred, target, reduction="batchmean")


#: loss name (``ml5.specs.LOSSES``) -> function(prediction after the head, target)
LOSSES = {"mse": _mse, "bce": _bce, "kl": _kl}


def loss_fn(spec: LayerStack) -> Any:
    return LOSSES[spec.loss]


def baseline_loss(spec: LayerStack, train_targets: np.ndarray, eval_targets: np.ndarray) -> float:
    """Loss on ``eval_targets`` of predicting the training targets' mean for every example."""
    mean = torch.as_tensor(known_mean(train_targets), dtype=torch.float32)[None, :]
    target = torch.as_tensor(eval_targets, dtype=torch.float32)
    return float(loss_fn(spec)(mean.expand_as(target), target))


def fit_linear(spec: LayerStack, x_train: np.ndarray, y_train: np.ndarray, iterations: int = 200) -> Callable[[np.ndarray], np.ndarray]:
    """The linear model a network must beat, fitted on the same training rows: ridge regression
    (mse; clipped to the head's range), logistic regression per output (bce), softmax regression
    (kl). Returns its prediction function. Fitted by closed form or full-batch L-BFGS."""
    x = torch.as_tensor(np.asarray(x_train, np.float32), dtype=torch.float64)
    y = torch.as_tensor(np.asarray(y_train, np.float32), dtype=torch.float64)
    ones = torch.ones(len(x), 1, dtype=torch.float64)
    xb = torch.cat([x, ones], dim=1)
    if spec.loss == "mse":
        y = torch.where(torch.isnan(y), torch.as_tensor(known_mean(y_train))[None, :].expand_as(y), y)
        penalty = torch.eye(xb.shape[1], dtype=torch.float64)
        penalty[-1, -1] = 0.0  # the bias is not shrunk
        weights = torch.linalg.solve(xb.T @ xb + penalty, xb.T @ y)
        low, high = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}.get(spec.head, (-np.inf, np.inf))

        def predict(inputs: np.ndarray) -> np.ndarray:
            xi = torch.as_tensor(np.asarray(inputs, np.float32), dtype=torch.float64)
            out = torch.cat([xi, torch.ones(len(xi), 1, dtype=torch.float64)], dim=1) @ weights
            return out.clamp(low, high).numpy().astype(np.float32)

        return predict
    weights = torch.zeros(xb.shape[1], y.shape[1], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([weights], max_iter=iterations, history_size=20, line_search_fn="strong_wolfe")
    decay = 1e-4

    def head(logits: torch.Tensor) -> torch.Tensor:
        return torch.softmax(logits, dim=1) if spec.loss == "kl" else torch.sigmoid(logits)

    def objective() -> torch.Tensor:
        optimizer.zero_grad()
        logits = xb @ weights
        if spec.loss == "kl":
            value = -(y * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
        else:
            value = nn.functional.binary_cross_entropy_with_logits(logits, y)
        value = value + decay * (weights[:-1] ** 2).sum()
        value.backward()
        return value

    optimizer.step(objective)
    fitted = weights.detach()

    def predict_probabilities(inputs: np.ndarray) -> np.ndarray:
        xi = torch.as_tensor(np.asarray(inputs, np.float32), dtype=torch.float64)
        logits = torch.cat([xi, torch.ones(len(xi), 1, dtype=torch.float64)], dim=1) @ fitted
        return head(logits).numpy().astype(np.float32)

    return predict_probabilities
