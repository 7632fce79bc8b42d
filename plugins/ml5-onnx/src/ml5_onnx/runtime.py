"""Running an ml5 ONNX file in ONNX Runtime, on one thread, as the verifier and the benchmarks do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ml5_onnx.format import INPUT, OUTPUT


class RuntimeProblem(RuntimeError):
    """onnxruntime is missing or refuses a file: the message names the file and what to do."""


def import_onnxruntime(path: Path) -> Any:
    """The onnxruntime module, or RuntimeProblem saying that ``path`` cannot be run without it."""
    try:
        import onnxruntime
    except ImportError as exc:
        raise RuntimeProblem(f"onnxruntime is not installed, so {Path(path).name} cannot be run: pip install onnxruntime") from exc
    return onnxruntime


def session(path: Path) -> Any:
    """An ``onnxruntime.InferenceSession`` of ``path``: CPU, one thread, errors only in the log."""
    ort = import_onnxruntime(path)
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        loaded = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime's errors share no base class but Exception
        raise RuntimeProblem(f"{path}: onnxruntime cannot load it ({str(exc).strip() or type(exc).__name__})") from exc
    names = ([i.name for i in loaded.get_inputs()], [o.name for o in loaded.get_outputs()])
    if names != ([INPUT], [OUTPUT]):
        raise RuntimeProblem(f"{path}: inputs {names[0]} and outputs {names[1]}, expected [{INPUT!r}] and [{OUTPUT!r}]")
    return loaded


def forward_batch(loaded: Any, path: Path) -> Callable[[Any], np.ndarray]:
    """(n, input_size) → (n, output_size) float32 through ``loaded``, a session of ``path``."""

    def run(x: Any) -> np.ndarray:
        try:
            return loaded.run([OUTPUT], {INPUT: np.ascontiguousarray(x, dtype=np.float32)})[0]
        except Exception as exc:  # as in session(): a refused input is onnxruntime's own exception type
            raise RuntimeProblem(f"{path}: onnxruntime cannot run it ({str(exc).strip() or type(exc).__name__})") from exc

    return run
