"""ONNX: the exporter (one file per model, built from its layer stack) and the verifier that
runs each file in ONNX Runtime against the trained model.

This module is imported whenever ml5 lists its plugins: onnx, onnxruntime and numpy are
imported only when a model is exported, validated or verified.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import ml5
from ml5.run import compare_outputs, frame_latency_us

from ml5_onnx.format import OPSET

#: absolute tolerance against the trained torch model (float32 arithmetic on both sides)
TOLERANCE = 1e-5


def verify_with_onnxruntime(path: Path, model: ml5.TrainedModel, inputs: dict[str, Any]) -> ml5.Verification:
    import numpy as np

    from ml5_onnx.runtime import RuntimeProblem, forward_batch, import_onnxruntime, session

    try:
        import_onnxruntime(path)  # before the clock starts: importing it is no part of loading a file
        start = time.perf_counter()
        run = forward_batch(session(path), path)
        load_ms = (time.perf_counter() - start) * 1e3
        frame = np.asarray(next(iter(inputs.values()))[:1], dtype=np.float32)
        latency = frame_latency_us(run, frame) if len(frame) else {}
        return compare_outputs(run, model, inputs, TOLERANCE, load_ms=load_ms, **latency, opset=OPSET)
    except RuntimeProblem as exc:
        return ml5.Verification(False, float("inf"), TOLERANCE, {"error": str(exc)})


def _export(model: ml5.TrainedModel, card: dict[str, Any], path: Path) -> None:
    from ml5_onnx.export import export as write  # onnx and numpy: when exporting, not when listing plugins

    write(model, card, path)


def _problems(path: Path, spec: ml5.ModelSpec) -> list[str]:
    from ml5_onnx.validate import problems as check

    return check(path, spec)


EXPORTER = ml5.Exporter(
    name="onnx",
    suffix=".onnx",
    export=_export,
    validate=_problems,
    description=f"ONNX (opset {OPSET}), one step from a zero state, a batch dimension, the model card in its metadata",
)

VERIFIER = ml5.Verifier(
    name="onnxruntime",
    formats=("onnx",),
    verify=verify_with_onnxruntime,
    description="loads each ONNX export in ONNX Runtime (one thread) and compares it with the trained model",
)


@ml5.hookimpl
def ml5_register_exporters(register):
    register(EXPORTER)


@ml5.hookimpl
def ml5_register_verifiers(register):
    register(VERIFIER)
