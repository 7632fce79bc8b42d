"""The C++ engine next to PyTorch eager and ONNX Runtime, on the same inputs, in one run.

Per model: one frame per call (batch 1), stateless — how a plugin's audio thread runs them.
"five" is the chain of MODELS.md for one 128-feature frame (emotion, then melody, harmony,
dynamics and groove from it). Every engine runs on one thread. Also: load time of the five
RTNeural files in the C++ engine. After the module the ratios are printed and written to
benchmarks/results/peers.json.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")
ml5_native = pytest.importorskip("ml5_native")

from ml5.plugins import load  # noqa: E402
from ml5.registry import Registry  # noqa: E402
from ml5_rtneural.export import model_text  # noqa: E402

CHAIN = ("emotion", "melody", "harmony", "dynamics", "groove")
ENGINES = ("native", "onnxruntime", "torch")
RESULTS: dict[str, dict[str, float]] = {}
RESULTS_FILE = Path(__file__).parent / "results" / "peers.json"


@pytest.fixture(scope="module", autouse=True)
def ratios():
    """After the module's benchmarks: medians and ratios to ONNX Runtime and PyTorch, printed
    and written to benchmarks/results/peers.json (only when the whole module ran)."""
    yield
    if "five" not in RESULTS or "load_five_seconds" not in RESULTS:
        return
    summary: dict[str, object] = {
        key: {
            **{f"{engine}_us": round(value * 1e6, 2) for engine, value in times.items()},
            "native_vs_onnxruntime": round(times["native"] / times["onnxruntime"], 3),
            "native_vs_torch": round(times["native"] / times["torch"], 3),
        }
        for key, times in RESULTS.items()
        if key != "load_five_seconds"
    }
    summary["load_five_seconds"] = round(RESULTS["load_five_seconds"]["native"], 4)
    summary["when"] = time.strftime("%Y-%m-%d %H:%M")
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(summary, indent=2) + "\n")
    print("\n" + json.dumps(summary, indent=2))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Per model: the torch module, its RTNeural file loaded natively, its ONNX session."""
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("peers")
    specs = {name: entry.spec for name, entry in Registry(load()).models.items() if name in CHAIN}
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    built = {}
    for name in CHAIN:
        spec = specs[name]
        torch.manual_seed(0)
        module = spec.build().eval()
        json_path = folder / f"{spec.stem}.json"
        json_path.write_text(model_text(spec, module.layer_weights()))
        onnx_path = folder / f"{spec.stem}.onnx"
        torch.onnx.export(module, (torch.zeros(1, spec.input_size),), str(onnx_path), dynamo=False,
                          input_names=["x"], output_names=["y"])
        session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        built[name] = {"spec": spec, "torch": module, "native": ml5_native.load(json_path), "onnx": session,
                       "json": json_path}
    return built


def _runner(engine: str, entry: dict):
    if engine == "native":
        return entry["native"].forward
    if engine == "onnxruntime":
        session = entry["onnx"]
        return lambda x: session.run(None, {"x": x.reshape(1, -1)})[0][0]
    module = entry["torch"]

    def run_torch(x):
        with torch.inference_mode():
            return module(torch.from_numpy(x).reshape(1, -1))[0].numpy()

    return run_torch


def _record(benchmark, key: str, engine: str) -> None:
    RESULTS.setdefault(key, {})[engine] = benchmark.stats.stats.median


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", CHAIN)
def test_frame(benchmark, models, name, engine):
    entry = models[name]
    x = np.random.default_rng(1).uniform(-1, 1, entry["spec"].input_size).astype(np.float32)
    run = _runner(engine, entry)
    expected = _runner("torch", entry)(x)
    assert np.max(np.abs(run(x) - expected)) < 1e-5  # the same computation, engine for engine
    benchmark.group = f"frame: {name}"
    benchmark(run, x)
    _record(benchmark, name, engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_five_model_frame(benchmark, models, engine):
    run = {name: _runner(engine, models[name]) for name in CHAIN}
    features = np.random.default_rng(2).uniform(-1, 1, 128).astype(np.float32)

    def pipeline(f):
        emotion = np.asarray(run["emotion"](f), dtype=np.float32)
        return (
            run["melody"](emotion),
            run["harmony"](np.concatenate([emotion, f[:64]])),
            run["dynamics"](np.ascontiguousarray(emotion[:32])),
            run["groove"](emotion),
        )

    benchmark.group = "frame: five (the chain)"
    benchmark(pipeline, features)
    _record(benchmark, "five", engine)


def test_load_five_files(benchmark, models):
    paths = [models[name]["json"] for name in CHAIN]
    benchmark.group = "load the five RTNeural files (native)"
    benchmark.pedantic(lambda: [ml5_native.load(p) for p in paths], rounds=5, warmup_rounds=1)
    RESULTS["load_five_seconds"] = {"native": benchmark.stats.stats.median}
