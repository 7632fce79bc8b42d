"""Checking an exported file against the model spec it claims to be: ``ml5 validate``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ml5.specs import ModelSpec

from ml5_rtneural.format import FormatError, loads, parse


def exported_numbers(spec: ModelSpec) -> int:
    """Numbers an RTNeural file of ``spec`` holds: an LSTM/GRU keeps one summed bias (LSTM) or
    two rows (GRU), so LSTMs hold 4·H fewer numbers than PyTorch counts."""
    return spec.param_count - sum(4 * layer.out_size for layer in spec.layers if layer.kind == "lstm")


def problems(path: Path, spec: ModelSpec) -> list[str]:
    """One line per problem ([] = the file is a correct export of ``spec``)."""
    try:
        data = loads(Path(path).read_bytes())
    except (OSError, FormatError) as exc:
        return [str(exc)]
    # Check structure against the spec first, so a wrong layout is named in the spec's terms.
    found = []
    layers = data.get("layers") if isinstance(data, dict) else None
    if isinstance(layers, list):
        if len(layers) != len(spec.layers):
            found.append(f"{len(layers)} layers, but {spec.title} has {len(spec.layers)}")
        for i, (raw, layer) in enumerate(zip(layers, spec.layers)):
            if not isinstance(raw, dict):
                continue
            if raw.get("type") != layer.kind:
                found.append(f"layers[{i}]: type {raw.get('type')!r}, expected {layer.kind!r}")
            if layer.kind == "dense" and raw.get("activation", "") != layer.activation:
                found.append(f"layers[{i}]: activation {raw.get('activation')!r}, expected {layer.activation!r}")
            shape = raw.get("shape")
            if isinstance(shape, list) and shape and shape[-1] != layer.out_size:
                found.append(f"layers[{i}]: shape {shape}, expected [null, {layer.out_size}]")
    try:
        model = parse(data)
    except FormatError as exc:
        return found + [str(exc)]
    if model.in_size != spec.input_size:
        found.append(f"in_shape gives {model.in_size} inputs, expected {spec.input_size}")
    if model.n_numbers != exported_numbers(spec) and not found:
        found.append(f"{model.n_numbers:,} weights, expected {exported_numbers(spec):,} for {spec.title}")
    for i, layer in enumerate(model.layers):
        for name, array in layer.arrays.items():
            if not np.isfinite(array).all():
                found.append(f"layers[{i}]: {name} holds non-finite values")
    return found
