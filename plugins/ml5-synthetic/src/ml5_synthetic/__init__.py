"""The embedded default data set: seeded, generated on the fly, learnable.

Every example starts from a hidden emotion — valence v and arousal a in -1..1 — and, for
harmony, a hidden previous chord. Inputs are what the model would see (mel-like features, an
emotion embedding, a chroma-like context), targets are a fixed function of the hidden values
plus a little noise. Nothing here is independent noise: a model can learn every target, and
its gain over predicting the mean is what the run reports.
"""

from __future__ import annotations

from typing import Any

import ml5

OPTIONS = {"samples": 4096, "noise": 0.05, "seed": 0}
MODELS = ("emotion", "melody", "harmony", "dynamics", "groove")


def open_synthetic(spec: ml5.ModelSpec, path: object, options: dict[str, Any]) -> ml5.Data:
    from ml5_synthetic.generate import open_synthetic as generate  # numpy: only when data is asked for

    return generate(spec, path, options)


FORMAT = ml5.DatasetFormat(
    name="synthetic",
    feeds=MODELS,
    open=open_synthetic,
    needs_path=False,
    options=OPTIONS,
    description="embedded default: seeded generated data shaped like each task (no download)",
    license="MIT (generated)",
)


@ml5.hookimpl
def ml5_register_datasets(register):
    register(FORMAT)
