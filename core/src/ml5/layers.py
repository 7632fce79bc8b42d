"""The layer kinds a model's stack is made of (``Dense``, ``LSTM``, ``GRU``; ``ml5.specs``
re-exports them) and what a reader of a stack needs of a model (``LayerStack``).

It imports nothing of ml5: ``ml5.specs`` (whose ``ModelSpec.build()`` calls ``ml5.nn``) and
``ml5.nn`` (the torch module a stack describes) both read the layers from here, so ``ml5.nn``
does not import ``ml5.specs``.
"""

from __future__ import annotations

from typing import Any, Protocol, Union

import attrs

#: Activations a layer may apply ("" = none). The torch builder and the exporters read this.
ACTIVATIONS = ("tanh", "relu", "sigmoid", "softmax", "elu", "")


def positive_int(instance: Any, attribute: attrs.Attribute, value: int) -> None:
    """attrs validator: a positive ``int`` (not a bool)."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive integer, got {value!r}")


def known_activation(instance: Any, attribute: attrs.Attribute, value: str) -> None:
    """attrs validator: one of ``ACTIVATIONS``."""
    if value not in ACTIVATIONS:
        raise ValueError(f"{attribute.name} {value!r} is not one of {ACTIVATIONS}")


@attrs.frozen
class Dense:
    """Fully connected layer: y = act(x·Wᵀ + b), PyTorch ``nn.Linear`` weight layout."""

    in_size: int = attrs.field(validator=positive_int)
    out_size: int = attrs.field(validator=positive_int)
    activation: str = attrs.field(default="", validator=known_activation)
    kind = "dense"

    @property
    def param_count(self) -> int:
        return self.in_size * self.out_size + self.out_size


@attrs.frozen
class LSTM:
    """Single-layer unidirectional LSTM; PyTorch keeps two bias vectors (b_ih, b_hh)."""

    in_size: int = attrs.field(validator=positive_int)
    out_size: int = attrs.field(validator=positive_int)  # the hidden size
    kind = "lstm"
    activation = ""

    @property
    def param_count(self) -> int:
        h = self.out_size
        return 4 * h * (self.in_size + h) + 2 * 4 * h


@attrs.frozen
class GRU:
    """Single-layer unidirectional GRU; PyTorch keeps two bias vectors (b_ih, b_hh)."""

    in_size: int = attrs.field(validator=positive_int)
    out_size: int = attrs.field(validator=positive_int)
    kind = "gru"
    activation = ""

    @property
    def param_count(self) -> int:
        h = self.out_size
        return 3 * h * (self.in_size + h) + 2 * 3 * h


Layer = Union[Dense, LSTM, GRU]


class LayerStack(Protocol):
    """What the torch builder reads of a model: ``ml5.ModelSpec`` is one."""

    @property
    def layers(self) -> tuple[Layer, ...]: ...

    @property
    def head(self) -> str: ...

    @property
    def loss(self) -> str: ...
