"""The ml5 plugin of ml5-native: verifies every RTNeural export by loading it in the C++
engine and comparing its outputs with the trained model (load time and per-frame latency go
into the run report); registers the C++ engine as engine ``native`` (``ml5 evaluate`` and
``ml5 infer`` run exports with it, the MultiModelProcessor's fallbacks standing in for a file it
cannot use); and adds ``ml5 verify DIR``, which runs a folder of exports through the C++
MultiModelProcessor (see ml5_native.verify)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import ml5
from ml5.run import compare_outputs, frame_latency_us

#: absolute tolerance against the trained torch model (float32 arithmetic on both sides)
TOLERANCE = 1e-5


def verify_native(path: Path, model: ml5.TrainedModel, inputs: dict[str, Any]) -> ml5.Verification:
    import numpy as np  # here, not at the top: plugins are imported whenever ml5 lists them

    import ml5_native

    start = time.perf_counter()
    try:
        engine = ml5_native.load(path)
    except ml5_native.LoadError as exc:
        return ml5.Verification(False, float("inf"), TOLERANCE, {"error": str(exc)})
    load_ms = (time.perf_counter() - start) * 1e3
    engine.stateless = True  # the networks are trained as one step from a zero state
    frame = np.asarray(next(iter(inputs.values()))[0], dtype=np.float32)
    return compare_outputs(
        engine.forward_batch,
        model,
        inputs,
        TOLERANCE,
        load_ms=load_ms,
        **frame_latency_us(engine.forward, frame),
        weight_bytes=engine.weight_bytes,
        numbers=engine.n_params,
    )


VERIFIER = ml5.Verifier(
    name="native",
    formats=("rtneural",),
    verify=verify_native,
    description="loads each RTNeural export in the C++ engine (stateless) and compares it with the trained model",
)


def load_model(path: Path) -> Any:
    """One export in the C++ engine, every frame from a zero state (raises LoadError, a ValueError)."""
    import ml5_native

    model = ml5_native.load(path)
    model.stateless = True
    return model


def load_processor(folder: Path) -> tuple[Any, dict[str, str]]:
    """A folder of exports in the MultiModelProcessor: its ``infer(model, x)`` and, per model,
    "network" or the fallback that stands in for a file it cannot use, with the reason."""
    import ml5_native

    processor = ml5_native.Processor()
    sources = {status.model: "network" if status.loaded else f"fallback ({status.reason})"
               for status in processor.initialize(str(folder))}
    return processor.infer, sources


ENGINE = ml5.Engine(
    name="native",
    load=load_model,
    load_folder=load_processor,
    priority=10,  # what a C++ host runs: the default wherever it is installed
    description="the C++ engine of ml5-native (float32, stateless); the MultiModelProcessor's fallbacks for files it cannot use",
)


@ml5.hookimpl
def ml5_register_verifiers(register):
    register(VERIFIER)


@ml5.hookimpl
def ml5_register_engines(register):
    register(ENGINE)


@ml5.hookimpl
def ml5_register_commands(cli):
    from ml5_native.verify import register  # typer only: numpy and the C++ engine load when it runs

    register(cli)
